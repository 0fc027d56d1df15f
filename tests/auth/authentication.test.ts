/** Bearer-token authentication over real HTTP: HS256 with the configured secret and RS/ES256 via JWKS. */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
let url: string;
const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
beforeAll(async () => {
  api = await startTestApi();
  url = await listen(api.app.httpServer);
});
afterAll(async () => {
  await new Promise((resolve) => api.app.httpServer.close(resolve));
  await api?.close();
});

const ask = (base: string, token?: string, query = '{ village(code: "33.74.02.1008") { name } }') =>
  fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });

const secret = (s: string) => new TextEncoder().encode(s);
const sign = (claims: Record<string, unknown>, key: Uint8Array, opts: { exp?: number | string; iss?: string; aud?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('someone@test')
    .setIssuer(opts.iss ?? 'kampung-terpadu')
    .setAudience(opts.aud ?? 'kampung-terpadu-api')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h')
    .sign(key);

describe('authentication', () => {
  it('leaves the landing page and health open, and nothing else', async () => {
    expect((await fetch(`${url}/`)).status).toBe(200);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    // As the README shows it; this app keeps its rate-limit counters in memory (no REDIS_URL).
    expect(await health.json()).toEqual({ status: 'ok', database: process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded', rateLimits: 'memory' });
    const response = await ask(url);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(/Authorization: Bearer/);
  });

  it('accepts a valid token and says exactly why others are refused', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const good = await api.token({ sub: 'p@test', role: 'PLANNER', regions: '*' });
    expect(((await (await ask(url, good)).json()) as any).data.village.name).toBe('Tanjung Mas');

    const cases: [string, string | Promise<string>, RegExp][] = [
      ['expired', sign({ role: 'PLANNER', regions: '*' }, secret(config.auth.secret!), { exp: Math.floor(Date.now() / 1000) - 60 }), /expired at/],
      ['wrong key', sign({ role: 'PLANNER', regions: '*' }, secret('x'.repeat(40))), /signature is invalid/],
      ['wrong audience', sign({ role: 'PLANNER', regions: '*' }, secret(config.auth.secret!), { aud: 'someone-else' }), /claim "aud"/],
      ['bad role', sign({ role: 'ROOT' }, secret(config.auth.secret!)), /role must be one of/],
      ['planner without regions', sign({ role: 'PLANNER' }, secret(config.auth.secret!)), /needs a regions claim/],
      ['partner without funder', sign({ role: 'PARTNER' }, secret(config.auth.secret!)), /needs a funder claim/],
      // Issue 13, class 8: a token without exp never expired; one living longer than the cap is refused too.
      ['no exp', new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x@test').setIssuer('kampung-terpadu').setAudience('kampung-terpadu-api').setIssuedAt().sign(secret(config.auth.secret!)), /claim "exp" is missing/],
      ['lifetime above the cap', sign({ role: 'ADMIN' }, secret(config.auth.secret!), { exp: '30d' }), /at most 43200 s \(JWT_MAX_LIFETIME_SECONDS\)/],
      ['not a JWT', 'not.a.jwt', /not a valid JWT|algorithm/],
      ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"ADMIN","sub":"x"}').toString('base64url')}.`, /algorithm "none" is not accepted/],
    ];
    for (const [name, token, message] of cases) {
      const response = await ask(url, await token);
      expect(response.status, name).toBe(401);
      const body = (await response.json()) as any;
      expect(body.errors[0].extensions.code, name).toBe('UNAUTHENTICATED');
      expect(body.errors[0].message, name).toMatch(message);
    }
  });

  it('verifies ES256 tokens against an identity provider JWKS', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const idp = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    const idpUrl = await listen(idp);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_JWKS_URL: `${idpUrl}/jwks.json` });
    const app: App = await createApp(config, api.database.db, createLogger(config));
    const base = await listen(app.httpServer);
    try {
      const token = await new SignJWT({ role: 'VIEWER' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('d@test').setIssuer('kampung-terpadu').setAudience('kampung-terpadu-api').setExpirationTime('1h').sign(privateKey);
      const ok = (await (await ask(base, token)).json()) as any;
      expect(ok.data.village.name).toBe('Tanjung Mas');
      // The development HS256 secret is not accepted by a JWKS-only deployment.
      const hs = (await (await ask(base, await api.token({ sub: 'x', role: 'ADMIN' }))).json()) as any;
      expect(hs.errors[0].message).toMatch(/HS256 tokens are not accepted here/);
    } finally {
      await new Promise((resolve) => app.httpServer.close(resolve));
      await app.stop();
      await new Promise((resolve) => idp.close(resolve));
    }
  });

  it('refuses to start in production with the development secret or without any key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32 characters/);
    // A JWKS-only production deployment has no shared secret to derive the cursor key from.
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example/jwks' })).toThrow(/CURSOR_SECRET: required/);
    expect(loadConfig({ JWT_MAX_LIFETIME_SECONDS: '3600' }).auth.maxLifetimeSeconds).toBe(3600);
  });

  it('sends security headers and no CORS grant to unknown origins', async () => {
    const response = await fetch(`${url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
