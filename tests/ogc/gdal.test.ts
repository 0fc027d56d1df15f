/**
 * A real OGC API – Features client against the API: GDAL's OAPIF driver (ogrinfo, ogr2ogr), as
 * QGIS uses it, with the bearer token in GDAL_HTTP_HEADERS. CI installs gdal-bin; without it this
 * suite fails (it does not skip).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { insertExistingFacilities, insertPackageFixture, startGisHarness, type GisHarness } from './harness.js';

const run = promisify(execFile);

let h: GisHarness;
beforeAll(async () => {
  try {
    await run('ogrinfo', ['--version']);
  } catch (error) {
    throw new Error(`ogrinfo (GDAL) is required for the OGC API client tests and was not found (${(error as Error).message}); install gdal-bin (apt-get install gdal-bin).`);
  }
  h = await startGisHarness();
  await insertPackageFixture(h.db);
  // GDAL reads a layer's geometry type from its features; the seed has no existing facilities.
  await insertExistingFacilities(h.db);
});
afterAll(async () => h?.close());

/** Runs a GDAL tool as `as`; async, so the server in this process keeps answering. */
async function gdal(tool: 'ogrinfo' | 'ogr2ogr', args: string[], as: PrincipalName): Promise<string> {
  const env = { ...process.env, GDAL_HTTP_HEADERS: `Authorization: Bearer ${h.tokens[as]}`, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', CPL_DEBUG: 'OFF' };
  try {
    const { stdout } = await run(tool, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}\n${(e.stdout ?? '').slice(0, 2000)}`);
  }
}

/** [name, geometry type] from ogrinfo's layer list, e.g. "1: villages (title: …) (Multi Polygon)". */
const layersOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => /^\d+: /.test(line))
    .map((line) => [/^\d+: (\S+)/.exec(line)?.[1], /\(([^()]*)\)$/.exec(line)?.[1]]);

describe('GDAL OAPIF driver', () => {
  it('lists the collections the token may read', async () => {
    const admin = layersOf(await gdal('ogrinfo', ['-ro', '-so', `OAPIF:${h.origin}/ogc`], 'admin'));
    expect(admin).toEqual([
      ['villages', 'Multi Polygon'],
      ['households', 'Point'],
      ['facilities', 'Point'],
      ['package-items', 'Point'],
      ['existing_facilities', 'Point'],
      ['village_graduation', 'Multi Polygon'],
    ]);
    const viewer = layersOf(await gdal('ogrinfo', ['-ro', '-so', `OAPIF:${h.origin}/ogc`], 'viewer'));
    expect(viewer.map(([name]) => name)).toEqual(['villages', 'facilities', 'package-items', 'existing_facilities', 'village_graduation']);
  });

  it('reads every page of the households of one village, with the filter pushed to the server', async () => {
    const expected = await h.db.query<{ id: number; lon: number; lat: number }>(
      sql`SELECT id, ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id`,
    );
    const pageSize = 25;
    expect(expected.length).toBeGreaterThan(pageSize * 3);
    const from = h.requests.length;
    const stdout = await gdal(
      'ogr2ogr',
      ['-f', 'GeoJSON', '/vsistdout/', `OAPIF:${h.origin}/ogc`, 'households', '-where', `village_code = '${TEST_VILLAGE}'`, '-oo', `PAGE_SIZE=${pageSize}`],
      'planner',
    );
    const fc = JSON.parse(stdout);
    expect(fc.features).toHaveLength(expected.length);
    expect(fc.features.map((f: any) => f.properties.id)).toEqual(expected.map((r) => r.id));
    const first = fc.features[0];
    expect(first.geometry.coordinates[0]).toBeCloseTo(expected[0]!.lon, 6); // longitude first (CRS84)
    expect(first.geometry.coordinates[1]).toBeCloseTo(expected[0]!.lat, 6);
    expect(first.properties.village_code).toBe(TEST_VILLAGE);

    // GDAL sent the filter as a query parameter (read from /ogc/api) and followed the next links.
    const pages = h.requests.slice(from).filter((u) => u.startsWith('/ogc/collections/households/items') && u.includes(`village_code=${TEST_VILLAGE}`));
    expect(pages.length).toBe(Math.ceil(expected.length / pageSize));
    expect(pages.filter((u) => u.includes('cursor='))).toHaveLength(pages.length - 1);
    for (const u of pages) expect(u).toContain(`limit=${pageSize}`);
  });

  it('counts a filtered layer by reading all its pages (ogrinfo -so)', async () => {
    const [row] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM households WHERE village_code = ${TEST_VILLAGE} AND desil <= 4`);
    const stdout = await gdal(
      'ogrinfo',
      ['-ro', '-so', `OAPIF:${h.origin}/ogc`, 'households', '-where', `village_code = '${TEST_VILLAGE}' AND desil <= 4`, '-oo', 'PAGE_SIZE=20'],
      'planner',
    );
    expect(stdout).toMatch(new RegExp(`Feature Count: ${row!.n}\\b`));
    expect(stdout).toMatch(/Geometry: Point/);
  });

  it('a boolean -where as GDAL writes it (is_rtlh = 1) is pushed to the server and answered', async () => {
    const expected = await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND is_rtlh ORDER BY id`);
    expect(expected.length).toBeGreaterThan(0);
    const from = h.requests.length;
    const stdout = await gdal(
      'ogr2ogr',
      ['-f', 'GeoJSON', '/vsistdout/', `OAPIF:${h.origin}/ogc`, 'households', '-where', `is_rtlh = 1 AND village_code = '${TEST_VILLAGE}'`, '-oo', 'PAGE_SIZE=1000'],
      'planner',
    );
    expect(JSON.parse(stdout).features.map((f: any) => f.properties.id)).toEqual(expected.map((r) => r.id));
    expect(h.requests.slice(from).some((u) => u.includes('is_rtlh=1'))).toBe(true);
  });

  it("copies a whole village at GDAL's default page size (10) without meeting the rate limit", async () => {
    const expected = await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id`);
    const from = h.requests.length;
    const stdout = await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `OAPIF:${h.origin}/ogc`, 'households', '-where', `village_code = '${TEST_VILLAGE}'`], 'plannerSemarang');
    expect(JSON.parse(stdout).features.map((f: any) => f.properties.id)).toEqual(expected.map((r) => r.id));
    const pages = h.requests.slice(from).filter((u) => u.startsWith('/ogc/collections/households/items'));
    expect(pages.every((u) => u.includes('limit=10'))).toBe(true);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 10));
  });

  it('a PARTNER token gets exactly its funded households through GDAL too', async () => {
    const stdout = await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `OAPIF:${h.origin}/ogc`, 'households', '-oo', 'PAGE_SIZE=2'], 'partner');
    const rows = await h.db.query<{ id: number }>(
      sql`SELECT DISTINCT pi.household_id AS id FROM package_items pi JOIN packages pk ON pk.id = pi.package_id
          WHERE pi.funder_code = 'BAZNAS' AND pk.status <> 'CANCELLED' AND pi.household_id IS NOT NULL ORDER BY 1`,
    );
    expect(JSON.parse(stdout).features.map((f: any) => f.properties.id)).toEqual(rows.map((r) => r.id));
  });
});
