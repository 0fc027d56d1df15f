/**
 * Issue #16, last point: the per-village graduation aggregates on the map surfaces. GraphQL
 * graduationTargets(groupBy: VILLAGE), the OGC collection village_graduation and the tile layer
 * village_graduation read one source, so the same village shows the same values on all three —
 * protected for VIEWER, PARTNER and a PLANNER outside its region, exact for the PLANNER of the
 * region — and a PENDAMPING still counts only its own caseload.
 */
import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { sql } from 'drizzle-orm';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectCount } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import { allPages, insertPackageFixture, startGisHarness, type GisHarness } from '../ogc/harness.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';

const K = 5;
const ERETAN = '32.12.21.2012';
/** Graduations are counted per calendar year; the tile layer shows the current one, so every surface is asked for it. */
const YEAR = new Date().getUTCFullYear();
const COUNTS = ['caseload', 'graduated', 'proposed', 'returned', 'referred', 'accepted', 'enrolled', 'declined'] as const;
const VALUES = ['counts_exact', ...COUNTS, 'pendamping', 'target'] as const;
type Values = Record<(typeof VALUES)[number], number | boolean | null>;

/** The demo pendamping of Tanjung Mas (it has a caseload there). */
const demoPendamping: Principal = { subject: 'pendamping@kemensos.go.id', role: 'PENDAMPING', organisation: 'PKH Kota Semarang', funder: null, regionCodes: null, villageCodes: [TEST_VILLAGE] };

let h: GisHarness;
let demoPendampingToken: string;
beforeAll(async () => {
  h = await startGisHarness();
  // PARTNER BAZNAS sees the aggregates of Tanjung Mas through the fixture's BAZNAS items there.
  await insertPackageFixture(h.db);
  demoPendampingToken = await h.api.token({ sub: demoPendamping.subject, role: 'PENDAMPING', org: 'PKH Kota Semarang', villages: [TEST_VILLAGE] }, '2h');
});
afterAll(async () => h?.close());

type Who = PrincipalName | 'demoPendamping';
const principalOf = (who: Who): Principal => (who === 'demoPendamping' ? demoPendamping : principals[who]);
const get = (path: string, who: Who) =>
  who === 'demoPendamping' ? fetch(`${h.origin}${path}`, { headers: { authorization: `Bearer ${demoPendampingToken}` } }) : h.get(path, who);

async function graphql(who: Who, groupBy = 'VILLAGE'): Promise<Map<string, Values & { key: string }>> {
  const r = await h.api.query(
    `{ graduationTargets(groupBy: ${groupBy}, year: ${YEAR}) { protectedCounts rows { key countsExact caseload pendamping target graduated proposed returned referred accepted enrolled declined } } }`,
    {},
    principalOf(who),
  );
  expect(r.errors).toBeUndefined();
  return new Map((r.data!.graduationTargets.rows as any[]).map(({ countsExact, ...row }) => [row.key, { ...row, counts_exact: countsExact }]));
}

async function ogc(who: Who, query = ''): Promise<Map<string, Values>> {
  const response = await get(`/ogc/collections/village_graduation/items?limit=1000&year=${YEAR}${query}`, who);
  expect(response.status).toBe(200);
  const body = (await response.json()) as any;
  return new Map((body.features as any[]).map((f) => [f.id, f.properties]));
}

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** The village's feature in the z12 tile holding a point inside it (null when the tile has none). */
async function tileFeature(who: Who, code: string): Promise<Record<string, unknown> | null> {
  const [p] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat FROM (SELECT ST_PointOnSurface(boundary) AS pt FROM village_geography WHERE village_code = ${code}) x`);
  const response = await get(`/tiles/village_graduation/12/${tileX(p!.lon, 12)}/${tileY(p!.lat, 12)}.mvt`, who);
  if (response.status === 204) return null;
  expect(response.status).toBe(200);
  const layer = new VectorTile(new PbfReader(new Uint8Array(await response.arrayBuffer()))).layers.village_graduation;
  const features: VectorTileFeature[] = layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : [];
  const found = features.find((f) => f.properties.code === code);
  return found ? { ...found.properties } : null;
}

/** A surface's values, missing (MVT drops null attributes) read as null. */
const valuesOf = (p: Record<string, unknown>): Values => Object.fromEntries(VALUES.map((k) => [k, p[k] ?? null])) as Values;

/** The exact numbers of a village, counted in the database (no API code). */
async function exactOf(code: string) {
  const [row] = await h.db.query<Record<string, number>>(sql`SELECT
    (SELECT count(*)::int FROM pendamping_assignments pa JOIN households x ON x.id = pa.household_id WHERE x.village_code = ${code}) AS caseload,
    (SELECT count(*)::int FROM graduations g JOIN households x ON x.id = g.household_id WHERE x.village_code = ${code}
       AND g.status IN ('APPROVED', 'RETURNED') AND extract(year FROM g.graduated_on) = ${YEAR}) AS graduated,
    (SELECT count(*)::int FROM graduations g JOIN households x ON x.id = g.household_id WHERE x.village_code = ${code} AND g.status = 'PROPOSED') AS proposed,
    (SELECT count(*)::int FROM graduations g JOIN households x ON x.id = g.household_id WHERE x.village_code = ${code} AND extract(year FROM g.returned_on) = ${YEAR}) AS returned,
    (SELECT count(*)::int FROM referrals r JOIN graduations g ON g.id = r.graduation_id JOIN households x ON x.id = g.household_id
       WHERE x.village_code = ${code} AND r.status = 'ENROLLED' AND extract(year FROM r.referred_on) = ${YEAR}) AS enrolled`);
  return row!;
}

describe('village graduation aggregates: one source for GraphQL, OGC and tiles', () => {
  const cases: { who: Who; village: string; exact: boolean }[] = [
    { who: 'viewer', village: TEST_VILLAGE, exact: false },
    { who: 'viewer', village: ERETAN, exact: false },
    { who: 'partner', village: TEST_VILLAGE, exact: false },
    { who: 'plannerJabar', village: TEST_VILLAGE, exact: false },
    { who: 'plannerJabar', village: ERETAN, exact: true },
    { who: 'plannerSemarang', village: TEST_VILLAGE, exact: true },
    { who: 'plannerSemarang', village: ERETAN, exact: false },
  ];
  for (const { who, village, exact } of cases) {
    it(`${village} shows ${exact ? 'exact' : 'protected'} values to ${who}, the same on GraphQL, OGC and the tile`, async () => {
      const fromGraphql = (await graphql(who)).get(village);
      expect(fromGraphql, 'GraphQL row').toBeDefined();
      const shown = valuesOf(fromGraphql!);
      expect(valuesOf((await ogc(who)).get(village)!), 'OGC').toEqual(shown);
      expect(valuesOf((await ogc(who, `&village_code=${village}`)).get(village)!), 'OGC village_code=').toEqual(shown);
      const tile = await tileFeature(who, village);
      expect(tile, 'tile feature').not.toBeNull();
      expect(valuesOf(tile!), 'tile').toEqual(shown);
      expect(tile!.year).toBe(YEAR);

      const truth = await exactOf(village);
      expect(shown.counts_exact).toBe(exact);
      for (const [name, n] of Object.entries(truth)) expect(shown[name as keyof Values], name).toBe(exact ? n : protectCount(n, K));
      // A protected village's target would give back exact caseload shares (graduation.map.ts).
      if (exact) expect(typeof shown.target).toBe('number');
      else expect(shown.target).toBeNull();
      // The data are real: something is counted in both pilot villages.
      expect(truth.caseload).toBeGreaterThan(0);
      expect(truth.graduated).toBeGreaterThan(0);
    });
  }

  it('protected rows never show a count from 1 to k − 1 or off a multiple of k, on any surface', async () => {
    for (const who of ['viewer', 'partner', 'plannerJabar'] as const) {
      for (const [code, row] of [...(await graphql(who)), ...(await ogc(who))]) {
        if (row.counts_exact) continue;
        for (const name of COUNTS) {
          const n = row[name] as number | null;
          if (n !== null) expect(n % K, `${who} ${code} ${name}`).toBe(0);
        }
      }
    }
  });

  it('a PARTNER sees only its villages; the VIEWER every village with KPM', async () => {
    const partner = [...(await ogc('partner')).keys()];
    expect(partner).toEqual([TEST_VILLAGE]);
    expect([...(await graphql('partner')).keys()]).toEqual([TEST_VILLAGE]);
    const viewer = [...(await ogc('viewer')).keys()];
    expect(viewer).toEqual(expect.arrayContaining([TEST_VILLAGE, ERETAN]));
  });

  it('a PENDAMPING counts its own caseload exactly in its village, is protected elsewhere, and keeps its per-pendamping row', async () => {
    const rows = await graphql('demoPendamping');
    const [own] = await h.db.query<{ caseload: number; graduated: number }>(sql`SELECT
      (SELECT count(*)::int FROM pendamping_assignments pa JOIN households x ON x.id = pa.household_id
        WHERE pa.pendamping_subject = ${demoPendamping.subject} AND x.village_code = ${TEST_VILLAGE}) AS caseload,
      (SELECT count(*)::int FROM graduations g JOIN households x ON x.id = g.household_id JOIN pendamping_assignments pa ON pa.household_id = x.id
        WHERE pa.pendamping_subject = ${demoPendamping.subject} AND x.village_code = ${TEST_VILLAGE}
          AND g.status IN ('APPROVED', 'RETURNED') AND extract(year FROM g.graduated_on) = ${YEAR}) AS graduated`);
    const mine = rows.get(TEST_VILLAGE)!;
    expect(mine).toMatchObject({ counts_exact: true, caseload: own!.caseload, graduated: own!.graduated, pendamping: 1 });
    const eretan = rows.get(ERETAN)!;
    expect(eretan.counts_exact).toBe(false);
    expect(valuesOf(eretan)).toEqual(valuesOf((await graphql('viewer')).get(ERETAN)!));
    for (const village of [TEST_VILLAGE, ERETAN]) {
      expect(valuesOf((await ogc('demoPendamping')).get(village)!), `OGC ${village}`).toEqual(valuesOf(rows.get(village)!));
      expect(valuesOf((await tileFeature('demoPendamping', village))!), `tile ${village}`).toEqual(valuesOf(rows.get(village)!));
    }
    // The per-pendamping grouping is unchanged: its own row only.
    expect([...(await graphql('demoPendamping', 'PENDAMPING')).keys()]).toEqual([demoPendamping.subject]);
    // A pendamping with the same token villages but no caseload counts nothing there.
    expect((await graphql('pendamping')).has(TEST_VILLAGE)).toBe(false);
  });
});

describe('the village_graduation collection and layer', () => {
  it('pages by cursor, filters by bbox and region, and refuses a bad year', async () => {
    const all = await ogc('admin');
    const pages = await allPages(h, `/ogc/collections/village_graduation/items?limit=1&year=${YEAR}`, 'admin');
    expect(pages.flatMap((p) => p.features.map((f: any) => f.id))).toEqual([...all.keys()]);
    expect(pages[0].numberMatched).toBe(all.size);
    const [box] = await h.db.query<{ b: number[] }>(sql`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(boundary) AS e FROM village_geography WHERE village_code = ${ERETAN}) x`);
    const inBox = await ogc('admin', `&bbox=${box!.b.join(',')}`);
    expect(inBox.has(ERETAN)).toBe(true);
    expect(inBox.has(TEST_VILLAGE)).toBe(false);
    expect([...(await ogc('admin', '&regency_code=32.12')).keys()].every((c) => c.startsWith('32.12.'))).toBe(true);
    const bad = await h.json('/ogc/collections/village_graduation/items?year=1999', 'viewer');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/year/);
    const single = await h.json(`/ogc/collections/village_graduation/items/${ERETAN}`, 'viewer');
    expect(single.status).toBe(200);
    expect(single.body.geometry.type).toMatch(/Polygon/);
  });

  it('is listed in /collections with its properties, and in TileJSON with its fields and an honest description', async () => {
    const collection = await h.json('/ogc/collections/village_graduation', 'viewer');
    expect(collection.status).toBe(200);
    expect(collection.body.description).toMatch(/protected/);
    // The queryables: the OpenAPI definition lists the filters GDAL and QGIS may push to the server.
    const api = await h.json('/ogc/api', 'viewer');
    const parameters = JSON.stringify(api.body.paths['/collections/village_graduation/items'].get.parameters);
    for (const name of ['village_code', 'regency_code', 'year']) expect(parameters).toContain(`"name":"${name}"`);
    expect(Object.keys(api.body.components.schemas['village_graduation-feature'].properties.properties.properties)).toEqual(expect.arrayContaining(['counts_exact', ...COUNTS]));
    const tileJson = await h.json('/tiles/village_graduation.json', 'plannerJabar');
    expect(tileJson.status).toBe(200);
    expect(Object.keys(tileJson.body.vector_layers[0].fields)).toEqual(expect.arrayContaining(['counts_exact', ...COUNTS, 'target']));
    expect(tileJson.body.description).not.toMatch(/Counts are exact\./);
  });
});
