/** Reading the audit log (writing it is src/audit/audit.ts). */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  role: string;
  organisation: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  package_id: number | null;
  village_code: string | null;
  household_ids: number[] | null;
  before: unknown;
  after: unknown;
  [key: string]: unknown;
}

const COLUMNS = sql`id, to_json(at)#>>'{}' AS at, actor, role, organisation, action, entity, entity_id, package_id, village_code, household_ids, before, after`;

export const auditOfPackage = (db: Queryable, packageId: number) =>
  db.query<AuditRow>(sql`SELECT ${COLUMNS} FROM audit_log WHERE package_id = ${packageId} ORDER BY id`);

/** Newest first, keyset on id. */
export function findAudit(db: Queryable, f: { actor?: string | null; action?: string | null; householdId?: number | null; beforeId?: number | null; limit: number }) {
  return db.query<AuditRow>(sql`SELECT ${COLUMNS} FROM audit_log
    WHERE (${f.actor ?? null}::text IS NULL OR actor = ${f.actor ?? null})
      AND (${f.action ?? null}::text IS NULL OR action = ${f.action ?? null})
      AND (${f.householdId ?? null}::int IS NULL OR household_ids @> ARRAY[${f.householdId ?? null}::int] OR (entity = 'household' AND entity_id = ${f.householdId === null || f.householdId === undefined ? null : String(f.householdId)}))
      AND (${f.beforeId ?? null}::bigint IS NULL OR id < ${f.beforeId ?? null}::bigint)
    ORDER BY id DESC LIMIT ${f.limit}`);
}
