/**
 * Spatial extents of the collections as one principal may read them, for /collections and for
 * the TileJSON bounds. Computed from the data (ST_Extent over the access-scoped rows) and kept
 * for a few minutes per access scope: over a million households the scan takes about 0.6 s, and
 * GIS clients ask for the collections every time they connect.
 */
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import type { Collection, SourceSettings } from './ogc.collections.js';
import type { BboxCrs84 } from './ogc.params.js';
import { extents } from './ogc.queries.js';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 256;

/** Everything that shapes which rows a principal sees; two principals with equal keys see the same rows. */
export function accessScopeKey(principal: Principal): string {
  return JSON.stringify([principal.role, principal.regionCodes, [...principal.villageCodes].sort(), principal.funder]);
}

export function createExtentCache(db: Queryable, settings: SourceSettings) {
  const cache = new Map<string, { at: number; value: Record<string, BboxCrs84 | null> }>();
  return async function extentsFor(principal: Principal, collections: readonly Collection[]): Promise<Record<string, BboxCrs84 | null>> {
    const key = `${accessScopeKey(principal)}|${collections.map((c) => c.id).join(',')}`;
    const cached = cache.get(key);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
    const value = await extents(db, Object.fromEntries(collections.map((c) => [c.id, c.unfiltered(principal, settings)])));
    // Oldest entry out first (Map keeps insertion order).
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(key, { at: Date.now(), value });
    return value;
  };
}

export type ExtentsFor = ReturnType<typeof createExtentCache>;
