/**
 * Eligibility rules as data. A rule is a tree stored as JSON in `interventions.eligibility`:
 *
 *   { "all": [rule, …], "label"? }        every part must pass
 *   { "any": [rule, …], "label"? }        at least one part must pass
 *   { "fact": name, "op": op, "value"?, "label"? }
 *
 * Facts are household facts (`desil`, `isRtlh`, `damageClass`, …), the latest assessment's PUPR
 * component ratings (`house.roofFrame`, … : LAYAK … KURANG_LAYAK, none before an assessment) or,
 * for PERSON interventions, member facts (`member.age`, `member.disability`, …). Evaluation returns every leaf with what was measured, so
 * a planner sees *why* a household is or is not eligible, not just a yes/no.
 *
 * Fund rules are rules too: a fund that `requires_mustahik` (BAZNAS zakat) adds a mustahik part to
 * every item it pays, so no catalog edit can route zakat money to a non-mustahik.
 */
import { badInput } from '../../errors/errors.js';

export type Op = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'between' | 'in' | 'notIn' | 'contains' | 'overlaps' | 'isNull' | 'notNull';
export type Rule = { all: Rule[]; label?: string } | { any: Rule[]; label?: string } | { fact: string; op: Op; value?: unknown; label?: string };

export interface HouseholdFacts {
  isRegistered: boolean;
  desil: number;
  isMustahik: boolean;
  isRtlh: boolean;
  landOwnership: string;
  hadHousingAid: boolean;
  receivesPkh: boolean;
  receivesBpnt: boolean;
  hasSmallBusiness: boolean;
  hasOwnToilet: boolean;
  floorAreaPerPersonM2: number;
  pas: string[];
  hasElderly: boolean;
  hasChild: boolean;
  hasDisabled: boolean;
  livelihood: string;
  hasElectricity: boolean;
  waterSource: string;
  floorMaterial: string;
  wallMaterial: string;
  roofMaterial: string;
  floorAreaM2: number;
  occupants: number;
  /** RTLH criteria the house fails under the active RTLH rule. */
  rtlhReasons: string[];
  /** RINGAN, SEDANG or BERAT from the latest assessment's ratings; null before one. */
  damageClass: string | null;
  isAssessed: boolean;
  /** PUPR component (camelCase, e.g. roofFrame) → rating; empty before an assessment. */
  house: Record<string, string>;
}

/** PUPR components as fact names: ROOF_FRAME → house.roofFrame. */
export const HOUSE_COMPONENT_FACTS = ['COLUMNS', 'RING_BEAM', 'ROOF_FRAME', 'FLOOR', 'WALLS', 'WINDOWS', 'VENTILATION', 'CEILING', 'ROOF_COVER'].map((c) => [
  c,
  c.toLowerCase().replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()),
] as const);

export interface MemberFacts {
  id: number;
  age: number;
  sex: string;
  relation: string;
  disability: string | null;
  inSchool: boolean;
}

const HOUSEHOLD_FACTS: Record<string, 'number' | 'boolean' | 'string' | 'array'> = {
  isRegistered: 'boolean',
  desil: 'number',
  isMustahik: 'boolean',
  isRtlh: 'boolean',
  landOwnership: 'string',
  hadHousingAid: 'boolean',
  receivesPkh: 'boolean',
  receivesBpnt: 'boolean',
  hasSmallBusiness: 'boolean',
  hasOwnToilet: 'boolean',
  floorAreaPerPersonM2: 'number',
  pas: 'array',
  hasElderly: 'boolean',
  hasChild: 'boolean',
  hasDisabled: 'boolean',
  livelihood: 'string',
  hasElectricity: 'boolean',
  waterSource: 'string',
  floorMaterial: 'string',
  wallMaterial: 'string',
  roofMaterial: 'string',
  floorAreaM2: 'number',
  occupants: 'number',
  rtlhReasons: 'array',
  damageClass: 'string',
  isAssessed: 'boolean',
  ...Object.fromEntries(HOUSE_COMPONENT_FACTS.map(([, name]) => [`house.${name}`, 'string' as const])),
};
const MEMBER_FACTS: Record<string, 'number' | 'boolean' | 'string'> = {
  'member.age': 'number',
  'member.sex': 'string',
  'member.relation': 'string',
  'member.disability': 'string',
  'member.inSchool': 'boolean',
};
const OPS: Op[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'notIn', 'contains', 'overlaps', 'isNull', 'notNull'];

export interface RulePartResult {
  label: string;
  fact: string;
  passed: boolean;
  /** What was measured, e.g. `desil 3` or `age 52`. */
  actual: string;
  /** What the rule asks, e.g. `≤ 2`. */
  expected: string;
}

export interface EvaluationResult {
  passed: boolean;
  parts: RulePartResult[];
}

/** Nesting of all/any: evaluation and explanation recurse, so the depth is bounded when stored. */
export const MAX_RULE_DEPTH = 8;

const typeOfValue = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * The value a comparison needs, from the fact's type: numbers compare with numbers, strings with
 * strings; `contains` looks into an array fact. A rule that compares `desil` with "two" would
 * silently make nobody eligible, so it is refused when stored.
 */
function assertValueType(factType: 'number' | 'boolean' | 'string' | 'array', op: Op, value: unknown, argument: string): void {
  if (op === 'isNull' || op === 'notNull') return;
  const element = factType === 'array' ? 'string' : factType;
  const values = op === 'between' || op === 'in' || op === 'notIn' ? (value as unknown[]) : [value];
  if (factType === 'array' && op !== 'contains') throw badInput(argument, `an array fact takes only contains, isNull or notNull; got ${op}.`);
  if (factType !== 'array' && op === 'contains') throw badInput(argument, `contains is for array facts (pas); this fact is a ${factType}.`);
  if (['lt', 'lte', 'gt', 'gte', 'between'].includes(op) && factType !== 'number') throw badInput(argument, `${op} compares numbers; this fact is a ${factType}.`);
  values.forEach((v, i) => {
    if (typeOfValue(v) !== element) throw badInput(`${argument}${values.length > 1 || Array.isArray(value) ? `[${i}]` : ''}`, `must be a ${element} (the fact's type); got ${JSON.stringify(v)} (${typeOfValue(v)}).`);
  });
}

/** Validates a rule before it is stored; errors name the path inside the rule. */
export function parseRule(value: unknown, argument: string, allowMemberFacts: boolean): Rule {
  const at = (path: string) => `${argument}${path}`;
  const walk = (node: unknown, path: string, depth = 0): Rule => {
    if (depth > MAX_RULE_DEPTH) throw badInput(at(path), `rules nest at most ${MAX_RULE_DEPTH} levels of all/any.`);
    if (!node || typeof node !== 'object' || Array.isArray(node)) throw badInput(at(path), 'must be an object with "all", "any" or "fact".');
    const n = node as Record<string, unknown>;
    const label = n.label === undefined ? undefined : String(n.label);
    if ('all' in n || 'any' in n) {
      const key = 'all' in n ? 'all' : 'any';
      const parts = n[key];
      if (!Array.isArray(parts)) throw badInput(at(`${path}.${key}`), 'must be an array of rules.');
      if (parts.length > 100) throw badInput(at(`${path}.${key}`), `takes at most 100 rules; got ${parts.length}.`);
      const rules = parts.map((p, i) => walk(p, `${path}.${key}[${i}]`, depth + 1));
      return key === 'all' ? { all: rules, ...(label ? { label } : {}) } : { any: rules, ...(label ? { label } : {}) };
    }
    const fact = n.fact;
    if (typeof fact !== 'string') throw badInput(at(`${path}.fact`), 'must be a fact name.');
    const known = fact in HOUSEHOLD_FACTS || (allowMemberFacts && fact in MEMBER_FACTS);
    if (!known) {
      const facts = [...Object.keys(HOUSEHOLD_FACTS), ...(allowMemberFacts ? Object.keys(MEMBER_FACTS) : [])];
      throw badInput(at(`${path}.fact`), `unknown fact ${JSON.stringify(fact)}${!allowMemberFacts && fact.startsWith('member.') ? ' (member facts are for PERSON interventions only)' : ''}; expected one of ${facts.join(', ')}.`);
    }
    const op = n.op as Op;
    if (!OPS.includes(op)) throw badInput(at(`${path}.op`), `unknown operator ${JSON.stringify(n.op)}; expected one of ${OPS.join(', ')}.`);
    if (op === 'between' && !(Array.isArray(n.value) && n.value.length === 2 && n.value.every((v) => typeof v === 'number'))) {
      throw badInput(at(`${path}.value`), 'between needs [min, max] (numbers, inclusive).');
    }
    if ((op === 'in' || op === 'notIn' || op === 'overlaps') && !Array.isArray(n.value)) throw badInput(at(`${path}.value`), `${op} needs an array of values.`);
    if (op !== 'isNull' && op !== 'notNull' && n.value === undefined) throw badInput(at(`${path}.value`), `${op} needs a value.`);
    assertValueType(HOUSEHOLD_FACTS[fact as keyof HouseholdFacts] ?? MEMBER_FACTS[fact]!, op, n.value, at(`${path}.value`));
    if (label !== undefined && label.length > 200) throw badInput(at(`${path}.label`), `must be at most 200 characters; got ${label.length}.`);
    return { fact, op, ...(n.value !== undefined ? { value: n.value } : {}), ...(label ? { label } : {}) };
  };
  return walk(value, '');
}

export function usesMemberFacts(rule: Rule): boolean {
  if ('all' in rule) return rule.all.some(usesMemberFacts);
  if ('any' in rule) return rule.any.some(usesMemberFacts);
  return rule.fact.startsWith('member.');
}

function factValue(fact: string, household: HouseholdFacts, member: MemberFacts | null): unknown {
  if (fact.startsWith('member.')) return member ? member[fact.slice('member.'.length) as keyof MemberFacts] : undefined;
  if (fact.startsWith('house.')) return household.house[fact.slice('house.'.length)] ?? null;
  return household[fact as keyof HouseholdFacts];
}

const show = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : v === null || v === undefined ? 'none' : String(v));

function describeExpected(op: Op, value: unknown): string {
  switch (op) {
    case 'eq': return `= ${show(value)}`;
    case 'ne': return `≠ ${show(value)}`;
    case 'lt': return `< ${show(value)}`;
    case 'lte': return `≤ ${show(value)}`;
    case 'gt': return `> ${show(value)}`;
    case 'gte': return `≥ ${show(value)}`;
    case 'between': return `${(value as number[])[0]}–${(value as number[])[1]}`;
    case 'in': return `one of ${show(value)}`;
    case 'notIn': return `none of ${show(value)}`;
    case 'contains': return `contains ${show(value)}`;
    case 'overlaps': return `any of ${show(value)}`;
    case 'isNull': return 'none recorded';
    case 'notNull': return 'recorded';
  }
}

function test(op: Op, actual: unknown, value: unknown): boolean {
  switch (op) {
    case 'eq': return actual === value;
    case 'ne': return actual !== value;
    case 'lt': return typeof actual === 'number' && actual < (value as number);
    case 'lte': return typeof actual === 'number' && actual <= (value as number);
    case 'gt': return typeof actual === 'number' && actual > (value as number);
    case 'gte': return typeof actual === 'number' && actual >= (value as number);
    case 'between': return typeof actual === 'number' && actual >= (value as number[])[0]! && actual <= (value as number[])[1]!;
    case 'in': return (value as unknown[]).includes(actual);
    case 'notIn': return !(value as unknown[]).includes(actual);
    case 'contains': return Array.isArray(actual) && actual.includes(value);
    case 'overlaps': return Array.isArray(actual) && (value as unknown[]).some((v) => actual.includes(v));
    case 'isNull': return actual === null || actual === undefined;
    case 'notNull': return actual !== null && actual !== undefined;
  }
}

/** Evaluates a rule for a household (and one member, for member facts). */
export function evaluate(rule: Rule, household: HouseholdFacts, member: MemberFacts | null = null): EvaluationResult {
  if ('all' in rule || 'any' in rule) {
    const children = ('all' in rule ? rule.all : rule.any).map((r) => evaluate(r, household, member));
    const passed = 'all' in rule ? children.every((c) => c.passed) : children.some((c) => c.passed);
    return { passed, parts: children.flatMap((c) => c.parts) };
  }
  const actual = factValue(rule.fact, household, member);
  const passed = test(rule.op, actual, rule.value);
  const name = rule.fact.replace(/^(member|house)\./, '');
  return {
    passed,
    parts: [{ label: rule.label ?? `${rule.fact} ${describeExpected(rule.op, rule.value)}`, fact: rule.fact, passed, actual: `${name} ${show(actual)}`, expected: describeExpected(rule.op, rule.value) }],
  };
}

/** The fund's own rules (zakat: mustahik only), as rule parts, prepended to every item it pays. */
export function funderRule(funder: { code: string; requiresMustahik: boolean }): Rule | null {
  return funder.requiresMustahik ? { fact: 'isMustahik', op: 'eq', value: true, label: `${funder.code} funds only mustahik (people entitled to zakat)` } : null;
}

/** Evaluates a priority rule (who is served first, not who may be served); null when there is none. */
export function priorityOf(rule: unknown, household: HouseholdFacts): boolean | null {
  return rule ? evaluate(rule as Rule, household, null).passed : null;
}

export function withFunderRule(rule: Rule, funder: { code: string; requiresMustahik: boolean }): Rule {
  const extra = funderRule(funder);
  return extra ? { all: [extra, rule] } : rule;
}
