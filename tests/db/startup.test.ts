import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import { openEmbedded, openPostgres, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { StartupError } from '../../src/db/startup-error.js';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.js';
import { testDatabaseKind, withDatabase } from '../support/test-database.js';
import pg from 'pg';

describe('configuration', () => {
  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', NODE_ENV: 'staging' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/NODE_ENV/);
    }
  });
});

async function expectMigratesFromEmpty(db: Database): Promise<void> {
  const first = await migrate(db);
  expect(first.applied).toBe(first.total);
  expect((await migrate(db)).applied).toBe(0);
  const [row] = await db.query<{ v: string }>('SELECT postgis_lib_version() AS v');
  expect(row!.v).toMatch(/^3\./);
}

describe('database start-up', () => {
  it('explains an unreachable DATABASE_URL in one line naming the host', async () => {
    const attempt = connect({ kind: 'postgres', url: 'postgres://nobody:secret@127.0.0.1:1/none', poolSize: 1, statementTimeoutMs: 1000 });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(/127\.0\.0\.1:1.*check that the server is running/);
    await expect(attempt).rejects.not.toThrow(/secret/);
  });

  it('refuses a second process on the same embedded data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-lock-'));
    try {
      const release = acquireDataDirLock(dir);
      // A lock held by a live process (here: pid 1) must not be taken over.
      rmSync(join(dir, 'kampung-terpadu.pid'));
      writeFileSync(join(dir, 'kampung-terpadu.pid'), '1');
      expect(() => acquireDataDirLock(dir)).toThrow(/in use by process 1/);
      release();
      // A stale lock (a crashed process) is taken over.
      writeFileSync(join(dir, 'kampung-terpadu.pid'), '999999999');
      acquireDataDirLock(dir)();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates an empty database from scratch, and applies nothing the second time', async () => {
    if (testDatabaseKind() === 'postgres') {
      const adminUrl = process.env.TEST_DATABASE_URL!;
      const name = `kt_migrate_${process.pid}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      const db = await openPostgres({ url: withDatabase(adminUrl, name), poolSize: 1, statementTimeoutMs: 60_000 });
      try {
        await expectMigratesFromEmpty(db);
      } finally {
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'kt-migrate-'));
      const db = await openEmbedded({ dataDir: dir, statementTimeoutMs: 60_000 });
      try {
        await expectMigratesFromEmpty(db);
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
