import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import type { Principal } from '../../auth/principal.js';
import { type BudgetRow, budgetsByPackageIds, type ItemRow, visibleItemsByPackageIds } from './package.queries.js';

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
  };
}
