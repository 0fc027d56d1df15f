/**
 * "Every read of personal data by a non-admin is itself audited." Resolvers and exports note the
 * households whose personal fields (names, address, exact location, masked identifiers) they
 * return; the request writes one audit record for all of them when it finishes, so auditing costs
 * one statement per request, not one per household.
 */
import type { Principal } from '../auth/principal.js';
import { policy } from '../auth/policy.js';
import type { Queryable } from '../db/database.js';
import { writeAudit } from './audit.js';

export class PersonalReads {
  private readonly households = new Set<number>();
  private readonly paths = new Set<string>();
  private readonly records = new Map<string, { path: string; entity: string; id: string; after: Record<string, unknown> }>();

  constructor(private readonly principal: Principal) {}

  note(path: string, householdIds: Iterable<number | string>): void {
    if (!policy.auditsPersonalReads(this.principal)) return;
    let any = false;
    for (const id of householdIds) {
      this.households.add(Number(id));
      any = true;
    }
    if (any) this.paths.add(path);
  }

  /**
   * A read of one stored record that holds personal data outside the households (an import job's
   * report: masked NIK/KK with file and line). Audited for every role, ADMIN included: such
   * records are ADMIN-only, so the non-admin rule above would never audit them.
   */
  noteRecord(path: string, entity: string, id: string | number, after: Record<string, unknown> = {}): void {
    this.records.set(`${entity}:${id}`, { path, entity, id: String(id), after });
  }

  async flush(db: Queryable, requestId: string): Promise<void> {
    const records = [...this.records.values()];
    this.records.clear();
    for (const r of records) {
      await writeAudit(db, this.principal, { action: 'READ_PERSONAL_DATA', entity: r.entity, entityId: r.id, after: { paths: [r.path], ...r.after }, requestId });
    }
    if (this.households.size === 0) return;
    const ids = [...this.households].sort((a, b) => a - b);
    this.households.clear();
    const paths = [...this.paths].sort();
    this.paths.clear();
    await writeAudit(db, this.principal, { action: 'READ_PERSONAL_DATA', entity: 'household', householdIds: ids, after: { paths, count: ids.length }, requestId });
  }
}
