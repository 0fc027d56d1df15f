/**
 * All SQL of the villages feature. Villages are regions of level VILLAGE, joined to their
 * geography (1,107 known boundaries) and their need statistics (village_stats).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import type { Principal } from '../../auth/principal.js';
import { policy, protectCountSql } from '../../auth/policy.js';
import type { Queryable } from '../../db/database.js';
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

/**
 * The one village source: regions, geography and statistics, plus `px.exact` (whether this row's
 * counts are exact for the caller) and `pv.*`, the counts as the caller sees them, computed in SQL
 * once per row (two LATERALs over the same row, so the planner keeps one scan).
 */
export function villageFrom(p: VillageProtection = EXACT): SQL {
  const c = (column: string) => protectCountSql(sql.raw(`coalesce(s.${column}, 0)`), p.k, sql`px.exact`);
  return sql`${BASE_FROM}
  CROSS JOIN LATERAL (SELECT ${p.exact} AS exact) px
  CROSS JOIN LATERAL (SELECT ${c('households')} AS households, ${c('households_desil_1_to_2')} AS households_desil_1_to_2,
    ${c('rtlh_households')} AS rtlh_households, ${c('vulnerable_households')} AS vulnerable_households,
    ${c('fisher_households')} AS fisher_households) pv`;
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

/**
 * The documented priority score (see PriorityScore in the schema), 0–100, in SQL so it can be
 * ordered by. Where the caller's counts are protected it is computed from the protected counts
 * (as visiblePriority does), and null where the household count itself is suppressed: sorting and
 * cursors then carry nothing the caller could not read (issue 13, class 1).
 */
function priorityScore(w: PriorityWeights): SQL {
  return sql`CASE WHEN px.exact THEN (CASE WHEN coalesce(s.households, 0) = 0 THEN 0::float8 ELSE 100 * (
      ${w.poverty}::float8 * s.households_desil_1_to_2 / s.households
    + ${w.housing}::float8 * s.rtlh_households / s.households
    + ${w.vulnerability}::float8 * s.vulnerable_households / s.households
    + ${w.fishing}::float8 * s.fisher_share
    + ${w.coastal}::float8 * (CASE WHEN g.is_coastal THEN 1 ELSE 0 END)) END)
    WHEN pv.households IS NULL THEN NULL
    WHEN pv.households = 0 THEN 0::float8
    ELSE 100 * (
      ${w.poverty}::float8 * least(1, coalesce(pv.households_desil_1_to_2, 0)::float8 / pv.households)
    + ${w.housing}::float8 * least(1, coalesce(pv.rtlh_households, 0)::float8 / pv.households)
    + ${w.vulnerability}::float8 * least(1, coalesce(pv.vulnerable_households, 0)::float8 / pv.households)
    + ${w.fishing}::float8 * coalesce(pv.fisher_households::float8 / pv.households, 0)
    + ${w.coastal}::float8 * (CASE WHEN g.is_coastal THEN 1 ELSE 0 END)) END`;
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

export interface VillagePageQuery {
  criteria: VillageCriteria;
  order: VillageOrder;
  weights: PriorityWeights;
  after: CursorKey | null;
  limit: number;
}

export async function findVillages(db: Queryable, q: VillagePageQuery): Promise<VillageRow[]> {
  const where = conditions(q.criteria);
  const score = sortScore(q.weights);
  let orderBy: SQL;
  if (q.order === 'PRIORITY') {
    orderBy = sql`priority_score DESC, r.code`;
    if (q.after) where.push(sql`(${score} < ${q.after[0]} OR (${score} = ${q.after[0]} AND r.code > ${q.after[1]}))`);
  } else if (q.order === 'NAME') {
    orderBy = sql`r.name_key, r.code`;
    if (q.after) where.push(sql`(r.name_key, r.code) > (${q.after[0]}, ${q.after[1]})`);
  } else {
    orderBy = sql`r.code`;
    if (q.after) where.push(sql`r.code > ${q.after[0]}`);
  }
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
