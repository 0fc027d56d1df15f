import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON, GraphQLSafeInt } from 'graphql-scalars';
import { FacilityServes, InterventionCategory, InterventionTarget, KemensosCluster } from './catalog.enums.js';

@ObjectType({ description: 'Who pays for interventions: a ministry (Kemensos), BAZNAS, a regional government, a foundation, an NGO, a company. ADMIN registers them (createFunder).' })
export class Funder {
  @Field(() => String, { description: 'Funder code, e.g. KEMENSOS, BAZNAS.' })
  code!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => String, { description: 'Kind of funder (see funderKinds): MINISTRY, ZAKAT_AGENCY, REGIONAL_GOVERNMENT, FOUNDATION, NGO, CSR, OTHER.' })
  kind!: string;

  @Field(() => Boolean, { description: "Its default fund pays only mustahik (BAZNAS: zakat). The rule belongs to a fund: see funds (BAZNAS infak/sedekah is not restricted)." })
  requiresMustahik!: boolean;

  @Field(() => String, { description: 'What the funder does.' })
  description!: string;
}

@ObjectType({ description: 'An intervention in the catalog, with its unit cost and eligibility rule (a rule as data).' })
export class Intervention {
  @Field(() => String, { description: 'Catalog code, e.g. RST, RLHB, PENA, POS_RAMAH_LANSIA.' })
  code!: string;

  @Field(() => String, { description: 'Name in Indonesian.' })
  nameId!: string;

  @Field(() => String, { description: 'Name in English.' })
  nameEn!: string;

  @Field(() => InterventionCategory, { description: 'Category.' })
  category!: InterventionCategory;

  @Field(() => KemensosCluster, { nullable: true, description: 'Kemensos cluster; null for other funders.' })
  cluster!: KemensosCluster | null;

  @Field(() => String, { description: 'Code of the funder.' })
  funderCode!: string;

  @Field(() => InterventionTarget, { description: 'Who receives it.' })
  target!: InterventionTarget;

  @Field(() => GraphQLSafeInt, { description: 'Unit cost, integer rupiah.' })
  unitCostIdr!: number;

  @Field(() => Boolean, { description: 'True when no published figure exists and the unit cost is a demo assumption.' })
  costIsAssumption!: boolean;

  @Field(() => String, { description: 'Where the unit cost comes from.' })
  costSource!: string;

  @Field(() => Boolean, { description: 'A housing intervention: at most one per household across the package.' })
  isHousing!: boolean;

  @Field(() => FacilityServes, { nullable: true, description: 'FACILITY targets: which households it serves.' })
  serves!: FacilityServes | null;

  @Field(() => GraphQLJSON, { description: 'Eligibility rule as data: {all:[…]} / {any:[…]} / {fact, op, value, label}. The fund’s own rules (zakat: mustahik) are added on evaluation.' })
  eligibility!: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Priority rule (same language): who is served first, without excluding the others (RLHB: desil 1–2).' })
  priority!: unknown;

  @Field(() => GraphQLSafeInt, { nullable: true, description: "The rule's ceiling per unit, integer rupiah (PENA: up to Rp6 juta); an item's amount may not exceed it. Null = no ceiling." })
  maxUnitCostIdr!: number | null;

  @Field(() => String, { nullable: true, description: 'Countable unit when one recipient or site may take several (toilet, tank, outlet); null = one per recipient.' })
  quantityUnit!: string | null;

  @Field(() => [String], { description: 'Funders that may pay for it (the default funder included).' })
  funderCodes!: string[];

  @Field(() => ID, { nullable: true, description: 'Set for a package-specific item (a mosque, a culinary centre): the package it was created for. Null for the catalog.' })
  packageId!: string | null;

  @Field(() => String, { description: 'Description.' })
  description!: string;

  @Field(() => Boolean, { description: 'Offered for new package items.' })
  isActive!: boolean;

  @Field(() => Int, { description: 'Optimistic-concurrency version: send it back when you edit.' })
  version!: number;
}

@InputType({ description: 'A new catalog intervention (ADMIN).' })
export class InterventionInput {
  @Field(() => String, { description: 'Code: capital letters, digits and underscores.' })
  code!: string;

  @Field(() => String, { description: 'Name in Indonesian.' })
  nameId!: string;

  @Field(() => String, { description: 'Name in English.' })
  nameEn!: string;

  @Field(() => InterventionCategory, { description: 'Category.' })
  category!: InterventionCategory;

  @Field(() => KemensosCluster, { nullable: true, description: 'Kemensos cluster.' })
  cluster?: KemensosCluster | null;

  @Field(() => String, { description: 'Default funder code.' })
  funderCode!: string;

  @Field(() => [String], { nullable: true, description: 'Other funders that may pay for it.' })
  funderCodes?: string[] | null;

  @Field(() => InterventionTarget, { description: 'Who receives it.' })
  target!: InterventionTarget;

  @Field(() => GraphQLSafeInt, { description: 'Default unit cost, integer rupiah (≥ 0).' })
  unitCostIdr!: number;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Ceiling per unit, integer rupiah (≥ unitCostIdr).' })
  maxUnitCostIdr?: number | null;

  @Field(() => String, { nullable: true, description: 'Countable unit (allows quantity > 1).' })
  quantityUnit?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Priority rule (see Intervention.priority).' })
  priority?: unknown;

  @Field(() => Boolean, { description: 'True when the cost is an assumption, not a published figure.' })
  costIsAssumption!: boolean;

  @Field(() => String, { description: 'Source of the unit cost.' })
  costSource!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'A housing intervention.' })
  isHousing!: boolean;

  @Field(() => FacilityServes, { nullable: true, description: 'Required for FACILITY targets.' })
  serves?: FacilityServes | null;

  @Field(() => GraphQLJSON, { description: 'Eligibility rule (see Intervention.eligibility).' })
  eligibility!: unknown;

  @Field(() => String, { defaultValue: '', description: 'Description.' })
  description!: string;
}

@InputType({ description: 'Changes to a catalog intervention (ADMIN); omitted fields stay as they are.' })
export class InterventionPatch {
  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Unit cost, integer rupiah.' })
  unitCostIdr?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Cost is an assumption.' })
  costIsAssumption?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Source of the unit cost.' })
  costSource?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Eligibility rule.' })
  eligibility?: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Priority rule: a rule replaces it; omitted or null keeps it.' })
  priority?: unknown;

  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Ceiling per unit, integer rupiah.' })
  maxUnitCostIdr?: number | null;

  @Field(() => String, { nullable: true, description: 'Countable unit.' })
  quantityUnit?: string | null;

  @Field(() => [String], { nullable: true, description: 'Funders that may pay for it (replaces the list; the default funder always stays).' })
  funderCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Offered for new items.' })
  isActive?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Description.' })
  description?: string | null;
}

@ObjectType({ description: 'One part of an eligibility rule, evaluated: what was measured and what the rule asks.' })
export class RulePart {
  @Field(() => String, { description: 'What the part checks, in words.' })
  label!: string;

  @Field(() => String, { description: 'The fact checked, e.g. desil, member.age.' })
  fact!: string;

  @Field(() => Boolean, { description: 'Whether this part passed.' })
  passed!: boolean;

  @Field(() => String, { description: 'What was measured, e.g. "desil 3".' })
  actual!: string;

  @Field(() => String, { description: 'What the rule asks, e.g. "≤ 2".' })
  expected!: string;
}

@ObjectType({ description: 'Whether a household (or which of its members) may receive an intervention, and why.' })
export class Eligibility {
  @Field(() => Intervention, { description: 'The intervention.' })
  intervention!: Intervention;

  @Field(() => Boolean, { description: 'Eligible: every required part passed (for PERSON interventions: for at least one member).' })
  eligible!: boolean;

  @Field(() => [Int], { description: 'PERSON interventions: ids of the eligible members.' })
  eligibleMemberIds!: number[];

  @Field(() => Boolean, { nullable: true, description: 'Passes the priority rule (served first); null when the intervention has none.' })
  priority!: boolean | null;

  @Field(() => [RulePart], { description: 'Each rule part with its result (for PERSON interventions: for the first eligible member, or the closest member when none is).' })
  parts!: RulePart[];
}
