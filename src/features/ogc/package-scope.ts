/**
 * Which package items a principal may read, as SQL, for the GIS paths (OGC collections
 * `facilities` and `package-items`, the `package-items` tiles).
 *
 * It belongs in `auth/policy.ts` next to `canReadPackagesOf`, whose rule it restates in SQL; it
 * lives here until that module grows a SQL form (see the issue #6 report). The test
 * tests/ogc/package-scope.test.ts keeps the two in agreement for every role.
 *
 * An item is readable when its package's village is readable (`canReadPackagesOf`) AND, when the
 * item names a household, that household is within `policy.householdRowScope`: an item at a house
 * is as personal as the household record (exact location, who receives aid). So a VIEWER, whose
 * row scope is empty, sees facility items only.
 */
import { type SQL, sql } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';

/** SQL twin of `policy.canReadPackagesOf(principal, villageCode)`; PARTNER gets its village scope, as the policy notes. */
export function packageVillageScope(principal: Principal, villageCode: SQL): SQL {
  switch (principal.role) {
    case 'ADMIN':
    case 'VIEWER':
      return sql`true`;
    case 'PLANNER': {
      if (principal.regionCodes === null) return sql`true`;
      if (principal.regionCodes.length === 0) return sql`false`;
      // Same prefix rule as the policy's regionPrefixMatch: "33.74" covers "33.74" and "33.74.*".
      const exact = principal.regionCodes;
      const prefixes = principal.regionCodes.map((code) => `${code.replace(/[%_\\]/g, '\\$&')}.%`);
      return sql`(${villageCode} = ANY(${sql.param(exact)}::text[]) OR ${villageCode} LIKE ANY(${sql.param(prefixes)}::text[]))`;
    }
    case 'PENDAMPING':
      return sql`${villageCode} = ANY(${sql.param(principal.villageCodes)}::text[])`;
    case 'PARTNER':
      return policy.villageScope(principal, villageCode);
  }
}

/**
 * Predicate over `pkg` (packages), `item` (package_items) and `h` (households, LEFT JOINed on
 * item.household_id): the items the principal may read.
 *
 * The aliases must not be `pi` or `pk`: the policy's PARTNER scopes are subqueries over
 * `package_items pi JOIN packages pk`, and an outer `pk.village_code` passed into them would be
 * captured by the inner alias (every village would match).
 */
export function packageItemScope(principal: Principal): SQL {
  return sql`(${packageVillageScope(principal, sql`pkg.village_code`)}
    AND (item.household_id IS NULL OR (${policy.householdRowScope(principal)} AND ${policy.villageScope(principal, sql`h.village_code`)})))`;
}
