/**
 * Named statements per connection (src/db/prepared-statements.ts): the bound holds on the server
 * (pg_prepared_statements of the connection itself), evicted statements are deallocated and can
 * be prepared again, 0 turns it off, a failing statement leaves the connection usable, and a
 * table whose columns change under a prepared `SELECT *` is read again instead of failing.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Database } from '../../src/db/database.js';
import { isPlanStable, planStable, PreparedStatements } from '../../src/db/prepared-statements.js';
import type { Queryable } from '../../src/db/database.js';
import { packageCoverage } from '../../src/features/packages/package.queries.js';
import { householdPagePlanStable } from '../../src/features/households/household.source.js';
import { householdSource } from '../../src/features/ogc/ogc.queries.js';
import { villagePagePlanStable } from '../../src/features/villages/village.queries.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';
import { testDatabaseKind, withDatabase } from '../support/test-database.js';

/** A stand-in for a node-postgres client: records what is sent to it. */
function fakeClient(): pg.ClientBase & { sent: string[]; connection: { parsedStatements: Record<string, string> } } {
  const sent: string[] = [];
  const connection = { parsedStatements: {} as Record<string, string> };
  return {
    sent,
    connection,
    query(text: string) {
      sent.push(text);
      return Promise.resolve({ rows: [] });
    },
  } as unknown as pg.ClientBase & { sent: string[]; connection: { parsedStatements: Record<string, string> } };
}

describe('PreparedStatements (per connection, least recently used)', () => {
  const nameOf = (prepared: PreparedStatements, client: pg.ClientBase, text: string, values: unknown[]) => prepared.queryFor(client, text, values, true).name;

  it('names a statement with parameters once per connection and reuses the name', () => {
    const prepared = new PreparedStatements(2);
    const a = fakeClient();
    const b = fakeClient();
    expect(nameOf(prepared, a, 'SELECT $1::int', [1])).toBe('kt_0');
    expect(nameOf(prepared, a, 'SELECT $1::int', [2])).toBe('kt_0');
    // Another connection prepares it under its own name.
    expect(nameOf(prepared, b, 'SELECT $1::int', [3])).toBe('kt_0');
    expect(nameOf(prepared, a, 'SELECT $1::text', ['x'])).toBe('kt_1');
  });

  it('leaves statements not marked plan-stable, without parameters or overlong, and a bound of 0, unnamed', () => {
    const client = fakeClient();
    expect(nameOf(new PreparedStatements(2), client, 'SELECT 1; SELECT 2', [])).toBeUndefined();
    expect(nameOf(new PreparedStatements(2), client, `SELECT $1::text -- ${'x'.repeat(100_001)}`, ['a'])).toBeUndefined();
    expect(nameOf(new PreparedStatements(0), client, 'SELECT $1::int', [1])).toBeUndefined();
    expect(new PreparedStatements(2).queryFor(client, 'SELECT $1::int', [1], false).name).toBeUndefined();
  });

  it('evicts the least recently used statement past the bound, deallocates it when asked, and never reuses a name', async () => {
    const prepared = new PreparedStatements(2);
    const client = fakeClient();
    nameOf(prepared, client, 'SELECT $1::int AS a', [1]); // kt_0
    nameOf(prepared, client, 'SELECT $1::int AS b', [1]); // kt_1
    nameOf(prepared, client, 'SELECT $1::int AS a', [1]); // kt_0 used again: kt_1 is now the oldest
    expect(prepared.queryFor(client, 'SELECT $1::int AS c', [1], true)).toEqual({ name: 'kt_2', text: 'SELECT $1::int AS c', values: [1] });
    // Nothing is sent until the connection is held alone outside a transaction.
    expect(client.sent).toEqual([]);
    client.connection.parsedStatements = { kt_0: 'SELECT $1::int AS a', kt_1: 'SELECT $1::int AS b' };
    await prepared.deallocateEvicted(client);
    expect(client.sent).toEqual(['DEALLOCATE kt_1']);
    expect(Object.keys(client.connection.parsedStatements)).toEqual(['kt_0']);
    // The evicted text comes back under a new name; kt_0 falls out.
    expect(nameOf(prepared, client, 'SELECT $1::int AS b', [1])).toBe('kt_3');
    nameOf(prepared, client, 'SELECT $1::int AS d', [1]); // kt_4: kt_2 falls out, never parsed
    await prepared.deallocateEvicted(client);
    expect(client.sent).toEqual(['DEALLOCATE kt_1', 'DEALLOCATE kt_0']);
  });

  it('after a failure forgets a name never parsed, and one whose plan PostgreSQL refused (then sending again)', () => {
    const prepared = new PreparedStatements(4);
    const client = fakeClient();
    const text = 'SELECT * FROM t WHERE id = $1';
    const first = prepared.queryFor(client, text, [1], true);
    // The Parse failed (a syntax error, a lock timeout): node-postgres recorded nothing.
    expect(prepared.afterFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), client, first)).toBe(false);
    const second = prepared.queryFor(client, text, [1], true);
    expect(second.name).toBe('kt_1');
    client.connection.parsedStatements = { kt_1: text };
    expect(prepared.afterFailure(Object.assign(new Error('division by zero'), { code: '22012' }), client, second)).toBe(false);
    expect(nameOf(prepared, client, text, [1])).toBe('kt_1');
    // A table changed under it: identified by SQLSTATE and routine, whatever the message's language.
    const changed = Object.assign(new Error('le plan en cache ne doit pas modifier le type en résultat'), { code: '0A000', routine: 'RevalidateCachedQuery' });
    expect(prepared.afterFailure(changed, client, second)).toBe(true);
    expect(nameOf(prepared, client, text, [1])).toBe('kt_2');
  });
});

describe('which household pages are prepared (householdPagePlanStable)', () => {
  const { admin, planner, plannerSemarang, pendamping, partner } = principals;

  it('prepares a page that descends one index whatever the values: a village, a region, everything', () => {
    expect(householdPagePlanStable({ principal: admin }, false)).toBe(true);
    expect(householdPagePlanStable({ principal: planner }, false)).toBe(true);
    expect(householdPagePlanStable({ principal: plannerSemarang }, false)).toBe(true);
    expect(householdPagePlanStable({ principal: admin, villageCode: TEST_VILLAGE }, true)).toBe(true);
    expect(householdPagePlanStable({ principal: pendamping, villageCode: TEST_VILLAGE }, false)).toBe(true);
    expect(householdPagePlanStable({ principal: partner, villageCode: TEST_VILLAGE }, true)).toBe(true);
    // Empty lists add no condition.
    expect(householdPagePlanStable({ principal: admin, villageCode: TEST_VILLAGE, pasAny: [] }, false)).toBe(true);
  });

  it('leaves unnamed what selects from none to all rows: boxes, polygons, circles, PAS, desil, flags, counts over a region', () => {
    expect(householdPagePlanStable({ principal: admin, bboxWgs84: [110, -7, 110.1, -6.9] }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, villageCode: TEST_VILLAGE, bboxWgs84: [110, -7, 110.1, -6.9] }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, within: { type: 'Polygon', coordinates: [[[110, -7], [110.1, -7], [110.1, -6.9], [110, -7]]] } }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, near: { lonLatWgs84: [110, -7], radiusMeters: 500 } as never }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, pasAny: ['LANSIA_TERLANTAR' as never] }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, desilMax: 2 }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: admin, isRtlh: false }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: plannerSemarang }, true)).toBe(false);
    expect(householdPagePlanStable({ principal: pendamping }, false)).toBe(false);
    expect(householdPagePlanStable({ principal: partner }, false)).toBe(false);
    const manyRegions = { ...plannerSemarang, regionCodes: Array.from({ length: 40 }, (_, i) => `33.${String(i + 1).padStart(2, '0')}`) };
    expect(householdPagePlanStable({ principal: manyRegions }, false)).toBe(false);
  });

  it('holds for the OGC households collection too (one household source)', () => {
    expect(householdSource(admin, {}).planStable).toBe(true);
    expect(householdSource(admin, { villageCode: TEST_VILLAGE }).planStable).toBe(true);
    expect(householdSource(admin, { bbox: [110, -7, 110.1, -6.9] }).planStable).toBe(false);
    expect(householdSource(admin, { desil: 1 }).planStable).toBe(false);
    expect(householdSource(pendamping, {}).planStable).toBe(false);
    // One region descends its index; several are one `= ANY` there (no branches per region).
    expect(householdSource(plannerSemarang, {}).planStable).toBe(true);
    const twoRegions = { ...plannerSemarang, regionCodes: ['33.74', '33.75'] };
    expect(householdPagePlanStable({ principal: twoRegions }, false)).toBe(true);
    expect(householdSource(twoRegions, {}).planStable).toBe(false);
  });
});

describe('which villages pages are prepared (villagePagePlanStable)', () => {
  const { admin, plannerSemarang, partner, viewer } = principals;

  it('prepares a page filtered by region codes and kinds only, for every role but PARTNER', () => {
    expect(villagePagePlanStable({}, admin)).toBe(true);
    expect(villagePagePlanStable({ regencyCode: '35.24' }, plannerSemarang)).toBe(true);
    expect(villagePagePlanStable({ provinceCode: '33', districtCode: '33.74.02', kinds: ['DESA'] }, viewer)).toBe(true);
    expect(villagePagePlanStable({ regencyCode: '35.24' }, partner)).toBe(false);
  });

  it('leaves a name search, shapes, flags and need thresholds unnamed', () => {
    expect(villagePagePlanStable({ regencyCode: '35.24', nameKey: 'tanjung' }, admin)).toBe(false);
    expect(villagePagePlanStable({ bboxWgs84: [110, -7, 110.1, -6.9] }, admin)).toBe(false);
    expect(villagePagePlanStable({ coastal: true }, admin)).toBe(false);
    expect(villagePagePlanStable({ fishingVillage: { isFishing: true, threshold: 0.3 } }, admin)).toBe(false);
    expect(villagePagePlanStable({ minRtlhHouseholds: 10 }, admin)).toBe(false);
    expect(villagePagePlanStable({ hasBoundary: true }, admin)).toBe(false);
  });
});

describe('a package\'s coverage is prepared', () => {
  it('for every role: one village\'s households through the village index, one package\'s items through the package index', async () => {
    for (const principal of [principals.admin, principals.planner, principals.pendamping, principals.partner]) {
      const sent: unknown[] = [];
      const db = {
        query: async (statement: unknown) => {
          sent.push(statement);
          return [{ counts: { in_need: 0, served: 0 }, pas: [], categories: [], access: { t0: 0, b0: 0, a0: 0, t1: 0, b1: 0, a1: 0, t2: 0, b2: 0, a2: 0, t3: 0, b3: 0, a3: 0 }, unserved: [] }];
        },
      } as unknown as Queryable;
      await packageCoverage(db, principal, 5, TEST_VILLAGE, 1, 500, true);
      expect(sent).toHaveLength(1);
      expect(isPlanStable(sent[0] as never)).toBe(true);
    }
  });
});

const onPostgres = testDatabaseKind() === 'postgres';
const STABLE = { planStable: true };
const suite = onPostgres ? describe : describe.skip;

suite('named statements on PostgreSQL', () => {
  const adminUrl = process.env.TEST_DATABASE_URL ?? '';
  const name = `kt_prepared_${process.pid}`;
  let url = '';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    url = withDatabase(adminUrl, name);
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  /** Runs `work` on a pool of one connection keeping `bound` named statements, then closes it. */
  async function onOneConnection(bound: number, work: (db: Database) => Promise<void>): Promise<void> {
    const db = await openPostgres({ url, poolSize: 1, statementTimeoutMs: 10_000, preparedStatementsPerConnection: bound });
    try {
      await work(db);
    } finally {
      await db.close();
    }
  }

  /** The statements prepared on the one connection of a pool of 1 (asked on that connection). */
  async function preparedTexts(db: Database): Promise<string[]> {
    const rows = await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time');
    return rows.map((r) => r.statement);
  }

  it('keeps at most the bound prepared on the server, and runs an evicted statement again', async () => {
    await onOneConnection(3, async (db) => {
        for (const n of [1, 2, 3, 4, 5]) expect(await db.query<{ v: number }>(`SELECT $1::int + ${n} AS v`, [10], STABLE)).toEqual([{ v: 10 + n }]);
        expect(await preparedTexts(db)).toEqual(['SELECT $1::int + 3 AS v', 'SELECT $1::int + 4 AS v', 'SELECT $1::int + 5 AS v']);
        // The first one was deallocated; it is prepared again under a new name and answers.
        expect(await db.query<{ v: number }>('SELECT $1::int + 1 AS v', [20], STABLE)).toEqual([{ v: 21 }]);
        expect(await preparedTexts(db)).toEqual(['SELECT $1::int + 4 AS v', 'SELECT $1::int + 5 AS v', 'SELECT $1::int + 1 AS v']);
        // Inside a transaction the same connection's statements are used.
        await db.transaction(async (tx) => {
          expect(await tx.query<{ v: number }>('SELECT $1::int + 5 AS v', [1], STABLE)).toEqual([{ v: 6 }]);
        });
        expect(await preparedTexts(db)).toHaveLength(3);
    });
  });

  it('prepares only what is marked plan-stable: an SQL object by planStable(), a text by the option', async () => {
    await onOneConnection(10, async (db) => {
        const value = 3;
        expect(await db.query(sql`SELECT ${value}::int AS unmarked`)).toEqual([{ unmarked: 3 }]);
        expect(await db.query('SELECT $1::int AS text_unmarked', [3])).toEqual([{ text_unmarked: 3 }]);
        expect(await db.query(planStable(sql`SELECT ${value}::int AS marked`))).toEqual([{ marked: 3 }]);
        expect(await db.query(planStable(sql`SELECT ${value}::int AS declined`, false))).toEqual([{ declined: 3 }]);
        expect(await db.query('SELECT $1::int AS text_marked', [3], STABLE)).toEqual([{ text_marked: 3 }]);
        expect(await preparedTexts(db)).toEqual(['SELECT $1::int AS marked', 'SELECT $1::int AS text_marked']);
    });
  });

  it('never deallocates inside a transaction: evictions wait until the connection is used alone', async () => {
    await onOneConnection(1, async (db) => {
      await expect(db.query('SELEC $1::int', [0], STABLE)).rejects.toThrow(/syntax error/);
      await db.transaction(async (tx) => {
        for (const n of [1, 2, 3]) expect(await tx.query<{ v: number }>(`SELECT $1::int * ${n} AS v`, [2], STABLE)).toEqual([{ v: 2 * n }]);
        // Nothing deallocated yet: the transaction could not be aborted by it.
        const [{ count }] = (await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_prepared_statements')) as [{ count: number }];
        expect(count).toBe(3);
      });
      expect(await db.query<{ v: number }>('SELECT $1::int * 4 AS v', [2], STABLE)).toEqual([{ v: 8 }]);
      expect(await preparedTexts(db)).toEqual(['SELECT $1::int * 4 AS v']);
    });
  });

  it('prepares nothing with a bound of 0 (PgBouncer in transaction mode)', async () => {
    await onOneConnection(0, async (db) => {
        expect(await db.query<{ v: number }>('SELECT $1::int AS v', [7], STABLE)).toEqual([{ v: 7 }]);
        expect(await preparedTexts(db)).toEqual([]);
    });
  });

  it('keeps the connection and its statements after a statement fails', async () => {
    await onOneConnection(10, async (db) => {
        const [{ pid }] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, $1::int AS x', [1], STABLE)) as [{ pid: number }];
        await expect(db.query('SELECT 1 / $1::int AS v', [0], STABLE)).rejects.toThrow(/division by zero/);
        await expect(db.query('SELEC $1::int', [0], STABLE)).rejects.toThrow(/syntax error/);
        expect(await db.query<{ v: number }>('SELECT 1 / $1::int AS v', [1], STABLE)).toEqual([{ v: 1 }]);
        const [again] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, $1::int AS x', [1], STABLE);
        expect(again!.pid).toBe(pid);
        expect(await preparedTexts(db)).toEqual(['SELECT pg_backend_pid() AS pid, $1::int AS x', 'SELECT 1 / $1::int AS v']);
    });
  });

  it('reads a table again after its columns changed under a prepared SELECT *', async () => {
    const db = await openPostgres({ url, poolSize: 1, statementTimeoutMs: 10_000, preparedStatementsPerConnection: 10 });
    try {
      await db.query('CREATE TABLE shape (id int PRIMARY KEY, a text)');
      await db.query('INSERT INTO shape VALUES (1, $1)', ['x'], STABLE);
      expect(await db.query('SELECT * FROM shape WHERE id = $1', [1], STABLE)).toEqual([{ id: 1, a: 'x' }]);
      await db.query('ALTER TABLE shape ADD COLUMN b int DEFAULT 2');
      expect(await db.query('SELECT * FROM shape WHERE id = $1', [1], STABLE)).toEqual([{ id: 1, a: 'x', b: 2 }]);
    } finally {
      await db.query('DROP TABLE IF EXISTS shape').catch(() => undefined);
      await db.close();
    }
  });
});
