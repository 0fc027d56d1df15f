/**
 * One PostgreSQL database per dataset size (`kt_bench_<households>`), loaded with the repository's
 * scale seed and reused while it still holds the same size and seed (per `seed_runs`) and its
 * applied migrations are the repository's. For 1,000,000 households an existing `kt_scale`
 * database with a matching seed run is reused instead.
 */
import { spawn } from 'node:child_process';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openPostgres, type Database } from '../src/db/database.js';

export interface DatasetOptions {
  adminUrl: string;
  households: number;
  seed: number;
  repoRoot: string;
  log: (line: string) => void;
}

export interface Dataset {
  database: string;
  url: string;
  households: number;
  seed: number;
  checksum: string;
  seededAt: string;
  reused: boolean;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withDb<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openPostgres({ url, poolSize: 1, statementTimeoutMs: 600_000 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

interface SeedRun {
  kind: string;
  seed: number;
  households: number;
  checksum: string;
  finished_at: string;
  [key: string]: unknown;
}

/** Why the database cannot be reused, or null when it can. */
async function unusableBecause(url: string, households: number, seed: number, repoRoot: string): Promise<{ reason: string } | { run: SeedRun }> {
  return withDb(url, async (db) => {
    const [table] = await db.query<{ present: boolean }>("SELECT to_regclass('public.seed_runs') IS NOT NULL AS present");
    if (!table?.present) return { reason: 'no seed_runs table' };
    const [run] = await db.query<SeedRun>('SELECT kind, seed, households, checksum, finished_at::text FROM seed_runs ORDER BY id DESC LIMIT 1');
    if (!run) return { reason: 'no seed run recorded' };
    if (run.kind !== 'scale' || run.households !== households || run.seed !== seed) {
      return { reason: `holds a ${run.kind} seed of ${run.households} households with seed ${run.seed}` };
    }
    const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM households');
    if (count?.n !== households) return { reason: `seed_runs says ${households} households but the table holds ${count?.n}` };
    const files = new Map(readMigrationFiles({ migrationsFolder: `${repoRoot}/drizzle` }).map((m) => [m.folderMillis, m.hash]));
    const applied = await db.query<{ hash: string; created_at: number }>('SELECT hash, created_at::float8 AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at');
    for (const m of applied) {
      const hash = files.get(Number(m.created_at));
      if (hash !== m.hash) return { reason: `applied migration ${m.created_at} ${hash ? 'differs from' : 'is missing in'} the repository's drizzle/ folder` };
    }
    return { run };
  });
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withDb(adminUrl, async (db) => (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0);
}

function runSeed(options: DatasetOptions, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/seed/cli.ts', '--households', String(options.households), '--seed', String(options.seed)], {
      cwd: options.repoRoot,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with status ${code}`))));
  });
}

export async function ensureDataset(options: DatasetOptions): Promise<Dataset> {
  const { adminUrl, households, seed, log } = options;
  const candidates = households === 1_000_000 ? ['kt_scale', `kt_bench_${households}`] : [`kt_bench_${households}`];
  for (const name of candidates) {
    if (!(await databaseExists(adminUrl, name))) {
      log(`database ${name}: absent`);
      continue;
    }
    const url = databaseUrl(adminUrl, name);
    const state = await unusableBecause(url, households, seed, options.repoRoot);
    if ('run' in state) {
      log(`database ${name}: reusing ${households.toLocaleString('en')} households, seed ${seed} (seeded ${state.run.finished_at})`);
      return { database: name, url, households, seed, checksum: state.run.checksum, seededAt: state.run.finished_at, reused: true };
    }
    log(`database ${name}: not reusable (${state.reason})`);
  }

  const name = `kt_bench_${households}`;
  const url = databaseUrl(adminUrl, name);
  log(`database ${name}: creating and seeding ${households.toLocaleString('en')} households (seed ${seed})`);
  await withDb(adminUrl, async (db) => {
    await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await db.query(`CREATE DATABASE ${name}`);
  });
  await runSeed(options, url);
  const state = await unusableBecause(url, households, seed, options.repoRoot);
  if (!('run' in state)) throw new Error(`database ${name} is not usable after seeding: ${state.reason}`);
  return { database: name, url, households, seed, checksum: state.run.checksum, seededAt: state.run.finished_at, reused: false };
}
