/** All SQL of social-program memberships. */
import { sql } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';

export interface SocialProgramRow {
  code: string;
  name: string;
  provider: string;
  max_desil: number | null;
  source: string;
  description: string;
  [key: string]: unknown;
}

export interface MembershipRow {
  id: number;
  household_id: number;
  program_code: string;
  since: string;
  registry_snapshot: string;
  ended_on: string | null;
  end_reason: string | null;
  graduation_id: number | null;
  [key: string]: unknown;
}

export const listSocialPrograms = (db: Queryable) => db.query<SocialProgramRow>(sql`SELECT * FROM social_programs ORDER BY code`);

/** Memberships (open and ended: the history) of the given households within the caseload scope, oldest first. */
export function membershipsByHouseholdIds(db: Queryable, principal: Principal, householdIds: readonly number[]) {
  return db.query<MembershipRow>(sql`SELECT pm.* FROM program_memberships pm JOIN households h ON h.id = pm.household_id
    WHERE pm.household_id = ANY(${sql.param([...householdIds])}::int[]) AND ${policy.caseloadScope(principal)}
    ORDER BY pm.household_id, pm.since, pm.id`);
}
