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

  async flush(db: Queryable, requestId: string): Promise<void> {
    if (this.households.size === 0) return;
    const ids = [...this.households].sort((a, b) => a - b);
    this.households.clear();
    const paths = [...this.paths].sort();
    this.paths.clear();
    await writeAudit(db, this.principal, { action: 'READ_PERSONAL_DATA', entity: 'household', householdIds: ids, after: { paths, count: ids.length }, requestId });
  }
}
