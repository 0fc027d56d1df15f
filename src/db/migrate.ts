/**
 * Applies the committed drizzle migrations through our `Database`, so the embedded database and
 * PostgreSQL share one path. Bookkeeping is drizzle's own (`drizzle.__drizzle_migrations`), so
 * `drizzle-kit migrate` and this function agree on what has been applied.
 */
import { projectPath } from '../config/paths.js';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './database.js';

export const MIGRATIONS_FOLDER = projectPath('drizzle');

// Any constant works; it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK_KEY = 7_102_024;

export interface MigrationResult {
  applied: number;
  total: number;
}

export async function migrate(db: Database): Promise<MigrationResult> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const result = await db.transaction(async (tx) => {
    // Two servers starting at once against one PostgreSQL must not both apply a migration.
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query('CREATE SCHEMA IF NOT EXISTS drizzle');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
    );
    const [last] = await tx.query<{ created_at: number }>(
      'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    );
    let applied = 0;
    for (const migration of migrations) {
      if (last && Number(last.created_at) >= migration.folderMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.query(statement);
      }
      await tx.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [
        migration.hash,
        migration.folderMillis,
      ]);
      applied += 1;
    }
    return { applied, total: migrations.length };
  });
  // Migrations may have created enums; the embedded driver must learn their array types now, not
  // at the next start (tests/db/first-start.test.ts).
  if (result.applied > 0) await db.refreshTypes();
  return result;
}
