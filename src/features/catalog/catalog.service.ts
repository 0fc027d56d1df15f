/** Shapes catalog rows, validates catalog edits, and computes eligibility with its reasons. */
import { badInput } from '../../errors/errors.js';
import { assertCleanText, MAX_UNIT_COST_IDR } from '../../graphql/input.js';
import { INTERVENTION_CATEGORIES } from '../../db/schema.js';
import type { HouseholdRow, MemberRow } from '../households/index.js';
import { type EvaluationResult, evaluate, HOUSE_COMPONENT_FACTS, type HouseholdFacts, type MemberFacts, parseRule, priorityOf, type Rule, usesMemberFacts, withFunderRule } from './eligibility.js';
import type { FunderRow, InterventionFields, InterventionRow, Payer } from './catalog.queries.js';
import { Eligibility, Funder, Intervention, type InterventionInput } from './catalog.type.js';

export const toFunder = (row: FunderRow): Funder =>
  Object.assign(new Funder(), { code: row.code, name: row.name, kind: row.kind, requiresMustahik: row.requires_mustahik, description: row.description });

export const toIntervention = (row: InterventionRow): Intervention =>
  Object.assign(new Intervention(), {
    code: row.code,
    nameId: row.name_id,
    nameEn: row.name_en,
    category: row.category,
    cluster: row.cluster,
    funderCode: row.funder_code,
    target: row.target,
    unitCostIdr: row.unit_cost_idr,
    costIsAssumption: row.cost_is_assumption,
    costSource: row.cost_source,
    isHousing: row.is_housing,
    serves: row.serves,
    eligibility: row.eligibility,
    priority: row.priority ?? null,
    maxUnitCostIdr: row.max_unit_cost_idr,
    quantityUnit: row.quantity_unit,
    funderCodes: row.funder_codes,
    packageId: row.package_id === null ? null : String(row.package_id),
    description: row.description,
    isActive: row.is_active,
    version: row.version,
  });

export function householdFacts(row: HouseholdRow): HouseholdFacts {
  return {
    isRegistered: Boolean(row.registry_id),
    desil: row.desil,
    isMustahik: row.is_mustahik,
    isRtlh: row.is_rtlh,
    landOwnership: row.land_ownership,
    hadHousingAid: row.had_housing_aid,
    receivesPkh: row.receives_pkh,
    receivesBpnt: row.receives_bpnt,
    hasSmallBusiness: row.has_small_business,
    hasOwnToilet: row.has_own_toilet,
    floorAreaPerPersonM2: Math.round((row.floor_area_m2 / row.occupants) * 100) / 100,
    pas: row.pas,
    hasElderly: row.has_elderly,
    hasChild: row.has_child,
    hasDisabled: row.has_disabled,
    livelihood: row.livelihood,
    hasElectricity: row.has_electricity,
    waterSource: row.water_source,
    floorMaterial: row.floor_material,
    wallMaterial: row.wall_material,
    roofMaterial: row.roof_material,
    floorAreaM2: row.floor_area_m2,
    occupants: row.occupants,
    rtlhReasons: row.rtlh_reasons,
    damageClass: row.damage_class ?? null,
    isAssessed: row.component_conditions != null,
    house: Object.fromEntries(HOUSE_COMPONENT_FACTS.flatMap(([component, name]) => (row.component_conditions?.[component] ? [[name, row.component_conditions[component]]] : []))),
  };
}

export const memberFacts = (m: MemberRow): MemberFacts => ({ id: m.id, age: m.age, sex: m.sex, relation: m.relation, disability: m.disability, inSchool: m.in_school });

export interface EligibilityResult {
  intervention: InterventionRow;
  eligible: boolean;
  eligibleMemberIds: number[];
  evaluation: EvaluationResult;
  /** Passes the intervention's priority rule (served first); null when it has none. */
  priority: boolean | null;
}

/**
 * Eligibility of one household for one HOUSEHOLD or PERSON intervention, funder rules included.
 * PERSON interventions are evaluated per member; the explanation shown is the first eligible
 * member's, or else the member who passed the most parts (the "closest miss").
 */
export function eligibilityOf(intervention: InterventionRow, payer: Payer, household: HouseholdRow, members: MemberRow[]): EligibilityResult {
  const rule = withFunderRule(intervention.eligibility as Rule, { code: payer.code, requiresMustahik: payer.requires_mustahik });
  const facts = householdFacts(household);
  const priority = priorityOf(intervention.priority, facts);
  if (intervention.target === 'PERSON' || usesMemberFacts(rule)) {
    const results = members.map((m) => ({ member: m, evaluation: evaluate(rule, facts, memberFacts(m)) }));
    const eligibleMemberIds = results.filter((r) => r.evaluation.passed).map((r) => r.member.id);
    const shown =
      results.find((r) => r.evaluation.passed) ??
      [...results].sort((a, b) => b.evaluation.parts.filter((p) => p.passed).length - a.evaluation.parts.filter((p) => p.passed).length)[0];
    return { intervention, eligible: eligibleMemberIds.length > 0, eligibleMemberIds, evaluation: shown?.evaluation ?? evaluate(rule, facts, null), priority };
  }
  const evaluation = evaluate(rule, facts, null);
  return { intervention, eligible: evaluation.passed, eligibleMemberIds: [], evaluation, priority };
}

export const toEligibility = (r: EligibilityResult): Eligibility =>
  Object.assign(new Eligibility(), { intervention: toIntervention(r.intervention), eligible: r.eligible, eligibleMemberIds: r.eligibleMemberIds, parts: r.evaluation.parts, priority: r.priority });

export function validateInterventionInput(input: InterventionInput, funders: FunderRow[]): InterventionFields {
  if (!/^[A-Z][A-Z0-9_]{1,39}$/.test(input.code)) throw badInput('input.code', 'must be 2–40 capital letters, digits or underscores, starting with a letter.');
  if (!funders.some((f) => f.code === input.funderCode)) throw badInput('input.funderCode', `unknown funder ${JSON.stringify(input.funderCode)}; expected one of ${funders.map((f) => f.code).join(', ')}.`);
  assertFunderCodes(input.funderCodes ?? [], funders, 'input.funderCodes');
  if (!INTERVENTION_CATEGORIES.includes(input.category)) throw badInput('input.category', 'unknown category.');
  assertCost(input.unitCostIdr, 'input.unitCostIdr');
  if (input.maxUnitCostIdr != null) assertCeiling(input.unitCostIdr, input.maxUnitCostIdr, 'input.maxUnitCostIdr');
  for (const [field, max] of [['nameId', 200], ['nameEn', 200], ['costSource', 1000], ['description', 4000]] as const) assertCleanText(input[field], `input.${field}`, max);
  if ((input.target === 'FACILITY') !== Boolean(input.serves)) throw badInput('input.serves', 'is required for FACILITY targets and must be null otherwise.');
  const eligibility = parseRule(input.eligibility, 'input.eligibility', input.target === 'PERSON');
  return {
    code: input.code,
    name_id: input.nameId,
    name_en: input.nameEn,
    category: input.category,
    cluster: input.cluster ?? null,
    funder_code: input.funderCode,
    target: input.target,
    unit_cost_idr: input.unitCostIdr,
    cost_is_assumption: input.costIsAssumption,
    cost_source: input.costSource,
    is_housing: input.isHousing,
    serves: input.serves ?? null,
    eligibility,
    description: input.description,
    max_unit_cost_idr: input.maxUnitCostIdr ?? null,
    quantity_unit: input.quantityUnit ?? null,
    priority: input.priority == null ? null : parseRule(input.priority, 'input.priority', false),
    package_id: null,
  };
}

export function assertFunderCodes(codes: string[], funders: FunderRow[], argument: string): void {
  codes.forEach((code, i) => {
    if (!funders.some((f) => f.code === code)) throw badInput(`${argument}[${i}]`, `unknown funder ${JSON.stringify(code)}; expected one of ${funders.map((f) => f.code).join(', ')} (ADMIN registers new ones with createFunder).`);
  });
}

export function assertCeiling(unitCostIdr: number, maxUnitCostIdr: number, argument: string): void {
  assertCost(maxUnitCostIdr, argument);
  if (maxUnitCostIdr < unitCostIdr) throw badInput(argument, `the ceiling Rp${maxUnitCostIdr.toLocaleString('en')} is below the default unit cost Rp${unitCostIdr.toLocaleString('en')}.`);
}

export function assertCost(value: number, argument: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_UNIT_COST_IDR) throw badInput(argument, `must be a whole number of rupiah from 0 to ${MAX_UNIT_COST_IDR}; got ${value}.`);
}
