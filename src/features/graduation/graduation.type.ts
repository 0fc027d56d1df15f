import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GRADUATION_PATHWAYS, GRADUATION_STATUSES } from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';
import { RulePart } from '../catalog/index.js';

export const GraduationPathway = enumOf(GRADUATION_PATHWAYS);
export type GraduationPathway = keyof typeof GraduationPathway;
export const GraduationStatus = enumOf(GRADUATION_STATUSES);
export type GraduationStatus = keyof typeof GraduationStatus;
export const TargetGrouping = enumOf(['PENDAMPING', 'VILLAGE', 'REGENCY', 'PROVINCE', 'NATIONAL'] as const);
export type TargetGrouping = keyof typeof TargetGrouping;

registerEnumType(GraduationPathway, {
  name: 'GraduationPathway',
  description: 'How a KPM leaves assistance: GRADUASI_MANDIRI (self-reliant: every required criterion passes), NATURAL_EXIT (e.g. no eligible members any more), ADMINISTRATIVE_EXIT (data correction, moved away).',
});
registerEnumType(GraduationStatus, { name: 'GraduationStatus', description: 'PROPOSED → APPROVED | REJECTED; APPROVED → RETURNED when the household is back on assistance.' });
registerEnumType(TargetGrouping, { name: 'TargetGrouping', description: 'How graduationTargets groups: per pendamping, village, regency/city, province, or nationally.' });

@ObjectType({ description: 'A graduation criterion as data: a rule in the eligibility rule language over graduation facts, with its source or marked an assumption.' })
export class GraduationCriterion {
  @Field(() => String, { description: 'Code.' }) code!: string;
  @Field(() => String, { description: 'Label.' }) label!: string;
  @Field(() => GraphQLJSON, { description: 'Rule: {all:[…]} / {any:[…]} / {fact, op, value, label}; facts: desil, isRtlh, hasOwnToilet, hasSmallBusiness, occupants, incomePerCapitaIdr, businessMonths, programs, houseRepaired, receivedBusinessSupport.' })
  rule!: unknown;
  @Field(() => Boolean, { description: 'Must pass for a household to be ready.' }) required!: boolean;
  @Field(() => Int, { description: 'Weight in the readiness score.' }) weight!: number;
  @Field(() => String, { description: 'Source.' }) source!: string;
  @Field(() => Boolean, { description: 'True when the threshold is our assumption, not a published rule.' }) isAssumption!: boolean;
  @Field(() => Boolean, { description: 'False when retired: no longer evaluated; decisions taken under it keep their stored results.' }) isActive!: boolean;
}

@InputType({ description: 'A graduation criterion to add, or to replace by code (ADMIN).' })
export class GraduationCriterionInput {
  @Field(() => String, { description: 'Stable code, A–Z 0–9 _ (2–40), e.g. INCOME_ABOVE_POVERTY_LINE.' }) code!: string;
  @Field(() => String, { description: 'Label.' }) label!: string;
  @Field(() => GraphQLJSON, { description: 'Rule in the eligibility rule language over graduation facts (see GraduationCriterion.rule).' }) rule!: unknown;
  @Field(() => Boolean, { description: 'Must pass for a household to be ready.' }) required!: boolean;
  @Field(() => Int, { defaultValue: 1, description: 'Weight in the readiness score, 1–100.' }) weight!: number;
  @Field(() => String, { description: 'Source of the rule; when none exists, isAssumption: true and the reasoning here.' }) source!: string;
  @Field(() => Boolean, { description: 'True when the threshold is our assumption.' }) isAssumption!: boolean;
  @Field(() => Boolean, { defaultValue: true, description: 'False retires the criterion.' }) isActive!: boolean;
}

@ObjectType({ description: 'One criterion evaluated for one household: passed or not, and what was measured.' })
export class CriterionResult {
  @Field(() => String, { description: 'Code.' }) code!: string;
  @Field(() => String, { description: 'Label.' }) label!: string;
  @Field(() => Boolean, { description: 'Required.' }) required!: boolean;
  @Field(() => Int, { description: 'Weight.' }) weight!: number;
  @Field(() => String, { description: 'Source.' }) source!: string;
  @Field(() => Boolean, { description: 'Is assumption.' }) isAssumption!: boolean;
  @Field(() => Boolean, { description: 'Passed.' }) passed!: boolean;
  @Field(() => [RulePart], { description: 'Each rule part with what was measured and what the rule asks.' }) parts!: RulePart[];
}

@ObjectType({ description: 'Graduation readiness of one household (KPM).' })
export class GraduationReadiness {
  @Field(() => ID, { description: 'Household id.' }) householdId!: string;
  @Field(() => String, { description: 'Village code.' }) villageCode!: string;
  @Field(() => String, { nullable: true, description: 'Pendamping carrying the household.' }) pendampingSubject!: string | null;
  @Field(() => Boolean, { description: 'Every required criterion passes.' }) ready!: boolean;
  @Field(() => Float, { description: 'Passed weight ÷ total weight, 0–1.' }) score!: number;
  @Field(() => [String], { description: 'Programs received now (open memberships).' }) programs!: string[];
  @Field(() => Int, { nullable: true, description: 'Latest observed household income ÷ occupants, rupiah per month; null when never observed.' }) incomePerCapitaIdr!: number | null;
  @Field(() => String, { nullable: true, description: 'Date of the latest welfare observation.' }) observedOn!: string | null;
  @Field(() => [CriterionResult], { description: 'Criteria.' }) criteria!: CriterionResult[];
}

@ObjectType({ description: 'A readiness list: KPM with an open membership and no open graduation, ready first, then by score.' })
export class ReadinessList {
  @Field(() => Int, { description: 'KPM in the list before the limit.' }) total!: number;
  @Field(() => Int, { description: 'How many of them are ready.' }) ready!: number;
  @Field(() => [GraduationReadiness], { description: 'Households.' }) households!: GraduationReadiness[];
}

@ObjectType({ description: 'A package item that contributed to a graduation (the PENA capital, the repaired house).' })
export class GraduationContribution {
  @Field(() => ID, { description: 'Package item id.' }) packageItemId!: string;
  @Field(() => ID, { description: 'Package id.' }) packageId!: string;
  @Field(() => String, { description: 'Intervention code.' }) interventionCode!: string;
  @Field(() => String, { description: 'Category.' }) category!: string;
  @Field(() => String, { description: 'Item progress now.' }) progress!: string;
}

@ObjectType({ description: 'A graduation (graduasi) decision with who, when, pathway, evidence and approval; it stays in history whatever happens after.' })
export class Graduation {
  @Field(() => ID, { description: 'Id.' }) id!: string;
  @Field(() => ID, { description: 'Household id.' }) householdId!: string;
  @Field(() => String, { description: 'Village code.' }) villageCode!: string;
  @Field(() => String, { nullable: true, description: 'Pendamping subject.' }) pendampingSubject!: string | null;
  @Field(() => GraduationPathway, { description: 'Pathway.' }) pathway!: GraduationPathway;
  @Field(() => GraduationStatus, { description: 'Status.' }) status!: GraduationStatus;
  @Field(() => String, { description: 'Proposed by.' }) proposedBy!: string;
  @Field(() => String, { description: 'ISO 8601.' }) proposedAt!: string;
  @Field(() => GraphQLJSON, { description: 'At proposal: the note, the facts measured and each criterion result.' }) evidence!: unknown;
  @Field(() => String, { nullable: true, description: 'Approver or rejecter (never the proposer).' }) decidedBy!: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 8601.' }) decidedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'Decision note.' }) decisionNote!: string | null;
  @Field(() => String, { nullable: true, description: 'Date the household left assistance (approval).' }) graduatedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Date it returned to assistance.' }) returnedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Return reason.' }) returnReason!: string | null;
}

@ObjectType({ description: 'The target, measured, for one group. Counts are protected (0, null below k, rounded to k) for roles that see aggregates only.' })
export class GraduationTarget {
  @Field(() => String, { description: 'Pendamping subject, village or region code, or "ID" for national.' }) key!: string;
  @Field(() => Boolean, { description: 'True when this row\'s counts are exact for you; false when they are protected (VIEWER and PARTNER everywhere; per village, a PLANNER outside its regions or a PENDAMPING outside its villages).' }) countsExact!: boolean;
  @Field(() => Int, { nullable: true, description: 'Assigned KPM.' }) caseload!: number | null;
  @Field(() => Int, { description: 'Pendamping serving the group.' }) pendamping!: number;
  @Field(() => Float, { nullable: true, description: "Graduations expected this year: each pendamping's target × the share of their caseload in the group. Null in a per-village row whose counts are protected: the share would give back the exact number of a pendamping's KPM there." }) target!: number | null;
  @Field(() => Int, { nullable: true, description: 'Graduations approved with a graduation date in the year (returned ones included: they did graduate).' }) graduated!: number | null;
  @Field(() => Int, { nullable: true, description: 'Open proposals.' }) proposed!: number | null;
  @Field(() => Int, { nullable: true, description: 'Households back on assistance in the year.' }) returned!: number | null;
  @Field(() => Int, { nullable: true, description: 'Referred.' }) referred!: number | null;
  @Field(() => Int, { nullable: true, description: 'Accepted.' }) accepted!: number | null;
  @Field(() => Int, { nullable: true, description: 'Enrolled.' }) enrolled!: number | null;
  @Field(() => Int, { nullable: true, description: 'Declined.' }) declined!: number | null;
}

@ObjectType({ description: 'Graduation targets for a year.' })
export class GraduationTargets {
  @Field(() => Int, { description: 'Year.' }) year!: number;
  @Field(() => Boolean, { description: 'True when the counts of some row are protected for you (see GraduationTarget.countsExact).' }) protectedCounts!: boolean;
  @Field(() => [GraduationTarget], { description: 'Rows.' }) rows!: GraduationTarget[];
}

@ObjectType({ description: 'Graduations an intervention of a package contributed to.' })
export class InterventionGraduations {
  @Field(() => String, { description: 'Intervention code.' }) interventionCode!: string;
  @Field(() => Int, { nullable: true, description: 'Graduations.' }) graduations!: number | null;
}

@ObjectType({ description: "A package's effect on graduation: approved graduations its items contributed to." })
export class PackageGraduationEffect {
  @Field(() => ID, { description: 'Package id.' }) packageId!: string;
  @Field(() => Int, { nullable: true, description: 'Distinct graduations (protected for aggregate-only roles).' }) graduations!: number | null;
  @Field(() => [InterventionGraduations], { description: 'By intervention.' }) byIntervention!: InterventionGraduations[];
}

@InputType({ description: 'A welfare observation by a pendamping: what the income and business criteria measure.' })
export class WelfareObservationInput {
  @Field(() => ID, { description: 'Household id.' }) householdId!: string;
  @Field(() => String, { description: 'YYYY-MM-DD' }) observedOn!: string;
  @Field(() => Int, { description: 'Household income per month, whole rupiah.' }) monthlyIncomeIdr!: number;
  @Field(() => String, { nullable: true, description: 'When the household business started (YYYY-MM-DD), if any.' }) businessSince?: string | null;
  @Field(() => String, { nullable: true, description: 'Note.' }) note?: string | null;
}

@InputType({ description: 'Propose a graduation for a household in your caseload.' })
export class GraduationProposalInput {
  @Field(() => ID, { description: 'Household id.' }) householdId!: string;
  @Field(() => GraduationPathway, { description: 'Pathway.' }) pathway!: GraduationPathway;
  @Field(() => String, { nullable: true, description: 'Evidence in words; required for NATURAL_EXIT and ADMINISTRATIVE_EXIT.' }) evidenceNote?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Package items at this household that contributed (PENA capital, a repaired house).' }) contributingItemIds?: string[] | null;
}
