/** The /app router without a browser: its CSP, the external basemap setting, and an unbuilt bundle. */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createWebAppRouter, webAppCsp } from '../../src/server/web-app.js';

async function serve(router: express.Router, path: string): Promise<Response> {
  const app = express().use('/app', router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  } finally {
    server.close();
  }
}

describe('web app router', () => {
  it('allows only this origin by default, and the external basemap origin when one is configured', () => {
    expect(webAppCsp(null)).toContain("connect-src 'self';");
    const csp = webAppCsp('https://tiles.example.org/styles/basic/style.json');
    expect(csp).toContain("connect-src 'self' https://tiles.example.org;");
    expect(csp).toContain("img-src 'self' data: blob: https://tiles.example.org;");
    expect(csp).not.toContain('/styles/');
  });

  it('refuses a basemap URL that is not http(s)', () => {
    expect(() => loadConfig({ WEB_BASEMAP_STYLE_URL: 'ftp://x.example/style.json' })).toThrow(/WEB_BASEMAP_STYLE_URL/);
    expect(loadConfig({ WEB_BASEMAP_STYLE_URL: 'https://x.example/style.json' }).web.basemapStyleUrl).toBe('https://x.example/style.json');
  });

  it('hands the configured basemap to the page, and says how to build the app when the bundle is missing', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEB_BASEMAP_STYLE_URL: 'https://tiles.example.org/style.json' });
    const empty = mkdtempSync(join(tmpdir(), 'kt-web-'));
    try {
      const router = createWebAppRouter(config, createLogger(config), `${empty}/`);
      const page = await serve(router, '/app/');
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build:web');
      expect(page.headers.get('content-security-policy')).toContain('https://tiles.example.org');
      const settings = await serve(router, '/app/config.json');
      expect(await settings.json()).toMatchObject({ basemapStyleUrl: 'https://tiles.example.org/style.json' });
      // The basemap layers are served from data/ whether or not the bundle is built.
      expect((await serve(router, '/app/basemap/coastline.geojson')).status).toBe(200);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
