/**
 * Prepares the template every suite copies: migrated from empty and seeded with the demo at
 * TEST_DEMO_SCALE. Embedded: a PGlite data directory, cached under node_modules/.cache keyed by
 * a hash of the migrations, seed code and data (reused across local runs; CI starts clean).
 * PostgreSQL: a fresh template database per run, dropped at the end.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openEmbedded, openPostgres, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logging/logger.js';
import { seedDemoIfEmpty } from '../../src/seed/seed.service.js';
import { TEST_DEMO_SCALE, TEST_SEED, withDatabase } from './test-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    template: string;
  }
}

function hashTree(paths: string[]): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else {
      hash.update(path).update(readFileSync(path));
    }
  };
  paths.forEach(walk);
  hash.update(String(TEST_DEMO_SCALE)).update(String(TEST_SEED));
  return hash.digest('hex').slice(0, 16);
}

async function prepare(db: Database): Promise<void> {
  await migrate(db);
  const log = createLogger({ env: 'test', log: { level: 'warn' } });
  await seedDemoIfEmpty(db, { seed: TEST_SEED, scale: TEST_DEMO_SCALE }, log);
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `kt_template_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const db = await openPostgres({ url: withDatabase(adminUrl, name), poolSize: 2, statementTimeoutMs: 600_000 });
    await prepare(db);
    await db.close();
    project.provide('template', name);
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  const key = hashTree(['drizzle', 'src/seed', 'src/db', 'data', 'src/features/graduation/graduation.seed.ts', 'src/features/imports/boundary.import.ts', 'src/features/imports/boundary.queries.ts']);
  const cacheRoot = join('node_modules', '.cache', 'kampung-terpadu');
  const dir = join(cacheRoot, `template-${key}`);
  if (!existsSync(dir)) {
    mkdirSync(cacheRoot, { recursive: true });
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const db = await openEmbedded({ dataDir: building, statementTimeoutMs: 600_000 });
    await prepare(db);
    await db.close();
    renameSync(building, dir);
  }
  project.provide('template', join(process.cwd(), dir));
  return undefined;
}
