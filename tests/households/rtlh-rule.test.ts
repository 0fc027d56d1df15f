/**
 * Switching the RTLH rule (activate_rtlh_rule, drizzle/0023) is one transaction after which every
 * derived number follows the new rule: each household's verdict, and the villages' statistics (their
 * RTLH counts feed the need ranking and the dashboard), with no second step for an operator to
 * forget; and a household written while the switch runs is never left under the old rule.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Queryable } from '../../src/db/database.js';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../support/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => database?.dispose());

const activate = async (code: string, db: Queryable = database.db, waitSeconds?: number) =>
  (await db.query<{ n: number }>(
    waitSeconds === undefined ? 'SELECT activate_rtlh_rule($1) AS n' : 'SELECT activate_rtlh_rule($1, $2) AS n',
    waitSeconds === undefined ? [code] : [code, waitSeconds],
  ))[0]!.n;

const activeRule = async () => (await database.db.query<{ code: string }>('SELECT code FROM rtlh_rules WHERE is_active'))[0]?.code;

/** Households whose stored verdict differs from the active rule's: [] when all follow it. */
async function householdsOffRule(): Promise<number[]> {
  const rows = await database.db.query<{ id: number }>(
    `SELECT h.id FROM households h, rtlh_rules rule, LATERAL (SELECT rtlh_reasons_for(rule, h.floor_area_m2, h.occupants, h.floor_material,
       h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source) AS reasons) v
     WHERE rule.is_active AND (h.rtlh_reasons, h.is_rtlh) IS DISTINCT FROM (v.reasons, cardinality(v.reasons) >= rule.min_failed_criteria)
     ORDER BY h.id`,
  );
  return rows.map((r) => r.id);
}

/** RTLH counts per village as stored, and as counted from the households now. */
async function villagesOffCount(): Promise<string[]> {
  const rows = await database.db.query<{ village_code: string }>(
    `SELECT s.village_code FROM village_stats s
     LEFT JOIN (SELECT village_code, count(*) FILTER (WHERE is_rtlh)::int AS n FROM households WHERE inactive_since IS NULL GROUP BY 1) c
       ON c.village_code = s.village_code
     WHERE s.rtlh_households IS DISTINCT FROM coalesce(c.n, 0)
     ORDER BY 1`,
  );
  return rows.map((r) => r.village_code);
}

const verdictsThatDiffer = async (from: string, to: string) =>
  (await database.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM households h, rtlh_rules a, rtlh_rules b,
       LATERAL (SELECT rtlh_reasons_for(a, h.floor_area_m2, h.occupants, h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source) AS r) ra,
       LATERAL (SELECT rtlh_reasons_for(b, h.floor_area_m2, h.occupants, h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet, h.has_electricity, h.water_source) AS r) rb
     WHERE a.code = $1 AND b.code = $2
       AND (ra.r, cardinality(ra.r) >= a.min_failed_criteria) IS DISTINCT FROM (rb.r, cardinality(rb.r) >= b.min_failed_criteria)`,
    [from, to],
  ))[0]!.n;

/** A household's verdict: is it RTLH, and does it fail on floor area per person? */
const verdict = async (id: number) =>
  (await database.db.query<{ is_rtlh: boolean; floor: boolean }>(
    `SELECT is_rtlh, 'FLOOR_AREA_PER_PERSON' = ANY(rtlh_reasons) AS floor FROM households WHERE id = $1`,
    [id],
  ))[0]!;

/**
 * An active household whose only failed criterion can be floor area: good materials, toilet,
 * electricity, protected water. With 4 occupants, 32 m² (8 m² each) passes PUPR_NAHP (7.2) and fails
 * PUPR_BSPS (9); 40 m² (10 m² each) passes both.
 */
async function sturdyHousehold(offset: number): Promise<{ id: number; village: string }> {
  const [row] = await database.db.query<{ id: number; village: string }>(
    `UPDATE households SET occupants = 4, floor_area_m2 = 40, floor_material = 'CERAMIC', wall_material = 'PLASTERED_BRICK', roof_material = 'CLAY_TILE',
       has_own_toilet = true, has_electricity = true, water_source = 'PIPED'
     WHERE id = (SELECT id FROM households WHERE inactive_since IS NULL ORDER BY id OFFSET $1 LIMIT 1)
     RETURNING id, village_code AS village`,
    [offset],
  );
  await database.db.query('SELECT refresh_village_stats(ARRAY[$1::text])', [row!.village]);
  return row!;
}

describe('activate_rtlh_rule', () => {
  it('writes every changed verdict and the villages’ RTLH counts in one call, and returns how many verdicts changed', async () => {
    expect(await activeRule()).toBe('PUPR_NAHP');
    expect(await householdsOffRule()).toEqual([]);
    expect(await villagesOffCount()).toEqual([]);
    const [before] = await database.db.query<{ n: number }>('SELECT sum(rtlh_households)::int AS n FROM village_stats');
    const expected = await verdictsThatDiffer('PUPR_NAHP', 'PUPR_BSPS');
    expect(expected).toBeGreaterThan(0);

    expect(await activate('PUPR_BSPS')).toBe(expected);
    expect(await activeRule()).toBe('PUPR_BSPS');
    expect(await householdsOffRule()).toEqual([]);
    expect(await villagesOffCount()).toEqual([]);
    const [after] = await database.db.query<{ n: number }>('SELECT sum(rtlh_households)::int AS n FROM village_stats');
    // BSPS asks for more floor area per person: more houses fail it.
    expect(after!.n).toBeGreaterThan(before!.n);

    // The statistics are what a full recomputation gives (nothing else in them moved).
    const snapshot = () => database.db.query(
      `SELECT village_code, households, members, rtlh_households, households_by_pas, elderly_members, child_members FROM village_stats ORDER BY 1`,
    );
    const stored = await snapshot();
    await database.db.query('SELECT refresh_village_stats()');
    expect(await snapshot()).toEqual(stored);

    // Back: the same households change again, and the counts return.
    expect(await activate('PUPR_NAHP')).toBe(expected);
    expect(await householdsOffRule()).toEqual([]);
    expect(await villagesOffCount()).toEqual([]);
    const [back] = await database.db.query<{ n: number }>('SELECT sum(rtlh_households)::int AS n FROM village_stats');
    expect(back!.n).toBe(before!.n);
  });

  it('changes nothing when the rule is already active', async () => {
    const [stamp] = await database.db.query<{ t: string }>('SELECT max(refreshed_at)::text AS t FROM village_stats');
    expect(await activate('PUPR_NAHP')).toBe(0);
    const [again] = await database.db.query<{ t: string }>('SELECT max(refreshed_at)::text AS t FROM village_stats');
    expect(again!.t).toBe(stamp!.t);
  });

  it('refuses an unknown rule and changes nothing', async () => {
    await expect(activate('NO_SUCH_RULE')).rejects.toMatchObject({ code: 'P0002', message: expect.stringContaining('NO_SUCH_RULE') });
    expect(await activeRule()).toBe('PUPR_NAHP');
    expect(await householdsOffRule()).toEqual([]);
  });

  it('does not count inactive households in the villages but still gives them the rule’s verdict', async () => {
    const house = await sturdyHousehold(3);
    await database.db.query('UPDATE households SET floor_area_m2 = 32, inactive_since = current_date WHERE id = $1', [house.id]);
    await database.db.query('SELECT refresh_village_stats(ARRAY[$1::text])', [house.village]);
    try {
      await activate('PUPR_BSPS');
      expect(await verdict(house.id)).toEqual({ is_rtlh: true, floor: true });
      expect(await villagesOffCount()).toEqual([]);
    } finally {
      await activate('PUPR_NAHP');
      await database.db.query('UPDATE households SET inactive_since = NULL WHERE id = $1', [house.id]);
      await database.db.query('SELECT refresh_village_stats(ARRAY[$1::text])', [house.village]);
    }
  });

  // The embedded database has one session: these need two.
  it.runIf(testDatabaseKind() === 'postgres')(
    'waits for a transaction that is writing a household, then judges what it committed by the new rule',
    async () => {
      const house = await sturdyHousehold(1);
      let switched: Promise<number> | undefined;
      await database.db.transaction(async (tx) => {
        // 8 m² each: passes NAHP (the trigger's verdict now), fails BSPS.
        await tx.query('UPDATE households SET floor_area_m2 = 32 WHERE id = $1', [house.id]);
        switched = activate('PUPR_BSPS');
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      try {
        await switched;
        expect(await verdict(house.id)).toEqual({ is_rtlh: true, floor: true });
        expect(await householdsOffRule()).toEqual([]);
        expect(await villagesOffCount()).toEqual([]);
      } finally {
        await activate('PUPR_NAHP');
      }
    },
  );

  it.runIf(testDatabaseKind() === 'postgres')('refuses at once while a data import runs, and changes nothing', async () => {
    await database.db.transaction(async (tx) => {
      // What every import's transaction holds from its start to its commit (import.runner.ts).
      await tx.query('SELECT pg_advisory_xact_lock(1700017, 0)');
      const started = Date.now();
      await expect(activate('PUPR_BSPS')).rejects.toMatchObject({ code: '55P03', message: expect.stringContaining('import is running') });
      expect(Date.now() - started).toBeLessThan(1000);
    });
    expect(await activeRule()).toBe('PUPR_NAHP');
  });

  it.runIf(testDatabaseKind() === 'postgres')(
    'while a long writer holds households it gives up after wait_seconds, and other writers are not held back behind it meanwhile',
    async () => {
      const [long, other] = [await sturdyHousehold(5), await sturdyHousehold(6)];
      await database.db.transaction(async (tx) => {
        await tx.query('UPDATE households SET floor_area_m2 = 41 WHERE id = $1', [long.id]);
        const started = Date.now();
        const switching = activate('PUPR_BSPS', database.db, 1).then(
          () => 'switched',
          (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message, afterMs: Date.now() - started }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Had the switch queued for the table lock, this writer would queue behind it.
        const writing = Date.now();
        await database.db.transaction(async (w) => {
          await w.query("SET LOCAL lock_timeout = '500ms'");
          await w.query('UPDATE households SET floor_area_m2 = 41 WHERE id = $1', [other.id]);
        });
        expect(Date.now() - writing).toBeLessThan(500);
        expect(await switching).toMatchObject({ code: '55P03', message: expect.stringContaining('not switched') });
        expect(((await switching) as { afterMs: number }).afterMs).toBeGreaterThanOrEqual(1000);
      });
      expect(await activeRule()).toBe('PUPR_NAHP');
      expect(await householdsOffRule()).toEqual([]);
    },
  );

  it.runIf(testDatabaseKind() === 'postgres')(
    'holds back a writer until the new rule is committed, so the writer’s verdict is the new rule’s',
    async () => {
      const house = await sturdyHousehold(2);
      let written: Promise<unknown> | undefined;
      let writerDoneBeforeCommit = false;
      await database.db.transaction(async (tx) => {
        await activate('PUPR_BSPS', tx);
        // 40 m² passes both rules, so the switch wrote nothing to this row: only the table lock holds the writer.
        written = database.db.query('UPDATE households SET floor_area_m2 = 32 WHERE id = $1', [house.id]).then(() => {
          writerDoneBeforeCommit = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(writerDoneBeforeCommit).toBe(false);
      });
      try {
        await written;
        expect(await verdict(house.id)).toEqual({ is_rtlh: true, floor: true });
        expect(await householdsOffRule()).toEqual([]);
      } finally {
        await activate('PUPR_NAHP');
      }
    },
  );
});
