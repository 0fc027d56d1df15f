/**
 * The one package-item source (issue 13: one source per entity).
 *
 * Every read of package items for a caller — GraphQL `Package.items`, the package CSV and
 * FeatureCollection, the OGC `package-items` and `facilities` collections, the `package-items`
 * tile layer, and the money and category sums — is built here, from one FROM clause (items,
 * packages, catalog, the household an item stands at), one scope (`policy.packageItemScope`: the
 * package's village readable; an item at a house needs the household row scope; a partner sees
 * at a house only items it funds or co-funds, and houses only in APPROVED or later packages) and
 * one set of properties. Surfaces only translate their parameters and encode the rows, so the
 * same item cannot show different values on two surfaces.
 *
 * Aliases: `item` (package_items), `pkg` (packages), `iv` (interventions), `h` (households,
 * LEFT JOINed on item.household_id) — the aliases `policy.packageItemScope` is written against.
 *
 * Money sums (allocations, totals, cost per category) are exact only where the caller's counts
 * about the village are exact (`policy.exactAggregatesSql`); elsewhere they are null: a sum of
 * per-household costs divided by a known unit cost is the exact number of households served,
 * which protected counts withhold (docs/privacy.md, "Money").
 */
import { type SQL, sql } from 'drizzle-orm';
import { policy, protectCountSql, SENSITIVE_PAS_CODES } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';

/** The join every item read starts from. */
export const ITEMS_FROM = sql`FROM package_items item
  JOIN packages pkg ON pkg.id = item.package_id
  JOIN interventions iv ON iv.code = item.intervention_code
  LEFT JOIN households h ON h.id = item.household_id`;

/** Where an item stands (SRID 4326): a facility at its site, an item for a household or person at the household. */
export const ITEM_LOCATION = sql`coalesce(item.location, h.location)`;

/** [minLon, minLat, maxLon, maxLat], CRS84; minLon > maxLon crosses the antimeridian. */
export type ItemBboxCrs84 = readonly [number, number, number, number];

/** Filters every surface may translate its parameters into (OGC query parameters, GraphQL arguments). */
export interface PackageItemFilters {
  bbox?: ItemBboxCrs84;
  villageCode?: string;
  packageId?: number;
  packageIds?: readonly number[];
  packageStatuses?: string[];
  funderCode?: string;
  interventionCode?: string;
  categories?: string[];
  targets?: string[];
  serves?: string[];
  progress?: string[];
  /** Only facilities at a site (the OGC `facilities` collection). */
  facilitiesOnly?: boolean;
}

function intersectsBbox(geometry: SQL, [minLon, minLat, maxLon, maxLat]: ItemBboxCrs84): SQL {
  const box = (w: number, e: number) => sql`ST_Intersects(${geometry}, ST_MakeEnvelope(${w}::float8, ${minLat}::float8, ${e}::float8, ${maxLat}::float8, 4326))`;
  return minLon <= maxLon ? box(minLon, maxLon) : sql`(${box(minLon, 180)} OR ${box(-180, maxLon)})`;
}

/** The caller's scope and the filters, as SQL conditions over ITEMS_FROM. */
export function itemConditions(principal: Principal, f: PackageItemFilters = {}): SQL[] {
  const where: SQL[] = [policy.packageItemScope(principal)];
  if (f.villageCode) where.push(sql`pkg.village_code = ${f.villageCode}`);
  if (f.packageId !== undefined) where.push(sql`item.package_id = ${f.packageId}`);
  if (f.packageIds) where.push(sql`item.package_id = ANY(${sql.param([...f.packageIds])}::int[])`);
  if (f.packageStatuses?.length) where.push(sql`pkg.status::text = ANY(${sql.param(f.packageStatuses)}::text[])`);
  if (f.funderCode) where.push(sql`item.funder_code = ${f.funderCode}`);
  if (f.interventionCode) where.push(sql`item.intervention_code = ${f.interventionCode}`);
  if (f.categories?.length) where.push(sql`iv.category::text = ANY(${sql.param(f.categories)}::text[])`);
  if (f.targets?.length) where.push(sql`iv.target::text = ANY(${sql.param(f.targets)}::text[])`);
  if (f.serves?.length) where.push(sql`iv.serves::text = ANY(${sql.param(f.serves)}::text[])`);
  if (f.progress?.length) where.push(sql`item.progress::text = ANY(${sql.param(f.progress)}::text[])`);
  if (f.facilitiesOnly) where.push(sql`iv.target = 'FACILITY'`, sql`item.location IS NOT NULL`);
  if (f.bbox) where.push(intersectsBbox(f.facilitiesOnly ? sql`item.location` : ITEM_LOCATION, f.bbox));
  return where;
}

const and = (parts: SQL[]) => sql.join(parts, sql` AND `);

/**
 * The properties of an item, one expression each, named as the OGC and tile surfaces name them
 * (snake_case). The scope already decides which rows a caller reads; no column here holds more
 * than delivery needs: no name, NIK, KK or address (those are household fields, read through the
 * household access rules), and `household_id` only for rows in the caller's scope.
 */
const P = {
  id: sql`item.id`,
  package_id: sql`item.package_id`,
  package_name: sql`pkg.name`,
  package_status: sql`pkg.status::text`,
  village_code: sql`pkg.village_code`,
  intervention_code: sql`item.intervention_code`,
  intervention_name: sql`iv.name_id`,
  intervention_name_en: sql`iv.name_en`,
  category: sql`iv.category::text`,
  target: sql`iv.target::text`,
  serves: sql`iv.serves::text`,
  funder_code: sql`item.funder_code`,
  household_id: sql`item.household_id`,
  located_at: sql`CASE WHEN item.location IS NOT NULL THEN 'SITE' ELSE 'HOUSEHOLD' END`,
  quantity: sql`item.quantity`,
  cost_idr: sql`item.cost_idr`,
  progress: sql`item.progress::text`,
  started_on: sql`item.started_on::text`,
  done_on: sql`item.done_on::text`,
} as const;
type Property = keyof typeof P;

const jsonProperties = (names: readonly Property[]) => sql`json_build_object(${sql.join(names.map((n) => sql`${n}::text, ${P[n]}`), sql`, `)})`;
const columns = (names: readonly Property[]) => sql.join(names.map((n) => sql`${P[n]} AS ${sql.identifier(n)}`), sql`, `);

/** Properties of the OGC `package-items` collection. */
export const ITEM_FEATURE_PROPERTIES: readonly Property[] = [
  'id', 'package_id', 'package_status', 'village_code', 'intervention_code', 'intervention_name', 'category', 'target',
  'funder_code', 'household_id', 'located_at', 'quantity', 'cost_idr', 'progress', 'started_on', 'done_on',
];
/** Properties of the OGC `facilities` collection. */
export const FACILITY_FEATURE_PROPERTIES: readonly Property[] = [
  'id', 'package_id', 'package_name', 'package_status', 'village_code', 'intervention_code', 'intervention_name',
  'intervention_name_en', 'category', 'serves', 'funder_code', 'quantity', 'cost_idr', 'progress', 'started_on', 'done_on',
];
/** Attributes of the `package-items` tile layer (no amounts: a map label needs none). */
export const ITEM_TILE_ATTRIBUTES: readonly Property[] = [
  'id', 'package_id', 'package_status', 'village_code', 'intervention_code', 'category', 'target', 'funder_code', 'progress', 'located_at', 'household_id',
];

/** A row source in the shape the OGC API pages over (structurally its `Source`). */
export interface ItemFeatureSource {
  from: SQL;
  where: SQL[];
  key: SQL;
  geometry: SQL;
  body: SQL;
  householdId: SQL | null;
}

/** Items as GeoJSON Features (OGC `package-items`, or `facilities` with `facilitiesOnly`). */
export function itemFeatureSource(principal: Principal, f: PackageItemFilters): ItemFeatureSource {
  const geometry = f.facilitiesOnly ? sql`item.location` : ITEM_LOCATION;
  const properties = f.facilitiesOnly ? FACILITY_FEATURE_PROPERTIES : ITEM_FEATURE_PROPERTIES;
  return {
    from: ITEMS_FROM,
    where: itemConditions(principal, f),
    key: sql`item.id`,
    geometry,
    body: sql`json_build_object('type', 'Feature', 'id', item.id, 'geometry', ST_AsGeoJSON(${geometry}, 7)::json, 'properties', ${jsonProperties(properties)})`,
    householdId: sql`item.household_id`,
  };
}

/**
 * Rows of the `package-items` tile layer inside `searchBox` (SRID 4326): the tile attributes,
 * `fid`, `geom`, `audit_household_id` and `sort_key`. Items at households only when `withHouseholdItems`.
 */
export function itemTileRows(principal: Principal, searchBox: SQL, withHouseholdItems: boolean): SQL {
  return sql`SELECT item.id AS fid, ${columns(ITEM_TILE_ATTRIBUTES)}, ${ITEM_LOCATION} AS geom, item.household_id AS audit_household_id, item.id AS sort_key
    ${ITEMS_FROM}
    WHERE ${ITEM_LOCATION} && ${searchBox} AND ${and(itemConditions(principal))}
      ${withHouseholdItems ? sql`` : sql`AND item.household_id IS NULL`}`;
}

export interface ItemRow {
  id: number;
  package_id: number;
  intervention_code: string;
  category: string;
  target: string;
  is_housing: boolean;
  serves: string | null;
  funder_code: string;
  household_id: number | null;
  member_id: number | null;
  /** FACILITY items: the site, GeoJSON text. */
  location: string | null;
  /** Where the item stands (site or household), [longitude, latitude] WGS84, 7 decimals as in GeoJSON; null without a location. */
  lon: number | null;
  lat: number | null;
  quantity: number;
  unit_cost_idr: number;
  cost_idr: number;
  eligibility_override_reason: string | null;
  origin: string;
  progress: string;
  started_on: string | null;
  done_on: string | null;
  amount_note: string | null;
  /** Name of the intervention (Indonesian), and its package when it is package-specific. */
  name_id: string;
  specific_to: number | null;
  [key: string]: unknown;
}

/** Columns of an ItemRow over ITEMS_FROM (also used, without scope, for the package's own bookkeeping). */
export const ITEM_ROW_COLUMNS = sql`item.id, item.package_id, item.intervention_code, iv.category, iv.target, iv.is_housing, iv.serves, item.funder_code,
  item.household_id, item.member_id, ST_AsGeoJSON(item.location, 7) AS location,
  round(ST_X(${ITEM_LOCATION})::numeric, 7)::float8 AS lon, round(ST_Y(${ITEM_LOCATION})::numeric, 7)::float8 AS lat,
  item.quantity, item.unit_cost_idr, item.cost_idr, item.eligibility_override_reason, item.origin, item.progress, item.started_on, item.done_on,
  item.amount_note, iv.name_id, iv.package_id AS specific_to`;

/** The items of these packages the caller may read, by package then id (GraphQL Package.items, the CSV). */
export function itemsOfPackages(db: Queryable, principal: Principal, packageIds: readonly number[]) {
  return db.query<ItemRow>(sql`SELECT ${ITEM_ROW_COLUMNS} ${ITEMS_FROM}
    WHERE ${and(itemConditions(principal, { packageIds }))} ORDER BY item.package_id, item.id`);
}

/**
 * The package as GeoJSON: facilities at their sites, and households (within the row scope) at
 * their houses with the items the caller may read there (a partner: only its own).
 */
export async function itemFeatureCollection(db: Queryable, principal: Principal, packageId: number) {
  const [row] = await db.query<{ fc: string; ids: number[] | null }>(sql`
    WITH items AS MATERIALIZED (SELECT item.id, item.intervention_code, iv.category, iv.serves, item.funder_code, item.quantity, item.cost_idr,
        item.progress, item.member_id, item.household_id, item.location
      ${ITEMS_FROM} WHERE ${and(itemConditions(principal, { packageId }))}),
    facility AS (SELECT json_build_object('type', 'Feature', 'id', 'item-' || i.id, 'geometry', ST_AsGeoJSON(i.location, 7)::json,
        'properties', json_build_object('kind', 'FACILITY', 'itemId', i.id, 'interventionCode', i.intervention_code, 'category', i.category,
          'serves', i.serves, 'funderCode', i.funder_code, 'quantity', i.quantity, 'costIdr', i.cost_idr, 'progress', i.progress)) AS f, i.id AS k
      FROM items i WHERE i.location IS NOT NULL),
    household AS (SELECT json_build_object('type', 'Feature', 'id', 'household-' || h.id, 'geometry', ST_AsGeoJSON(h.location, 7)::json,
        'properties', json_build_object('kind', 'HOUSEHOLD', 'householdId', h.id, 'desil', h.desil, 'pas', ${policy.visiblePasSql(principal, sql`h.pas`)},
          'items', json_agg(json_build_object('itemId', i.id, 'interventionCode', i.intervention_code, 'category', i.category, 'memberId', i.member_id,
            'funderCode', i.funder_code, 'costIdr', i.cost_idr, 'progress', i.progress) ORDER BY i.id),
          'costIdr', sum(i.cost_idr))) AS f, h.id AS k
      FROM items i JOIN households h ON h.id = i.household_id GROUP BY h.id)
    SELECT json_build_object('type', 'FeatureCollection', 'features',
        coalesce((SELECT json_agg(f ORDER BY k) FROM facility), '[]'::json)::jsonb || coalesce((SELECT json_agg(f ORDER BY k) FROM household), '[]'::json)::jsonb)::text AS fc,
      (SELECT array_agg(k ORDER BY k) FROM household) AS ids`);
  return { fc: row!.fc, ids: row!.ids ?? [] };
}

// --- money and category sums ------------------------------------------------------------------

export interface BudgetRow {
  package_id: number;
  funder_code: string;
  budget_idr: number;
  /** Sum of the funder's shares of the package's items; null where the caller's counts about the village are protected. */
  allocated_idr: number | null;
  over_budget_reason: string | null;
  [key: string]: unknown;
}

const allocatedSum = sql`coalesce((SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id
  WHERE i.package_id = b.package_id AND f.funder_code = b.funder_code), 0)::bigint`;

/**
 * Budgets per funder with what is allocated, as the caller may see them: the allocation only
 * where the village's counts are exact for the caller (null elsewhere, see the module comment).
 * `principal` null: the package's own bookkeeping inside mutations (always exact, never returned as such).
 */
export function budgetsOfPackages(db: Queryable, principal: Principal | null, packageIds: readonly number[]) {
  const exact = principal ? policy.exactAggregatesSql(principal, sql`pkg.village_code`) : sql`true`;
  return db.query<BudgetRow>(sql`SELECT b.package_id, b.funder_code, b.budget_idr, b.over_budget_reason,
      CASE WHEN ${exact} THEN ${allocatedSum} END AS allocated_idr
    FROM package_budgets b JOIN packages pkg ON pkg.id = b.package_id
    WHERE b.package_id = ANY(${sql.param([...packageIds])}::int[]) ORDER BY b.package_id, b.funder_code`);
}

/**
 * Items and cost per category of a package, in SQL with the caller's protection: exact where the
 * village's counts are exact; elsewhere the item count protected (`protectCountSql`) and the cost
 * null. Counts every item of the package (also those the caller cannot read one by one), as the
 * coverage of the package is about all of it. `ord` is the category enum (the catalog's order).
 */
export function categorySumsSql(principal: Principal, k: number, packageId: number): SQL {
  const exact = policy.exactAggregatesSql(principal, sql`pkg.village_code`);
  return sql`
    SELECT c.category::text AS category, ${protectCountSql(sql`c.items`, k, sql`c.exact`)} AS items, CASE WHEN c.exact THEN c.cost_idr END AS cost_idr, c.category AS ord
    FROM (SELECT iv.category, count(*)::int AS items, sum(item.cost_idr)::bigint AS cost_idr, bool_and(${exact}) AS exact
          FROM package_items item JOIN packages pkg ON pkg.id = item.package_id JOIN interventions iv ON iv.code = item.intervention_code
          WHERE item.package_id = ${packageId} GROUP BY iv.category) c`;
}

// --- execution outcome ------------------------------------------------------------------------

/** The outcome counts of a package; each null where suppressed (1 … k − 1) for a protected caller. */
export interface OutcomeCounts {
  exact: boolean;
  housing_items: number | null;
  houses_verified: number | null;
  houses_made_fit: number | null;
  facilities: number | null;
  facilities_in_use: number | null;
  business_items: number | null;
  businesses_checked: number | null;
  businesses_running: number | null;
  households_served: number | null;
  [key: string]: unknown;
}

/**
 * The outcome of a package (execution: houses verified and fit, facilities in use, businesses
 * running, households served) in one statement over ITEMS_FROM. Like `categorySums`, it counts
 * every item of the package — the outcome is about all of it, also items the caller cannot read
 * one by one — and protects each count in SQL where the village's counts are not exact for the
 * caller (`policy.exactAggregatesSql`, `protectCountSql`), so no exact count leaves the database.
 */
export async function outcomeCounts(db: Queryable, principal: Principal, k: number, packageId: number): Promise<OutcomeCounts> {
  const protect = (count: SQL) => protectCountSql(sql`(${count})`, k, sql`px.exact`);
  const [row] = await db.query<OutcomeCounts>(sql`
    WITH it AS MATERIALIZED (SELECT item.id, item.household_id, item.progress, iv.category, iv.target ${ITEMS_FROM} WHERE item.package_id = ${packageId})
    SELECT px.exact,
      ${protect(sql`SELECT count(*)::int FROM it WHERE category = 'HOUSING'`)} AS housing_items,
      ${protect(sql`SELECT count(*)::int FROM it JOIN post_works_verifications v ON v.item_id = it.id`)} AS houses_verified,
      ${protect(sql`SELECT count(*)::int FROM it JOIN post_works_verifications v ON v.item_id = it.id WHERE v.fit`)} AS houses_made_fit,
      ${protect(sql`SELECT count(*)::int FROM it WHERE target = 'FACILITY'`)} AS facilities,
      ${protect(sql`SELECT count(*)::int FROM it WHERE target = 'FACILITY' AND progress = 'DONE'`)} AS facilities_in_use,
      ${protect(sql`SELECT count(*)::int FROM it WHERE category = 'ECONOMIC_EMPOWERMENT'`)} AS business_items,
      ${protect(sql`SELECT count(DISTINCT oc.item_id)::int FROM outcome_checks oc JOIN it ON it.id = oc.item_id WHERE oc.checked_on IS NOT NULL`)} AS businesses_checked,
      ${protect(sql`SELECT count(*)::int FROM it WHERE EXISTS (SELECT 1 FROM outcome_checks oc WHERE oc.item_id = it.id AND oc.checked_on IS NOT NULL)
          AND (SELECT oc.business_running FROM outcome_checks oc WHERE oc.item_id = it.id AND oc.checked_on IS NOT NULL ORDER BY oc.months_after DESC LIMIT 1)`)} AS businesses_running,
      ${protect(sql`SELECT count(DISTINCT household_id)::int FROM it WHERE household_id IS NOT NULL AND progress = 'DONE'`)} AS households_served
    FROM (SELECT ${policy.exactAggregatesSql(principal, sql`pkg.village_code`)} AS exact FROM packages pkg WHERE pkg.id = ${packageId}) px`);
  return row!;
}

/**
 * Households served (an item DONE) per PAS tag, over ITEMS_FROM, protected like `outcomeCounts`.
 * Sensitive PAS appear only where the village's counts are exact for the caller (where it may
 * read the records anyway).
 */
export function servedByPasCounts(db: Queryable, principal: Principal, k: number, packageId: number) {
  const exact = policy.exactAggregatesSql(principal, sql`pkg.village_code`);
  return db.query<{ pas: string; households: number | null }>(sql`
    SELECT t.pas::text AS pas, ${protectCountSql(sql`count(DISTINCT h.id)::int`, k, sql`bool_and(${exact})`)} AS households
    ${ITEMS_FROM} CROSS JOIN LATERAL unnest(h.pas) t(pas)
    WHERE item.package_id = ${packageId} AND item.progress = 'DONE'
      AND (${exact} OR NOT (t.pas::text = ANY(${sql.param([...SENSITIVE_PAS_CODES])}::text[])))
    GROUP BY t.pas ORDER BY t.pas`);
}
