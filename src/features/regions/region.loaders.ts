import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { childrenOf, regionsByCodes } from './region.queries.js';
import type { RegionRow } from './region.type.js';

export function createRegionLoaders(db: Queryable) {
  return {
    regionByCode: new DataLoader<string, RegionRow | null>(async (codes) => {
      const byCode = new Map((await regionsByCodes(db, codes)).map((r) => [r.code, r]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
    childrenByParent: new DataLoader<string, RegionRow[]>(async (parents) => {
      const byParent = new Map<string, RegionRow[]>();
      for (const row of await childrenOf(db, parents)) {
        const siblings = byParent.get(row.parent_code ?? '') ?? [];
        siblings.push(row);
        byParent.set(row.parent_code ?? '', siblings);
      }
      return parents.map((parent) => byParent.get(parent) ?? []);
    }),
  };
}
