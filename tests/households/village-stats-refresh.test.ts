/**
 * refresh_village_stats rebuilds a village's row (delete, then insert). Every writer calls it for
 * the villages it touched, inside its own transaction, so two writers in one village at the same
 * moment refresh the same row at once: the second must wait for the first, then count both
 * transactions' writes, and never fail (drizzle/0024). Two sessions are needed: PostgreSQL only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => database?.dispose());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two active households of one village. */
async function twoHouseholdsOfOneVillage(): Promise<{ village: string; first: number; second: number }> {
  const [row] = await database.db.query<{ village: string; ids: number[] }>(
    `SELECT village_code AS village, (array_agg(id ORDER BY id))[1:2] AS ids FROM households WHERE inactive_since IS NULL
     GROUP BY village_code HAVING count(*) >= 2 ORDER BY village_code LIMIT 1`,
  );
  return { village: row!.village, first: row!.ids[0]!, second: row!.ids[1]! };
}

const stored = async (village: string) =>
  (await database.db.query<{ rtlh: number; desil_1_to_2: number }>(
    'SELECT rtlh_households AS rtlh, households_desil_1_to_2 AS desil_1_to_2 FROM village_stats WHERE village_code = $1',
    [village],
  ))[0]!;

const counted = async (village: string) =>
  (await database.db.query<{ rtlh: number; desil_1_to_2: number }>(
    `SELECT count(*) FILTER (WHERE is_rtlh)::int AS rtlh, count(*) FILTER (WHERE desil <= 2)::int AS desil_1_to_2
     FROM households WHERE village_code = $1 AND inactive_since IS NULL`,
    [village],
  ))[0]!;

describe.runIf(testDatabaseKind() === 'postgres')('refresh_village_stats under concurrent writers (PostgreSQL only)', () => {
  it('two writers in one village refresh it at once: both commit, and the row counts both writes', async () => {
    const { village, first, second } = await twoHouseholdsOfOneVillage();
    const before = await counted(village);
    const [a] = await database.db.query<{ desil: number }>('SELECT desil FROM households WHERE id = $1', [first]);
    const [b] = await database.db.query<{ desil: number }>('SELECT desil FROM households WHERE id = $1', [second]);
    let secondDone: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      // As an assessment does: write the household, then refresh its village, in one transaction.
      await tx.query(`UPDATE households SET desil = CASE WHEN desil <= 2 THEN 9 ELSE 1 END WHERE id = $1`, [first]);
      await tx.query('SELECT refresh_village_stats(ARRAY[$1::text])', [village]);
      secondDone = database.db.transaction(async (other) => {
        await other.query(`UPDATE households SET desil = CASE WHEN desil <= 2 THEN 9 ELSE 1 END WHERE id = $1`, [second]);
        await other.query('SELECT refresh_village_stats(ARRAY[$1::text])', [village]);
      });
      // The second writer is now waiting for this one's refresh.
      await sleep(300);
    });
    await secondDone;
    const after = await counted(village);
    expect(await stored(village)).toEqual(after);
    await database.db.query('UPDATE households SET desil = $2 WHERE id = $1', [first, a!.desil]);
    await database.db.query('UPDATE households SET desil = $2 WHERE id = $1', [second, b!.desil]);
    await database.db.query('SELECT refresh_village_stats(ARRAY[$1::text])', [village]);
    expect(await stored(village)).toEqual(before);
  });

  it('a refresh of every village and a refresh of one village at once both commit', async () => {
    const { village, first } = await twoHouseholdsOfOneVillage();
    let one: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await tx.query('SELECT refresh_village_stats()');
      one = database.db.transaction(async (other) => {
        await other.query(`UPDATE households SET floor_area_m2 = floor_area_m2 WHERE id = $1`, [first]);
        await other.query('SELECT refresh_village_stats(ARRAY[$1::text])', [village]);
      });
      await sleep(300);
    });
    await one;
    expect(await stored(village)).toEqual(await counted(village));
  });
});

describe('refresh_village_stats of many villages at once', () => {
  it('holds at most 512 locks however many villages it refreshes (an import or a rule switch refreshes up to all 83,762)', async () => {
    const { village } = await twoHouseholdsOfOneVillage();
    const locks = await database.db.transaction(async (tx) => {
      // One lock per village ran PostgreSQL out of shared memory from about 15,000 villages.
      const [refreshed] = await tx.query<{ n: number }>(
        `SELECT refresh_village_stats(ARRAY(SELECT 'X' || g FROM generate_series(1, 90000) g) || $1::text) AS n`,
        [village],
      );
      expect(refreshed!.n).toBe(1);
      const [held] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 7102028`,
      );
      return held!.n;
    });
    expect(locks).toBeGreaterThan(0);
    expect(locks).toBeLessThanOrEqual(512);
    expect(await stored(village)).toEqual(await counted(village));
  });
});
