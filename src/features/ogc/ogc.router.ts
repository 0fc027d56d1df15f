/**
 * Routes of the OGC API – Features under /ogc (mounted behind `authenticate` in server/app.ts).
 * Handlers only pick the media type and hand over to the service.
 */
import express from 'express';
import { gisRoute, notFoundError, sendError, type GisDeps } from './ogc.http.js';
import { openApiDocument } from './ogc.openapi.js';
import { QueryReader } from './ogc.params.js';
import { assertJsonFormat, createOgcService, featureFormat, MEDIA } from './ogc.service.js';
import { writePieces } from '../../http/write-pieces.js';

/**
 * Every document depends on the token (features may be personal data; the collection list and
 * extents follow the access rules): no cache may keep one. Set on every response, not only on
 * features: QGIS's HTTP cache (Qt's) ignores Vary: Authorization, and QGIS's blocking requests
 * prefer a cached copy whatever its age, so a collection list without a cache header, cached for
 * one token, was read back for the next (tests/ogc/qgis.test.ts).
 */
const NO_STORE = 'private, no-store';

/**
 * Features are sent without express's automatic ETag: it hashed every page (a SHA-1 over about
 * 400 kB for 1,000 households, 9% of the API's CPU on op 7) of answers that are private and
 * no-store, which no client may keep and so never revalidates. A page comes in pieces (see
 * `pageFeatures`), written one after the other with their total length.
 */
function sendFeatures(res: express.Response, type: string, body: string | string[]): Promise<void> {
  res.set('Content-Type', `${type}; charset=utf-8`).vary('Accept');
  return writePieces(res, typeof body === 'string' ? [body] : body);
}

export function createOgcRouter(deps: GisDeps): express.Router {
  const router = express.Router();
  const ogc = createOgcService(deps);
  const route = (handler: Parameters<typeof gisRoute>[1]) => gisRoute(deps, handler);
  const f = (query: URLSearchParams) => new QueryReader(query).value('f');
  router.use((_req, res, next) => {
    res.set('Cache-Control', NO_STORE).vary('Authorization');
    next();
  });

  router.get(
    '/',
    route(async (_req, res, ctx) => {
      assertJsonFormat(f(ctx.query));
      res.type(MEDIA.json).json(ogc.landing(ctx));
    }),
  );
  router.get(
    '/conformance',
    route(async (_req, res, ctx) => {
      assertJsonFormat(f(ctx.query));
      res.type(MEDIA.json).json(ogc.conformance(ctx));
    }),
  );
  router.get(
    '/api',
    route(async (_req, res, ctx) => {
      assertJsonFormat(f(ctx.query));
      new QueryReader(ctx.query).assertOnly(['f']);
      res.set('Content-Type', MEDIA.openapi).send(JSON.stringify(openApiDocument(ctx.base)));
    }),
  );
  router.get(
    '/collections',
    route(async (_req, res, ctx) => {
      assertJsonFormat(f(ctx.query));
      res.type(MEDIA.json).json(await ogc.collections(ctx));
    }),
  );
  router.get(
    '/collections/:collectionId',
    route(async (req, res, ctx) => {
      assertJsonFormat(f(ctx.query));
      res.type(MEDIA.json).json(await ogc.collection(ctx, String(req.params.collectionId)));
    }),
  );
  router.get(
    '/collections/:collectionId/items',
    route(async (req, res, ctx) => {
      const format = featureFormat(f(ctx.query), (types) => req.accepts(types));
      await sendFeatures(res, MEDIA[format], await ogc.items(ctx, String(req.params.collectionId), format));
    }),
  );
  router.get(
    '/collections/:collectionId/items/:featureId',
    route(async (req, res, ctx) => {
      const format = featureFormat(f(ctx.query), (types) => req.accepts(types));
      await sendFeatures(res, MEDIA[format], await ogc.item(ctx, String(req.params.collectionId), String(req.params.featureId), format));
    }),
  );
  router.use((req, res) => {
    sendError(res, deps.log, notFoundError(`No resource at ${req.baseUrl}${req.path}; start at ${req.baseUrl} (the landing page).`));
  });
  return router;
}
