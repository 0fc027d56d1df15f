import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import { ITEM_PROGRESS, PACKAGE_STATUSES } from '../../db/schema.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { enumOf } from '../../graphql/enums.js';
import { FacilityServes, InterventionCategory } from '../catalog/index.js';
import { Pas } from '../households/index.js';

export const PackageStatus = enumOf(PACKAGE_STATUSES);
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];
export const ItemProgress = enumOf(ITEM_PROGRESS);
export type ItemProgress = (typeof ITEM_PROGRESS)[number];
registerEnumType(PackageStatus, {
  name: 'PackageStatus',
  description: 'Workflow: DRAFT → ASSESSED → PLANNED → APPROVED → IN_PROGRESS → COMPLETED, or CANCELLED. Back-steps: ASSESSED → DRAFT, PLANNED → ASSESSED, APPROVED → PLANNED (to change items of an approved package).',
});
registerEnumType(ItemProgress, { name: 'ItemProgress', description: 'Implementation progress of one item.' });

@ObjectType({ description: "A funder's budget in a package, with what is allocated." })
export class FunderBudget {
  @Field(() => String, { description: 'Funder code.' })
  funderCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Budget, integer rupiah.' })
  budgetIdr!: number;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: 'Sum of item costs for this funder, integer rupiah. Null where your counts about the village are protected (a sum of per-household costs divided by a unit cost is an exact count; docs/privacy.md).',
  })
  allocatedIdr!: number | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'budgetIdr − allocatedIdr (negative only with a recorded over-budget override); null when allocatedIdr is.' })
  remainingIdr!: number | null;

  @Field(() => String, { nullable: true, description: 'Recorded reason when allocations were allowed to exceed the budget.' })
  overBudgetReason!: string | null;
}

@ObjectType({ description: 'Who pays how much of one item: a funder, its fund, the amount.' })
export class FundingShare {
  @Field(() => String, { description: 'Funder code.' })
  funderCode!: string;

  @Field(() => String, { description: 'Fund code (BAZNAS_ZAKAT, BAZNAS_INFAK, …).' })
  fundCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Amount, integer rupiah. The shares of an item sum to its costIdr (enforced by the database).' })
  amountIdr!: number;
}

@InputType({ description: 'One funder’s share of an item (co-funding).' })
export class FundingShareInput {
  @Field(() => String, { description: 'Funder code; must be one the intervention allows (Intervention.funderCodes).' })
  funderCode!: string;

  @Field(() => String, { nullable: true, description: 'Fund of that funder (default: its default fund; for a facility its first fund not restricted to mustahik).' })
  fundCode?: string | null;

  @Field(() => GraphQLSafeInt, { description: 'Amount, integer rupiah (≥ 0).' })
  amountIdr!: number;
}

@ObjectType({ description: 'An instalment (termin) of an item, paid as work progresses.' })
export class Instalment {
  @Field(() => Int, { description: 'Order, from 1.' })
  seq!: number;

  @Field(() => GraphQLSafeInt, { description: 'Amount, integer rupiah.' })
  amountIdr!: number;

  @Field(() => String, { nullable: true, description: 'Due date, YYYY-MM-DD.' })
  dueOn!: string | null;

  @Field(() => String, { nullable: true, description: 'Paid on, YYYY-MM-DD; null while open.' })
  paidOn!: string | null;

  @Field(() => String, { description: 'Note, e.g. the progress stage it pays for.' })
  note!: string;
}

@InputType({ description: 'An instalment (termin) of an item.' })
export class InstalmentInput {
  @Field(() => GraphQLSafeInt, { description: 'Amount, integer rupiah (> 0). All instalments together at most the item’s cost.' })
  amountIdr!: number;

  @Field(() => String, { nullable: true, description: 'Due date, YYYY-MM-DD.' })
  dueOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Paid on, YYYY-MM-DD (not in the future).' })
  paidOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Note, e.g. "termin 1: foundation done".' })
  note?: string | null;
}

@ObjectType({ description: 'One intervention in a package: for a household, a person, or a facility sited in the village.' })
export class PackageItem {
  @Field(() => ID, { description: 'Item id.' })
  id!: string;

  @Field(() => String, { description: 'Catalog code of the intervention.' })
  interventionCode!: string;

  @Field(() => InterventionCategory, { description: 'Category of the intervention.' })
  category!: string;

  @Field(() => String, { description: 'Name of the intervention (Indonesian); for a package-specific item, the name the planner gave.' })
  name!: string;

  @Field(() => Boolean, { description: 'A package-specific item (not from the catalog).' })
  packageSpecific!: boolean;

  @Field(() => String, { description: 'Lead funder: the one paying the largest share (see funding for every share).' })
  funderCode!: string;

  /** Raw household id; the `householdId` field resolver reveals it only within the caller's row scope. */
  rawHouseholdId!: number | null;

  @Field(() => Int, { nullable: true, description: 'PERSON items: the member.' })
  memberId!: number | null;

  @Field(() => GeoJSONScalar, { nullable: true, description: 'FACILITY items: the site, GeoJSON Point, WGS84 [longitude, latitude].' })
  location!: unknown;

  @Field(() => FacilityServes, { nullable: true, description: 'FACILITY items: which households it serves.' })
  serves!: string | null;

  @Field(() => Int, { description: 'Units.' })
  quantity!: number;

  @Field(() => GraphQLSafeInt, { description: 'Amount per unit as recorded, integer rupiah (the catalog cost by default, never above its ceiling).' })
  unitCostIdr!: number;

  @Field(() => String, { nullable: true, description: 'Where the amount comes from when it is not the catalog default (a published figure, a split).' })
  amountNote!: string | null;

  @Field(() => GraphQLSafeInt, { description: 'quantity × unitCostIdr, integer rupiah.' })
  costIdr!: number;

  @Field(() => String, { nullable: true, description: 'Recorded reason when the eligibility rule was overridden.' })
  eligibilityOverrideReason!: string | null;

  @Field(() => String, { description: 'PROPOSED (by proposePackage) or ADDED (by a planner).' })
  origin!: string;

  @Field(() => ItemProgress, { description: 'Implementation progress.' })
  progress!: ItemProgress;

  @Field(() => String, { nullable: true, description: 'Date work started, YYYY-MM-DD.' })
  startedOn!: string | null;

  @Field(() => String, { nullable: true, description: 'Date work was done, YYYY-MM-DD.' })
  doneOn!: string | null;
}

@ObjectType({ description: 'One decision of the proposal, with its reason.' })
export class ProposalDecision {
  @Field(() => String, { description: 'SITED, NOT_SITED, SKIPPED, FLAGGED (the planner must confirm), BUDGET.' })
  decision!: string;

  @Field(() => String, { nullable: true, description: 'The intervention concerned, when there is one.' })
  interventionCode!: string | null;

  @Field(() => String, { nullable: true, description: 'The group it concerns: ELDERLY, DISABLED, CHILD, SANITATION.' })
  serves!: string | null;

  @Field(() => String, { description: 'Why, in words.' })
  reason!: string;
}

@ObjectType({ description: 'A bedah kampung terpadu package: the interventions planned for one village, with budgets per funder.' })
export class Package {
  @Field(() => ID, { description: 'Package id.' })
  id!: string;

  @Field(() => String, { description: 'Village code (Kemendagri).' })
  villageCode!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => PackageStatus, { description: 'Workflow status.' })
  status!: PackageStatus;

  @Field(() => Int, { description: 'Optimistic-concurrency version; every change must send the version it read.' })
  version!: number;

  @Field(() => ID, { nullable: true, description: 'The package this one was duplicated from.' })
  templateOf!: string | null;

  @Field(() => String, { description: 'Who created it (token subject).' })
  createdBy!: string;

  @Field(() => String, { description: 'Created, ISO 8601.' })
  createdAt!: string;

  @Field(() => String, { description: 'Last changed, ISO 8601.' })
  updatedAt!: string;

  @Field(() => [ProposalDecision], { description: 'proposePackage / duplicatePackage: every decision with its reason (sited, skipped, flagged for the planner, budget scaled). Empty for packages built by hand.' })
  proposalDecisions!: ProposalDecision[];
}

@InputType({ description: "A funder's budget." })
export class BudgetInput {
  @Field(() => String, { description: 'Funder code, e.g. KEMENSOS, BAZNAS.' })
  funderCode!: string;

  @Field(() => GraphQLSafeInt, { description: 'Budget, integer rupiah (≥ 0). Rp2 miliar = 2000000000.' })
  budgetIdr!: number;
}

@InputType({ description: 'An item to add to a package.' })
export class PackageItemInput {
  @Field(() => String, { nullable: true, description: 'Who pays all of it (default: the intervention’s funder); one of Intervention.funderCodes.' })
  funderCode?: string | null;

  @Field(() => String, { nullable: true, description: 'From which of the funder’s funds (default: its default fund; a facility takes its first fund not restricted to mustahik).' })
  fundCode?: string | null;

  @Field(() => [FundingShareInput], { nullable: true, description: 'Co-funding: shares that sum to quantity × unitCostIdr (instead of funderCode/fundCode).' })
  funding?: FundingShareInput[] | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Amount per unit, integer rupiah: default the catalog unit cost; never above the intervention’s ceiling (maxUnitCostIdr).' })
  unitCostIdr?: number | null;

  @Field(() => String, { nullable: true, description: 'Where the amount comes from (a published figure, a split).' })
  amountNote?: string | null;

  @Field(() => String, { description: 'Catalog code of the intervention.' })
  interventionCode!: string;

  @Field(() => ID, { nullable: true, description: 'HOUSEHOLD items: the household.' })
  householdId?: string | null;

  @Field(() => Int, { nullable: true, description: 'PERSON items: the member.' })
  memberId?: number | null;

  @Field(() => [Float], { nullable: true, description: 'FACILITY items: the site [longitude, latitude], WGS84; must lie inside the village boundary.' })
  locationWgs84?: number[] | null;

  @Field(() => Int, { defaultValue: 1, description: 'Units: more than 1 for facilities and for interventions with a countable unit (Intervention.quantityUnit: toilets, tanks, outlets).' })
  quantity!: number;

  @Field(() => String, { nullable: true, description: 'Add although the eligibility rule refuses, for this recorded reason. Funder rules (BAZNAS: mustahik only) cannot be overridden.' })
  eligibilityOverrideReason?: string | null;

  @Field(() => String, { nullable: true, description: "Allow the funder's allocations to exceed its budget, for this recorded reason." })
  overBudgetReason?: string | null;
}

@InputType({ description: 'A one-off facility of this package (a mosque, a culinary centre), not from the catalog.' })
export class PackageSpecificItemInput {
  @Field(() => String, { description: 'Name in Indonesian, e.g. "Masjid Cahaya Zakat".' })
  nameId!: string;

  @Field(() => String, { nullable: true, description: 'Name in English.' })
  nameEn?: string | null;

  @Field(() => InterventionCategory, { description: 'Category.' })
  category!: string;

  @Field(() => FacilityServes, { description: 'Which households it serves (EVERYONE counts for no target group).' })
  serves!: string;

  @Field(() => GraphQLSafeInt, { description: 'Amount per unit, integer rupiah.' })
  unitCostIdr!: number;

  @Field(() => Int, { defaultValue: 1, description: 'Units.' })
  quantity!: number;

  @Field(() => [Float], { description: 'Site [longitude, latitude], WGS84, inside the village.' })
  locationWgs84!: number[];

  @Field(() => String, { nullable: true, description: 'Who pays all of it.' })
  funderCode?: string | null;

  @Field(() => String, { nullable: true, description: 'From which fund.' })
  fundCode?: string | null;

  @Field(() => [FundingShareInput], { nullable: true, description: 'Co-funding shares (instead of funderCode).' })
  funding?: FundingShareInput[] | null;

  @Field(() => String, { nullable: true, description: 'Where the amount comes from.' })
  amountNote?: string | null;

  @Field(() => String, { nullable: true, description: 'Description.' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Allow exceeding a funder’s budget, for this recorded reason.' })
  overBudgetReason?: string | null;
}

@InputType({ description: 'Options of the proposal algorithm.' })
export class ProposeOptions {
  @Field(() => Int, { defaultValue: 500, description: 'Facility reach, metres (geodesic).' })
  radiusMeters!: number;

  @Field(() => Float, { defaultValue: 0.25, description: "Share of each funder's budget facilities may use (0–1); the rest goes to households first." })
  facilityBudgetShare!: number;

  @Field(() => Int, { defaultValue: 3, description: 'At most this many sites per facility intervention.' })
  maxSitesPerFacility!: number;

  @Field(() => Int, { defaultValue: 5, description: 'A site is placed only if it serves at least this many unserved target households.' })
  minHouseholdsPerSite!: number;

  @Field(() => [String], { nullable: true, description: 'Only these catalog codes (default: every active intervention of a funder with a budget).' })
  interventionCodes?: string[] | null;
}

@ObjectType({ description: 'Coverage of one PAS tag.' })
export class PasCoverage {
  @Field(() => Pas, { description: 'The PAS tag.' })
  pas!: string;

  @Field(() => Int, { nullable: true, description: 'Households with the tag (null when suppressed below k).' })
  households!: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those, households receiving at least one household or person item.' })
  covered!: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those, households receiving nothing.' })
  notCovered!: number | null;
}

@ObjectType({ description: 'Items and cost of one category.' })
export class CategoryCoverage {
  @Field(() => InterventionCategory, { description: 'Category.' })
  category!: string;

  @Field(() => Int, { nullable: true, description: 'Items. Protected like householdsServed where your counts are protected (1 to k − 1 null, larger rounded to a multiple of k).' })
  items!: number | null;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Cost, integer rupiah; null where your counts are protected (a cost divided by a unit cost gives the exact item count).' })
  costIdr!: number | null;
}

@ObjectType({ description: 'Spatial access for one target group: households within reach of a suitable facility, before and after the package.' })
export class AccessCoverage {
  @Field(() => FacilityServes, { description: 'Target group.' })
  serves!: string;

  @Field(() => Int, { nullable: true, description: 'Target households in the village.' })
  targetHouseholds!: number | null;

  @Field(() => Int, { nullable: true, description: 'Within radiusMeters of a suitable facility before this package (facilities of other approved packages of the village).' })
  withinReachBefore!: number | null;

  @Field(() => Int, { nullable: true, description: 'Within reach after this package.' })
  withinReachAfter!: number | null;
}

@ObjectType({ description: 'Who a package serves and who is still left out.' })
export class Coverage {
  @Field(() => Int, { description: 'Facility reach used, metres.' })
  radiusMeters!: number;

  @Field(() => Int, { nullable: true, description: 'Households in need (desil 1–2, RTLH, or any PAS tag).' })
  householdsInNeed!: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those, receiving at least one household or person item.' })
  householdsServed!: number | null;

  @Field(() => [PasCoverage], { description: 'Per PAS tag (only PAS the caller may see).' })
  byPas!: PasCoverage[];

  @Field(() => [CategoryCoverage], { description: 'Per category.' })
  byCategory!: CategoryCoverage[];

  @Field(() => [FunderBudget], { description: 'Per funder: allocated against budget.' })
  byFunder!: FunderBudget[];

  @Field(() => [AccessCoverage], { description: 'Spatial access per target group.' })
  access!: AccessCoverage[];

  @Field(() => [ID], { description: 'Households in need not served by any item (only households the caller may read; see unservedFeatureCollection for the map layer).' })
  unservedHouseholdIds!: string[];
}
