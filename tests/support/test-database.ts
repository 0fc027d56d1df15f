/**
 * Test databases. The template is prepared once per run by global-setup (migrated and seeded
 * with a small demo); each suite opens a private copy so suites may write without interfering.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openEmbedded, openPostgres, type Database } from '../../src/db/database.js';

export const TEST_SEED = 20241007;
export const TEST_DEMO_SCALE = 0.25;

export function testDatabaseKind(): 'embedded' | 'postgres' {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded';
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  db: Database;
  url?: string;
  dispose(): Promise<void>;
}

/** A private copy of the prepared template (`template` = data dir or database name). */
export async function openTestDatabase(template: string): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `kt_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const url = withDatabase(adminUrl, name);
    const db = await openPostgres({ url, poolSize: 4, statementTimeoutMs: 30_000 });
    return {
      db,
      url,
      async dispose() {
        await db.close();
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kt-test-'));
  cpSync(template, dir, { recursive: true });
  const db = await openEmbedded({ dataDir: dir, statementTimeoutMs: 30_000 });
  return {
    db,
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EmptyDatabase {
  /** The settings that point the server at it: `DATABASE_URL` or `PGLITE_DATA_DIR`. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * A new, empty database as a first start meets it: no template, no migrations, no data (a new
 * PostgreSQL database on TEST_DATABASE_URL's server, or a new PGlite data directory). For tests of
 * what `npm start` does in one process from nothing.
 */
export async function createEmptyDatabase(label: string): Promise<EmptyDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `kt_${label.replace(/\W/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return {
      env: { DATABASE_URL: withDatabase(adminUrl, name) },
      async dispose() {
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `kt-${label}-`));
  return { env: { PGLITE_DATA_DIR: join(dir, 'pglite') }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}
