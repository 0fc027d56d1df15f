import { check } from '@placemarkio/check-geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const TANJUNG_MAS = '33.74.02.1008';
const nodes = (r: any) => r.data.households.nodes;

describe('households of a village', () => {
  it('pages through every household of a village in id order with an exact totalCount', async () => {
    const query = `query($after: String) { households(villageCode: "${TANJUNG_MAS}", first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
    const seen: number[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const r: any = await api.query(query, { after });
      total = r.data.households.totalCount;
      seen.push(...r.data.households.nodes.map((n: { id: string }) => Number(n.id)));
      if (!r.data.households.pageInfo.hasNextPage) break;
      after = r.data.households.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThan(100);
    expect(seen).toHaveLength(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('exposes location as a [lon, lat] Point inside the village, PAS tags with source and date, members and the RTLH verdict with reasons', async () => {
    const r = await api.query(`{ households(villageCode: "${TANJUNG_MAS}", filter: { isRtlh: true }, first: 5) { nodes {
      id location village { code name } desil pas pasTags { pas source recordedOn memberId }
      members { id age sex relation disability isElderly pasTags { pas } }
      houseCondition { floorAreaM2 occupants floorAreaPerPersonM2 }
      rtlh { isRtlh ruleCode reasons { criterion explanation } } } } }`);
    expect(r.errors).toBeUndefined();
    for (const h of nodes(r)) {
      expect(h.location.type).toBe('Point');
      const [lon, lat] = h.location.coordinates;
      expect(lon).toBeGreaterThan(110.3);
      expect(lat).toBeLessThan(-6.9);
      expect(h.village).toEqual({ code: TANJUNG_MAS, name: 'Tanjung Mas' });
      expect(h.rtlh.isRtlh).toBe(true);
      expect(h.rtlh.ruleCode).toBe('PUPR_NAHP');
      expect(h.rtlh.reasons.length).toBeGreaterThan(0);
      expect(h.members[0].relation).toBe('HEAD');
      const tagged = new Set(h.pasTags.map((t: { pas: string }) => t.pas));
      expect(new Set(h.pas)).toEqual(tagged);
      for (const t of h.pasTags) expect(t.recordedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('keeps the location inside the village boundary (checked by PostGIS)', async () => {
    const [row] = await api.database.db.query<{ outside: number }>(
      `SELECT count(*)::int AS outside FROM households h JOIN village_geography g ON g.village_code = h.village_code
       WHERE NOT ST_Intersects(h.location, ST_Buffer(g.boundary, 0.00001))`,
    );
    expect(row?.outside).toBe(0);
  });
});

describe('household filters', () => {
  const run = (filter: string, extra = '') =>
    api.query(`{ households(villageCode: "${TANJUNG_MAS}", filter: ${filter}, first: 1000) { totalCount nodes { id desil pas livelihood isMustahik hasElderly hasChild hasDisabled location rtlh { isRtlh } ${extra} } } }`);

  it('pasAny matches households with any listed tag, pasAll only those with all', async () => {
    const any = nodes(await run('{ pasAny: [DISABILITAS, LANSIA_TERLANTAR] }'));
    expect(any.length).toBeGreaterThan(0);
    for (const h of any) expect(h.pas.some((p: string) => p === 'DISABILITAS' || p === 'LANSIA_TERLANTAR')).toBe(true);
    const all = nodes(await run('{ pasAll: [FAKIR_MISKIN, KORBAN_BENCANA] }'));
    for (const h of all) expect(h.pas).toEqual(expect.arrayContaining(['FAKIR_MISKIN', 'KORBAN_BENCANA']));
    expect(all.length).toBeLessThan(any.length + nodes(await run('{ pasAny: [FAKIR_MISKIN] }')).length);
  });

  it('desil range, RTLH, elderly, child, disabled, livelihood and mustahik filters hold for every row', async () => {
    const poor = nodes(await run('{ desilMin: 1, desilMax: 2 }'));
    expect(poor.length).toBeGreaterThan(0);
    for (const h of poor) expect(h.desil).toBeLessThanOrEqual(2);
    for (const h of nodes(await run('{ isRtlh: false }'))) expect(h.rtlh.isRtlh).toBe(false);
    for (const h of nodes(await run('{ hasElderly: true }'))) expect(h.hasElderly).toBe(true);
    for (const h of nodes(await run('{ hasChild: false }'))) expect(h.hasChild).toBe(false);
    const disabled = nodes(await run('{ hasDisabled: true }', 'members { disability }'));
    expect(disabled.length).toBeGreaterThan(0);
    for (const h of disabled) expect(h.members.some((m: { disability: string | null }) => m.disability !== null)).toBe(true);
    for (const h of nodes(await run('{ livelihoods: [FISHER, FISH_FARMER] }'))) expect(['FISHER', 'FISH_FARMER']).toContain(h.livelihood);
    for (const h of nodes(await run('{ isMustahik: true }'))) expect(h.isMustahik).toBe(true);
  });

  it('radiusMeters keeps only households within that geodesic distance', async () => {
    const centre = [110.4235, -6.9505];
    const within = nodes(await run(`{ near: { longitude: ${centre[0]}, latitude: ${centre[1]}, radiusMeters: 300 } }`));
    expect(within.length).toBeGreaterThan(0);
    const [row] = await api.database.db.query<{ max_m: number }>(
      `SELECT max(ST_Distance(location::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography)) AS max_m FROM households WHERE id = ANY($3::int[])`,
      [centre[0], centre[1], within.map((h: { id: string }) => Number(h.id))],
    );
    expect(row!.max_m).toBeLessThanOrEqual(300);
  });

  it('bbox and within-polygon scopes return only households inside them', async () => {
    const bbox = await api.query(`{ households(bboxWgs84: [110.42, -6.96, 110.44, -6.94], first: 1000) { totalCount nodes { location } } }`);
    expect(bbox.data!.households.totalCount).toBeGreaterThan(0);
    for (const h of bbox.data!.households.nodes) {
      const [lon, lat] = h.location.coordinates;
      expect(lon >= 110.42 && lon <= 110.44 && lat >= -6.96 && lat <= -6.94).toBe(true);
    }
    const polygon = { type: 'Polygon', coordinates: [[[110.42, -6.96], [110.44, -6.96], [110.44, -6.94], [110.42, -6.94], [110.42, -6.96]]] };
    const within = await api.query(`query($p: GeoJSON) { households(within: $p, first: 0) { totalCount } }`, { p: polygon });
    expect(within.data!.households.totalCount).toBe(bbox.data!.households.totalCount);
  });
});

describe('no N+1', () => {
  const nested = (first: number) => `{ households(villageCode: "${TANJUNG_MAS}", first: ${first}) { nodes {
    id location pas pasTags { pas source recordedOn } members { age relation pasTags { pas } }
    village { name district { name } } rtlh { reasons { criterion } } } } }`;

  it('runs the same small number of SQL statements for 10 and for 100 households with members and PAS tags', async () => {
    const small = await api.countStatements(nested(10));
    const large = await api.countStatements(nested(100));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.households.nodes).toHaveLength(100);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(7);
  });
});

describe('GeoJSON for GIS clients', () => {
  it('returns a valid RFC 7946 FeatureCollection of households with their attributes', async () => {
    const { data, errors } = await api.query(`{ householdsFeatureCollection(villageCode: "${TANJUNG_MAS}", filter: { desilMax: 3 }) }`);
    expect(errors).toBeUndefined();
    const fc = data!.householdsFeatureCollection;
    expect(() => check(JSON.stringify(fc))).not.toThrow();
    expect(fc.features.length).toBeGreaterThan(0);
    const feature = fc.features[0];
    expect(feature.geometry.type).toBe('Point');
    expect(feature.properties).toMatchObject({ villageCode: TANJUNG_MAS });
    expect(feature.properties.desil).toBeLessThanOrEqual(3);
    expect(Array.isArray(feature.properties.pas)).toBe(true);
    expect(feature.properties).not.toHaveProperty('headNik');
  });
});

describe('geometry and argument errors', () => {
  it('catches swapped axes and says so', async () => {
    const r = await api.query(`{ households(filter: { near: { longitude: -6.95, latitude: 110.42, radiusMeters: 100 } }) { totalCount } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/longitude/i);
  });

  it('explains an invalid polygon with the PostGIS reason and where it is', async () => {
    const bowtie = { type: 'Polygon', coordinates: [[[110.42, -6.96], [110.44, -6.94], [110.44, -6.96], [110.42, -6.94], [110.42, -6.96]]] };
    const r = await api.query(`query($p: GeoJSON) { households(within: $p) { totalCount } }`, { p: bowtie });
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_GEOMETRY');
    expect(r.errors?.[0]?.extensions?.argument).toBe('within');
    expect(r.errors?.[0]?.message).toMatch(/self-intersection/i);
  });

  it('refuses an unclosed ring, naming the argument', async () => {
    const open = { type: 'Polygon', coordinates: [[[110.42, -6.96], [110.44, -6.96], [110.44, -6.94], [110.42, -6.94]]] };
    const r = await api.query(`query($p: GeoJSON) { households(within: $p) { totalCount } }`, { p: open });
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_GEOMETRY');
  });

  it('refuses an inverted desil range and an over-cap page size', async () => {
    const range = await api.query(`{ households(filter: { desilMin: 5, desilMax: 2 }) { totalCount } }`);
    expect(range.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.desilMin' });
    const cap = await api.query(`{ households(first: 1001) { totalCount } }`);
    expect(cap.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('masks internal errors behind an id', async () => {
    await api.database.db.query('ALTER TABLE pas_tags RENAME TO pas_tags_gone');
    try {
      const r = await api.query(`{ households(villageCode: "${TANJUNG_MAS}", first: 1) { nodes { pasTags { pas } } } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(r.errors?.[0]?.message).not.toMatch(/pas_tags|relation|SELECT/);
      expect(r.errors?.[0]?.extensions?.errorId).toBeTruthy();
    } finally {
      await api.database.db.query('ALTER TABLE pas_tags_gone RENAME TO pas_tags');
    }
  });
});
