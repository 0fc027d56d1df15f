/**
 * Vector tiles over HTTP, decoded with @mapbox/vector-tile and checked against the database:
 * feature counts per tile, attributes, access rules per role, the suppressed grid, the audit,
 * caching headers, validation — and, on PostgreSQL, that ST_AsMVT and the portable encoder agree.
 */
import { createHash } from 'node:crypto';
import { VectorTile, type VectorTileFeature, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectCount } from '../../src/auth/policy.js';
import { GRID_CELL_DEGREES } from '../../src/features/tiles/tiles.layers.js';
import {
  householdGridLayer,
  householdRecordsLayer,
  packageItemsLayer,
  renderNative,
  renderPortable,
  supportsNativeMvt,
  villagesLayer,
  type LayerSql,
} from '../../src/features/tiles/tiles.queries.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { testDatabaseKind } from '../support/test-database.js';
import { insertPackageFixture, startGisHarness, type GisHarness, type PackageFixture } from '../ogc/harness.js';

const K = 5;
const MARGIN = 64 / 4096;

let h: GisHarness;
let fixture: PackageFixture;
/** Household extent of Tanjung Mas, [minLon, minLat, maxLon, maxLat]. */
let tmBox: [number, number, number, number];
/** The z14 tile of the first household of Tanjung Mas (which has a BAZNAS item in the fixture). */
let tmTile: Tile;
beforeAll(async () => {
  h = await startGisHarness();
  fixture = await insertPackageFixture(h.db);
  const [row] = await h.db.query<{ a: number; b: number; c: number; d: number }>(
    sql`SELECT min(ST_X(location)) AS a, min(ST_Y(location)) AS b, max(ST_X(location)) AS c, max(ST_Y(location)) AS d FROM households WHERE village_code = ${TEST_VILLAGE}`,
  );
  tmBox = [row!.a, row!.b, row!.c, row!.d];
  const [first] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
  tmTile = { z: 14, x: tileX(first!.lon, 14), y: tileY(first!.lat, 14) };
});
afterAll(async () => h?.close());

type Tile = { z: number; x: number; y: number };
const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};
/** Every tile at zoom z covering the box. */
function tilesCovering([w, s, e, n]: readonly number[], z: number): Tile[] {
  const tiles: Tile[] = [];
  for (let x = tileX(w!, z); x <= tileX(e!, z); x++) for (let y = tileY(n!, z); y <= tileY(s!, z); y++) tiles.push({ z, x, y });
  return tiles;
}
const path = (layer: string, t: Tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;

async function fetchTile(layer: string, t: Tile, as: PrincipalName = 'admin', headers: Record<string, string> = {}) {
  const response = await h.get(path(layer, t), as, headers);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { response, bytes, tile: bytes.length ? new VectorTile(new PbfReader(bytes)) : null };
}
const featuresOf = (layer: VectorTileLayer | undefined): VectorTileFeature[] => (layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : []);

/** Household rows whose location falls in the tile plus its 64-unit buffer, computed by PostGIS. */
const householdsInTile = (t: Tile, extra = sql`true`) =>
  h.db.query<{ id: number; desil: number; pas: string; is_rtlh: boolean; member_count: number; village_code: string; lon: number; lat: number }>(sql`
    SELECT id, desil, array_to_string(pas::text[], ',') AS pas, is_rtlh, member_count, village_code, ST_X(location) AS lon, ST_Y(location) AS lat
    FROM households
    WHERE ST_Intersects(ST_Transform(location, 3857), ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${MARGIN}::float8)) AND ${extra}
    ORDER BY id`);

const auditOf = (name: PrincipalName) =>
  h.db.query<{ household_ids: number[]; after: any }>(sql`SELECT household_ids, after FROM audit_log WHERE actor = ${principals[name].subject} AND action = 'READ_PERSONAL_DATA' ORDER BY id`);

describe('TileJSON', () => {
  it('describes each layer: tile URL template, zoom range, bounds from the data, vector_layers with fields', async () => {
    for (const layer of ['villages', 'households', 'package-items', 'existing_facilities']) {
      const { status, body } = await h.json(`/tiles/${layer}.json`);
      expect(status, layer).toBe(200);
      expect(body.tilejson).toBe('3.0.0');
      expect(body.tiles).toEqual([`${h.origin}/tiles/${layer}/{z}/{x}/{y}.mvt`]);
      expect(body.scheme).toBe('xyz');
      expect(body.minzoom).toBeLessThanOrEqual(body.maxzoom);
      expect(body.bounds).toHaveLength(4);
      expect(body.vector_layers).toHaveLength(1);
      for (const type of Object.values(body.vector_layers[0].fields)) expect(['Number', 'String', 'Boolean']).toContain(type);
    }
    const households = (await h.json('/tiles/households.json')).body;
    expect(households.minzoom).toBe(13);
    expect(Object.keys(households.vector_layers[0].fields).sort()).toEqual(['desil', 'id', 'is_rtlh', 'member_count', 'pas', 'village_code']);
    const [extent] = await h.db.query<{ a: number; b: number; c: number; d: number }>(
      sql`SELECT ST_XMin(e) AS a, ST_YMin(e) AS b, ST_XMax(e) AS c, ST_YMax(e) AS d FROM (SELECT ST_Extent(location) AS e FROM households) x`,
    );
    households.bounds.forEach((v: number, i: number) => expect(v).toBeCloseTo([extent!.a, extent!.b, extent!.c, extent!.d][i]!, 6));
    // The VIEWER's household layer is the grid.
    const viewer = (await h.json('/tiles/households.json', 'viewer')).body;
    expect(viewer.vector_layers[0].id).toBe('household_grid');
    expect(Object.keys(viewer.vector_layers[0].fields).sort()).toEqual(['cell_size_m', 'households', 'households_desil_1_to_2', 'rtlh_households']);
    expect((await h.json('/tiles/nope.json')).status).toBe(404);
  });
});

describe('household tiles', () => {
  it('hold exactly the households PostGIS finds in the tile, with their attributes (ADMIN)', async () => {
    let total = 0;
    for (const t of tilesCovering(tmBox, 14)) {
      const { response, tile } = await fetchTile('households', t);
      const expected = await householdsInTile(t);
      total += expected.length;
      if (expected.length === 0) {
        expect(response.status).toBe(204);
        continue;
      }
      expect(response.status).toBe(200);
      const features = featuresOf(tile!.layers.households);
      expect(features.map((f) => f.id)).toEqual(expected.map((r) => r.id));
      features.forEach((f, i) => {
        const row = expected[i]!;
        expect(f.type).toBe(1);
        expect(f.properties).toEqual({ id: row.id, desil: row.desil, pas: row.pas, is_rtlh: row.is_rtlh, member_count: row.member_count, village_code: row.village_code });
        const [lon, lat] = (f.toGeoJSON(t.x, t.y, t.z).geometry as any).coordinates;
        expect(Math.abs(lon - row.lon)).toBeLessThan(2e-5); // one tile unit at z14 is ~0.6 m
        expect(Math.abs(lat - row.lat)).toBeLessThan(2e-5);
      });
    }
    expect(total).toBeGreaterThanOrEqual((await householdsInTile({ z: 0, x: 0, y: 0 }, sql`village_code = ${TEST_VILLAGE}`)).length);
  });

  it('follow the row scope: PARTNER sees its funded households, a PLANNER of Jawa Barat none', async () => {
    const seen = new Set<number>();
    for (const t of tilesCovering(tmBox, 13)) {
      const partner = await fetchTile('households', t, 'partner');
      for (const f of featuresOf(partner.tile?.layers.households)) seen.add(f.id as number);
      const jabar = await fetchTile('households', t, 'plannerJabar');
      expect(jabar.response.status).toBe(204);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([...fixture.baznasHouseholds].sort((a, b) => a - b));
  });

  it('are audited for non-admins: one record per tile with the households in it', async () => {
    const t = tmTile;
    const before = (await auditOf('planner')).length;
    const { tile } = await fetchTile('households', t, 'planner');
    const ids = featuresOf(tile?.layers.households).map((f) => f.id as number);
    expect(ids.length).toBeGreaterThan(0);
    const records = (await auditOf('planner')).slice(before);
    expect(records).toHaveLength(1);
    expect([...records[0]!.household_ids].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    const after = typeof records[0]!.after === 'string' ? JSON.parse(records[0]!.after) : records[0]!.after;
    expect(after.paths).toEqual(['tiles:/households/{z}/{x}/{y}.mvt']);
    await fetchTile('households', t, 'admin');
    expect(await auditOf('admin')).toHaveLength(0);
  });

  it('for VIEWER are a grid of counts with cells below k left out, matching a SQL grid', async () => {
    const c = GRID_CELL_DEGREES;
    let cells = 0;
    for (const t of tilesCovering(tmBox, 14)) {
      const { response, tile } = await fetchTile('households', t, 'viewer');
      const counts = await h.db.query<{ gx: number; gy: number; n: number; d12: number; rtlh: number }>(sql`
        SELECT floor(ST_X(location) / ${c}::float8)::int AS gx, floor(ST_Y(location) / ${c}::float8)::int AS gy, count(*)::int AS n,
          count(*) FILTER (WHERE desil <= 2)::int AS d12, count(*) FILTER (WHERE is_rtlh)::int AS rtlh
        FROM households GROUP BY 1, 2`);
      const byCell = new Map(counts.map((r) => [`${r.gx},${r.gy}`, r]));
      const features = featuresOf(tile?.layers.household_grid);
      expect(tile?.layers.households).toBeUndefined();
      if (response.status === 204) continue;
      for (const f of features) {
        expect(f.type).toBe(3);
        const ring = (f.toGeoJSON(t.x, t.y, t.z).geometry as any).coordinates[0] as number[][];
        // The cell is identified by a point well inside its visible part.
        const lons = ring.map((p) => p[0]!);
        const lats = ring.map((p) => p[1]!);
        const mid = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
        const cell = byCell.get(`${Math.floor(mid[0]! / c)},${Math.floor(mid[1]! / c)}`)!;
        expect(cell, JSON.stringify(mid)).toBeDefined();
        // Protected counts: 1 … k−1 left out, larger counts rounded to a multiple of k.
        expect(f.properties.households).toBe(protectCount(cell.n, K));
        expect(cell.n).toBeGreaterThanOrEqual(K);
        expect(f.properties.households_desil_1_to_2).toBe(protectCount(cell.d12, K) ?? undefined);
        expect(f.properties.rtlh_households).toBe(protectCount(cell.rtlh, K) ?? undefined);
        expect(f.properties.cell_size_m).toBe(250);
        cells += 1;
      }
    }
    expect(cells).toBeGreaterThan(0);
    expect(await auditOf('viewer')).toHaveLength(0);
  });
});

describe('villages and package-items tiles', () => {
  it('villages: the villages PostGIS finds in the tile; counts suppressed for VIEWER', async () => {
    const [t] = tilesCovering(tmBox, 12);
    const expected = await h.db.query<{ code: string; households: number; d12: number; rtlh: number }>(sql`
      SELECT g.village_code AS code, coalesce(s.households, 0) AS households, coalesce(s.households_desil_1_to_2, 0) AS d12, coalesce(s.rtlh_households, 0) AS rtlh
      FROM village_geography g LEFT JOIN village_stats s ON s.village_code = g.village_code
      WHERE ST_Intersects(ST_Transform(g.boundary, 3857), ST_TileEnvelope(${t!.z}::int, ${t!.x}::int, ${t!.y}::int, margin => ${MARGIN}::float8))`);
    const byCode = new Map(expected.map((r) => [r.code, r]));
    for (const as of ['admin', 'viewer'] as const) {
      const features = featuresOf((await fetchTile('villages', t!, as)).tile?.layers.villages);
      const codes = features.map((f) => f.properties.code as string);
      expect(codes).toContain(TEST_VILLAGE);
      // Slivers thinner than a tile unit may vanish when snapped; nothing else may differ.
      for (const code of codes) expect(byCode.has(code), code).toBe(true);
      expect(codes.length).toBeGreaterThanOrEqual(expected.length - 2);
      for (const f of features) {
        const row = byCode.get(f.properties.code as string)!;
        expect(f.type).toBe(3);
        expect(f.id).toBe(Number((f.properties.code as string).replaceAll('.', '')));
        const shown = (n: number) => (as === 'viewer' ? (protectCount(n, K) ?? undefined) : n);
        expect(f.properties.households).toBe(shown(row.households));
        expect(f.properties.households_desil_1_to_2).toBe(shown(row.d12));
        expect(f.properties.rtlh_households).toBe(shown(row.rtlh));
      }
    }
  });

  it('package-items: facilities from zoom 8, items at households only from zoom 13 and not for VIEWER', async () => {
    const [site] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM package_items WHERE id = ${fixture.facilityItemIds[0]!}`);
    const items = async (z: number, as: PrincipalName) => {
      const seen = new Map<number, Record<string, unknown>>();
      const box = [Math.min(tmBox[0], site!.lon), Math.min(tmBox[1], site!.lat), Math.max(tmBox[2], site!.lon), Math.max(tmBox[3], site!.lat)];
      for (const t of tilesCovering(box, z)) for (const f of featuresOf((await fetchTile('package-items', t, as)).tile?.layers.package_items)) seen.set(f.id as number, f.properties);
      return seen;
    };
    const [pos, hall] = fixture.facilityItemIds as [number, number, number];
    const admin14 = await items(14, 'admin');
    expect([...admin14.keys()].sort((a, b) => a - b)).toEqual([...fixture.householdItemIds, pos, hall].sort((a, b) => a - b));
    expect(admin14.get(pos)).toMatchObject({ located_at: 'SITE', intervention_code: 'POS_RAMAH_LANSIA', village_code: TEST_VILLAGE });
    expect(admin14.get(fixture.householdItemIds[0]!)).toMatchObject({ located_at: 'HOUSEHOLD', household_id: fixture.baznasHouseholds[0] });
    expect([...(await items(10, 'admin')).keys()].sort((a, b) => a - b)).toEqual([pos, hall].sort((a, b) => a - b));
    expect([...(await items(14, 'viewer')).keys()].sort((a, b) => a - b)).toEqual([pos, hall].sort((a, b) => a - b));
    expect((await h.get(path('package-items', { z: 7, x: 0, y: 0 }))).status).toBe(400);
  });
});

describe('HTTP behaviour', () => {
  it('private caching, a strong ETag of the bytes, and 304 on If-None-Match', async () => {
    const t = tilesCovering(tmBox, 14)[0]!;
    const { response, bytes } = await fetchTile('villages', t);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('vary')).toMatch(/Authorization/i);
    const etag = response.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('base64url')}"`);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await h.get(path('villages', t), 'admin', { 'if-none-match': header });
      expect(again.status, header).toBe(304);
      expect((await again.arrayBuffer()).byteLength).toBe(0);
    }
    expect((await h.get(path('villages', t), 'admin', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('empty tiles are 204; tiles away from Indonesia are answered without a query', async () => {
    const before = h.db.statementCount;
    const far = await h.get('/tiles/villages/12/0/0.mvt');
    expect(far.status).toBe(204);
    expect(far.headers.get('cache-control')).toBe('private, no-cache');
    expect(h.db.statementCount).toBe(before);
    // Java Sea north of Semarang: inside the data extent, but no village there.
    const sea = await h.get(path('households', { z: 14, x: tileX(110.4, 14), y: tileY(-6.3, 14) }));
    expect(sea.status).toBe(204);
    expect((await sea.arrayBuffer()).byteLength).toBe(0);
  });

  it('validates z/x/y and the layer', async () => {
    const cases: [string, number, RegExp][] = [
      ['/tiles/households/23/0/0.mvt', 400, /z: expected an integer zoom from 0 to 22/],
      ['/tiles/households/14/16384/0.mvt', 400, /x: expected at zoom 14 a column from 0 to 16383/],
      ['/tiles/households/14/0/16384.mvt', 400, /y: expected at zoom 14 a row/],
      ['/tiles/households/14/-1/0.mvt', 400, /x: /],
      ['/tiles/households/14/1.5/0.mvt', 400, /x: /],
      ['/tiles/households/14/0/abc.mvt', 400, /y: /],
      ['/tiles/households/12/3304/2126.mvt', 400, /starts at zoom 13/],
      ['/tiles/nope/14/0/0.mvt', 404, /No tile layer "nope"/],
      ['/tiles/households/14/0/0.png', 404, /\.mvt/],
      ['/tiles/households/14/0', 404, /No resource/],
    ];
    for (const [url, status, message] of cases) {
      const { status: got, body } = await h.json(url);
      expect(got, url).toBe(status);
      expect(body.description, url).toMatch(message);
    }
    expect((await h.get('/tiles/households/14/0/0.mvt', null)).status).toBe(401);
  });
});

describe('encoders', () => {
  const t = () => tmTile;
  const layers = (): [string, LayerSql][] => [
    ['households', householdRecordsLayer(principals.planner, t())],
    ['grid', householdGridLayer(principals.viewer, t(), K)],
    ['villages', villagesLayer(principals.viewer, t(), K)],
    ['package items', packageItemsLayer(principals.admin, t())],
  ];

  it('PostgreSQL: ST_AsMVT and the portable encoder produce the same features; PGlite (no protobuf-c) has only the portable one', async () => {
    if (testDatabaseKind() === 'embedded') {
      expect(await supportsNativeMvt(h.db)).toBe(false);
      await expect(renderNative(h.db, t(), layers()[0]![1])).rejects.toThrow(/protobuf/);
      return;
    }
    expect(await supportsNativeMvt(h.db)).toBe(true);
    for (const [name, layer] of layers()) {
      const native = await renderNative(h.db, t(), layer);
      const portable = await renderPortable(h.db, t(), layer);
      expect(native.householdIds.sort((a, b) => a - b), name).toEqual(portable.householdIds.sort((a, b) => a - b));
      const a = featuresOf(new VectorTile(new PbfReader(native.bytes)).layers[layer.name]);
      const b = featuresOf(new VectorTile(new PbfReader(portable.bytes)).layers[layer.name]);
      expect(a.length, name).toBeGreaterThan(0);
      expect(b.length, name).toBe(a.length);
      a.forEach((fa, i) => {
        const fb = b[i]!;
        expect(fb.id, name).toEqual(fa.id);
        expect(fb.type, name).toBe(fa.type);
        expect(fb.properties, name).toEqual(fa.properties);
        const box = (f: VectorTileFeature) => f.bbox();
        box(fb).forEach((v, j) => expect(Math.abs(v - box(fa)[j]!), `${name} bbox`).toBeLessThanOrEqual(1));
      });
    }
  });
});
