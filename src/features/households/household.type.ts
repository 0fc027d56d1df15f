import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { Connection } from '../../graphql/connection.type.js';
import {
  DisabilityType,
  FamilyRelation,
  FloorMaterial,
  LandOwnership,
  Livelihood,
  Pas,
  RoofMaterial,
  RtlhCriterion,
  Sex,
  TagSource,
  WallMaterial,
  WaterSource,
} from './household.enums.js';

@ObjectType({ description: 'A PAS tag with its provenance.' })
export class PasTag {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: Pas;

  @Field(() => TagSource, { description: 'Where the tag came from.' })
  source!: TagSource;

  @Field(() => String, { description: 'Date the tag was recorded, ISO 8601 (YYYY-MM-DD).' })
  recordedOn!: string;

  @Field(() => Int, { nullable: true, description: 'The member the tag is about; null for a household-level tag.' })
  memberId!: number | null;
}

@ObjectType({ description: 'A member of a household (anggota keluarga). Visible only to roles that may read the household record.' })
export class Member {
  @Field(() => Int, { description: 'Stable id of the member in this system.' })
  id!: number;

  @Field(() => String, { nullable: true, description: 'Full name as in the registry (personal data; reading it is audited).' })
  fullName!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'NIK, masked: first four and last four digits (e.g. 3374********0001). Never shown in full; null for PARTNER.',
  })
  nikMasked!: string | null;

  householdId!: number;
  birthDate!: string;

  @Field(() => Int, { description: 'Age in completed years on the current date.' })
  age!: number;

  @Field(() => Sex, { description: 'Sex as recorded in the registry.' })
  sex!: keyof typeof Sex;

  @Field(() => FamilyRelation, { description: 'Relation to the head of the family.' })
  relation!: keyof typeof FamilyRelation;

  @Field(() => DisabilityType, { nullable: true, description: 'Disability category; null when none is recorded.' })
  disability!: keyof typeof DisabilityType | null;

  @Field(() => Boolean, { description: 'Aged 7–18 (compulsory schooling age, wajib belajar 12 tahun).' })
  isSchoolAge!: boolean;

  @Field(() => Boolean, { description: 'Attends school (recorded for school-age members).' })
  inSchool!: boolean;

  @Field(() => Boolean, { description: 'Aged 60 or more (lansia).' })
  isElderly!: boolean;

  @Field(() => Boolean, { description: 'Under 18 (anak).' })
  isChild!: boolean;
}

@ObjectType({ description: 'A failed RTLH criterion with what was measured.' })
export class RtlhReason {
  @Field(() => RtlhCriterion, { description: 'The failed criterion.' })
  criterion!: RtlhCriterion;

  @Field(() => String, { description: 'Human-readable explanation, with the measured value and the threshold.' })
  explanation!: string;
}

@ObjectType({ description: 'RTLH (rumah tidak layak huni) verdict under the active rule.' })
export class RtlhVerdict {
  @Field(() => Boolean, { description: 'True when the house is not fit to live in.' })
  isRtlh!: boolean;

  @Field(() => String, { description: 'Code of the active rule (PUPR_NAHP, PUPR_BSPS or BPS).' })
  ruleCode!: string;

  @Field(() => [RtlhReason], { description: 'Criteria that failed; empty when the house is layak huni.' })
  reasons!: RtlhReason[];
}

@ObjectType({ description: 'Condition of the house, as recorded in the registry or the latest assessment.' })
export class HouseCondition {
  @Field(() => Float, { description: 'Floor area, m².' })
  floorAreaM2!: number;

  @Field(() => Int, { description: 'People living in the house.' })
  occupants!: number;

  @Field(() => Float, { description: 'Floor area per occupant, m².' })
  floorAreaPerPersonM2!: number;

  @Field(() => FloorMaterial, { description: 'Main floor material.' })
  floorMaterial!: string;

  @Field(() => WallMaterial, { description: 'Main wall material.' })
  wallMaterial!: string;

  @Field(() => RoofMaterial, { description: 'Main roof material.' })
  roofMaterial!: string;

  @Field(() => Boolean, { description: 'Has a toilet of its own.' })
  hasOwnToilet!: boolean;

  @Field(() => Boolean, { description: 'Has electricity.' })
  hasElectricity!: boolean;

  @Field(() => WaterSource, { description: 'Main drinking-water source.' })
  waterSource!: string;

  @Field(() => LandOwnership, { description: 'Tenure of the land the house stands on.' })
  landOwnership!: string;

  @Field(() => Boolean, { description: 'Received government housing aid before (RST, BSPS, RTLH programmes).' })
  hadHousingAid!: boolean;
}

@ObjectType({ description: 'A registry household (keluarga, KPM when it receives aid) mapped at its house.' })
export class Household {
  @Field(() => ID, { description: 'Stable id of the household in this system.' })
  id!: string;

  @Field(() => String, { description: 'Registry (DTSEN) household id. Synthetic demo ids start with "SYN-".' })
  registryId!: string;

  @Field(() => String, { description: 'Kemendagri code of the village.' })
  villageCode!: string;

  @Field(() => GeoJSONScalar, { description: 'Location of the house: GeoJSON Point, WGS84, [longitude, latitude].' })
  location!: unknown;

  @Field(() => Int, { description: 'Desil 1–10 (1 = poorest 10% nationally).' })
  desil!: number;

  @Field(() => Livelihood, { description: 'Main livelihood of the household head.' })
  livelihood!: Livelihood;

  @Field(() => Boolean, { description: 'Mustahik: entitled to zakat (BAZNAS funds may go only to mustahik).' })
  isMustahik!: boolean;

  @Field(() => Boolean, { description: 'Receives PKH (Program Keluarga Harapan, conditional cash transfer).' })
  receivesPkh!: boolean;

  @Field(() => Boolean, { description: 'Receives BPNT/Sembako (food assistance).' })
  receivesBpnt!: boolean;

  @Field(() => Boolean, { description: 'Runs a small business (usaha mikro).' })
  hasSmallBusiness!: boolean;

  @Field(() => [Pas], { description: 'PAS tags of the household and all its members, rolled up, in PAS order.' })
  pas!: Pas[];

  @Field(() => Int, { description: 'Number of members.' })
  memberCount!: number;

  @Field(() => Boolean, { description: 'Has a member aged 60 or more.' })
  hasElderly!: boolean;

  @Field(() => Boolean, { description: 'Has a member under 18.' })
  hasChild!: boolean;

  @Field(() => Boolean, { description: 'Has a member with a disability.' })
  hasDisabled!: boolean;

  @Field(() => HouseCondition, { description: 'Condition of the house the RTLH verdict is derived from.' })
  houseCondition!: HouseCondition;

  @Field(() => String, {
    nullable: true,
    description:
      'Date (YYYY-MM-DD) from which a full registry snapshot no longer lists the household; null while it is listed. Inactive households are left out of every list, count, map and grid; they stay readable by id (household, package items) because packages and history refer to them.',
  })
  inactiveSince!: string | null;

  rtlhReasons!: RtlhCriterion[];
  isRtlh!: boolean;
}

@ObjectType({ description: 'Who the household is: personal data, returned only to roles that may read the household record, and audited.' })
export class HouseholdIdentity {
  @Field(() => String, { description: 'Name of the household head.' })
  headName!: string;

  @Field(() => String, { description: 'Address as in the registry.' })
  address!: string;

  @Field(() => String, { nullable: true, description: 'NIK of the head, masked (first four and last four digits); null for PARTNER.' })
  headNikMasked!: string | null;

  @Field(() => String, { nullable: true, description: 'Family card number (No. KK), masked; null for PARTNER.' })
  familyCardNumberMasked!: string | null;
}

@ObjectType({ description: 'Household counts on a square grid. Cells with fewer than k households (K_ANONYMITY, default 5) are suppressed.' })
export class GridCell {
  @Field(() => GeoJSONScalar, { description: 'The cell as a GeoJSON Polygon, WGS84, [longitude, latitude].' })
  cell!: unknown;

  @Field(() => Int, { nullable: true, description: 'Households in the cell; null when suppressed (1 to k − 1).' })
  households!: number | null;

  @Field(() => Int, { nullable: true, description: 'Households in desil 1–2; null when suppressed.' })
  householdsDesil1To2!: number | null;

  @Field(() => Int, { nullable: true, description: 'RTLH households; null when suppressed.' })
  rtlhHouseholds!: number | null;

  @Field(() => Boolean, { description: 'True when the counts of this cell are hidden because they are below k.' })
  suppressed!: boolean;
}

export const HouseholdConnectionBase = Connection(Household, 'Household');
@ObjectType('HouseholdConnection', { description: 'A page of households, ordered by id.' })
export class HouseholdConnection extends HouseholdConnectionBase {}
