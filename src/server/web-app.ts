/**
 * The web app at /app: the static bundle built from web/ (web/build.ts writes dist/web), its
 * runtime configuration, and the offline basemap layers drawn from the product's own reference
 * data (kab/kota and kecamatan outlines, the Natural Earth coastline).
 *
 * The pages and the basemap are public: they hold no data about anyone. Every request for data
 * goes to /graphql and /tiles with the user's bearer token, which the page keeps in memory only.
 *
 * The API's own CSP is `default-src 'none'` (it never serves HTML). The app needs its own: its
 * scripts and styles from this origin only, MapLibre's web workers (a same-origin module worker;
 * `blob:` for the fallback MapLibre uses when the worker URL is not same-origin), WebGL images
 * from `blob:`/`data:`, and fetches to this origin (plus the external basemap's origin when one
 * is configured).
 */
import { projectPath } from '../config/paths.js';
import express from 'express';
import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';

/** Where web/build.ts writes the bundle (git-ignored; `npm start` builds it first). */
export const WEB_DIST_DIR = projectPath('dist/web/');
const DATA_DIR = projectPath('data/');

/** Basemap layers: public reference data shipped in data/ (see data/README.md for sources). */
export const BASEMAP_FILES: Record<string, string> = {
  kabkota: 'boundaries/kabkota_study_areas.geojson',
  kecamatan: 'boundaries/kecamatan_study_areas.geojson',
  coastline: 'coastline/ne_10m_coastline_indonesia_bbox.geojson',
};

export function webAppCsp(basemapStyleUrl: string | null): string {
  const external = basemapStyleUrl ? ` ${new URL(basemapStyleUrl).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${external}`,
    "font-src 'self'",
    `connect-src 'self'${external}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function createWebAppRouter(config: Config, log: Logger, distDir = WEB_DIST_DIR): express.Router {
  const router = express.Router();
  const csp = webAppCsp(config.web.basemapStyleUrl);
  const built = existsSync(`${distDir}index.html`);
  if (!built) log.warn({ distDir }, 'web app not built: run `npm run build:web` (npm start does it first)');

  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json({ basemapStyleUrl: config.web.basemapStyleUrl, graphql: '/graphql', tiles: '/tiles' });
  });

  router.get('/basemap/:name.geojson', (req, res) => {
    const file = BASEMAP_FILES[String(req.params.name)];
    if (!file) {
      res.status(404).json({ errors: [{ message: `No basemap layer ${JSON.stringify(req.params.name)}; the layers are ${Object.keys(BASEMAP_FILES).join(', ')}.`, extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    res.set('Cache-Control', 'public, max-age=86400').type('application/geo+json').sendFile(file, { root: DATA_DIR });
  });

  if (!built) {
    router.use((_req, res) => {
      res.status(503).type('text/plain').send('The web app is not built. Run `npm run build:web` (or `npm start`, which builds it first).');
    });
    return router;
  }
  // no-cache + ETag: the browser revalidates, so a rebuilt bundle is picked up on the next load.
  router.use(express.static(distDir, { index: 'index.html', redirect: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  return router;
}
