/**
 * A transaction's statements (src/db/database.ts): features read several things at once inside
 * one (Promise.all in proposePackage); they must all run in the transaction, one at a time on its
 * connection (node-postgres deprecates queueing on a busy client and pg@9 refuses it), and nothing
 * may run on the connection once the transaction has ended, when it is back in the pool.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
  await database.db.query('CREATE TABLE tx_probe (n int PRIMARY KEY)');
});
afterAll(async () => {
  await database.dispose();
});

/**
 * Records each statement node-postgres was asked for while its connection was still busy with
 * another (its own test for the deprecation: an active query or a queued one).
 */
function watchBusyClients(): { busy: string[]; restore(): void } {
  const busy: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client & { _activeQuery?: unknown; _queryQueue?: unknown[] }, ...args: unknown[]) {
    if (this._activeQuery || (this._queryQueue?.length ?? 0) > 0) busy.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return { busy, restore: () => void (pg.Client.prototype.query = original) };
}

describe('statements of a transaction', () => {
  it('run all of Promise.all inside the transaction, one at a time on its connection', async () => {
    const watch = watchBusyClients();
    try {
      const sums = await database.db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe (n) VALUES (1)');
        return Promise.all([1, 2, 3, 4, 5].map((n) => tx.query<{ v: number }>('SELECT count(*)::int + $1::int AS v FROM tx_probe', [n])));
      });
      expect(sums.map((rows) => rows[0]!.v)).toEqual([2, 3, 4, 5, 6]);
    } finally {
      watch.restore();
    }
    expect(watch.busy).toEqual([]);
    await database.db.query('DELETE FROM tx_probe');
  });

  it('rolls back everything when one of Promise.all fails, and refuses what comes after', async () => {
    let late: Promise<unknown> | null = null;
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe (n) VALUES (10)');
        await Promise.all([
          tx.query('INSERT INTO tx_probe (n) VALUES (11)'),
          tx.query('INSERT INTO tx_probe (n) VALUES (10)'), // unique violation
          (async () => {
            await tx.query('SELECT pg_sleep(0.05)').catch(() => undefined);
            // Still going after the transaction failed: must not run outside it.
            late = tx.query('INSERT INTO tx_probe (n) VALUES (12)');
            await late.catch(() => undefined);
          })(),
        ]);
      }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(late).not.toBeNull();
    await expect(late).rejects.toThrow();
    expect(await database.db.query('SELECT n FROM tx_probe ORDER BY n')).toEqual([]);
  });

  it('refuses a statement sent after the transaction committed', async () => {
    let kept: Parameters<Parameters<typeof database.db.transaction>[0]>[0] | null = null;
    await database.db.transaction(async (tx) => {
      kept = tx;
      await tx.query('SELECT 1');
    });
    await expect(kept!.query('INSERT INTO tx_probe (n) VALUES (20)')).rejects.toThrow(testDatabaseKind() === 'postgres' ? /after its transaction had ended/ : /closed/);
    expect(await database.db.query('SELECT n FROM tx_probe')).toEqual([]);
  });

  it.runIf(testDatabaseKind() === 'postgres')('fails when a statement failed and the work went on (PostgreSQL answered COMMIT with ROLLBACK)', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe (n) VALUES (30)');
        await tx.query('INSERT INTO tx_probe (n) VALUES (30)').catch(() => undefined);
      }),
    ).rejects.toThrow(/rolled back/);
    expect(await database.db.query('SELECT n FROM tx_probe')).toEqual([]);
  });
});
