/**
 * JSON POSTs to /graphql are served without Express (server/graphql-route.ts); GET, preflight and
 * other bodies by Express's /graphql route. The two must be one endpoint to a client: the same
 * security headers, CORS, rate-limit headers and budget, the same refusals (401, 400, 413, 429)
 * and the same answers. Each request here is sent both ways: with `Content-Type:
 * application/json` (the GraphQL route) and with `application/json; profile=x`, which body-parser
 * reads as JSON and the GraphQL route leaves to Express.
 */
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/auth/jwt.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let app: App;
let config: Config;
let origin: string;
beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
  config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '40', CORS_ORIGINS: 'https://peta.example.org' });
  app = await createApp(config, database.db, createLogger(config));
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (app) {
    await new Promise((resolve) => app.httpServer.close(resolve));
    await app.stop();
  }
  await database?.dispose();
});

const ROUTE = 'application/json';
const EXPRESS = 'application/json; profile=x';
const token = (sub: string) => mintToken(config.auth, { sub, role: 'PLANNER', org: 'test', regions: '*' }, '1h');

async function post(contentType: string, body: string | (() => ReadableStream<Uint8Array>), headers: Record<string, string> = {}) {
  // A stream goes chunked, without Content-Length.
  const init = typeof body === 'string' ? { body } : { body: body(), duplex: 'half' };
  const response = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, ...init } as RequestInit);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Headers a client sees, without those that differ by request (date, counters, lengths) or by Express's own ETag of error bodies. */
function stableHeaders(headers: Headers): Record<string, string> {
  const varying = new Set(['date', 'content-length', 'ratelimit', 'etag', 'keep-alive', 'connection']);
  return Object.fromEntries([...headers].filter(([name]) => !varying.has(name)));
}

describe('GraphQL route and Express route at /graphql', () => {
  it('the content types used here are taken by the route they are meant for', () => {
    const request = (contentType: string, method = 'POST') => ({ method, url: '/graphql', headers: { 'content-type': contentType } }) as never;
    expect(app.graphqlRoute.accepts(request(ROUTE))).toBe(true);
    expect(app.graphqlRoute.accepts(request('application/json; charset=utf-8'))).toBe(true);
    expect(app.graphqlRoute.accepts(request(EXPRESS))).toBe(false);
    expect(app.graphqlRoute.accepts(request('text/plain'))).toBe(false);
    expect(app.graphqlRoute.accepts(request(ROUTE, 'GET'))).toBe(false);
  });

  it('answer a query the same, with the same security, CORS and rate-limit headers', async () => {
    const bearer = await token('same-answer');
    const query = JSON.stringify({ query: 'query Q($first: Int!) { villages(first: $first) { totalCount nodes { code name } } }', variables: { first: 3 } });
    const headers = { authorization: `Bearer ${bearer}`, origin: 'https://peta.example.org' };
    const [route, viaExpress] = [await post(ROUTE, query, headers), await post(EXPRESS, query, headers)];
    expect(route.status).toBe(200);
    expect(viaExpress.status).toBe(200);
    expect(route.body).toBe(viaExpress.body);
    expect(JSON.parse(route.body).data.villages.nodes).toHaveLength(3);
    expect(stableHeaders(route.headers)).toEqual(stableHeaders(viaExpress.headers));
    expect(route.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(route.headers.get('access-control-allow-origin')).toBe('https://peta.example.org');
    // Both limits charged, per IP and per user, in the draft-8 form.
    expect(route.headers.get('ratelimit')).toMatch(/^"graphql-ip"; r=\d+; t=\d+, "graphql-user"; r=\d+; t=\d+$/);
    expect(route.headers.get('ratelimit-policy')).toMatch(/^"graphql-ip"; q=160; w=60; pk=:[A-Za-z0-9+/=]+:, "graphql-user"; q=40; w=60; pk=:[A-Za-z0-9+/=]+:$/);
  });

  it('refuse the same way: no token, a bad token, JSON that is not, a scalar, whitespace or empty body, a body over 1 MB (declared or chunked); read a body after a byte-order mark', async () => {
    const bearer = await token('refusals');
    /** 2 MB in 64 kB chunks, sent chunked: the limit is met while reading, not from Content-Length. */
    const chunked = () => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }","variables":{"pad":"'));
          if (sent >= 2 * 1024 * 1024) {
            controller.enqueue(new TextEncoder().encode('"}}'));
            controller.close();
            return;
          }
          controller.enqueue(new Uint8Array(64 * 1024).fill(120));
          sent += 64 * 1024;
        },
      });
    };
    const cases: [string, string | (() => ReadableStream<Uint8Array>), Record<string, string>, number][] = [
      ['no token', '{"query":"{ __typename }"}', {}, 401],
      ['bad token', '{"query":"{ __typename }"}', { authorization: 'Bearer not.a.jwt' }, 401],
      ['not JSON', '{"query": ', { authorization: `Bearer ${bearer}` }, 400],
      ['a JSON string', '"{ __typename }"', { authorization: `Bearer ${bearer}` }, 400],
      ['over 1 MB', JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } }), { authorization: `Bearer ${bearer}` }, 413],
      ['over 1 MB, chunked', chunked, { authorization: `Bearer ${bearer}` }, 413],
      ['no query', '{}', { authorization: `Bearer ${bearer}` }, 400],
      ['only whitespace', ' \n ', { authorization: `Bearer ${bearer}` }, 400],
      ['empty', '', { authorization: `Bearer ${bearer}` }, 400],
      ['a byte-order mark before the JSON', '\uFEFF{"query":"{ __typename }"}', { authorization: `Bearer ${bearer}` }, 200],
    ];
    for (const [name, body, headers, status] of cases) {
      const [route, viaExpress] = [await post(ROUTE, body, headers), await post(EXPRESS, body, headers)];
      expect({ name, status: route.status }).toEqual({ name, status });
      expect({ name, status: viaExpress.status }).toEqual({ name, status });
      expect({ name, body: JSON.parse(route.body) }).toEqual({ name, body: JSON.parse(viaExpress.body) });
      expect({ name, headers: stableHeaders(route.headers) }).toEqual({ name, headers: stableHeaders(viaExpress.headers) });
    }
  });

  it('a client that goes away in the middle of its body leaves the server answering the next one', async () => {
    const bearer = await token('goes-away');
    const { port } = app.httpServer.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${bearer}\r\nContent-Length: 1000\r\n\r\n{"query":`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.on('error', reject);
    });
    const next = await post(ROUTE, '{"query":"{ __typename }"}', { authorization: `Bearer ${bearer}` });
    expect(next.status).toBe(200);
    expect(JSON.parse(next.body)).toEqual({ data: { __typename: 'Query' } });
  });

  it('charge one budget: requests on either route count against the same per-user limit', async () => {
    const bearer = await token('one-budget');
    const body = '{"query":"{ __typename }"}';
    const headers = { authorization: `Bearer ${bearer}` };
    for (let i = 0; i < 20; i += 1) expect((await post(ROUTE, body, headers)).status).toBe(200);
    for (let i = 0; i < 20; i += 1) expect((await post(EXPRESS, body, headers)).status).toBe(200);
    const refused = [await post(ROUTE, body, headers), await post(EXPRESS, body, headers)];
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.parse(response.body).errors[0].extensions).toEqual({ code: 'RATE_LIMITED', budget: 'graphql', limitPerMinute: 40 });
    }
  });
});
