/**
 * Per-request context. Loaders are created here, per request, so that batching and caching
 * never leak data between requests (or, later, between users with different rights).
 */
import type { Database } from '../db/database.js';
import { createHouseholdLoaders } from '../features/households/household.loaders.js';
import { createRegionLoaders } from '../features/regions/region.loaders.js';
import { createVillageLoaders } from '../features/villages/village.loaders.js';
import type { Logger } from '../logging/logger.js';

export function createLoaders(db: Database) {
  return { ...createRegionLoaders(db), ...createVillageLoaders(db), ...createHouseholdLoaders(db) };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface RequestContext {
  db: Database;
  log: Logger;
  requestId: string;
  loaders: Loaders;
}
