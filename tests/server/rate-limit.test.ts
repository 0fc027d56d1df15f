/**
 * Rate limits by budget: GIS clients (OGC API pages, tiles) have their own budget, so a GDAL copy
 * at its default page size or an hour of map panning never meets the GraphQL limit, while abuse
 * of either budget is still refused with 429. With REDIS_URL the counters are shared by every
 * API process (two apps here stand for two replicas).
 */
import { type AddressInfo, createServer, type Server, type Socket, connect } from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/auth/jwt.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
const apps: App[] = [];
beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => {
  for (const app of apps) {
    await new Promise((resolve) => app.httpServer.close(resolve));
    await app.stop();
  }
  await database?.dispose();
});

async function serve(env: Record<string, string>): Promise<{ origin: string; config: Config }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, database.db, createLogger(config));
  apps.push(app);
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`, config };
}

const token = (config: Config, sub: string) => mintToken(config.auth, { sub, role: 'PLANNER', org: 'test', regions: '*' }, '1h');
const get = (url: string, bearer: string) => fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
const graphql = (origin: string, bearer: string) =>
  fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: '{"query":"{ __typename }"}' });
/** Tiles near the north pole: empty (204) without a query, so the test measures the limiter, not rendering. */
const emptyTile = (origin: string, i: number) => `${origin}/tiles/villages/12/${i % 64}/${Math.floor(i / 64)}.mvt`;

describe('rate limits', () => {
  it('map requests have their own budget: using it up leaves GraphQL untouched, and the 429 names the budget', async () => {
    const { origin, config } = await serve({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_MAP_PER_MINUTE: '30' });
    const bearer = await token(config, 'map-user');
    for (let i = 0; i < 30; i += 1) expect((await get(emptyTile(origin, i), bearer)).status).toBe(204);
    const refused = await get(`${origin}/ogc/collections`, bearer);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', budget: 'map', limitPerMinute: 30 } });
    // The GraphQL budget is separate.
    for (let i = 0; i < 5; i += 1) expect((await graphql(origin, bearer)).status).toBe(200);
    const graphqlRefused = await graphql(origin, bearer);
    expect(graphqlRefused.status).toBe(429);
    expect(((await graphqlRefused.json()) as any).errors[0].extensions).toMatchObject({ budget: 'graphql', limitPerMinute: 5 });
  });

  it('the default map budget holds a heavy minute of panning plus a default-page-size GDAL copy, beyond the GraphQL limit', async () => {
    const { origin, config } = await serve({});
    expect(config.httpLimits.mapRateLimitPerMinute).toBe(6000);
    const bearer = await token(config, 'busy-mapper');
    // A minute of fast panning: 40 pans × 3 layers × 12 tiles = 1,440 tiles; a GDAL copy of the
    // largest demo village (about 700 households) at GDAL's default 10 features a page: 70 pages.
    const urls = [...Array.from({ length: 1440 }, (_, i) => emptyTile(origin, i)), ...Array.from({ length: 70 }, () => `${origin}/ogc/collections/villages/items?limit=10`)];
    const statuses = new Map<number, number>();
    for (let i = 0; i < urls.length; i += 50) {
      const batch = await Promise.all(urls.slice(i, i + 50).map(async (url) => {
        const response = await get(url, bearer);
        await response.arrayBuffer();
        return response.status;
      }));
      for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 204: 1440, 200: 70 });
  }, 180_000);

  it('with REDIS_URL, two API processes share one bucket, under the configured key prefix', async () => {
    const prefix = `kampung-terpadu-test-${process.pid}-${Date.now()}:`;
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_MAP_PER_MINUTE: '10' };
    const a = await serve(env);
    const b = await serve(env);
    const bearer = await token(a.config, 'replicated-user');
    for (let i = 0; i < 5; i += 1) expect((await get(emptyTile(a.origin, i), bearer)).status).toBe(204);
    for (let i = 0; i < 5; i += 1) expect((await get(emptyTile(b.origin, i), bearer)).status).toBe(204);
    expect((await get(emptyTile(a.origin, 9), bearer)).status).toBe(429);
    expect((await get(emptyTile(b.origin, 9), bearer)).status).toBe(429);
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.some((k) => k.startsWith(`${prefix}map:user:`))).toBe(true);
      if (keys.length) await redis.del(keys);
    } finally {
      await redis.quit();
    }
  });

  it('with Redis gone, requests are answered at once and pass uncounted; counting resumes when it is back, also after its scripts failed to load at start', async () => {
    // Redis behind a TCP proxy the test can cut: first the start-up's SCRIPT LOAD is dropped,
    // later the whole connection.
    const redisProxy = await startRedisProxy();
    try {
      redisProxy.dropScriptLoads = true;
      const prefix = `kampung-terpadu-test-${process.pid}-${Date.now()}-outage:`;
      const { origin, config } = await serve({ REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_MAP_PER_MINUTE: '6' });
      const bearer = await token(config, 'outage-user');
      const tile = async (i: number) => {
        // A request held by the limiter would run into this deadline instead of into the test's timeout.
        const response = await fetch(emptyTile(origin, i), { headers: { authorization: `Bearer ${bearer}` }, signal: AbortSignal.timeout(3_000) });
        await response.arrayBuffer();
        return { status: response.status, counted: response.headers.has('ratelimit') };
      };
      // The scripts failed to load (their connection was cut); once Redis answers, requests are counted again.
      await until(() => redisProxy.scriptLoadsDropped >= 1);
      redisProxy.dropScriptLoads = false;
      const first: { status: number; counted: boolean }[] = [];
      for (let i = 0; i < 12 && !first.some((r) => r.status === 429); i += 1) {
        first.push(await tile(i));
        if (!first.at(-1)!.counted) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(first.filter((r) => r.counted && r.status === 204).length).toBe(6);
      expect(first.at(-1)).toEqual({ status: 429, counted: true });

      expect(await (await fetch(`${origin}/health`)).json()).toMatchObject({ status: 'ok', rateLimits: 'redis' });

      // Redis goes away: answered at once, uncounted (no RateLimit header), not refused; /health says so.
      await redisProxy.stop();
      for (let i = 0; i < 5; i += 1) expect(await tile(100 + i)).toEqual({ status: 204, counted: false });
      const health = await fetch(`${origin}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', rateLimits: 'redis-unavailable' });

      // Redis is back: the bucket it kept is charged again, so this user is still over the limit.
      await redisProxy.start();
      await until(async () => (await tile(200)).counted);
      expect(await tile(201)).toEqual({ status: 429, counted: true });
      expect(await (await fetch(`${origin}/health`)).json()).toMatchObject({ rateLimits: 'redis' });
    } finally {
      await redisProxy.stop();
      const redis = createClient({ url: 'redis://127.0.0.1:6379' });
      await redis.connect();
      const keys = await redis.keys(`kampung-terpadu-test-${process.pid}-*-outage:*`);
      if (keys.length) await redis.del(keys);
      await redis.quit();
    }
  }, 60_000);
});

/** Polls `condition` every 100 ms for up to 15 s. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met within 15 s');
}

/**
 * A TCP proxy to the machine's Redis (127.0.0.1:6379) that can be stopped (every connection cut,
 * connections refused) and started again on the same port, and that can cut a connection when
 * the client sends SCRIPT LOAD.
 */
async function startRedisProxy() {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const proxy = {
    port: 0,
    dropScriptLoads: false,
    scriptLoadsDropped: 0,
    async start() {
      server = createServer((client) => {
        const upstream = connect(6379, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.on('data', (chunk: Buffer) => {
          if (proxy.dropScriptLoads && /SCRIPT/i.test(chunk.toString('latin1'))) {
            proxy.scriptLoadsDropped += 1;
            client.destroy();
            upstream.destroy();
            return;
          }
          upstream.write(chunk);
        });
        upstream.pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('close', close).on('error', close);
        upstream.on('close', close).on('error', close);
      });
      await new Promise<void>((resolve) => server!.listen(proxy.port, '127.0.0.1', resolve));
      proxy.port = (server!.address() as AddressInfo).port;
    },
    async stop() {
      const closing = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (closing) await new Promise((resolve) => closing.close(resolve));
    },
  };
  await proxy.start();
  return proxy;
}
