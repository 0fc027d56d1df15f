/**
 * Read replicas and read-your-writes against a real streaming replica (PostgreSQL only, by
 * design: the embedded PGlite has no replication; with it the router is the primary itself).
 * The suite starts its own primary and replica (replica-cluster.ts); the shared server is never
 * touched. It runs whenever TEST_DATABASE_URL is set; if it is set and the PostgreSQL 15
 * binaries are missing, it fails instead of skipping.
 *
 * The replica is made to lag on purpose with pg_wal_replay_pause(): then a read from the replica
 * provably does not show the write, and the tests can tell where each read went.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/jwt.js';
import { loadConfig } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import { type Database, openPostgres } from '../../src/db/database.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { startHeartbeat } from '../../src/db/replicas.js';
import { createReadRouting, type LastWriteStore, UNSHARED_WRITE_WAIT_MS } from '../../src/server/read-routing.js';
import { freePort } from '../failsafe/pg-cluster.js';
import { createReplicatedCluster, hasPgBinaries, type ReplicatedCluster } from './replica-cluster.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REDIS_URL = 'redis://127.0.0.1:6379';

const CREATE = `mutation($input: InterventionInput!) { createIntervention(input: $input) { code } }`;
const LIST = `{ interventions { code } }`;

function interventionInput(code: string) {
  return { code, nameId: 'Uji replika', nameEn: 'Replica test', category: 'COMMUNITY_FACILITY', funderCode: 'KEMENSOS', target: 'HOUSEHOLD', unitCostIdr: 1000, costIsAssumption: true, costSource: 'test', eligibility: { fact: 'desil', op: 'lte', value: 4 } };
}

async function graphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  return { status: response.status, body };
}

async function listCodes(url: string, token: string): Promise<string[]> {
  const { status, body } = await graphql(url, token, LIST);
  expect(status, JSON.stringify(body.errors)).toBe(200);
  return ((body.data?.interventions ?? []) as { code: string }[]).map((i) => i.code);
}

/** A Redis of the test's own (redis-server, installed with Redis), to stop and start at will. */
async function privateRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      if (client.isOpen) await client.quit().catch(() => undefined);
    }
  };
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await ping()) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  /** As a crash: SIGKILL, no goodbye to the clients. */
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, start, kill };
}

async function listen(app: App): Promise<string> {
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}/graphql`;
}

describe.runIf(onPostgres)('read replicas and read-your-writes (PostgreSQL only: the embedded database has no replication)', () => {
  let cluster: ReplicatedCluster | undefined;
  let db: Database | undefined;
  let replicaAdmin: pg.Client | undefined;
  const apps: App[] = [];

  const startApi = async (extra: Record<string, string> = {}) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000',
      DATABASE_URL: cluster!.primary.url(),
      DATABASE_REPLICA_URLS: cluster!.replica.url(),
      READ_YOUR_WRITES_WAIT_MS: '300',
      ...extra,
    });
    const app = await createApp(config, db!, createLogger(config));
    apps.push(app);
    return { app, url: await listen(app), config };
  };

  beforeAll(async () => {
    expect(hasPgBinaries(), 'PostgreSQL 15 binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql/15/bin').toBe(true);
    cluster = await createReplicatedCluster();
    // Migrations run on the primary and reach the replica through the WAL, like every write.
    db = await connect({ kind: 'postgres', url: cluster.primary.url(), poolSize: 6, statementTimeoutMs: 30_000, waitSeconds: 10 });
    replicaAdmin = new pg.Client({ connectionString: cluster.replica.url() });
    await replicaAdmin.connect();
  });

  afterAll(async () => {
    // First: a test that failed while the replica was frozen would leave every goodbye to it unanswered.
    try {
      cluster?.replica.thaw();
    } catch {
      // not running
    }
    for (const app of apps) {
      await new Promise((resolve) => app.httpServer.close(resolve));
      await app.stop();
    }
    await replicaAdmin?.end().catch(() => undefined);
    await db?.close();
    cluster?.destroy();
  });

  const waitForReplay = async (code: string) => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await replicaAdmin!.query('SELECT count(*)::int AS n FROM interventions WHERE code = $1', [code]);
      if (rows[0].n === 1) return;
      await sleep(25);
    }
    throw new Error(`the replica never replayed intervention ${code}`);
  };

  it('the replica is a streaming replica of the primary', async () => {
    const { rows } = await replicaAdmin!.query('SELECT pg_is_in_recovery() AS recovery');
    expect(rows[0].recovery).toBe(true);
  });

  it('queries read from the replica, mutations write to the primary, and the writer reads its write even while the replica lags', async () => {
    const { app, url, config } = await startApi();
    const writer = await mintToken(config.auth, { sub: `writer-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });
    const other = await mintToken(config.auth, { sub: `other-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });

    const before = app.readRouting.stats();
    const initial = await listCodes(url, other);
    expect(initial.length).toBeGreaterThan(0);
    expect(app.readRouting.stats().replicaReads).toBeGreaterThan(before.replicaReads);

    await replicaAdmin!.query('SELECT pg_wal_replay_pause()');
    const code = `RPL_${Date.now()}`;
    try {
      const created = await graphql(url, writer, CREATE, { input: interventionInput(code) });
      expect(created.status, JSON.stringify(created.body.errors)).toBe(200);
      expect(app.readRouting.stats().writesRecorded).toBe(before.writesRecorded + 1);

      // Another principal reads the lagging replica: the write is not there yet.
      expect(await listCodes(url, other)).not.toContain(code);
      // The writer waits up to READ_YOUR_WRITES_WAIT_MS for the replica, then reads the primary.
      const waited = app.readRouting.stats().primaryAfterWait;
      expect(await listCodes(url, writer)).toContain(code);
      expect(app.readRouting.stats().primaryAfterWait).toBe(waited + 1);
    } finally {
      await replicaAdmin!.query('SELECT pg_wal_replay_resume()');
    }

    // Once the replica has replayed the write, the writer reads from the replica again.
    await waitForReplay(code);
    const after = app.readRouting.stats();
    expect(await listCodes(url, writer)).toContain(code);
    expect(app.readRouting.stats().primaryAfterWait).toBe(after.primaryAfterWait);
    expect(app.readRouting.stats().replicaReads).toBeGreaterThan(after.replicaReads);
    // The write is on the primary and nowhere else first: the replica is read-only.
    await expect(replicaAdmin!.query(`INSERT INTO interventions (code) VALUES ('x')`)).rejects.toThrow(/read-only/);
  });

  it('with REDIS_URL, a write through one API process is read back through another', async () => {
    const first = await startApi({ REDIS_URL });
    const second = await startApi({ REDIS_URL });
    const subject = `shared-${randomUUID()}@test`;
    const token = await mintToken(first.config.auth, { sub: subject, role: 'ADMIN', regions: '*' });
    await replicaAdmin!.query('SELECT pg_wal_replay_pause()');
    const code = `RPL_${Date.now()}_R`;
    try {
      const created = await graphql(first.url, token, CREATE, { input: interventionInput(code) });
      expect(created.status, JSON.stringify(created.body.errors)).toBe(200);
      const waited = second.app.readRouting.stats().primaryAfterWait;
      expect(await listCodes(second.url, token)).toContain(code);
      expect(second.app.readRouting.stats().primaryAfterWait).toBe(waited + 1);
    } finally {
      await replicaAdmin!.query('SELECT pg_wal_replay_resume()');
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      await redis.del(`kampung-terpadu:last-write:${subject}`);
      await redis.quit();
    }
  });

  describe('when Redis is down as a principal writes (its position cannot be shared)', () => {
    let redis: Awaited<ReturnType<typeof privateRedis>> | undefined;
    afterAll(async () => redis?.kill());

    /** Reads through `api` until one went to the replica (its Redis client is back), each checked with `check`. */
    const readFromReplica = async (api: { app: App; url: string }, token: string, check: (codes: string[]) => void) => {
      for (let i = 0; i < 200; i++) {
        const before = api.app.readRouting.stats().replicaReads;
        check(await listCodes(api.url, token));
        if (api.app.readRouting.stats().replicaReads > before) return;
        await sleep(50);
      }
      throw new Error('reads never went back to the replica');
    };

    it('the write is answered once every replica has replayed it, so another API process reads it from the replica after Redis is back', async () => {
      redis = await privateRedis();
      const first = await startApi({ REDIS_URL: redis.url });
      const second = await startApi({ REDIS_URL: redis.url });
      const token = await mintToken(first.config.auth, { sub: `blip-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });
      await replicaAdmin!.query('SELECT pg_wal_replay_pause()');
      const code = `RPL_${Date.now()}_B`;
      try {
        await redis.kill();
        const before = first.app.readRouting.stats();
        let answered = false;
        const write = graphql(first.url, token, CREATE, { input: interventionInput(code) }).then((r) => {
          answered = true;
          return r;
        });
        await sleep(300);
        // Committed on the primary, but not yet on the replica: the response waits.
        expect(answered).toBe(false);
        await replicaAdmin!.query('SELECT pg_wal_replay_resume()');
        const created = await write;
        expect(created.status, JSON.stringify(created.body.errors)).toBe(200);
        expect(first.app.readRouting.stats()).toMatchObject({ writesUnshared: before.writesUnshared + 1, unsharedReplayed: before.unsharedReplayed + 1 });
        // The replica stops again, with the write; Redis comes back without the position.
        await replicaAdmin!.query('SELECT pg_wal_replay_pause()');
        await redis.start();
        await readFromReplica(second, token, (codes) => expect(codes).toContain(code));
      } finally {
        await replicaAdmin!.query('SELECT pg_wal_replay_resume()');
      }
    });

    it('when a replica does not replay it in time, the write is answered after the bounded wait and this process keeps reading it from the primary', async () => {
      redis ??= await privateRedis();
      const api = await startApi({ REDIS_URL: redis.url });
      const token = await mintToken(api.config.auth, { sub: `lag-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });
      await replicaAdmin!.query('SELECT pg_wal_replay_pause()');
      const code = `RPL_${Date.now()}_L`;
      try {
        await redis.kill();
        const before = api.app.readRouting.stats();
        const started = Date.now();
        const created = await graphql(api.url, token, CREATE, { input: interventionInput(code) });
        expect(created.status, JSON.stringify(created.body.errors)).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(UNSHARED_WRITE_WAIT_MS);
        expect(api.app.readRouting.stats()).toMatchObject({ writesUnshared: before.writesUnshared + 1, unsharedReplayed: before.unsharedReplayed });
        await redis.start();
        // Redis is back and knows nothing of the write; this process does: it waits for the
        // paused replica, then reads the primary.
        for (let i = 0; i < 200 && api.app.readRouting.stats().primaryAfterWait === before.primaryAfterWait; i++) {
          expect(await listCodes(api.url, token)).toContain(code);
          await sleep(50);
        }
        expect(api.app.readRouting.stats().primaryAfterWait).toBeGreaterThan(before.primaryAfterWait);
        expect(await listCodes(api.url, token)).toContain(code);
      } finally {
        await replicaAdmin!.query('SELECT pg_wal_replay_resume()');
      }
    });
  });

  it('when the replica stops answering without closing its connections, reads waiting on it and after it go to the primary within three seconds, and it is read again once it answers', async () => {
    const { app, url, config } = await startApi();
    const token = await mintToken(config.auth, { sub: `frozen-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });
    const expected = await listCodes(url, token);
    const replicaReads = app.readRouting.stats().replicaReads;
    expect(replicaReads).toBeGreaterThan(0);
    const downBefore = app.readRouting.stats().primaryReplicaDown;
    try {
      cluster!.replica.freeze();
      // Sent while the replica is still taken for up: they wait on it until the heartbeat misses.
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 4 }, () => listCodes(url, token)));
      const waited = Date.now() - started;
      for (const codes of answers) expect(codes).toEqual(expect.arrayContaining(expected));
      expect(waited).toBeLessThan(3_000);
      expect(app.readRouting.stats().primaryReplicaDown).toBeGreaterThan(downBefore);
      // Then the replica is skipped: no read waits for it.
      const next = Date.now();
      expect(await listCodes(url, token)).toEqual(expect.arrayContaining(expected));
      expect(Date.now() - next).toBeLessThan(1_000);
    } finally {
      cluster!.replica.thaw();
    }
    // Back in use once it answers the heartbeat and its REPLICA_RETRY_AFTER_MS has run out.
    const thawed = Date.now();
    const before = app.readRouting.stats().replicaReads;
    while (app.readRouting.stats().replicaReads === before) {
      expect(Date.now() - thawed, 'the replica was not read again after it answered').toBeLessThan(10_000);
      await listCodes(url, token);
      await sleep(200);
    }
  }, 30_000);

  it('when the replica goes down, reads go to the primary without errors, and writes are not affected', async () => {
    const { app, url, config } = await startApi();
    const token = await mintToken(config.auth, { sub: `down-${randomUUID()}@test`, role: 'ADMIN', regions: '*' });
    expect((await listCodes(url, token)).length).toBeGreaterThan(0);
    cluster!.replica.stop('immediate');
    await replicaAdmin!.end().catch(() => undefined);
    try {
      const downBefore = app.readRouting.stats().primaryReplicaDown;
      const code = `RPL_${Date.now()}_D`;
      const created = await graphql(url, token, CREATE, { input: interventionInput(code) });
      expect(created.status, JSON.stringify(created.body.errors)).toBe(200);
      for (let i = 0; i < 3; i++) expect(await listCodes(url, token)).toContain(code);
      expect(app.readRouting.stats().primaryReplicaDown).toBeGreaterThan(downBefore);
    } finally {
      cluster!.replica.start();
      replicaAdmin = new pg.Client({ connectionString: cluster!.replica.url() });
      await replicaAdmin.connect();
    }
  });
});

/**
 * A TCP proxy to the test server that can freeze: it stops forwarding and keeps the sockets open,
 * as a network partition does to connections that are already open.
 */
async function freezableProxy() {
  const target = new URL(process.env.TEST_DATABASE_URL!);
  let frozen = false;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const open = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    connections += 1;
    open.add(client);
    const server = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.on('data', (d) => !frozen && server.write(d));
    server.on('data', (d) => !frozen && client.write(d));
    client.on('close', () => {
      open.delete(client);
      server.destroy();
    });
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const through = new URL(target);
  through.hostname = '127.0.0.1';
  through.port = String((proxy.address() as AddressInfo).port);
  return {
    url: through.toString(),
    freeze: (on = true) => {
      frozen = on;
    },
    /** Connections accepted so far, and those the client side still holds open. */
    connections: () => ({ accepted: connections, open: open.size }),
    close() {
      for (const socket of sockets) socket.destroy();
      proxy.close();
    },
  };
}

describe.runIf(onPostgres)('the wait for replicas after a write Redis could not record (PostgreSQL only)', () => {
  it('ends at UNSHARED_WRITE_WAIT_MS even when a replica connection stops answering mid-query', async () => {
    const proxy = await freezableProxy();
    const redisDown: LastWriteStore = { get: async () => null, remember: async () => { throw new Error('Redis is down'); }, close: async () => undefined };
    const primary = await openPostgres({ url: process.env.TEST_DATABASE_URL!, poolSize: 2, statementTimeoutMs: 15_000 });
    const routing = await createReadRouting(primary, {
      config: { replicaUrls: [proxy.url], waitMs: 250, ttlSeconds: 60, store: { kind: 'memory' } },
      pool: { poolSize: 2, statementTimeoutMs: 15_000 },
      store: redisDown,
    }, createLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })));
    try {
      // The replica's connection is open; then the network between us stops.
      await routing.replicas[0]!.db.query('SELECT 1');
      proxy.freeze();
      const started = Date.now();
      await routing.recordWrite(`frozen-${randomUUID()}`);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(UNSHARED_WRITE_WAIT_MS - 20);
      expect(waited).toBeLessThan(UNSHARED_WRITE_WAIT_MS + 1_000);
      expect(routing.stats()).toMatchObject({ writesUnshared: 1, unsharedReplayed: 0 });
    } finally {
      proxy.close();
      await routing.close().catch(() => undefined);
      await primary.close();
    }
  });
});

describe.runIf(onPostgres)('the replica heartbeat (PostgreSQL only)', () => {
  it('reports a replica that stops answering, opens a new connection when the old one stays silent, and goes quiet once it answers again', async () => {
    const proxy = await freezableProxy();
    const misses: number[] = [];
    const heartbeat = startHeartbeat(proxy.url, () => misses.push(Date.now()), { intervalMs: 50, timeoutMs: 200, reconnectMs: 600 });
    try {
      for (let i = 0; i < 100 && proxy.connections().accepted === 0; i++) await sleep(20);
      await sleep(300);
      expect(misses, 'an answering replica is never reported').toEqual([]);
      const frozenAt = Date.now();
      proxy.freeze();
      await sleep(400);
      expect(misses.length, 'reported within the timeout and a beat').toBeGreaterThan(0);
      expect((misses[0] as number) - frozenAt).toBeLessThan(200 + 50 + 100);
      // The silent connection is closed after reconnectMs, and the next beats open new ones
      // (which cannot log in through the frozen proxy, so the misses go on).
      await sleep(700);
      expect(proxy.connections().accepted).toBeGreaterThan(1);
      expect(proxy.connections().open, "one connection at a time, never a pile of silent ones").toBeLessThanOrEqual(1);
      proxy.freeze(false);
      // Once the replica answers, a fresh connection logs in and the reports stop.
      await sleep(600);
      const quietFrom = misses.length;
      await sleep(500);
      expect(misses.length).toBe(quietFrom);
    } finally {
      await heartbeat.stop();
      proxy.close();
    }
  });
});
