/**
 * Read routing without replicas (both databases) and its parts that need no server: the LSN
 * order, the memory store of write positions and a replica's down state. With replicas, see read-routing.postgres.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { compareLsn, Replica, REPLICA_RETRY_AFTER_MS, ReplicaUnavailableError } from '../../src/db/replicas.js';
import { createLogger } from '../../src/logging/logger.js';
import { createReadRouting, memoryLastWriteStore } from '../../src/server/read-routing.js';
import { startTestApi } from '../support/graphql.js';

describe('read routing on one database', () => {
  it('without replicas the router hands out the database itself (one code path, PGlite included)', async () => {
    const api = await startTestApi();
    try {
      expect(api.app.readRouting.database).toBe(api.database.db);
      expect(api.app.readRouting.replicas).toEqual([]);
      const before = api.database.db.statementCount;
      const result = await api.query('{ interventions { code } }');
      expect(result.errors).toBeUndefined();
      expect(api.database.db.statementCount).toBeGreaterThan(before);
      expect(api.app.readRouting.stats().replicaReads).toBe(0);
    } finally {
      await api.close();
    }
  });

  it('refuses replicas without a PostgreSQL primary, and URLs that are not postgres://', async () => {
    expect(loadConfig({ NODE_ENV: 'test' }).readRouting.replicaUrls).toEqual([]);
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_REPLICA_URLS: 'postgres://replica/db' })).toThrow(/need DATABASE_URL/);
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://p/db', DATABASE_REPLICA_URLS: 'postgres://r/db, mysql://r/db' })).toThrow(/postgres:\/\//);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://p/db', DATABASE_REPLICA_URLS: 'postgres://r1/db, postgres://r2/db' });
    expect(config.readRouting.replicaUrls).toEqual(['postgres://r1/db', 'postgres://r2/db']);
    // An embedded database is never routed, whatever the configuration says.
    const embedded = { kind: 'embedded' } as Parameters<typeof createReadRouting>[0];
    const routing = await createReadRouting(embedded, { config: config.readRouting, pool: { poolSize: 1, statementTimeoutMs: 1000 } }, createLogger(config));
    expect(routing.database).toBe(embedded);
  });
});

describe('write positions', () => {
  it('orders LSNs numerically, not as text', () => {
    expect(compareLsn('0/A', '0/9')).toBe(1);
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1);
    expect(compareLsn('16/B374D848', '16/B374D848')).toBe(0);
    expect(compareLsn('2/10', '10/2')).toBe(-1);
  });

  it('the memory store keeps the later position and forgets it after the TTL', async () => {
    let now = 1000;
    const store = memoryLastWriteStore(() => now);
    await store.remember('a', '0/20', 5000);
    await store.remember('a', '0/10', 5000);
    expect(await store.get('a')).toBe('0/20');
    await store.remember('a', '1/0', 5000);
    expect(await store.get('a')).toBe('1/0');
    expect(await store.get('b')).toBeNull();
    now += 5001;
    expect(await store.get('a')).toBeNull();
  });
});

describe("a replica's down state", () => {
  it('a replica whose heartbeat went unanswered fails the reads waiting on it at once, and only those; one failed statement does not', async () => {
    const replica = new Replica('replica:5432/kt', {} as Database);
    let finish: (rows: string[]) => void = () => undefined;
    const done = await replica.whileUp(Promise.resolve(['answered before']));
    const waiting = replica.whileUp(new Promise<string[]>((resolve) => (finish = resolve)));
    const outcome = waiting.then(() => 'answered', (error: unknown) => error);
    const started = Date.now();
    // One statement's failure (a terminated backend): skipped from now, but the waiting read goes on.
    expect(replica.markDown(new Error('terminating connection'))).toBe(true);
    expect(replica.isUp()).toBe(false);
    expect(replica.downUntil).toBeGreaterThanOrEqual(started + REPLICA_RETRY_AFTER_MS);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await Promise.race([outcome, Promise.resolve('still waiting')])).toBe('still waiting');
    // The heartbeat went unanswered: the waiting read fails over; down already, so not reported again.
    expect(replica.markDown(new Error('heartbeat missed'), true)).toBe(false);
    expect(await outcome).toBeInstanceOf(ReplicaUnavailableError);
    expect(done).toEqual(['answered before']);
    // The abandoned statement's late answer changes nothing.
    finish(['late']);
    // A read that started after the outage is not failed by the earlier markDown.
    await expect(replica.whileUp(Promise.resolve(1))).resolves.toBe(1);
  });
});
