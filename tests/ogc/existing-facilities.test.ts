/**
 * The OGC API collection `existing_facilities`: features built from the facilities feature's SQL
 * (the same rows as GraphQL Village.existingFacilities), bbox, the village_code and kind filters,
 * keyset paging with the sealed cursor, the village scope per role (PARTNER its villages only), the
 * OpenAPI paths, and no audit (public infrastructure, not personal data).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFacilitiesOfVillages } from '../../src/features/facilities/facility.queries.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';
import { allPages, insertExistingFacilities, insertPackageFixture, startGisHarness, type ExistingFacilityFixture, type GisHarness } from './harness.js';

let h: GisHarness;
let fx: ExistingFacilityFixture;
beforeAll(async () => {
  h = await startGisHarness();
  // The package fixture puts the test PARTNER (BAZNAS) in TEST_VILLAGE's scope.
  await insertPackageFixture(h.db);
  fx = await insertExistingFacilities(h.db);
});
afterAll(async () => h?.close());

const ids = (body: any): number[] => body.features.map((f: any) => f.id);
const BASE = '/ogc/collections/existing_facilities';

describe('existing_facilities collection', () => {
  it('serves each facility as a CRS84 point with the GraphQL read source’s values', async () => {
    const { status, body, response } = await h.json(`${BASE}/items?village_code=${TEST_VILLAGE}`, 'viewer');
    expect(status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/geo\+json/);
    expect(ids(body)).toEqual(fx.inTestVillage);
    expect(body.numberMatched).toBe(4);
    const rows = await existingFacilitiesOfVillages(h.db, [TEST_VILLAGE]);
    for (const row of rows) {
      const f = body.features.find((x: any) => x.id === row.id);
      expect(f.geometry).toEqual({ type: 'Point', coordinates: [row.lon, row.lat] });
      expect(f.properties).toEqual({ id: row.id, village_code: row.village_code, kind: row.kind, name: row.name, accessible: row.accessible, serves: row.serves, source: row.source });
    }
    const one = await h.json(`${BASE}/items/${fx.inTestVillage[1]}`, 'viewer');
    expect(one.status).toBe(200);
    expect(one.body.properties).toMatchObject({ kind: 'POSYANDU', name: 'Posyandu Uji', accessible: true, serves: ['CHILD', 'ELDERLY'] });
    // Public infrastructure: nothing audited, even for the aggregate-only VIEWER.
    const [audit] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE actor = ${principals.viewer.subject} AND action = 'READ_PERSONAL_DATA'`);
    expect(audit!.n).toBe(0);
  });

  it('filters by kind (one or several) and by village, and refuses a malformed kind', async () => {
    // The demo seed also holds the pilot villages' (synthetic) posyandu: a kind filter spans villages.
    const seeded = (await h.db.query<{ name: string }>(sql`SELECT name FROM existing_facilities WHERE kind = 'POSYANDU' AND source <> 'test'`)).map((r) => r.name);
    expect(seeded.length).toBeGreaterThan(0);
    const posyandu = await h.json(`${BASE}/items?kind=POSYANDU`);
    expect(posyandu.body.features.map((f: any) => f.properties.name).sort()).toEqual(['Posyandu Dua', 'Posyandu Uji', ...seeded].sort());
    const mck = await h.json(`${BASE}/items?kind=MCK,MASJID`);
    expect(mck.body.features.map((f: any) => f.properties.name).sort()).toEqual(['MCK Luar', 'MCK Uji', 'Masjid Uji']);
    const mckHere = await h.json(`${BASE}/items?kind=MCK&village=${TEST_VILLAGE}`);
    expect(mckHere.body.features.map((f: any) => f.properties.name)).toEqual(['MCK Uji']);
    const outside = await h.json(`${BASE}/items?village_code=${fx.outsideVillage}`);
    expect(ids(outside.body)).toEqual([fx.outsideId]);
    const bad = await h.json(`${BASE}/items?kind=posyandu`);
    expect(bad.status).toBe(400);
    expect(bad.body.parameter).toBe('kind');
    expect((await h.json(`${BASE}/items?village_code=33.74`)).status).toBe(400);
  });

  it('bbox keeps the facilities inside it', async () => {
    const rows = await existingFacilitiesOfVillages(h.db, [TEST_VILLAGE]);
    const masjid = rows.find((r) => r.kind === 'MASJID')!;
    // From the masjid to just past the first posyandu (0.001° east): two of the four.
    const bbox = [masjid.lon - 0.0005, masjid.lat - 0.0005, masjid.lon + 0.0015, masjid.lat + 0.0005];
    const { status, body } = await h.json(`${BASE}/items?bbox=${bbox.join(',')}`);
    expect(status).toBe(200);
    expect(body.features.map((f: any) => f.properties.name).sort()).toEqual(['Masjid Uji', 'Posyandu Uji']);
    const empty = await h.json(`${BASE}/items?bbox=100,-1,100.1,-0.9`);
    expect(empty.body.features).toEqual([]);
    expect(empty.body.numberMatched).toBe(0);
  });

  it('pages by keyset with next links and a stable numberMatched', async () => {
    const [{ n: total } = { n: 0 }] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM existing_facilities`);
    const pages = await allPages(h, `${BASE}/items?limit=2`);
    expect(pages.length).toBe(Math.ceil(total / 2));
    const all = pages.flatMap(ids);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(new Set(all).size).toBe(total);
    for (const page of pages) expect(page.numberMatched).toBe(total);
    // prev from the second page returns the first; a cursor reused with another filter recounts.
    const prev = await h.json(pages[1].links.find((l: any) => l.rel === 'prev').href.slice(h.origin.length));
    expect(ids(prev.body)).toEqual(ids(pages[0]));
    const next = pages[0].links.find((l: any) => l.rel === 'next').href.slice(h.origin.length);
    expect(next).toMatch(/cursor=/);
    const mck = await h.json(`${next}&kind=MCK`);
    expect(mck.status).toBe(200);
    expect(mck.body.numberMatched).toBe(2);
    expect(mck.body.features.every((f: any) => f.properties.kind === 'MCK' && f.id > pages[0].features[1].id)).toBe(true);
  });

  it('follows the village scope of GraphQL: PARTNER only its villages, other roles every village', async () => {
    const partner = await allPages(h, `${BASE}/items?limit=100`, 'partner');
    const partnerIds = partner.flatMap(ids);
    expect(partnerIds).toEqual(expect.arrayContaining(fx.inTestVillage));
    expect(partnerIds).not.toContain(fx.outsideId);
    expect((await h.json(`${BASE}/items/${fx.outsideId}`, 'partner')).status).toBe(404);
    expect((await h.json(`${BASE}/items?village=${fx.outsideVillage}`, 'partner')).body.features).toEqual([]);
    // The same answer as GraphQL gives the partner for that village.
    const gql = await h.api.query(`{ village(code: "${fx.outsideVillage}") { existingFacilities { id } } }`, {}, principals.partner);
    expect(gql.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const as of ['viewer', 'pendamping', 'plannerJabar'] as const) {
      const every = (await allPages(h, `${BASE}/items?limit=100`, as)).flatMap(ids);
      expect(every, as).toEqual(expect.arrayContaining([...fx.inTestVillage, fx.outsideId]));
    }
  });

  it('is listed with its extent and documented in the OpenAPI definition', async () => {
    const { body } = await h.json('/ogc/collections', 'partner');
    const c = body.collections.find((x: any) => x.id === 'existing_facilities');
    expect(c).toBeDefined();
    const [box] = await h.db.query<{ a: number; b: number; c: number; d: number }>(
      sql`SELECT ST_XMin(e) AS a, ST_YMin(e) AS b, ST_XMax(e) AS c, ST_YMax(e) AS d FROM (SELECT ST_Extent(location) AS e FROM existing_facilities WHERE village_code = ${TEST_VILLAGE}) x`,
    );
    c.extent.spatial.bbox[0].forEach((v: number, i: number) => expect(v).toBeCloseTo([box!.a, box!.b, box!.c, box!.d][i]!, 6));
    const doc: any = await (await h.get('/ogc/api')).json();
    const params = doc.paths['/collections/existing_facilities/items'].get.parameters.map((p: any) =>
      p.$ref ? p.$ref.slice(2).split('/').reduce((o: any, k: string) => o?.[k], doc).name : p.name,
    );
    expect(params).toEqual(expect.arrayContaining(['bbox', 'limit', 'cursor', 'village_code', 'village', 'kind']));
    expect(Object.keys(doc.components.schemas['existing_facilities-feature'].properties.properties.properties).sort()).toEqual(
      ['accessible', 'id', 'kind', 'name', 'serves', 'source', 'village_code'],
    );
  });
});
