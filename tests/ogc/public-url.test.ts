/** Behind a TLS proxy, OGC and TileJSON links must use the public origin, not the request's Host. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { type App, createApp } from '../../src/server/app.js';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
let app: App;
let base: string;
beforeAll(async () => {
  api = await startTestApi();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'https://kampung.example.go.id' });
  app = await createApp(config, api.database.db, createLogger(config));
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => app?.httpServer.close(resolve));
  await app?.stop();
  await api?.close();
});

it('uses PUBLIC_BASE_URL in OGC and TileJSON links, whatever the Host header says', async () => {
  const token = await api.token({ sub: 'p@test', role: 'PLANNER', regions: '*' });
  const headers = { authorization: `Bearer ${token}`, host: 'evil.example' };
  const landing = (await (await fetch(`${base}/ogc?f=json`, { headers })).json()) as { links: { href: string }[] };
  expect(landing.links.length).toBeGreaterThan(0);
  for (const link of landing.links) expect(link.href.startsWith('https://kampung.example.go.id/ogc')).toBe(true);
  const tilejson = (await (await fetch(`${base}/tiles/villages.json`, { headers })).json()) as { tiles: string[] };
  expect(tilejson.tiles[0]).toMatch(/^https:\/\/kampung\.example\.go\.id\/tiles\/villages\//);
  expect(() => loadConfig({ PUBLIC_BASE_URL: 'https://x.example/api/' })).toThrow(/PUBLIC_BASE_URL: must be an origin/);
});
