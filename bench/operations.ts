/**
 * What the benchmark measures: the fixtures (chosen from the data by SQL at start, so they fit
 * any dataset size) and the operations, each with the request sent to the API, the closest
 * PostGraphile request where PostGraphile can serve it, and a check of the response.
 */
import type { Queryable } from '../src/db/database.js';

export interface Fixtures {
  households: number;
  /** Op 1: the regency with the most bounded villages. */
  regencyCode: string;
  regencyVillages: number;
  /** Op 2: the village whose household count is nearest to `villageTarget`. */
  villageCode: string;
  villageHouseholds: number;
  villageTarget: number;
  /** Op 3: a square bbox around the densest village holding about `bboxTarget` households. */
  bbox: [number, number, number, number];
  bboxHouseholds: number;
  bboxTarget: number;
  bboxVillageCode: string;
  /** Op 6: the z14 tile holding the most households (householdTileFixture) and the z10 tile holding the bbox centre. */
  householdTile: { z: number; x: number; y: number };
  /** Active households inside `householdTile`. */
  householdTileHouseholds: number;
  villageTile: { z: number; x: number; y: number };
  /**
   * Op 8: the regency and the province of the household with the highest id. The scale seed
   * stores households region by region, so these regions' households sit at the end of the id
   * order: the worst case for a regional planner's first page read in id order.
   */
  lastRegencyCode: string;
  lastRegencyHouseholds: number;
  lastProvinceCode: string;
  lastProvinceHouseholds: number;
}

export interface FixtureTargets {
  villageHouseholds: number;
  bboxHouseholds: number;
  /**
   * Op 6: the z14 tile whose household count is nearest to this, instead of the densest tile. The second size of a two-size run passes the first size's count here (and
   * the first size's village count as `villageHouseholds`), so that ops 2 and 6 return the same
   * number of households at both sizes, as op 3's 5,000 do, and the growth verdict compares the
   * same work on a larger database rather than a larger answer.
   */
  tileHouseholds?: number;
}

/** Slippy-map tile holding a WGS84 position. */
export function tileOf(longitude: number, latitude: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const x = Math.floor(((longitude + 180) / 360) * n);
  const rad = (latitude * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { z, x, y };
}

/** Slippy-map tile indexes of `location` at zoom 14 (tileOf in SQL). */
const Z14_TILE_SQL = `floor((ST_X(location) + 180) / 360 * 16384)::int AS x,
  floor((1 - ln(tan(radians(ST_Y(location))) + 1 / cos(radians(ST_Y(location)))) / pi()) / 2 * 16384)::int AS y`;

/**
 * Op 6's z14 tile: the one holding the most active households (the heaviest tile a planner can
 * ask for), or the one whose count is nearest `target`.
 */
async function householdTileFixture(db: Queryable, target: number | undefined): Promise<{ householdTile: Fixtures['householdTile']; householdTileHouseholds: number }> {
  const [row] = await db.query<{ x: number; y: number; n: number }>(
    `SELECT x, y, count(*)::int AS n FROM (SELECT ${Z14_TILE_SQL} FROM households WHERE inactive_since IS NULL) t
     GROUP BY x, y ORDER BY ${target === undefined ? 'count(*) DESC' : 'abs(count(*) - $1::int)'}, x, y LIMIT 1`,
    target === undefined ? [] : [target],
  );
  if (!row) throw new Error('no household tile');
  return { householdTile: { z: 14, x: row.x, y: row.y }, householdTileHouseholds: row.n };
}

/** Reads the fixtures from the data (works on PostgreSQL and on the embedded database). */
export async function discoverFixtures(db: Queryable, targets: FixtureTargets): Promise<Fixtures> {
  const [total] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM households');
  const households = total?.n ?? 0;
  if (households === 0) throw new Error('the database holds no households: seed it first');

  const [regency] = await db.query<{ regency_code: string; n: number }>(
    `SELECT r.regency_code, count(*)::int AS n FROM village_geography g JOIN regions r ON r.code = g.village_code
     GROUP BY r.regency_code ORDER BY n DESC, r.regency_code LIMIT 1`,
  );
  const [village] = await db.query<{ village_code: string; n: number }>(
    `SELECT village_code, count(*)::int AS n FROM households GROUP BY village_code
     ORDER BY abs(count(*) - $1::int), village_code LIMIT 1`,
    [targets.villageHouseholds],
  );
  const [dense] = await db.query<{ village_code: string; n: number; x: number; y: number }>(
    `SELECT d.village_code, d.n, avg(ST_X(h.location))::float8 AS x, avg(ST_Y(h.location))::float8 AS y
     FROM (SELECT village_code, count(*)::int AS n FROM households GROUP BY village_code ORDER BY n DESC, village_code LIMIT 1) d
     JOIN households h ON h.village_code = d.village_code GROUP BY d.village_code, d.n`,
  );
  // LIKE rather than left(): the fixtures must be found on databases without the region indexes too.
  const [last] = await db.query<{ regency: string; province: string }>(
    'SELECT left(village_code, 5) AS regency, left(village_code, 2) AS province FROM households ORDER BY id DESC LIMIT 1',
  );
  const countUnder = async (code: string) => {
    const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM households WHERE inactive_since IS NULL AND village_code LIKE $1 || '.%'", [code]);
    return row?.n ?? 0;
  };
  if (!regency || !village || !dense || !last) throw new Error('could not choose the fixtures');

  // Grow a square around the densest village's mean position until it holds about the target.
  const bboxTarget = Math.min(targets.bboxHouseholds, households);
  const countBox = async (box: readonly number[]) => {
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM households WHERE inactive_since IS NULL AND ST_Intersects(location, ST_MakeEnvelope($1, $2, $3, $4, 4326))', [...box]);
    return row?.n ?? 0;
  };
  const countIn = (half: number) => countBox([dense.x - half, dense.y - half, dense.x + half, dense.y + half]);
  let low = 0;
  let high = 0.005;
  while ((await countIn(high)) < bboxTarget && high < 5) high *= 2;
  let best = { half: high, n: await countIn(high) };
  for (let i = 0; i < 24 && Math.abs(best.n - bboxTarget) > bboxTarget * 0.01; i++) {
    const mid = (low + high) / 2;
    const n = await countIn(mid);
    if (Math.abs(n - bboxTarget) < Math.abs(best.n - bboxTarget)) best = { half: mid, n };
    if (n < bboxTarget) low = mid;
    else high = mid;
  }
  const r7 = (v: number) => Math.round(v * 1e7) / 1e7;
  const bbox: [number, number, number, number] = [r7(dense.x - best.half), r7(dense.y - best.half), r7(dense.x + best.half), r7(dense.y + best.half)];
  return {
    households,
    regencyCode: regency.regency_code,
    regencyVillages: regency.n,
    villageCode: village.village_code,
    villageHouseholds: village.n,
    villageTarget: targets.villageHouseholds,
    bbox,
    bboxHouseholds: await countBox(bbox),
    bboxTarget,
    bboxVillageCode: dense.village_code,
    ...(await householdTileFixture(db, targets.tileHouseholds)),
    villageTile: tileOf(dense.x, dense.y, 10),
    lastRegencyCode: last.regency,
    lastRegencyHouseholds: await countUnder(last.regency),
    lastProvinceCode: last.province,
    lastProvinceHouseholds: await countUnder(last.province),
  };
}

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Path and query string, e.g. /graphql or /ogc/collections/households/items?limit=1000. */
  path: string;
  /** GraphQL request (POST /graphql). */
  graphql?: { query: string; variables: Record<string, unknown> };
  /**
   * Who sends it: a key of `benchPrincipals`, whose token the target must hold
   * (`HttpTarget.principalHeaders`). Absent: the target's own headers (the harness's ADMIN token).
   */
  principal?: BenchPrincipal;
}

export interface ResponseCheck {
  ok: boolean;
  /** What was checked, or why it failed. */
  detail: string;
  /** Items returned (rows, features), when that applies. */
  items?: number;
}

export interface Operation {
  id: string;
  number: number;
  title: string;
  api: HttpCall;
  /** The same operation with a small and a large page: statements per request must not change. */
  pageSizes?: { small: HttpCall; large: HttpCall; smallSize: number; largeSize: number };
  postgraphile?: HttpCall;
  /** The same operation on PostGraphile 5 (Grafast), where it can serve it. */
  postgraphile5?: HttpCall;
  checkApi(status: number, body: unknown): ResponseCheck;
  checkPostgraphile?(status: number, body: unknown): ResponseCheck;
  checkPostgraphile5?(status: number, body: unknown): ResponseCheck;
  /** Ops that are not in every version of the API yet: a 404 or an unknown field means "not available". */
  optional: boolean;
  /** The operation writes (each request creates rows). */
  writes?: boolean;
  /** Concurrent clients for this operation instead of --connections (one planner proposing at a time). */
  connections?: number;
  /**
   * Creates what the operation reads (through the API under test), before it is first sent:
   * returns the request to send, or why the operation cannot run.
   */
  prepare?(send: (call: HttpCall) => Promise<{ status: number; body: unknown }>): Promise<{ api: HttpCall; note?: string } | { unavailable: string } | { failed: string }>;
}

type Json = Record<string, unknown>;
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Json)[key] : undefined), value);

function graphqlErrors(body: unknown): string | null {
  const errors = get(body, 'errors');
  if (!Array.isArray(errors) || errors.length === 0) return null;
  return errors.map((e) => `${String(get(e, 'message'))}${get(e, 'extensions', 'code') ? ` [${String(get(e, 'extensions', 'code'))}]` : ''}`).join('; ');
}

/** A GraphQL error that says the field or argument does not exist in this version of the API. */
export function isMissingFromSchema(body: unknown): boolean {
  const errors = graphqlErrors(body);
  return errors !== null && /Cannot query field|Unknown argument|Unknown type|Unknown enum|is not defined by type|not configured to execute mutation/i.test(errors);
}

function checkCount(label: string, status: number, body: unknown, items: unknown, expected: number): ResponseCheck {
  if (status !== 200) return { ok: false, detail: `${label}: HTTP ${status}` };
  const errors = graphqlErrors(body);
  if (errors) return { ok: false, detail: `${label}: ${errors}` };
  const n = Array.isArray(items) ? items.length : -1;
  if (n !== expected) return { ok: false, detail: `${label}: ${n} items, expected ${expected}`, items: n };
  return { ok: true, detail: `${label}: ${n} items`, items: n };
}

/** The small page of the statements-per-page-size check. */
const tenth = (n: number) => Math.max(1, Math.floor(n / 10));

const gql = (query: string, variables: Record<string, unknown>, principal?: BenchPrincipal): HttpCall => ({
  method: 'POST',
  path: '/graphql',
  graphql: { query, variables },
  ...(principal ? { principal } : {}),
});

/** The planners of op 8, beside the harness's ADMIN. */
export type BenchPrincipal = 'nationalPlanner' | 'regencyPlanner' | 'provincePlanner';

/** Token claims of each bench principal (validated by the API's claims schema when minted). */
export function benchPrincipals(f: Fixtures): Record<BenchPrincipal, Record<string, unknown>> {
  const planner = (sub: string, regions: '*' | string[]) => ({ sub, role: 'PLANNER', org: 'benchmark', regions });
  return {
    nationalPlanner: planner('bench-planner-national@kampung-terpadu', '*'),
    regencyPlanner: planner('bench-planner-regency@kampung-terpadu', [f.lastRegencyCode]),
    provincePlanner: planner('bench-planner-province@kampung-terpadu', [f.lastProvinceCode]),
  };
}

const VILLAGES_QUERY = `query BenchVillagesByPriority($regency: String!, $first: Int!) {
  villages(filter: { regencyCode: $regency }, orderBy: PRIORITY, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      code name kind
      priority { score components { name value weight points } }
      needStatistics {
        households members householdsDesil1To2 householdsDesil1To4 rtlhHouseholds vulnerableHouseholds
        householdsWithElderly householdsWithDisabled fisherHouseholds fisherShare
      }
    }
  }
}`;

const HOUSEHOLDS_QUERY = `query BenchVillageHouseholds($village: String!, $first: Int!) {
  households(villageCode: $village, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id registryId location desil pas memberCount pasTags { pas source recordedOn memberId } }
  }
}`;

const HOUSEHOLDS_POSTGRAPHILE = `query BenchVillageHouseholds($village: String!, $first: Int!) {
  households(condition: { villageCode: $village }, orderBy: ID_ASC, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id registryId location { geojson } desil pas memberCount
      pasTags(orderBy: [PAS_ASC, MEMBER_ID_ASC, ID_ASC]) { nodes { pas source recordedOn memberId } }
    }
  }
}`;

/**
 * Op 8: what a planner's household list view asks for first. No totalCount: a national count
 * reads every household (a sequential scan at any size), which would hide what op 8 compares —
 * how fast each planner reaches its first rows in id order.
 */
const PLANNER_FIRST_PAGE_QUERY = `query BenchPlannerFirstPage($first: Int!) {
  households(first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes { id registryId villageCode desil pas }
  }
}`;

/** Page of op 8. */
export const PLANNER_PAGE = 50;

const FEATURES_QUERY = `query BenchHouseholdFeatures($bbox: [Float!]!, $first: Int) {
  householdsFeatureCollection(bboxWgs84: $bbox, first: $first)
}`;

/** The rows the API's FeatureCollection carries, as PostGraphile nodes (the client builds the features). */
const FEATURES_POSTGRAPHILE = `query BenchHouseholdFeatures($bbox: GeoJSON!, $first: Int!) {
  households(filter: { location: { intersects: $bbox }, inactiveSince: { isNull: true } }, orderBy: ID_ASC, first: $first) {
    nodes {
      id location { geojson } villageCode desil livelihood pas isRtlh rtlhReasons memberCount
      hasElderly hasChild hasDisabled isMustahik
    }
  }
}`;

/**
 * PostGraphile 5 has no PostGIS plugin: `locationGeojson` is the computed column and
 * `householdsInBbox` the set-returning query of bench/postgraphile5/functions.sql (ST_AsGeoJSON,
 * `&&` on the GiST index, the same SQL functions the API uses). Otherwise the same selection as v4,
 * with two differences PostGraphile 5 imposes: the row's key is `rowId` (`id` is the global node
 * id), and connections order only by indexed columns, so the tags come in key order (the API and
 * v4 order them by PAS, member, id; the same rows either way).
 */
const HOUSEHOLDS_POSTGRAPHILE5 = `query BenchVillageHouseholds($village: String!, $first: Int!) {
  allHouseholds(condition: { villageCode: $village }, orderBy: ROW_ID_ASC, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      rowId registryId locationGeojson desil pas memberCount
      pasTagsByHouseholdId(orderBy: ROW_ID_ASC) { nodes { pas source recordedOn memberId } }
    }
  }
}`;

const FEATURES_POSTGRAPHILE5 = `query BenchHouseholdFeatures($minLon: Float!, $minLat: Float!, $maxLon: Float!, $maxLat: Float!, $first: Int!) {
  householdsInBbox(minLon: $minLon, minLat: $minLat, maxLon: $maxLon, maxLat: $maxLat, first: $first) {
    nodes {
      rowId locationGeojson villageCode desil livelihood pas isRtlh rtlhReasons memberCount
      hasElderly hasChild hasDisabled isMustahik
    }
  }
}`;

export const MAX_FEATURES = 10_000;

function bboxPolygon([minX, minY, maxX, maxY]: readonly number[]) {
  return {
    type: 'Polygon',
    coordinates: [[[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY], [minX, minY]]],
  };
}

export interface OperationSettings {
  /** Page of op 1 (villages). */
  villagesFirst: number;
  /** Page of op 2 (households of one village). */
  householdsFirst: number;
  /** Page of op 7 (OGC items). */
  ogcLimit: number;
}

export const DEFAULT_OPERATION_SETTINGS: OperationSettings = { villagesFirst: 50, householdsFirst: 1000, ogcLimit: 1000 };

export function buildOperations(f: Fixtures, s: OperationSettings = DEFAULT_OPERATION_SETTINGS): Operation[] {
  const villages = (first: number) => gql(VILLAGES_QUERY, { regency: f.regencyCode, first });
  const households = (first: number) => gql(HOUSEHOLDS_QUERY, { village: f.villageCode, first });
  const features = (first: number | null) => gql(FEATURES_QUERY, { bbox: f.bbox, first });
  const expectedHouseholds = Math.min(s.householdsFirst, f.villageHouseholds);
  const expectedFeatures = Math.min(MAX_FEATURES, f.bboxHouseholds);
  const ogc = (limit: number): HttpCall => ({ method: 'GET', path: `/ogc/collections/households/items?limit=${limit}` });

  return [
    {
      id: 'villages-priority',
      number: 1,
      title: `villages of regency ${f.regencyCode} by PRIORITY with need statistics (first ${s.villagesFirst})`,
      api: villages(s.villagesFirst),
      pageSizes: { small: villages(tenth(s.villagesFirst)), large: villages(s.villagesFirst), smallSize: tenth(s.villagesFirst), largeSize: s.villagesFirst },
      optional: false,
      checkApi: (status, body) => {
        const total = get(body, 'data', 'villages', 'totalCount');
        return checkCount('villages', status, body, get(body, 'data', 'villages', 'nodes'), Math.min(s.villagesFirst, typeof total === 'number' ? total : 0));
      },
    },
    {
      id: 'village-households',
      number: 2,
      title: `households of village ${f.villageCode} (${f.villageHouseholds}) with location, desil, PAS tags, member count (first ${s.householdsFirst})`,
      api: households(s.householdsFirst),
      pageSizes: { small: households(tenth(s.householdsFirst)), large: households(s.householdsFirst), smallSize: tenth(s.householdsFirst), largeSize: s.householdsFirst },
      postgraphile: gql(HOUSEHOLDS_POSTGRAPHILE, { village: f.villageCode, first: s.householdsFirst }),
      postgraphile5: gql(HOUSEHOLDS_POSTGRAPHILE5, { village: f.villageCode, first: s.householdsFirst }),
      optional: false,
      checkApi: (status, body) => checkCount('households', status, body, get(body, 'data', 'households', 'nodes'), expectedHouseholds),
      checkPostgraphile: (status, body) => checkCount('households', status, body, get(body, 'data', 'households', 'nodes'), expectedHouseholds),
      checkPostgraphile5: (status, body) => checkCount('households', status, body, get(body, 'data', 'allHouseholds', 'nodes'), expectedHouseholds),
    },
    {
      id: 'households-feature-collection',
      number: 3,
      title: `householdsFeatureCollection(bboxWgs84: [${f.bbox.join(', ')}]) (${f.bboxHouseholds} households)`,
      api: features(null),
      pageSizes: { small: features(tenth(expectedFeatures)), large: features(null), smallSize: tenth(expectedFeatures), largeSize: expectedFeatures },
      postgraphile: gql(FEATURES_POSTGRAPHILE, { bbox: bboxPolygon(f.bbox), first: MAX_FEATURES }),
      postgraphile5: gql(FEATURES_POSTGRAPHILE5, { minLon: f.bbox[0], minLat: f.bbox[1], maxLon: f.bbox[2], maxLat: f.bbox[3], first: MAX_FEATURES }),
      optional: false,
      checkApi: (status, body) =>
        checkCount('features', status, body, get(body, 'data', 'householdsFeatureCollection', 'features'), expectedFeatures),
      checkPostgraphile: (status, body) => checkCount('households', status, body, get(body, 'data', 'households', 'nodes'), expectedFeatures),
      checkPostgraphile5: (status, body) => checkCount('households', status, body, get(body, 'data', 'householdsInBbox', 'nodes'), expectedFeatures),
    },
    ...optionalOperations(f, s, ogc),
    ...plannerFirstPages(f),
  ];
}

/**
 * Op 8 (issue #19): the first page of `households` with no filter, as a national planner and as
 * planners of the regency and the province at the end of the id order. The regional pages must
 * stay within REGIONAL_P50_BOUND × the national page's p50 (report.ts).
 */
function plannerFirstPages(f: Fixtures): Operation[] {
  const page = (principal: BenchPrincipal, first: number) => gql(PLANNER_FIRST_PAGE_QUERY, { first }, principal);
  const op = (id: string, principal: BenchPrincipal, who: string, inScope: number): Operation => {
    const expected = Math.min(PLANNER_PAGE, inScope);
    return {
      id,
      number: 8,
      title: `households(first: ${PLANNER_PAGE}), no filter, as ${who}`,
      api: page(principal, PLANNER_PAGE),
      pageSizes: { small: page(principal, tenth(PLANNER_PAGE)), large: page(principal, PLANNER_PAGE), smallSize: tenth(PLANNER_PAGE), largeSize: PLANNER_PAGE },
      optional: false,
      checkApi: (status, body) => {
        const checked = checkCount('households', status, body, get(body, 'data', 'households', 'nodes'), expected);
        if (!checked.ok || principal === 'nationalPlanner') return checked;
        const nodes = get(body, 'data', 'households', 'nodes') as { villageCode?: unknown }[];
        const region = principal === 'regencyPlanner' ? f.lastRegencyCode : f.lastProvinceCode;
        const outside = nodes.filter((n) => typeof n.villageCode !== 'string' || !n.villageCode.startsWith(`${region}.`));
        return outside.length === 0 ? checked : { ok: false, detail: `households: ${outside.length} outside region ${region}`, items: nodes.length };
      },
    };
  };
  return [
    op('planner-first-page-national', 'nationalPlanner', 'a national planner (regions "*")', f.households),
    op('planner-first-page-regency', 'regencyPlanner', `the planner of regency ${f.lastRegencyCode} (${f.lastRegencyHouseholds} households, the highest ids)`, f.lastRegencyHouseholds),
    op('planner-first-page-province', 'provincePlanner', `the planner of province ${f.lastProvinceCode} (${f.lastProvinceHouseholds} households, the highest ids)`, f.lastProvinceHouseholds),
  ];
}

/** Packages the benchmark creates are named with this prefix (and deleted by `npm run bench`). */
export const BENCH_PACKAGE_PREFIX = 'bench:';

/** Budgets of the benchmark's package proposals, IDR per funder (the seeded catalog's funders). */
export const BENCH_BUDGETS = [
  { funderCode: 'KEMENSOS', budgetIdr: 2_000_000_000 },
  { funderCode: 'BAZNAS', budgetIdr: 1_000_000_000 },
];

const PROPOSE_MUTATION = `mutation BenchProposePackage($village: String!, $name: String!, $budgets: [BudgetInput!]!) {
  proposePackage(villageCode: $village, name: $name, budgets: $budgets) {
    id status totalCostIdr
    budgets { funderCode budgetIdr allocatedIdr remainingIdr }
    items { id interventionCode funderCode householdId memberId quantity costIdr }
  }
}`;

const COVERAGE_QUERY = `query BenchPackageCoverage($id: ID!) {
  package(id: $id) {
    id villageCode status totalCostIdr
    coverage(radiusMeters: 500) {
      radiusMeters householdsInNeed householdsServed
      byFunder { funderCode budgetIdr allocatedIdr remainingIdr }
      byCategory { category items costIdr }
      byPas { pas households covered notCovered }
      access { serves targetHouseholds withinReachBefore withinReachAfter }
      unservedHouseholdIds
    }
  }
}`;

/** Ops 4–7: features that land after the benchmark; each reports "not available" until it exists. */
function optionalOperations(f: Fixtures, s: OperationSettings, ogc: (limit: number) => HttpCall): Operation[] {
  const binaryOk = (label: string) => (status: number, body: unknown): ResponseCheck => {
    if (status !== 200) return { ok: false, detail: `${label}: HTTP ${status}${Buffer.isBuffer(body) ? '' : ` ${JSON.stringify(body).slice(0, 200)}`}` };
    const size = Buffer.isBuffer(body) ? body.byteLength : JSON.stringify(body).length;
    return { ok: size > 0, detail: `${label}: ${size} bytes` };
  };
  const graphqlOk = (label: string, path: string[]) => (status: number, body: unknown): ResponseCheck => {
    const errors = graphqlErrors(body);
    if (status !== 200 || errors) return { ok: false, detail: `${label}: HTTP ${status}${errors ? ` ${errors}` : ''}` };
    return get(body, 'data', ...path) ? { ok: true, detail: `${label}: ok` } : { ok: false, detail: `${label}: no data.${path.join('.')}` };
  };
  const propose = (name: string) => gql(PROPOSE_MUTATION, { village: f.bboxVillageCode, name: `${BENCH_PACKAGE_PREFIX} ${name}`, budgets: BENCH_BUDGETS });
  const coverage = (id: string) => gql(COVERAGE_QUERY, { id });
  const t14 = f.householdTile;
  const t10 = f.villageTile;
  return [
    {
      id: 'package-coverage',
      number: 4,
      title: `coverage of a proposed package for village ${f.bboxVillageCode} (radius 500 m)`,
      // Replaced by `prepare`, which proposes the package whose coverage is read.
      api: coverage('0'),
      async prepare(send) {
        const created = await send(propose('coverage fixture'));
        if (created.status === 404 || isMissingFromSchema(created.body)) return { unavailable: 'proposePackage is not in this version of the API' };
        const id = get(created.body, 'data', 'proposePackage', 'id');
        if (typeof id !== 'string' && typeof id !== 'number') return { failed: `could not propose the package to cover: HTTP ${created.status} ${graphqlErrors(created.body) ?? ''}` };
        return { api: coverage(String(id)), note: `package ${id}` };
      },
      optional: true,
      checkApi: graphqlOk('coverage', ['package', 'coverage']),
    },
    {
      id: 'household-tile-z14',
      number: 6,
      title: `household vector tile ${t14.z}/${t14.x}/${t14.y}`,
      api: { method: 'GET', path: `/tiles/households/${t14.z}/${t14.x}/${t14.y}.mvt` },
      optional: true,
      checkApi: binaryOk('tile'),
    },
    {
      id: 'village-tile-z10',
      number: 6,
      title: `village vector tile ${t10.z}/${t10.x}/${t10.y}`,
      api: { method: 'GET', path: `/tiles/villages/${t10.z}/${t10.x}/${t10.y}.mvt` },
      optional: true,
      checkApi: binaryOk('tile'),
    },
    {
      id: 'ogc-items',
      number: 7,
      title: `OGC API Features: /ogc/collections/households/items?limit=${s.ogcLimit}`,
      api: ogc(s.ogcLimit),
      pageSizes: { small: ogc(tenth(s.ogcLimit)), large: ogc(s.ogcLimit), smallSize: tenth(s.ogcLimit), largeSize: s.ogcLimit },
      optional: true,
      checkApi: (status, body) => {
        if (status !== 200) return { ok: false, detail: `items: HTTP ${status}` };
        const n = (get(body, 'features') as unknown[] | undefined)?.length ?? -1;
        const expected = Math.min(s.ogcLimit, f.households);
        return n === expected ? { ok: true, detail: `items: ${n} features`, items: n } : { ok: false, detail: `items: ${n} features, expected ${expected}`, items: n };
      },
    },
    {
      id: 'propose-package',
      number: 5,
      title: `proposePackage for village ${f.bboxVillageCode} (KEMENSOS 2 bn + BAZNAS 1 bn IDR; writes a DRAFT package per request; 1 connection)`,
      api: propose('proposal'),
      optional: true,
      writes: true,
      // Proposals for one village queue behind each other in the database (about a second of
      // PostgreSQL CPU each): ten at once would measure the queue. One planner proposes at a time.
      connections: 1,
      checkApi: graphqlOk('proposePackage', ['proposePackage', 'id']),
    },
  ];
}
