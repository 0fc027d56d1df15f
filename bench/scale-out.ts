/**
 * The API beyond one machine, shown on one machine (issue #19): `bash scripts/scale-out.sh`
 * (or `npm run bench:scale-out`). Starts, in a temp folder, on free ports:
 *
 * - a PostgreSQL 15 primary and a streaming replica (`pg_basebackup -R` into a second cluster);
 * - two API processes (Node, `src/main.ts`) with DATABASE_URL = the primary,
 *   DATABASE_REPLICA_URLS = the replica and REDIS_URL = the machine's Redis (127.0.0.1:6379, a
 *   key prefix of this run);
 * - haproxy (Debian's package) balancing round-robin over the two, with health checks;
 *
 * then, through the load balancer:
 *
 * 1. a short benchmark of a read (households of a village, 10 connections) with one API behind
 *    the balancer and with two (the second is disabled/enabled on haproxy's admin socket);
 *    0 errors required;
 * 2. a shared rate limit: 30 map requests of one token with RATE_LIMIT_MAP_PER_MINUTE=20 give
 *    exactly 20 answers and 10 × 429, although the balancer alternates between the processes;
 *    and a tile's ETag from one process revalidates (304) on the other;
 * 3. read-your-writes via the replica: with the replica's replay paused, a principal's write
 *    (through one API) is in its next read (through the other), while another principal's read,
 *    served by the lagging replica, does not show it yet;
 * 4. SIGKILL of one API process during a write load; then, during a read and write load, the
 *    replica frozen for 4 s (SIGSTOP of its processes: a frozen host, a partition without reset)
 *    and thawed, and last stopped (immediate): every acknowledged write is on the primary, reads
 *    go on, and no read waits long for the frozen replica.
 *
 * Prints a summary and writes bench/results/<date>-scale-out.json. Exit status 1 if a check fails.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../src/auth/jwt.js';
import { loadConfig } from '../src/config/config.js';
import { openPostgres, type Database } from '../src/db/database.js';
import { httpLoad, type LoadResult } from './load.js';
import { tileOf } from './operations.js';
import { signalPostgres } from '../tests/scale/replica-cluster.js';
import { freePort, spawnServer, type ServerProcess } from './processes.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(BENCH_DIR, '..');
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const REDIS_URL = process.env.SCALE_OUT_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = 'kampung-terpadu-scale-out-secret-not-for-deployment';
const MAP_LIMIT = 20;
const DURATION_S = Number(process.env.SCALE_OUT_DURATION ?? 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = Date.now();
const log = (line: string) => console.log(`[${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s] ${line}`);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  checks.push({ name, ok, detail });
  log(`${ok ? 'OK  ' : 'FAIL'} ${name}: ${detail}`);
};

// ---------------------------------------------------------------- PostgreSQL primary + replica
const asRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(os.tmpdir(), 'kt-scale-out-'));
const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) } : null;
if (owner) chownSync(dir, owner.uid, owner.gid);
chmodSync(dir, 0o755);

function pgRun(bin: string, args: string[]): void {
  const command = asRoot ? 'runuser' : join(PG_BIN, bin);
  const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

function pgNode(name: string, port: number, extra: string) {
  const data = join(dir, name);
  const sockets = join(dir, `${name}-sock`);
  mkdirSync(sockets, { recursive: true });
  if (owner) chownSync(sockets, owner.uid, owner.gid);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c max_connections=100 ${extra}`;
  return {
    port,
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start: () => pgRun('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, `${name}.log`), '-w', '-t', '120', 'start']),
    stop: (mode: 'fast' | 'immediate' = 'fast') => pgRun('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    /** SIGSTOP (or SIGCONT) to the postmaster and its children: the server stops answering, its connections stay open. */
    signal: (signal: 'SIGSTOP' | 'SIGCONT') => signalPostgres(data, signal),
  };
}

// ---------------------------------------------------------------- helpers
async function graphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(30_000) });
    const body = (await response.json().catch(() => null)) as { data?: Record<string, unknown> | null; errors?: { message: string }[] } | null;
    return { status: response.status, body };
  } catch (error) {
    return { status: 0, body: null, error: String(error) };
  }
}

/** One command on haproxy's admin socket (e.g. "disable server apis/api2"). */
function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socket, () => client.end(`${command}\n`));
    let out = '';
    client.on('data', (chunk) => (out += chunk.toString()));
    client.on('end', () => resolve(out));
    client.on('error', reject);
  });
}

const CREATE = `mutation($input: InterventionInput!) { createIntervention(input: $input) { code } }`;
const LIST = `{ interventions { code } }`;
const input = (code: string) => ({ code, nameId: 'Uji skala', nameEn: 'Scale-out test', category: 'COMMUNITY_FACILITY', funderCode: 'KEMENSOS', target: 'HOUSEHOLD', unitCostIdr: 1000, costIsAssumption: true, costSource: 'scale-out', eligibility: { fact: 'desil', op: 'lte', value: 4 } });
const codesOf = (body: { data?: Record<string, unknown> | null } | null) => ((body?.data?.interventions ?? []) as { code: string }[]).map((i) => i.code);

/** `clients` loops of createIntervention through `url` until `until()`; acknowledged codes and failures. */
async function writeLoad(url: string, token: string, prefix: string, clients: number, until: () => boolean) {
  const acknowledged: string[] = [];
  let failed = 0;
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const code = `${prefix}_${n++}`;
        const r = await graphql(url, token, CREATE, { input: input(code) });
        if (r.status === 200 && (r.body?.data?.createIntervention as { code?: string } | undefined)?.code === code) acknowledged.push(code);
        else failed += 1;
      }
    }),
  );
  return { acknowledged, failed };
}

async function missingOnPrimary(primary: Database, codes: string[]): Promise<string[]> {
  const rows = await primary.query<{ code: string }>('SELECT code FROM interventions WHERE code = ANY($1)', [codes]);
  const present = new Set(rows.map((r) => r.code));
  return codes.filter((c) => !present.has(c));
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  for (const bin of ['initdb', 'pg_ctl', 'pg_basebackup']) if (!existsSync(join(PG_BIN, bin))) throw new Error(`${join(PG_BIN, bin)} is missing: apt-get install postgresql-15`);
  if (spawnSync('haproxy', ['-v']).status !== 0) throw new Error('haproxy is missing: apt-get install haproxy');
  const children: ChildProcess[] = [];
  const servers: ServerProcess[] = [];
  const primary = pgNode('primary', await freePort(), '-c wal_level=replica -c max_wal_senders=5');
  const replica = pgNode('replica', await freePort(), '-c hot_standby=on');
  let replicaUp = false;
  let primaryClient: Database | null = null;
  let replicaClient: Database | null = null;
  const report: Record<string, unknown> = { startedAt: new Date().toISOString(), machine: { cores: os.cpus().length, loadAverageAtStart: os.loadavg() } };
  try {
    log(`primary on port ${primary.port}: initdb`);
    pgRun('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    primary.start();
    log(`replica on port ${replica.port}: pg_basebackup -R from the primary`);
    pgRun('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', join(dir, 'replica'), '-R', '-X', 'stream', '-c', 'fast']);
    replica.start();
    replicaUp = true;

    const prefix = `kampung-terpadu:scale-out:${Date.now()}:`;
    const env = (port: number, seed: boolean): Record<string, string> => ({
      ...(process.env as Record<string, string>),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: primary.url(),
      DATABASE_REPLICA_URLS: replica.url(),
      REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '1000000000',
      RATE_LIMIT_MAP_PER_MINUTE: String(MAP_LIMIT),
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      PG_POOL_SIZE: '10',
      SEED_ON_START: seed ? 'true' : 'false',
      DEMO_SCALE: process.env.SCALE_OUT_DEMO_SCALE ?? '0.25',
    });
    const startApi = async (name: string, seed: boolean) => {
      const port = await freePort();
      const server = await spawnServer({ name, command: process.execPath, args: ['--import', 'tsx', 'src/main.ts'], cwd: REPO_ROOT, env: env(port, seed), port, readyPath: '/health', timeoutMs: 600_000 });
      servers.push(server);
      return { server, port };
    };
    log('API 1: migrations and the demo data on the primary (they reach the replica through the WAL)');
    const api1 = await startApi('API 1', true);
    const api2 = await startApi('API 2', false);

    const lbPort = await freePort();
    const socket = join(dir, 'haproxy.sock');
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 2000',
        `  stats socket ${socket} mode 600 level admin`,
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 60s',
        '  timeout server 60s',
        // Retries only re-send requests that never reached a server (connection refused), so a
        // write is never sent twice.
        '  retries 2',
        '  option redispatch',
        'frontend api',
        `  bind 127.0.0.1:${lbPort}`,
        '  default_backend apis',
        'backend apis',
        '  balance roundrobin',
        '  option httpchk GET /health',
        '  default-server inter 500ms fall 2 rise 2',
        `  server api1 127.0.0.1:${api1.port} check`,
        `  server api2 127.0.0.1:${api2.port} check`,
        '',
      ].join('\n'),
    );
    const haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(haproxy);
    const lb = `http://127.0.0.1:${lbPort}`;
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${lb}/health`).catch(() => null))?.ok) break;
      await sleep(100);
    }
    log(`haproxy on port ${lbPort} over API 1 (port ${api1.port}) and API 2 (port ${api2.port})`);

    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET });
    const admin = (sub: string) => mintToken(config.auth, { sub, role: 'ADMIN', regions: '*' }, '2h');
    const reader = await admin('scale-out-reader@test');
    const headers = { authorization: `Bearer ${reader}` };
    primaryClient = await openPostgres({ url: primary.url(), poolSize: 2, statementTimeoutMs: 30_000 });
    replicaClient = await openPostgres({ url: replica.url(), poolSize: 1, statementTimeoutMs: 30_000 });
    const [village] = await primaryClient.query<{ village_code: string; n: number }>('SELECT village_code, count(*)::int AS n FROM households GROUP BY 1 ORDER BY abs(count(*) - 300), 1 LIMIT 1');
    if (!village) throw new Error('no households were seeded');
    const replicaReads = async () => Number((await replicaClient!.query<{ n: string }>("SELECT sum(xact_commit)::text AS n FROM pg_stat_database WHERE datname = 'postgres'"))[0]?.n ?? 0);

    // 1. one vs two API processes behind the balancer
    const households = `query($v: String!) { households(villageCode: $v, first: 1000) { totalCount nodes { id registryId location desil pas memberCount pasTags { pas source recordedOn memberId } } } }`;
    const spec = { method: 'POST' as const, url: `${lb}/graphql`, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: households, variables: { v: village.village_code } }) };
    const settings = { connections: 10, durationSeconds: DURATION_S, warmupSeconds: 2 };
    await haproxyCommand(socket, 'disable server apis/api2');
    await sleep(300);
    const before1 = await replicaReads();
    const one: LoadResult = await httpLoad(spec, settings);
    await sleep(1500);
    const replicaTx1 = (await replicaReads()) - before1;
    log(`1 API behind haproxy: ${one.requestsPerSecond} req/s, p50 ${one.latencyMs.p50} ms, ${one.errors} errors, ${one.non2xx} non-2xx`);
    await haproxyCommand(socket, 'enable server apis/api2');
    await sleep(1500);
    const two: LoadResult = await httpLoad(spec, settings);
    log(`2 APIs behind haproxy: ${two.requestsPerSecond} req/s, p50 ${two.latencyMs.p50} ms, ${two.errors} errors, ${two.non2xx} non-2xx`);
    report.benchmark = { operation: `households(villageCode: "${village.village_code}", first: 1000) (${village.n} households)`, settings, oneApi: one, twoApis: two, ratioTwoToOne: Math.round((two.requestsPerSecond / one.requestsPerSecond) * 100) / 100 };
    check('0 errors through the load balancer', one.errors + one.non2xx + two.errors + two.non2xx === 0, `1 API: ${one.errors} errors/${one.non2xx} non-2xx; 2 APIs: ${two.errors}/${two.non2xx}`);
    check('reads are served by the replica', replicaTx1 >= one.requests, `${replicaTx1} transactions on the replica during ${one.requests} requests of the 1-API run`);

    // 2. shared rate limit
    const limitTile = tileOf(106.8, -6.2, 10);
    const limited = await admin(`scale-out-limit-${Date.now()}@test`);
    const statuses: number[] = [];
    for (let i = 0; i < MAP_LIMIT + 10; i++) {
      const r = await fetch(`${lb}/tiles/villages/${limitTile.z}/${limitTile.x}/${limitTile.y}.mvt`, { headers: { authorization: `Bearer ${limited}` } });
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    const ok = statuses.filter((s) => s === 200 || s === 204).length;
    const refused = statuses.filter((s) => s === 429).length;
    report.rateLimit = { limitPerMinute: MAP_LIMIT, sent: statuses.length, answered: ok, refused429: refused };
    check('one rate limit shared by both API processes (Redis)', ok === MAP_LIMIT && refused === 10, `${statuses.length} tile requests of one token alternating over 2 processes: ${ok} answered, ${refused} × 429 (limit ${MAP_LIMIT}/min)`);

    // 2b. a tile's ETag from one process revalidates on the other (it is a hash of the bytes)
    const [centre] = await primaryClient.query<{ x: number; y: number }>('SELECT ST_X(centroid)::float8 AS x, ST_Y(centroid)::float8 AS y FROM village_geography ORDER BY village_code LIMIT 1');
    const tile = tileOf(centre?.x ?? 106.8, centre?.y ?? -6.2, 10);
    const tilePath = `/tiles/villages/${tile.z}/${tile.x}/${tile.y}.mvt`;
    const etagAuth = { authorization: `Bearer ${reader}` };
    const fromOne = await fetch(`http://127.0.0.1:${api1.port}${tilePath}`, { headers: etagAuth });
    await fromOne.arrayBuffer();
    const etag = fromOne.headers.get('etag');
    const fromTwo = await fetch(`http://127.0.0.1:${api2.port}${tilePath}`, { headers: { ...etagAuth, 'if-none-match': etag ?? '' } });
    await fromTwo.arrayBuffer();
    report.etag = { tile: tilePath, etag, firstStatus: fromOne.status, revalidatedOnOtherProcess: fromTwo.status };
    check('tile ETags are valid across API processes', fromOne.status === 200 && etag !== null && fromTwo.status === 304, `${tilePath}: API 1 answered ${fromOne.status} with ETag ${etag}; API 2 answered ${fromTwo.status} to If-None-Match with it`);

    // 3. read-your-writes via the replica (the write and the read may land on different APIs)
    const writer = await admin(`scale-out-writer-${Date.now()}@test`);
    const other = await admin(`scale-out-other-${Date.now()}@test`);
    await replicaClient.query('SELECT pg_wal_replay_pause()');
    const code = `SCALE_RYW_${Date.now()}`;
    let ryw: { writerSees: boolean; otherSees: boolean; afterResumeOtherSees?: boolean };
    try {
      const created = await graphql(`${lb}/graphql`, writer, CREATE, { input: input(code) });
      if (created.status !== 200) throw new Error(`createIntervention: HTTP ${created.status} ${JSON.stringify(created.body)}`);
      const writerReads = await Promise.all([0, 1].map(() => graphql(`${lb}/graphql`, writer, LIST)));
      const otherRead = await graphql(`${lb}/graphql`, other, LIST);
      ryw = { writerSees: writerReads.every((r) => codesOf(r.body).includes(code)), otherSees: codesOf(otherRead.body).includes(code) };
    } finally {
      await replicaClient.query('SELECT pg_wal_replay_resume()');
    }
    for (let i = 0; i < 100 && !codesOf((await graphql(`${lb}/graphql`, other, LIST)).body).includes(code); i++) await sleep(50);
    ryw.afterResumeOtherSees = codesOf((await graphql(`${lb}/graphql`, other, LIST)).body).includes(code);
    report.readYourWrites = ryw;
    check(
      'read-your-writes via the replica',
      ryw.writerSees && !ryw.otherSees && ryw.afterResumeOtherSees === true,
      `replay paused: the writer's reads (both APIs) show its write: ${ryw.writerSees}; another principal's read from the lagging replica shows it: ${ryw.otherSees}; after replay resumed: ${ryw.afterResumeOtherSees}`,
    );

    // 4a. SIGKILL of API 2 during a write load
    const writerToken = await admin('scale-out-load@test');
    let stop = false;
    const killLoad = writeLoad(`${lb}/graphql`, writerToken, `SCALE_KILL_${Date.now()}`, 6, () => stop);
    await sleep(2000);
    process.kill(api2.server.pid, 'SIGKILL');
    log('API 2 killed (SIGKILL) during the write load');
    await sleep(3000);
    stop = true;
    const killed = await killLoad;
    const missingAfterKill = await missingOnPrimary(primaryClient, killed.acknowledged);
    report.killApi = { acknowledged: killed.acknowledged.length, failed: killed.failed, missing: missingAfterKill.length };
    check('killing one API process loses no acknowledged write', killed.acknowledged.length > 0 && missingAfterKill.length === 0, `${killed.acknowledged.length} acknowledged, ${missingAfterKill.length} missing on the primary, ${killed.failed} requests failed (in flight on the killed process)`);

    /** Writes (3 clients) and reads (1 client, another principal) through the balancer while `event` happens. */
    const duringReadsAndWrites = async (prefix: string, event: () => Promise<void>) => {
      let done = false;
      const writes = writeLoad(`${lb}/graphql`, writerToken, `${prefix}_${Date.now()}`, 3, () => done);
      let reads = 0;
      let readErrors = 0;
      let slowestReadMs = 0;
      const readLoop = (async () => {
        while (!done) {
          const started = performance.now();
          const r = await graphql(`${lb}/graphql`, other, LIST);
          slowestReadMs = Math.max(slowestReadMs, performance.now() - started);
          reads += 1;
          if (r.status !== 200 || r.body?.errors) readErrors += 1;
        }
      })();
      await sleep(2000);
      await event();
      await sleep(3000);
      done = true;
      const written = await writes;
      await readLoop;
      const missing = await missingOnPrimary(primaryClient!, written.acknowledged);
      return { acknowledged: written.acknowledged.length, failedWrites: written.failed, missing: missing.length, reads, readErrors, slowestReadMs: Math.round(slowestReadMs) };
    };

    // 4b. the replica freezes for 4 s during reads and writes, then thaws
    const frozen = await duringReadsAndWrites('SCALE_FREEZE', async () => {
      try {
        replica.signal('SIGSTOP');
        log('replica frozen (SIGSTOP) during the read and write load');
        await sleep(4000);
      } finally {
        replica.signal('SIGCONT');
      }
      log('replica thawed (SIGCONT)');
    });
    report.freezeReplica = frozen;
    check(
      'a frozen replica loses no acknowledged write, fails no read, and holds no read past 3 s',
      frozen.acknowledged > 0 && frozen.missing === 0 && frozen.failedWrites === 0 && frozen.readErrors === 0 && frozen.slowestReadMs < 3000,
      `${frozen.acknowledged} writes acknowledged, ${frozen.missing} missing, ${frozen.failedWrites} failed; ${frozen.reads} reads, ${frozen.readErrors} failed, slowest ${frozen.slowestReadMs} ms`,
    );

    // 4c. the replica stops (immediate) during reads and writes
    const stopped = await duringReadsAndWrites('SCALE_REPLICA', async () => {
      await replicaClient!.close().catch(() => undefined);
      replicaClient = null;
      replica.stop('immediate');
      replicaUp = false;
      log('replica stopped (immediate) during the read and write load');
    });
    report.killReplica = stopped;
    check(
      'losing the replica loses no acknowledged write, and reads go on (primary)',
      stopped.acknowledged > 0 && stopped.missing === 0 && stopped.failedWrites === 0 && stopped.readErrors === 0,
      `${stopped.acknowledged} writes acknowledged, ${stopped.missing} missing, ${stopped.failedWrites} failed; ${stopped.reads} reads, ${stopped.readErrors} failed, slowest ${stopped.slowestReadMs} ms`,
    );
  } finally {
    report.checks = checks;
    report.machine = { ...(report.machine as object), loadAverageAtEnd: os.loadavg() };
    await primaryClient?.close().catch(() => undefined);
    await replicaClient?.close().catch(() => undefined);
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const c of children) c.kill('SIGTERM');
    if (replicaUp) {
      try {
        replica.stop('immediate');
      } catch {
        // already stopped
      }
    }
    try {
      primary.stop('fast');
    } catch {
      // already stopped
    }
    if (!process.env.SCALE_OUT_KEEP) rmSync(dir, { recursive: true, force: true });
    const resultsDir = join(BENCH_DIR, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${new Date().toISOString().slice(0, 10)}-scale-out.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`results: ${relative(REPO_ROOT, file)}`);
  }
  const failed = checks.filter((c) => !c.ok);
  console.log(`\n${checks.length - failed.length}/${checks.length} checks passed`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
