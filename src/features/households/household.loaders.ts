import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { activeRtlhRule, householdsByIds, type HouseholdRow, type MemberRow, membersByHouseholdIds, type RtlhRuleRow, type TagRow, tagsByHouseholdIds } from './household.queries.js';

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

export function createHouseholdLoaders(db: Queryable) {
  return {
    householdById: new DataLoader<number, HouseholdRow | null>(async (ids) => {
      const byId = new Map((await householdsByIds(db, ids)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    membersByHousehold: new DataLoader<number, MemberRow[]>(async (ids) => {
      const groups = groupBy(await membersByHouseholdIds(db, ids), (r) => r.household_id);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    tagsByHousehold: new DataLoader<number, TagRow[]>(async (ids) => {
      const groups = groupBy(await tagsByHouseholdIds(db, ids), (r) => r.household_id);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    /** The active RTLH rule, read once per request. */
    activeRtlhRule: new DataLoader<'active', RtlhRuleRow | null>(async (keys) => {
      const rule = await activeRtlhRule(db);
      return keys.map(() => rule);
    }),
  };
}
