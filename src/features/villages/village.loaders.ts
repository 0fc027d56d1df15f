import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { boundariesByCodes, villagesByCodes, type VillageRow } from './village.queries.js';

export function createVillageLoaders(db: Queryable) {
  return {
    villageByCode: new DataLoader<string, VillageRow | null>(async (codes) => {
      const byCode = new Map((await villagesByCodes(db, codes)).map((r) => [r.code, r]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
    /** Keyed by `${code}|${simplifyToleranceMeters}`; one query per distinct tolerance. */
    boundaryByCodeAndTolerance: new DataLoader<string, string | null>(async (keys) => {
      const byTolerance = new Map<number, string[]>();
      for (const key of keys) {
        const [code = '', tolerance = '0'] = key.split('|');
        byTolerance.set(Number(tolerance), [...(byTolerance.get(Number(tolerance)) ?? []), code]);
      }
      const found = new Map<string, string>();
      for (const [tolerance, codes] of byTolerance) {
        for (const row of await boundariesByCodes(db, codes, tolerance)) found.set(`${row.village_code}|${tolerance}`, row.boundary);
      }
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}
