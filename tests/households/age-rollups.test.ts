/**
 * The age roll-ups follow the calendar (drizzle/0021, 0022): members are moved in time by their
 * birth dates, the recorded day and the villages' age counts are set back, and refresh_age_rollups()
 * must change exactly the households whose members turned 60 or 18 in between, add exactly those
 * members to their villages' statistics (never twice: not where a writer already counted them), and
 * move the day, atomically, once, whatever runs beside it.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openPostgres, type Queryable } from '../../src/db/database.js';
import { refreshAgeRollups, startAgeRollupRefresher } from '../../src/features/households/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server/app.js';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../support/test-database.js';

let database: TestDatabase;
let today: string;
const silent = createLogger({ env: 'test', log: { level: 'silent' } });

beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
  [{ today } = { today: '' }] = await database.db.query<{ today: string }>('SELECT current_date::text AS today');
  // The template was seeded on some day up to today: start from roll-ups correct as of today.
  await refreshAgeRollups(database.db);
});
afterAll(async () => database?.dispose());

/** `today` plus `days` (negative: before), as YYYY-MM-DD, by the database's calendar. */
async function dayOffset(days: number): Promise<string> {
  const [row] = await database.db.query<{ d: string }>('SELECT ($1::date + $2::int)::text AS d', [today, days]);
  return row!.d;
}

const asOf = async (db: Queryable = database.db) => (await db.query<{ d: string }>('SELECT as_of::text AS d FROM household_age_rollups'))[0]!.d;
const setAsOf = (day: string) => database.db.query('UPDATE household_age_rollups SET as_of = $1::date', [day]);

/**
 * Every village's age counts as they were on `day`, by the expressions the writers used before the
 * thresholds became functions, and recorded as of that day: as if refresh_village_stats had last
 * run on `day` everywhere. Household flags are left as they are (each correct as of some day from
 * `day` on, which is all the recorded day promises of them).
 */
async function rewindVillageAges(day: string): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.query("SET LOCAL kt.skip_rollups = 'on'");
    await tx.query(
      `UPDATE village_stats s SET ages_as_of = $1::date,
         elderly_members = (SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id
                            WHERE h.village_code = s.village_code AND h.inactive_since IS NULL AND m.birth_date <= $1::date - interval '60 years'),
         child_members = (SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id
                          WHERE h.village_code = s.village_code AND h.inactive_since IS NULL AND m.birth_date > $1::date - interval '18 years')`,
      [day],
    );
  });
}

/** Village rows (age columns) that differ from a recomputation of every village today: [] when all are right. */
async function villagesDifferingFromRecomputation(): Promise<string[]> {
  return database.db.transaction(async (tx) => {
    await tx.query('CREATE TEMP TABLE stats_before ON COMMIT DROP AS SELECT * FROM village_stats');
    await tx.query('SELECT refresh_village_stats()');
    const rows = await tx.query<{ village_code: string }>(
      `SELECT DISTINCT village_code FROM (
         (SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats
          EXCEPT SELECT village_code, elderly_members, child_members, households_with_elderly FROM stats_before)
         UNION ALL
         (SELECT village_code, elderly_members, child_members, households_with_elderly FROM stats_before
          EXCEPT SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats)) d
       ORDER BY village_code`,
    );
    // Leave the table as the refresh left it: the recomputation was only the oracle.
    await tx.query('DELETE FROM village_stats');
    await tx.query('INSERT INTO village_stats SELECT * FROM stats_before');
    return rows.map((r) => r.village_code);
  });
}

interface HouseholdState {
  id: number;
  has_elderly: boolean;
  has_child: boolean;
  updated_at: string;
  [key: string]: unknown;
}

async function households(): Promise<Map<number, HouseholdState>> {
  const rows = await database.db.query<HouseholdState>('SELECT id, has_elderly, has_child, updated_at::text AS updated_at FROM households ORDER BY id');
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Households whose age flags differ from today's, by the expression the writers used before the
 * thresholds became functions: an oracle independent of elderly_born_by and child_born_after.
 */
async function staleHouseholds(): Promise<number[]> {
  const rows = await database.db.query<{ id: number }>(
    `SELECT h.id FROM households h WHERE (h.has_elderly, h.has_child) IS DISTINCT FROM (
       EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date <= current_date - interval '60 years'),
       EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date > current_date - interval '18 years'))
     ORDER BY h.id`,
  );
  return rows.map((r) => r.id);
}

const used = new Set<string>();

/**
 * A household of a village no earlier pick used, and one of its members, such that moving that
 * member's birth date flips the chosen flag (or, for `extraElderly`, adds an elderly member to a
 * household that already has one, which changes only the village's elderly count).
 */
async function pick(kind: 'turnsElderly' | 'turnsAdult' | 'extraElderly'): Promise<{ household: number; member: number; village: string }> {
  const adult = 'm.birth_date <= child_born_after(current_date) AND m.birth_date > elderly_born_by(current_date)';
  const condition = {
    // No elderly member yet: an adult (not a child, so has_child stays) becomes 60.
    turnsElderly: `NOT h.has_elderly AND ${adult}`,
    // Exactly one child: that child becomes 18, so has_child flips.
    turnsAdult: `h.has_child AND m.birth_date > child_born_after(current_date)
                 AND (SELECT count(*) FROM members c WHERE c.household_id = h.id AND c.birth_date > child_born_after(current_date)) = 1`,
    extraElderly: `h.has_elderly AND ${adult}`,
  }[kind];
  // Villages where the calendar itself moved nobody across a threshold in the last week, so that
  // the staged member is the only change a refresh finds there.
  const [row] = await database.db.query<{ household: number; member: number; village: string }>(
    `SELECT h.id AS household, m.id AS member, h.village_code AS village FROM households h JOIN members m ON m.household_id = h.id
     WHERE h.inactive_since IS NULL AND ${condition} AND NOT (h.village_code = ANY($1::text[]))
       AND NOT EXISTS (SELECT 1 FROM members o JOIN households oh ON oh.id = o.household_id WHERE oh.village_code = h.village_code
             AND ((o.birth_date > elderly_born_by(current_date - 7) AND o.birth_date <= elderly_born_by(current_date + 1))
               OR (o.birth_date > child_born_after(current_date - 7) AND o.birth_date <= child_born_after(current_date + 1))))
     ORDER BY h.id, m.id LIMIT 1`,
    [[...used]],
  );
  if (!row) throw new Error(`no household for ${kind}`);
  used.add(row.village);
  return row;
}

/**
 * Gives the member the birth date `birthDate` without writing the household's roll-ups: as if the
 * date had always been so and the roll-ups were computed on a day before this member's birthday.
 */
async function moveBirthDate(member: number, birthDate: string): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.query("SET LOCAL kt.skip_rollups = 'on'");
    await tx.query('UPDATE members SET birth_date = $2::date WHERE id = $1', [member, birthDate]);
  });
}

/** Birth dates that make a member turn 60 (or 18) `daysAgo` days before today, by the shared thresholds. */
async function turnedOn(years: 60 | 18, daysAgo: number): Promise<string> {
  const [row] = await database.db.query<{ d: string }>(
    `SELECT (CASE WHEN $1::int = 60 THEN elderly_born_by(d) ELSE child_born_after(d) END)::text AS d FROM (SELECT current_date - $2::int AS d) x`,
    [years, daysAgo],
  );
  return row!.d;
}

interface VillageAges {
  village_code: string;
  elderly_members: number;
  child_members: number;
  households_with_elderly: number;
  [key: string]: unknown;
}

async function villageAges(codes: string[]): Promise<Map<string, VillageAges>> {
  const rows = await database.db.query<VillageAges>(
    'SELECT village_code, elderly_members, child_members, households_with_elderly FROM village_stats WHERE village_code = ANY($1::text[])',
    [codes],
  );
  return new Map(rows.map((r) => [r.village_code, r]));
}

/**
 * A household that turns elderly and one that loses its only child, after the recorded day, which
 * is three days ago for the households and for every village's age counts.
 */
async function stageBirthdays() {
  const elderly = await pick('turnsElderly');
  const adult = await pick('turnsAdult');
  // Both birthdays were yesterday, after the recorded day below. Two days apart from it, not one:
  // 29 February minus 18 years is 28 February, so two consecutive days can share a threshold.
  await moveBirthDate(elderly.member, await turnedOn(60, 1));
  await moveBirthDate(adult.member, await turnedOn(18, 1));
  const since = await dayOffset(-3);
  await setAsOf(since);
  await rewindVillageAges(since);
  return { elderly, adult, since };
}

describe('refresh_age_rollups', () => {
  it('flips has_elderly and has_child of exactly the households whose members turned 60 or 18 since the recorded day, refreshes their villages and records today', async () => {
    const { elderly, adult, since } = await stageBirthdays();
    // A third elderly member changes the village's elderly count and no flag.
    const extra = await pick('extraElderly');
    await moveBirthDate(extra.member, await turnedOn(60, 1));
    // A member who turns 60 tomorrow is not yet elderly and must not count.
    const tomorrow = await pick('turnsElderly');
    await moveBirthDate(tomorrow.member, await turnedOn(60, -1));
    const villages = [elderly.village, adult.village, extra.village];
    const before = await households();
    const statsBefore = await villageAges(villages);
    expect(before.get(elderly.household)).toMatchObject({ has_elderly: false });
    expect(before.get(adult.household)).toMatchObject({ has_child: true });
    expect(await staleHouseholds()).toEqual([elderly.household, adult.household].sort((a, b) => a - b));

    const result = await refreshAgeRollups(database.db);

    // Every village with a member of an active household who crossed a threshold since the recorded
    // day gets that member added: ours, and those of members the calendar itself moved in those
    // three days (their households' flags were right; the villages' counts are as of three days ago).
    const [crossed] = await database.db.query<{ n: number }>(
      `SELECT count(DISTINCT h.village_code)::int AS n FROM members m JOIN households h ON h.id = m.household_id AND h.inactive_since IS NULL
       WHERE (m.birth_date > $1::date - interval '60 years' AND m.birth_date <= current_date - interval '60 years')
          OR (m.birth_date > $1::date - interval '18 years' AND m.birth_date <= current_date - interval '18 years')`,
      [since],
    );
    expect(crossed!.n).toBeGreaterThanOrEqual(3);
    expect(result).toEqual({ outcome: 'REFRESHED', fromDate: since, toDate: today, householdsChanged: 2, villagesRefreshed: crossed!.n });
    expect(await asOf()).toBe(today);
    expect(await staleHouseholds()).toEqual([]);
    const after = await households();
    expect(after.get(elderly.household)).toMatchObject({ has_elderly: true, has_child: before.get(elderly.household)!.has_child });
    expect(after.get(adult.household)).toMatchObject({ has_child: false, has_elderly: before.get(adult.household)!.has_elderly });
    // Written as an ordinary write writes them (updated_at), and nothing else was written at all.
    for (const id of [elderly.household, adult.household]) expect(after.get(id)!.updated_at).not.toBe(before.get(id)!.updated_at);
    const untouched = [...before.values()].filter((h) => h.id !== elderly.household && h.id !== adult.household);
    expect(untouched.filter((h) => JSON.stringify(after.get(h.id)) !== JSON.stringify(h))).toEqual([]);

    const statsAfter = await villageAges(villages);
    expect(statsAfter.get(elderly.village)).toEqual({
      ...statsBefore.get(elderly.village),
      elderly_members: statsBefore.get(elderly.village)!.elderly_members + 1,
      households_with_elderly: statsBefore.get(elderly.village)!.households_with_elderly + 1,
    });
    expect(statsAfter.get(adult.village)).toEqual({ ...statsBefore.get(adult.village), child_members: statsBefore.get(adult.village)!.child_members - 1 });
    expect(statsAfter.get(extra.village)).toEqual({ ...statsBefore.get(extra.village), elderly_members: statsBefore.get(extra.village)!.elderly_members + 1 });
    // Only the age counts were written, and the whole table agrees with a recomputation of every
    // village: the additions of three days over all villages are exactly what counting anew finds.
    const [rows] = await database.db.query<{ n: number; moved: number }>(
      `SELECT count(*) FILTER (WHERE ages_as_of = current_date)::int AS moved, count(*)::int AS n FROM village_stats`,
    );
    expect(rows!.moved).toBe(crossed!.n);
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
  });

  it('does not count twice the birthdays a writer already counted today: its villages get only the flags the writer did not write', async () => {
    const { elderly, adult } = await stageBirthdays();
    // An ordinary write after the day began recomputes the elderly household's village as of today:
    // the member who turned 60 yesterday is counted; the household's flag, not written, is not.
    await database.db.query('SELECT refresh_village_stats(ARRAY[$1::text])', [elderly.village]);
    const before = await villageAges([elderly.village, adult.village]);
    const [row] = await database.db.query<{ d: string }>('SELECT ages_as_of::text AS d FROM village_stats WHERE village_code = $1', [elderly.village]);
    expect(row!.d).toBe(today);

    await refreshAgeRollups(database.db);

    const after = await villageAges([elderly.village, adult.village]);
    expect(after.get(elderly.village)).toEqual({
      ...before.get(elderly.village),
      households_with_elderly: before.get(elderly.village)!.households_with_elderly + 1,
    });
    expect(after.get(adult.village)).toEqual({ ...before.get(adult.village), child_members: before.get(adult.village)!.child_members - 1 });
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
  });

  it('counts a village from the recorded day when its own day is older (nobody wrote it since), and writes no village where nothing changed', async () => {
    const { since } = await stageBirthdays();
    // A village whose counts say they were computed a year ago and are still right: the members
    // who crossed a threshold in that year did so before the recorded day, up to which a refresh
    // already brought them. Counting from the village's own day would add them a second time.
    const yearAgo = await dayOffset(-365);
    const [village] = await database.db.query<{ code: string; crossings: number }>(
      `SELECT h.village_code AS code, count(*)::int AS crossings FROM members m JOIN households h ON h.id = m.household_id AND h.inactive_since IS NULL
       WHERE (m.birth_date > elderly_born_by($1::date) AND m.birth_date <= elderly_born_by($2::date))
          OR (m.birth_date > child_born_after($1::date) AND m.birth_date <= child_born_after($2::date))
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
      [yearAgo, since],
    );
    expect(village!.crossings).toBeGreaterThan(0);
    await database.db.query('UPDATE village_stats SET ages_as_of = $1::date WHERE village_code = $2', [yearAgo, village!.code]);
    const before = await database.db.query<{ village_code: string; refreshed_at: string }>(
      'SELECT village_code, refreshed_at::text AS refreshed_at FROM village_stats ORDER BY village_code',
    );
    const result = await refreshAgeRollups(database.db);
    expect(result).toMatchObject({ outcome: 'REFRESHED', fromDate: since });
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
    const after = await database.db.query<{ village_code: string; refreshed_at: string }>(
      'SELECT village_code, refreshed_at::text AS refreshed_at FROM village_stats ORDER BY village_code',
    );
    const written = after.filter((r, i) => r.refreshed_at !== before[i]!.refreshed_at);
    expect(written).toHaveLength(result.villagesRefreshed);
  });

  it('takes a flag back out of households_with_elderly when it clears one a writer of a later day had set', async () => {
    // A writer whose day is later than the refresh's (its transaction began after midnight before
    // the refresh's, or its session's time zone is ahead) computed a household and its village as
    // of tomorrow: a member who turns 60 tomorrow made it elderly. The refresh visits the household
    // (its only child turned 18 yesterday) and computes it as of today: not elderly.
    const [h] = await database.db.query<{ household: number; village: string; child: number; adult: number }>(
      `SELECT h.id AS household, h.village_code AS village, c.id AS child, a.id AS adult FROM households h
       JOIN members c ON c.household_id = h.id AND c.birth_date > child_born_after(current_date)
       JOIN members a ON a.household_id = h.id AND a.birth_date <= child_born_after(current_date) AND a.birth_date > elderly_born_by(current_date)
       WHERE h.inactive_since IS NULL AND NOT h.has_elderly AND NOT (h.village_code = ANY($1::text[]))
         AND (SELECT count(*) FROM members x WHERE x.household_id = h.id AND x.birth_date > child_born_after(current_date)) = 1
       ORDER BY h.id LIMIT 1`,
      [[...used]],
    );
    used.add(h!.village);
    await moveBirthDate(h!.child, await turnedOn(18, 1));
    await moveBirthDate(h!.adult, await turnedOn(60, -1));
    const since = await dayOffset(-3);
    await setAsOf(since);
    await rewindVillageAges(since);
    const tomorrow = await dayOffset(1);
    await database.db.transaction(async (tx) => {
      await tx.query("SET LOCAL kt.skip_rollups = 'on'");
      await tx.query('UPDATE households SET has_elderly = true, has_child = false WHERE id = $1', [h!.household]);
      await tx.query(
        `UPDATE village_stats s SET ages_as_of = $2::date,
           households_with_elderly = (SELECT count(*) FROM households x WHERE x.village_code = s.village_code AND x.inactive_since IS NULL AND x.has_elderly),
           elderly_members = (SELECT count(*) FROM members m JOIN households x ON x.id = m.household_id
                              WHERE x.village_code = s.village_code AND x.inactive_since IS NULL AND m.birth_date <= $2::date - interval '60 years'),
           child_members = (SELECT count(*) FROM members m JOIN households x ON x.id = m.household_id
                            WHERE x.village_code = s.village_code AND x.inactive_since IS NULL AND m.birth_date > $2::date - interval '18 years')
         WHERE village_code = $1`,
        [h!.village, tomorrow],
      );
    });
    const before = (await villageAges([h!.village])).get(h!.village)!;

    await refreshAgeRollups(database.db);

    expect((await households()).get(h!.household)).toMatchObject({ has_elderly: false, has_child: false });
    const after = (await villageAges([h!.village])).get(h!.village)!;
    const [flags] = await database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM households WHERE village_code = $1 AND inactive_since IS NULL AND has_elderly',
      [h!.village],
    );
    // The column counts the stored flags; the members' counts stay as of tomorrow, the village's day.
    expect(after).toEqual({ ...before, households_with_elderly: flags!.n });
    expect(after.households_with_elderly).toBe(before.households_with_elderly - 1);
    const [day] = await database.db.query<{ d: string }>('SELECT ages_as_of::text AS d FROM village_stats WHERE village_code = $1', [h!.village]);
    expect(day!.d).toBe(tomorrow);
    // Every other village agrees with a recomputation today.
    expect(await villagesDifferingFromRecomputation()).toEqual([h!.village]);
  });

  it('changes nothing when run again the same day', async () => {
    const before = await households();
    expect(await refreshAgeRollups(database.db)).toEqual({ outcome: 'UP_TO_DATE', fromDate: today, toDate: today, householdsChanged: 0, villagesRefreshed: 0 });
    expect(await households()).toEqual(before);
    expect(await asOf()).toBe(today);
  });

  it('run by several processes at once, does the day once: one refreshes, the others find it busy or done, without errors', async () => {
    const { elderly, adult } = await stageBirthdays();
    // Two API processes: two refreshers, each with its own timer and queue, on the same database.
    const processes = [0, 1, 2, 3].map(() => startAgeRollupRefresher(database.db, silent, 0));
    const results = await Promise.all(processes.map((p) => p.runNow()));
    await Promise.all(processes.map((p) => p.stop()));

    expect(results.filter((r) => r.outcome === 'REFRESHED')).toHaveLength(1);
    expect(results.every((r) => ['REFRESHED', 'BUSY', 'UP_TO_DATE'].includes(r.outcome))).toBe(true);
    expect(results.reduce((n, r) => n + r.householdsChanged, 0)).toBe(2);
    expect(await asOf()).toBe(today);
    const after = await households();
    expect(after.get(elderly.household)!.has_elderly).toBe(true);
    expect(after.get(adult.household)!.has_child).toBe(false);
    expect(await staleHouseholds()).toEqual([]);
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
  });

  it('does not advance the day past a writer that computed age roll-ups and has not committed (PostgreSQL: busy at once; embedded: one session, runs after the commit)', async () => {
    const { elderly, since } = await stageBirthdays();
    const events: string[] = [];
    let refresh: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      // An ordinary member write: the trigger's refresh_household_rollups computes on the
      // transaction's day and holds the age roll-ups' lock shared until the commit. As every
      // writer of members does (assessments, the import), it then recomputes its village's
      // statistics in the same transaction: the refresh's additions rely on that.
      await tx.query('UPDATE members SET in_school = in_school WHERE id = $1', [elderly.member]);
      await tx.query('SELECT refresh_village_stats(ARRAY[$1::text])', [elderly.village]);
      if (database.db.kind === 'postgres') {
        // Another connection: the refresh finds the lock held and leaves the day to its next run.
        expect(await refreshAgeRollups(database.db)).toMatchObject({ outcome: 'BUSY', householdsChanged: 0 });
        expect(await asOf()).toBe(since);
      } else {
        refresh = refreshAgeRollups(database.db).then(() => events.push('refresh'));
        for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
      }
      events.push('commit');
    });
    if (refresh) {
      await refresh;
      expect(events).toEqual(['commit', 'refresh']);
    } else {
      expect(await refreshAgeRollups(database.db)).toMatchObject({ outcome: 'REFRESHED', fromDate: since });
    }
    expect(await asOf()).toBe(today);
    expect(await staleHouseholds()).toEqual([]);
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
  });

  // Embedded: one session, so no refresh can hold the lock while a writer holds a row.
  it.runIf(testDatabaseKind() === 'postgres')(
    'gives way to a writer that locked a household before taking the roll-ups lock: BUSY within 100 ms, no deadlock, the writer commits',
    async () => {
      const { elderly, since } = await stageBirthdays();
      let refresh: Promise<unknown> | undefined;
      await database.db.transaction(async (tx) => {
        // As a post-works verification does: the household row first, its village's statistics after.
        await tx.query('UPDATE households SET had_housing_aid = had_housing_aid WHERE id = $1', [elderly.household]);
        // The refresh takes the lock (no writer holds it yet) and then needs that household's row.
        refresh = refreshAgeRollups(database.db);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Were the refresh still waiting on the row, this would wait on the refresh: a deadlock,
        // broken after deadlock_timeout (1 s) by failing one of the two.
        await tx.query('SELECT refresh_village_stats(ARRAY[$1::text])', [elderly.village]);
      });
      expect(await refresh).toMatchObject({ outcome: 'BUSY', householdsChanged: 0 });
      expect(await asOf()).toBe(since);
      // The caller's own lock_timeout is left as it was.
      expect(await database.db.transaction(async (tx) => {
        await tx.query("SET LOCAL lock_timeout = '7s'");
        await tx.query('SELECT * FROM refresh_age_rollups()');
        return (await tx.query<{ t: string }>("SELECT current_setting('lock_timeout') AS t"))[0]!.t;
      })).toBe('7s');
      expect(await asOf()).toBe(today);
      expect(await staleHouseholds()).toEqual([]);
      expect(await villagesDifferingFromRecomputation()).toEqual([]);
    },
  );

  it('is moved back by a writer whose transaction began before the recorded day, so the next refresh covers that writer', async () => {
    const member = await pick('turnsElderly');
    // As if a refresh claimed tomorrow while this writer's transaction (of today) was running.
    await setAsOf(await dayOffset(1));
    await database.db.query('UPDATE members SET in_school = in_school WHERE id = $1', [member.member]);
    expect(await asOf()).toBe(today);
    // A writer of the recorded day or later leaves it alone.
    await database.db.query('UPDATE members SET in_school = in_school WHERE id = $1', [member.member]);
    expect(await asOf()).toBe(today);
  });

  it('fails as a whole: an error after households were written leaves them, the statistics and the day unchanged, and the next run does the work', async () => {
    const { elderly, adult, since } = await stageBirthdays();
    const before = await households();
    const statsBefore = await database.db.query('SELECT * FROM village_stats ORDER BY village_code');
    // The village statistics are written after the households: refuse them for one village.
    await database.db.query(
      `CREATE FUNCTION test_refuse_stats() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused by the test for village %', NEW.village_code; END $$`,
    );
    await database.db.query(
      `CREATE TRIGGER refuse_stats BEFORE INSERT OR UPDATE ON village_stats FOR EACH ROW
       WHEN (NEW.village_code = '${adult.village}') EXECUTE FUNCTION test_refuse_stats()`,
    );
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string }), done()) }));
    try {
      await expect(refreshAgeRollups(database.db)).rejects.toThrow(/refused by the test/);
      expect(await asOf()).toBe(since);
      expect(await households()).toEqual(before);
      expect(await database.db.query('SELECT * FROM village_stats ORDER BY village_code')).toEqual(statsBefore);
      // The refresher's own run at start fails the same way: logged, never thrown into the process.
      const refresher = startAgeRollupRefresher(database.db, log, 3_600_000);
      await refresher.stop();
      expect(lines).toEqual([expect.objectContaining({ level: 50, msg: expect.stringMatching(/^age roll-up refresh failed and changed nothing/) })]);
    } finally {
      await database.db.query('DROP TRIGGER refuse_stats ON village_stats');
      await database.db.query('DROP FUNCTION test_refuse_stats()');
    }
    const refresher = startAgeRollupRefresher(database.db, log, 0);
    expect(await refresher.runNow()).toMatchObject({ outcome: 'REFRESHED', fromDate: since, toDate: today, householdsChanged: 2 });
    await refresher.stop();
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: `age roll-ups refreshed from ${since} to ${today}: 2 households changed` });
    const after = await households();
    expect(after.get(elderly.household)!.has_elderly).toBe(true);
    expect(after.get(adult.household)!.has_child).toBe(false);
  });

  it('after a refresh, checks a sample of villages against a recomputation: a row a write left wrong is logged as an error and rebuilt', async () => {
    // A write outside the writers' rule left a village's age counts wrong: adding would keep it so.
    const wrong = await pick('turnsElderly');
    await database.db.query(
      'UPDATE village_stats SET elderly_members = elderly_members + 5, households_with_elderly = households_with_elderly - 1 WHERE village_code = $1',
      [wrong.village],
    );
    // While a day is pending the counts of some villages are legitimately of an earlier day: no check.
    await setAsOf(await dayOffset(-1));
    expect(await database.db.query('SELECT * FROM village_age_drift(100000)')).toEqual([]);

    const lines: { level: number; msg: string; villages?: unknown }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string }), done()) }));
    // Every village of the test database in the sample, so that the wrong one is drawn.
    const refresher = startAgeRollupRefresher(database.db, log, 0, 100_000);
    expect(await refresher.runNow()).toMatchObject({ outcome: 'REFRESHED' });
    await refresher.stop();

    const [stats] = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM village_stats');
    expect(lines.filter((l) => l.level >= 50)).toEqual([
      expect.objectContaining({
        msg: `village statistics: the age counts of 1 of 100000 villages checked differed from a recomputation as of ${today}; rebuilt`,
        villages: [{ villageCode: wrong.village, stored: expect.any(Array), recomputed: expect.any(Array) }],
      }),
    ]);
    expect(stats!.n).toBeGreaterThan(1);
    expect(await villagesDifferingFromRecomputation()).toEqual([]);
    // Checked again, nothing differs and nothing is logged.
    lines.length = 0;
    await setAsOf(await dayOffset(-1));
    const again = startAgeRollupRefresher(database.db, log, 0, 100_000);
    await again.runNow();
    await again.stop();
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('survives an unreachable database: the run is logged as a warning, and the process goes on', async () => {
    const unreachable = await openPostgres({ url: 'postgres://postgres@127.0.0.1:1/none', poolSize: 1, statementTimeoutMs: 1000, connectionTimeoutMs: 1000 });
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string }), done()) }));
    try {
      const refresher = startAgeRollupRefresher(unreachable, log, 3_600_000);
      await refresher.stop();
      expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/^age roll-up refresh: database unavailable; the next run \(in 3600 s\) retries/) })]);
    } finally {
      await unreachable.close();
    }
  });
});

describe('the migration (drizzle/0021) on an existing database', () => {
  it('brings stale age roll-ups and village statistics to today once, as it records today', async () => {
    // Roll-ups computed on days nobody recorded: a household flagged elderly with no elderly member,
    // and a village whose statistics count one child too many.
    const elderly = await pick('turnsElderly');
    await database.db.transaction(async (tx) => {
      await tx.query("SET LOCAL kt.skip_rollups = 'on'");
      await tx.query('UPDATE households SET has_elderly = true WHERE id = $1', [elderly.household]);
      await tx.query('UPDATE village_stats SET child_members = child_members + 1 WHERE village_code = $1', [elderly.village]);
    });
    expect(await staleHouseholds()).toEqual([elderly.household]);
    const statements = readFileSync('drizzle/0021_age_rollups_as_of.sql', 'utf8').split('--> statement-breakpoint');
    const insert = statements.findIndex((s) => s.includes('INSERT INTO household_age_rollups'));
    expect(insert).toBeGreaterThan(0);
    await database.db.transaction(async (tx) => {
      // The migration's own statements from its INSERT of the day on (the table exists here already).
      await tx.query('DELETE FROM household_age_rollups');
      for (const statement of statements.slice(insert)) await tx.query(statement);
    });
    expect(await staleHouseholds()).toEqual([]);
    expect(await asOf()).toBe(today);
    const [stats] = await database.db.query<{ stale: number }>(
      `SELECT count(*)::int AS stale FROM village_stats s WHERE s.village_code = $1 AND s.child_members <> (
         SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id
         WHERE h.village_code = s.village_code AND h.inactive_since IS NULL AND m.birth_date > current_date - interval '18 years')`,
      [elderly.village],
    );
    expect(stats!.stale).toBe(0);
  });
});

describe('the migration (drizzle/0022) on an existing database', () => {
  it('records every existing village row as of the later of the day it was computed and the recorded day', async () => {
    const statements = readFileSync('drizzle/0022_village_ages_as_of.sql', 'utf8').split('--> statement-breakpoint');
    const backfill = statements.find((s) => s.includes('UPDATE village_stats SET ages_as_of'));
    expect(backfill).toBeDefined();
    const recorded = await dayOffset(-3);
    const rolledBack = new Error('rolled back by the test');
    let rows: { n: number; today: number; recorded: number }[] = [];
    await expect(
      database.db.transaction(async (tx) => {
        // Half the rows computed five days ago (before the recorded day), half today (after it:
        // a writer after midnight counted today's birthdays already).
        await tx.query('UPDATE household_age_rollups SET as_of = $1::date', [recorded]);
        await tx.query(`UPDATE village_stats SET refreshed_at = CASE WHEN village_code < '33' THEN now() - interval '5 days' ELSE now() END`);
        await tx.query(backfill!);
        rows = await tx.query<{ n: number; today: number; recorded: number }>(
          `SELECT count(*)::int AS n,
                  count(*) FILTER (WHERE village_code >= '33' AND ages_as_of = current_date)::int AS today,
                  count(*) FILTER (WHERE village_code < '33' AND ages_as_of = $1::date)::int AS recorded FROM village_stats`,
          [recorded],
        );
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(rows[0]!.today).toBeGreaterThan(0);
    expect(rows[0]!.recorded).toBeGreaterThan(0);
    expect(rows[0]!.today + rows[0]!.recorded).toBe(rows[0]!.n);
  });
});

describe('the age thresholds every writer shares', () => {
  it('are PostgreSQL date arithmetic, leap days included, equal to the expressions the writers used before', async () => {
    const [row] = await database.db.query<{ n: number; differing: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE elderly_born_by(d) <> d - interval '60 years'
                                                  OR child_born_after(d) <> d - interval '18 years')::int AS differing
       FROM (SELECT generate_series('2023-01-01'::date, '2104-12-31'::date, interval '1 day')::date AS d) s`,
    );
    expect(row).toEqual({ n: 29950, differing: 0 });
    const [leap] = await database.db.query(
      `SELECT elderly_born_by('2084-02-29')::text AS e84, elderly_born_by('2100-02-28')::text AS e2100,
              child_born_after('2026-02-28')::text AS c26, child_born_after('2026-03-01')::text AS c26m, child_born_after('2024-02-29')::text AS c24`,
    );
    expect(leap).toEqual({ e84: '2024-02-29', e2100: '2040-02-28', c26: '2008-02-28', c26m: '2008-03-01', c24: '2006-02-28' });
  });

  it('find the members who cross a threshold through members_birth_date_idx', async () => {
    // Too few rows in the test database for the planner to prefer the index on its own.
    const plan = await database.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT household_id FROM members m
         WHERE (m.birth_date > elderly_born_by('2026-01-01') AND m.birth_date <= elderly_born_by(current_date))
            OR (m.birth_date > child_born_after('2026-01-01') AND m.birth_date <= child_born_after(current_date))`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/members_birth_date_idx/);
  });
});

describe('the refresher in the API process', () => {
  it('runs at start when AGE_ROLLUP_REFRESH_MS is set, and not at all under the test default', async () => {
    expect(loadConfig({ NODE_ENV: 'test' }).ageRollups.refreshMs).toBe(0);
    expect(loadConfig({ NODE_ENV: 'development' }).ageRollups.refreshMs).toBe(900_000);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), AGE_ROLLUP_REFRESH_MS: '0' }).ageRollups.refreshMs).toBe(0);

    const { elderly, since } = await stageBirthdays();
    const quiet = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), database.db, silent);
    await quiet.stop();
    expect(await asOf()).toBe(since);

    const app = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AGE_ROLLUP_REFRESH_MS: '600000' }), database.db, silent);
    try {
      // Queued after the run at start, which did the day's work.
      expect(await app.ageRollups.runNow()).toMatchObject({ outcome: 'UP_TO_DATE', fromDate: today });
    } finally {
      await app.stop();
    }
    expect((await households()).get(elderly.household)!.has_elderly).toBe(true);
  });
});
