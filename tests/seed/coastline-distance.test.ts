/**
 * The first start loads each village's distance to the Natural Earth coastline from a committed file
 * instead of computing it (data/tools/derive-coastline-distance.ts). This recomputes it on the test
 * database, whose seed loaded the same boundaries and shorelines, and compares: a changed boundary or
 * coastline file without `npm run data:derive` fails here.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { computeDistancesToCoastline, readDistancesToCoastline } from '../../src/seed/reference/geography.loader.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase(inject('template'));
});
afterAll(async () => database?.dispose());

/**
 * PGlite reproduces the committed doubles exactly (the file was written from it); PostgreSQL's GEOS
 * may differ in the last bits, far below the 1 mm allowed.
 */
const TOLERANCE_M = 0.001;

describe('committed distances to the Natural Earth coastline', () => {
  it('agree with the PostGIS derivation for every bounded village, and are what the seed loaded', async () => {
    const committed = readDistancesToCoastline();
    const computed = await computeDistancesToCoastline(database.db);
    expect(computed.map((r) => r.village_code)).toEqual(committed.map((r) => r.code));
    const disagreeing = computed.filter((row, i) => {
      const file = committed[i]!.m;
      return row.m === null || file === null ? row.m !== file : Math.abs(row.m - file) > TOLERANCE_M;
    });
    expect(disagreeing).toEqual([]);
    expect(committed.filter((r) => r.m === null).length).toBeGreaterThan(0);
    expect(committed.filter((r) => r.m !== null).length).toBeGreaterThan(0);

    const loaded = await database.db.query<{ village_code: string; m: number | null }>(
      'SELECT village_code, distance_to_coastline_m AS m FROM village_geography ORDER BY village_code',
    );
    expect(loaded).toEqual(committed.map((r) => ({ village_code: r.code, m: r.m })));
  });
});
