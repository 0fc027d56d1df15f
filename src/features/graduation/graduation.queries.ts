/** All SQL of graduation: facts, criteria, decisions, contributions, the target aggregates. */
import { type SQL, sql } from 'drizzle-orm';
import { policy, protectCountSql } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable, Row } from '../../db/database.js';
import type { Criterion } from './graduation.rules.js';

export interface FactRow {
  id: number;
  village_code: string;
  desil: number;
  is_rtlh: boolean;
  has_own_toilet: boolean;
  has_small_business: boolean;
  occupants: number;
  monthly_income_idr: number | null;
  business_since: string | null;
  observed_on: string | null;
  programs: string[];
  house_repaired: boolean;
  received_business_support: boolean;
  pendamping_subject: string | null;
  [key: string]: unknown;
}

export interface GraduationRow {
  id: number;
  household_id: number;
  village_code: string;
  pendamping_subject: string | null;
  pathway: string;
  status: string;
  proposed_by: string;
  proposed_at: Date;
  evidence: unknown;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  graduated_on: string | null;
  returned_on: string | null;
  return_reason: string | null;
  [key: string]: unknown;
}

export interface ContributionRow {
  graduation_id: number;
  package_item_id: number;
  package_id: number;
  intervention_code: string;
  category: string;
  progress: string;
  [key: string]: unknown;
}

const CRITERION_COLUMNS = sql`code, label, rule, required, weight, source, is_assumption AS "isAssumption", is_active AS "isActive"`;

/** The active criteria (all with `includeInactive`), required first, in the shape the evaluator and the GraphQL type take. */
export const listCriteria = (db: Queryable, includeInactive = false) =>
  db.query<Criterion & { isActive: boolean } & Row>(sql`
    SELECT ${CRITERION_COLUMNS} FROM graduation_criteria ${includeInactive ? sql`` : sql`WHERE is_active`} ORDER BY required DESC, weight DESC, code`);

/** One criterion, row-locked so concurrent edits of it serialise (the audit's before is then true). */
export async function criterionForUpdate(tx: Queryable, code: string) {
  const [row] = await tx.query<Criterion & { isActive: boolean } & Row>(sql`SELECT ${CRITERION_COLUMNS} FROM graduation_criteria WHERE code = ${code} FOR UPDATE`);
  return row ?? null;
}

/** Inserts or replaces a criterion by code; criteria are never deleted (retired: is_active false), so decisions keep their meaning. */
export async function upsertCriterion(tx: Queryable, c: Criterion & { isActive: boolean }) {
  const [row] = await tx.query<Criterion & { isActive: boolean } & Row>(sql`
    INSERT INTO graduation_criteria (code, label, rule, required, weight, source, is_assumption, is_active)
    VALUES (${c.code}, ${c.label}, ${JSON.stringify(c.rule)}::jsonb, ${c.required}, ${c.weight}, ${c.source}, ${c.isAssumption}, ${c.isActive})
    ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, rule = EXCLUDED.rule, required = EXCLUDED.required, weight = EXCLUDED.weight,
      source = EXCLUDED.source, is_assumption = EXCLUDED.is_assumption, is_active = EXCLUDED.is_active
    RETURNING ${CRITERION_COLUMNS}`);
  return row!;
}

/**
 * Graduation facts of households inside the caseload scope, in one statement: the registry row,
 * the latest welfare observation, open memberships, and finished package items at the house.
 * `where` narrows the households (alias `h`); `onlyKpm` keeps households with an open membership
 * and no open graduation (the readiness list).
 */
export function factsOf(db: Queryable, principal: Principal, where: SQL, options: { onlyCandidates?: boolean; limit?: number } = {}) {
  return db.query<FactRow>(sql`SELECT h.id, h.village_code, h.desil, h.is_rtlh, h.has_own_toilet, h.has_small_business, h.occupants,
      wo.monthly_income_idr, wo.business_since, wo.observed_on,
      COALESCE((SELECT array_agg(pm.program_code ORDER BY pm.program_code) FROM program_memberships pm WHERE pm.household_id = h.id AND pm.ended_on IS NULL), '{}') AS programs,
      EXISTS (SELECT 1 FROM package_items pi JOIN interventions i ON i.code = pi.intervention_code JOIN packages p ON p.id = pi.package_id
              WHERE pi.household_id = h.id AND pi.progress = 'DONE' AND p.status <> 'CANCELLED' AND i.is_housing) AS house_repaired,
      EXISTS (SELECT 1 FROM package_items pi JOIN interventions i ON i.code = pi.intervention_code JOIN packages p ON p.id = pi.package_id
              WHERE pi.household_id = h.id AND pi.progress = 'DONE' AND p.status <> 'CANCELLED' AND i.category = 'ECONOMIC_EMPOWERMENT') AS received_business_support,
      pa.pendamping_subject
    FROM households h
    LEFT JOIN pendamping_assignments pa ON pa.household_id = h.id
    LEFT JOIN LATERAL (SELECT w.monthly_income_idr, w.business_since, w.observed_on FROM welfare_observations w
                       WHERE w.household_id = h.id ORDER BY w.observed_on DESC, w.id DESC LIMIT 1) wo ON true
    WHERE ${where} AND ${policy.caseloadScope(principal)}
      ${options.onlyCandidates
        ? sql`AND EXISTS (SELECT 1 FROM program_memberships pm WHERE pm.household_id = h.id AND pm.ended_on IS NULL)
              AND NOT EXISTS (SELECT 1 FROM graduations g WHERE g.household_id = h.id AND g.status IN ('PROPOSED', 'APPROVED'))`
        : sql``}
    ORDER BY h.id
    ${options.limit ? sql`LIMIT ${options.limit}` : sql``}`);
}

export async function insertObservation(db: Queryable, o: { householdId: number; observedOn: string; monthlyIncomeIdr: number; businessSince: string | null; recordedBy: string; note: string }) {
  const [row] = await db.query<{ id: number }>(sql`INSERT INTO welfare_observations (household_id, observed_on, monthly_income_idr, business_since, recorded_by, note)
    VALUES (${o.householdId}, ${o.observedOn}, ${o.monthlyIncomeIdr}, ${o.businessSince}, ${o.recordedBy}, ${o.note}) RETURNING id`);
  return row!.id;
}

/** Graduations inside the caseload scope, newest first. */
export function listGraduations(db: Queryable, principal: Principal, filter: { ids?: readonly number[]; householdId?: number | null; villageCode?: string | null; status?: string | null; pendampingSubject?: string | null; limit?: number }) {
  return db.query<GraduationRow>(sql`SELECT g.* FROM graduations g JOIN households h ON h.id = g.household_id
    WHERE ${policy.caseloadScope(principal)}
      ${filter.ids ? sql`AND g.id = ANY(${sql.param([...filter.ids])}::int[])` : sql``}
      AND (${filter.householdId ?? null}::int IS NULL OR g.household_id = ${filter.householdId ?? null})
      AND (${filter.villageCode ?? null}::text IS NULL OR g.village_code = ${filter.villageCode ?? null})
      AND (${filter.status ?? null}::text IS NULL OR g.status::text = ${filter.status ?? null})
      AND (${filter.pendampingSubject ?? null}::text IS NULL OR g.pendamping_subject = ${filter.pendampingSubject ?? null})
    ORDER BY g.id DESC LIMIT ${filter.limit ?? 500}`);
}

/** The graduation row, locked for a decision (no scope: callers check the household first). */
export async function graduationForUpdate(db: Queryable, id: number): Promise<GraduationRow | null> {
  const [row] = await db.query<GraduationRow>(sql`SELECT * FROM graduations WHERE id = ${id} FOR UPDATE`);
  return row ?? null;
}

export async function insertGraduation(db: Queryable, g: { householdId: number; villageCode: string; pendampingSubject: string | null; pathway: string; proposedBy: string; evidence: unknown }) {
  const [row] = await db.query<GraduationRow>(sql`INSERT INTO graduations (household_id, village_code, pendamping_subject, pathway, proposed_by, evidence)
    VALUES (${g.householdId}, ${g.villageCode}, ${g.pendampingSubject}, ${g.pathway}, ${g.proposedBy}, ${JSON.stringify(g.evidence)}::jsonb) RETURNING *`);
  return row!;
}

export async function decideGraduation(db: Queryable, id: number, d: { status: 'APPROVED' | 'REJECTED'; decidedBy: string; note: string; graduatedOn: string | null }) {
  const [row] = await db.query<GraduationRow>(sql`UPDATE graduations SET status = ${d.status}, decided_by = ${d.decidedBy}, decided_at = now(),
      decision_note = ${d.note}, graduated_on = ${d.graduatedOn} WHERE id = ${id} RETURNING *`);
  return row!;
}

export async function markReturned(db: Queryable, id: number, returnedOn: string, reason: string) {
  const [row] = await db.query<GraduationRow>(sql`UPDATE graduations SET status = 'RETURNED', returned_on = ${returnedOn}, return_reason = ${reason} WHERE id = ${id} RETURNING *`);
  return row!;
}

/**
 * Links package items to a graduation. Only items at the graduating household (or one of its
 * members) in a package that is not cancelled are linked; the caller compares the count.
 */
export function insertContributions(db: Queryable, graduationId: number, householdId: number, itemIds: readonly number[]) {
  return db.query<{ package_item_id: number }>(sql`INSERT INTO graduation_contributions (graduation_id, package_item_id)
    SELECT ${graduationId}, pi.id FROM package_items pi JOIN packages p ON p.id = pi.package_id
    WHERE pi.id = ANY(${sql.param([...itemIds])}::int[]) AND pi.household_id = ${householdId} AND p.status <> 'CANCELLED'
    RETURNING package_item_id`);
}

export function contributionsByGraduationIds(db: Queryable, ids: readonly number[]) {
  return db.query<ContributionRow>(sql`SELECT gc.graduation_id, gc.package_item_id, pi.package_id, pi.intervention_code, i.category, pi.progress
    FROM graduation_contributions gc JOIN package_items pi ON pi.id = gc.package_item_id JOIN interventions i ON i.code = pi.intervention_code
    WHERE gc.graduation_id = ANY(${sql.param([...ids])}::int[]) ORDER BY gc.graduation_id, gc.package_item_id`);
}

export type TargetGrouping = 'PENDAMPING' | 'VILLAGE' | 'REGENCY' | 'PROVINCE' | 'NATIONAL';

export interface TargetRow {
  key: string;
  /** Whether the row's counts are exact for the caller (else protected). */
  counts_exact: boolean;
  caseload: number | null;
  pendamping: number;
  target: number;
  graduated: number | null;
  proposed: number | null;
  returned: number | null;
  referred: number | null;
  accepted: number | null;
  enrolled: number | null;
  declined: number | null;
  [key: string]: unknown;
}

/**
 * The target, measured, in one statement, per pendamping or region (per village: graduation.map.ts,
 * the source the maps share). Rows are households the principal may aggregate:
 * exact caseload scope for ADMIN / PLANNER / PENDAMPING, and for VIEWER / PARTNER their aggregate
 * scope with every household count protected (0, suppressed below k, rounded to k).
 *
 * Target of a group = Σ over the pendamping serving it of (their yearly target × the share of their
 * caseload inside the group): a pendamping with 462 KPM in two kelurahan adds 10 × 300/462 to
 * one and 10 × 162/462 to the other, so village targets add up to the regional one.
 */
export function targetAggregates(db: Queryable, principal: Principal, o: { grouping: TargetGrouping; regionCode: string | null; year: number; defaultTarget: number; k: number }) {
  const protect = policy.suppressesSmallCounts(principal);
  const scope = protect ? policy.aggregateScope(principal) : policy.caseloadScope(principal);
  const key = (village: SQL, pendamping: SQL): SQL => {
    switch (o.grouping) {
      case 'PENDAMPING': return sql`COALESCE(${pendamping}, '-')`;
      case 'VILLAGE': return village;
      case 'REGENCY': return sql`left(${village}, 5)`;
      case 'PROVINCE': return sql`left(${village}, 2)`;
      case 'NATIONAL': return sql`'ID'`;
    }
  };
  const inRegion = o.regionCode === null ? sql`true` : sql`(h.village_code = ${o.regionCode} OR h.village_code LIKE ${`${o.regionCode}.%`})`;
  const count = (c: SQL) => protectCountSql(sql`COALESCE(${c}, 0)::int`, o.k, sql`${!protect}`);
  return db.query<TargetRow>(sql`WITH
    assigned AS (SELECT pa.household_id, pa.pendamping_subject, h.village_code FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id WHERE ${scope} AND ${inRegion}),
    grads AS (SELECT g.* FROM graduations g JOIN households h ON h.id = g.household_id WHERE ${scope} AND ${inRegion}),
    caseloads AS (SELECT ${key(sql`village_code`, sql`pendamping_subject`)} AS k, count(*)::int AS caseload, count(DISTINCT pendamping_subject)::int AS pendamping FROM assigned GROUP BY 1),
    shares AS (SELECT ${key(sql`village_code`, sql`pendamping_subject`)} AS k, pendamping_subject, count(*) AS n FROM assigned GROUP BY 1, 2),
    totals AS (SELECT pendamping_subject, count(*) AS n FROM pendamping_assignments GROUP BY 1),
    targets AS (SELECT s.k, sum(COALESCE(p.target_per_year, ${o.defaultTarget}) * s.n::numeric / t.n) AS target
                FROM shares s JOIN totals t USING (pendamping_subject) JOIN pendamping p ON p.subject = s.pendamping_subject GROUP BY 1),
    gstats AS (SELECT ${key(sql`village_code`, sql`pendamping_subject`)} AS k,
                 count(*) FILTER (WHERE status IN ('APPROVED', 'RETURNED') AND extract(year FROM graduated_on) = ${o.year})::int AS graduated,
                 count(*) FILTER (WHERE status = 'PROPOSED')::int AS proposed,
                 count(*) FILTER (WHERE extract(year FROM returned_on) = ${o.year})::int AS returned
               FROM grads GROUP BY 1),
    rstats AS (SELECT ${key(sql`g.village_code`, sql`g.pendamping_subject`)} AS k,
                 count(*) FILTER (WHERE r.status = 'REFERRED')::int AS referred, count(*) FILTER (WHERE r.status = 'ACCEPTED')::int AS accepted,
                 count(*) FILTER (WHERE r.status = 'ENROLLED')::int AS enrolled, count(*) FILTER (WHERE r.status = 'DECLINED')::int AS declined
               FROM referrals r JOIN grads g ON g.id = r.graduation_id WHERE extract(year FROM r.referred_on) = ${o.year} GROUP BY 1),
    keys AS (SELECT k FROM caseloads UNION SELECT k FROM gstats UNION SELECT k FROM rstats)
    SELECT keys.k AS key, ${!protect}::boolean AS counts_exact, ${count(sql`c.caseload`)} AS caseload, COALESCE(c.pendamping, 0) AS pendamping, round(COALESCE(t.target, 0), 1)::float8 AS target,
      ${count(sql`gs.graduated`)} AS graduated, ${count(sql`gs.proposed`)} AS proposed, ${count(sql`gs.returned`)} AS returned,
      ${count(sql`rs.referred`)} AS referred, ${count(sql`rs.accepted`)} AS accepted, ${count(sql`rs.enrolled`)} AS enrolled, ${count(sql`rs.declined`)} AS declined
    FROM keys LEFT JOIN caseloads c ON c.k = keys.k LEFT JOIN targets t ON t.k = keys.k LEFT JOIN gstats gs ON gs.k = keys.k LEFT JOIN rstats rs ON rs.k = keys.k
    ORDER BY keys.k`);
}

/** Graduations a package's items contributed to, per intervention (counted once per graduation). */
export function packageGraduationEffect(db: Queryable, principal: Principal, packageId: number, k: number) {
  const protect = policy.suppressesSmallCounts(principal);
  const scope = protect ? policy.aggregateScope(principal) : policy.caseloadScope(principal);
  return db.query<{ intervention_code: string | null; graduations: number | null }>(sql`SELECT i.intervention_code,
      ${protectCountSql(sql`count(DISTINCT g.id)::int`, k, sql`${!protect}`)} AS graduations
    FROM graduation_contributions gc JOIN graduations g ON g.id = gc.graduation_id AND g.status IN ('APPROVED', 'RETURNED')
    JOIN households h ON h.id = g.household_id
    JOIN package_items i ON i.id = gc.package_item_id
    WHERE i.package_id = ${packageId} AND ${scope}
    GROUP BY GROUPING SETS ((i.intervention_code), ()) ORDER BY i.intervention_code NULLS FIRST`);
}
