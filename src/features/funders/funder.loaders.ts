import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { fundsByFunderCodes, type FundRow } from './funder.queries.js';

export function createFunderLoaders(db: Queryable) {
  return {
    fundsByFunder: new DataLoader<string, FundRow[]>(async (codes) => {
      const rows = await fundsByFunderCodes(db, codes);
      return codes.map((c) => rows.filter((r) => r.funder_code === c));
    }),
  };
}
