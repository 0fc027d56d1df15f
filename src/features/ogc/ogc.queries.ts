/**
 * All SQL of the OGC API – Features collections.
 *
 * Every collection is a `Source`: a FROM clause, the access predicate of the principal (always in
 * SQL, so rows a principal may not read are never fetched, counted or paged over), a unique
 * indexed key for keyset paging, and a GeoJSON Feature built by PostGIS as JSON text (the
 * response splices it in without parsing it again). Geometry is CRS84: SRID 4326, axis order
 * longitude, latitude, 7 decimals (about 1 cm).
 *
 * Household rows come from the household source (src/features/households): scope, active rows,
 * filters and visible properties are the ones GraphQL and the tiles use. No identity table is
 * ever joined: names, NIK, KK and addresses cannot reach a property.
 */
import { type SQL, sql } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import { FEATURES_PER_PIECE } from '../../db/json-text.js';
import { planStable } from '../../db/prepared-statements.js';
import type { Cursor, BboxCrs84, FeatureKey } from './ogc.params.js';
import { type HouseholdCriteria, householdConditions, householdFeatureJson, householdPagePlanStable, HOUSEHOLDS_FROM } from '../households/index.js';
import { itemFeatureSource, type PackageItemFilters as ItemFilters } from '../packages/index.js';
import { EXISTING_FACILITIES_FROM, EXISTING_FACILITY_FEATURE_JSON, EXISTING_FACILITY_GEOMETRY, existingFacilityConditions } from '../facilities/index.js';
import { inRegion, villageGraduationFeatureJson, villageGraduationMapFrom } from '../graduation/index.js';

export interface Source {
  from: SQL;
  where: SQL[];
  /** Unique, indexed sort key; the feature id. */
  key: SQL;
  /** Geometry (SRID 4326) for bbox filters and extents. */
  geometry: SQL;
  /** A GeoJSON Feature as json; for villages only the geometry (properties are added by the service). */
  body: SQL;
  /** Household whose personal data a row reveals (audited for non-admins); null when none. */
  householdId: SQL | null;
  /**
   * A statement (one row, column `n`) giving the exact number of rows of this source at a cost
   * that does not grow with the households, when there is one; without it numberMatched is
   * counted only up to NUMBER_MATCHED_CAP (`countRows`).
   */
  count?: SQL;
  /**
   * Its pages have one best plan whatever the filter values, so they may be prepared
   * (db/prepared-statements.ts; for households `householdPagePlanStable`). Unset: unnamed.
   */
  planStable?: boolean;
}

export interface SourceRow {
  key: FeatureKey;
  body: string;
  household_id: number | null;
  [column: string]: unknown;
}

const and = (parts: SQL[]) => sql.join(parts, sql` AND `);

/** `geometry` intersects the bbox; one crossing the antimeridian (minLon > maxLon) is two boxes. */
function intersectsBbox(geometry: SQL, [minLon, minLat, maxLon, maxLat]: BboxCrs84): SQL {
  const box = (w: number, e: number) => sql`ST_Intersects(${geometry}, ST_MakeEnvelope(${w}::float8, ${minLat}::float8, ${e}::float8, ${maxLat}::float8, 4326))`;
  return minLon <= maxLon ? box(minLon, maxLon) : sql`(${box(minLon, 180)} OR ${box(-180, maxLon)})`;
}

// --- villages ---------------------------------------------------------------------------------

export interface VillageFilters {
  bbox?: BboxCrs84;
  provinceCode?: string;
  regencyCode?: string;
  districtCode?: string;
  coastal?: boolean;
  kinds?: string[];
}

/** Villages with a known boundary in the principal's village scope. The body is the boundary. */
export function villageSource(principal: Principal, f: VillageFilters): Source {
  const where: SQL[] = [sql`r.level = 'VILLAGE'`, policy.villageScope(principal, sql`r.code`)];
  if (f.provinceCode) where.push(sql`r.province_code = ${f.provinceCode}`);
  if (f.regencyCode) where.push(sql`r.regency_code = ${f.regencyCode}`);
  if (f.districtCode) where.push(sql`r.district_code = ${f.districtCode}`);
  if (f.coastal !== undefined) where.push(sql`g.is_coastal = ${f.coastal}`);
  if (f.kinds?.length) where.push(sql`r.kind::text = ANY(${sql.param(f.kinds)}::text[])`);
  if (f.bbox) where.push(intersectsBbox(sql`g.boundary`, f.bbox));
  const from = sql`FROM village_geography g JOIN regions r ON r.code = g.village_code`;
  return {
    from,
    where,
    key: sql`r.code`,
    geometry: sql`g.boundary`,
    body: sql`ST_AsGeoJSON(g.boundary, 7)`,
    householdId: null,
    // Bounded by the number of villages (about 84,000 nationally), whatever the households.
    count: sql`SELECT count(*)::int AS n ${from} WHERE ${and(where)}`,
  };
}

// --- households -------------------------------------------------------------------------------

/** The GraphQL household filters, plus an exact desil and a bbox that may cross the antimeridian. */
export interface HouseholdFilters extends Omit<HouseholdCriteria, 'principal' | 'bboxWgs84' | 'within' | 'near' | 'pasAll'> {
  bbox?: BboxCrs84;
  desil?: number;
}

/**
 * Household records from the household source (scope, active rows, filters, visible properties):
 * the caller must first have passed `policy.canReadHouseholdRecords`. Only parameters are
 * translated here: an exact desil narrows the desil range, the bbox (which may cross the
 * antimeridian) is the source's.
 */
export function householdSource(principal: Principal, f: HouseholdFilters): Source {
  const { bbox, desil, ...criteria } = f;
  const desilMin = desil === undefined ? criteria.desilMin : Math.max(desil, criteria.desilMin ?? desil);
  const desilMax = desil === undefined ? criteria.desilMax : Math.min(desil, criteria.desilMax ?? desil);
  const householdCriteria = { ...criteria, desilMin, desilMax, principal, ...(bbox ? { bboxWgs84: bbox } : {}) };
  return {
    from: HOUSEHOLDS_FROM,
    where: householdConditions(householdCriteria),
    // OGC reads the row scope as one predicate (householdConditions), not as branches per region.
    planStable: householdPagePlanStable(householdCriteria, false, false),
    key: sql`h.id`,
    geometry: sql`h.location`,
    body: householdFeatureJson(principal, 'snake_case'),
    householdId: sql`h.id`,
    ...(householdTotal(principal, f) ?? {}),
  };
}

/**
 * Roles whose household row scope (`policy.householdRowScope`) is a predicate on the village code
 * alone: a region prefix (PLANNER) or a list of villages (PENDAMPING). PARTNER's is not (the
 * households it delivers to), VIEWER reads no records.
 */
const VILLAGE_LEVEL_ROW_SCOPE: ReadonlySet<Principal['role']> = new Set(['ADMIN', 'PLANNER', 'PENDAMPING']);

/**
 * The exact number of households a request without filters (or with only village_code) returns,
 * summed from `village_stats.households` instead of counting households: 8,181 rows to add up
 * instead of a million (600 ms of count(*) at 1M on the benchmark machine).
 *
 * Exact by the same invariant the village statistics already rest on: `households` is the number
 * of ACTIVE households of the village (inactive_since IS NULL, migration 0013), the row set the
 * household source lists; `refresh_village_stats` runs in the transaction of every write that adds
 * households, moves one to another village or changes `inactive_since` (the seeds, and the
 * registry import, for the villages it lists and the ones households left). Any other filter, or a
 * scope that is not a set of villages, has no maintained total: the count is then bounded.
 */
function householdTotal(principal: Principal, f: HouseholdFilters): { count: SQL } | null {
  const villageOnly = Object.entries(f).every(([name, value]) => value === undefined || name === 'villageCode');
  if (!villageOnly || !VILLAGE_LEVEL_ROW_SCOPE.has(principal.role)) return null;
  const vs = sql.raw('vs');
  const where = [policy.householdRowScope(principal, vs), policy.villageScope(principal, sql`vs.village_code`)];
  if (f.villageCode) where.push(sql`vs.village_code = ${f.villageCode}`);
  return { count: sql`SELECT coalesce(sum(vs.households), 0)::int AS n FROM village_stats vs WHERE ${and(where)}` };
}

// --- package items and facilities -------------------------------------------------------------

/** The OGC item filters are the package-item source's (BboxCrs84 is its bbox). */
export type PackageItemFilters = Omit<ItemFilters, 'facilitiesOnly' | 'packageIds' | 'bbox'> & { bbox?: BboxCrs84 };

/** Every item of every readable package, household items located at the household (the package-item source). */
export function packageItemSource(principal: Principal, f: PackageItemFilters): Source {
  return itemFeatureSource(principal, f);
}

/** Items whose intervention targets a FACILITY, at their site (the package-item source). */
export function facilitySource(principal: Principal, f: PackageItemFilters): Source {
  return itemFeatureSource(principal, { ...f, facilitiesOnly: true });
}

// --- existing facilities ----------------------------------------------------------------------

export interface ExistingFacilityFilters {
  bbox?: BboxCrs84;
  villageCode?: string;
  kinds?: string[];
}

/**
 * Existing public facilities (the facilities feature's SQL), in the principal's village scope —
 * the scope of the GraphQL Village.existingFacilities field: PARTNER its villages, every other
 * role every village. Public infrastructure, not personal data: no household id, no k-anonymity.
 */
export function existingFacilitySource(principal: Principal, f: ExistingFacilityFilters): Source {
  const where: SQL[] = [
    ...existingFacilityConditions({ ...(f.villageCode ? { villageCodes: [f.villageCode] } : {}), ...(f.kinds ? { kinds: f.kinds } : {}) }),
    policy.villageScope(principal, sql`ef.village_code`),
  ];
  if (f.bbox) where.push(intersectsBbox(EXISTING_FACILITY_GEOMETRY, f.bbox));
  return {
    from: EXISTING_FACILITIES_FROM,
    where,
    key: sql`ef.id`,
    geometry: EXISTING_FACILITY_GEOMETRY,
    body: EXISTING_FACILITY_FEATURE_JSON,
    householdId: null,
  };
}

// --- village graduation (issue 16) ------------------------------------------------------------

export interface VillageGraduationFilters {
  bbox?: BboxCrs84;
  /** Region codes (province … village), all of which a village must lie in. */
  regions?: string[];
  year?: number;
}

/**
 * Per-village graduation aggregates from the graduation feature's one source (the one GraphQL
 * graduationTargets(groupBy: VILLAGE) and the tile layer read), at the village boundary.
 */
export function villageGraduationSource(principal: Principal, f: VillageGraduationFilters, settings: { kAnonymity: number; graduationTargetPerYear: number }): Source {
  const year = f.year ?? new Date().getUTCFullYear();
  const regions = f.regions ?? [];
  const options = {
    year,
    defaultTarget: settings.graduationTargetPerYear,
    k: settings.kAnonymity,
    ...(regions.length ? { villages: (code: SQL) => and(regions.map((r) => inRegion(r)(code))) } : {}),
  };
  return {
    from: villageGraduationMapFrom(principal, options),
    // Paging, counts and extents splice `where` after WHERE: never empty.
    where: [f.bbox ? intersectsBbox(sql`g.boundary`, f.bbox) : sql`true`],
    key: sql`vg.village_code`,
    geometry: sql`g.boundary`,
    body: villageGraduationFeatureJson(year),
    householdId: null,
  };
}

// --- reads ------------------------------------------------------------------------------------

/**
 * One page by keyset: `after` reads forward from the key, `before` reads backward (the caller
 * reverses). Ask for one row more than the page to learn whether another page exists.
 */
export function pageRows(db: Queryable, s: Source, cursor: Pick<Cursor, 'direction' | 'key'> | null, limit: number): Promise<SourceRow[]> {
  const where = [...s.where];
  if (cursor) where.push(cursor.direction === 'after' ? sql`${s.key} > ${cursor.key}` : sql`${s.key} < ${cursor.key}`);
  const order = cursor?.direction === 'before' ? sql`DESC` : sql`ASC`;
  return db.query<SourceRow>(sql`SELECT ${s.key} AS key, ${s.body}::text AS body, ${s.householdId ?? sql`NULL::int`} AS household_id
    ${s.from} WHERE ${and(where)} ORDER BY ${s.key} ${order} LIMIT ${limit}`);
}

/**
 * Largest numberMatched counted row by row. Beyond it the count would cost about what reading the
 * features costs (a count(*) of 1,000,000 households took 600 ms against 35 ms for a page of
 * 1,000), and OGC API Features lets a server omit a number that is difficult to compute
 * (/req/core/fc-numberMatched B). 10,000 is the largest page (MAX_LIMIT): a selection that fits in
 * one page is always counted.
 */
export const NUMBER_MATCHED_CAP = 10_000;

/**
 * numberMatched: the source's own exact count when it has one (`Source.count`), else the rows
 * counted up to NUMBER_MATCHED_CAP, and null (omitted) when there are more. Never an estimate.
 */
/** A page of features as JSON text, and what the links and the audit need of it. */
export interface FeaturePage {
  /** The page's GeoJSON Features in key order, comma-separated, in consecutive pieces ([] when empty; join with ','). */
  features: string[];
  returned: number;
  /** Another row lies beyond the page in the reading direction. */
  more: boolean;
  /** Smallest and largest key of the page (null when empty). */
  firstKey: FeatureKey | null;
  lastKey: FeatureKey | null;
  /** Households the page reveals (for the audit). */
  householdIds: number[];
}

/**
 * `pageRows` with the features joined in PostgreSQL, in pieces of FEATURES_PER_PIECE
 * (db/json-text.ts). Joining the 1,000 row strings of a page in JavaScript cost the API some 3 ms
 * per page (CPU profile of op 7 at 1M), and so does any single string of ~400 kB. Rows are read
 * in the cursor's direction; pieces and the features in them are in ascending key order.
 */
export async function pageFeatures(db: Queryable, s: Source, cursor: Pick<Cursor, 'direction' | 'key'> | null, limit: number): Promise<FeaturePage> {
  const where = [...s.where];
  if (cursor) where.push(cursor.direction === 'after' ? sql`${s.key} > ${cursor.key}` : sql`${s.key} < ${cursor.key}`);
  const order = cursor?.direction === 'before' ? sql`DESC` : sql`ASC`;
  const statement = sql`
    WITH p AS (SELECT ${s.key} AS key, ${s.body}::text AS body, ${s.householdId ?? sql`NULL::int`} AS household_id, row_number() OVER (ORDER BY ${s.key} ${order}) AS n
               ${s.from} WHERE ${and(where)} ORDER BY ${s.key} ${order} LIMIT ${limit + 1})
    SELECT string_agg(p.body, ',' ORDER BY p.key) AS features, (SELECT count(*)::int FROM p) AS fetched, min(p.key) AS first_key, max(p.key) AS last_key,
      array_agg(p.household_id ORDER BY p.key) FILTER (WHERE p.household_id IS NOT NULL) AS household_ids
    FROM p WHERE p.n <= ${limit} GROUP BY (p.n - 1) / ${FEATURES_PER_PIECE} ORDER BY min(p.key)`;
  const rows = await db.query<{ features: string; fetched: number; first_key: FeatureKey; last_key: FeatureKey; household_ids: number[] | null }>(planStable(statement, s.planStable ?? false));
  // No piece: the page is empty, so nothing was fetched (limit >= 1).
  const fetched = rows[0]?.fetched ?? 0;
  return {
    features: rows.map((r) => r.features),
    returned: Math.min(fetched, limit),
    more: fetched > limit,
    firstKey: rows[0]?.first_key ?? null,
    lastKey: rows[rows.length - 1]?.last_key ?? null,
    householdIds: rows.flatMap((r) => r.household_ids ?? []),
  };
}

export async function countRows(db: Queryable, s: Source): Promise<number | null> {
  if (s.count) return (await db.query<{ n: number }>(s.count))[0]?.n ?? 0;
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT 1 ${s.from} WHERE ${and(s.where)} LIMIT ${NUMBER_MATCHED_CAP + 1}) matched`);
  const n = row?.n ?? 0;
  return n > NUMBER_MATCHED_CAP ? null : n;
}

export async function rowByKey(db: Queryable, s: Source, key: FeatureKey): Promise<SourceRow | null> {
  const [row] = await db.query<SourceRow>(sql`SELECT ${s.key} AS key, ${s.body}::text AS body, ${s.householdId ?? sql`NULL::int`} AS household_id
    ${s.from} WHERE ${and([...s.where, sql`${s.key} = ${key}`])} LIMIT 1`);
  return row ?? null;
}

/** Extents (CRS84 [minLon, minLat, maxLon, maxLat], null when empty) of several sources in one statement. */
export async function extents(db: Queryable, sources: Record<string, Source>): Promise<Record<string, BboxCrs84 | null>> {
  const names = Object.keys(sources);
  if (names.length === 0) return {};
  const columns = names.map((name, i) => {
    const s = sources[name] as Source;
    return sql`(SELECT json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e))
      FROM (SELECT ST_Extent(${s.geometry}) AS e ${s.from} WHERE ${and(s.where)}) x) AS ${sql.raw(`e${i}`)}`;
  });
  const [row] = await db.query(sql`SELECT ${sql.join(columns, sql`, `)}`);
  const parse = (value: unknown): BboxCrs84 | null => {
    const box = (typeof value === 'string' ? JSON.parse(value) : value) as (number | null)[] | null;
    return box && box.length === 4 && box.every((n) => typeof n === 'number') ? (box as unknown as BboxCrs84) : null;
  };
  return Object.fromEntries(names.map((name, i) => [name, parse(row?.[`e${i}`])]));
}
