/** All SQL of the households feature. */
import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';
import { planStable } from '../../db/prepared-statements.js';
import type { Livelihood, Pas } from './household.enums.js';
import type { Principal } from '../../auth/principal.js';
import { policy } from '../../auth/policy.js';
import { enumJson, FEATURES_PER_PIECE, jsonObject, literalJson, typenameJson } from '../../db/json-text.js';
import { HOUSEHOLDS_FROM, type HouseholdCriteria, householdFeatureJson, householdGridCells, householdPagePlanStable, householdPageRows, householdWhere } from './household.source.js';

export interface HouseholdRow {
  id: number;
  registry_id: string;
  village_code: string;
  location: string;
  desil: number;
  livelihood: Livelihood;
  is_mustahik: boolean;
  receives_pkh: boolean;
  receives_bpnt: boolean;
  has_small_business: boolean;
  floor_area_m2: number;
  occupants: number;
  floor_material: string;
  wall_material: string;
  roof_material: string;
  has_own_toilet: boolean;
  has_electricity: boolean;
  water_source: string;
  land_ownership: string;
  had_housing_aid: boolean;
  rtlh_reasons: string[];
  is_rtlh: boolean;
  pas: Pas[];
  member_count: number;
  has_elderly: boolean;
  has_child: boolean;
  has_disabled: boolean;
  /** Latest assessment: PUPR component → rating, and the damage class it gives (null before one). */
  component_conditions: Record<string, string> | null;
  damage_class: string | null;
  /** Date a FULL registry snapshot stopped listing the household (null while active); only reads by id return such rows. */
  inactive_since: string | null;
  [key: string]: unknown;
}

// Enum arrays are cast to text[]: node-postgres cannot parse arrays of custom enum types.
const columns = (principal: Principal) => sql`h.id, h.registry_id, h.village_code, ST_AsGeoJSON(h.location, 7) AS location, h.desil, h.livelihood,
  h.is_mustahik, h.receives_pkh, h.receives_bpnt, h.has_small_business, h.floor_area_m2, h.occupants,
  h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source,
  h.land_ownership, h.had_housing_aid, h.rtlh_reasons, h.is_rtlh, ${policy.visiblePasSql(principal, sql`h.pas`)} AS pas, h.member_count,
  h.has_elderly, h.has_child, h.has_disabled, h.component_conditions, h.damage_class, h.inactive_since::text AS inactive_since`;

/** A page of active households in the caller's scope, by id (keyset: ids after `afterId`). */
export function findHouseholds(db: Queryable, criteria: HouseholdCriteria, afterId: number | null, limit: number): Promise<HouseholdRow[]> {
  const statement = sql`SELECT ${columns(criteria.principal)} FROM (${householdPageRows(criteria, afterId, limit)}) h ORDER BY h.id`;
  return db.query<HouseholdRow>(planStable(statement, householdPagePlanStable(criteria, false)));
}

export async function countHouseholds(db: Queryable, criteria: HouseholdCriteria): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n ${HOUSEHOLDS_FROM} ${householdWhere(criteria)}`);
  return row?.n ?? 0;
}

/**
 * Households by id, within the principal's row scope (out-of-scope ids simply do not come back).
 * Inactive households come back too (with `inactive_since`): packages, items and their history
 * refer to them by id. Listings never show them (household.source.ts).
 */
export function householdsByIds(db: Queryable, principal: Principal, ids: readonly number[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(sql`SELECT ${columns(principal)} FROM households h
    WHERE h.id = ANY(${sql.param(ids as number[])}::int[]) AND ${policy.householdRowScope(principal)} AND ${policy.villageScope(principal, sql`h.village_code`)}`);
}

export interface IdentityRow {
  household_id: number;
  head_name: string;
  head_nik: string;
  family_card_number: string;
  address: string;
  [key: string]: unknown;
}

/** Identities of households the caller already read through the row scope (ids come from those rows). */
export function identitiesByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<IdentityRow[]> {
  return db.query<IdentityRow>(sql`SELECT household_id, head_name, head_nik, family_card_number, address
    FROM household_identities WHERE household_id = ANY(${sql.param(ids as number[])}::int[])`);
}

/**
 * The one household with this exact head NIK or family card number, within the row scope: the
 * active one when a re-registered family also has an inactive record (a search, like a listing,
 * prefers what the registry lists now), else the inactive one (history).
 */
export async function householdIdByIdentifier(db: Queryable, principal: Principal, identifier: { nik?: string; familyCardNumber?: string }): Promise<number | null> {
  const match = identifier.nik ? sql`i.head_nik = ${identifier.nik}` : sql`i.family_card_number = ${identifier.familyCardNumber ?? ''}`;
  const [row] = await db.query<{ id: number }>(sql`SELECT h.id FROM household_identities i JOIN households h ON h.id = i.household_id
    WHERE ${match} AND ${policy.householdRowScope(principal)} AND ${policy.villageScope(principal, sql`h.village_code`)}
    ORDER BY h.inactive_since IS NOT NULL, h.id LIMIT 1`);
  return row?.id ?? null;
}

export interface MemberRow {
  id: number;
  household_id: number;
  birth_date: string;
  age: number;
  sex: 'MALE' | 'FEMALE';
  relation: string;
  disability: string | null;
  in_school: boolean;
  full_name: string | null;
  nik: string | null;
  [key: string]: unknown;
}

export function membersByHouseholdIds(db: Queryable, ids: readonly number[]): Promise<MemberRow[]> {
  return db.query<MemberRow>(sql`SELECT m.id, m.household_id, m.birth_date, date_part('year', age(current_date, m.birth_date))::int AS age,
      m.sex, m.relation, m.disability, m.in_school, mi.full_name, mi.nik
    FROM members m LEFT JOIN member_identities mi ON mi.member_id = m.id
    WHERE m.household_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY m.household_id, m.id`);
}

export interface TagRow {
  household_id: number;
  member_id: number | null;
  pas: Pas;
  source: 'REGISTRY' | 'ASSESSMENT' | 'FIELD_REPORT';
  recorded_on: string;
  [key: string]: unknown;
}

/** PAS tags of the households, without the PAS the principal may not see. */
export function tagsByHouseholdIds(db: Queryable, principal: Principal, ids: readonly number[]): Promise<TagRow[]> {
  const hidden = policy.hiddenPas(principal);
  return db.query<TagRow>(sql`SELECT household_id, member_id, pas, source, recorded_on
    FROM pas_tags WHERE household_id = ANY(${sql.param(ids as number[])}::int[])
      AND NOT (pas::text = ANY(${sql.param(hidden)}::text[]))
    ORDER BY household_id, pas, member_id NULLS FIRST, id`);
}

export interface RtlhRuleRow {
  code: string;
  min_floor_area_m2_per_person: number;
  [key: string]: unknown;
}

export async function activeRtlhRule(db: Queryable): Promise<RtlhRuleRow | null> {
  const [row] = await db.query<RtlhRuleRow>(sql`SELECT code, min_floor_area_m2_per_person FROM rtlh_rules WHERE is_active`);
  return row ?? null;
}

/**
 * RFC 7946 FeatureCollection of households built by PostGIS in one statement: serialising in
 * the database avoids materialising every row as a JS object only to stringify it again.
 */
/**
 * A FeatureCollection of the households matching `criteria` (id order, at most `limit`) as JSON
 * text in pieces of FEATURES_PER_PIECE features, which join to one RFC 7946 FeatureCollection,
 * and the ids it reveals (for the audit). One statement; each piece is one row.
 */
export async function householdFeatureCollection(db: Queryable, criteria: HouseholdCriteria, limit: number): Promise<{ pieces: string[]; ids: number[] }> {
  const rows = await db.query<{ features: string; ids: number[] }>(sql`
    SELECT string_agg(f.feature, ',' ORDER BY f.id) AS features, array_agg(f.id ORDER BY f.id) AS ids
    FROM (SELECT h.id, ${householdFeatureJson(criteria.principal, 'camelCase')}::text AS feature, row_number() OVER (ORDER BY h.id) AS n
          FROM (${householdPageRows(criteria, null, limit)}) h) f
    GROUP BY (f.n - 1) / ${sql.raw(String(FEATURES_PER_PIECE))} ORDER BY min(f.id)`);
  const pieces = ['{"type":"FeatureCollection","features":['];
  // The commas between pieces are pieces of their own: `,` + 80 kB would copy the 80 kB.
  rows.forEach((row, i) => (i === 0 ? pieces.push(row.features) : pieces.push(',', row.features)));
  pieces.push(']}');
  return { pieces, ids: rows.flatMap((row) => row.ids) };
}

// --- the page as one JSON text (household.page.ts; how the JSON is written: db/json-text.ts) ---

/** Household fields a page can build in SQL (GraphQL names). */
export const HOUSEHOLD_JSON_FIELDS = [
  'id', 'registryId', 'villageCode', 'location', 'desil', 'livelihood', 'isMustahik', 'receivesPkh', 'receivesBpnt',
  'hasSmallBusiness', 'pas', 'memberCount', 'hasElderly', 'hasChild', 'hasDisabled', 'inactiveSince',
] as const;

export type HouseholdJsonField = (typeof HOUSEHOLD_JSON_FIELDS)[number];

/**
 * The JSON text of each field of the household row `h`: what GraphQL would serialise (`id` is an
 * ID, hence a string; `location` the GeoJSON PostGIS writes, which the GeoJSON scalar passes
 * through; `pas` without the PAS the principal may not see).
 */
function householdFieldJson(principal: Principal): Record<HouseholdJsonField, SQL> {
  return {
    id: sql`('"' || h.id || '"')`,
    registryId: sql`to_json(h.registry_id)::text`,
    villageCode: sql`to_json(h.village_code)::text`,
    location: sql`ST_AsGeoJSON(h.location, 7)`,
    desil: literalJson(sql`h.desil`),
    livelihood: enumJson(sql`h.livelihood`),
    isMustahik: literalJson(sql`h.is_mustahik`),
    receivesPkh: literalJson(sql`h.receives_pkh`),
    receivesBpnt: literalJson(sql`h.receives_bpnt`),
    hasSmallBusiness: literalJson(sql`h.has_small_business`),
    pas: sql`array_to_json(${policy.visiblePasSql(principal, sql`h.pas`)})::text`,
    memberCount: literalJson(sql`h.member_count`),
    hasElderly: literalJson(sql`h.has_elderly`),
    hasChild: literalJson(sql`h.has_child`),
    hasDisabled: literalJson(sql`h.has_disabled`),
    inactiveSince: sql`('"' || h.inactive_since::text || '"')`,
  };
}

/** PAS tag fields a page can build in SQL, over `pas_tags t` (GraphQL names). */
export const PAS_TAG_JSON_FIELDS = ['pas', 'source', 'recordedOn', 'memberId'] as const;
export type PasTagJsonField = (typeof PAS_TAG_JSON_FIELDS)[number];
const TAG_FIELD_JSON: Record<PasTagJsonField, SQL> = {
  pas: enumJson(sql`t.pas`),
  source: enumJson(sql`t.source`),
  recordedOn: sql`('"' || t.recorded_on::text || '"')`,
  memberId: literalJson(sql`t.member_id`),
};

/** One key of a JSON object: its response key and what gives its value. */
export type JsonKey<TField extends string, TChild = never> =
  | { key: string; field: TField }
  | { key: string; typename: string }
  | { key: string; children: TChild };

export type PasTagJsonKey = JsonKey<PasTagJsonField>;
export type HouseholdJsonKey = JsonKey<HouseholdJsonField, PasTagJsonKey[]>;


/** The household row `h` as the JSON text a GraphQL selection asks for (same keys, same order). */
function householdNodeJson(principal: Principal, keys: readonly HouseholdJsonKey[]): SQL {
  const fields = householdFieldJson(principal);
  const hidden = policy.hiddenPas(principal);
  return jsonObject(keys, (k) => {
    if ('field' in k) return fields[k.field];
    if ('typename' in k) return typenameJson(k.typename);
    // The order and the hidden PAS are tagsByHouseholdIds's.
    const tag = jsonObject(k.children, (c) => ('field' in c ? TAG_FIELD_JSON[c.field] : 'typename' in c ? typenameJson(c.typename) : sql`'null'`));
    return sql`('[' || coalesce((SELECT string_agg(${tag}, ',' ORDER BY t.pas, t.member_id NULLS FIRST, t.id)
      FROM pas_tags t WHERE t.household_id = h.id AND NOT (t.pas::text = ANY(${sql.param(hidden)}::text[]))), '') || ']')`;
  });
}

export interface HouseholdPageJson {
  /** The page's nodes: a JSON array text. */
  nodes: string;
  /** Ids of the page and, when another page follows, of the next household (limit + 1 rows). */
  ids: number[];
  /** The exact count of the whole listing, when asked for. */
  total: number | null;
}

/**
 * A page of `findHouseholds` (same scope, filters, order and keyset) in one statement, its nodes
 * as one JSON text built by PostgreSQL, with the exact count of the listing when `withTotal`.
 * graphql-js then resolves one list instead of ~10 fields per household (bench/README.md, op 2).
 */
export async function householdPageJson(
  db: Queryable,
  criteria: HouseholdCriteria,
  afterId: number | null,
  size: number,
  keys: readonly HouseholdJsonKey[],
  withTotal: boolean,
): Promise<HouseholdPageJson> {
  const total = withTotal ? sql`, (SELECT count(*)::int ${HOUSEHOLDS_FROM} ${householdWhere(criteria)}) AS total` : sql`, NULL::int AS total`;
  const statement = sql`
    SELECT '[' || coalesce(string_agg(${householdNodeJson(criteria.principal, keys)}, ',' ORDER BY h.id) FILTER (WHERE h.page_row <= ${size}), '') || ']' AS nodes,
      coalesce(array_agg(h.id ORDER BY h.id), '{}'::int[]) AS ids${total}
    FROM (SELECT h.*, row_number() OVER (ORDER BY h.id) AS page_row FROM (${householdPageRows(criteria, afterId, size + 1)}) h) h`;
  const [row] = await db.query<{ nodes: string; ids: number[]; total: number | null }>(planStable(statement, householdPagePlanStable(criteria, withTotal)));
  return { nodes: row?.nodes ?? '[]', ids: row?.ids ?? [], total: row?.total ?? null };
}

export interface GridRow {
  cell: string;
  households: number | null;
  desil_1_to_2: number | null;
  rtlh: number | null;
  suppressed: boolean;
  [key: string]: unknown;
}

/** The protected grid (household.source.ts) over `cellsWgs84` or the criteria's village, cells as GeoJSON, south to north, west to east. */
export function householdGrid(db: Queryable, criteria: HouseholdCriteria, cellDegrees: number, k: number, cellsWgs84?: HouseholdCriteria['bboxWgs84']): Promise<GridRow[]> {
  return db.query<GridRow>(sql`SELECT ST_AsGeoJSON(g.cell, 7) AS cell, g.households, g.desil_1_to_2, g.rtlh, g.suppressed
    FROM (${householdGridCells(criteria, cellDegrees, k, cellsWgs84)}) g ORDER BY g.gy, g.gx`);
}

/** What one run of `refresh_age_rollups()` did (drizzle/0021, 0022). */
export type AgeRollupRefresh =
  /** The age roll-ups were brought from `fromDate` to `toDate` (the database's current_date). */
  | { outcome: 'REFRESHED'; fromDate: string; toDate: string; householdsChanged: number; villagesRefreshed: number }
  /** They were already correct as of today: another process (or an earlier run) did it. */
  | { outcome: 'UP_TO_DATE'; fromDate: string; toDate: string; householdsChanged: 0; villagesRefreshed: 0 }
  /**
   * A writer computing age roll-ups, or another refresh, was in its transaction, or a row the
   * refresh had to write stayed locked for 100 ms: nothing changed, left to the next run.
   */
  | { outcome: 'BUSY'; fromDate: null; toDate: string; householdsChanged: 0; villagesRefreshed: 0 };

/** A village whose stored age counts differed from a recomputation as of today (`village_age_drift`, drizzle/0022). */
export type VillageAgeDrift = {
  villageCode: string;
  /** [elderly_members, child_members, households_with_elderly] as they were stored. */
  stored: number[];
  /** The same, recomputed from households and members as of today. */
  recomputed: number[];
};

/**
 * Rebuilds up to `sample` villages drawn at random (`refresh_village_stats`, in one statement) and
 * returns those whose age counts the rebuild changed.
 */
export function villageAgeDrift(db: Queryable, sample: number): Promise<VillageAgeDrift[]> {
  return db.query<VillageAgeDrift>('SELECT village_code AS "villageCode", stored, recomputed FROM village_age_drift($1)', [sample]);
}

/**
 * Recomputes has_elderly/has_child of the households whose members turned 60 or 18 since the day the
 * roll-ups were last brought up to date, and adds those members to their villages' statistics, in
 * one statement: the function claims the day under a lock, and on any error none of it happens, the
 * day included. `villagesRefreshed` counts the villages whose statistics it changed.
 */
export async function refreshAgeRollups(db: Queryable): Promise<AgeRollupRefresh> {
  const [row] = await db.query<AgeRollupRefresh>(
    `SELECT outcome, from_date::text AS "fromDate", to_date::text AS "toDate", households_changed AS "householdsChanged",
            villages_refreshed AS "villagesRefreshed" FROM refresh_age_rollups()`,
  );
  if (!row) throw new Error('refresh_age_rollups() returned no row; it returns exactly one');
  return row;
}
