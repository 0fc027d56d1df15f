import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { COMPONENT_CONDITIONS } from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { DisabilityType, FloorMaterial, LandOwnership, Livelihood, Pas, RoofMaterial, WallMaterial, WaterSource } from '../households/index.js';

export const HOUSE_COMPONENTS = ['COLUMNS', 'RING_BEAM', 'ROOF_FRAME', 'FLOOR', 'WALLS', 'WINDOWS', 'VENTILATION', 'CEILING', 'ROOF_COVER'] as const;
export const HouseComponent = enumOf(HOUSE_COMPONENTS);
export const ComponentCondition = enumOf(COMPONENT_CONDITIONS);
registerEnumType(HouseComponent, { name: 'HouseComponent', description: 'House components rated by the PUPR house survey.' });
registerEnumType(ComponentCondition, {
  name: 'ComponentCondition',
  description: 'PUPR four-level scale, best to worst: LAYAK (fit), MENUJU_LAYAK (nearly fit), AGAK_LAYAK (somewhat fit), KURANG_LAYAK (unfit).',
});

@InputType({ description: 'The condition of one house component.' })
export class ComponentConditionInput {
  @Field(() => HouseComponent, { description: 'The component.' })
  component!: string;

  @Field(() => ComponentCondition, { description: 'Its condition on the PUPR scale.' })
  condition!: string;
}

@ObjectType({ description: 'The condition of one house component, as assessed.' })
export class ComponentConditionRecord {
  @Field(() => HouseComponent, { description: 'The component.' })
  component!: string;

  @Field(() => ComponentCondition, { description: 'Its condition.' })
  condition!: string;
}

@InputType({ description: "What the assessor found about one member." })
export class MemberSituationInput {
  @Field(() => Int, { description: 'Member id (must belong to the household).' })
  memberId!: number;

  @Field(() => DisabilityType, { nullable: true, description: 'Disability observed; null = none.' })
  disability?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Attends school.' })
  inSchool?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Free-text note (no identifiers).' })
  note?: string | null;
}

@InputType({ description: 'A PAS tag found by the assessment.' })
export class PasFindingInput {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: string;

  @Field(() => Int, { nullable: true, description: 'The member it concerns; null for the household.' })
  memberId?: number | null;

  @Field(() => String, { nullable: true, description: 'Why (recorded in the audit log; no identifiers).' })
  reason?: string | null;
}

@InputType({ description: 'A PAS tag the assessment found no longer holds: removed from the household or member, with the reason.' })
export class PasRemovalInput {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: string;

  @Field(() => Int, { nullable: true, description: 'The member it concerns; null for a household tag.' })
  memberId?: number | null;

  @Field(() => String, { description: 'Why it no longer holds (required; no identifiers).' })
  reason!: string;
}

@ObjectType({ description: 'A PAS tag removed by an assessment, with the reason.' })
export class PasRemovalRecord {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: string;

  @Field(() => Int, { nullable: true, description: 'The member; null for a household tag.' })
  memberId!: number | null;

  @Field(() => String, { nullable: true, description: 'Reason; null for roles that may not see sensitive PAS.' })
  reason!: string | null;
}

@InputType({ description: 'Asesmen terpadu: the integrated field assessment of one household.' })
export class AssessmentInput {
  @Field(() => ID, { description: 'The household assessed.' })
  householdId!: string;

  @Field(() => String, { description: 'Date of the visit, YYYY-MM-DD (not in the future).' })
  assessedOn!: string;

  @Field(() => [ComponentConditionInput], { description: 'PUPR component ratings (each component at most once).' })
  componentConditions!: ComponentConditionInput[];

  @Field(() => Float, { description: 'Floor area, m² (> 0).' })
  floorAreaM2!: number;

  @Field(() => Int, { description: 'People living in the house (≥ 1).' })
  occupants!: number;

  @Field(() => FloorMaterial, { description: 'Main floor material.' })
  floorMaterial!: string;

  @Field(() => WallMaterial, { description: 'Main wall material.' })
  wallMaterial!: string;

  @Field(() => RoofMaterial, { description: 'Main roof material.' })
  roofMaterial!: string;

  @Field(() => Boolean, { description: 'Own toilet.' })
  hasOwnToilet!: boolean;

  @Field(() => Boolean, { description: 'Electricity.' })
  hasElectricity!: boolean;

  @Field(() => WaterSource, { description: 'Main drinking-water source.' })
  waterSource!: string;

  @Field(() => LandOwnership, { description: 'Land tenure.' })
  landOwnership!: string;

  @Field(() => Livelihood, { description: 'Main livelihood of the head.' })
  livelihood!: string;

  @Field(() => Boolean, { description: 'Runs a small business.' })
  hasSmallBusiness!: boolean;

  @Field(() => [MemberSituationInput], { defaultValue: [], description: "Members' situations." })
  memberSituations!: MemberSituationInput[];

  @Field(() => [Pas], { defaultValue: [], description: 'Registry PAS tags the assessor confirmed.' })
  pasConfirmed!: string[];

  @Field(() => [PasFindingInput], { defaultValue: [], description: 'PAS tags added by the assessment (recorded with source ASSESSMENT).' })
  pasAdded!: PasFindingInput[];

  @Field(() => [PasRemovalInput], { defaultValue: [], description: 'PAS tags the assessment removes, each with its reason.' })
  pasRemoved!: PasRemovalInput[];

  @Field(() => [Float], { nullable: true, description: 'Where the assessment was taken (GPS), [longitude, latitude] WGS84; must lie inside the household’s village (50 m tolerance for GPS error).' })
  locationWgs84?: number[] | null;

  @Field(() => String, { defaultValue: '', description: 'Notes (no identifiers).' })
  notes!: string;
}

@ObjectType({ description: 'A recorded assessment (history is kept; the newest one sets the house condition).' })
export class Assessment {
  @Field(() => ID, { description: 'Assessment id.' })
  id!: string;

  @Field(() => ID, { description: 'Household assessed.' })
  householdId!: string;

  @Field(() => String, { description: 'Who assessed (token subject).' })
  assessor!: string;

  @Field(() => String, { nullable: true, description: 'Assessor organisation.' })
  assessorOrganisation!: string | null;

  @Field(() => String, { description: 'Visit date, YYYY-MM-DD.' })
  assessedOn!: string;

  @Field(() => [ComponentConditionRecord], { description: 'PUPR component ratings.' })
  componentConditions!: ComponentConditionRecord[];

  @Field(() => Float, { description: 'Floor area, m².' })
  floorAreaM2!: number;

  @Field(() => Int, { description: 'Occupants.' })
  occupants!: number;

  @Field(() => [Pas], { description: 'PAS confirmed (only PAS the caller may see).' })
  pasConfirmed!: string[];

  @Field(() => [Pas], { description: 'PAS added (only PAS the caller may see).' })
  pasAdded!: string[];

  @Field(() => [PasRemovalRecord], { description: 'PAS removed (only PAS the caller may see).' })
  pasRemoved!: PasRemovalRecord[];

  @Field(() => String, { nullable: true, description: 'Damage class from the PUPR ratings under damageRuleCode: RINGAN (light), SEDANG (moderate), BERAT (heavy); null without ratings.' })
  damageClass!: string | null;

  @Field(() => String, { nullable: true, description: 'The damage-class rule applied (see the damage_class_rules table and its source).' })
  damageRuleCode!: string | null;

  @Field(() => GeoJSONScalar, { nullable: true, description: 'Where it was taken, GeoJSON Point, WGS84 [longitude, latitude]; null for roles that may not read exact locations of households.' })
  location!: unknown;

  @Field(() => String, { nullable: true, description: 'Notes; null for roles that may not see sensitive PAS (notes may describe them).' })
  notes!: string | null;

  @Field(() => String, { description: 'When it was recorded, ISO 8601.' })
  createdAt!: string;
}
