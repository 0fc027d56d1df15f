/**
 * Per-request loaders of the KPM lifecycle (memberships, referrals, follow-ups, contributions):
 * one statement per field per page, whatever the number of graduations or households listed.
 * Memberships apply the caseload scope; the others key on graduations the caller already read
 * through the scope.
 */
import DataLoader from 'dataloader';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import { type MembershipRow, membershipsByHouseholdIds } from '../programs/index.js';
import { type FollowUpRow, followUpsByGraduationIds, type ReferralRow, referralsByGraduationIds } from '../referrals/index.js';
import { contributionsByGraduationIds, type ContributionRow } from './graduation.queries.js';

function grouped<T>(keys: readonly number[], rows: T[], key: (row: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return keys.map((k) => groups.get(k) ?? []);
}

export function createLifecycleLoaders(db: Queryable, principal: Principal) {
  return {
    membershipsByHousehold: new DataLoader<number, MembershipRow[]>(async (ids) => grouped(ids, await membershipsByHouseholdIds(db, principal, ids), (r) => r.household_id)),
    referralsByGraduation: new DataLoader<number, ReferralRow[]>(async (ids) => grouped(ids, await referralsByGraduationIds(db, ids), (r) => r.graduation_id)),
    followUpsByGraduation: new DataLoader<number, FollowUpRow[]>(async (ids) => grouped(ids, await followUpsByGraduationIds(db, ids), (r) => r.graduation_id)),
    contributionsByGraduation: new DataLoader<number, ContributionRow[]>(async (ids) => grouped(ids, await contributionsByGraduationIds(db, ids), (r) => r.graduation_id)),
  };
}
