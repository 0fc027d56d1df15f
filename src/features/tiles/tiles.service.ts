/**
 * Vector tiles under the access rules of the GraphQL API: which source a layer reads for a
 * principal (household records, or the suppressed grid for roles that see households only in
 * aggregate), the renderer the database supports, and the audit of household records shown.
 */
import { PersonalReads } from '../../audit/personal-reads.js';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { badParameter, type Collection, createExtentCache, findCollection, type GisDeps, type GisRequest } from '../ogc/index.js';
import { BUFFER, DATA_EXTENT, intersects, tileBoundsLonLat, tileJson, type Tile, type TileLayer } from './tiles.layers.js';
import {
  existingFacilitiesLayer,
  pointOnData,
  gridCellOnData,
  householdGridLayer,
  householdRecordsLayer,
  packageItemsLayer,
  renderNative,
  renderPortable,
  supportsNativeMvt,
  villageGraduationLayer,
  villagesLayer,
  type LayerSql,
  type RenderedTile,
} from './tiles.queries.js';

export type MvtEncoder = 'auto' | 'native' | 'portable';

const EMPTY: RenderedTile = { bytes: new Uint8Array(0), householdIds: [] };

export function createTileService(deps: GisDeps, encoder: MvtEncoder = 'auto') {
  const { db, kAnonymity } = deps;
  const extentsFor = createExtentCache(db, deps);
  let nativeSupport: Promise<boolean> | null = null;

  /** Probed once per database; a failed probe (not a missing protobuf-c) is retried next time. */
  function useNative(): Promise<boolean> {
    if (encoder !== 'auto') return Promise.resolve(encoder === 'native');
    nativeSupport ??= supportsNativeMvt(db).catch((error: unknown) => {
      nativeSupport = null;
      throw error;
    });
    return nativeSupport;
  }

  function layerSql(layer: TileLayer, principal: Principal, tile: Tile): LayerSql {
    switch (layer.id) {
      case 'villages':
        return villagesLayer(principal, tile, kAnonymity);
      case 'households':
        return policy.canReadHouseholdRecords(principal) ? householdRecordsLayer(principal, tile) : householdGridLayer(principal, tile, kAnonymity);
      case 'package-items':
        return packageItemsLayer(principal, tile);
      case 'existing_facilities':
        return existingFacilitiesLayer(principal, tile);
      case 'village_graduation':
        return villageGraduationLayer(principal, tile, deps);
    }
  }

  /** The collection whose extent bounds the layer for this principal. */
  function boundsCollection(layer: TileLayer, principal: Principal): Collection {
    const id = layer.id === 'households' && !policy.canReadHouseholdRecords(principal) ? 'villages' : layer.id;
    return findCollection(id) as Collection;
  }

  return {
    encoderInUse: async (): Promise<'native' | 'portable'> => ((await useNative()) ? 'native' : 'portable'),

    /** Renders the tile and writes the audit record of the household records in it (before anything is sent). */
    async render(ctx: GisRequest, layer: TileLayer, tile: Tile): Promise<RenderedTile> {
      if (tile.z < layer.minzoom) {
        throw badParameter('z', `the ${layer.id} layer starts at zoom ${layer.minzoom} (minzoom of /tiles/${layer.id}.json)${layer.id === 'households' ? '; below it use the villages layer' : ''}; got ${tile.z}.`);
      }
      // Tiles away from Indonesia are empty: answer without a query.
      if (!intersects(tileBoundsLonLat(tile, BUFFER), DATA_EXTENT)) return EMPTY;
      const source = layerSql(layer, ctx.principal, tile);
      const rendered = (await useNative()) ? await renderNative(db, tile, source) : await renderPortable(db, tile, source);
      const reads = new PersonalReads(ctx.principal);
      reads.note(`tiles:/${layer.id}/{z}/{x}/{y}.mvt`, rendered.householdIds);
      await reads.flush(db, ctx.requestId);
      return rendered;
    },

    async tileJson(ctx: GisRequest, layer: TileLayer) {
      const collection = boundsCollection(layer, ctx.principal);
      const boxes = await extentsFor(ctx.principal, [collection]);
      const bounds = boxes[collection.id] ?? null;
      const grid = layer.id === 'households' && !policy.canReadHouseholdRecords(ctx.principal);
      const center = !bounds
        ? null
        : grid
          ? await gridCellOnData(db, ctx.principal, bounds, kAnonymity)
          : await pointOnData(db, collection.unfiltered(ctx.principal, deps), bounds);
      return tileJson(ctx.base, layer, ctx.principal, bounds, center, kAnonymity);
    },
  };
}

export type TileService = ReturnType<typeof createTileService>;
