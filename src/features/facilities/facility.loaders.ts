import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { existingFacilitiesOfVillages, type ExistingFacilityRow } from './facility.queries.js';

/** Per request: Village.existingFacilities for a page of villages is one statement, not one per village. */
export function createFacilityLoaders(db: Queryable) {
  return {
    existingFacilitiesByVillage: new DataLoader<string, ExistingFacilityRow[]>(async (codes) => {
      const byVillage = new Map<string, ExistingFacilityRow[]>();
      for (const row of await existingFacilitiesOfVillages(db, codes)) byVillage.set(row.village_code, [...(byVillage.get(row.village_code) ?? []), row]);
      return codes.map((code) => byVillage.get(code) ?? []);
    }),
  };
}
