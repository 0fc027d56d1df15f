/**
 * The benchmark harness (bench/) in smoke mode: the same fixture, capture, load, replay and report
 * code as `npm run bench`, against the suite's in-process API and test database, with tiny
 * fixtures and a load of at most a few dozen requests per operation. Only the shape of the report
 * is checked: timings on a test database mean nothing.
 *
 * The statement-counting wire proxy is checked against a scripted PostgreSQL peer (always) and
 * against the real server (when the suite runs on PostgreSQL: TEST_DATABASE_URL).
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, mintAdminToken } from '../../bench/auth.js';
import { recordStatements } from '../../bench/in-process-capture.js';
import { planFromCapture, runPlan } from '../../bench/load.js';
import { startPgWireProxy } from '../../bench/pg-wire-proxy.js';
import { runSmoke } from '../../bench/smoke.js';
import { openPostgres } from '../../src/db/database.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { testDatabaseKind } from '../support/test-database.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let api: TestApi;
let baseUrl: string;

beforeAll(async () => {
  // As `npm run bench` does (bench/run.ts): the load is meant to exceed any per-token budget.
  api = await startTestApi({ RATE_LIMIT_PER_MINUTE: '1000000000', RATE_LIMIT_MAP_PER_MINUTE: '1000000000' });
  await new Promise<void>((resolve) => api.app.httpServer.listen(0, '127.0.0.1', () => resolve()));
  const address = api.app.httpServer.address();
  if (typeof address !== 'object' || !address) throw new Error('test API is not listening');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await api?.close();
});

describe('benchmark harness, smoke mode', () => {
  it('captures, loads, replays and reports every core operation', async () => {
    const token = await mintAdminToken(REPO_ROOT, { NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const statements = recordStatements(api.database.db);
    let result: Awaited<ReturnType<typeof runSmoke>>;
    try {
      result = await runSmoke({ api: { baseUrl, headers: authHeaders(token) }, db: api.database.db, statements });
    } finally {
      statements.restore();
    }
    const { report, text } = result;

    expect(report.kind).toBe('kampung-terpadu-bench');
    expect(report.mode).toBe('smoke');
    expect(report.fixtures.households).toBeGreaterThan(0);
    expect(report.fixtures.bboxHouseholds).toBeGreaterThan(0);
    expect(report.fixtures.bbox).toHaveLength(4);

    const core = report.operations.filter((o) => o.number <= 3);
    expect(core.map((o) => o.id)).toEqual(['villages-priority', 'village-households', 'households-feature-collection']);
    for (const op of core) {
      expect(op.available, op.id).toBe(true);
      expect(op.api?.check.ok, `${op.id}: ${op.api?.check.detail}`).toBe(true);
      expect(op.api?.statementsPerRequest, op.id).toBeGreaterThan(0);
      expect(op.api?.repeats).toHaveLength(3);
      expect(op.api?.statements[0]?.text, op.id).toMatch(/SELECT/i);
      expect(op.api?.pageSizes?.smallStatements, op.id).toBeGreaterThan(0);
      expect(op.raw?.sql, op.id).toContain('-- statement 1');
      // Both load generators ran and produced the same report fields.
      for (const load of [op.api?.load, op.raw?.load]) {
        expect(load?.requests, op.id).toBeGreaterThan(0);
        expect(load?.errors, op.id).toBe(0);
        expect(load?.latencyMs.p50, op.id).toBeGreaterThan(0);
        expect(load?.latencyMs.p99, op.id).toBeGreaterThanOrEqual(load?.latencyMs.p50 ?? Number.POSITIVE_INFINITY);
        expect(load?.requestsPerSecond, op.id).toBeGreaterThan(0);
      }
      expect(op.api?.load?.non2xx, op.id).toBe(0);
      expect(op.ratios.apiToRawP50, op.id).toBeGreaterThan(0);
      // Two rounds, the sides in turn and the order reversed in the second; the side's figures
      // are the medians of its rounds, its counts their sums.
      expect(op.rounds?.map((r) => r.order), op.id).toEqual([
        ['api', 'raw'],
        ['raw', 'api'],
      ]);
      const rounds = op.rounds ?? [];
      for (const side of ['api', 'raw'] as const) {
        const p50s = rounds.map((r) => r.sides[side]?.p50Ms ?? Number.NaN);
        expect(op[side]?.load?.latencyMs.p50, `${op.id} ${side}`).toBeCloseTo(((p50s[0] ?? 0) + (p50s[1] ?? 0)) / 2, 2);
      }
      expect(rounds.map((r) => r.ratios.apiToRawP50).every((x) => x !== null && x > 0), op.id).toBe(true);
    }
    // Later operations (a vector tile: a GET with a binary body) are measured when the API has
    // them and reported as not available otherwise; neither breaks the run.
    for (const op of report.operations.filter((o) => o.number > 3)) {
      if (op.available) expect(op.api?.load?.requests, `${op.id}: ${op.api?.check.detail}`).toBeGreaterThan(0);
      else expect(op.note).toMatch(/not available/);
    }

    expect(report.targets.map((t) => t.id)).toEqual(
      expect.arrayContaining(['api-p50-vs-raw-op2', 'api-p50-vs-raw-op3', 'statements-constant-in-page-size', 'scaling-op1', 'scaling-op2']),
    );
    for (const t of report.targets) expect(['met', 'missed', 'not evaluated']).toContain(t.verdict);
    expect(text).toContain('village-households');
    expect(text).toContain('Targets:');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

/** A PostgreSQL message: type byte, int32 length, body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('statement-counting wire proxy', () => {
  it('counts Execute and Query messages with their SQL, parameters and end times (scripted peer)', async () => {
    // A peer that accepts any startup and answers every Sync and Query with ReadyForQuery.
    const peer = net.createServer((socket) => {
      let buffer = Buffer.alloc(0);
      let started = false;
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          if (!started) {
            if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
            buffer = buffer.subarray(buffer.readInt32BE(0));
            started = true;
            socket.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
            continue;
          }
          if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
          const type = String.fromCharCode(buffer[0] ?? 0);
          buffer = buffer.subarray(1 + buffer.readInt32BE(1));
          if (type === 'S' || type === 'Q') socket.write(message('Z', Buffer.from('I')));
        }
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', () => resolve()));
    const peerPort = (peer.address() as net.AddressInfo).port;
    const proxy = await startPgWireProxy({ host: '127.0.0.1', port: peerPort });
    try {
      const client = net.connect(proxy.port, '127.0.0.1');
      let readyCount = 0;
      const ready = (n: number) =>
        new Promise<void>((resolve) => {
          const check = () => (readyCount >= n ? resolve() : setTimeout(check, 5));
          check();
        });
      let pending = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
          if (pending[0] === 0x5a) readyCount += 1;
          pending = pending.subarray(1 + pending.readInt32BE(1));
        }
      });
      const startup = Buffer.concat([int32(196608), cstr('user'), cstr('bench'), Buffer.from([0])]);
      client.write(Buffer.concat([int32(startup.length + 4), startup]));
      await ready(1);

      proxy.start();
      client.write(
        Buffer.concat([
          message('P', Buffer.concat([cstr(''), cstr('SELECT $1::int + 1'), int16(0)])),
          message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(2), Buffer.from('41'), int16(0)])),
          message('D', Buffer.concat([Buffer.from('P'), cstr('')])),
          message('E', Buffer.concat([cstr(''), int32(0)])),
          message('S', Buffer.alloc(0)),
        ]),
      );
      await ready(2);
      client.write(message('Q', cstr('SELECT 2')));
      await ready(3);
      const captured = proxy.stop();
      client.destroy();

      expect(captured.map((s) => [s.protocol, s.text, s.params])).toEqual([
        ['E', 'SELECT $1::int + 1', ['41']],
        ['Q', 'SELECT 2', []],
      ]);
      expect(captured.every((s) => s.endedAt !== null && s.endedAt >= s.startedAt)).toBe(true);
      // The query was sent after the first statement had ended: it depends on it.
      expect(planFromCapture(captured).map((s) => s.after)).toEqual([[], [0]]);
      expect(proxy.totalStatements).toBe(2);
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => peer.close(() => resolve()));
    }
  });

  it.runIf(testDatabaseKind() === 'postgres')('records what node-postgres sends to PostgreSQL and replays it', async () => {
    const url = new URL(api.database.url ?? '');
    const proxy = await startPgWireProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const db = await openPostgres({ url: proxied.toString(), poolSize: 2, statementTimeoutMs: 10_000 });
    try {
      // Two pooled connections, so that the two statements below run side by side.
      await Promise.all([db.query('SELECT pg_sleep(0.05)'), db.query('SELECT pg_sleep(0.05)')]);
      proxy.start();
      const [first] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM households WHERE village_code = $1', ['33.74.02.1008']);
      await Promise.all([db.query('SELECT $1::text AS a, pg_sleep(0.1)', ['x']), db.query('SELECT $1::int AS b, pg_sleep(0.1)', [2])]);
      const captured = proxy.stop();
      expect(first?.n).toBeGreaterThan(0);
      expect(captured.map((s) => s.params)).toEqual([['33.74.02.1008'], ['x'], ['2']]);
      const plan = planFromCapture(captured);
      expect(plan.map((s) => s.after)).toEqual([[], [0], [0]]);
      await runPlan(db, plan);
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});
