/**
 * Which KPM records (memberships, graduations, referrals, follow-ups) a principal may read and act
 * on, as SQL over a household id expression. `auth/policy.ts` calls this. It reads the pendamping
 * feature's `pendamping_assignments` table, but it lives with the policy because shared plumbing
 * (src/auth) never imports a feature (lint rule noFeatureImports): the policy is what features
 * are built on.
 *
 * Decision: the token's `villages` claim is CHECKED against assignments, not derived from them.
 * The identity provider issues the token and the planners keep `pendamping_assignments`; a
 * pendamping acts on a household only when both agree (assigned to them AND in a token village).
 * So a stale token cannot reach households reassigned to someone else, and an assignment made by
 * mistake cannot widen a pendamping's reach beyond what the identity provider granted. Deriving the
 * claim would also need a database read on every request before authorisation, and would change
 * what the existing household paths (tiles, OGC, exports) show a pendamping — outside this feature.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Principal } from './principal.js';

/**
 * `householdRowScope` is the policy's household predicate over the same household (aliased `h`);
 * a caseload row needs it and, for a pendamping, the assignment to them.
 */
export function caseloadRowScope(principal: Principal, householdId: SQL, householdRowScope: SQL): SQL {
  switch (principal.role) {
    case 'ADMIN':
    case 'PLANNER':
      return householdRowScope;
    case 'PENDAMPING':
      return sql`(${householdRowScope} AND EXISTS (SELECT 1 FROM pendamping_assignments scope_pa
        WHERE scope_pa.household_id = ${householdId} AND scope_pa.pendamping_subject = ${principal.subject}))`;
    case 'PARTNER':
    case 'VIEWER':
      // Partners and dashboards see graduation data only as protected aggregates.
      return sql`false`;
  }
}
