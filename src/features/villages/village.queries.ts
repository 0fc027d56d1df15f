/**
 * All SQL of the villages feature. Villages are regions of level VILLAGE, joined to their
 * geography (1,107 known boundaries) and their need statistics (village_stats).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import type { Principal } from '../../auth/principal.js';
import { policy, protectCountSql } from '../../auth/policy.js';
import type { Queryable } from '../../db/database.js';
import { planStable } from '../../db/prepared-statements.js';
import { enumJson, jsNumberNotation, jsonArray, jsonFloat, jsonObject, literalJson, RenderedSql, stringJson, typenameJson } from '../../db/json-text.js';
import { PAS_CODES, type PasCode } from '../../db/schema.js';
import { type CircleWgs84, envelope, geometryParam, simplified, withinCircle } from '../../geo/spatial-sql.js';
import type { CursorKey } from '../../graphql/pagination.js';
import type { Pas } from '../households/index.js';
import type { RegionKind } from '../regions/index.js';
import type { VillageOrder } from './village.type.js';

/**
 * How a caller sees a village's counts: exactly where `exact` (a predicate over `r.code`, from
 * policy.exactAggregatesSql) holds, else protected with `k` (protectCountSql). Everything derived
 * from counts — shares, the priority score, its sort key and the threshold filters — is computed
 * from the counts as the caller sees them, so no query combination yields more (issue 13).
 */
export interface VillageProtection {
  exact: SQL;
  k: number;
}

export function villageProtection(principal: Principal, k: number): VillageProtection {
  return { exact: policy.exactAggregatesSql(principal, sql`r.code`), k };
}

export interface VillageCriteria {
  /** Access policy predicate over `r.code` (villages the caller may see). */
  scope?: SQL;
  /** Count protection of the caller; absent = exact (internal callers only). */
  protection?: VillageProtection;
  provinceCode?: string;
  regencyCode?: string;
  districtCode?: string;
  kinds?: RegionKind[];
  nameKey?: string;
  hasBoundary?: boolean;
  coastal?: boolean;
  fishingVillage?: { isFishing: boolean; threshold: number };
  withinPolygon?: Geometry;
  bboxWgs84?: readonly [number, number, number, number];
  near?: CircleWgs84;
  minHouseholdsInDesil?: { maxDesil: number; atLeast: number };
  minHouseholdsWithPas?: { pas: Pas; atLeast: number }[];
  minRtlhHouseholds?: number;
}

/** Normalised weights (sum 1). */
export interface PriorityWeights {
  poverty: number;
  housing: number;
  vulnerability: number;
  fishing: number;
  coastal: number;
}

export interface VillageRow {
  code: string;
  name: string;
  name_key: string;
  kind: RegionKind;
  district_code: string;
  regency_code: string;
  province_code: string;
  has_boundary: boolean;
  centroid: string | null;
  area_m2: number | null;
  is_coastal: boolean | null;
  coastal_source: 'SEAWARD_EDGE' | 'NATURAL_EARTH_COASTLINE' | null;
  seaward_boundary_m: number | null;
  distance_to_coastline_m: number | null;
  households: number;
  members: number;
  households_by_desil: number[] | null;
  households_desil_1_to_2: number;
  households_desil_1_to_4: number;
  households_by_pas: Record<string, number> | null;
  rtlh_households: number;
  elderly_members: number;
  child_members: number;
  disabled_members: number;
  households_with_elderly: number;
  households_with_disabled: number;
  fisher_households: number;
  fisher_share: number;
  vulnerable_households: number;
  priority_score: number;
  [key: string]: unknown;
}

const BASE_FROM = sql`FROM regions r
  LEFT JOIN village_geography g ON g.village_code = r.code
  LEFT JOIN village_stats s ON s.village_code = r.code`;

const EXACT: VillageProtection = { exact: sql`true`, k: 1 };

/** Counts of village_stats the caller sees exact or protected (`pv.<column>` in villageFrom). */
const VISIBLE_COUNTS = [
  'households', 'members', 'households_desil_1_to_2', 'households_desil_1_to_4', 'rtlh_households', 'elderly_members',
  'child_members', 'disabled_members', 'households_with_elderly', 'households_with_disabled', 'fisher_households', 'vulnerable_households',
] as const;

/**
 * The one village source: regions, geography and statistics, plus `px.exact` (whether this row's
 * counts are exact for the caller) and `pv.*`, every count as the caller sees it, computed in SQL
 * once per row (two LATERALs over the same row, so the planner keeps one scan; it pulls them up
 * and drops the columns a statement does not use).
 */
export function villageFrom(p: VillageProtection = EXACT): SQL {
  return sql`${BASE_FROM}
  CROSS JOIN LATERAL (SELECT ${p.exact} AS exact) px
  ${visibleCountsFrom(p.k)}`;
}

/** Rendered once per k: the statement part most of a village query's text is (literals only). */
const visibleCountsByK = new RenderedSql(8);

function visibleCountsFrom(k: number): SQL {
  return visibleCountsByK.get(String(k), () => {
    const c = (column: string) => protectCountSql(sql.raw(`coalesce(s.${column}, 0)`), k, sql`px.exact`);
    return sql`CROSS JOIN LATERAL (SELECT ${sql.join(VISIBLE_COUNTS.map((column) => sql`${c(column)} AS ${sql.raw(column)}`), sql`, `)}) pv`;
  });
}

/** Fisher share as the caller sees it: exact, or protected fishers over protected households (as visibleNeedStatistics). */
export const VISIBLE_FISHER_SHARE = sql`CASE WHEN px.exact THEN coalesce(s.fisher_share, 0)::float8
  WHEN pv.households = 0 THEN 0::float8 WHEN pv.households IS NULL THEN NULL
  ELSE pv.fisher_households::float8 / pv.households END`;

/** A protected count of a jsonb/array element expression, exact where px.exact. */
const visibleCount = (count: SQL, p: VillageProtection) => protectCountSql(count, p.k, sql`px.exact`);

const SELECT = sql`r.code, r.name, r.name_key, r.kind, r.district_code, r.regency_code, r.province_code,
  g.village_code IS NOT NULL AS has_boundary, ST_AsGeoJSON(g.centroid, 7) AS centroid, g.area_m2,
  g.is_coastal, g.coastal_source, g.seaward_boundary_m, g.distance_to_coastline_m,
  coalesce(s.households, 0) AS households, coalesce(s.members, 0) AS members, s.households_by_desil,
  coalesce(s.households_desil_1_to_2, 0) AS households_desil_1_to_2,
  coalesce(s.households_desil_1_to_4, 0) AS households_desil_1_to_4, s.households_by_pas,
  coalesce(s.rtlh_households, 0) AS rtlh_households, coalesce(s.elderly_members, 0) AS elderly_members,
  coalesce(s.child_members, 0) AS child_members, coalesce(s.disabled_members, 0) AS disabled_members,
  coalesce(s.households_with_elderly, 0) AS households_with_elderly,
  coalesce(s.households_with_disabled, 0) AS households_with_disabled,
  coalesce(s.fisher_households, 0) AS fisher_households, coalesce(s.fisher_share, 0) AS fisher_share,
  coalesce(s.vulnerable_households, 0) AS vulnerable_households`;

/** The priority components, in the order PriorityScore lists them (and sums them). */
export const PRIORITY_COMPONENTS = ['poverty', 'housing', 'vulnerability', 'fishing', 'coastal'] as const;
export type PriorityComponentName = (typeof PRIORITY_COMPONENTS)[number];

/** Where the caller's score is null: its counts are protected and the household count is suppressed. */
const PRIORITY_SUPPRESSED = sql`(NOT px.exact AND pv.households IS NULL)`;

/**
 * Each component's value (0–1) as the caller sees it, as toVillage and visiblePriority compute it,
 * operation for operation (float8 arithmetic is IEEE double arithmetic, as in JavaScript): shares
 * of the exact counts where they are exact (0 without households), else of the protected counts,
 * capped at 1. Where the household count is suppressed the score is null (PRIORITY_SUPPRESSED).
 */
const PRIORITY_COMPONENT_SQL: Record<PriorityComponentName, SQL> = {
  poverty: componentShare('households_desil_1_to_2'),
  housing: componentShare('rtlh_households'),
  vulnerability: componentShare('vulnerable_households'),
  fishing: sql`(CASE WHEN px.exact OR pv.households = 0 THEN (CASE WHEN coalesce(s.households, 0) > 0 THEN s.fisher_share ELSE 0::float8 END)
    ELSE coalesce(pv.fisher_households::float8 / pv.households, 0::float8) END)`,
  coastal: sql`(CASE WHEN coalesce(s.households, 0) > 0 AND g.is_coastal THEN 1::float8 ELSE 0::float8 END)`,
};

function componentShare(column: string): SQL {
  const c = sql.raw(column);
  return sql`(CASE WHEN px.exact OR pv.households = 0 THEN (CASE WHEN coalesce(s.households, 0) > 0 THEN s.${c}::float8 / s.households ELSE 0::float8 END)
    ELSE least(1::float8, coalesce(pv.${c}, 0)::float8 / pv.households) END)`;
}

/**
 * The documented priority score (see PriorityScore in the schema), 0–100, in SQL so it can be
 * ordered by: Σ 100 × component × weight, summed from 0 in component order exactly as priorityOf
 * does, so the score a page shows, the one it is sorted by and the one in its cursor are the same
 * double. Where the caller's counts are protected it is computed from the protected counts, and
 * null where the household count itself is suppressed: sorting and cursors then carry nothing the
 * caller could not read (issue 13, class 1).
 */
function priorityScore(w: PriorityWeights, weight: (value: number) => SQL = (value) => sql`${value}::float8`): SQL {
  const points = PRIORITY_COMPONENTS.map((name) => sql`100::float8 * ${PRIORITY_COMPONENT_SQL[name]} * ${weight(w[name])}`);
  return sql`(CASE WHEN ${PRIORITY_SUPPRESSED} THEN NULL ELSE 0::float8 + ${sql.join(points, sql` + `)} END)`;
}

/** Sort key of PRIORITY: the visible score, suppressed scores (null) last. */
const sortScore = (w: PriorityWeights) => sql`coalesce(${priorityScore(w)}, -1::float8)`;

function conditions(c: VillageCriteria): SQL[] {
  const where: SQL[] = [sql`r.level = 'VILLAGE'`];
  if (c.scope) where.push(c.scope);
  if (c.provinceCode) where.push(sql`r.province_code = ${c.provinceCode}`);
  if (c.regencyCode) where.push(sql`r.regency_code = ${c.regencyCode}`);
  if (c.districtCode) where.push(sql`r.district_code = ${c.districtCode}`);
  if (c.kinds?.length) where.push(sql`r.kind = ANY(${sql.param(c.kinds)}::region_kind[])`);
  if (c.nameKey) where.push(sql`r.name_key LIKE ${`%${c.nameKey}%`}`);
  if (c.hasBoundary !== undefined) where.push(c.hasBoundary ? sql`g.village_code IS NOT NULL` : sql`g.village_code IS NULL`);
  if (c.coastal !== undefined) where.push(sql`g.is_coastal = ${c.coastal}`);
  // Threshold filters compare the values the caller sees (exact or protected), never exact
  // values behind protected ones: bisecting a threshold then recovers only what is shown (class 2).
  const p = c.protection ?? EXACT;
  if (c.fishingVillage) {
    where.push(
      c.fishingVillage.isFishing
        ? sql`${VISIBLE_FISHER_SHARE} >= ${c.fishingVillage.threshold}`
        : sql`coalesce(${VISIBLE_FISHER_SHARE}, 0) < ${c.fishingVillage.threshold}`,
    );
  }
  if (c.withinPolygon) {
    where.push(sql`ST_Intersects(g.centroid, ${geometryParam(c.withinPolygon)})`);
  }
  if (c.bboxWgs84) where.push(sql`ST_Intersects(g.boundary, ${envelope(c.bboxWgs84)})`);
  if (c.near) where.push(withinCircle(sql`g.boundary`, c.near));
  if (c.minHouseholdsInDesil) {
    where.push(
      // The sum of the per-desil counts as shown (householdsByDesil), suppressed ones as 0.
      sql`(SELECT coalesce(sum(${visibleCount(sql`n`, p)}), 0) FROM unnest(s.households_by_desil[1:${c.minHouseholdsInDesil.maxDesil}]) AS n) >= ${c.minHouseholdsInDesil.atLeast}`,
    );
  }
  for (const need of c.minHouseholdsWithPas ?? []) {
    where.push(sql`coalesce(${visibleCount(sql`coalesce((s.households_by_pas ->> ${need.pas})::int, 0)`, p)}, 0) >= ${need.atLeast}`);
  }
  if (c.minRtlhHouseholds !== undefined) where.push(sql`coalesce(pv.rtlh_households, 0) >= ${c.minRtlhHouseholds}`);
  return where;
}

/**
 * Whether a villages page has one best plan for every value of its parameters, so that it may be
 * prepared (db/prepared-statements.ts): when its only filters are region codes (province, regency,
 * district) and region kinds, and the caller is not a PARTNER (whose villages are a list and the
 * packages it funds). Measured on 1,000,000 households (91,599 regions): op 1's statement, after
 * PostgreSQL switched to the generic plan, took 7–9 ms for regency 35.24 (474 villages), 7 ms for
 * the largest regency (852), 3–4 ms for the smallest (6) and 0.8 ms for none, against 17–24 ms
 * each unnamed (bench/README.md). A name search, a box, a polygon, a circle, coastal or fishing
 * flags and need thresholds select from none to all villages: unnamed.
 */
export function villagePagePlanStable(c: VillageCriteria, principal: Principal): boolean {
  // Any criterion besides these, including one added later, makes it unstable.
  const { scope: _scope, protection: _protection, provinceCode: _province, regencyCode: _regency, districtCode: _district, kinds: _kinds, ...filters } = c;
  return principal.role !== 'PARTNER' && Object.values(filters).every((v) => v === undefined);
}

export interface VillagePageQuery {
  criteria: VillageCriteria;
  order: VillageOrder;
  weights: PriorityWeights;
  after: CursorKey | null;
  limit: number;
}

/** The page's conditions (criteria and keyset) and its order, over the village source. */
function pageOrder(q: VillagePageQuery): { where: SQL[]; score: SQL; orderBy: SQL } {
  const where = conditions(q.criteria);
  const score = sortScore(q.weights);
  if (q.order === 'PRIORITY') {
    if (q.after) where.push(sql`(${score} < ${q.after[0]} OR (${score} = ${q.after[0]} AND r.code > ${q.after[1]}))`);
    return { where, score, orderBy: sql`priority_score DESC, r.code` };
  }
  if (q.order === 'NAME') {
    if (q.after) where.push(sql`(r.name_key, r.code) > (${q.after[0]}, ${q.after[1]})`);
    return { where, score, orderBy: sql`r.name_key, r.code` };
  }
  if (q.after) where.push(sql`r.code > ${q.after[0]}`);
  return { where, score, orderBy: sql`r.code` };
}

export async function findVillages(db: Queryable, q: VillagePageQuery): Promise<VillageRow[]> {
  const { where, score, orderBy } = pageOrder(q);
  return db.query<VillageRow>(sql`SELECT ${SELECT}, ${score} AS priority_score ${villageFrom(q.criteria.protection)}
    WHERE ${sql.join(where, sql` AND `)} ORDER BY ${orderBy} LIMIT ${q.limit}`);
}

export async function countVillages(db: Queryable, criteria: VillageCriteria): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n ${villageFrom(criteria.protection)} WHERE ${sql.join(conditions(criteria), sql` AND `)}`);
  return row?.n ?? 0;
}

/** Villages by code, for loaders. No priority_score: nothing orders by it here (0 is returned). */
export async function villagesByCodes(db: Queryable, codes: readonly string[]): Promise<VillageRow[]> {
  return db.query<VillageRow>(sql`SELECT ${SELECT}, 0::float8 AS priority_score ${BASE_FROM}
    WHERE r.level = 'VILLAGE' AND r.code = ANY(${sql.param(codes as string[])}::text[])`);
}

/** Boundaries as GeoJSON text, optionally simplified (see `simplified`). */
export async function boundariesByCodes(
  db: Queryable,
  codes: readonly string[],
  simplifyToleranceMeters: number,
): Promise<{ village_code: string; boundary: string }[]> {
  return db.query(sql`SELECT village_code, ST_AsGeoJSON(${simplified(sql`boundary`, simplifyToleranceMeters)}, 7) AS boundary
    FROM village_geography WHERE village_code = ANY(${sql.param(codes as string[])}::text[])`);
}

/** RFC 7946 FeatureCollection of villages, built by PostGIS in one statement. */
export async function villageFeatureCollection(
  db: Queryable,
  q: VillagePageQuery & { simplifyToleranceMeters: number; principal: Principal; kAnonymity: number },
): Promise<string> {
  // The same source and the same protected values as `villages` (class 6): counts exact only where
  // the caller's aggregates are exact, shares and the score from the counts as shown.
  const protection = q.criteria.protection ?? villageProtection(q.principal, q.kAnonymity);
  const where = conditions({ ...q.criteria, protection, hasBoundary: true });
  const geometry = simplified(sql`g.boundary`, q.simplifyToleranceMeters);
  const score = priorityScore(q.weights);
  const [row] = await db.query<{ fc: string }>(sql`
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
      'type', 'Feature', 'id', v.code, 'geometry', ST_AsGeoJSON(v.geom, 7)::json,
      'properties', json_build_object('code', v.code, 'name', v.name, 'kind', v.kind, 'districtCode', v.district_code,
        'regencyCode', v.regency_code, 'areaKm2', round((v.area_m2 / 1e6)::numeric, 4), 'isCoastal', v.is_coastal,
        'households', v.p_households, 'householdsDesil1To2', v.p_households_desil_1_to_2,
        'rtlhHouseholds', v.p_rtlh_households,
        'fisherShare', round(v.p_fisher_share::numeric, 4),
        'priorityScore', round(v.priority_score::numeric, 2))
    ) ORDER BY v.code), '[]'::json))::text AS fc
    FROM (SELECT ${SELECT}, ${geometry} AS geom, ${score} AS priority_score, pv.households AS p_households,
            pv.households_desil_1_to_2 AS p_households_desil_1_to_2, pv.rtlh_households AS p_rtlh_households,
            ${VISIBLE_FISHER_SHARE} AS p_fisher_share ${villageFrom(protection)}
          WHERE ${sql.join(where, sql` AND `)} ORDER BY r.code LIMIT ${q.limit}) v`);
  return row?.fc ?? '{"type":"FeatureCollection","features":[]}';
}

/** Whether the principal may see this village at all (PARTNER: granted or funded villages). */
export async function villageVisible(db: Queryable, principal: Principal, code: string): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>(sql`SELECT ${policy.villageScope(principal, sql`${code}::text`)} AS ok`);
  return row?.ok ?? false;
}

// --- the page as one JSON text (village.page.ts; how the JSON is written: db/json-text.ts) ---

/**
 * The object types a villages page can build in SQL and their fields: `null` for a leaf, else the
 * field's object type (an object, or a list of them). Fields with arguments (`boundary`,
 * `priority(weights:)`) and fields served by other loaders (`district`, `regency`, `province`) are
 * absent: a selection with any of them takes the resolvers.
 */
export const VILLAGE_JSON_TYPES = {
  Village: {
    code: null, name: null, kind: null, districtCode: null, regencyCode: null, provinceCode: null, hasBoundary: null,
    centroid: null, areaKm2: null, coastal: 'CoastalAttributes', priority: 'PriorityScore', needStatistics: 'VillageNeedStatistics',
  },
  CoastalAttributes: { isCoastal: null, source: null, seawardBoundaryMeters: null, distanceToCoastlineMeters: null },
  PriorityScore: { score: null, components: 'PriorityComponent' },
  PriorityComponent: { name: null, value: null, weight: null, points: null },
  VillageNeedStatistics: {
    households: null, members: null, householdsByDesil: 'DesilCount', householdsDesil1To2: null, householdsDesil1To4: null,
    householdsByPas: 'PasCount', rtlhHouseholds: null, elderlyMembers: null, childMembers: null, disabledMembers: null,
    householdsWithElderly: null, householdsWithDisabled: null, fisherHouseholds: null, fisherShare: null, vulnerableHouseholds: null,
  },
  DesilCount: { desil: null, households: null },
  PasCount: { pas: null, households: null },
} as const satisfies Record<string, Record<string, string | null>>;

export type VillageJsonType = keyof typeof VILLAGE_JSON_TYPES;

/** One key of a JSON object of a villages page: `__typename`, or a field (with its keys when it is an object). */
export type VillageJsonKey = { key: string; typename: string } | { key: string; field: string; children?: VillageJsonKey[] };

/**
 * A weight written into the statement as a literal, not a parameter: the parts of the page
 * statement that hold only literals are rendered once per shape (renderedOnce). String(x) is the
 * shortest decimal that reads back as x, so PostgreSQL multiplies by the very same double.
 */
function weightLiteral(value: number): SQL {
  if (!Number.isFinite(value) || value < 0) throw new Error(`a priority weight must be a finite number ≥ 0; got ${value}`);
  return sql.raw(`${String(value)}::float8`);
}

/**
 * What the page's rows (`v`, one per village of the page) carry: the village as the caller sees it,
 * every value from the village source (villageFrom's visible counts, VISIBLE_FISHER_SHARE, the
 * priority components and score), so the page shows what `findVillages` sorted and filtered by.
 * Literals only (no parameters): rendered once per display weights.
 */
function pageValues(displayWeights: PriorityWeights): SQL {
  return sql`r.code, r.name, r.kind, r.district_code, r.regency_code, r.province_code,
    g.village_code IS NOT NULL AS has_boundary, ST_AsGeoJSON(g.centroid, 7) AS centroid, g.area_m2 / 1e6::float8 AS area_km2,
    g.is_coastal, g.coastal_source, g.seaward_boundary_m, g.distance_to_coastline_m,
    px.exact, ${sql.join(VISIBLE_COUNTS.map((column) => sql.raw(`pv.${column}`)), sql`, `)}, ${VISIBLE_FISHER_SHARE} AS fisher_share,
    ${PRIORITY_SUPPRESSED} AS priority_suppressed,
    ${sql.join(PRIORITY_COMPONENTS.map((name) => sql`${PRIORITY_COMPONENT_SQL[name]} AS ${sql.raw(`c_${name}`)}`), sql`, `)},
    ${priorityScore(displayWeights, weightLiteral)} AS priority_score`;
}

const pasColumn = (pas: PasCode) => `pas_${pas.toLowerCase()}`;

/**
 * The per-desil and per-PAS counts as the caller sees them (toVillage, visibleNeedStatistics):
 * all ten desil and all PAS, missing ones as 0, protected where px.exact does not hold, PAS the
 * caller may not see as NULL. Only joined when a page selects those lists.
 */
function listCounts(p: VillageProtection, principal: Principal): SQL {
  const hidden = policy.hiddenPas(principal) as string[];
  const protect = (count: string) => protectCountSql(sql.raw(count), p.k, sql`px.exact`);
  const desil = Array.from({ length: 10 }, (_, i) => sql`${protect(`coalesce(s.households_by_desil[${i + 1}], 0)`)} AS ${sql.raw(`desil_${i + 1}`)}`);
  const pas = PAS_CODES.map((code) =>
    hidden.includes(code) ? sql`NULL::int AS ${sql.raw(pasColumn(code))}` : sql`${protect(`coalesce((s.households_by_pas ->> '${code}')::int, 0)`)} AS ${sql.raw(pasColumn(code))}`,
  );
  return sql` CROSS JOIN LATERAL (SELECT ${sql.join([...desil, ...pas], sql`, `)}) pl`;
}

/** Statement parts that hold only literals, rendered once per key (bounded, oldest out). */
const rendered = new RenderedSql(200);

interface PageJsonContext {
  displayWeights: PriorityWeights;
}

const column = (name: string) => sql.raw(`v.${name}`);

/** The JSON text of one object of the page, its keys in the order of `keys`. */
function objectJson(type: VillageJsonType, keys: readonly VillageJsonKey[], ctx: PageJsonContext, item?: string | number): SQL {
  return jsonObject(keys, (k) => ('typename' in k ? typenameJson(k.typename) : fieldJson(type, k.field, k.children ?? [], ctx, item)));
}

/** The JSON text of one field, as the resolvers would serialise it (toVillage, visibleNeedStatistics, visiblePriority). */
function fieldJson(type: VillageJsonType, field: string, children: readonly VillageJsonKey[], ctx: PageJsonContext, item?: string | number): SQL {
  switch (`${type}.${field}`) {
    case 'Village.code': return stringJson(column('code'));
    case 'Village.name': return stringJson(column('name'));
    case 'Village.kind': return enumJson(column('kind'));
    case 'Village.districtCode': return stringJson(column('district_code'));
    case 'Village.regencyCode': return stringJson(column('regency_code'));
    case 'Village.provinceCode': return stringJson(column('province_code'));
    case 'Village.hasBoundary': return literalJson(column('has_boundary'));
    case 'Village.centroid': return column('centroid');
    case 'Village.areaKm2': return jsonFloat(column('area_km2'));
    case 'Village.coastal': return sql`(CASE WHEN v.has_boundary THEN ${objectJson('CoastalAttributes', children, ctx)} ELSE 'null' END)`;
    case 'Village.priority': return sql`(CASE WHEN v.priority_suppressed THEN 'null' ELSE ${objectJson('PriorityScore', children, ctx)} END)`;
    case 'Village.needStatistics': return objectJson('VillageNeedStatistics', children, ctx);
    case 'CoastalAttributes.isCoastal': return literalJson(sql`coalesce(v.is_coastal, false)`);
    case 'CoastalAttributes.source': return enumJson(sql`coalesce(v.coastal_source::text, 'NATURAL_EARTH_COASTLINE')`);
    case 'CoastalAttributes.seawardBoundaryMeters': return jsonFloat(column('seaward_boundary_m'));
    case 'CoastalAttributes.distanceToCoastlineMeters': return jsonFloat(column('distance_to_coastline_m'));
    case 'PriorityScore.score': return jsonFloat(column('priority_score'));
    case 'PriorityScore.components': return jsonArray(PRIORITY_COMPONENTS.map((name) => objectJson('PriorityComponent', children, ctx, name)));
    case 'PriorityComponent.name': return sql.raw(`'"${item}"'`);
    case 'PriorityComponent.value': return jsonFloat(column(`c_${item}`));
    // The weight is the request's number as JSON.stringify writes it.
    case 'PriorityComponent.weight': return sql.raw(`'${JSON.stringify(Number(ctx.displayWeights[item as PriorityComponentName]))}'`);
    // As priorityOf: (100 × value) × weight, in that order.
    case 'PriorityComponent.points': return jsonFloat(sql`(100::float8 * ${column(`c_${item}`)} * ${weightLiteral(ctx.displayWeights[item as PriorityComponentName])})`);
    case 'VillageNeedStatistics.households': return literalJson(column('households'));
    case 'VillageNeedStatistics.members': return literalJson(column('members'));
    case 'VillageNeedStatistics.householdsDesil1To2': return literalJson(column('households_desil_1_to_2'));
    case 'VillageNeedStatistics.householdsDesil1To4': return literalJson(column('households_desil_1_to_4'));
    case 'VillageNeedStatistics.rtlhHouseholds': return literalJson(column('rtlh_households'));
    case 'VillageNeedStatistics.elderlyMembers': return literalJson(column('elderly_members'));
    case 'VillageNeedStatistics.childMembers': return literalJson(column('child_members'));
    case 'VillageNeedStatistics.disabledMembers': return literalJson(column('disabled_members'));
    case 'VillageNeedStatistics.householdsWithElderly': return literalJson(column('households_with_elderly'));
    case 'VillageNeedStatistics.householdsWithDisabled': return literalJson(column('households_with_disabled'));
    case 'VillageNeedStatistics.fisherHouseholds': return literalJson(column('fisher_households'));
    case 'VillageNeedStatistics.fisherShare': return jsonFloat(column('fisher_share'));
    case 'VillageNeedStatistics.vulnerableHouseholds': return literalJson(column('vulnerable_households'));
    // All ten desil, missing elements as 0 (toVillage).
    case 'VillageNeedStatistics.householdsByDesil':
      return jsonArray(Array.from({ length: 10 }, (_, i) => objectJson('DesilCount', children, ctx, i + 1)));
    // All PAS in PAS order; those the caller may not see are null (visibleNeedStatistics).
    case 'VillageNeedStatistics.householdsByPas': return jsonArray(PAS_CODES.map((pas) => objectJson('PasCount', children, ctx, pas)));
    case 'DesilCount.desil': return sql.raw(`'${Number(item)}'`);
    case 'DesilCount.households': return literalJson(column(`desil_${Number(item)}`));
    case 'PasCount.pas': return enumJson(sql.raw(`'${pasCode(item)}'`));
    case 'PasCount.households': return literalJson(column(pasColumn(pasCode(item))));
    default:
      throw new Error(`${type}.${field} is not built in SQL (VILLAGE_JSON_TYPES lists what is)`);
  }
}

function pasCode(item: string | number | undefined): PasCode {
  if (!PAS_CODES.includes(item as PasCode)) throw new Error(`not a PAS code: ${String(item)}`);
  return item as PasCode;
}

/** Whether the selection asks for householdsByDesil or householdsByPas (then listCounts is joined). */
function selectsLists(keys: readonly VillageJsonKey[]): boolean {
  return keys.some((k) => 'field' in k && (k.field === 'householdsByDesil' || k.field === 'householdsByPas' || (k.children !== undefined && selectsLists(k.children))));
}

export interface VillagePageJson {
  /** The page's nodes: a JSON array text. */
  nodes: string;
  /** Whether another page follows (the statement reads limit + 1 villages). */
  hasNextPage: boolean;
  /** Sort key of the page's last village (its cursor), null on an empty page. */
  last: CursorKey | null;
  /** The exact count of the whole listing, when asked for. */
  total: number | null;
}

/**
 * A page of `findVillages` (same source, conditions, order and keyset: pageOrder) in one statement,
 * its nodes as one JSON text built by PostgreSQL, with the count of the listing when `withTotal`.
 * `q.limit` is the page size. `displayWeights` are those of the `priority` field (not of the order).
 *
 * The page's villages are chosen first (as findVillages, by the index-friendly top-N sort), then
 * joined to the source again for their values: 51 lookups by primary key, so the JSON expressions
 * are evaluated for the page only, each value once (the window function keeps `v` a subquery).
 */
export async function villagePageJson(
  db: Queryable,
  q: VillagePageQuery,
  principal: Principal,
  keys: readonly VillageJsonKey[],
  withTotal: boolean,
  displayWeights: PriorityWeights,
): Promise<VillagePageJson> {
  const protection = q.criteria.protection ?? EXACT;
  const { where, score, orderBy } = pageOrder(q);
  const pageOrderBy = q.order === 'PRIORITY' ? sql`p.priority_score DESC, p.code` : q.order === 'NAME' ? sql`p.name_key, p.code` : sql`p.code`;
  const ctx: PageJsonContext = { displayWeights };
  const weightsKey = JSON.stringify(PRIORITY_COMPONENTS.map((name) => displayWeights[name]));
  // The two large parts (the values and the JSON of the selection) hold no parameters: rendered once per shape.
  const node = rendered.get(`node ${weightsKey} ${JSON.stringify(keys)}`, () => objectJson('Village', keys, ctx));
  const values = rendered.get(`values ${weightsKey}`, () => pageValues(displayWeights));
  const lists = selectsLists(keys) ? sql`, pl.* ` : sql``;
  const total = withTotal ? sql`(SELECT count(*)::int ${villageFrom(protection)} WHERE ${sql.join(conditions(q.criteria), sql` AND `)})` : sql`NULL::int`;
  const lastOf = (name: string) => sql`(array_agg(${sql.raw(`v.${name}`)} ORDER BY v.page_row DESC) FILTER (WHERE v.page_row <= ${q.limit}))[1]`;
  const statement = sql`
    SELECT '[' || coalesce(string_agg(${node}, ',' ORDER BY v.page_row) FILTER (WHERE v.page_row <= ${q.limit}), '') || ']' AS nodes,
      count(*)::int AS rows, ${lastOf('code')} AS last_code, ${lastOf('sort_name_key')} AS last_name_key,
      ${lastOf('sort_score')} AS last_score, ${total} AS total
    FROM (SELECT row_number() OVER (ORDER BY ${pageOrderBy}) AS page_row, p.priority_score AS sort_score, p.name_key AS sort_name_key, ${values}${lists}
      ${villageFrom(protection)}${selectsLists(keys) ? listCounts(protection, principal) : sql``}
      JOIN (SELECT r.code, r.name_key, ${score} AS priority_score ${villageFrom(protection)}
            WHERE ${sql.join(where, sql` AND `)} ORDER BY ${orderBy} LIMIT ${q.limit + 1}) p ON p.code = r.code) v`;
  const [row] = await db.query<{ nodes: string; rows: number; last_code: string | null; last_name_key: string | null; last_score: number | null; total: number | null }>(
    planStable(statement, villagePagePlanStable(q.criteria, principal)),
  );
  const code = row?.last_code ?? null;
  const lastKey: CursorKey | null =
    code === null ? null : q.order === 'PRIORITY' ? [row!.last_score!, code] : q.order === 'NAME' ? [row!.last_name_key!, code] : [code];
  return { nodes: jsNumberNotation(row?.nodes ?? '[]'), hasNextPage: (row?.rows ?? 0) > q.limit, last: lastKey, total: row?.total ?? null };
}
