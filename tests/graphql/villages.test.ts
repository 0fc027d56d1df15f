import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const codesOf = (result: any): string[] => result.data.villages.nodes.map((n: { code: string }) => n.code);

describe('village lookup', () => {
  it('returns a village with real region names, GeoJSON boundary, centroid, area and coastal attributes', async () => {
    const { data, errors } = await api.query(`{ village(code: "33.74.02.1008") {
      code name kind district { name } regency { name } province { name }
      areaKm2 centroid boundary coastal { isCoastal source seawardBoundaryMeters }
      needStatistics { households householdsByDesil { desil households } householdsByPas { pas households } rtlhHouseholds fisherShare }
    } }`);
    expect(errors).toBeUndefined();
    const v = data!.village;
    expect(v).toMatchObject({ code: '33.74.02.1008', name: 'Tanjung Mas', kind: 'KELURAHAN', district: { name: 'Semarang Utara' }, regency: { name: 'Kota Semarang' }, province: { name: 'Jawa Tengah' } });
    expect(v.boundary.type).toBe('MultiPolygon');
    expect(v.centroid.type).toBe('Point');
    const [lon, lat] = v.centroid.coordinates;
    expect(lon).toBeGreaterThan(110.4);
    expect(lat).toBeLessThan(-6.9);
    expect(v.areaKm2).toBeGreaterThan(1);
    expect(v.coastal).toMatchObject({ isCoastal: true, source: 'SEAWARD_EDGE' });
    expect(v.needStatistics.householdsByDesil).toHaveLength(10);
    expect(v.needStatistics.householdsByPas).toHaveLength(12);
    const sum = v.needStatistics.householdsByDesil.reduce((s: number, d: { households: number }) => s + d.households, 0);
    expect(sum).toBe(v.needStatistics.households);
    expect(v.needStatistics.fisherShare).toBeGreaterThanOrEqual(0.8);
  });

  it('simplifies the boundary for a zoom level, keeping fewer vertices', async () => {
    const { data } = await api.query(`{ village(code: "33.21.04.2012") { full: boundary coarse: boundary(zoom: 10) } }`);
    const count = (g: any) => JSON.stringify(g.coordinates).split('],[').length;
    expect(count(data!.village.coarse)).toBeLessThan(count(data!.village.full));
  });

  it('answers NOT_FOUND for an unknown code and BAD_USER_INPUT with a hint for an undotted one', async () => {
    const missing = await api.query(`{ village(code: "33.74.02.1999") { name } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const undotted = await api.query(`{ village(code: "3374021008") { name } }`);
    expect(undotted.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(undotted.errors?.[0]?.message).toContain('33.74.02.1008');
  });
});

describe('region tree and name search', () => {
  it('finds the same village for "tanjung mas", "Tanjungmas" and "TANJUNG MAS"', async () => {
    for (const search of ['tanjung mas', 'Tanjungmas', 'TANJUNG MAS']) {
      const { data } = await api.query(`query($s: String) { regions(search: $s, level: VILLAGE, withinCode: "33.74") { code } }`, { s: search });
      expect(data!.regions.map((r: { code: string }) => r.code)).toContain('33.74.02.1008');
    }
  });

  it('walks from a province down to its regencies and from a district to its villages', async () => {
    const { data } = await api.query(`{ region(code: "33.74.02") { name parent { code name } children { code kind } } }`);
    expect(data!.region.parent).toEqual({ code: '33.74', name: 'Kota Semarang' });
    expect(data!.region.children.map((c: { code: string }) => c.code)).toContain('33.74.02.1008');
  });

  it('holds all 83,762 villages of Kepmendagri 2025', async () => {
    const { data } = await api.query(`{ villages(first: 0) { totalCount } }`);
    expect(data!.villages.totalCount).toBe(83_762);
    const bounded = await api.query(`{ villages(filter: { hasBoundary: true }, first: 0) { totalCount } }`);
    // The 8,181 villages of the 37 bundled Pantura kab/kota (Desa Talaga among them).
    expect(bounded.data!.villages.totalCount).toBe(8181);
  });
});

describe('villages filter', () => {
  it('combines regency, coastal and kind filters with an exact totalCount', async () => {
    const { data } = await api.query(`{ villages(filter: { regencyCode: "33.74", coastal: true, kinds: [KELURAHAN] }, first: 100) { totalCount nodes { code kind regencyCode coastal { isCoastal } } } }`);
    expect(data!.villages.totalCount).toBe(data!.villages.nodes.length);
    expect(data!.villages.totalCount).toBeGreaterThan(5);
    for (const v of data!.villages.nodes) expect(v).toMatchObject({ kind: 'KELURAHAN', regencyCode: '33.74', coastal: { isCoastal: true } });
  });

  it('filters by province and district code', async () => {
    const province = await api.query(`{ villages(filter: { provinceCode: "31" }, first: 0) { totalCount } }`);
    expect(province.data!.villages.totalCount).toBe(267);
    const district = codesOf(await api.query(`{ villages(filter: { districtCode: "33.74.02" }) { nodes { code } } }`));
    expect(district.every((c) => c.startsWith('33.74.02.'))).toBe(true);
    expect(district).toContain('33.74.02.1008');
  });

  it('finds fishing villages by the ≥ 80% fisher rule, and only all-fisher villages when the threshold is 1', async () => {
    const fishing = await api.query(`{ villages(filter: { fishingVillage: true }, first: 100) { nodes { code needStatistics { fisherShare } } } }`);
    const nodes = fishing.data!.villages.nodes;
    expect(nodes.map((n: { code: string }) => n.code)).toEqual(expect.arrayContaining(['33.74.02.1008', '32.12.21.2012']));
    for (const n of nodes) expect(n.needStatistics.fisherShare).toBeGreaterThanOrEqual(0.8);
    // At threshold 1 only villages where every household fishes remain (small Pantura demo villages can).
    const all = await api.query(`{ villages(filter: { fishingVillage: true, fisherShareThreshold: 1.0 }, first: 100) { totalCount nodes { code needStatistics { fisherShare } } } }`);
    expect(all.data!.villages.totalCount).toBeLessThan(fishing.data!.villages.nodes.length);
    for (const n of all.data!.villages.nodes) expect(n.needStatistics.fisherShare).toBe(1);
  });

  it('returns only villages whose centroid is inside a polygon, within a bbox, or near a point', async () => {
    const polygon = { type: 'Polygon', coordinates: [[[110.40, -6.97], [110.45, -6.97], [110.45, -6.93], [110.40, -6.93], [110.40, -6.97]]] };
    const inside = await api.query(`query($p: GeoJSON) { villages(filter: { withinPolygon: $p }, first: 100) { nodes { code centroid } } }`, { p: polygon });
    expect(inside.errors).toBeUndefined();
    expect(inside.data!.villages.nodes.length).toBeGreaterThan(0);
    for (const v of inside.data!.villages.nodes) {
      const [lon, lat] = v.centroid.coordinates;
      expect(lon).toBeGreaterThanOrEqual(110.4);
      expect(lon).toBeLessThanOrEqual(110.45);
      expect(lat).toBeGreaterThanOrEqual(-6.97);
      expect(lat).toBeLessThanOrEqual(-6.93);
    }
    const bbox = codesOf(await api.query(`{ villages(filter: { bboxWgs84: [110.42, -6.96, 110.44, -6.94] }, first: 100) { nodes { code } } }`));
    expect(bbox).toContain('33.74.02.1008');
    const near = codesOf(await api.query(`{ villages(filter: { near: { longitude: 110.43, latitude: -6.95, radiusMeters: 500 } }, first: 100) { nodes { code } } }`));
    expect(near).toContain('33.74.02.1008');
    expect(near.length).toBeLessThan(bbox.length + 5);
  });

  it('filters by need: households in low desil, households with a PAS tag, RTLH households', async () => {
    const { data } = await api.query(`{ villages(filter: { regencyCode: "33.74", minHouseholdsInDesil: { maxDesil: 2, atLeast: 40 }, minHouseholdsWithPas: [{ pas: FAKIR_MISKIN, atLeast: 20 }], minRtlhHouseholds: 30 }, first: 100) {
      nodes { code needStatistics { householdsDesil1To2 rtlhHouseholds householdsByPas { pas households } } } } }`);
    expect(data!.villages.nodes.length).toBeGreaterThan(0);
    for (const v of data!.villages.nodes) {
      expect(v.needStatistics.householdsDesil1To2).toBeGreaterThanOrEqual(40);
      expect(v.needStatistics.rtlhHouseholds).toBeGreaterThanOrEqual(30);
      expect(v.needStatistics.householdsByPas.find((p: { pas: string }) => p.pas === 'FAKIR_MISKIN').households).toBeGreaterThanOrEqual(20);
    }
  });

  it('orders by priority, highest first, with stable cursor pages and a score broken into its parts', async () => {
    const query = `query($after: String) { villages(filter: { regencyCode: "33.74" }, orderBy: PRIORITY, first: 5, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { code priority { score components { name value weight points } } } } }`;
    const first = await api.query(query);
    const second = await api.query(query, { after: first.data!.villages.pageInfo.endCursor });
    const scores = [...first.data!.villages.nodes, ...second.data!.villages.nodes].map((n: any) => n.priority.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const firstCodes = first.data!.villages.nodes.map((n: any) => n.code);
    for (const n of second.data!.villages.nodes) expect(firstCodes).not.toContain(n.code);
    const top = first.data!.villages.nodes[0].priority;
    const sum = top.components.reduce((s: number, c: { points: number }) => s + c.points, 0);
    expect(sum).toBeCloseTo(top.score, 6);
  });

  it('explains bad filter input naming the argument', async () => {
    const bad = await api.query(`{ villages(filter: { regencyCode: "33" }) { totalCount } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'filter.regencyCode' } });
    const tooMany = await api.query(`{ villages(first: 5000) { totalCount } }`);
    expect(tooMany.errors?.[0]?.message).toContain('1000');
    const cursor = await api.query(`{ villages(after: "garbage") { totalCount } }`);
    expect(cursor.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
  });

  it('serves villages as an RFC 7946 FeatureCollection', async () => {
    const { check } = await import('@placemarkio/check-geojson');
    const { data } = await api.query(`{ villagesFeatureCollection(filter: { regencyCode: "33.74", coastal: true }, zoom: 12) }`);
    const fc = data!.villagesFeatureCollection;
    expect(() => check(JSON.stringify(fc))).not.toThrow();
    expect(fc.features.length).toBeGreaterThan(5);
    expect(fc.features[0].properties).toHaveProperty('priorityScore');
  });
});
