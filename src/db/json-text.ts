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
 * JSON text, floats go through `jsonFloat` (then jsNumberNotation), and NULL becomes `null` (jsonObject).
 */
import { type SQL, sql } from 'drizzle-orm';
import { compileSql } from './compile-sql.js';

/**
 * Features per piece when a statement returns a long JSON array as rows of pieces (OGC pages,
 * household FeatureCollections): about 80 kB of household features, under V8's 128 kB. V8
 * allocates a string over 128 kB on its own in the large-object space: decoding one 420 kB row
 * took 2.7 ms, three 128 kB rows 0.05 ms (CPU profile of op 7 at 1M), and such strings are freed
 * only by a full garbage collection. Pieces are written to the response as they are.
 */
export const FEATURES_PER_PIECE = 200;

/** JSON text of a non-null enum label. */
export const enumJson = (value: SQL) => sql`('"' || ${value} || '"')`;
/** JSON text of a value whose text form is already JSON (integers, booleans). */
export const literalJson = (value: SQL) => sql`${value}::text`;
/** JSON text of a string (escaped as JSON.stringify escapes it). */
export const stringJson = (value: SQL) => sql`to_json(${value})::text`;

/**
 * JSON text of a float8 as PostgreSQL writes it: the shortest digits that read back as the same
 * double (PostgreSQL 12+, extra_float_digits ≥ 1, the default), which V8 prints too — but not
 * always in JSON.stringify's notation: PostgreSQL writes `1.5e-05`, `1e+15` and `-0` where
 * JavaScript writes `0.000015`, `1000000000000000` and `0`; from 2^53 up, where a shorter decimal
 * lies exactly on the rounding bound, PostgreSQL (Ryu built without STRICTLY_SHORTEST,
 * src/common/d2s.c) writes one digit more than V8 (46543443202972416 for 46543443202972420, the
 * same double); and NaN/Infinity are not JSON. Every such token is rewritten by
 * `jsNumberNotation` before the text is used. A CASE over the notations in SQL (the first
 * version) was exact too, but made the villages page statement's planning cost 10 ms.
 */
export const jsonFloat = (value: SQL) => sql`${value}::text`;

/** A number token only PostgreSQL writes (see jsonFloat), or a false alarm inside a string. */
const POSTGRES_ONLY_NUMBER = /\d[eE][-+]?\d|-0[,}\]]|NaN|Infinity/;
/** JSON strings (skipped) and bare number-like tokens. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;
const REWRITTEN = /[eE]|^-0$|NaN|Infinity/;

/**
 * `json` (written by PostgreSQL with jsonFloat) with each float in JSON.stringify's notation: the
 * tokens PostgreSQL writes differently are parsed (its digits read back as the same double) and
 * written again by JSON.stringify (NaN and ±Infinity as `null`, as JSON.stringify writes them);
 * every other token, and every string, is left as it is. Costs one regular-expression test when
 * no such token is present, the usual case (shares ≥ 1e-4, scores ≤ 100).
 *
 * Numbers that PostgreSQL or PostGIS wrote as text of their own (GeoJSON coordinates: fixed
 * notation, 7 decimals) pass through, as the GeoJSON scalar passes them through on the resolver path.
 */
export function jsNumberNotation(json: string): string {
  if (!POSTGRES_ONLY_NUMBER.test(json)) return json;
  return json.replace(JSON_TOKEN, (token) => (token.startsWith('"') || !REWRITTEN.test(token) ? token : JSON.stringify(Number(token))));
}

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

/**
 * SQL fragments rendered to text once per key: drizzle walks a fragment's whole tree to render it,
 * and the villages page's JSON expression is a few thousand chunks (about 1 ms per request on the
 * benchmark machine). Only fragments without parameters can be kept (parameters are numbered per
 * statement); `get` refuses any other. At most `maxEntries` keys, the oldest evicted first.
 */
export class RenderedSql {
  private readonly texts = new Map<string, SQL>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, build: () => SQL): SQL {
    const hit = this.texts.get(key);
    if (hit) return hit;
    const { text, values: params } = compileSql(build());
    if (params.length > 0) throw new Error(`a fragment rendered once must hold no parameters; ${key} holds ${params.length}`);
    const fragment = sql.raw(text);
    this.texts.set(key, fragment);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.texts.size > this.maxEntries) this.texts.delete(this.texts.keys().next().value!);
    return fragment;
  }

  get size(): number {
    return this.texts.size;
  }
}
