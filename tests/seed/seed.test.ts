import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { demoCounts, seedDemoIfEmpty } from '../../src/seed/seed.service.js';
import { VillageHouseholdGenerator } from '../../src/seed/synthetic/household.generator.js';
import { buildVillageContexts } from '../../src/seed/synthetic/village-contexts.js';
import { openTestDatabase, TEST_DEMO_SCALE, TEST_SEED, type TestDatabase } from '../support/test-database.js';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { createHash } from 'node:crypto';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => database?.dispose());

const contexts = buildVillageContexts(
  new Map([
    ['33.74.02.1008', { isCoastal: true, isFishing: true }],
    ['33.74.01.1001', { isCoastal: false, isFishing: false }],
  ]),
);

function checksum(seed: number): string {
  const hash = createHash('sha256');
  for (const village of contexts) {
    const generator = new VillageHouseholdGenerator(village, seed);
    for (let i = 0; i < 200; i += 1) hash.update(JSON.stringify(generator.next()));
  }
  return hash.digest('hex');
}

describe('synthetic households', () => {
  it('are deterministic: the same seed gives the same checksum, another seed a different one', () => {
    expect(checksum(7)).toBe(checksum(7));
    expect(checksum(7)).not.toBe(checksum(8));
  });

  it('lie inside their village, carry valid 16-digit NIK/KK with the district prefix and obviously synthetic ids', () => {
    for (const village of contexts) {
      const generator = new VillageHouseholdGenerator(village, TEST_SEED);
      for (let i = 0; i < 100; i += 1) {
        const h = generator.next();
        expect(booleanPointInPolygon([...h.lonLat], village.boundary)).toBe(true);
        expect(h.registryId).toMatch(/^SYN-/);
        const district = village.code.split('.').slice(0, 3).join('');
        for (const id of [h.headNik, h.familyCardNumber, ...h.members.map((m) => m.nik)]) {
          expect(id).toMatch(/^\d{16}$/);
          expect(id.startsWith(district)).toBe(true);
          expect(id[12]).toBe('9');
        }
      }
    }
  });

  it('place most households of a fishing village within 1 km of the shore', async () => {
    const [row] = await database.db.query<{ near: number; total: number }>(
      `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM shorelines s WHERE s.village_code = h.village_code
                AND ST_DWithin(s.geom::geography, h.location::geography, 1000)))::int AS near, count(*)::int AS total
       FROM households h WHERE h.village_code = '33.74.02.1008'`,
    );
    expect(row!.near / row!.total).toBeGreaterThan(0.7);
  });
});

describe('demo seed in the database', () => {
  it('recorded one complete run whose household count matches the table and the plan', async () => {
    const runs = await database.db.query<{ kind: string; households: number; checksum: string }>('SELECT kind, households, checksum FROM seed_runs');
    expect(runs).toHaveLength(1);
    const [count] = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM households');
    expect(runs[0]!.households).toBe(count!.n);
    const villages = buildVillageContexts(new Map((await database.db.query<{ village_code: string; is_coastal: boolean }>('SELECT village_code, is_coastal FROM village_geography')).map((r) => [r.village_code, { isCoastal: r.is_coastal, isFishing: false }])));
    // The 8,181 villages of the 37 Pantura kab/kota; households only where the demo needs them.
    expect(villages).toHaveLength(8181);
    const counts = demoCounts(villages, TEST_SEED, TEST_DEMO_SCALE);
    expect(counts.size).toBe(8181);
    for (const [village, n] of counts) {
      if (village.character !== 'INLAND') expect(n).toBeGreaterThan(0);
    }
  });

  it('is not loaded twice: a second start finds the seed and adds nothing', async () => {
    const log = createLogger({ env: 'test', log: { level: 'silent' } });
    const [before] = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM households');
    expect(await seedDemoIfEmpty(database.db, { seed: TEST_SEED, scale: TEST_DEMO_SCALE }, log)).toBeNull();
    const [after] = await database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM households');
    expect(after!.n).toBe(before!.n);
  });

  // Elderly: BPS's households_with_elderly is 33.16%, but the generator's head ages, N(44, 13), give
  // only about a quarter (13.6% of heads are 60+, where BPS's "55% of the elderly head a household"
  // implies ~27%). Recalibrating changes every demo household and so every README output; it is a
  // known defect (src/seed/synthetic/calibration.ts), and this test holds the generator to what it
  // does today so that a further drift is caught.
  it('is calibrated: a quarter or more of households have an elderly member (BPS: a third), about 13% a disabled one', async () => {
    const [row] = await database.db.query<{ elderly: number; disabled: number; size: number }>(
      `SELECT avg(has_elderly::int)::float8 AS elderly, avg(has_disabled::int)::float8 AS disabled, avg(member_count)::float8 AS size FROM households`,
    );
    expect(row!.elderly).toBeGreaterThan(0.23);
    expect(row!.elderly).toBeLessThan(0.42);
    expect(row!.disabled).toBeGreaterThan(0.1);
    expect(row!.disabled).toBeLessThan(0.17);
    expect(row!.size).toBeGreaterThan(3.5);
    expect(row!.size).toBeLessThan(5);
  });

  it('writes each household once with the roll-ups refresh_household_rollups would give it', async () => {
    // The seed computes PAS arrays, member counts and has_* flags as it generates (the age
    // thresholds read from the database); the function the triggers use must find nothing to change.
    // Ages are taken on the seed's day (its transaction's, recorded in seed_runs), not today's: a
    // suite whose template was seeded before midnight and that reaches this test after it saw
    // members turn 18 or 60.
    const [changed] = await database.db.query<{ n: number }>(
      `WITH seeded AS (SELECT finished_at::date AS day FROM seed_runs ORDER BY id DESC LIMIT 1)
       SELECT count(*)::int AS n FROM households h, seeded WHERE (h.pas, h.member_count, h.has_elderly, h.has_child, h.has_disabled) IS DISTINCT FROM (
         coalesce((SELECT array_agg(DISTINCT t.pas ORDER BY t.pas) FROM pas_tags t WHERE t.household_id = h.id), '{}'),
         (SELECT count(*) FROM members m WHERE m.household_id = h.id)::smallint,
         EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date <= elderly_born_by(seeded.day)),
         EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.birth_date > child_born_after(seeded.day)),
         EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.disability IS NOT NULL))`,
    );
    expect(changed!.n).toBe(0);
  });

  it('keeps derived state consistent: roll-ups and RTLH verdicts follow members, tags and the active rule', async () => {
    const [h] = await database.db.query<{ id: number }>(`SELECT id FROM households WHERE NOT ('WARGA_BINAAN' = ANY(pas)) ORDER BY id LIMIT 1`);
    await database.db.query(`INSERT INTO pas_tags (household_id, pas, source, recorded_on) VALUES ($1, 'WARGA_BINAAN', 'FIELD_REPORT', '2025-06-01')`, [h!.id]);
    const [tagged] = await database.db.query<{ pas: string[] }>('SELECT pas::text[] AS pas FROM households WHERE id = $1', [h!.id]);
    expect(tagged!.pas).toContain('WARGA_BINAAN');
    await database.db.query(`UPDATE households SET floor_area_m2 = 2, occupants = 5, floor_material = 'CERAMIC' WHERE id = $1`, [h!.id]);
    const [verdict] = await database.db.query<{ is_rtlh: boolean; rtlh_reasons: string[] }>('SELECT is_rtlh, rtlh_reasons FROM households WHERE id = $1', [h!.id]);
    expect(verdict).toMatchObject({ is_rtlh: true });
    expect(verdict!.rtlh_reasons).toContain('FLOOR_AREA_PER_PERSON');
    await database.db.query(`UPDATE households SET floor_area_m2 = 42 WHERE id = $1`, [h!.id]);
    const [nine] = await database.db.query<{ r: string[] }>(`SELECT rtlh_reasons AS r FROM households WHERE id = $1`, [h!.id]);
    expect(nine!.r).not.toContain('FLOOR_AREA_PER_PERSON');
    await database.db.query(`SELECT activate_rtlh_rule('PUPR_BSPS')`);
    const [bsps] = await database.db.query<{ r: string[] }>(`SELECT rtlh_reasons AS r FROM households WHERE id = $1`, [h!.id]);
    expect(bsps!.r).toContain('FLOOR_AREA_PER_PERSON');
  });
});
