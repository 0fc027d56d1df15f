/**
 * Issue #17: registry households as a point layer — GeoJSON, or a GeoPackage made from it by GDAL's
 * ogr2ogr (as a dinas sosial exporting from QGIS would) — with the CSV's columns as properties and
 * the location as the geometry. The members stay a CSV beside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGeoPackage } from '../../src/features/imports/geopackage.js';
import { runImport, type RunOptions } from '../../src/features/imports/import.runner.js';
import { splitCsv } from '../../src/features/imports/registry.format.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { extract, household, pointInside, TANJUNG_MAS } from './registry-fixture.js';

let t: TestDatabase;
let inside: [number, number];
const scratch = mkdtempSync(join(tmpdir(), 'kt-registry-geo-'));

beforeAll(async () => {
  t = await openTestDatabase(inject('template'));
  inside = await pointInside(t.db, TANJUNG_MAS);
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await t?.dispose();
});

const options = (extra: Partial<RunOptions> = {}): RunOptions => ({ dryRun: false, asOf: '2025-06-30', mode: 'INCREMENTAL', skipInvalid: false, actor: 'test:import', ...extra });

/** The households CSV of an extract as a GeoJSON FeatureCollection: properties typed as GIS tools write them. */
function asGeoJson(csv: string, shift: [number, number] = [0, 0]) {
  const [header, ...rows] = splitCsv(csv);
  const typed = (column: string, value: string): unknown => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (['desil', 'floor_area_m2'].includes(column)) return Number(value);
    return value;
  };
  return {
    type: 'FeatureCollection',
    features: rows.map(({ fields }) => {
      const properties: Record<string, unknown> = {};
      header!.fields.forEach((column, k) => {
        if (column !== 'longitude' && column !== 'latitude') properties[column] = typed(column, fields[k]!);
      });
      const lon = Number(fields[header!.fields.indexOf('longitude')]) + shift[0];
      const lat = Number(fields[header!.fields.indexOf('latitude')]) + shift[1];
      return { type: 'Feature', properties, geometry: { type: 'Point', coordinates: [lon, lat] } };
    }),
  };
}

async function stored(prefix: string) {
  return t.db.query<{ registry_id: string; lon: number; lat: number; desil: number; is_mustahik: boolean; members: number }>(
    `SELECT registry_id, ST_X(location) AS lon, ST_Y(location) AS lat, desil, is_mustahik,
            (SELECT count(*) FROM members m WHERE m.household_id = h.id)::int AS members
     FROM households h WHERE registry_id LIKE $1 ORDER BY registry_id`,
    [`${prefix}-%`],
  );
}

describe('registry households as a point layer', () => {
  it('imports households from GeoJSON points exactly as from the CSV', async () => {
    const fixtures = [1, 2, 3].map((i) => household(`GEOJ-${i}`, TANJUNG_MAS, inside, 80 + i));
    const files = extract(fixtures);
    const report = await runImport(t.db, 'REGISTRY', { households: { name: 'households.geojson', text: JSON.stringify(asGeoJson(files.households.text)) }, members: files.members }, options());
    expect(report.issues).toEqual([]);
    expect(report.changes).toMatchObject({ householdsInserted: 3, membersInserted: 9 });
    const rows = await stored('GEOJ');
    expect(rows).toHaveLength(3);
    rows.forEach((row, i) => expect(row).toMatchObject({ lon: inside[0], lat: inside[1], desil: fixtures[i]!.desil, is_mustahik: true, members: 3 }));
    // The same extract as CSV afterwards changes nothing: both forms are the same data.
    const again = await runImport(t.db, 'REGISTRY', files, options());
    expect(again.changes).toMatchObject({ householdsInserted: 0, householdsChanged: 0, membersInserted: 0, membersUpdated: 0 });
  });

  it('reports a feature without a Point, and a point outside the village, by feature position; writes nothing', async () => {
    const files = extract([1, 2, 3].map((i) => household(`GEOB-${i}`, TANJUNG_MAS, inside, 84 + i)));
    const collection = asGeoJson(files.households.text);
    collection.features[1]!.geometry = { type: 'LineString', coordinates: [inside, inside] } as never;
    collection.features[2]!.geometry.coordinates = [inside[0] + 0.5, inside[1]];
    const report = await runImport(t.db, 'REGISTRY', { households: { name: 'households.geojson', text: JSON.stringify(collection) }, members: files.members }, options());
    expect(report.written).toBe(false);
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'households.geojson', line: 2, column: 'geometry', value: 'LineString', expected: 'a Point with longitude and latitude (WGS84)' }),
        expect.objectContaining({ file: 'households.geojson', line: 3, column: 'longitude,latitude' }),
      ]),
    );
    expect(await stored('GEOB')).toEqual([]);
    const notJson = await runImport(t.db, 'REGISTRY', { households: { name: 'households.geojson', text: '{"type": "Feature"' }, members: files.members }, options());
    expect(notJson.issues[0]).toMatchObject({ file: 'households.geojson', line: 1, expected: expect.stringContaining('a GeoJSON FeatureCollection') });
  });

  it('with skipInvalid, a bad first feature (position 1, like a CSV header line) skips its household only', async () => {
    const files = extract([1, 2, 3].map((i) => household(`GEOS-${i}`, TANJUNG_MAS, inside, 92 + i)));
    const collection = asGeoJson(files.households.text);
    collection.features[0]!.properties['desil'] = 11;
    const report = await runImport(t.db, 'REGISTRY', { households: { name: 'households.geojson', text: JSON.stringify(collection) }, members: files.members }, options({ skipInvalid: true }));
    expect(report.issues).toEqual([expect.objectContaining({ file: 'households.geojson', line: 1, column: 'desil', value: '11' })]);
    expect(report.written).toBe(true);
    expect(report.skippedRows).toEqual([
      { file: 'households.geojson', line: 1 },
      { file: 'members.csv', line: 2 }, { file: 'members.csv', line: 3 }, { file: 'members.csv', line: 4 },
    ]);
    expect((await stored('GEOS')).map((r) => r.registry_id)).toEqual(['GEOS-2', 'GEOS-3']);
  });

  it('imports households from a GeoPackage made by ogr2ogr (booleans become 1/0, numbers reals)', async () => {
    const files = extract([1, 2].map((i) => household(`GPKG-${i}`, TANJUNG_MAS, inside, 88 + i)));
    const geojson = join(scratch, 'households.geojson');
    const gpkg = join(scratch, 'households.gpkg');
    writeFileSync(geojson, JSON.stringify(asGeoJson(files.households.text)));
    execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, geojson, '-nln', 'households', '-nlt', 'POINT']);
    const read = await readGeoPackage(readFileSync(gpkg));
    expect(read.layer).toBe('households');
    expect(read.collection.features[0]!.properties).toMatchObject({ is_mustahik: 1, registry_id: 'GPKG-1' });
    const report = await runImport(t.db, 'REGISTRY', { households: { name: `households.gpkg:${read.layer}`, text: JSON.stringify(read.collection) }, members: files.members }, options());
    expect(report.issues).toEqual([]);
    expect(report.changes).toMatchObject({ householdsInserted: 2, membersInserted: 6 });
    expect(await stored('GPKG')).toEqual([
      expect.objectContaining({ registry_id: 'GPKG-1', lon: inside[0], lat: inside[1], is_mustahik: true, members: 3 }),
      expect.objectContaining({ registry_id: 'GPKG-2', lon: inside[0], lat: inside[1], is_mustahik: true, members: 3 }),
    ]);
  });
});
