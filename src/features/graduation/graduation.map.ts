/**
 * The one source of per-village graduation aggregates (issue 16: "OGC and tiles expose the
 * protected aggregates where a map needs them"). GraphQL `graduationTargets(groupBy: VILLAGE)`,
 * the OGC collection `village_graduation` and the tile layer `village_graduation` all read
 * `villageGraduationRows`, so one village shows the same values on every surface.
 *
 * Protection follows the village, as the village need statistics do (policy.exactAggregatesSql):
 * - where the caller's aggregates are exact (ADMIN; PLANNER in its regions; PENDAMPING in its token
 *   villages), the counts are exact over the caller's caseload scope — all households of the
 *   village for ADMIN and PLANNER, only the pendamping's own caseload for a PENDAMPING (its caseload
 *   rule is unchanged: it never counts another pendamping's KPM exactly);
 * - everywhere else (VIEWER, PARTNER in its villages, a PLANNER outside its regions, a PENDAMPING
 *   outside its villages) the counts are over every household of the village and protected with
 *   protectCountSql: 0 stays 0, 1 … k−1 are null, larger counts are rounded to a multiple of k.
 * `pendamping` (people serving the village) is not a household count and is shown as is. `target`
 * is null in protected rows: it is Σ (a pendamping's target × the share of their caseload in the
 * village), so with the pendamping's total caseload it gives back the exact number of their KPM in
 * the village (10 × 3/462 = 0.06 says "3 households") — a count below k by another name.
 */
import { type SQL, sql } from 'drizzle-orm';
import { policy, protectCountSql } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import type { TargetRow } from './graduation.queries.js';

export interface VillageGraduationOptions {
  /** Calendar year of graduations, returns and referrals. */
  year: number;
  /** Yearly target of a pendamping without their own (config GRADUATION_TARGET_PER_PENDAMPING_PER_YEAR). */
  defaultTarget: number;
  /** K_ANONYMITY. */
  k: number;
  /**
   * Narrows the villages before aggregating (a region, one village, the villages under a bbox):
   * a predicate over a village code expression. Applied to households, so it is index-friendly.
   */
  villages?: (villageCode: SQL) => SQL;
}

/** The columns of a row of `villageGraduationRows`. */
export interface VillageGraduationRow {
  village_code: string;
  /** Whether this row's counts are exact for the caller (else protected). */
  counts_exact: boolean;
  caseload: number | null;
  pendamping: number;
  /** Null where counts_exact is false (see the header). */
  target: number | null;
  graduated: number | null;
  proposed: number | null;
  returned: number | null;
  referred: number | null;
  accepted: number | null;
  enrolled: number | null;
  declined: number | null;
  [key: string]: unknown;
}

/** The aggregate columns, in the order every surface lists them. */
export const VILLAGE_GRADUATION_COUNTS = ['caseload', 'graduated', 'proposed', 'returned', 'referred', 'accepted', 'enrolled', 'declined'] as const;

/**
 * One row per village in which the caller can count any KPM lifecycle record (an assignment, a
 * graduation or a referral), as a SELECT usable as a subquery (`FROM (${rows}) vg`). Columns: see
 * VillageGraduationRow. Villages without any such record have no row (a map shows them empty).
 */
export function villageGraduationRows(principal: Principal, o: VillageGraduationOptions): SQL {
  const exact = (code: SQL) => policy.exactAggregatesSql(principal, code);
  // Exact rows count the caller's caseload; protected rows count the whole village (in the
  // caller's village scope), so both kinds of row are what `exactAggregates` promises.
  const counted = sql`((${exact(sql`h.village_code`)} AND ${policy.caseloadScope(principal)})
    OR (NOT ${exact(sql`h.village_code`)} AND ${policy.villageScope(principal, sql`h.village_code`)}))`;
  const narrowed = o.villages ? sql`${counted} AND ${o.villages(sql`h.village_code`)}` : counted;
  const count = (c: SQL) => protectCountSql(sql`COALESCE(${c}, 0)::int`, o.k, sql`keys.counts_exact`);
  return sql`WITH
    assigned AS (SELECT pa.household_id, pa.pendamping_subject, h.village_code FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id WHERE ${narrowed}),
    grads AS (SELECT g.id, g.status, g.graduated_on, g.returned_on, h.village_code FROM graduations g JOIN households h ON h.id = g.household_id WHERE ${narrowed}),
    caseloads AS (SELECT village_code, count(*)::int AS caseload, count(DISTINCT pendamping_subject)::int AS pendamping FROM assigned GROUP BY 1),
    shares AS (SELECT village_code, pendamping_subject, count(*) AS n FROM assigned GROUP BY 1, 2),
    totals AS (SELECT pendamping_subject, count(*) AS n FROM pendamping_assignments GROUP BY 1),
    targets AS (SELECT s.village_code, sum(COALESCE(p.target_per_year, ${o.defaultTarget}) * s.n::numeric / t.n) AS target
                FROM shares s JOIN totals t USING (pendamping_subject) JOIN pendamping p ON p.subject = s.pendamping_subject GROUP BY 1),
    gstats AS (SELECT village_code,
                 count(*) FILTER (WHERE status IN ('APPROVED', 'RETURNED') AND extract(year FROM graduated_on) = ${o.year})::int AS graduated,
                 count(*) FILTER (WHERE status = 'PROPOSED')::int AS proposed,
                 count(*) FILTER (WHERE extract(year FROM returned_on) = ${o.year})::int AS returned
               FROM grads GROUP BY 1),
    rstats AS (SELECT g.village_code,
                 count(*) FILTER (WHERE r.status = 'REFERRED')::int AS referred, count(*) FILTER (WHERE r.status = 'ACCEPTED')::int AS accepted,
                 count(*) FILTER (WHERE r.status = 'ENROLLED')::int AS enrolled, count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined
               FROM referrals r JOIN grads g ON g.id = r.graduation_id WHERE extract(year FROM r.referred_on) = ${o.year} GROUP BY 1),
    keys AS (SELECT village_code, ${exact(sql`village_code`)} AS counts_exact
             FROM (SELECT village_code FROM caseloads UNION SELECT village_code FROM gstats UNION SELECT village_code FROM rstats) u)
    SELECT keys.village_code, keys.counts_exact, ${count(sql`c.caseload`)} AS caseload, COALESCE(c.pendamping, 0) AS pendamping,
      CASE WHEN keys.counts_exact THEN round(COALESCE(t.target, 0), 1)::float8 END AS target,
      ${count(sql`gs.graduated`)} AS graduated, ${count(sql`gs.proposed`)} AS proposed, ${count(sql`gs.returned`)} AS returned,
      ${count(sql`rs.referred`)} AS referred, ${count(sql`rs.accepted`)} AS accepted, ${count(sql`rs.enrolled`)} AS enrolled, ${count(sql`rs.declined`)} AS declined
    FROM keys LEFT JOIN caseloads c USING (village_code) LEFT JOIN targets t USING (village_code)
      LEFT JOIN gstats gs USING (village_code) LEFT JOIN rstats rs USING (village_code)`;
}

/** GraphQL's per-village target rows (key = village code), from the same source. */
export function villageTargetRows(db: Queryable, principal: Principal, o: VillageGraduationOptions): Promise<TargetRow[]> {
  return db.query<TargetRow>(sql`SELECT vg.village_code AS key, vg.* FROM (${villageGraduationRows(principal, o)}) vg ORDER BY vg.village_code`);
}

/** `villages` option for a region (province … village code) and the codes below it. */
export const inRegion = (regionCode: string) => (villageCode: SQL) => sql`(${villageCode} = ${regionCode} OR ${villageCode} LIKE ${`${regionCode}.%`})`;

// --- the map surfaces (OGC collection and tile layer `village_graduation`) ----------------------

/** Properties of a map feature, in order; their meanings are in the OGC collection and docs/gis-clients.md. */
export const VILLAGE_GRADUATION_PROPERTIES = ['code', 'name', 'regency_code', 'year', 'counts_exact', 'caseload', 'pendamping', 'target', ...VILLAGE_GRADUATION_COUNTS.slice(1)] as const;

/**
 * FROM clause of the map surfaces: the rows joined to the village's region and boundary (alias
 * `vg`, `r`, `g`). Villages without a known boundary have no map feature.
 */
export function villageGraduationMapFrom(principal: Principal, o: VillageGraduationOptions): SQL {
  return sql`FROM (${villageGraduationRows(principal, o)}) vg
    JOIN regions r ON r.code = vg.village_code
    JOIN village_geography g ON g.village_code = vg.village_code`;
}

/** The map columns (VILLAGE_GRADUATION_PROPERTIES) over `villageGraduationMapFrom`, for a SELECT list. */
export function villageGraduationMapColumns(year: number): SQL {
  return sql`vg.village_code AS code, r.name, r.regency_code, ${year}::int AS year, vg.counts_exact, vg.caseload, vg.pendamping, vg.target,
    vg.graduated, vg.proposed, vg.returned, vg.referred, vg.accepted, vg.enrolled, vg.declined`;
}

/** A GeoJSON Feature (CRS84, 7 decimals) over `villageGraduationMapFrom`: feature id = village code. */
export function villageGraduationFeatureJson(year: number): SQL {
  return sql`json_build_object('type', 'Feature', 'id', vg.village_code, 'geometry', ST_AsGeoJSON(g.boundary, 7)::json,
    'properties', json_build_object('code', vg.village_code, 'name', r.name, 'regency_code', r.regency_code, 'year', ${year}::int,
      'counts_exact', vg.counts_exact, 'caseload', vg.caseload, 'pendamping', vg.pendamping, 'target', vg.target,
      'graduated', vg.graduated, 'proposed', vg.proposed, 'returned', vg.returned,
      'referred', vg.referred, 'accepted', vg.accepted, 'enrolled', vg.enrolled, 'declined', vg.declined))`;
}

/** `villages` option: villages whose boundary meets `box` (SRID 4326), e.g. a tile with its buffer. */
export const boundaryMeets = (box: SQL) => (villageCode: SQL) =>
  sql`${villageCode} IN (SELECT bm.village_code FROM village_geography bm WHERE bm.boundary && ${box})`;
