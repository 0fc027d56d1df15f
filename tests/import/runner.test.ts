/**
 * Issue #17 review, defects 4 and 5: every import runs under its own statement timeout
 * (IMPORT_STATEMENT_TIMEOUT_MS, not the request timeout) and work_mem (IMPORT_WORK_MEM_MB), and holds the import advisory lock for
 * its transaction, so two imports run one after the other.
 */
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_PARALLEL_WORKERS, type Database, type Queryable } from '../../src/db/database.js';
import { IMPORT_LOCK_CLASS, runImport, type RunOptions } from '../../src/features/imports/import.runner.js';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../support/test-database.js';
import { extract, household, pointInside, TANJUNG_MAS } from './registry-fixture.js';

let t: TestDatabase;
let inside: [number, number];

beforeAll(async () => {
  t = await openTestDatabase(inject('template'));
  inside = await pointInside(t.db, TANJUNG_MAS);
});
afterAll(async () => t?.dispose());

const options = (extra: Partial<RunOptions> = {}): RunOptions => ({ dryRun: false, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false, actor: 'test:import', ...extra });

/** The database, with the import's transaction observed: its statements and its statement_timeout once the lock is held. */
function observed(db: Database) {
  const seen: { statements: string[]; timeout?: string; workMem?: string; parallel?: string } = { statements: [] };
  const wrapped = new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return <T>(work: (tx: Queryable) => Promise<T>) =>
          target.transaction((tx) =>
            work({
              async query(statement, params) {
                const text = typeof statement === 'string' ? statement : '(drizzle sql)';
                seen.statements.push(text);
                const rows = await tx.query(statement, params);
                if (seen.timeout === undefined && text.includes('pg_advisory_xact_lock')) {
                  const [row] = await tx.query<{ timeout: string; work_mem: string; parallel: string }>(
                    `SELECT current_setting('statement_timeout') AS timeout, current_setting('work_mem') AS work_mem, current_setting('max_parallel_workers_per_gather') AS parallel`,
                  );
                  seen.timeout = row!.timeout;
                  seen.workMem = row!.work_mem;
                  seen.parallel = row!.parallel;
                }
                return rows as never;
              },
              copy: (table, columns, lines) => tx.copy(table, columns, lines),
            }),
          );
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: wrapped, seen };
}

describe('import transaction', () => {
  it('sets the configured statement timeout, work_mem and parallel workers and takes the import lock before anything else', async () => {
    const { db, seen } = observed(t.db);
    const report = await runImport(db, 'REGISTRY', extract([household('RUN-1', TANJUNG_MAS, inside, 81)]), options({ dryRun: true, statementTimeoutMs: 1_234_567, workMemMb: 77 }));
    expect(report.issues).toEqual([]);
    expect(seen.statements.slice(0, 4)).toEqual([
      'SET LOCAL statement_timeout = 1234567',
      "SET LOCAL work_mem = '77MB'",
      `SET LOCAL max_parallel_workers_per_gather = ${BULK_PARALLEL_WORKERS}`,
      `SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, 0)`,
    ]);
    expect(seen.timeout).toBe('1234567ms');
    expect(seen.workMem).toBe('77MB');
    expect(seen.parallel).toBe(String(BULK_PARALLEL_WORKERS));
    // SET LOCAL: the connection's own settings are back after the transaction.
    const [after] = await t.db.query<{ timeout: string; work_mem: string; parallel: string }>(
      `SELECT current_setting('statement_timeout') AS timeout, current_setting('work_mem') AS work_mem, current_setting('max_parallel_workers_per_gather') AS parallel`,
    );
    expect(after!.timeout).not.toBe('1234567ms');
    expect(after!.work_mem).not.toBe('77MB');
    // Request connections run without parallel workers and without JIT (openPostgres).
    if (testDatabaseKind() === 'postgres') expect(after!.parallel).toBe('0');
  });

  it.runIf(testDatabaseKind() === 'postgres')('a second import waits for the lock a running one holds', async () => {
    let importDone = false;
    let waited = false;
    let pending: Promise<unknown> | undefined;
    await t.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, 0)`);
      pending = runImport(t.db, 'REGISTRY', extract([household('RUN-2', TANJUNG_MAS, inside, 82)]), options()).then((r) => {
        importDone = true;
        return r;
      });
      pending.catch(() => undefined);
      // Until PostgreSQL shows the import's session waiting on the lock (bounded, so a failure cannot hang).
      for (let i = 0; i < 400 && !waited; i++) {
        const [row] = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND NOT granted`,
          [IMPORT_LOCK_CLASS],
        );
        waited = row!.n > 0;
        if (!waited) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(waited).toBe(true);
      expect(importDone).toBe(false);
    });
    // The lock holder committed: the import now runs and writes.
    await pending;
    expect(importDone).toBe(true);
    const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM households WHERE registry_id = 'RUN-2'`);
    expect(row!.n).toBe(1);
  });
});
