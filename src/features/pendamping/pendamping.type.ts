import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A pendamping (PKH social worker) and the caseload of KPM assigned to them, as far as you may see it.' })
export class Pendamping {
  @Field(() => String, { description: 'Token subject of the pendamping (their user id).' }) subject!: string;
  @Field(() => String, { description: 'Name.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'Organisation.' }) organisation!: string | null;
  @Field(() => Int, { description: 'Graduations expected per year (their own target, or the configured default of 10).' }) targetPerYear!: number;
  @Field(() => Int, { description: 'Assigned KPM (households) within your scope.' }) caseload!: number;
  @Field(() => [String], { description: 'Villages (kode wilayah) the assigned KPM live in; a caseload may span villages.' }) villageCodes!: string[];
}

@InputType({ description: 'Register or update a pendamping.' })
export class PendampingInput {
  @Field(() => String, { description: 'Token subject (the `sub` claim of their bearer token).' }) subject!: string;
  @Field(() => String, { description: 'Name.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'Organisation.' }) organisation?: string | null;
  @Field(() => Int, { nullable: true, description: 'Own yearly target; null = the configured default.' }) targetPerYear?: number | null;
}

@InputType({ description: 'Assign KPM to a pendamping (moving them from another).' })
export class AssignmentInput {
  @Field(() => String, { description: 'Pendamping subject.' }) pendampingSubject!: string;
  @Field(() => [ID], { description: 'Household ids.' }) householdIds!: string[];
  @Field(() => String, { description: 'YYYY-MM-DD' }) assignedOn!: string;
}
