/**
 * The vector tile layer `existing_facilities`: decoded with @mapbox/vector-tile, it holds the
 * facilities PostGIS finds in the tile with kind, name, accessible and serves; PARTNER gets only
 * its villages; TileJSON lists the layer with its fields and bounds from the data.
 */
import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFacilitiesLayer, renderNative, renderPortable, supportsNativeMvt } from '../../src/features/tiles/tiles.queries.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { insertExistingFacilities, insertPackageFixture, startGisHarness, type ExistingFacilityFixture, type GisHarness } from '../ogc/harness.js';

let h: GisHarness;
let fx: ExistingFacilityFixture;
beforeAll(async () => {
  h = await startGisHarness();
  await insertPackageFixture(h.db);
  fx = await insertExistingFacilities(h.db);
});
afterAll(async () => h?.close());

type Tile = { z: number; x: number; y: number };
const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};
const MARGIN = 64 / 4096;

async function facilityTile(t: Tile, as: PrincipalName = 'admin') {
  const response = await h.get(`/tiles/existing_facilities/${t.z}/${t.x}/${t.y}.mvt`, as);
  // An empty tile is 204 No Content.
  expect([200, 204]).toContain(response.status);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const layer = bytes.length ? new VectorTile(new PbfReader(bytes)).layers.existing_facilities : undefined;
  return layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : ([] as VectorTileFeature[]);
}

/** Facilities within the tile plus its buffer, by PostGIS. */
const facilitiesInTile = (t: Tile) =>
  h.db.query<{ id: number; village_code: string; kind: string; name: string; accessible: boolean; serves: string }>(sql`
    SELECT id, village_code, kind, name, accessible, array_to_string(serves, ',') AS serves FROM existing_facilities
    WHERE ST_Intersects(ST_Transform(location, 3857), ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${MARGIN}::float8)) ORDER BY id`);

async function tileOf(id: number, z: number): Promise<Tile> {
  const [p] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM existing_facilities WHERE id = ${id}`);
  return { z, x: tileX(p!.lon, z), y: tileY(p!.lat, z) };
}

describe('existing_facilities tiles', () => {
  it('hold the facilities PostGIS finds in the tile, with id, kind, name, accessible and serves', async () => {
    for (const z of [10, 14, 16]) {
      const t = await tileOf(fx.inTestVillage[0]!, z);
      const expected = await facilitiesInTile(t);
      expect(expected.length, `z${z}`).toBeGreaterThan(0);
      const features = await facilityTile(t);
      expect(features.map((f) => f.id), `z${z}`).toEqual(expected.map((r) => r.id));
      for (const [i, f] of features.entries()) {
        const r = expected[i]!;
        expect(f.type).toBe(1); // Point
        expect(f.properties).toEqual({ id: r.id, village_code: r.village_code, kind: r.kind, name: r.name, accessible: r.accessible, serves: r.serves });
      }
    }
    const z16 = await facilityTile(await tileOf(fx.inTestVillage[1]!, 16));
    expect(z16.find((f) => f.id === fx.inTestVillage[1])?.properties).toMatchObject({ kind: 'POSYANDU', accessible: true, serves: 'CHILD,ELDERLY' });
  });

  it('PARTNER sees only its villages; VIEWER sees every village (public infrastructure, nothing audited)', async () => {
    const t = await tileOf(fx.outsideId, 14);
    expect((await facilityTile(t, 'admin')).map((f) => f.id)).toContain(fx.outsideId);
    expect((await facilityTile(t, 'viewer')).map((f) => f.id)).toContain(fx.outsideId);
    expect((await facilityTile(t, 'partner')).map((f) => f.id)).not.toContain(fx.outsideId);
    const inside = await tileOf(fx.inTestVillage[0]!, 14);
    expect((await facilityTile(inside, 'partner')).map((f) => f.id)).toEqual(expect.arrayContaining([fx.inTestVillage[0]]));
    const [audit] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE actor IN (${principals.viewer.subject}, ${principals.partner.subject}) AND action = 'READ_PERSONAL_DATA'`);
    expect(audit!.n).toBe(0);
  });

  it('refuses zooms below the layer minzoom', async () => {
    expect((await h.get('/tiles/existing_facilities/6/52/33.mvt')).status).toBe(400);
  });

  it('TileJSON lists the layer with its fields and the bounds of the facilities the caller may read', async () => {
    const { status, body } = await h.json('/tiles/existing_facilities.json', 'partner');
    expect(status).toBe(200);
    expect(body.tiles).toEqual([`${h.origin}/tiles/existing_facilities/{z}/{x}/{y}.mvt`]);
    expect(body.vector_layers).toHaveLength(1);
    expect(body.vector_layers[0].id).toBe('existing_facilities');
    expect(body.vector_layers[0].fields).toEqual({ id: 'Number', village_code: 'String', kind: 'String', name: 'String', accessible: 'Boolean', serves: 'String' });
    const [box] = await h.db.query<{ a: number; b: number; c: number; d: number }>(
      sql`SELECT ST_XMin(e) AS a, ST_YMin(e) AS b, ST_XMax(e) AS c, ST_YMax(e) AS d FROM (SELECT ST_Extent(location) AS e FROM existing_facilities WHERE village_code = ${TEST_VILLAGE}) x`,
    );
    body.bounds.forEach((v: number, i: number) => expect(v).toBeCloseTo([box!.a, box!.b, box!.c, box!.d][i]!, 6));
  });

  it('the native (ST_AsMVT) and portable encoders agree where PostGIS has protobuf-c', async () => {
    const t = await tileOf(fx.inTestVillage[0]!, 14);
    const layer = existingFacilitiesLayer(principals.admin, t);
    const portable = await renderPortable(h.db, t, layer);
    const decode = (bytes: Uint8Array) => {
      const l = new VectorTile(new PbfReader(bytes)).layers.existing_facilities!;
      return Array.from({ length: l.length }, (_, i) => ({ id: l.feature(i).id, properties: l.feature(i).properties, geometry: l.feature(i).loadGeometry() }));
    };
    const fromPortable = decode(portable.bytes);
    expect(fromPortable.map((f) => f.id)).toEqual((await facilitiesInTile(t)).map((r) => r.id));
    expect(portable.householdIds).toEqual([]);
    if (await supportsNativeMvt(h.db)) expect(decode((await renderNative(h.db, t, layer)).bytes)).toEqual(fromPortable);
  });
});
