import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import type { Principal } from '../../auth/principal.js';
import { type BudgetRow, budgetsByPackageIds, fundingByItemIds, type FundingRow, type InstalmentRow, instalmentsByItemIds, type ItemRow, visibleItemsByPackageIds } from './package.queries.js';

/** Items are loaded within the principal's item scope (see policy.packageItemScope). */
export function createPackageLoaders(db: Queryable, principal: Principal) {
  return {
    budgetsByPackage: new DataLoader<number, BudgetRow[]>(async (ids) => {
      const rows = await budgetsByPackageIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.package_id === id));
    }),
    itemsByPackage: new DataLoader<number, ItemRow[]>(async (ids) => {
      const rows = await visibleItemsByPackageIds(db, principal, ids);
      return ids.map((id) => rows.filter((r) => r.package_id === id));
    }),
    // Keyed by ids of items the caller already read through itemsByPackage (the item scope).
    fundingByItem: new DataLoader<number, FundingRow[]>(async (ids) => {
      const rows = await fundingByItemIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.item_id === id));
    }),
    instalmentsByItem: new DataLoader<number, InstalmentRow[]>(async (ids) => {
      const rows = await instalmentsByItemIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.item_id === id));
    }),
  };
}
