import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import type { Principal } from '../../auth/principal.js';
import {
  activeRtlhRule,
  householdsByIds,
  type HouseholdRow,
  identitiesByHouseholdIds,
  type IdentityRow,
  type MemberRow,
  membersByHouseholdIds,
  type RtlhRuleRow,
  type TagRow,
  tagsByHouseholdIds,
} from './household.queries.js';

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/**
 * Loaders are per request and per principal: `householdById` applies the row scope, so a
 * household outside it loads as null (NOT_FOUND), never as a record.
 */
export function createHouseholdLoaders(db: Queryable, principal: Principal) {
  return {
    householdById: new DataLoader<number, HouseholdRow | null>(async (ids) => {
      const byId = new Map((await householdsByIds(db, principal, ids)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    membersByHousehold: new DataLoader<number, MemberRow[]>(async (ids) => {
      const groups = groupBy(await membersByHouseholdIds(db, ids), (r) => r.household_id);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    tagsByHousehold: new DataLoader<number, TagRow[]>(async (ids) => {
      const groups = groupBy(await tagsByHouseholdIds(db, principal, ids), (r) => r.household_id);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    /** Only ever called with ids of households already read through the row scope. */
    identityByHousehold: new DataLoader<number, IdentityRow | null>(async (ids) => {
      const byId = new Map((await identitiesByHouseholdIds(db, ids)).map((r) => [r.household_id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The active RTLH rule, read once per request. */
    activeRtlhRule: new DataLoader<'active', RtlhRuleRow | null>(async (keys) => {
      const rule = await activeRtlhRule(db);
      return keys.map(() => rule);
    }),
  };
}
