/** All SQL of execution: schedules, approvals, sign-offs, field progress, verifications, outcomes. */
import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';
import { pointWgs84 } from '../../geo/spatial-sql.js';
import type { Principal } from '../../auth/principal.js';
import { itemConditions, ITEMS_FROM } from '../packages/index.js';

export interface LockedPackage {
  id: number;
  village_code: string;
  status: string;
  version: number;
  created_by: string;
  created_on: string;
  [key: string]: unknown;
}

/** The package row locked for a change, without row scope: callers authorise by role themselves. */
export async function lockPackage(db: Queryable, id: number): Promise<LockedPackage | null> {
  const [row] = await db.query<LockedPackage>(sql`SELECT id, village_code, status::text AS status, version, created_by,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_on
    FROM packages WHERE id = ${id} FOR UPDATE`);
  return row ?? null;
}

/** Target households of a package (household and person items) and whether each has an assessment. */
export function assessmentCoverage(db: Queryable, packageId: number) {
  return db.query<{ household_id: number; assessed: boolean }>(sql`SELECT t.household_id,
      EXISTS (SELECT 1 FROM assessments a WHERE a.household_id = t.household_id) AS assessed
    FROM (SELECT DISTINCT coalesce(i.household_id, m.household_id) AS household_id
          FROM package_items i LEFT JOIN members m ON m.id = i.member_id
          WHERE i.package_id = ${packageId} AND (i.household_id IS NOT NULL OR i.member_id IS NOT NULL)) t
    ORDER BY t.household_id`);
}

export async function currentApproval(db: Queryable, packageId: number) {
  const [row] = await db.query<{ id: number; drafted_by: string; approved_by: string; approved_at: string }>(sql`SELECT id, drafted_by, approved_by,
      to_json(approved_at)#>>'{}' AS approved_at
    FROM package_approvals WHERE package_id = ${packageId} AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1`);
  return row ?? null;
}

export async function insertApproval(db: Queryable, packageId: number, approvedBy: string) {
  // drafted_by is overwritten by the trigger from packages.created_by (drizzle/0013).
  const [row] = await db.query<{ id: number }>(sql`INSERT INTO package_approvals (package_id, drafted_by, approved_by)
    VALUES (${packageId}, '', ${approvedBy}) RETURNING id`);
  return row!.id;
}

export const withdrawApproval = (db: Queryable, packageId: number) =>
  db.query(sql`UPDATE package_approvals SET withdrawn_at = now() WHERE package_id = ${packageId} AND withdrawn_at IS NULL`);

/** Funders paying a share of any item of the package, with their decision on the current approval. */
export function funderSignoffs(db: Queryable, packageId: number) {
  return db.query<{ funder_code: string; decision: string | null; reason: string | null; subject: string | null; at: string | null }>(sql`
    SELECT f.funder_code, s.decision, s.reason, s.subject, to_json(s.at)#>>'{}' AS at
    FROM (SELECT DISTINCT pif.funder_code FROM package_item_funding pif JOIN package_items i ON i.id = pif.item_id WHERE i.package_id = ${packageId}) f
    LEFT JOIN package_signoffs s ON s.funder_code = f.funder_code
      AND s.approval_id = (SELECT id FROM package_approvals WHERE package_id = ${packageId} AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1)
    ORDER BY f.funder_code`);
}

export const insertSignoff = (db: Queryable, approvalId: number, funderCode: string, decision: 'SIGNED' | 'REFUSED', reason: string | null, subject: string) =>
  db.query(sql`INSERT INTO package_signoffs (approval_id, funder_code, decision, reason, subject) VALUES (${approvalId}, ${funderCode}, ${decision}, ${reason}, ${subject})`);

export interface ExecItem {
  id: number;
  package_id: number;
  intervention_code: string;
  category: string;
  target: string;
  household_id: number | null;
  progress: string;
  started_on: string | null;
  done_on: string | null;
  funder_codes: string[];
  verified: boolean;
  [key: string]: unknown;
}

export async function execItem(db: Queryable, packageId: number, itemId: number): Promise<ExecItem | null> {
  const [row] = await db.query<ExecItem>(sql`SELECT i.id, i.package_id, i.intervention_code, iv.category::text AS category, iv.target::text AS target,
      coalesce(i.household_id, m.household_id) AS household_id, i.progress::text AS progress, i.started_on::text AS started_on, i.done_on::text AS done_on,
      ARRAY(SELECT DISTINCT funder_code FROM package_item_funding WHERE item_id = i.id ORDER BY 1) AS funder_codes,
      EXISTS (SELECT 1 FROM post_works_verifications v WHERE v.item_id = i.id) AS verified
    FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code LEFT JOIN members m ON m.id = i.member_id
    WHERE i.package_id = ${packageId} AND i.id = ${itemId}`);
  return row ?? null;
}

/** Whether the pendamping (by subject) carries at least one household of the village. */
export async function isPendampingOfVillage(db: Queryable, subject: string, villageCode: string): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id
    WHERE pa.pendamping_subject = ${subject} AND h.village_code = ${villageCode}) AS ok`);
  return row!.ok;
}

export interface NewProgressRecord {
  itemId: number;
  progress: string;
  onDate: string;
  note: string;
  lonLat: [number, number] | null;
  recordedBy: string;
  recorderRole: string;
  evidence: { base64: string; sha256: string; mime: string; bytes: number } | null;
}

export async function insertProgressRecord(db: Queryable, r: NewProgressRecord): Promise<number> {
  const [row] = await db.query<{ id: number }>(sql`INSERT INTO item_progress_records (item_id, progress, on_date, note, location, recorded_by, recorder_role,
      evidence, evidence_sha256, evidence_mime, evidence_bytes)
    VALUES (${r.itemId}, ${r.progress}::item_progress, ${r.onDate}, ${r.note}, ${r.lonLat ? pointWgs84(r.lonLat) : sql`NULL::geometry`}, ${r.recordedBy}, ${r.recorderRole},
      ${r.evidence ? sql`decode(${r.evidence.base64}, 'base64')` : sql`NULL::bytea`}, ${r.evidence?.sha256 ?? null}, ${r.evidence?.mime ?? null}, ${r.evidence?.bytes ?? null})
    RETURNING id`);
  return row!.id;
}

/**
 * Instalments released against progress: starting the work releases the first termin, DONE the
 * rest. Returns the instalments paid by this call.
 */
export function releaseInstalments(db: Queryable, itemId: number, progress: string, onDate: string) {
  return db.query<{ seq: number; amount_idr: number }>(sql`UPDATE package_item_instalments SET paid_on = ${onDate}
    WHERE item_id = ${itemId} AND paid_on IS NULL
      AND (${progress} = 'DONE' OR (${progress} = 'IN_PROGRESS' AND seq = (SELECT min(seq) FROM package_item_instalments WHERE item_id = ${itemId})))
    RETURNING seq, amount_idr`);
}

export const scheduleOutcomeChecks = (db: Queryable, itemId: number, doneOn: string) =>
  db.query(sql`INSERT INTO outcome_checks (item_id, months_after, due_on)
    SELECT ${itemId}, m, (${doneOn}::date + make_interval(months => m))::date FROM unnest(ARRAY[3, 6, 12]) m
    ON CONFLICT (item_id, months_after) DO NOTHING`);

export async function recordOutcomeCheck(db: Queryable, itemId: number, monthsAfter: number, checkedOn: string, running: boolean, note: string, by: string) {
  const [row] = await db.query<{ due_on: string }>(sql`UPDATE outcome_checks SET checked_on = ${checkedOn}, business_running = ${running}, note = ${note}, checked_by = ${by}
    WHERE item_id = ${itemId} AND months_after = ${monthsAfter} RETURNING due_on::text`);
  return row ?? null;
}

export async function assessmentFor(db: Queryable, assessmentId: number) {
  const [row] = await db.query<{ id: number; household_id: number; assessed_on: string; is_rtlh: boolean; village_code: string }>(sql`SELECT a.id, a.household_id,
      a.assessed_on::text AS assessed_on, h.is_rtlh, h.village_code
    FROM assessments a JOIN households h ON h.id = a.household_id WHERE a.id = ${assessmentId}`);
  return row ?? null;
}

/** Records the verification and what it changes: the household had housing aid; village statistics re-derived. */
export async function insertVerification(db: Queryable, itemId: number, assessmentId: number, by: string, fit: boolean, householdId: number, villageCode: string) {
  await db.query(sql`INSERT INTO post_works_verifications (item_id, assessment_id, verified_by, fit) VALUES (${itemId}, ${assessmentId}, ${by}, ${fit})`);
  await db.query(sql`UPDATE households SET had_housing_aid = true, updated_at = now() WHERE id = ${householdId}`);
  await db.query(sql`SELECT refresh_village_stats(ARRAY[${villageCode}::text])`);
}

export interface TimelineItemRow {
  id: number;
  package_id: number;
  intervention_code: string;
  category: string;
  funder_code: string;
  progress: string;
  planned_start: string | null;
  planned_end: string | null;
  started_on: string | null;
  done_on: string | null;
  [key: string]: unknown;
}

export interface ScheduleRow {
  package_id: number;
  status: string;
  created_on: string;
  assessment_end: string | null;
  planning_end: string | null;
  implementation_end: string | null;
  assessed_on: string | null;
  planned_on: string | null;
  in_progress_on: string | null;
  completed_on: string | null;
  [key: string]: unknown;
}

/** Schedules and actual phase dates (from the audit trail of transitions) of many packages in one statement. */
export function schedulesOf(db: Queryable, packageIds: readonly number[]) {
  const reached = (status: string) => sql`(SELECT min(al.at AT TIME ZONE 'UTC')::date::text FROM audit_log al
    WHERE al.package_id = p.id AND al.action = 'TRANSITION' AND al.after->>'status' = ${status})`;
  return db.query<ScheduleRow>(sql`SELECT p.id AS package_id, p.status::text AS status, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_on,
      s.assessment_end::text, s.planning_end::text, s.implementation_end::text,
      ${reached('ASSESSED')} AS assessed_on, ${reached('PLANNED')} AS planned_on, ${reached('IN_PROGRESS')} AS in_progress_on, ${reached('COMPLETED')} AS completed_on
    FROM packages p LEFT JOIN package_schedules s ON s.package_id = p.id
    WHERE p.id = ANY(${sql.param([...packageIds])}::int[]) ORDER BY p.id`);
}

/**
 * Timeline rows of the items the principal may read (the package-item source's join and scope):
 * listing every item would give a protected caller the exact number of households served.
 */
export function timelineItems(db: Queryable, principal: Principal, packageIds: readonly number[]) {
  return db.query<TimelineItemRow>(sql`SELECT item.id, item.package_id, item.intervention_code, iv.category::text AS category, item.funder_code, item.progress::text AS progress,
      sc.planned_start::text, sc.planned_end::text, item.started_on::text, item.done_on::text
    ${ITEMS_FROM} LEFT JOIN package_item_schedules sc ON sc.item_id = item.id
    WHERE ${sql.join(itemConditions(principal, { packageIds }), sql` AND `)} ORDER BY item.package_id, item.id`);
}

export const upsertSchedule = (db: Queryable, packageId: number, s: { assessmentEnd: string; planningEnd: string; implementationEnd: string }) =>
  db.query(sql`INSERT INTO package_schedules (package_id, assessment_end, planning_end, implementation_end) VALUES (${packageId}, ${s.assessmentEnd}, ${s.planningEnd}, ${s.implementationEnd})
    ON CONFLICT (package_id) DO UPDATE SET assessment_end = EXCLUDED.assessment_end, planning_end = EXCLUDED.planning_end, implementation_end = EXCLUDED.implementation_end`);

export const upsertItemSchedule = (db: Queryable, itemId: number, start: string, end: string) =>
  db.query(sql`INSERT INTO package_item_schedules (item_id, planned_start, planned_end) VALUES (${itemId}, ${start}, ${end})
    ON CONFLICT (item_id) DO UPDATE SET planned_start = EXCLUDED.planned_start, planned_end = EXCLUDED.planned_end`);

/**
 * Items per category, funder and progress over the packages the principal may see (one statement).
 * `exact` is an aggregate over the group's villages (true only when every village is exact for the
 * caller): the cost is shown only then, as an exact cost divided by a unit cost is an exact count.
 */
export function itemAggregates(db: Queryable, villageScope: SQL, regionPrefix: string | null, protect: (count: SQL) => SQL, exact: SQL) {
  return db.query<{ category: string; funder_code: string; progress: string; items: number | null; cost_idr: number | null; packages: number }>(sql`
    SELECT iv.category::text AS category, pif.funder_code, i.progress::text AS progress, ${protect(sql`count(DISTINCT i.id)::int`)} AS items,
      CASE WHEN ${exact} THEN sum(pif.amount_idr)::bigint END AS cost_idr, count(DISTINCT p.id)::int AS packages
    FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
    JOIN package_item_funding pif ON pif.item_id = i.id
    WHERE p.status IN ('APPROVED', 'IN_PROGRESS', 'COMPLETED') AND ${villageScope}
      AND (${regionPrefix}::text IS NULL OR p.village_code LIKE ${regionPrefix} || '%')
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
}

export async function isVerified(db: Queryable, itemId: number): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM post_works_verifications WHERE item_id = ${itemId}) AS ok`);
  return row!.ok;
}

export async function packageState(db: Queryable, packageId: number) {
  const [row] = await db.query<{ id: number; status: string; version: number }>(sql`SELECT id, status::text AS status, version FROM packages WHERE id = ${packageId}`);
  return row!;
}

export interface ProgressRecordRow {
  id: number;
  item_id: number;
  progress: string;
  on_date: string;
  note: string;
  lon: number | null;
  lat: number | null;
  recorded_by: string;
  recorder_role: string;
  evidence_sha256: string | null;
  evidence_mime: string | null;
  evidence_bytes: number | null;
  evidence_base64: string | null;
  [key: string]: unknown;
}

/** Progress records of one item, oldest first; evidence content only when `withContent`. */
export function progressRecordsOf(db: Queryable, itemId: number, withContent: boolean) {
  return db.query<ProgressRecordRow>(sql`SELECT r.id, r.item_id, r.progress::text AS progress, r.on_date::text AS on_date, r.note,
      ST_X(r.location) AS lon, ST_Y(r.location) AS lat, r.recorded_by, r.recorder_role, r.evidence_sha256, r.evidence_mime, r.evidence_bytes,
      ${withContent ? sql`encode(r.evidence, 'base64')` : sql`NULL::text`} AS evidence_base64
    FROM item_progress_records r WHERE r.item_id = ${itemId} ORDER BY r.id`);
}
