/**
 * The offline GraphQL IDE: served from this server (no CDN), its relaxed Content-Security-Policy
 * only on /graphiql, a browser opening /graphql sent there; off in production unless enabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
});
afterAll(async () => h?.close());

describe('GraphQL IDE', () => {
  it('serves GraphiQL and its scripts from this origin, with the relaxed policy only there', async () => {
    const page = await h.get('/graphiql/', null);
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/graphiql/assets/react.js', '/graphiql/assets/react-dom.js', '/graphiql/assets/graphiql.js', '/graphiql/assets/start.js']);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const src of scripts) {
      const asset = await h.get(src, null);
      expect(asset.status, src).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(100);
    }
    const api = await h.get('/ogc', 'admin');
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Only the IDE may fetch (connect-src): the API's own pages allow no requests.
    expect(api.headers.get('content-security-policy')).not.toContain('connect-src');
  });

  it('sends a browser opening /graphql to the IDE; API clients still get 401', async () => {
    const browser = await fetch(`${h.origin}/graphql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/graphiql');
    expect((await fetch(`${h.origin}/graphql`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  it('is off in production unless GRAPHQL_IDE=true', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).graphql.ide).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, GRAPHQL_IDE: 'true' }).graphql.ide).toBe(true);
  });
});
