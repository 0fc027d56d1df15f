/**
 * QGIS 3.22 LTR cannot send a custom header; its "Basic" authentication config can. The token is
 * accepted as the Basic password (any user name) and verified exactly like a bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
});
afterAll(async () => h?.close());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('HTTP Basic with the token as the password', () => {
  it('reads the OGC API and tiles as the token role', async () => {
    const collections = await h.get('/ogc/collections', null, { authorization: basic('token', h.tokens.viewer) });
    expect(collections.status).toBe(200);
    const ids = ((await collections.json()) as { collections: { id: string }[] }).collections.map((c) => c.id);
    expect(ids).not.toContain('households'); // VIEWER, as with the bearer token
    expect((await h.get('/tiles/villages.json', null, { authorization: basic('qgis', h.tokens.planner) })).status).toBe(200);
  });

  it('refuses a wrong or empty password with 401', async () => {
    expect((await h.get('/ogc/collections', null, { authorization: basic('token', 'not-a-jwt') })).status).toBe(401);
    expect((await h.get('/ogc/collections', null, { authorization: basic('token', '') })).status).toBe(401);
  });
});
