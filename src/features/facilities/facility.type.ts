import { Field, Float, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A public facility that already exists in a village (a mosque, a school, a posyandu, a public toilet, a village hall): public infrastructure, shown to every role that may see the village.' })
export class ExistingFacility {
  @Field(() => ID, { description: 'Facility id (stable within this database).' }) id!: string;
  @Field(() => String, { description: 'Village code (PP.KK.CC.DDDD).' }) villageCode!: string;
  @Field(() => String, { description: 'What it is, e.g. MASJID, SEKOLAH, POSYANDU, MCK, BALAI_DESA (as recorded by its source).' }) kind!: string;
  @Field(() => String, { description: 'Its name as recorded, e.g. "Masjid Al-Ikhlas".' }) name!: string;
  @Field(() => [Float], { description: 'Its site as [longitude, latitude], WGS84 degrees.' }) lonLat!: number[];
  @Field(() => Boolean, { description: 'Accessible to wheelchair users (step-free entrance).' }) accessible!: boolean;
  @Field(() => [String], { description: 'Groups it really serves (ELDERLY, DISABLED, CHILD, SANITATION, EVERYONE); EVERYONE alone serves no target group in coverage.' }) serves!: string[];
  @Field(() => String, { description: 'Where the record came from (survey, import file).' }) source!: string;
}
