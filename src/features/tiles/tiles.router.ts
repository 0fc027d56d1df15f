/**
 * Routes of the vector tiles under /tiles (mounted behind `authenticate` in server/app.ts):
 *   GET /tiles/{layer}.json          TileJSON 3.0.0
 *   GET /tiles/{layer}/{z}/{x}/{y}.mvt
 *
 * Caching: tiles depend on the token, so they are `Cache-Control: private, no-cache` (never in a
 * shared cache, and revalidated before every reuse) with `Vary: Authorization`, and carry a strong
 * ETag (a SHA-256 of the bytes): a client revalidating with If-None-Match gets 304 when the tile is
 * unchanged. Not max-age: QGIS's HTTP cache (Qt's QNetworkDiskCache, shared by every project and
 * authentication configuration of a QGIS installation) ignores Vary, so a fresh tile cached for one
 * token was shown unasked to the next token for as long as it stayed fresh (tests/ogc/qgis.test.ts).
 * Empty tiles are 204 No Content (MapLibre and QGIS treat it as an empty tile), with no body to hash.
 */
import express from 'express';
import { createHash } from 'node:crypto';
import { badParameter, type GisDeps, gisRoute, notFoundError, sendError } from '../ogc/index.js';
import { findLayer, LAYERS, parseTile } from './tiles.layers.js';
import { createTileService, type MvtEncoder } from './tiles.service.js';

export const MVT_MEDIA_TYPE = 'application/vnd.mapbox-vector-tile';
/** Cache-Control of tiles and TileJSON: a client may keep them but asks (If-None-Match) before each reuse. */
export const TILE_CACHE_CONTROL = 'private, no-cache';

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): a W/ prefix does not matter. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function createTilesRouter(deps: GisDeps, options: { encoder?: MvtEncoder } = {}): express.Router {
  const router = express.Router();
  const tiles = createTileService(deps, options.encoder);
  const route = (handler: Parameters<typeof gisRoute>[1]) => gisRoute(deps, handler);
  const layerOf = (id: string) => {
    const layer = findLayer(id);
    if (!layer) throw notFoundError(`No tile layer ${JSON.stringify(id)}; the layers are ${LAYERS.map((l) => l.id).join(', ')}.`);
    return layer;
  };

  router.get(
    '/:file',
    route(async (req, res, ctx) => {
      const match = /^([a-z_-]+)\.json$/.exec(String(req.params.file));
      if (!match) throw notFoundError(`No resource at ${req.originalUrl.split('?')[0]}; TileJSON documents are /tiles/{layer}.json (${LAYERS.map((l) => l.id).join(', ')}).`);
      const document = await tiles.tileJson(ctx, layerOf(match[1] as string));
      res.set('Cache-Control', TILE_CACHE_CONTROL).vary('Authorization').type('application/json').json(document);
    }),
  );

  router.get(
    '/:layer/:z/:x/:file',
    route(async (req, res, ctx) => {
      const layer = layerOf(String(req.params.layer));
      const match = /^(.*)\.mvt$/.exec(String(req.params.file));
      if (!match) throw notFoundError(`Tiles are /tiles/${layer.id}/{z}/{x}/{y}.mvt (Mapbox Vector Tile); got ${req.originalUrl.split('?')[0]}.`);
      if (match[1] === '') throw badParameter('y', 'missing before .mvt.');
      const tile = parseTile(String(req.params.z), String(req.params.x), match[1] as string);
      const { bytes } = await tiles.render(ctx, layer, tile);
      res.set('Cache-Control', TILE_CACHE_CONTROL).vary('Authorization');
      if (bytes.length === 0) {
        res.status(204).end();
        return;
      }
      const etag = `"${createHash('sha256').update(bytes).digest('base64url')}"`;
      res.set({ 'Content-Type': MVT_MEDIA_TYPE, ETag: etag });
      if (matchesEtag(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
      res.status(200).set('Content-Length', String(bytes.length)).end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    }),
  );

  router.use((req, res) => {
    sendError(res, deps.log, notFoundError(`No resource at ${req.baseUrl}${req.path}; tiles are /tiles/{layer}/{z}/{x}/{y}.mvt and /tiles/{layer}.json (${LAYERS.map((l) => l.id).join(', ')}).`));
  });
  return router;
}
