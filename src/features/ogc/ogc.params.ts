/**
 * Query parameters of the OGC API: read once, validated, and refused with a 400 that names the
 * parameter, what was expected and what was received. Unknown parameters are refused too
 * (OGC API Features /req/core/query-param-unknown): a misspelt filter must not silently widen
 * a result.
 */
import { createHash } from 'node:crypto';
import { badParameter } from './ogc.http.js';
import { isStorableText } from '../../graphql/input.js';
import { openToken, sealToken } from '../../graphql/pagination.js';

/** Largest page a client may ask for; larger `limit` values are clamped, not refused. */
export const MAX_LIMIT = 10_000;
export const DEFAULT_LIMIT = 10;

/** [minLon, minLat, maxLon, maxLat], CRS84 degrees. minLon > maxLon crosses the antimeridian. */
export type BboxCrs84 = readonly [minLon: number, minLat: number, maxLon: number, maxLat: number];

const show = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

/** Reads the parameters of one request; `assertOnly` refuses any it was not told about. */
export class QueryReader {
  constructor(private readonly params: URLSearchParams) {}

  /** The single value of `name` or of one of its aliases, with the name it came under; a repeated parameter is refused. */
  get(name: string, aliases: readonly string[] = []): { name: string; value: string } | undefined {
    const present = [name, ...aliases].filter((n) => this.params.has(n));
    if (present.length > 1) throw badParameter(name, `give only one of ${present.join(', ')} (they are the same filter).`);
    const used = present[0];
    if (used === undefined) return undefined;
    const values = this.params.getAll(used);
    if (values.length > 1) throw badParameter(used, `given ${values.length} times; give it once (lists are comma-separated).`);
    return { name: used, value: values[0] as string };
  }

  /** The single value of `name`, or undefined. */
  value(name: string): string | undefined {
    return this.get(name)?.value;
  }

  /** Refuses parameters outside `allowed`. */
  assertOnly(allowed: readonly string[]): void {
    for (const name of new Set(this.params.keys())) {
      if (!allowed.includes(name)) {
        throw badParameter(name, `unknown parameter; this resource accepts ${allowed.length ? allowed.join(', ') : 'no parameters'}.`);
      }
    }
  }
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badParameter('limit', `expected an integer from 1 to ${MAX_LIMIT} (larger values are lowered to ${MAX_LIMIT}); got ${show(value)}.`);
  return Math.min(Number(value), MAX_LIMIT);
}

/** bbox = minLon,minLat,maxLon,maxLat in CRS84 degrees (6 numbers: heights are ignored, the data is 2-D). */
export function parseBbox(value: string | undefined): BboxCrs84 | undefined {
  if (value === undefined) return undefined;
  const expected = 'expected minLongitude,minLatitude,maxLongitude,maxLatitude in CRS84 degrees (longitude first)';
  const parts = value.split(',');
  const numbers = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if ((numbers.length !== 4 && numbers.length !== 6) || numbers.some((n) => !Number.isFinite(n))) {
    throw badParameter('bbox', `${expected}: 4 (or 6) comma-separated numbers; got ${show(value)}.`);
  }
  const [minLon, minLat, maxLon, maxLat] = numbers.length === 4 ? numbers : [numbers[0], numbers[1], numbers[3], numbers[4]];
  const box = [minLon, minLat, maxLon, maxLat] as [number, number, number, number];
  if (box[0] < -180 || box[0] > 180 || box[2] < -180 || box[2] > 180 || box[1] < -90 || box[1] > 90 || box[3] < -90 || box[3] > 90) {
    const swapped = Math.abs(box[0]) <= 90 && Math.abs(box[2]) <= 90 && (Math.abs(box[1]) > 90 || Math.abs(box[3]) > 90);
    throw badParameter('bbox', `${expected}, longitudes in [-180, 180] and latitudes in [-90, 90]; got ${show(value)}.${swapped ? ' It looks like latitude,longitude: swap each pair.' : ''}`);
  }
  if (box[1] > box[3]) throw badParameter('bbox', `${expected}; minLatitude ${box[1]} is greater than maxLatitude ${box[3]}.`);
  return box;
}

/**
 * datetime: an RFC 3339 instant or an interval with `..` for an open end. No collection here has
 * a temporal geometry, so a valid value selects every feature (/req/core/fc-time-response C);
 * it is still validated, because a malformed value is a client error.
 */
export function parseDatetime(value: string | undefined): void {
  if (value === undefined) return;
  const instant = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/i;
  // Date.parse rolls 2025-02-30 over to 2 March: the calendar date must also round-trip.
  const realDay = (part: string) => new Date(`${part.slice(0, 10)}T00:00:00Z`).toISOString().startsWith(part.slice(0, 10));
  const ok = (part: string) => instant.test(part) && !Number.isNaN(Date.parse(part)) && !Number.isNaN(Date.parse(`${part.slice(0, 10)}T00:00:00Z`)) && realDay(part);
  const parts = value.split('/');
  const valid =
    parts.length === 1 ? ok(value) : parts.length === 2 && parts.some((p) => p !== '..' && p !== '') && parts.every((p) => p === '..' || p === '' || ok(p));
  if (!valid) {
    throw badParameter('datetime', `expected an RFC 3339 date-time (2025-01-31T00:00:00Z or 2025-01-31) or an interval start/end with ".." for an open end; got ${show(value)}.`);
  }
}

/**
 * GDAL translates `-where "is_rtlh = 1"` into `is_rtlh=1` (OGR has no boolean literal) and QGIS
 * sends `true`/`false`, so both spellings are accepted, case-insensitively.
 */
export function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const normalised = value.toLowerCase();
  if (normalised === 'true' || normalised === '1') return true;
  if (normalised === 'false' || normalised === '0') return false;
  throw badParameter(name, `expected true or false (or 1 or 0); got ${show(value)}.`);
}

export function parseInteger(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw badParameter(name, `expected an integer from ${min} to ${max}; got ${show(value)}.`);
  }
  return Number(value);
}

/** A comma-separated list of values from `allowed` (any of them matches). */
export function parseEnumList<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim());
  const bad = items.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length || items.length === 0) {
    throw badParameter(name, `expected one or more of ${allowed.join(', ')} (comma-separated); ${bad.length ? `${bad.map(show).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not` : 'got nothing'}.`);
  }
  return [...new Set(items)] as T[];
}

/** A code such as BAZNAS or POS_RAMAH_LANSIA (upper case, digits and underscores). */
export function parseCode(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(value)) throw badParameter(name, `expected an upper-case code (letters, digits, underscores, e.g. MASJID); got ${show(value)}.`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Paging cursor. Paging is keyset ("after this key"), so page 10,000 of a million households costs
// what page 1 costs and rows inserted meanwhile neither repeat nor go missing. The token also
// carries numberMatched from the first page (null when it was omitted there), so a client reading
// every page pays for one count instead of one per page; `scope` (a hash of collection, access
// scope and filters) makes a token reused with other filters or by another principal recount
// instead of reporting a foreign number.
// ---------------------------------------------------------------------------------------------

export type FeatureKey = number | string;

export interface Cursor {
  direction: 'after' | 'before';
  key: FeatureKey;
  /** numberMatched counted when the traversal started (null: omitted), valid when `scope` matches. */
  numberMatched: number | null;
  scope: string;
}

export function scopeHash(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeCursor(cursor: Cursor): string {
  // Sealed like GraphQL cursors: the key of a protected row must not be readable or forgeable.
  return sealToken([cursor.direction === 'after' ? 'a' : 'b', cursor.key, cursor.numberMatched, cursor.scope]);
}

export function parseCursor(value: string | undefined, keyType: 'integer' | 'string'): Cursor | undefined {
  if (value === undefined) return undefined;
  const decoded = openToken(value);
  const valid =
    Array.isArray(decoded) &&
    decoded.length === 4 &&
    (decoded[0] === 'a' || decoded[0] === 'b') &&
    // Keys go to SQL: an int4 id in range, or text PostgreSQL can store (no NUL, no lone surrogate).
    (keyType === 'integer' ? Number.isInteger(decoded[1]) && Math.abs(decoded[1]) <= 2_147_483_647 : typeof decoded[1] === 'string' && decoded[1].length <= 64 && isStorableText(decoded[1])) &&
    (decoded[2] === null || (Number.isSafeInteger(decoded[2]) && decoded[2] >= 0)) &&
    typeof decoded[3] === 'string';
  if (!valid) throw badParameter('cursor', 'is not a paging token of this collection; follow the next or prev link of a previous page unchanged.');
  const [direction, key, numberMatched, scope] = decoded as ['a' | 'b', FeatureKey, number | null, string];
  return { direction: direction === 'a' ? 'after' : 'before', key, numberMatched, scope };
}
