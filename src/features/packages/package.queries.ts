/** All SQL of the package feature. Mutating functions run inside the caller's transaction. */
import { type SQL, sql } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import { planStable } from '../../db/prepared-statements.js';
import { pointWgs84 } from '../../geo/spatial-sql.js';
// Coverage and proposals select a village's households through the household source, so the
// caller's scope, active rows only (a full registry snapshot marks the ones it no longer lists
// inactive) and the filters live in one place, as for every household list.
import { HOUSEHOLDS_FROM, type HouseholdReading, householdWhere } from '../households/index.js';
import { budgetsOfPackages, categorySumsSql, ITEM_ROW_COLUMNS, ITEMS_FROM, type BudgetRow, type ItemRow } from './package-item.source.js';

export type { BudgetRow, ItemRow };

/** Budgets with exact allocations, for the package's own bookkeeping inside mutations (never returned as such). */
export const budgetsByPackageIds = (db: Queryable, ids: readonly number[]) => budgetsOfPackages(db, null, ids) as Promise<ExactBudgetRow[]>;
/** Without a principal the allocation is always computed. */
export type ExactBudgetRow = BudgetRow & { allocated_idr: number };

export interface PackageRow {
  id: number;
  village_code: string;
  name: string;
  status: string;
  version: number;
  template_of: number | null;
  proposal_decisions: { decision: string; interventionCode?: string | null; serves?: string | null; reason: string }[] | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

const PACKAGE_COLUMNS = sql`p.id, p.village_code, p.name, p.status, p.version, p.template_of, p.proposal_decisions, p.created_by, to_json(p.created_at)#>>'{}' AS created_at, to_json(p.updated_at)#>>'{}' AS updated_at`;

const RETURNING_PACKAGE = sql.raw(`id, village_code, name, status, version, template_of, proposal_decisions, created_by,
  to_json(created_at)#>>'{}' AS created_at, to_json(updated_at)#>>'{}' AS updated_at`);

/**
 * A package the principal may read (policy.packageVillageScope), or null. Reads and mutations both
 * load packages here, so a package outside the principal's scope is NOT_FOUND on every path: a
 * mutation never answers FORBIDDEN naming the village of a package its caller cannot read.
 */
export async function packageById(db: Queryable, principal: Principal, id: number, lock = false): Promise<PackageRow | null> {
  const [row] = await db.query<PackageRow>(sql`SELECT ${PACKAGE_COLUMNS} FROM packages p
    WHERE p.id = ${id} AND ${policy.packageVillageScope(principal, sql`p.village_code`)} ${lock ? sql`FOR UPDATE` : sql``}`);
  return row ?? null;
}

export interface PackageFilter {
  villageCode?: string | null;
  status?: string | null;
}

const packageListWhere = (principal: Principal, filter: PackageFilter) => sql`${policy.packageVillageScope(principal, sql`p.village_code`)}
      AND (${filter.villageCode ?? null}::text IS NULL OR p.village_code = ${filter.villageCode ?? null})
      AND (${filter.status ?? null}::text IS NULL OR p.status::text = ${filter.status ?? null})`;

/**
 * One page of the packages the principal may read, by id after `afterId`. The role's scope is in
 * the WHERE clause, before LIMIT: limiting first and filtering in JS dropped a regional planner's
 * own packages from its list (issue 13, class 8).
 */
export function listPackages(db: Queryable, principal: Principal, filter: PackageFilter, page: { afterId: number | null; limit: number }) {
  return db.query<PackageRow>(sql`SELECT ${PACKAGE_COLUMNS} FROM packages p
    WHERE ${packageListWhere(principal, filter)}
      AND (${page.afterId}::int IS NULL OR p.id > ${page.afterId}::int)
    ORDER BY p.id LIMIT ${page.limit}`);
}

export async function countPackages(db: Queryable, principal: Principal, filter: PackageFilter): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM packages p WHERE ${packageListWhere(principal, filter)}`);
  return row?.n ?? 0;
}

export async function insertPackage(db: Queryable, p: { villageCode: string; name: string; createdBy: string; templateOf: number | null; proposalDecisions?: unknown[] | null }): Promise<PackageRow> {
  const [row] = await db.query<PackageRow>(sql`INSERT INTO packages (village_code, name, created_by, template_of, proposal_decisions)
    VALUES (${p.villageCode}, ${p.name}, ${p.createdBy}, ${p.templateOf}, ${p.proposalDecisions ? JSON.stringify(p.proposalDecisions) : null}::jsonb) RETURNING ${RETURNING_PACKAGE}`);
  return row!;
}

/** Bumps the version iff it is still `expected`: the optimistic-concurrency check and the lock in one statement. */
export async function bumpVersion(db: Queryable, id: number, expected: number, status?: string): Promise<PackageRow | null> {
  const [row] = await db.query<PackageRow>(sql`UPDATE packages SET version = version + 1, updated_at = now()
      ${status ? sql`, status = ${status}::package_status` : sql``}
    WHERE id = ${id} AND version = ${expected}
    RETURNING ${RETURNING_PACKAGE}`);
  return row ?? null;
}

export async function upsertBudget(db: Queryable, packageId: number, funderCode: string, budgetIdr: number, overBudgetReason: string | null): Promise<void> {
  await db.query(sql`INSERT INTO package_budgets (package_id, funder_code, budget_idr, over_budget_reason) VALUES (${packageId}, ${funderCode}, ${budgetIdr}, ${overBudgetReason})
    ON CONFLICT (package_id, funder_code) DO UPDATE SET budget_idr = excluded.budget_idr,
      over_budget_reason = coalesce(excluded.over_budget_reason, package_budgets.over_budget_reason)`);
}

export const setOverBudgetReason = (db: Queryable, packageId: number, funderCode: string, reason: string) =>
  db.query(sql`UPDATE package_budgets SET over_budget_reason = ${reason} WHERE package_id = ${packageId} AND funder_code = ${funderCode}`);

/** Every item, for the package's own bookkeeping inside mutations (never returned as such). */
export function itemsByPackageIds(db: Queryable, ids: readonly number[]) {
  return db.query<ItemRow>(sql`SELECT ${ITEM_ROW_COLUMNS} ${ITEMS_FROM}
    WHERE item.package_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY item.package_id, item.id`);
}

export async function itemById(db: Queryable, packageId: number, itemId: number): Promise<ItemRow | null> {
  const [row] = await db.query<ItemRow>(sql`SELECT ${ITEM_ROW_COLUMNS} ${ITEMS_FROM} WHERE item.package_id = ${packageId} AND item.id = ${itemId}`);
  return row ?? null;
}

export interface NewItem {
  packageId: number;
  interventionCode: string;
  funderCode: string;
  householdId: number | null;
  memberId: number | null;
  locationWgs84: [number, number] | null;
  quantity: number;
  unitCostIdr: number;
  eligibilityOverrideReason: string | null;
  origin: 'PROPOSED' | 'ADDED';
  /** Where a non-default amount comes from (a published figure, a split). */
  amountNote: string | null;
}

/** Inserts many items in one statement (proposals add hundreds). */
export async function insertItems(db: Queryable, items: NewItem[]): Promise<number[]> {
  if (items.length === 0) return [];
  const rows = items.map(
    (i) => sql`(${i.packageId}, ${i.interventionCode}, ${i.funderCode}, ${i.householdId}::int, ${i.memberId}::int,
      ${i.locationWgs84 ? pointWgs84(i.locationWgs84) : sql`NULL::geometry`}, ${i.quantity}, ${i.unitCostIdr}, ${i.unitCostIdr * i.quantity},
      ${i.eligibilityOverrideReason}, ${i.origin}, ${i.amountNote})`,
  );
  const inserted = await db.query<{ id: number }>(sql`INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, member_id,
      location, quantity, unit_cost_idr, cost_idr, eligibility_override_reason, origin, amount_note)
    VALUES ${sql.join(rows, sql`, `)} RETURNING id`);
  return inserted.map((r) => r.id);
}

export interface FundingShare {
  funderCode: string;
  fundCode: string;
  amountIdr: number;
}

/** Replaces an item's funding shares (the deferred trigger checks at commit that they sum to its cost). */
export async function replaceFunding(db: Queryable, itemId: number, shares: FundingShare[]): Promise<void> {
  await db.query(sql`DELETE FROM package_item_funding WHERE item_id = ${itemId}`);
  await db.query(sql`INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    SELECT ${itemId}, s.funder_code, s.fund_code, s.amount_idr
    FROM jsonb_to_recordset(${JSON.stringify(shares.map((s) => ({ funder_code: s.funderCode, fund_code: s.fundCode, amount_idr: s.amountIdr })))}::jsonb)
      AS s(funder_code text, fund_code text, amount_idr bigint)`);
}

export interface FundingRow {
  item_id: number;
  funder_code: string;
  fund_code: string;
  amount_idr: number;
  [key: string]: unknown;
}

export const fundingByItemIds = (db: Queryable, ids: readonly number[]) =>
  db.query<FundingRow>(sql`SELECT item_id, funder_code, fund_code, amount_idr FROM package_item_funding WHERE item_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY item_id, amount_idr DESC, fund_code`);

export interface InstalmentRow {
  id: number;
  item_id: number;
  seq: number;
  amount_idr: number;
  due_on: string | null;
  paid_on: string | null;
  note: string;
  [key: string]: unknown;
}

export const instalmentsByItemIds = (db: Queryable, ids: readonly number[]) =>
  db.query<InstalmentRow>(sql`SELECT id, item_id, seq, amount_idr, due_on::text AS due_on, paid_on::text AS paid_on, note
    FROM package_item_instalments WHERE item_id = ANY(${sql.param(ids as number[])}::int[]) ORDER BY item_id, seq`);

/** Replaces an item's instalment schedule (the deferred trigger checks the sum against its cost). */
export async function replaceInstalments(db: Queryable, itemId: number, rows: { amountIdr: number; dueOn: string | null; paidOn: string | null; note: string }[]): Promise<void> {
  await db.query(sql`DELETE FROM package_item_instalments WHERE item_id = ${itemId}`);
  if (!rows.length) return;
  await db.query(sql`INSERT INTO package_item_instalments (item_id, seq, amount_idr, due_on, paid_on, note)
    SELECT ${itemId}, s.seq, s.amount_idr, s.due_on::date, s.paid_on::date, s.note
    FROM jsonb_to_recordset(${JSON.stringify(rows.map((r, i) => ({ seq: i + 1, amount_idr: r.amountIdr, due_on: r.dueOn, paid_on: r.paidOn, note: r.note })))}::jsonb)
      AS s(seq int, amount_idr bigint, due_on text, paid_on text, note text)`);
}

export const setAmountNote = (db: Queryable, itemId: number, note: string | null) => db.query(sql`UPDATE package_items SET amount_note = ${note} WHERE id = ${itemId}`);

export const deleteItem = (db: Queryable, packageId: number, itemId: number) =>
  db.query(sql`DELETE FROM package_items WHERE package_id = ${packageId} AND id = ${itemId}`);

export const updateItemProgress = (db: Queryable, itemId: number, progress: string, startedOn: string | null, doneOn: string | null) =>
  db.query(sql`UPDATE package_items SET progress = ${progress}::item_progress, started_on = ${startedOn}::date, done_on = ${doneOn}::date WHERE id = ${itemId}`);

/** Housing items the household already has in any package that is not cancelled. */
export function housingItemsOf(db: Queryable, householdIds: number[]) {
  return db.query<{ household_id: number; package_id: number; intervention_code: string }>(sql`SELECT i.household_id, i.package_id, i.intervention_code
    FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code JOIN packages p ON p.id = i.package_id
    WHERE iv.is_housing AND p.status <> 'CANCELLED' AND i.household_id = ANY(${sql.param(householdIds)}::int[])`);
}

/** Where the point lies relative to the village boundary: inside, or how far outside (metres). */
export async function pointInVillage(db: Queryable, villageCode: string, lonLat: [number, number]): Promise<{ has_boundary: boolean; inside: boolean; distance_m: number | null }> {
  const [row] = await db.query<{ has_boundary: boolean; inside: boolean; distance_m: number | null }>(sql`
    SELECT g.village_code IS NOT NULL AS has_boundary, coalesce(ST_Covers(g.boundary, ${pointWgs84(lonLat)}), false) AS inside,
      ST_Distance(g.boundary::geography, ${pointWgs84(lonLat)}::geography) AS distance_m
    FROM (SELECT 1) one LEFT JOIN village_geography g ON g.village_code = ${villageCode}`);
  return row!;
}

/**
 * Candidate facility sites: a square grid inside the village boundary, spaced so that there are
 * at most about 400 candidates (never closer than 50 m). Ordered south-west to north-east so the
 * greedy placement breaks ties deterministically.
 */
export function candidateSites(db: Queryable, villageCode: string) {
  return db.query<{ lon: number; lat: number }>(sql`
    WITH g AS (SELECT boundary, ST_Envelope(boundary) AS env, greatest(50, sqrt(ST_Area(boundary::geography) / 400)) / 111320.0 AS step
               FROM village_geography WHERE village_code = ${villageCode})
    SELECT round((gx * step)::numeric, 7)::float8 AS lon, round((gy * step)::numeric, 7)::float8 AS lat
    FROM g, generate_series(floor(ST_XMin(env) / step)::int, ceil(ST_XMax(env) / step)::int) gx,
         generate_series(floor(ST_YMin(env) / step)::int, ceil(ST_YMax(env) / step)::int) gy
    WHERE ST_Covers(boundary, ST_SetSRID(ST_MakePoint(gx * step, gy * step), 4326))
    ORDER BY gy, gx`);
}

/** Facilities of the village that exist before this package: sites in other approved, in-progress or completed packages. */
export function existingFacilities(db: Queryable, villageCode: string, excludePackageId: number | null) {
  return db.query<{ serves: string; category: string; lon: number; lat: number }>(sql`
    SELECT iv.serves, iv.category, ST_X(i.location) AS lon, ST_Y(i.location) AS lat
    FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
    WHERE p.village_code = ${villageCode} AND p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED') AND i.location IS NOT NULL
      AND (${excludePackageId}::int IS NULL OR p.id <> ${excludePackageId}::int)`);
}

/**
 * Public buildings of the village near a point, nearest first: existing facilities that serve the
 * public (any `serves`) and facility sites planned in this package. Ramps attach to these.
 */
export function publicBuildingsNear(db: Queryable, villageCode: string, packageId: number, lonLat: [number, number]) {
  return db.query<{ name: string; distance_m: number }>(sql`
    WITH b AS (
      SELECT e.name || ' (existing ' || e.kind || ')' AS name, e.location FROM existing_facilities e WHERE e.village_code = ${villageCode}
      UNION ALL
      SELECT iv.name_id || ' (planned, item ' || i.id || ')', i.location FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code
      WHERE i.package_id = ${packageId} AND i.location IS NOT NULL AND iv.category <> 'DISABILITY_ACCESS')
    SELECT name, ST_Distance(location::geography, ${pointWgs84(lonLat)}::geography) AS distance_m FROM b ORDER BY distance_m LIMIT 1`);
}

/** Existing facilities of a village (kind, site, accessible, groups served), for coverage and siting. */
export function existingFacilitiesOf(db: Queryable, villageCode: string) {
  return db.query<{ id: number; kind: string; name: string; lon: number; lat: number; accessible: boolean; serves: string[] }>(sql`
    SELECT id, kind, name, ST_X(location) AS lon, ST_Y(location) AS lat, accessible, serves FROM existing_facilities WHERE village_code = ${villageCode} ORDER BY id`);
}

/** A point inside the village boundary ([longitude, latitude], WGS84); null without a boundary. */
export async function villageInteriorPoint(db: Queryable, villageCode: string): Promise<[number, number] | null> {
  const [row] = await db.query<{ lon: number; lat: number }>(sql`SELECT round(ST_X(p)::numeric, 7)::float8 AS lon, round(ST_Y(p)::numeric, 7)::float8 AS lat
    FROM (SELECT ST_PointOnSurface(boundary) AS p FROM village_geography WHERE village_code = ${villageCode}) x`);
  return row ? [row.lon, row.lat] : null;
}

/**
 * `FROM households h WHERE …` of a village's households as the household source selects them:
 * `records` (row and village scope) for lists of households, `aggregate` for counts.
 */
const villageHouseholds = (principal: Principal, villageCode: string, reading: HouseholdReading) =>
  sql`${HOUSEHOLDS_FROM} ${householdWhere({ principal, villageCode }, reading)}`;

/** Households of a village within the principal's row scope, for proposals. */
export function villageHouseholdIds(db: Queryable, principal: Principal, villageCode: string) {
  return db.query<{ id: number }>(sql`SELECT h.id ${villageHouseholds(principal, villageCode, 'records')} ORDER BY h.id`);
}

/** In need: desil 1–2, an RTLH house, or a PAS tag the caller may see (a hidden tag must not make a household "in need" visibly). */
const need = (principal: Principal) => sql`(h.desil <= 2 OR h.is_rtlh OR cardinality(${policy.visiblePasSql(principal, sql`h.pas`)}) > 0)`;
/**
 * Served: a household with an item of the package. The package's households are read once, as
 * `served_households` (a CTE every statement that uses IS_SERVED starts with), and tested as a
 * hashed set: a lookup into package_items per household made the generic plan of the prepared
 * coverage statement probe two indexes per household (16.5 against 9.3 ms at 1M for a
 * 614-household village).
 */
const servedHouseholds = (packageId: number) =>
  sql`served_households AS MATERIALIZED (SELECT DISTINCT i.household_id FROM package_items i WHERE i.package_id = ${packageId} AND i.household_id IS NOT NULL)`;
const IS_SERVED = sql`h.id IN (SELECT household_id FROM served_households)`;

export interface CoverageCounts {
  in_need: number;
  served: number;
  [key: string]: unknown;
}

/** Aggregates over the village (aggregate scope: counts only, suppressed by the caller). */
function needCountsSql(principal: Principal, villageCode: string): SQL {
  return sql`SELECT count(*) FILTER (WHERE ${need(principal)})::int AS in_need,
      count(*) FILTER (WHERE ${need(principal)} AND ${IS_SERVED})::int AS served
    ${villageHouseholds(principal, villageCode, 'aggregate')}`;
}

export async function needCounts(db: Queryable, principal: Principal, villageCode: string, packageId: number): Promise<CoverageCounts> {
  const [row] = await db.query<CoverageCounts>(sql`WITH ${servedHouseholds(packageId)} ${needCountsSql(principal, villageCode)}`);
  return row!;
}

/** Households per visible PAS and how many of them the package serves; `ord` is the PAS enum's order. */
function pasCoverageSql(principal: Principal, villageCode: string): SQL {
  const hidden = policy.hiddenPas(principal);
  return sql`
    SELECT p::text AS pas, count(*)::int AS households, count(*) FILTER (WHERE x.covered)::int AS covered, p AS ord
    FROM (SELECT h.pas, ${IS_SERVED} AS covered ${villageHouseholds(principal, villageCode, 'aggregate')}) x, unnest(x.pas) p
    WHERE NOT (p::text = ANY(${sql.param(hidden)}::text[]))
    GROUP BY p`;
}

const TARGETS: Record<string, SQL> = {
  ELDERLY: sql`h.has_elderly`,
  DISABLED: sql`h.has_disabled`,
  CHILD: sql`h.has_child`,
  SANITATION: sql`NOT h.has_own_toilet`,
};
export const ACCESS_GROUPS = Object.keys(TARGETS);

/**
 * Spatial access per target group: target households within `radiusMeters` (geodesic) of a
 * facility that serves that group — a facility for EVERYONE (a mosque, a hall) counts for no
 * target group — before (existing facilities of the village and sites of its other approved
 * packages) and after (plus this package's sites), as columns t<i>, b<i>, a<i> per ACCESS_GROUPS.
 * The sites are few (a CTE of at most a few dozen rows), so each household is tested against that
 * small list, not against package_items.
 */
function accessCoverageSql(principal: Principal, villageCode: string, packageId: number, radiusMeters: number): SQL {
  const reach = (serves: string, includeThis: boolean) => sql`EXISTS (SELECT 1 FROM sites s WHERE ${serves} = ANY(s.serves)
    ${includeThis ? sql`` : sql`AND NOT s.this_package`} AND ST_DWithin(s.site, h.location::geography, ${radiusMeters}))`;
  const columns = ACCESS_GROUPS.map(
    (serves, i) => sql`count(*) FILTER (WHERE ${TARGETS[serves]!})::int AS ${sql.raw(`t${i}`)},
      count(*) FILTER (WHERE ${TARGETS[serves]!} AND ${reach(serves, false)})::int AS ${sql.raw(`b${i}`)},
      count(*) FILTER (WHERE ${TARGETS[serves]!} AND ${reach(serves, true)})::int AS ${sql.raw(`a${i}`)}`,
  );
  return sql`
    WITH sites AS MATERIALIZED (
      SELECT ARRAY[iv.serves::text] AS serves, p.id = ${packageId} AS this_package, i.location::geography AS site
      FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
      WHERE p.village_code = ${villageCode} AND i.location IS NOT NULL
        AND (p.id = ${packageId} OR p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED'))
      UNION ALL
      SELECT e.serves, false, e.location::geography FROM existing_facilities e WHERE e.village_code = ${villageCode})
    SELECT ${sql.join(columns, sql`, `)}
    ${villageHouseholds(principal, villageCode, 'aggregate')}`;
}

/** Households in need with no item, within the principal's row scope (a list of records). */
function unservedHouseholdIdsSql(principal: Principal, villageCode: string): SQL {
  return sql`SELECT h.id ${villageHouseholds(principal, villageCode, 'records')}
    AND ${need(principal)} AND NOT ${IS_SERVED}`;
}

/** Coverage of a package as its five parts, before the caller's protection of counts (the resolver's). */
export interface PackageCoverageRows {
  counts: CoverageCounts;
  pas: { pas: string; households: number; covered: number }[];
  categories: { category: string; items: number | null; cost_idr: number | null }[];
  access: { serves: string; targets: number; before: number; after: number }[];
  /** Ids of the unserved households in need, ascending; empty unless `withUnservedIds`. */
  unservedIds: number[];
}

/**
 * The whole coverage of a package in one statement: need counts, PAS coverage, items and cost per
 * category (protected in SQL by the package-item source), spatial access per target group and,
 * for a caller who may read household records, the unserved households' ids. One statement is one
 * snapshot: the parts cannot disagree because an item was added between them, as five statements
 * on five pooled connections could; and it is one round trip instead of five (op 4 of the
 * benchmark: each socket write to PostgreSQL costs the API ~0.13 ms of CPU here, bench/README.md).
 * Each part is a subquery aggregated to JSON, in its documented order.
 *
 * Prepared (planStable): every part reads one village's households through the village index
 * and one package's items through the package index, whatever the values. Unnamed, PostgreSQL
 * parsed and planned the whole statement on every request, which cost more than the five small
 * ones had (op 4 at 200,000: 8.2–8.8 against 5.0–5.6 ms of PostgreSQL CPU per request).
 */
export async function packageCoverage(
  db: Queryable,
  principal: Principal,
  k: number,
  villageCode: string,
  packageId: number,
  radiusMeters: number,
  withUnservedIds: boolean,
): Promise<PackageCoverageRows> {
  const unserved = withUnservedIds
    ? sql`(SELECT coalesce(json_agg(u.id ORDER BY u.id), '[]'::json) FROM (${unservedHouseholdIdsSql(principal, villageCode)}) u)`
    : sql`'[]'::json`;
  const [row] = await db.query<Pick<PackageCoverageRows, 'counts' | 'pas' | 'categories'> & { access: Record<string, number>; unserved: number[] }>(planStable(sql`
    WITH ${servedHouseholds(packageId)}
    SELECT (SELECT row_to_json(n) FROM (${needCountsSql(principal, villageCode)}) n) AS counts,
      (SELECT coalesce(json_agg(json_build_object('pas', x.pas, 'households', x.households, 'covered', x.covered) ORDER BY x.ord), '[]'::json)
        FROM (${pasCoverageSql(principal, villageCode)}) x) AS pas,
      (SELECT coalesce(json_agg(json_build_object('category', c.category, 'items', c.items, 'cost_idr', c.cost_idr) ORDER BY c.ord), '[]'::json)
        FROM (${categorySumsSql(principal, k, packageId)}) c) AS categories,
      (SELECT row_to_json(a) FROM (${accessCoverageSql(principal, villageCode, packageId, radiusMeters)}) a) AS access,
      ${unserved} AS unserved`));
  const access = row!.access;
  return {
    counts: row!.counts,
    pas: row!.pas,
    categories: row!.categories,
    access: ACCESS_GROUPS.map((serves, i) => ({ serves, targets: access[`t${i}`]!, before: access[`b${i}`]!, after: access[`a${i}`]! })),
    unservedIds: row!.unserved,
  };
}

/** Unserved households as an RFC 7946 FeatureCollection (row scope, visible PAS only). */
export async function unservedFeatureCollection(db: Queryable, principal: Principal, villageCode: string, packageId: number) {
  const [row] = await db.query<{ fc: string; ids: number[] | null }>(sql`
    WITH ${servedHouseholds(packageId)}
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object('type', 'Feature', 'id', h.id,
      'geometry', ST_AsGeoJSON(h.location, 7)::json,
      'properties', json_build_object('id', h.id, 'desil', h.desil, 'isRtlh', h.is_rtlh, 'pas', ${policy.visiblePasSql(principal, sql`h.pas`)},
        'hasElderly', h.has_elderly, 'hasDisabled', h.has_disabled, 'hasChild', h.has_child)) ORDER BY h.id), '[]'::json))::text AS fc,
      array_agg(h.id ORDER BY h.id) AS ids
    ${villageHouseholds(principal, villageCode, 'records')} AND ${need(principal)} AND NOT ${IS_SERVED}`);
  return { fc: row?.fc ?? '{"type":"FeatureCollection","features":[]}', ids: row?.ids ?? [] };
}

export async function householdOfMember(db: Queryable, memberId: number): Promise<number | null> {
  const [row] = await db.query<{ household_id: number }>(sql`SELECT household_id FROM members WHERE id = ${memberId}`);
  return row?.household_id ?? null;
}

/**
 * Takes the village's proposal lock if it is free, held until the transaction ends; false when
 * another proposal for the village holds it. Not waiting is deliberate: a waiting proposal would
 * hold a pooled connection for as long as the other one runs, and eight of them starved the pool
 * (measured: a 503 after the 10 s checkout timeout on the 4-connection test pool). The key space
 * (7102026, hash of the code) is ours alone.
 */
export async function tryLockVillageForProposal(db: Queryable, villageCode: string): Promise<boolean> {
  const [row] = await db.query<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(7102026, hashtext(${villageCode})) AS locked`);
  return row?.locked === true;
}
