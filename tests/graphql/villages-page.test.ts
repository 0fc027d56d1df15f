/**
 * The villages page built as one JSON text in PostgreSQL (src/features/villages/village.page.ts)
 * must answer exactly what the resolvers answer: same keys in the same order, same values (floats
 * to the last digit), same rows, same protected counts and hidden PAS for every role. Each query
 * is run as it is (plain fields: the one-statement path) and with `district { code }` added last
 * to every node (a field only the resolvers serve), whose key is then removed before the two
 * responses are compared as JSON text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Principal } from '../../src/auth/principal.js';
import { jsNumberNotation, jsonFloat, RenderedSql } from '../../src/db/json-text.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, type PrincipalName, TEST_VILLAGE } from '../support/principals.js';
import { pageVariants, runBothPaths, withoutCursors, withoutKey } from '../support/page-paths.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  // Statistics the demo does not have: a village below k (its counts and score are suppressed
  // for protected roles), and villages so large that shares fall where PostgreSQL and JavaScript
  // write floats differently (1e-6 ≤ x < 1e-4: fixed in JS, exponent in PostgreSQL; below 1e-6:
  // `5e-8` in JS, `5e-08` in PostgreSQL).
  const edit = (offset: number, set: string) =>
    api.database.db.query(`UPDATE village_stats SET ${set} WHERE village_code = (SELECT village_code FROM village_stats
      WHERE village_code LIKE '33.74.%' AND village_code <> '${TEST_VILLAGE}' ORDER BY village_code LIMIT 1 OFFSET ${offset})`);
  await edit(0, `households = 3, members = 9, households_desil_1_to_2 = 2, rtlh_households = 1, fisher_households = 1, fisher_share = 1::float8 / 3, vulnerable_households = 1`);
  await edit(1, `households = 20000000, households_desil_1_to_2 = 1, rtlh_households = 0, vulnerable_households = 7, fisher_households = 1, fisher_share = 1::float8 / 20000000`);
  await edit(2, `households = 300007, households_desil_1_to_2 = 1, rtlh_households = 3, vulnerable_households = 2, fisher_households = 2, fisher_share = 2::float8 / 300007`);
});
afterAll(async () => api?.close());

const RESOLVER_ONLY_FIELD = 'district { code }';

const variants = (query: string) => pageVariants(query, RESOLVER_ONLY_FIELD);

const withoutDistrict = (value: unknown) => withoutKey(value, 'district');

/** Both paths' responses as text (cursors normalised), after checking neither has errors. */
async function both(query: string, variables: Record<string, unknown>, as: Principal) {
  const { compiled: a, resolved: b } = await runBothPaths(api, variants(query), variables, as);
  return {
    compiled: a,
    resolved: b,
    compiledText: JSON.stringify(withoutCursors(a.result)),
    resolvedText: JSON.stringify(withoutCursors(withoutDistrict(b.result))),
  };
}

const EVERY_FIELD = `code name kind districtCode regencyCode provinceCode hasBoundary centroid areaKm2
  coastal { isCoastal source seawardBoundaryMeters distanceToCoastlineMeters }
  priority { score components { name value weight points } }
  needStatistics {
    households members householdsDesil1To2 householdsDesil1To4 rtlhHouseholds elderlyMembers childMembers disabledMembers
    householdsWithElderly householdsWithDisabled fisherHouseholds fisherShare vulnerableHouseholds
    householdsByDesil { desil households } householdsByPas { pas households }
  }`;

const PAGE = `query($filter: VillageFilter, $order: VillageOrder!, $weights: PriorityWeightsInput, $first: Int, $after: String) {
  villages(filter: $filter, orderBy: $order, priorityWeights: $weights, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { ${EVERY_FIELD} #NODES_END } } }`;

/** The benchmark's op 1, word for word but for the regency. */
const OP1 = `query($regency: String!, $first: Int!) {
  villages(filter: { regencyCode: $regency }, orderBy: PRIORITY, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      code name kind
      priority { score components { name value weight points } }
      needStatistics {
        households members householdsDesil1To2 householdsDesil1To4 rtlhHouseholds vulnerableHouseholds
        householdsWithElderly householdsWithDisabled fisherHouseholds fisherShare
      }
      #NODES_END
    }
  }
}`;

const ROLES = Object.keys(principals) as PrincipalName[];

describe('the villages page as one JSON text', () => {
  for (const role of ROLES) {
    it(`answers what the resolvers answer, in one statement, for ${role}`, async () => {
      const as = principals[role];
      for (const variables of [{ filter: { regencyCode: '33.74' }, order: 'PRIORITY', first: 200 }, { order: 'PRIORITY', first: 60 }]) {
        const r = await both(PAGE, variables, as);
        expect(r.compiledText).toBe(r.resolvedText);
        expect(r.compiled.statements).toBe(1);
        // The resolvers send the page, the count and the district lookup.
        expect(r.resolved.statements).toBeGreaterThan(1);
      }
      const op1 = await both(OP1, { regency: '33.74', first: 50 }, as);
      expect(op1.compiledText).toBe(op1.resolvedText);
      expect(op1.compiled.statements).toBe(1);
    });
  }

  it('covers protected, suppressed and exact values (else the role comparison would prove little)', async () => {
    const query = variants(PAGE).compiled;
    const page = async (as: Principal) => (await api.query(query, { filter: { regencyCode: '33.74' }, order: 'CODE', first: 300 }, as)).data!.villages.nodes as any[];
    const admin = await page(principals.admin);
    const viewer = await page(principals.viewer);
    const pendamping = await page(principals.pendamping);
    expect(viewer.map((v) => v.code)).toEqual(admin.map((v) => v.code));
    // A village of 3 households: exact for ADMIN, suppressed (and no score) for VIEWER.
    const small = admin.findIndex((v) => v.needStatistics.households === 3);
    expect(small).toBeGreaterThanOrEqual(0);
    expect(viewer[small].needStatistics.households).toBeNull();
    expect(viewer[small].priority).toBeNull();
    expect(admin[small].priority.score).toBeGreaterThan(0);
    // Rounded to a multiple of k elsewhere; exact in the pendamping's own village only.
    expect(viewer.some((v, i) => v.needStatistics.households !== admin[i].needStatistics.households && v.needStatistics.households !== null)).toBe(true);
    const own = admin.findIndex((v) => v.code === TEST_VILLAGE);
    expect(pendamping[own].needStatistics).toEqual(admin[own].needStatistics);
    // Sensitive PAS counts are null for VIEWER.
    expect(viewer[own].needStatistics.householdsByPas.find((p: any) => p.pas === 'KORBAN_NAPZA_HIV').households).toBeNull();
    // Shares small enough to be written differently by PostgreSQL and JavaScript.
    const shares = admin.flatMap((v) => [v.needStatistics.fisherShare, ...(v.priority?.components ?? []).flatMap((c: any) => [c.value, c.points])]);
    expect(shares.some((x: number) => x > 0 && x < 1e-6)).toBe(true);
    expect(shares.some((x: number) => x >= 1e-6 && x < 1e-4)).toBe(true);
  });

  it('orders by CODE, NAME and PRIORITY (default and custom weights) as the resolvers do', async () => {
    const cases = [
      { order: 'CODE' },
      { order: 'NAME' },
      { order: 'PRIORITY' },
      { order: 'PRIORITY', weights: { poverty: 1, housing: 0, vulnerability: 0, fishing: 3, coastal: 0.5 } },
    ];
    for (const as of [principals.admin, principals.plannerJabar]) {
      for (const c of cases) {
        const r = await both(PAGE, { ...c, filter: { provinceCode: '33' }, first: 40 }, as);
        expect(r.compiledText).toBe(r.resolvedText);
      }
    }
  });

  it('keeps aliases, fragments, __typename, @skip and @include, and the key order graphql-js gives', async () => {
    const query = `query($skipName: Boolean!, $withStats: Boolean!) { list: villages(filter: { regencyCode: "33.74" }, orderBy: PRIORITY, first: 25) {
      __typename count: totalCount info: pageInfo { more: hasNextPage }
      items: nodes {
        ...Head
        __typename
        name @skip(if: $skipName)
        stats: needStatistics @include(if: $withStats) { __typename n: households ... on VillageNeedStatistics { fisherShare byDesil: householdsByDesil { d: desil households __typename } } }
        p: priority { ...Score }
        ... on Village { kind coastal { __typename isCoastal } }
        #NODES_END
      } } }
      fragment Head on Village { regencyCode code hasBoundary }
      fragment Score on PriorityScore { __typename parts: components { points name __typename } score }`;
    for (const variables of [{ skipName: false, withStats: true }, { skipName: true, withStats: false }]) {
      for (const as of [principals.admin, principals.viewer]) {
        const r = await both(query, variables, as);
        expect(r.compiledText).toBe(r.resolvedText);
        expect(r.compiled.statements).toBe(1);
        const first = (r.compiled.result.data as any).list.items[0];
        expect(Object.keys(first)[0]).toBe('regencyCode');
        expect(Object.keys(first)).toEqual(variables.withStats ? expect.arrayContaining(['stats']) : expect.not.arrayContaining(['stats']));
      }
    }
  });

  it('pages with the same rows and interchangeable cursors on both paths, in every order', async () => {
    for (const order of ['PRIORITY', 'NAME', 'CODE']) {
      const walk = async (which: 'compiled' | 'resolved') => {
        const codes: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 60; page++) {
          const r: any = await api.query(variants(PAGE)[which], { filter: { regencyCode: '33.74' }, order, first: 30, after }, principals.plannerJabar);
          expect(r.errors).toBeUndefined();
          codes.push(...r.data.villages.nodes.map((n: { code: string }) => n.code));
          if (!r.data.villages.pageInfo.hasNextPage) {
            expect(r.data.villages.totalCount).toBe(codes.length);
            return codes;
          }
          after = r.data.villages.pageInfo.endCursor;
          // A cursor from one path continues on the other.
          const other: any = await api.query(variants(PAGE)[which === 'compiled' ? 'resolved' : 'compiled'], { filter: { regencyCode: '33.74' }, order, first: 1, after }, principals.plannerJabar);
          expect(other.errors).toBeUndefined();
          expect(codes).not.toContain(other.data.villages.nodes[0].code);
        }
        throw new Error('more than 60 pages');
      };
      const compiled = await walk('compiled');
      expect(compiled.length).toBeGreaterThan(30);
      expect(new Set(compiled).size).toBe(compiled.length);
      expect(await walk('resolved')).toEqual(compiled);
    }
  });

  it('applies every filter as the resolvers do', async () => {
    const filters = [
      { districtCode: '33.74.02' },
      { regencyCode: '33.74', kinds: ['KELURAHAN'], coastal: true },
      { search: 'tanjung' },
      { provinceCode: '33', hasBoundary: false },
      { regencyCode: '33.74', fishingVillage: true, fisherShareThreshold: 0.5 },
      { regencyCode: '33.74', fishingVillage: false },
      { regencyCode: '33.74', minRtlhHouseholds: 5, minHouseholdsInDesil: { maxDesil: 2, atLeast: 5 } },
      { regencyCode: '33.74', minHouseholdsWithPas: [{ pas: 'FAKIR_MISKIN', atLeast: 5 }] },
      { bboxWgs84: [110.38, -6.98, 110.45, -6.93] },
      { near: { longitude: 110.42, latitude: -6.95, radiusMeters: 3000 } },
      { withinPolygon: { type: 'Polygon', coordinates: [[[110.38, -6.98], [110.45, -6.98], [110.45, -6.93], [110.38, -6.93], [110.38, -6.98]]] } },
    ];
    for (const filter of filters) {
      for (const as of [principals.admin, principals.partner]) {
        const r = await both(PAGE, { filter, order: 'PRIORITY', first: 50 }, as);
        expect(r.compiledText, JSON.stringify(filter)).toBe(r.resolvedText);
      }
    }
  });

  it('answers an empty page with an empty list and no cursor, also for first: 0', async () => {
    const empty = await both(PAGE, { filter: { search: 'zzqxqzz' }, order: 'PRIORITY', first: 10 }, principals.admin);
    expect(empty.compiledText).toBe(empty.resolvedText);
    expect((empty.compiled.result.data as any).villages).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
    const none = await both(PAGE, { filter: { regencyCode: '33.74' }, order: 'NAME', first: 0 }, principals.admin);
    expect(none.compiledText).toBe(none.resolvedText);
    expect((none.compiled.result.data as any).villages.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
  });

  it('sends one statement whatever the page size', async () => {
    for (const first of [1, 10, 300]) {
      const r = await api.countStatements(variants(OP1).compiled, { regency: '33.74', first });
      expect(r.result.errors).toBeUndefined();
      expect(r.statements).toBe(1);
    }
  });

  it('escapes village names as JSON (quotes, backslashes, control characters, non-ASCII)', async () => {
    const odd = 'Tanjung "Mas" \\ back\ttab\nline é ☃ \u0001';
    await api.database.db.query(`UPDATE regions SET name = $1 WHERE code = $2`, [odd, TEST_VILLAGE]);
    try {
      const r = await both(PAGE, { filter: { districtCode: '33.74.02' }, order: 'CODE', first: 50 }, principals.admin);
      expect(r.compiledText).toBe(r.resolvedText);
      expect((r.compiled.result.data as any).villages.nodes.map((n: any) => n.name)).toContain(odd);
    } finally {
      await api.database.db.query(`UPDATE regions SET name = 'Tanjung Mas' WHERE code = $1`, [TEST_VILLAGE]);
    }
  });

  it('takes the resolvers for edges, boundary, regions and priority with weights', async () => {
    for (const nodes of ['boundary(zoom: 8)', 'province { name }']) {
      const r = await api.countStatements(`{ villages(filter: { districtCode: "33.74.02" }, first: 5) { nodes { code ${nodes} } } }`);
      expect(r.result.errors).toBeUndefined();
      expect((r.result.data as any).villages.nodes).toHaveLength(5);
      // The page, then the boundaries or the regions.
      expect(r.statements).toBe(2);
    }
    const weighted = await api.query(`{ villages(filter: { districtCode: "33.74.02" }, first: 5) { nodes { code priority(weights: { poverty: 1, housing: 0, vulnerability: 0, fishing: 0, coastal: 0 }) { score components { name weight points } } } } }`);
    expect(weighted.errors).toBeUndefined();
    for (const node of (weighted.data as any).villages.nodes) {
      const poverty = node.priority.components.find((c: any) => c.name === 'poverty');
      expect(poverty.weight).toBe(1);
      expect(node.priority.score).toBe(poverty.points);
    }
    const edges = await api.countStatements(`{ villages(filter: { districtCode: "33.74.02" }, first: 5) { edges { cursor node { code } } } }`);
    expect((edges.result.data as any).villages.edges).toHaveLength(5);
  });
});

describe('floats: jsonFloat in SQL, then jsNumberNotation', () => {
  it('write every float8 as JSON.stringify writes the same double', async () => {
    const values = [
      0, -0, 1, -1, 0.1, 1 / 3, 2 / 3, 100, 99.99999999999999, 1e-4, 9.999999999999999e-5, 1.5e-5, 1e-5, 1e-6, 9.99e-7, 1e-7, 1.234e-7,
      5e-324, Number.MIN_VALUE, 1e14, 1e15 - 1, 1e15, 1.5e15, 1234567890123456.8, 2 ** 53 - 1, -1.5e-5, -2.5e-8, 0.35 * 100, 0.1 + 0.2,
      65537 / 131072, 1 + 2 ** -17, 181705388398854.625,
      // From 2^53 PostgreSQL may write a digit more than V8 (46543443202972416 for 46543443202972420).
      1e15 * 9.5, 2 ** 53, 2 ** 53 + 2, 46543443202972420, 123456789012345680, 1e20, 1e21 - 65536, 1e21, 1.5e21, -1e21, 1e300, Number.MAX_VALUE,
    ];
    // Random doubles across the exponents where the notations switch, and random bit patterns.
    let seed = 19;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) values.push((random() - 0.5) * 10 ** Math.floor(random() * 60 - 30));
    const bits = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 1000; i++) {
      bits.setUint32(0, Math.floor(random() * 2 ** 32));
      bits.setUint32(4, Math.floor(random() * 2 ** 32));
      const x = bits.getFloat64(0);
      if (Number.isFinite(x)) values.push(x);
    }
    const [row] = await api.database.db.query<{ json: string }>(
      sql`SELECT '[' || string_agg(${jsonFloat(sql`x`)}, ',' ORDER BY i) || ']' AS json FROM unnest(${sql.param(values.map(String))}::float8[]) WITH ORDINALITY AS t(x, i)`,
    );
    const written: string[] = row!.json.slice(1, -1).split(',');
    // The raw text differs (else this test would prove nothing); the rewritten text does not.
    expect(written.filter((text, i) => text !== JSON.stringify(values[i])).length).toBeGreaterThan(100);
    expect(jsNumberNotation(row!.json)).toBe(JSON.stringify(values));
    const [special] = await api.database.db.query<{ json: string }>(sql`SELECT '[' || string_agg(${jsonFloat(sql`x`)}, ',') || ']' AS json FROM unnest('{NaN,Infinity,-Infinity}'::float8[]) x`);
    expect(jsNumberNotation(special!.json)).toBe('[null,null,null]');
  });

  it('leave strings and every other number as they are', () => {
    const text = '{"name":"Desa 1e-05 \\"-0\\" NaN","n":-0.5,"geo":{"coordinates":[110.4123456,-6.9]},"x":1e-05,"z":-0,"i":42}';
    expect(jsNumberNotation(text)).toBe('{"name":"Desa 1e-05 \\"-0\\" NaN","n":-0.5,"geo":{"coordinates":[110.4123456,-6.9]},"x":0.00001,"z":0,"i":42}');
    expect(JSON.parse(jsNumberNotation(text)).name).toBe('Desa 1e-05 "-0" NaN');
  });
});

describe('RenderedSql', () => {
  it('renders a fragment once per key, keeps at most maxEntries, and refuses fragments with parameters', () => {
    const cache = new RenderedSql(2);
    let builds = 0;
    const build = () => {
      builds++;
      return sql`SELECT 1`;
    };
    expect(cache.get('a', build)).toBe(cache.get('a', build));
    expect(builds).toBe(1);
    cache.get('b', build);
    cache.get('c', build);
    expect(cache.size).toBe(2);
    cache.get('a', build);
    expect(builds).toBe(4);
    expect(() => cache.get('p', () => sql`SELECT ${1}`)).toThrow(/no parameters/);
  });
});
