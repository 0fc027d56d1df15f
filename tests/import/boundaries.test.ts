/**
 * Issue #17: boundary import (ST_IsValidDetail reasons, ST_MakeValid repair, coastal flag derived in
 * PostGIS from the polygons and their neighbours, households outside a replaced boundary reported),
 * facility import into existing_facilities, and the Pantura demo (Talaga with its boundary).
 */
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/features/imports/import.runner.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const BEDONO = '33.21.04.2012'; // a fishing village on Demak's coast (seaward edge in the bundled derivation)
/** An inland Demak village: the one farthest from the kab outline (its neighbours are all loaded). */
let INLAND = '';
const TALAGA = '36.04.32.2004';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase(inject('template'));
  const [row] = await t.db.query<{ code: string }>(
    `WITH outline AS (SELECT ST_Boundary(ST_Union(boundary)) AS g FROM village_geography WHERE village_code LIKE '33.21.%')
     SELECT village_code AS code FROM village_geography, outline
     WHERE village_code LIKE '33.21.%' AND NOT is_coastal ORDER BY ST_Distance(boundary, outline.g) DESC LIMIT 1`,
  );
  INLAND = row!.code;
});
afterAll(async () => t?.dispose());

const opts = { dryRun: false, mode: 'FULL' as const, skipInvalid: false, actor: 'test:import' };

async function feature(code: string, withBowTie: boolean) {
  const [row] = await t.db.query<{ geom: string; x: number; y: number }>(
    `SELECT ST_AsGeoJSON(boundary) AS geom, ST_X(ST_PointOnSurface(boundary)) AS x, ST_Y(ST_PointOnSurface(boundary)) AS y
     FROM village_geography WHERE village_code = $1`,
    [code],
  );
  const geometry = JSON.parse(row!.geom) as { type: 'MultiPolygon'; coordinates: number[][][][] };
  if (withBowTie) {
    // A self-intersecting ring ("bow tie") inside the village: invalid, repaired by ST_MakeValid.
    const d = 0.0005;
    const [x, y] = [row!.x, row!.y];
    geometry.coordinates.push([[[x - d, y - d], [x + d, y + d], [x + d, y - d], [x - d, y + d], [x - d, y - d]]]);
  }
  return { type: 'Feature', properties: { kode: code }, geometry };
}

// First: the other tests re-derive coastal flags around the villages they re-import.
describe('the Pantura demo', () => {
  it('has boundaries and coastal flags for all 37 kab/kota, and Talaga with its boundary and households', async () => {
    const [all] = await t.db.query<{ villages: number; regencies: number; coastal: number }>(
      `SELECT count(*)::int AS villages, count(DISTINCT substr(village_code, 1, 5))::int AS regencies, count(*) FILTER (WHERE is_coastal)::int AS coastal
       FROM village_geography`,
    );
    expect(all).toEqual({ villages: 8181, regencies: 37, coastal: 757 });
    const [talaga] = await t.db.query<{ name: string; area_m2: number; households: number }>(
      `SELECT r.name, g.area_m2, (SELECT count(*) FROM households h WHERE h.village_code = g.village_code)::int AS households
       FROM village_geography g JOIN regions r ON r.code = g.village_code WHERE g.village_code = $1`,
      [TALAGA],
    );
    expect(talaga!.name).toBe('Talaga');
    expect(talaga!.area_m2).toBeGreaterThan(1e6);
    expect(talaga!.households).toBeGreaterThan(0);
    // Every household lies in a village with a boundary, and every coastal village has households.
    const [empty] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM village_geography g WHERE g.is_coastal AND NOT EXISTS (SELECT 1 FROM households h WHERE h.village_code = g.village_code)`,
    );
    expect(empty!.n).toBe(0);
  });
});

describe('boundary import', () => {
  it('repairs an invalid ring with the reason and derives the coastal flag in PostGIS', async () => {
    await t.db.query(`UPDATE village_geography SET is_coastal = false, seaward_boundary_m = NULL WHERE village_code = ANY($1::text[])`, [[BEDONO, INLAND]]);
    const collection = { type: 'FeatureCollection', features: [await feature(BEDONO, true), await feature(INLAND, false)] };
    const report = await runImport(t.db, 'BOUNDARIES', { file: { name: 'demak.geojson', text: JSON.stringify(collection) } }, opts);
    expect(report.issues).toEqual([]);
    expect(report.written).toBe(true);
    expect(report.changes).toMatchObject({ boundariesInserted: 0, boundariesReplaced: 2, repaired: 1 });
    const repaired = report.details['repaired'] as { code: string; reason: string }[];
    expect(repaired.map((r) => r.code)).toEqual([BEDONO]);
    expect(repaired[0]!.reason).toMatch(/intersection/i);
    const rows = await t.db.query<{ village_code: string; is_coastal: boolean; seaward_boundary_m: number; valid: boolean; boundary_repaired: boolean; area_m2: number }>(
      `SELECT village_code, is_coastal, seaward_boundary_m, ST_IsValid(boundary) AS valid, boundary_repaired, area_m2
       FROM village_geography WHERE village_code = ANY($1::text[]) ORDER BY village_code`,
      [[BEDONO, INLAND]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.village_code, [r.is_coastal, r.valid]]))).toEqual({ [INLAND]: [false, true], [BEDONO]: [true, true] });
    const bedono = rows.find((r) => r.village_code === BEDONO)!;
    expect(bedono.boundary_repaired).toBe(true);
    expect(bedono.seaward_boundary_m).toBeGreaterThan(1000);
    expect(bedono.area_m2).toBeGreaterThan(1e6);
    expect(report.details['householdsOutsideNewBoundary']).toEqual([]);
  });

  it('refuses unknown codes and non-polygons by feature, writing nothing', async () => {
    const collection = {
      type: 'FeatureCollection',
      features: [await feature(INLAND, false), { type: 'Feature', properties: { kode: '99.99.99.9999' }, geometry: { type: 'Point', coordinates: [110, -7] } }],
    };
    const report = await runImport(t.db, 'BOUNDARIES', { file: { name: 'bad.geojson', text: JSON.stringify(collection) } }, opts);
    expect(report.written).toBe(false);
    expect(report.issues).toEqual([
      { file: 'bad.geojson', line: 2, column: 'properties.kode', value: '99.99.99.9999', expected: 'a village code in the Kemendagri table' },
      { file: 'bad.geojson', line: 2, column: 'geometry.type', value: 'Point', expected: 'Polygon or MultiPolygon' },
    ]);
  });

  it('malformed coordinates are a finding of their feature, not a failed import; with skipInvalid the rest is written and audited', async () => {
    const bad = (kode: string, coordinates: unknown) => ({ type: 'Feature', properties: { kode }, geometry: { type: 'Polygon', coordinates } });
    const collection = {
      type: 'FeatureCollection',
      features: [await feature(INLAND, false), bad(BEDONO, [[['a', -7], [110, -7], [110, -7.1], ['a', -7]]]), bad(TALAGA, [[[110, -7], [111, -7]]]), bad(BEDONO, null)],
    };
    const text = JSON.stringify(collection);
    const report = await runImport(t.db, 'BOUNDARIES', { file: { name: 'coords.geojson', text } }, opts);
    expect(report.written).toBe(false);
    expect(report.issues.map((i) => [i.line, i.column])).toEqual([[2, 'geometry.coordinates'], [3, 'geometry.coordinates'], [4, 'properties.kode'], [4, 'geometry.coordinates']]);
    expect(report.issues[0]).toMatchObject({ value: expect.stringContaining('"a"'), expected: expect.stringMatching(/^Polygon coordinates: rings of at least 4/) });

    const [before] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'IMPORT_BOUNDARIES'`);
    const skipped = await runImport(t.db, 'BOUNDARIES', { file: { name: 'coords.geojson', text } }, { ...opts, skipInvalid: true });
    expect(skipped.written).toBe(true);
    expect(skipped.changes).toMatchObject({ boundariesReplaced: 1 });
    expect(skipped.skippedRows.map((r) => r.line)).toEqual([2, 3, 4]);
    const audits = await t.db.query<{ id: number; actor: string; after: { file: string; changes: Record<string, number>; skippedRows: number } }>(
      `SELECT id, actor, after FROM audit_log WHERE action = 'IMPORT_BOUNDARIES' ORDER BY id`,
    );
    expect(audits).toHaveLength(before!.n + 1);
    expect(audits.at(-1)).toMatchObject({ id: skipped.details['auditId'], actor: 'test:import', after: { file: 'coords.geojson', changes: { boundariesReplaced: 1 }, skippedRows: 3 } });
  });

  it('reports households a replaced boundary leaves outside', async () => {
    const [h] = await t.db.query<{ village_code: string }>(`SELECT village_code FROM households WHERE village_code LIKE '33.21.%' GROUP BY village_code ORDER BY count(*) DESC LIMIT 1`);
    const code = h!.village_code;
    const [c] = await t.db.query<{ x: number; y: number }>(`SELECT ST_X(centroid) AS x, ST_Y(centroid) AS y FROM village_geography WHERE village_code = $1`, [code]);
    const d = 0.0002; // a 40 m square: almost every household is now outside
    const square = [[[c!.x - d, c!.y - d], [c!.x + d, c!.y - d], [c!.x + d, c!.y + d], [c!.x - d, c!.y + d], [c!.x - d, c!.y - d]]];
    const text = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { kode: code }, geometry: { type: 'Polygon', coordinates: square } }] });
    const report = await runImport(t.db, 'BOUNDARIES', { file: { name: 'small.geojson', text } }, { ...opts, dryRun: true });
    const outside = report.details['householdsOutsideNewBoundary'] as { village_code: string; households: number }[];
    expect(outside).toHaveLength(1);
    expect(outside[0]!.village_code).toBe(code);
    expect(outside[0]!.households).toBeGreaterThan(0);
    // A dry run: the boundary is unchanged.
    const [area] = await t.db.query<{ area_m2: number }>(`SELECT area_m2 FROM village_geography WHERE village_code = $1`, [code]);
    expect(area!.area_m2).toBeGreaterThan(10_000);
  });
});

describe('facility import', () => {
  it('imports into existing_facilities by (source, facility_id); the same file twice changes nothing; bad rows are reported', async () => {
    const [c] = await t.db.query<{ x: number; y: number }>(`SELECT ST_X(ST_PointOnSurface(boundary)) AS x, ST_Y(ST_PointOnSurface(boundary)) AS y FROM village_geography WHERE village_code = $1`, [TALAGA]);
    const header = 'facility_id,village_code,kind,name,longitude,latitude,accessible,serves,source';
    const text = `${header}\nF-1,${TALAGA},MOSQUE,Masjid Al-Ikhlas,${c!.x},${c!.y},true,EVERYONE|ELDERLY,Dinsos Serang 2025\nF-2,${TALAGA},POSYANDU,Posyandu Melati,${c!.x},${c!.y},false,CHILD,Dinsos Serang 2025\n`;
    const first = await runImport(t.db, 'FACILITIES', { file: { name: 'fac.csv', text } }, opts);
    expect(first.issues).toEqual([]);
    expect(first.changes).toEqual({ facilitiesInserted: 2, facilitiesUpdated: 0 });
    const [audit] = await t.db.query<{ action: string; actor: string; after: { file: string; changes: Record<string, number> } }>(
      `SELECT action, actor, after FROM audit_log WHERE id = $1`,
      [first.details['auditId']],
    );
    expect(audit).toMatchObject({ action: 'IMPORT_FACILITIES', actor: 'test:import', after: { file: 'fac.csv', changes: { facilitiesInserted: 2 } } });
    const second = await runImport(t.db, 'FACILITIES', { file: { name: 'fac.csv', text } }, opts);
    expect(second.changes).toEqual({ facilitiesInserted: 0, facilitiesUpdated: 0 });
    const rows = await t.db.query<{ kind: string; serves: string[]; accessible: boolean }>(
      `SELECT kind, serves, accessible FROM existing_facilities WHERE source = 'Dinsos Serang 2025' ORDER BY source_id`,
    );
    expect(rows).toEqual([{ kind: 'MOSQUE', serves: ['EVERYONE', 'ELDERLY'], accessible: true }, { kind: 'POSYANDU', serves: ['CHILD'], accessible: false }]);
    const bad = await runImport(t.db, 'FACILITIES', { file: { name: 'fac.csv', text: `${header}\nF-3,${TALAGA},MOSQUE,Masjid,106.9,-6.1,true,EVERYONE,Dinsos Serang 2025\n` } }, opts);
    expect(bad.written).toBe(false);
    expect(bad.issues).toHaveLength(1);
    expect(bad.issues[0]).toMatchObject({ file: 'fac.csv', line: 2, column: 'longitude,latitude' });
  });
});

