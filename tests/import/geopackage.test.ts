/**
 * Issue #17: village boundaries from a GeoPackage. The fixture tests/import/fixtures/bedono.gpkg was
 * made by GDAL 3.6.2 from bedono-bowtie.geojson (Bedono's boundary from data/boundaries plus a
 * self-intersecting "bow tie" polygon at its source centroid):
 *   ogr2ogr -f GPKG bedono.gpkg bedono-bowtie.geojson -nln villages -nlt MULTIPOLYGON
 */
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpkgGeometryToWkb, readGeoPackage } from '../../src/features/imports/geopackage.js';
import { runImport } from '../../src/features/imports/import.runner.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const BEDONO = '33.21.04.2012';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase(inject('template'));
});
afterAll(async () => t?.dispose());

describe('GeoPackage boundaries', () => {
  it('reads the features of an ogr2ogr-made GeoPackage as the GeoJSON they were made from', async () => {
    const read = await readGeoPackage(readFileSync(fixture('bedono.gpkg')));
    const source = JSON.parse(readFileSync(fixture('bedono-bowtie.geojson'), 'utf8')) as { features: { properties: unknown; geometry: unknown }[] };
    expect(read.layer).toBe('villages');
    expect(read.srsId).toBe(4326);
    expect(read.collection.features).toHaveLength(1);
    const [feature] = read.collection.features;
    expect(feature!.properties).toMatchObject({ kode: BEDONO, nama: 'Bedono' });
    expect(feature!.geometry).toEqual(source.features[0]!.geometry);
  });

  it('decodes the GeoPackageBinary header: envelope sizes by flag, empty geometries, refuses what is not one', () => {
    const wkb = Buffer.from('0101000000000000000000f03f0000000000000040', 'hex'); // POINT(1 2)
    const header = (flags: number, envelopeBytes: number) => Buffer.concat([Buffer.from([0x47, 0x50, 0, flags, 0xe6, 0x10, 0, 0]), Buffer.alloc(envelopeBytes), wkb]);
    expect(gpkgGeometryToWkb(header(0b0000_0001, 0))).toEqual(wkb);
    expect(gpkgGeometryToWkb(header(0b0000_0011, 32))).toEqual(wkb);
    expect(gpkgGeometryToWkb(header(0b0000_1001, 64))).toEqual(wkb);
    expect(gpkgGeometryToWkb(header(0b0001_0001, 0))).toBeNull();
    expect(() => gpkgGeometryToWkb(wkb)).toThrow(/magic/);
  });

  it('refuses a file that is not a GeoPackage and names an unknown layer, with the layers there are', async () => {
    await expect(readGeoPackage(Buffer.from('kode,geometry\n'))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'file' } });
    await expect(readGeoPackage(readFileSync(fixture('bedono.gpkg')), 'desa')).rejects.toMatchObject({ extensions: { argument: 'layer' }, message: expect.stringContaining('villages') });
  });

  it('imports the GeoPackage like GeoJSON: the bow tie is repaired with its reason, the coastal flag derived', async () => {
    const read = await readGeoPackage(readFileSync(fixture('bedono.gpkg')));
    await t.db.query(`UPDATE village_geography SET is_coastal = false, seaward_boundary_m = NULL WHERE village_code = $1`, [BEDONO]);
    const report = await runImport(t.db, 'BOUNDARIES', { file: { name: 'bedono.gpkg:villages', text: JSON.stringify(read.collection) } }, { dryRun: false, mode: 'FULL', skipInvalid: false, actor: 'test:import' });
    expect(report.issues).toEqual([]);
    expect(report.changes).toMatchObject({ boundariesReplaced: 1, repaired: 1 });
    expect((report.details['repaired'] as { code: string; reason: string }[])[0]).toMatchObject({ code: BEDONO, reason: expect.stringMatching(/intersection/i) });
    const [row] = await t.db.query<{ is_coastal: boolean; valid: boolean }>('SELECT is_coastal, ST_IsValid(boundary) AS valid FROM village_geography WHERE village_code = $1', [BEDONO]);
    expect(row).toEqual({ is_coastal: true, valid: true });
  });
});
