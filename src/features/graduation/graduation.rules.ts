/**
 * Graduation criteria as rules as data. A criterion's `rule` uses the eligibility rule language
 * (src/features/catalog/eligibility.ts: all / any / fact-op-value) and is evaluated by the same
 * evaluator, over graduation facts instead of eligibility facts: what the registry row says (desil,
 * RTLH) plus what a pendamping measured (income, how long the business has run).
 *
 * A household is ready when every required active criterion passes; the weighted score (passed
 * weight ÷ total weight) orders the readiness list. A fact that was never measured (no welfare
 * observation) fails its criterion and says "none", so readiness never rests on a guess.
 */
import { badInput } from '../../errors/errors.js';
import type { FactRow } from './graduation.queries.js';
import { evaluate, type HouseholdFacts, type Op, type Rule, type RulePartResult } from '../catalog/index.js';

export interface GraduationFacts {
  desil: number;
  isRtlh: boolean;
  hasOwnToilet: boolean;
  hasSmallBusiness: boolean;
  occupants: number;
  /** Latest observed household income ÷ occupants, rupiah per month; null when never observed. */
  incomePerCapitaIdr: number | null;
  /** Whole months since the business started, as of the evaluation date; null without a business. */
  businessMonths: number | null;
  /** Programs the household currently receives (open memberships). */
  programs: string[];
  /** A housing package item at this household is DONE. */
  houseRepaired: boolean;
  /** An economic-empowerment package item (PENA …) for this household is DONE. */
  receivedBusinessSupport: boolean;
}

const FACT_TYPES: Record<keyof GraduationFacts, 'number' | 'boolean' | 'array'> = {
  desil: 'number',
  isRtlh: 'boolean',
  hasOwnToilet: 'boolean',
  hasSmallBusiness: 'boolean',
  occupants: 'number',
  incomePerCapitaIdr: 'number',
  businessMonths: 'number',
  programs: 'array',
  houseRepaired: 'boolean',
  receivedBusinessSupport: 'boolean',
};
const OPS: readonly Op[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'notIn', 'contains', 'isNull', 'notNull'];
export const GRADUATION_FACT_NAMES = Object.keys(FACT_TYPES) as (keyof GraduationFacts)[];

/** Validates a stored or submitted criterion rule; errors name the path inside the rule. */
export function parseGraduationRule(value: unknown, argument: string): Rule {
  const walk = (node: unknown, path: string): Rule => {
    const at = `${argument}${path}`;
    if (!node || typeof node !== 'object' || Array.isArray(node)) throw badInput(at, 'must be an object with "all", "any" or "fact".');
    const n = node as Record<string, unknown>;
    const label = typeof n.label === 'string' ? { label: n.label } : {};
    for (const key of ['all', 'any'] as const) {
      if (key in n) {
        if (!Array.isArray(n[key])) throw badInput(`${at}.${key}`, 'must be an array of rules.');
        const parts = (n[key] as unknown[]).map((p, i) => walk(p, `${path}.${key}[${i}]`));
        return key === 'all' ? { all: parts, ...label } : { any: parts, ...label };
      }
    }
    if (typeof n.fact !== 'string' || !(n.fact in FACT_TYPES)) {
      throw badInput(`${at}.fact`, `unknown graduation fact ${JSON.stringify(n.fact)}; expected one of ${GRADUATION_FACT_NAMES.join(', ')}.`);
    }
    const op = n.op as Op;
    if (!OPS.includes(op)) throw badInput(`${at}.op`, `unknown operator ${JSON.stringify(n.op)}; expected one of ${OPS.join(', ')}.`);
    const type = FACT_TYPES[n.fact as keyof GraduationFacts];
    if (['lt', 'lte', 'gt', 'gte'].includes(op) && (type !== 'number' || typeof n.value !== 'number')) throw badInput(`${at}.value`, `${op} needs a number and a numeric fact.`);
    if (op === 'between' && !(Array.isArray(n.value) && n.value.length === 2 && n.value.every((v) => typeof v === 'number'))) throw badInput(`${at}.value`, 'between needs [min, max].');
    if ((op === 'in' || op === 'notIn') && !Array.isArray(n.value)) throw badInput(`${at}.value`, `${op} needs an array.`);
    if (op !== 'isNull' && op !== 'notNull' && n.value === undefined) throw badInput(`${at}.value`, `${op} needs a value.`);
    return { fact: n.fact, op, ...(n.value !== undefined ? { value: n.value } : {}), ...label };
  };
  return walk(value, '');
}

export interface Criterion {
  code: string;
  label: string;
  rule: unknown;
  required: boolean;
  weight: number;
  source: string;
  isAssumption: boolean;
}

export interface CriterionResult {
  code: string;
  label: string;
  required: boolean;
  weight: number;
  source: string;
  isAssumption: boolean;
  passed: boolean;
  parts: RulePartResult[];
}

export interface Readiness {
  ready: boolean;
  /** Passed weight ÷ total weight of the active criteria, 0–1. */
  score: number;
  criteria: CriterionResult[];
}

export function evaluateReadiness(criteria: readonly Criterion[], facts: GraduationFacts): Readiness {
  const results = criteria.map((c) => {
    // The evaluator only indexes facts by name, so graduation facts can stand in for eligibility facts.
    const { passed, parts } = evaluate(parseGraduationRule(c.rule, `criterion ${c.code}`), facts as unknown as HouseholdFacts);
    return { code: c.code, label: c.label, required: c.required, weight: c.weight, source: c.source, isAssumption: c.isAssumption, passed, parts };
  });
  const total = results.reduce((s, r) => s + r.weight, 0);
  const passed = results.filter((r) => r.passed).reduce((s, r) => s + r.weight, 0);
  return { ready: results.length > 0 && results.every((r) => r.passed || !r.required), score: total === 0 ? 0 : Math.round((passed / total) * 1000) / 1000, criteria: results };
}

/** Whole months from `since` to `asOf` (both YYYY-MM-DD); null when `since` is null. */
export function monthsBetween(since: string | null, asOf: string): number | null {
  if (!since) return null;
  const [y1, m1, d1] = since.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = asOf.split('-').map(Number) as [number, number, number];
  return Math.max(0, (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0));
}

/** Graduation facts from a facts row (see `factsOf`), as of a date (YYYY-MM-DD). */
export function toFacts(row: FactRow, asOf: string): GraduationFacts {
  return {
    desil: row.desil,
    isRtlh: row.is_rtlh,
    hasOwnToilet: row.has_own_toilet,
    hasSmallBusiness: row.has_small_business,
    occupants: row.occupants,
    incomePerCapitaIdr: row.monthly_income_idr === null ? null : Math.round(row.monthly_income_idr / Math.max(1, row.occupants)),
    businessMonths: monthsBetween(row.business_since, asOf),
    programs: row.programs,
    houseRepaired: row.house_repaired,
    receivedBusinessSupport: row.received_business_support,
  };
}
