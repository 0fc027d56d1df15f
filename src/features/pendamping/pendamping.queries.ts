/** All SQL of pendamping and their caseloads. */
import { sql } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';

export interface PendampingRow {
  subject: string;
  name: string;
  organisation: string | null;
  target_per_year: number | null;
  /** Assigned KPM the principal may see. */
  caseload: number;
  village_codes: string[];
  [key: string]: unknown;
}

/**
 * Pendamping with their caseload as the principal sees it (only assigned households inside its
 * caseload scope count, so a planner of one regency sees that regency's share of a caseload).
 * A pendamping sees only themself.
 */
export function listPendamping(db: Queryable, principal: Principal, filter: { villageCode: string | null; subject: string | null }) {
  return db.query<PendampingRow>(sql`SELECT p.subject, p.name, p.organisation, p.target_per_year,
      count(h.id)::int AS caseload, COALESCE(array_agg(DISTINCT h.village_code ORDER BY h.village_code) FILTER (WHERE h.id IS NOT NULL), '{}') AS village_codes
    FROM pendamping p
    JOIN pendamping_assignments pa ON pa.pendamping_subject = p.subject
    JOIN households h ON h.id = pa.household_id AND ${policy.caseloadScope(principal)}
    WHERE (${filter.subject}::text IS NULL OR p.subject = ${filter.subject})
      AND (${filter.villageCode}::text IS NULL OR EXISTS (SELECT 1 FROM pendamping_assignments pa2 JOIN households h2 ON h2.id = pa2.household_id
             WHERE pa2.pendamping_subject = p.subject AND h2.village_code = ${filter.villageCode}))
      AND (${principal.role !== 'PENDAMPING'} OR p.subject = ${principal.subject})
    GROUP BY p.subject ORDER BY p.subject`);
}

export async function pendampingBySubject(db: Queryable, subject: string) {
  const [row] = await db.query<{ subject: string; name: string }>(sql`SELECT subject, name FROM pendamping WHERE subject = ${subject}`);
  return row ?? null;
}

/** Pendamping subject per household (null when unassigned), for the given households. */
export function assignmentsByHouseholdIds(db: Queryable, householdIds: readonly number[]) {
  return db.query<{ household_id: number; pendamping_subject: string; assigned_on: string }>(sql`SELECT household_id, pendamping_subject, assigned_on
    FROM pendamping_assignments WHERE household_id = ANY(${sql.param([...householdIds])}::int[])`);
}

/** Assigns (or reassigns) households to a pendamping; returns the previous subjects for the audit record. */
export function upsertAssignments(db: Queryable, subject: string, householdIds: readonly number[], assignedOn: string) {
  return db.query<{ household_id: number; previous: string | null }>(sql`WITH prev AS (
      SELECT household_id, pendamping_subject FROM pendamping_assignments WHERE household_id = ANY(${sql.param([...householdIds])}::int[]) FOR UPDATE)
    INSERT INTO pendamping_assignments (household_id, pendamping_subject, assigned_on)
      SELECT id, ${subject}, ${assignedOn} FROM unnest(${sql.param([...householdIds])}::int[]) id
    ON CONFLICT (household_id) DO UPDATE SET pendamping_subject = EXCLUDED.pendamping_subject, assigned_on = EXCLUDED.assigned_on
    RETURNING household_id, (SELECT pendamping_subject FROM prev WHERE prev.household_id = pendamping_assignments.household_id) AS previous`);
}

export async function upsertPendamping(db: Queryable, p: { subject: string; name: string; organisation: string | null; targetPerYear: number | null }) {
  await db.query(sql`INSERT INTO pendamping (subject, name, organisation, target_per_year) VALUES (${p.subject}, ${p.name}, ${p.organisation}, ${p.targetPerYear})
    ON CONFLICT (subject) DO UPDATE SET name = EXCLUDED.name, organisation = EXCLUDED.organisation, target_per_year = EXCLUDED.target_per_year`);
}
