/**
 * The audit log: one place that writes it. Mutations call `writeAudit` inside their own
 * transaction, so the record and the change commit or roll back together. Records never hold NIK
 * or family card numbers: callers pass domain objects, and `scrub` drops identifier fields.
 */
import { sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/database.js';
import { planStable } from '../db/prepared-statements.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  packageId?: number | null;
  villageCode?: string | null;
  before?: unknown;
  after?: unknown;
  householdIds?: number[] | null;
  requestId?: string | null;
}

const IDENTIFIER_KEYS = new Set(['nik', 'headNik', 'head_nik', 'familyCardNumber', 'family_card_number']);

/** Deep copy without identifier fields: the audit log is read by more people than the registry. */
export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !IDENTIFIER_KEYS.has(k)).map(([k, v]) => [k, scrub(v)]));
  }
  return value;
}

export async function writeAudit(db: Queryable, principal: Principal, entry: AuditEntry): Promise<void> {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(scrub(v)));
  // An insert has one plan for any values: prepared (db/prepared-statements.ts). Every read of
  // personal data writes one.
  await db.query(planStable(sql`INSERT INTO audit_log (actor, role, organisation, action, entity, entity_id, package_id, village_code, before, after, household_ids, request_id)
    VALUES (${principal.subject}, ${principal.role}, ${principal.organisation}, ${entry.action}, ${entry.entity},
      ${entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId)}, ${entry.packageId ?? null}, ${entry.villageCode ?? null},
      ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${entry.householdIds ? sql.param(entry.householdIds) : null}::int[], ${entry.requestId ?? null})`));
}
