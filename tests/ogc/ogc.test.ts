/**
 * OGC API – Features over HTTP: documents, paging, filters, formats and errors, checked against
 * the database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { createApp } from '../../src/server/app.js';
import { mintToken } from '../../src/auth/jwt.js';
import { TEST_VILLAGE } from '../support/principals.js';
import { allPages, insertPackageFixture, startGisHarness, type GisHarness, type PackageFixture } from './harness.js';

let h: GisHarness;
let fixture: PackageFixture;
beforeAll(async () => {
  h = await startGisHarness();
  fixture = await insertPackageFixture(h.db);
});
afterAll(async () => h?.close());

const count = async (query: ReturnType<typeof sql>) => (await h.db.query<{ n: number }>(query))[0]!.n;

describe('OGC API documents', () => {
  it('landing page links the API definition, conformance and collections with absolute URLs', async () => {
    const { status, body, response } = await h.json('/ogc');
    expect(status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const rel = (r: string) => body.links.find((l: any) => l.rel === r);
    expect(rel('self').href).toBe(`${h.origin}/ogc`);
    expect(rel('service-desc')).toMatchObject({ href: `${h.origin}/ogc/api`, type: 'application/vnd.oai.openapi+json;version=3.0' });
    expect(rel('conformance').href).toBe(`${h.origin}/ogc/conformance`);
    expect(rel('data').href).toBe(`${h.origin}/ogc/collections`);
  });

  it('conformance lists only what is implemented', async () => {
    const { body } = await h.json('/ogc/conformance');
    expect(body.conformsTo.sort()).toEqual([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
    ]);
    expect(JSON.stringify(body)).not.toMatch(/queryables|filter|cql|html/i);
  });

  it('/api is an OpenAPI 3.0 document describing every path and its parameters', async () => {
    const response = await h.get('/ogc/api');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.oai\.openapi\+json;\s*version=3\.0/);
    const doc: any = await response.json();
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(doc.servers[0].url).toBe(`${h.origin}/ogc`);
    for (const path of ['/', '/conformance', '/api', '/collections']) expect(doc.paths[path]?.get?.responses?.['200']).toBeDefined();
    for (const id of ['villages', 'households', 'facilities', 'package-items', 'existing_facilities']) {
      for (const path of [`/collections/${id}`, `/collections/${id}/items`, `/collections/${id}/items/{featureId}`]) expect(doc.paths[path]?.get).toBeDefined();
    }
    // Every $ref resolves, and every parameter has a name, a location and a schema.
    const resolve = (ref: string) => ref.slice(2).split('/').reduce((o: any, k) => o?.[k], doc);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) expect(resolve(JSON.parse(`{${ref}}`).$ref), ref).toBeDefined();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const p of item.get.parameters ?? []) {
        const param = p.$ref ? resolve(p.$ref) : p;
        expect(param.name, path).toBeTruthy();
        expect(['query', 'path']).toContain(param.in);
        expect(param.schema, `${path} ${param.name}`).toBeDefined();
      }
    }
    const names = (path: string) => doc.paths[path].get.parameters.map((p: any) => (p.$ref ? resolve(p.$ref) : p).name);
    expect(names('/collections/households/items')).toEqual(expect.arrayContaining(['bbox', 'limit', 'datetime', 'cursor', 'f', 'village_code', 'village', 'pas', 'desil_max']));
    expect(names('/collections/villages/items')).toEqual(expect.arrayContaining(['regency_code', 'regency', 'is_coastal', 'coastal']));
    expect(resolve('#/components/parameters/limit').schema).toMatchObject({ minimum: 1, maximum: 10000, default: 10 });
  });

  it('/collections lists the collections with CRS84 extents computed from the data', async () => {
    const { body } = await h.json('/ogc/collections');
    expect(body.collections.map((c: any) => c.id)).toEqual(['villages', 'households', 'facilities', 'package-items', 'existing_facilities', 'village_graduation']);
    const extentOf = async (query: ReturnType<typeof sql>) => {
      const [row] = await h.db.query<{ b: number[] }>(sql`SELECT json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) AS b FROM (${query}) x`);
      return typeof row!.b === 'string' ? JSON.parse(row!.b) : row!.b;
    };
    const expected: Record<string, number[]> = {
      villages: await extentOf(sql`SELECT ST_Extent(boundary) AS e FROM village_geography`),
      households: await extentOf(sql`SELECT ST_Extent(location) AS e FROM households`),
      facilities: await extentOf(sql`SELECT ST_Extent(location) AS e FROM package_items WHERE location IS NOT NULL`),
      existing_facilities: await extentOf(sql`SELECT ST_Extent(location) AS e FROM existing_facilities`),
      // Villages where KPM are followed (an assignment or a graduation: every referral has one).
      village_graduation: await extentOf(sql`SELECT ST_Extent(boundary) AS e FROM village_geography WHERE village_code IN
        (SELECT h.village_code FROM households h WHERE h.id IN (SELECT household_id FROM pendamping_assignments UNION SELECT household_id FROM graduations))`),
    };
    for (const c of body.collections) {
      // A collection without rows (existing facilities are not in the demo seed) has no extent to state.
      if (expected[c.id]?.every((v) => v === null)) {
        expect(c.extent, c.id).toBeUndefined();
        continue;
      }
      expect(c.crs).toEqual(['http://www.opengis.net/def/crs/OGC/1.3/CRS84']);
      expect(c.extent.spatial.crs).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
      const items = c.links.find((l: any) => l.rel === 'items' && l.type === 'application/geo+json');
      expect(items.href).toBe(`${h.origin}/ogc/collections/${c.id}/items`);
      if (expected[c.id]) c.extent.spatial.bbox[0].forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[c.id]![i]!, 6));
    }
    const one = await h.json('/ogc/collections/households');
    expect(one.body.id).toBe('households');
  });
});

describe('items: paging', () => {
  it('pages through the households of Tanjung Mas by keyset with exact numberMatched, next and prev links', async () => {
    const ids = (await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id`)).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(100);
    const pages = await allPages(h, `/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=50`);
    expect(pages).toHaveLength(Math.ceil(ids.length / 50));
    expect(pages.flatMap((p) => p.features.map((f: any) => f.id))).toEqual(ids);
    for (const [i, page] of pages.entries()) {
      expect(page.type).toBe('FeatureCollection');
      expect(page.numberMatched).toBe(ids.length);
      expect(page.numberReturned).toBe(page.features.length);
      expect(Number.isNaN(Date.parse(page.timeStamp))).toBe(false);
      const rel = (r: string) => page.links.filter((l: any) => l.rel === r);
      expect(rel('self')).toHaveLength(1);
      expect(rel('alternate')[0].type).toBe('application/json');
      expect(rel('next')).toHaveLength(i < pages.length - 1 ? 1 : 0);
      expect(rel('prev')).toHaveLength(i > 0 ? 1 : 0);
      for (const link of [...rel('next'), ...rel('prev')]) {
        expect(link.type).toBe('application/geo+json');
        expect(link.href).toMatch(/[?&]cursor=[\w-]+/);
        expect(link.href).not.toMatch(/offset|startindex/i);
      }
    }
    // prev of page 3 is page 2, prev of page 2 is page 1.
    const prev3 = await h.json(pages[2].links.find((l: any) => l.rel === 'prev').href.slice(h.origin.length));
    expect(prev3.body.features.map((f: any) => f.id)).toEqual(pages[1].features.map((f: any) => f.id));
    expect(prev3.body.numberMatched).toBe(ids.length);
    const prev2 = await h.json(pages[1].links.find((l: any) => l.rel === 'prev').href.slice(h.origin.length));
    expect(prev2.body.features.map((f: any) => f.id)).toEqual(pages[0].features.map((f: any) => f.id));
    expect(prev2.body.links.some((l: any) => l.rel === 'prev')).toBe(false);
    expect(prev2.body.links.find((l: any) => l.rel === 'next').href).toBeDefined();
  });

  it('a next link continues after the last id, and a cursor reused with other filters recounts numberMatched', async () => {
    const first = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=5`);
    const next = first.body.links.find((l: any) => l.rel === 'next').href.slice(h.origin.length);
    const again = await h.json(next);
    expect(again.body.features[0].id).toBeGreaterThan(first.body.features[4].id);
    const otherFilters = await h.json(`${next}&desil_max=2`);
    expect(otherFilters.body.numberMatched).toBe(await count(sql`SELECT count(*)::int AS n FROM households WHERE village_code = ${TEST_VILLAGE} AND desil <= 2`));
  });

  it('limit defaults to 10 and is clamped to 10,000', async () => {
    expect((await h.json('/ogc/collections/households/items')).body.numberReturned).toBe(10);
    const total = await count(sql`SELECT count(*)::int AS n FROM households`);
    expect(total).toBeGreaterThan(10_000);
    const big = await h.json('/ogc/collections/households/items?limit=25000');
    expect(big.status).toBe(200);
    expect(big.body.numberReturned).toBe(10_000);
    expect(big.body.numberMatched).toBe(total);
  });

  it('/items/{featureId} returns one feature; unknown ids and collections are 404', async () => {
    const [row] = await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
    const one = await h.json(`/ogc/collections/households/items/${row!.id}`);
    expect(one.status).toBe(200);
    expect(one.response.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(one.body).toMatchObject({ type: 'Feature', id: row!.id, geometry: { type: 'Point' } });
    expect(one.body.links.map((l: any) => l.rel).sort()).toEqual(['alternate', 'collection', 'self']);
    const village = await h.json(`/ogc/collections/villages/items/${TEST_VILLAGE}`);
    expect(village.body).toMatchObject({ id: TEST_VILLAGE, geometry: { type: 'MultiPolygon' }, properties: { name: 'Tanjung Mas' } });
    for (const path of ['/ogc/collections/households/items/999999999', '/ogc/collections/households/items/abc', '/ogc/collections/villages/items/33.74.02.9999', '/ogc/collections/nope/items', '/ogc/collections/nope', '/ogc/nowhere']) {
      const { status, body } = await h.json(path);
      expect(status, path).toBe(404);
      expect(body).toMatchObject({ code: 'NotFound', description: expect.any(String) });
    }
  });
});

describe('items: filters', () => {
  it('bbox selects what PostGIS selects (CRS84, longitude first)', async () => {
    const bbox = [110.43, -6.96, 110.445, -6.94];
    const { body } = await h.json(`/ogc/collections/households/items?bbox=${bbox.join(',')}&limit=10000`);
    expect(body.links.find((l: any) => l.rel === 'self').href).toBe(`${h.origin}/ogc/collections/households/items?bbox=${bbox.join(',')}&limit=10000`);
    const n = await count(sql`SELECT count(*)::int AS n FROM households WHERE ST_Intersects(location, ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326))`);
    expect(n).toBeGreaterThan(0);
    expect(body.numberMatched).toBe(n);
    expect(body.numberReturned).toBe(n);
    for (const f of body.features) {
      const [lon, lat] = f.geometry.coordinates;
      expect(lon).toBeGreaterThanOrEqual(bbox[0]!);
      expect(lon).toBeLessThanOrEqual(bbox[2]!);
      expect(lat).toBeGreaterThanOrEqual(bbox[1]!);
      expect(lat).toBeLessThanOrEqual(bbox[3]!);
    }
  });

  it('property filters: pas, desil_max and village on households; regency and coastal on villages', async () => {
    const { body } = await h.json(`/ogc/collections/households/items?pas=LANSIA_TERLANTAR&desil_max=2&village=${TEST_VILLAGE}&limit=1000`);
    const expected = await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND desil <= 2 AND 'LANSIA_TERLANTAR' = ANY(pas) ORDER BY id`);
    expect(expected.length).toBeGreaterThan(0);
    expect(body.features.map((f: any) => f.id)).toEqual(expected.map((r) => r.id));
    for (const f of body.features) {
      expect(f.properties.pas).toContain('LANSIA_TERLANTAR');
      expect(f.properties.desil).toBeLessThanOrEqual(2);
    }
    const villages = await h.json('/ogc/collections/villages/items?regency=33.74&coastal=true&limit=100');
    const codes = await h.db.query<{ code: string }>(sql`SELECT g.village_code AS code FROM village_geography g JOIN regions r ON r.code = g.village_code WHERE r.regency_code = '33.74' AND g.is_coastal ORDER BY 1`);
    expect(villages.body.features.map((f: any) => f.id).sort()).toEqual(codes.map((r) => r.code).sort());
    expect(villages.body.numberMatched).toBe(codes.length);
    // The property-named forms are the same filters.
    const named = await h.json('/ogc/collections/villages/items?regency_code=33.74&is_coastal=true&limit=100');
    expect(named.body.numberMatched).toBe(codes.length);
  });

  it('facilities and package-items filters', async () => {
    const facilities = await h.json(`/ogc/collections/facilities/items?village=${TEST_VILLAGE}`);
    expect(facilities.body.features.map((f: any) => f.id).sort()).toEqual(fixture.facilityItemIds.slice(0, 2).sort());
    expect(facilities.body.features[0].properties).toMatchObject({ village_code: TEST_VILLAGE, package_id: fixture.packageId });
    const baznas = await h.json(`/ogc/collections/package-items/items?funder_code=BAZNAS&target=HOUSEHOLD&package_id=${fixture.packageId}`);
    expect(baznas.body.features.map((f: any) => f.properties.household_id).sort()).toEqual([...fixture.baznasHouseholds].sort());
    for (const f of baznas.body.features) expect(f.properties.located_at).toBe('HOUSEHOLD');
    // A household item stands at the household.
    const [loc] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE id = ${fixture.baznasHouseholds[0]!}`);
    const item = baznas.body.features.find((f: any) => f.properties.household_id === fixture.baznasHouseholds[0]);
    expect(item.geometry.coordinates[0]).toBeCloseTo(loc!.lon, 6);
    expect(item.geometry.coordinates[1]).toBeCloseTo(loc!.lat, 6);
  });

  it('refuses bad parameters with 400 naming the parameter and what was expected', async () => {
    const cases: [string, string, RegExp][] = [
      ['limit=abc', 'limit', /integer from 1 to 10000/],
      ['limit=0', 'limit', /integer from 1/],
      ['limit=1&limit=2', 'limit', /give it once/],
      ['bbox=1,2,3', 'bbox', /4 \(or 6\) comma-separated numbers/],
      ['bbox=-6.9,110.4,-6.8,110.5', 'bbox', /latitude,longitude/],
      ['bbox=110,-6,111,-7', 'bbox', /minLatitude/],
      ['desil_max=11', 'desil_max', /integer from 1 to 10/],
      ['desil_min=5&desil_max=2', 'desil_min', /must not exceed desil_max/],
      ['pas=UNKNOWN', 'pas', /ANAK_RENTAN/],
      ['village=3374021008', 'village', /Did you mean "33\.74\.02\.1008"/],
      ['is_rtlh=yes', 'is_rtlh', /true or false/],
      ['colour=red', 'colour', /unknown parameter/],
      ['cursor=garbage', 'cursor', /paging token/],
      ['datetime=yesterday', 'datetime', /RFC 3339/],
      ['f=xml', 'f', /json or geojson/],
      ['village=33.74.02.1008&village_code=33.74.02.1008', 'village_code', /only one of/],
    ];
    for (const [query, parameter, description] of cases) {
      const { status, body } = await h.json(`/ogc/collections/households/items?${query}`);
      expect(status, query).toBe(400);
      expect(body, query).toMatchObject({ code: 'InvalidParameterValue', parameter });
      expect(body.description, query).toMatch(description);
    }
    const coastal = await h.json('/ogc/collections/villages/items?coastal=maybe');
    expect(coastal.body).toMatchObject({ code: 'InvalidParameterValue', parameter: 'coastal' });
    expect((await h.json('/ogc/collections?bbox=1,2,3,4')).status).toBe(400);
  });

  it('datetime is validated and, with no temporal geometry, matches every feature', async () => {
    const all = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}`);
    const dated = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}&datetime=2025-01-01T00:00:00Z/..`);
    expect(dated.status).toBe(200);
    expect(dated.body.numberMatched).toBe(all.body.numberMatched);
  });
});

describe('formats', () => {
  it('answers application/geo+json by Accept and application/json with f=json, with self and alternate links', async () => {
    const path = `/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=2`;
    const geo = await h.get(path, 'admin', { accept: 'application/geo+json' });
    expect(geo.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(geo.headers.get('cache-control')).toBe('private, no-store'); // may be personal data
    expect(geo.headers.get('vary')).toMatch(/Accept/);
    const geoBody: any = await geo.json();
    expect(geoBody.links.find((l: any) => l.rel === 'self')).toMatchObject({ href: `${h.origin}${path}`, type: 'application/geo+json' });
    expect(geoBody.links.find((l: any) => l.rel === 'alternate')).toMatchObject({ href: `${h.origin}${path}&f=json`, type: 'application/json' });
    const json = await h.get(`${path}&f=json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const jsonBody: any = await json.json();
    expect(jsonBody.features).toEqual(geoBody.features);
    expect(jsonBody.links.find((l: any) => l.rel === 'self').type).toBe('application/json');
    expect((await h.get(path, 'admin', { accept: 'application/json' })).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await h.get('/ogc/collections?f=json')).status).toBe(200);
  });

  it('requires a token (401 from the shared middleware)', async () => {
    for (const path of ['/ogc', '/ogc/collections/households/items', '/ogc/api']) {
      const response = await h.get(path, null);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
    }
  });
});

describe('internal errors', () => {
  it('answer 500 with an error id, log the error, and leak no SQL or stack', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const failing = {
      kind: 'embedded',
      statementCount: 0,
      query: async () => {
        throw new Error('relation "households" does not exist: SELECT h.id FROM households h WHERE secret');
      },
      copy: async () => undefined,
      transaction: async () => {
        throw new Error('no');
      },
      close: async () => undefined,
    } as unknown as Database;
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error' });
    const app = await createApp(config, failing, log);
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (app.httpServer.address() as AddressInfo).port;
      const token = await mintToken(config.auth, { sub: 'a', role: 'ADMIN' });
      for (const path of ['/ogc/collections/households/items', '/tiles/villages/12/3304/2127.mvt']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status, path).toBe(500);
        const text = await response.text();
        expect(text).not.toMatch(/SELECT|relation|households h|secret|at .*\.ts|node_modules/);
        const body = JSON.parse(text);
        expect(body).toMatchObject({ code: 'InternalServerError', errorId: expect.any(String) });
        expect(lines.some((l) => l.includes(body.errorId) && l.includes('relation'))).toBe(true);
      }
    } finally {
      await new Promise((resolve) => app.httpServer.close(resolve));
      await app.stop();
    }
  });
});
