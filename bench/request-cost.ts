/**
 * CPU of the API process per request, one connection at a time: what a request costs in Node
 * apart from PostgreSQL, from the cheapest route (`GET /`) through an authenticated
 * `{ __typename }` to the benchmark's operations. It separates the fixed cost every request pays
 * (HTTP, token, rate limit, GraphQL pipeline) from each operation's own, which the 10-connection
 * benchmark cannot: there p50 follows the CPU of Node, PostgreSQL and the load generator together.
 *
 *   npm run build:server
 *   npx tsx bench/request-cost.ts --database-url postgres://postgres@127.0.0.1:5432/kt_bench_200000 \
 *     [--cases root,health,typename,op1,op2,op4,op8,tile] [--seconds 6] [--village 31.72.01.1002] \
 *     [--regency 35.24] [--tile 14/13626/8425] [--package <id>] [--node-flag=--cpu-prof]
 *
 * The database is one `npm run bench` seeded (kt_bench_N); the defaults are the fixtures of
 * 200,000 households. Without `--package`, op4 proposes a package for `--village` as the
 * benchmark does (named `bench:`, so the benchmark's next run deletes it). CPU is utime + stime of every thread of the server (/proc/<pid>/task),
 * divided by the requests of a timed run after a 2 s warm-up; the per-thread split shows that it
 * is the main thread. On a shared machine runs of the same code differ by up to 2×: compare
 * interleaved runs, and read a CPU profile for proportions.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_CLAIMS, BENCH_JWT_SECRET, mintBenchToken } from './auth.js';
import { BENCH_BUDGETS, BENCH_PACKAGE_PREFIX } from './operations.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/kt_bench_200000' },
    cases: { type: 'string', default: 'root,health,typename,op1,op2,tile' },
    seconds: { type: 'string', default: '6' },
    village: { type: 'string', default: '31.72.01.1002' },
    regency: { type: 'string', default: '35.24' },
    tile: { type: 'string', default: '14/13626/8425' },
    package: { type: 'string' },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});

const port = 39_000 + Math.floor(Math.random() * 1_000);
const env = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  DATABASE_URL: values['database-url'],
  SEED_ON_START: 'false',
  LOG_LEVEL: 'warn',
  PG_POOL_SIZE: '10',
  JWT_SECRET: BENCH_JWT_SECRET,
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RATE_LIMIT_MAP_PER_MINUTE: '1000000000',
  IMPORT_WORKER_POLL_MS: '0',
};
const server = spawn(process.execPath, [...values['node-flag'], 'dist/server/src/main.js'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
try {
  await waitForHealth();
  const { token } = await mintBenchToken(process.cwd(), env, BENCH_CLAIMS);
  const graphql = (query: string, variables: Record<string, unknown>): autocannon.Options => ({
    url: `${base}/graphql`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const packageId = values.package ?? (values.cases.split(',').includes('op4') ? await proposePackage() : '0');
  const cases: Record<string, autocannon.Options> = {
    root: { url: `${base}/` },
    health: { url: `${base}/health` },
    typename: graphql('{ __typename }', {}),
    op1: graphql(
      `query BenchVillagesByPriority($regency: String!, $first: Int!) {
        villages(filter: { regencyCode: $regency }, orderBy: PRIORITY, first: $first) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { code name kind priority { score components { name value weight points } }
            needStatistics { households members householdsDesil1To2 householdsDesil1To4 rtlhHouseholds vulnerableHouseholds
              householdsWithElderly householdsWithDisabled fisherHouseholds fisherShare } } } }`,
      { regency: values.regency, first: 50 },
    ),
    op2: graphql(
      `query BenchVillageHouseholds($village: String!, $first: Int!) {
        households(villageCode: $village, first: $first) { totalCount pageInfo { hasNextPage endCursor }
          nodes { id registryId location desil pas memberCount pasTags { pas source recordedOn memberId } } } }`,
      { village: values.village, first: 1000 },
    ),
    op8: graphql('query BenchPlannerFirstPage($first: Int!) { households(first: $first) { pageInfo { hasNextPage endCursor } nodes { id registryId villageCode desil pas } } }', { first: 50 }),
    op4: graphql(
      `query BenchPackageCoverage($id: ID!) {
        package(id: $id) { id villageCode status totalCostIdr
          coverage(radiusMeters: 500) { radiusMeters householdsInNeed householdsServed
            byFunder { funderCode budgetIdr allocatedIdr remainingIdr } byCategory { category items costIdr }
            byPas { pas households covered notCovered }
            access { serves targetHouseholds withinReachBefore withinReachAfter } unservedHouseholdIds } } }`,
      { id: packageId },
    ),
    tile: { url: `${base}/tiles/households/${values.tile}.mvt`, headers: { authorization: `Bearer ${token}` } },
    // Op 7: an OGC API page of 1,000 households (GeoJSON), as the benchmark sends it.
    op7: { url: `${base}/ogc/collections/households/items?limit=1000`, headers: { authorization: `Bearer ${token}` } },
  };
  for (const name of values.cases.split(',')) {
    const options = cases[name];
    if (!options) throw new Error(`unknown case ${name}; the cases are ${Object.keys(cases).join(', ')}`);
    await autocannon({ ...options, connections: 1, duration: 2 });
    const before = threadCpuMs(server.pid!);
    const result = await autocannon({ ...options, connections: 1, duration: Number(values.seconds) });
    const after = threadCpuMs(server.pid!);
    const n = result.requests.total;
    const perThread = [...after].map(([thread, ms]) => [thread, (ms - (before.get(thread) ?? 0)) / n] as const).filter(([, ms]) => ms >= 0.001);
    const total = perThread.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `${name.padEnd(9)} ${String(n).padStart(6)} requests (${result.non2xx} not 2xx), ${total.toFixed(3)} ms CPU per request (${perThread.map(([t, ms]) => `${t} ${ms.toFixed(3)}`).join(', ')})`,
    );
  }
} finally {
  server.kill('SIGTERM');
}

/** A DRAFT package for op4, as the benchmark's `package-coverage` operation proposes one. */
async function proposePackage(): Promise<string> {
  const { token } = await mintBenchToken(process.cwd(), env, BENCH_CLAIMS);
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($village: String!, $name: String!, $budgets: [BudgetInput!]!) { proposePackage(villageCode: $village, name: $name, budgets: $budgets) { id } }',
      variables: { village: values.village, name: `${BENCH_PACKAGE_PREFIX} request-cost`, budgets: BENCH_BUDGETS },
    }),
  });
  const body = (await response.json()) as { data?: { proposePackage?: { id: string } }; errors?: unknown };
  const id = body.data?.proposePackage?.id;
  if (!id) throw new Error(`could not propose the op4 package: HTTP ${response.status} ${JSON.stringify(body.errors)}`);
  return id;
}

async function waitForHealth(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not answer /health within 30 s');
}

/** utime + stime in ms of each thread of `pid`, summed by thread name (numbered pool threads together). */
function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms.
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  return byName;
}
