/**
 * The one household source (issue 13, "one source per entity"). Every surface that lists
 * households — the GraphQL `households` connection, `householdsFeatureCollection`, the OGC
 * `households` collection and the `households` vector tile layer — and every surface that counts
 * them on the protected grid — GraphQL `householdGrid`, the `household_grid` tile layer and its
 * TileJSON centre — builds its SQL here. The surfaces only translate their parameters into
 * `HouseholdCriteria` and encode what comes back (GraphQL objects, GeoJSON, MVT).
 *
 * What the source owns:
 * - the FROM clause (`households h`; no identity table: names, NIK, KK and addresses never reach
 *   a listing, they are loaded per household by the GraphQL identity field);
 * - the policy's scope: for records the row scope AND the village scope (a PARTNER reads only
 *   households it delivers to, in villages open to it), for the grid the aggregate scope;
 * - ACTIVE households only: a FULL registry snapshot marks the households it no longer lists
 *   inactive (`inactive_since`, migration 0013) instead of deleting them, and they no longer count
 *   in village statistics; no listing or count shows them either. Reads by id
 *   (`householdsByIds`) still return them within the row scope — packages, items and history refer
 *   to them — with `inactive_since` set so the caller can tell;
 * - the filters (village, bbox, polygon, PAS, desil, RTLH, livelihoods, flags, radius);
 * - the properties each role may see (`householdProperties`: sensitive PAS removed in SQL);
 * - the protected grid (`householdGridCells`): counts per cell with the caller's protection.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Geometry } from 'geojson';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { type CircleWgs84, geometryParam, withinCircle } from '../../geo/spatial-sql.js';
import type { Livelihood, Pas } from './household.enums.js';

/** [minLongitude, minLatitude, maxLongitude, maxLatitude], WGS84; minLongitude > maxLongitude crosses the antimeridian. */
export type BboxWgs84 = readonly [number, number, number, number];

export interface HouseholdCriteria {
  /** Who reads: row scope and visible PAS come from the access policy. */
  principal: Principal;
  villageCode?: string;
  bboxWgs84?: BboxWgs84;
  within?: Geometry;
  pasAny?: Pas[];
  pasAll?: Pas[];
  desilMin?: number;
  desilMax?: number;
  isRtlh?: boolean;
  hasElderly?: boolean;
  hasChild?: boolean;
  hasDisabled?: boolean;
  livelihoods?: Livelihood[];
  isMustahik?: boolean;
  near?: CircleWgs84;
}

/** The FROM clause of every household listing; the row is aliased `h`. */
export const HOUSEHOLDS_FROM = sql`FROM households h`;

/** Households still listed by the latest registry snapshot (see the module comment). */
export const ACTIVE_HOUSEHOLD = sql`h.inactive_since IS NULL`;

/**
 * `records`: household records (the caller must have passed `policy.canReadHouseholdRecords`);
 * `aggregate`: rows counted into an aggregate (VIEWER all, PARTNER its villages, others their row scope).
 */
export type HouseholdReading = 'records' | 'aggregate';

function scope(principal: Principal, reading: HouseholdReading): SQL {
  if (reading === 'aggregate') return policy.aggregateScope(principal);
  return sql`${policy.householdRowScope(principal)} AND ${policy.villageScope(principal, sql`h.village_code`)}`;
}

/**
 * `h.location` in the box (edges included), on the GiST index; a box crossing the antimeridian is
 * two boxes. ST_Intersects, not `&&` alone: `&&` compares float4-rounded index boxes and lets in
 * points just outside the edge.
 */
function inBbox([minLon, minLat, maxLon, maxLat]: BboxWgs84): SQL {
  const box = (w: number, e: number) => sql`ST_Intersects(h.location, ST_MakeEnvelope(${w}::float8, ${minLat}::float8, ${e}::float8, ${maxLat}::float8, 4326))`;
  return minLon <= maxLon ? box(minLon, maxLon) : sql`(${box(minLon, 180)} OR ${box(-180, maxLon)})`;
}

/** The criteria's filters as WHERE parts over `households h`: the one place household filters become SQL. */
function filterConditions(c: HouseholdCriteria): SQL[] {
  const where: SQL[] = [];
  if (c.villageCode) where.push(sql`h.village_code = ${c.villageCode}`);
  if (c.bboxWgs84) where.push(inBbox(c.bboxWgs84));
  if (c.within) where.push(sql`ST_Intersects(h.location, ${geometryParam(c.within)})`);
  if (c.pasAny?.length) where.push(sql`h.pas && ${sql.param(c.pasAny)}::pas[]`);
  if (c.pasAll?.length) where.push(sql`h.pas @> ${sql.param(c.pasAll)}::pas[]`);
  if (c.desilMin !== undefined) where.push(sql`h.desil >= ${c.desilMin}`);
  if (c.desilMax !== undefined) where.push(sql`h.desil <= ${c.desilMax}`);
  if (c.isRtlh !== undefined) where.push(sql`h.is_rtlh = ${c.isRtlh}`);
  if (c.hasElderly !== undefined) where.push(sql`h.has_elderly = ${c.hasElderly}`);
  if (c.hasChild !== undefined) where.push(sql`h.has_child = ${c.hasChild}`);
  if (c.hasDisabled !== undefined) where.push(sql`h.has_disabled = ${c.hasDisabled}`);
  if (c.livelihoods?.length) where.push(sql`h.livelihood = ANY(${sql.param(c.livelihoods)}::livelihood[])`);
  if (c.isMustahik !== undefined) where.push(sql`h.is_mustahik = ${c.isMustahik}`);
  if (c.near) where.push(withinCircle(sql`h.location`, c.near));
  return where;
}

/** WHERE parts over `households h`: scope, active rows and the filters. */
export function householdConditions(c: HouseholdCriteria, reading: HouseholdReading = 'records'): SQL[] {
  return [scope(c.principal, reading), ACTIVE_HOUSEHOLD, ...filterConditions(c)];
}

/** `WHERE …` of a household listing. */
export const householdWhere = (c: HouseholdCriteria, reading: HouseholdReading = 'records'): SQL =>
  sql`WHERE ${sql.join(householdConditions(c, reading), sql` AND `)}`;

/**
 * Most regions read as separate ordered branches (`householdPageRows`); a planner holding more
 * reads one OR of them (a bitmap of its regions and a sort). Each branch costs an index descent
 * and up to a page of rows, and PostgreSQL plans every branch.
 */
const MAX_ORDERED_BRANCHES = 32;

/**
 * The household records of one page of a listing, as a query to select from: `h.*` of the
 * households in the criteria's records scope, after `afterId`, in id order, at most `limit`.
 *
 * A planner with several regions reads each region as its own branch, ordered by id and limited,
 * and the page is the first `limit` of their union: each branch walks its region's index
 * (`policy.householdRowScopeParts`, migration 0019), where one OR over the regions would walk the
 * whole id index or sort every row of every region. The branches are disjoint and their OR is
 * the row scope, so every household in scope comes exactly once.
 */
export function householdPageRows(c: HouseholdCriteria, afterId: number | null, limit: number): SQL {
  const rest = [policy.villageScope(c.principal, sql`h.village_code`), ACTIVE_HOUSEHOLD, ...filterConditions(c)];
  if (afterId !== null) rest.push(sql`h.id > ${afterId}`);
  const branch = (rowScope: SQL) => sql`SELECT h.* ${HOUSEHOLDS_FROM} WHERE ${sql.join([rowScope, ...rest], sql` AND `)} ORDER BY h.id LIMIT ${limit}`;
  const parts = policy.householdRowScopeParts(c.principal);
  if (parts.length === 1 || parts.length > MAX_ORDERED_BRANCHES) return branch(policy.householdRowScope(c.principal));
  return sql`SELECT h.* FROM (${sql.join(parts.map((part) => sql`(${branch(part)})`), sql` UNION ALL `)}) h ORDER BY h.id LIMIT ${limit}`;
}

/**
 * Whether a page of `householdPageRows` (and its count, when `withTotal`) has one best plan for
 * every value of its parameters, so that it may be prepared (db/prepared-statements.ts). True
 * when each part of the read descends one btree in id order whatever the values: a village
 * (`households_village_idx`), a PLANNER's region (the region indexes of migration 0019), or
 * everything for ADMIN and national planners. Boxes, polygons, circles, PAS, desil, livelihoods
 * and flags select from none to all rows, and a generic plan chosen for one end walks the id
 * index for the other (2.5–3.8 s against 0.2 s for a box at 1M households). So do a
 * PENDAMPING's villages (`= ANY`), a PARTNER's delivery items without a village, a planner's
 * regions read as one OR (`regionsAsBranches` false: a listing built on `householdConditions`
 * rather than `householdPageRows`), and a count over a region.
 */
export function householdPagePlanStable(c: HouseholdCriteria, withTotal: boolean, regionsAsBranches = true): boolean {
  // Any criterion besides the village, including one added later, makes it unstable.
  const { principal, villageCode, ...filters } = c;
  if (Object.values(filters).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) return false;
  if (villageCode) return true;
  if (withTotal) return false;
  if (principal.role === 'ADMIN') return true;
  if (principal.role !== 'PLANNER') return false;
  // Several regions descend one index each only as householdPageRows' branches (up to
  // MAX_ORDERED_BRANCHES); read as one OR or `= ANY` (householdConditions: OGC) they do not.
  const parts = policy.householdRowScopeParts(principal).length;
  return parts === 1 || (regionsAsBranches && parts <= MAX_ORDERED_BRANCHES);
}

/**
 * The properties of a household feature (GraphQL FeatureCollection, OGC, tiles), in order, with
 * the SQL that gives each for this principal. No names, identifiers or addresses; PAS without
 * those the principal may not see. Surfaces pick names (camelCase for GraphQL, snake_case for OGC
 * and tiles) and encodings, never the values.
 */
export function householdProperties(principal: Principal) {
  return {
    id: sql`h.id`,
    villageCode: sql`h.village_code`,
    desil: sql`h.desil`,
    livelihood: sql`h.livelihood`,
    pas: policy.visiblePasSql(principal, sql`h.pas`),
    isRtlh: sql`h.is_rtlh`,
    rtlhReasons: sql`h.rtlh_reasons`,
    memberCount: sql`h.member_count`,
    hasElderly: sql`h.has_elderly`,
    hasChild: sql`h.has_child`,
    hasDisabled: sql`h.has_disabled`,
    isMustahik: sql`h.is_mustahik`,
  } as const;
}

export type HouseholdProperty = keyof ReturnType<typeof householdProperties>;

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A GeoJSON Feature (json) of the household row `h`: id = household id, Point in WGS84, 7 decimals. */
export function householdFeatureJson(principal: Principal, naming: 'camelCase' | 'snake_case'): SQL {
  const properties = Object.entries(householdProperties(principal)).map(
    // Names are constants of this module, not input: literals keep the statement's text fixed.
    ([name, value]) => sql`${sql.raw(`'${naming === 'camelCase' ? name : snakeCase(name)}'`)}, ${value}`,
  );
  return sql`json_build_object('type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
    'properties', json_build_object(${sql.join(properties, sql`, `)}))`;
}

// --- the protected grid -----------------------------------------------------------------------

/**
 * Household counts on a square grid for `principal`, in its aggregate scope, active households
 * only. Cells are whole: with `cellsWgs84` every cell touching the box is counted whole (the
 * prefilter is widened to cell edges and cells beyond the box are dropped), so moving a bbox edge
 * or a tile boundary cannot cut a cell.
 *
 * Protection is decided here, not by the surface: a cell with fewer than k households is
 * `suppressed` (all counts null); otherwise VIEWER and PARTNER (`policy.suppressesSmallCounts`)
 * get protected counts (1 … k − 1 null, larger rounded to a multiple of k), every other role —
 * which counts only rows it may read anyway — gets counts with 1 … k − 1 suppressed.
 *
 * Columns: gx, gy (cell indexes: the cell is [gx·c, gy·c, (gx+1)·c, (gy+1)·c] degrees), cell
 * (geometry, SRID 4326), households, desil_1_to_2, rtlh, suppressed. No exact count leaves it.
 */
export function householdGridCells(criteria: HouseholdCriteria, cellDegrees: number, k: number, cellsWgs84?: BboxWgs84): SQL {
  const c = sql`${cellDegrees}::float8`;
  const filters: SQL[] = householdConditions({ ...criteria, bboxWgs84: undefined }, 'aggregate');
  const cellRange: SQL[] = [];
  if (cellsWgs84) {
    const [w, s, e, n] = cellsWgs84;
    const [gx0, gy0, gx1, gy1] = [Math.floor(w / cellDegrees), Math.floor(s / cellDegrees), Math.floor(e / cellDegrees), Math.floor(n / cellDegrees)];
    filters.push(inBbox([gx0 * cellDegrees, gy0 * cellDegrees, (gx1 + 1) * cellDegrees, (gy1 + 1) * cellDegrees]));
    cellRange.push(sql`g.gx BETWEEN ${gx0} AND ${gx1}`, sql`g.gy BETWEEN ${gy0} AND ${gy1}`);
  }
  const shown = policy.suppressesSmallCounts(criteria.principal)
    ? (count: SQL) => sql`CASE WHEN ${count} = 0 THEN 0 WHEN ${count} < ${k} THEN NULL ELSE (round(${count}::numeric / ${k}) * ${k})::int END`
    : (count: SQL) => sql`CASE WHEN ${count} > 0 AND ${count} < ${k} THEN NULL ELSE ${count} END`;
  const count = (column: SQL) => sql`CASE WHEN g.households < ${k} THEN NULL ELSE ${shown(column)} END`;
  return sql`SELECT g.gx, g.gy, ST_MakeEnvelope(g.gx * ${c}, g.gy * ${c}, (g.gx + 1) * ${c}, (g.gy + 1) * ${c}, 4326) AS cell,
      ${count(sql`g.households`)} AS households, ${count(sql`g.desil_1_to_2`)} AS desil_1_to_2, ${count(sql`g.rtlh`)} AS rtlh,
      g.households < ${k} AS suppressed
    FROM (SELECT floor(ST_X(h.location) / ${c})::int AS gx, floor(ST_Y(h.location) / ${c})::int AS gy, count(*)::int AS households,
            count(*) FILTER (WHERE h.desil <= 2)::int AS desil_1_to_2, count(*) FILTER (WHERE h.is_rtlh)::int AS rtlh
          ${HOUSEHOLDS_FROM} WHERE ${sql.join(filters, sql` AND `)}
          GROUP BY 1, 2) g
    ${cellRange.length ? sql`WHERE ${sql.join(cellRange, sql` AND `)}` : sql``}`;
}
