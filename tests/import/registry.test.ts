/**
 * Issue #17: registry extracts imported safely — idempotent, all-or-nothing with a row-level report,
 * snapshot semantics (missing households inactive, never deleted), history, derived state, audit.
 */
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type RunOptions } from '../../src/features/imports/import.runner.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { extract, type FixtureHousehold, household, nik, pointInside, TANJUNG_MAS } from './registry-fixture.js';

let t: TestDatabase;
let inside: [number, number];

beforeAll(async () => {
  t = await openTestDatabase(inject('template'));
  inside = await pointInside(t.db, TANJUNG_MAS);
});
afterAll(async () => t?.dispose());

const options = (asOf: string, extra: Partial<RunOptions> = {}): RunOptions => ({ dryRun: false, asOf, mode: 'FULL', skipInvalid: false, actor: 'test:import', ...extra });
/** Each prefix gets its own range of NIK and KK serials, so fixtures of different tests never collide. */
const BASE: Record<string, number> = { IDEM: 0, BAD: 10, CHK: 20, DRY: 30, SNAP: 40, JOB: 50, INV: 60, SKP: 70, AGE: 80 };
const fixture = (prefix: string, n: number): FixtureHousehold[] =>
  Array.from({ length: n }, (_, i) => household(`${prefix}-${i + 1}`, TANJUNG_MAS, inside, BASE[prefix]! + i + 1));

async function state(prefix: string) {
  const [row] = await t.db.query<Record<string, number>>(
    `SELECT count(*)::int AS households, count(*) FILTER (WHERE inactive_since IS NOT NULL)::int AS inactive,
            (SELECT count(*) FROM members m JOIN households x ON x.id = m.household_id WHERE x.registry_id LIKE $1)::int AS members,
            (SELECT count(*) FROM pas_tags p JOIN households x ON x.id = p.household_id WHERE x.registry_id LIKE $1)::int AS tags,
            (SELECT count(*) FROM program_memberships p JOIN households x ON x.id = p.household_id WHERE x.registry_id LIKE $1)::int AS memberships,
            (SELECT count(*) FROM household_field_history f JOIN households x ON x.id = f.household_id WHERE x.registry_id LIKE $1)::int AS history,
            (SELECT max(updated_at) FROM households WHERE registry_id LIKE $1)::text AS updated
     FROM households WHERE registry_id LIKE $1`,
    [`${prefix}-%`],
  );
  return row!;
}

describe('registry import', () => {
  it('imports a valid extract, and the same extract a second time changes nothing', async () => {
    const files = extract(fixture('IDEM', 3));
    const first = await runImport(t.db, 'REGISTRY', files, options('2025-06-30'));
    expect(first.issues).toEqual([]);
    expect(first.written).toBe(true);
    expect(first.changes).toMatchObject({ householdsInserted: 3, membersInserted: 9, pasTagsAdded: 3, programMembershipsOpened: 3 });
    const after1 = await state('IDEM');
    expect(after1).toMatchObject({ households: 3, members: 9, tags: 3, memberships: 3, inactive: 0 });
    // Identifiers only in the identity tables; derived state in the same transaction.
    const [row] = await t.db.query<{ is_rtlh: boolean; member_count: number; nik: string; stats: number }>(
      `SELECT h.is_rtlh, h.member_count, i.head_nik AS nik, (SELECT households FROM village_stats WHERE village_code = h.village_code) AS stats
       FROM households h JOIN household_identities i ON i.household_id = h.id WHERE h.registry_id = 'IDEM-1'`,
    );
    expect(row).toMatchObject({ is_rtlh: true, member_count: 3, nik: nik(TANJUNG_MAS, '1975-03-14', 'MALE', '1003') });
    expect(row!.stats).toBeGreaterThanOrEqual(3);
    // New households are inserted with their roll-ups computed from the staged rows: the function
    // the triggers use finds nothing to change.
    const [before] = await t.db.query<{ pas: string; rollups: string }>(
      `SELECT string_agg(pas::text || member_count || has_elderly || has_child || has_disabled, ';' ORDER BY id) AS rollups,
              string_agg(pas::text, ';' ORDER BY id) AS pas FROM households WHERE registry_id LIKE 'IDEM-%'`,
    );
    expect(before!.pas).toMatch(/[A-Z]/);
    await t.db.query(`SELECT refresh_household_rollups(ARRAY(SELECT id FROM households WHERE registry_id LIKE 'IDEM-%'))`);
    const [recomputed] = await t.db.query<{ rollups: string }>(
      `SELECT string_agg(pas::text || member_count || has_elderly || has_child || has_disabled, ';' ORDER BY id) AS rollups FROM households WHERE registry_id LIKE 'IDEM-%'`,
    );
    expect(recomputed!.rollups).toBe(before!.rollups);
    // The import computes the RTLH verdict itself (kt.rtlh_computed, drizzle/0020): the row
    // trigger, fired over the same rows, gives the same reasons and verdict.
    const verdicts = `SELECT string_agg(registry_id || ':' || rtlh_reasons::text || is_rtlh, ';' ORDER BY id) AS v FROM households WHERE registry_id LIKE 'IDEM-%'`;
    const [imported] = await t.db.query<{ v: string }>(verdicts);
    expect(imported!.v).toContain('FLOOR');
    await t.db.query(`UPDATE households SET occupants = occupants WHERE registry_id LIKE 'IDEM-%'`);
    const [byTrigger] = await t.db.query<{ v: string }>(verdicts);
    expect(byTrigger!.v).toBe(imported!.v);
    const audits = await t.db.query<{ after: { changes: Record<string, number> } }>(`SELECT after FROM audit_log WHERE action = 'IMPORT_REGISTRY' ORDER BY id`);
    expect(audits.at(-1)!.after.changes.householdsInserted).toBe(3);

    const second = await runImport(t.db, 'REGISTRY', files, options('2025-06-30'));
    expect(second.written).toBe(true);
    expect(Object.values(second.changes).every((n) => n === 0)).toBe(true);
    expect(await state('IDEM')).toEqual(after1);
  });

  it('an unchanged extract that brings a listed household\'s has_elderly to today also brings its village\'s statistics', async () => {
    // The head turned 60 yesterday. The household's flags were last computed before that (the day
    // recorded for the age roll-ups is three days ago), and its village's count of households with
    // an elderly member counts the stored flag.
    const [{ born } = { born: '' }] = await t.db.query<{ born: string }>('SELECT elderly_born_by(current_date - 1)::text AS born');
    const fixtureHousehold = fixture('AGE', 1)[0]!;
    const head = fixtureHousehold.members[0]!;
    fixtureHousehold.members[0] = { ...head, birthDate: born };
    const files = extract([fixtureHousehold]);
    expect((await runImport(t.db, 'REGISTRY', files, options('2025-06-30', { mode: 'INCREMENTAL' }))).written).toBe(true);
    const elderlyHouseholds = async () =>
      (
        await t.db.query<{ stats: number; flags: number }>(
          `SELECT (SELECT households_with_elderly FROM village_stats WHERE village_code = $1) AS stats,
                  (SELECT count(*)::int FROM households WHERE village_code = $1 AND inactive_since IS NULL AND has_elderly) AS flags`,
          [TANJUNG_MAS],
        )
      )[0]!;
    await t.db.transaction(async (tx) => {
      await tx.query("SET LOCAL kt.skip_rollups = 'on'");
      await tx.query("UPDATE households SET has_elderly = false WHERE registry_id = 'AGE-1'");
      await tx.query('UPDATE village_stats SET households_with_elderly = households_with_elderly - 1 WHERE village_code = $1', [TANJUNG_MAS]);
      await tx.query('UPDATE household_age_rollups SET as_of = current_date - 3');
    });
    const stale = await elderlyHouseholds();
    expect(stale.stats).toBe(stale.flags);

    const second = await runImport(t.db, 'REGISTRY', files, options('2025-06-30', { mode: 'INCREMENTAL' }));
    expect(Object.values(second.changes).every((n) => n === 0)).toBe(true);
    const [flag] = await t.db.query<{ has_elderly: boolean }>("SELECT has_elderly FROM households WHERE registry_id = 'AGE-1'");
    expect(flag!.has_elderly).toBe(true);
    // The daily refresh adds only the flags it flips itself: this one the import flipped.
    await t.db.query('SELECT * FROM refresh_age_rollups()');
    const after = await elderlyHouseholds();
    expect(after.flags).toBe(stale.flags + 1);
    expect(after.stats).toBe(after.flags);
  });

  it('a file with one bad row writes nothing and reports exactly that row', async () => {
    const rows = fixture('BAD', 3);
    rows[1]!.desil = 11;
    const report = await runImport(t.db, 'REGISTRY', extract(rows), options('2025-06-30'));
    expect(report.written).toBe(false);
    expect(report.issues).toEqual([{ file: 'households.csv', line: 3, column: 'desil', value: '11', expected: 'an integer from 1 to 10' }]);
    expect((await state('BAD')).households).toBe(0);

    // With skipInvalid the other rows are written and the skipped ones listed.
    const skipped = await runImport(t.db, 'REGISTRY', extract(rows), options('2025-06-30', { skipInvalid: true }));
    expect(skipped.written).toBe(true);
    expect(skipped.skippedRows).toEqual([{ file: 'households.csv', line: 3 }, { file: 'members.csv', line: 5 }, { file: 'members.csv', line: 6 }, { file: 'members.csv', line: 7 }]);
    expect((await state('BAD')).households).toBe(2);
  });

  it('checks NIK structure against the member (birth date, women day + 40), the region prefix, duplicates and the location', async () => {
    const rows = fixture('CHK', 3);
    rows[1]!.lonLat = [110.0, -7.5]; // far outside Tanjung Mas
    const files = extract(rows);
    const lines = files.members.text.trimEnd().split('\n');
    // Line 3 is the first household's wife: her NIK says woman (day + 40); the row now says MALE.
    lines[2] = lines[2]!.replace(',FEMALE,', ',MALE,');
    // A duplicate NIK within the file: line 2 again, as a fourth member of the first household (line 11).
    lines.push(lines[1]!.replace('Kepala', 'Kembar').replace(',HEAD,', ',OTHER,'));
    files.members.text = `${lines.join('\n')}\n`;
    const report = await runImport(t.db, 'REGISTRY', files, options('2025-06-30'));
    expect(report.written).toBe(false);
    const found = report.issues.map((i) => `${i.file}:${i.line}:${i.column}`);
    expect(found).toContain('members.csv:3:nik');
    expect(found).toContain('households.csv:3:longitude,latitude');
    expect(found).toContain('members.csv:11:nik');
    expect(report.issues.find((i) => i.line === 3 && i.file === 'members.csv')!.expected).toMatch(/man/);
  });

  it('a dry run reports the changes and writes nothing', async () => {
    const report = await runImport(t.db, 'REGISTRY', extract(fixture('DRY', 2)), options('2025-06-30', { dryRun: true }));
    expect(report.dryRun).toBe(true);
    expect(report.written).toBe(false);
    expect(report.changes).toMatchObject({ householdsInserted: 2, membersInserted: 6 });
    expect((await state('DRY')).households).toBe(0);
  });

  it('a second full snapshot without a household marks it inactive (kept, with history); incremental touches only listed ones', async () => {
    const rows = fixture('SNAP', 3);
    await runImport(t.db, 'REGISTRY', extract(rows), options('2025-06-30'));
    rows[0]!.desil = 4;
    rows[0]!.floorAreaM2 = 60;
    const second = await runImport(t.db, 'REGISTRY', extract(rows.slice(0, 2)), options('2025-09-30'));
    expect(second.issues).toEqual([]);
    // SNAP-3 and every other household of Tanjung Mas the snapshot does not list.
    expect(second.changes['householdsMarkedInactive']).toBeGreaterThanOrEqual(1);
    const snap = await t.db.query<{ registry_id: string; inactive_since: string | null; desil: number }>(
      `SELECT registry_id, inactive_since, desil FROM households WHERE registry_id LIKE 'SNAP-%' ORDER BY registry_id`,
    );
    expect(snap).toEqual([
      { registry_id: 'SNAP-1', inactive_since: null, desil: 4 },
      { registry_id: 'SNAP-2', inactive_since: null, desil: rows[1]!.desil },
      { registry_id: 'SNAP-3', inactive_since: '2025-09-30', desil: rows[2]!.desil },
    ]);
    const history = await t.db.query<{ field: string; old_value: string; new_value: string; as_of: string }>(
      `SELECT f.field, f.old_value, f.new_value, f.as_of FROM household_field_history f JOIN households h ON h.id = f.household_id
       WHERE h.registry_id = 'SNAP-1' ORDER BY f.field`,
    );
    expect(history).toEqual([
      { field: 'desil', old_value: String(((41 % 4) + 1)), new_value: '4', as_of: '2025-09-30' },
      { field: 'floor_area_m2', old_value: '24', new_value: '60', as_of: '2025-09-30' },
    ]);
    // Inactive households stay in the table but leave the village statistics (same transaction).
    const [stats] = await t.db.query<{ stats: number; active: number }>(
      `SELECT (SELECT households FROM village_stats WHERE village_code = $1) AS stats,
              (SELECT count(*)::int FROM households WHERE village_code = $1 AND inactive_since IS NULL) AS active`,
      [TANJUNG_MAS],
    );
    expect(stats!.stats).toBe(stats!.active);
    // An older snapshot is refused for households a newer one already set.
    const stale = await runImport(t.db, 'REGISTRY', extract(rows.slice(0, 1)), options('2025-07-01'));
    expect(stale.written).toBe(false);
    expect(stale.issues[0]).toMatchObject({ file: 'households.csv', line: 2, column: 'registry_id' });
    // Incremental: only the listed household changes; SNAP-2 stays active although not listed.
    rows[0]!.desil = 5;
    const inc = await runImport(t.db, 'REGISTRY', extract(rows.slice(0, 1)), options('2025-10-31', { mode: 'INCREMENTAL' }));
    expect(inc.changes).toMatchObject({ householdsChanged: 1, householdsMarkedInactive: 0 });
    const [two] = await t.db.query<{ inactive_since: string | null }>(`SELECT inactive_since FROM households WHERE registry_id = 'SNAP-2'`);
    expect(two!.inactive_since).toBeNull();
  });

  it('rows whose values cannot be stored (unknown enum, empty sex, impossible date, duplicate registry id) are row-level issues, never a database error', async () => {
    const rows = fixture('INV', 6);
    const files = extract(rows);
    const h = files.households.text.trimEnd().split('\n');
    h[2] = h[2]!.replace(',FISHER,', ',FOO,'); // line 3: INV-2
    // Line 8: INV-1 again (its own family card number, so the only finding is the registry id).
    h.push(h[1]!.replace(/(\d{10})0*7061(,)/, '$1009999$2'));
    files.households.text = `${h.join('\n')}\n`;
    const m = files.members.text.trimEnd().split('\n');
    m[8] = m[8]!.replace(',FEMALE,SPOUSE,', ',,SPOUSE,'); // line 9: INV-3's wife
    m[12] = m[12]!.replace(',2012-07-21,', ',2025-02-30,'); // line 13: INV-4's child
    files.members.text = `${m.join('\n')}\n`;
    const report = await runImport(t.db, 'REGISTRY', files, options('2025-11-30'));
    expect(report.written).toBe(false);
    expect(report.issues).toEqual([
      { file: 'households.csv', line: 3, column: 'livelihood', value: 'FOO', expected: expect.stringMatching(/^one of .*FISHER/) },
      { file: 'households.csv', line: 8, column: 'registry_id', value: 'INV-1', expected: 'a registry id not already used on line 2' },
      { file: 'members.csv', line: 9, column: 'sex', value: '', expected: 'one of MALE, FEMALE' },
      { file: 'members.csv', line: 13, column: 'birth_date', value: '2025-02-30', expected: 'a date YYYY-MM-DD' },
    ]);
    expect((await state('INV')).households).toBe(0);

    // With skipInvalid every household with a finding (INV-1 twice listed, INV-2, INV-3, INV-4) is left out, the rest written.
    const skipped = await runImport(t.db, 'REGISTRY', files, options('2025-11-30', { skipInvalid: true }));
    expect(skipped.written).toBe(true);
    expect(skipped.changes).toMatchObject({ householdsInserted: 2, membersInserted: 6 });
    const written = await t.db.query<{ registry_id: string }>(`SELECT registry_id FROM households WHERE registry_id LIKE 'INV-%' ORDER BY 1`);
    expect(written.map((r) => r.registry_id)).toEqual(['INV-5', 'INV-6']);
  });

  it('skipInvalid in a FULL snapshot leaves skipped households as they were (not inactive)', async () => {
    const rows = fixture('SKP', 3);
    await runImport(t.db, 'REGISTRY', extract(rows), options('2025-11-30'));
    rows[1]!.desil = 11;
    const report = await runImport(t.db, 'REGISTRY', extract(rows), options('2025-12-31', { skipInvalid: true }));
    expect(report.written).toBe(true);
    expect(report.skippedRows[0]).toEqual({ file: 'households.csv', line: 3 });
    const skp = await t.db.query<{ registry_id: string; inactive_since: string | null; registry_as_of: string }>(
      `SELECT registry_id, inactive_since, registry_as_of::text FROM households WHERE registry_id LIKE 'SKP-%' ORDER BY registry_id`,
    );
    expect(skp).toEqual([
      { registry_id: 'SKP-1', inactive_since: null, registry_as_of: '2025-12-31' },
      { registry_id: 'SKP-2', inactive_since: null, registry_as_of: '2025-11-30' },
      { registry_id: 'SKP-3', inactive_since: null, registry_as_of: '2025-12-31' },
    ]);
  });
});
