/**
 * JSON written by PostgreSQL as text concatenation, for pages answered by one statement
 * (household.page.ts, village.page.ts). Not json_build_object/json_agg: those look up the output
 * function of every argument on every call and, with `ST_AsGeoJSON(…)::json`, re-parse the
 * geometry. Measured with pgbench on the benchmark's op-2 page (123 households with their tags,
 * prepared, one client): 1.55 ms with json_build_object, 1.02 ms concatenated (PostGraphile 5's
 * page statement: 0.80 ms).
 *
 * Every value is a JSON *text* expression, and never NULL inside an object (a NULL would blank
 * the whole object through `||`): strings go through to_json (escaping), enum labels (capitals
 * and underscores, defined by our migrations) are quoted, integers and booleans are their own
 * JSON text, floats go through `jsonFloat`, and NULL becomes `null` (jsonObject).
 */
import { type SQL, sql } from 'drizzle-orm';

/** JSON text of a non-null enum label. */
export const enumJson = (value: SQL) => sql`('"' || ${value} || '"')`;
/** JSON text of a value whose text form is already JSON (integers, booleans). */
export const literalJson = (value: SQL) => sql`${value}::text`;
/** JSON text of a string (escaped as JSON.stringify escapes it). */
export const stringJson = (value: SQL) => sql`to_json(${value})::text`;

/**
 * JSON text of a float8 as `JSON.stringify` writes the same double, for |x| < 2^53. `value` is
 * evaluated up to five times: give a column, not an expression.
 *
 * PostgreSQL (12+, extra_float_digits ≥ 1, the default) and V8 both print the shortest digits that
 * read back as the same double (ties to even alike); they differ in notation. PostgreSQL writes
 * fixed notation for 1e-4 ≤ |x| < 1e15 and otherwise `1.5e-05`/`1e+15`; JavaScript writes fixed
 * notation for 1e-6 ≤ |x| < 1e21 and otherwise `1.5e-7`/`1e+21` (no zero padding); PostgreSQL
 * writes `-0`, JSON.stringify `0`. The thresholds are compared on the double itself: a double
 * below 1e-4 never has shortest digits of 1e-4 or more (and so on for each power of ten), so this
 * picks the notation both printers pick. Between the two fixed ranges the digits are read as
 * numeric, whose text is fixed notation with exactly those digits. NaN and ±Infinity, which
 * GraphQL's Float refuses to serialise, become `null` (the page sources never produce them: every
 * division is guarded).
 *
 * From 2^53 up the digits can differ: PostgreSQL builds Ryu without STRICTLY_SHORTEST (src/common/
 * d2s.c, acceptBounds = false), so where a shorter decimal lies exactly on the rounding bound it
 * writes one digit more than V8 (46543443202972416 for V8's 46543443202972420; the same double).
 * Below 2^53 a bound is never a shortest candidate (its exact decimal has more than 17 digits).
 * Callers keep to values far below: shares, scores, km², metres. tests/graphql/villages-page.test.ts
 * compares this with JSON.stringify on both databases.
 */
export const jsonFloat = (value: SQL) => sql`(CASE WHEN ${value} = 0 THEN '0'
  WHEN abs(${value}) >= 1e-4::float8 AND abs(${value}) < 1e15::float8 THEN ${value}::text
  WHEN abs(${value}) >= 1e-6::float8 AND abs(${value}) < 1e21::float8 THEN ${value}::text::numeric::text
  WHEN abs(${value}) < 'Infinity'::float8 THEN regexp_replace(${value}::text, 'e([-+])0', 'e\\1')
  ELSE 'null' END)`;

/** Most keys one object may have (a bound on the statement's size; GraphQL selections are far smaller). */
export const MAX_JSON_KEYS = 50;
/** GraphQL names: they need no escaping inside a JSON string or an SQL literal. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function graphqlName(name: string): string {
  if (!GRAPHQL_NAME.test(name)) throw new Error(`not a GraphQL name: ${name}`);
  return name;
}

/** `"Name"` as an SQL literal: the value of a `__typename` key. */
export const typenameJson = (name: string) => sql.raw(`'"${graphqlName(name)}"'`);

/** `{"key":value,…}` as SQL text concatenation; keys are literals, so the statement's text is fixed by the selection. */
export function jsonObject<K extends { key: string }>(keys: readonly K[], value: (k: K) => SQL): SQL {
  if (keys.length === 0 || keys.length > MAX_JSON_KEYS) throw new Error(`a JSON object needs 1 to ${MAX_JSON_KEYS} keys, got ${keys.length}`);
  // coalesce again around each value: whatever a column holds, one NULL must not blank the object.
  const parts = keys.map((k, i) => sql`${sql.raw(`'${i === 0 ? '{' : ','}"${graphqlName(k.key)}":'`)} || coalesce(${value(k)}, 'null')`);
  return sql`(${sql.join(parts, sql` || `)} || '}')`;
}

/** `[a,b,…]` of JSON texts known when the statement is written (a fixed-length list). */
export function jsonArray(items: readonly SQL[]): SQL {
  if (items.length === 0) return sql`'[]'`;
  return sql`('[' || ${sql.join([...items], sql` || ',' || `)} || ']')`;
}
