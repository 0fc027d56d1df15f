import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { type BudgetRow, budgetsByPackageIds, type ItemRow, itemsByPackageIds } from './package.queries.js';

export function createPackageLoaders(db: Queryable) {
  return {
    budgetsByPackage: new DataLoader<number, BudgetRow[]>(async (ids) => {
      const rows = await budgetsByPackageIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.package_id === id));
    }),
    itemsByPackage: new DataLoader<number, ItemRow[]>(async (ids) => {
      const rows = await itemsByPackageIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.package_id === id));
    }),
  };
}
