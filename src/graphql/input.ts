/**
 * The input layer: every value a client sends is checked here before any SQL sees it, with an
 * error that names the argument, says what was expected and what was received.
 *
 * Two levels. `assertSafeValue` runs once per request over every variable and every literal
 * argument (graphql/limits.ts), whatever the field: text without NUL or unpaired surrogates
 * (PostgreSQL refuses both, mid-transaction), a length cap, finite normal numbers, bounded
 * nesting (GeoJSON and eligibility rules are walked recursively later). The parsers below then
 * give each argument its own shape and range.
 */
import { badInput } from '../errors/errors.js';

/** Largest value of an `integer` (int4) id column. Larger ids cannot exist; PostgreSQL would raise. */
export const MAX_INT4 = 2_147_483_647;

/** Any one string in a request; free-text fields have their own, smaller caps. */
export const MAX_STRING_LENGTH = 10_000;

/** Nesting of objects and lists in one argument (a MultiPolygon needs 5, a rule tree a few more). */
export const MAX_NESTING_DEPTH = 32;

/**
 * Rupiah bounds, also held by CHECK constraints and a trigger (drizzle/0007): unit costs up to
 * Rp1 trillion, an item (≤ 1,000 units) or a package total up to Rp10^15. Every sum a read makes
 * therefore stays below 2^53 − 1 ≈ 9.007 × 10^15 and is exact as a JS number and a SafeInt.
 */
export const MAX_UNIT_COST_IDR = 1_000_000_000_000;
export const MAX_PACKAGE_TOTAL_IDR = 1_000_000_000_000_000;

/** Earliest and latest dates the registry has any use for (no year 0, no year 9999). */
export const MIN_DATE = '1900-01-01';
export const MAX_DATE = '2100-12-31';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MIN_NORMAL_FLOAT64 = 2.2250738585072014e-308;

function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** True when PostgreSQL can store the text: no NUL, no unpaired surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** Refuses text PostgreSQL cannot store or that no field needs. */
export function assertCleanText(value: string, argument: string, max = MAX_STRING_LENGTH): void {
  if (value.length > max) throw badInput(argument, `must be at most ${max} characters; got ${value.length}.`);
  if (value.includes('\u0000')) throw badInput(argument, 'must not contain the NUL character (U+0000).');
  if (LONE_SURROGATE.test(value)) throw badInput(argument, 'must be valid Unicode text; it contains an unpaired surrogate (broken UTF-16).');
}

/**
 * Walks one argument value (a variable's raw JSON or a literal's value) and refuses what no field
 * accepts. Iterative, so a value nested 100,000 deep cannot overflow the stack here.
 */
export function assertSafeValue(root: unknown, argument: string): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: argument, depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      assertCleanText(value, path);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw badInput(path, `must be a finite number; got ${value}.`);
      if (value !== 0 && Math.abs(value) < MIN_NORMAL_FLOAT64) throw badInput(path, `must be 0 or at least ${MIN_NORMAL_FLOAT64} in magnitude; got ${value} (subnormal).`);
    } else if (value && typeof value === 'object') {
      if (depth >= MAX_NESTING_DEPTH) throw badInput(path, `is nested deeper than ${MAX_NESTING_DEPTH} levels of lists and objects.`);
      if (Array.isArray(value)) {
        value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
      } else {
        for (const [key, v] of Object.entries(value)) {
          assertCleanText(key, `${path} (a key)`, 200);
          stack.push({ value: v, path: `${path}.${key}`, depth: depth + 1 });
        }
      }
    }
  }
}

/**
 * A database id sent as ID or Int: canonical decimal digits (no sign, spaces, leading zeros,
 * exponent or hex — `" 7"` must not silently mean 7) within the int4 column range.
 * `what` names it in the error, e.g. "a household id".
 */
export function parseId(value: string | number, argument: string, what = 'an id'): number {
  const text = typeof value === 'number' ? String(value) : value;
  const n = /^[1-9]\d{0,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_INT4)) {
    throw badInput(argument, `must be ${what}: a positive integer written in digits only, at most ${MAX_INT4}; got ${typeof value === 'string' ? show(value) : value}.`);
  }
  return n;
}

export interface DateRange {
  /** Refuse dates after tomorrow (tomorrow allowed: time zones). */
  notInFuture?: boolean;
  /** Refuse dates before this one (YYYY-MM-DD), e.g. the day the package was created. */
  notBefore?: string;
  notBeforeWhat?: string;
}

/** A calendar date YYYY-MM-DD that exists, between 1900 and 2100, optionally within a range. */
export function parseIsoDate(value: string, argument: string, options: DateRange = {}): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) throw badInput(argument, `must be a date YYYY-MM-DD that exists; got ${show(value)}.`);
  if (value < MIN_DATE || value > MAX_DATE) throw badInput(argument, `must be between ${MIN_DATE} and ${MAX_DATE}; got ${value}.`);
  if (options.notInFuture && parsed.getTime() > Date.now() + 24 * 3600 * 1000) throw badInput(argument, `must not be in the future; got ${value}.`);
  if (options.notBefore && value < options.notBefore) throw badInput(argument, `must not be before ${options.notBeforeWhat ?? options.notBefore} (${options.notBefore}); got ${value}.`);
  return value;
}

/** A finite number within [min, max]; `unit` names the unit in the error. */
export function parseNumberInRange(value: number, argument: string, min: number, max: number, unit = ''): number {
  if (!Number.isFinite(value) || value < min || value > max) throw badInput(argument, `must be a number from ${min} to ${max}${unit ? ` ${unit}` : ''}; got ${value}.`);
  return value;
}
