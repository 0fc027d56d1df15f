import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import type { Principal } from '../../auth/principal.js';
import { fundingByItemIds, type FundingRow, type InstalmentRow, instalmentsByItemIds } from './package.queries.js';
import { type BudgetRow, budgetsOfPackages, type ItemRow, itemsOfPackages } from './package-item.source.js';

/** Items and budgets come from the package-item source, within the principal's item scope and money protection. */
export function createPackageLoaders(db: Queryable, principal: Principal) {
  return {
    budgetsByPackage: new DataLoader<number, BudgetRow[]>(async (ids) => {
      const rows = await budgetsOfPackages(db, principal, ids);
      return ids.map((id) => rows.filter((r) => r.package_id === id));
    }),
    itemsByPackage: new DataLoader<number, ItemRow[]>(async (ids) => {
      const rows = await itemsOfPackages(db, principal, ids);
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
