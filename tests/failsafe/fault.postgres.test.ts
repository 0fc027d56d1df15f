/**
 * Database faults on real PostgreSQL (PostgreSQL only, by design: PGlite runs in-process and has
 * no connections to drop or server to restart). These run whenever TEST_DATABASE_URL is set; if
 * it is set and the PostgreSQL 15 binaries are missing, the suite fails instead of skipping.
 *
 * Measured: the process survives (an unhandled 'error' event would kill this test worker), every
 * acknowledged write is in the database afterwards, every failure is DATABASE_UNAVAILABLE with
 * HTTP 503 and Retry-After, and the API serves again within seconds of the database's return.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { mintToken } from '../../src/auth/jwt.js';
import { loadConfig } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { createPgCluster, hasPgBinaries, type PgCluster } from './pg-cluster.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
  code_?: string;
  at: number;
  ok: boolean;
  interventionCode: string;
}

/** One ADMIN catalog write (with its audit record) over HTTP; `code` is unique per call. */
async function createIntervention(url: string, token: string, code: string): Promise<Outcome> {
  const query = `mutation($input: InterventionInput!) { createIntervention(input: $input) { code } }`;
  const input = { code, nameId: 'Uji gangguan', nameEn: 'Fault test', category: 'COMMUNITY_FACILITY', funderCode: 'KEMENSOS', target: 'HOUSEHOLD', unitCostIdr: 1000, costIsAssumption: true, costSource: 'test', eligibility: { fact: 'desil', op: 'lte', value: 4 } };
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables: { input } }) });
    const body = (await response.json()) as { data?: { createIntervention?: { code: string } } | null; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, code: body.errors?.[0]?.extensions?.code, retryAfter: response.headers.get('retry-after'), at: Date.now(), ok: response.status === 200 && body.data?.createIntervention?.code === code, interventionCode: code };
  } catch {
    // The HTTP request itself failed: the server is down (or the socket was cut).
    return { status: 0, retryAfter: null, at: Date.now(), ok: false, interventionCode: code };
  }
}

async function listen(app: App): Promise<string> {
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}/graphql`;
}

/** Runs `clients` loops of writes until `until()` says stop; returns every outcome. */
async function writeLoad(url: string, token: string, prefix: string, clients: number, until: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const outcome = await createIntervention(url, token, `${prefix}_${++n}`);
        outcomes.push(outcome);
        if (!outcome.ok) await sleep(50);
      }
    }),
  );
  return outcomes;
}

async function acknowledgedMissing(db: Database, outcomes: Outcome[]): Promise<string[]> {
  const acknowledged = outcomes.filter((o) => o.ok).map((o) => o.interventionCode);
  const rows = await db.query<{ code: string }>('SELECT code FROM interventions WHERE code = ANY($1::text[])', [acknowledged]);
  const audited = await db.query<{ entity_id: string }>("SELECT entity_id FROM audit_log WHERE action = 'CREATE_INTERVENTION' AND entity_id = ANY($1::text[])", [acknowledged]);
  const present = new Set(rows.map((r) => r.code));
  const withAudit = new Set(audited.map((r) => r.entity_id));
  return acknowledged.filter((c) => !present.has(c) || !withAudit.has(c));
}

const suite = onPostgres ? describe : describe.skip;

suite('database faults (PostgreSQL only: needs TEST_DATABASE_URL and the PostgreSQL 15 binaries)', () => {
  it('has the PostgreSQL binaries this suite needs', () => {
    expect(hasPgBinaries(), 'PostgreSQL 15 binaries under /usr/lib/postgresql/15/bin are required on the PostgreSQL run').toBe(true);
  });

  describe('pg_terminate_backend on the API connections during concurrent writes', () => {
    let api: TestApi;
    let app: App;
    let url: string;
    beforeAll(async () => {
      api = await startTestApi();
      app = await createApp(config, api.database.db, createLogger(config));
      url = await listen(app);
    });
    afterAll(async () => {
      await new Promise((resolve) => app?.httpServer.close(resolve));
      await app?.stop();
      await api?.close();
    });

    it('fails only the requests whose connection was cut (503), loses no acknowledged write, and recovers', async () => {
      const token = await mintToken(config.auth, { sub: 'fault-admin@test', role: 'ADMIN', regions: '*' });
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const database = new URL(api.database.url!).pathname.slice(1);
      let stop = false;
      let terminated = 0;
      const killer = (async () => {
        for (let round = 0; round < 6; round++) {
          await sleep(250);
          const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
          terminated += r.rows[0].n as number;
        }
        await sleep(300);
        stop = true;
      })();
      const outcomes = await writeLoad(url, token, 'TERM', 12, () => stop);
      await killer;
      await admin.end();
      const after = await createIntervention(url, token, 'TERM_AFTER');
      const failures = outcomes.filter((o) => !o.ok);
      const missing = await acknowledgedMissing(api.database.db, [...outcomes, after]);
      console.info(`[fault] terminate: ${outcomes.length} writes, ${outcomes.length - failures.length} acknowledged, ${failures.length} failed, ${terminated} backends terminated, ${missing.length} acknowledged missing`);
      expect(terminated).toBeGreaterThan(0);
      expect(failures.every((f) => f.status === 503 && f.code === 'DATABASE_UNAVAILABLE' && f.retryAfter !== null)).toBe(true);
      expect(missing).toEqual([]);
      expect(after.ok).toBe(true);
    });
  });

  describe('a restart of a second PostgreSQL cluster during a bounded write load', () => {
    let cluster: PgCluster | undefined;
    let db: Database | undefined;
    let app: App | undefined;
    beforeAll(async () => {
      cluster = await createPgCluster();
    });
    afterAll(async () => {
      if (app) {
        await new Promise((resolve) => app!.httpServer.close(resolve));
        await app.stop();
      }
      await db?.close();
      cluster?.destroy();
    });

    it('start-up waits for a database that is not up yet (bounded backoff) instead of exiting', async () => {
      cluster!.stop('fast');
      const started = Date.now();
      const restart = sleep(2000).then(() => cluster!.start());
      db = await connect({ kind: 'postgres', url: cluster!.url, poolSize: 6, statementTimeoutMs: 10_000, waitSeconds: 30 });
      await restart;
      const waitedMs = Date.now() - started;
      console.info(`[fault] start-up waited ${waitedMs} ms for the database`);
      expect(waitedMs).toBeGreaterThanOrEqual(1500);
      expect((await db.query<{ one: number }>('SELECT 1 AS one'))[0]!.one).toBe(1);
    });

    it('answers 503 while the database is down, loses no acknowledged write, and serves again within seconds', async () => {
      app = await createApp(config, db!, createLogger(config));
      const url = await listen(app);
      const token = await mintToken(config.auth, { sub: 'fault-admin@test', role: 'ADMIN', regions: '*' });
      let stop = false;
      let downAt = 0;
      let upAt = 0;
      const operator = (async () => {
        await sleep(1500);
        downAt = Date.now();
        cluster!.stop('immediate');
        await sleep(2000);
        cluster!.start();
        upAt = Date.now();
        await sleep(3000);
        stop = true;
      })();
      const outcomes = await writeLoad(url, token, 'RESTART', 8, () => stop);
      await operator;
      const failures = outcomes.filter((o) => !o.ok);
      const firstSuccessAfterUp = outcomes.filter((o) => o.ok && o.at >= upAt).sort((a, b) => a.at - b.at)[0];
      const recoveryMs = firstSuccessAfterUp ? firstSuccessAfterUp.at - upAt : Infinity;
      const missing = await acknowledgedMissing(db!, outcomes);
      console.info(
        `[fault] restart: ${outcomes.length} writes, ${outcomes.length - failures.length} acknowledged, ${failures.length} failed (statuses ${[...new Set(failures.map((f) => f.status))].join(',')}), down ${upAt - downAt} ms, first success ${recoveryMs} ms after the database returned, ${missing.length} acknowledged missing`,
      );
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((f) => f.status === 503 && f.code === 'DATABASE_UNAVAILABLE' && f.retryAfter === '5')).toBe(true);
      expect(missing).toEqual([]);
      expect(recoveryMs).toBeLessThan(5000);
    });
  });
});
