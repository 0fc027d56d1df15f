/**
 * A planner's region scope (issue 19): the row scope is a test on the village code's prefix
 * (`left(village_code, 5) = '33.74'`), which region indexes ordered by id serve, and a planner of
 * several regions pages through one ordered branch per region. Whatever the shape of the SQL, a
 * regional planner must see exactly the active households under its codes, each once, in id
 * order, across every page — checked here against a plain JavaScript reading of the codes.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disjointRegionCodes, policy } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import { startTestApi, type TestApi } from '../support/graphql.js';

let api: TestApi;
let active: { id: number; village_code: string }[];
let regions: string[];
beforeAll(async () => {
  api = await startTestApi();
  active = await api.database.db.query<{ id: number; village_code: string }>(
    sql`SELECT id, village_code FROM households WHERE inactive_since IS NULL ORDER BY id`,
  );
  regions = (await api.database.db.query<{ code: string }>(sql`SELECT code FROM regions ORDER BY code`)).map((r) => r.code);
}, 120_000);
afterAll(async () => api?.close());

const planner = (regionCodes: string[]): Principal => ({
  subject: `planner-${regionCodes.join('+') || 'none'}@test`,
  role: 'PLANNER',
  organisation: 'Dinsos',
  funder: null,
  regionCodes,
  villageCodes: [],
});

/** What "under a region code" means, independent of any SQL: the code itself or a code below it. */
const under = (villageCode: string, codes: readonly string[]) => codes.some((c) => villageCode === c || villageCode.startsWith(`${c}.`));
const expectedIds = (codes: readonly string[]) => active.filter((h) => under(h.village_code, codes)).map((h) => h.id);

/** The codes of the region, at `length`, holding the most active households (ties by code). */
function largest(length: number, within = ''): string {
  const counts = new Map<string, number>();
  for (const h of active) if (h.village_code.startsWith(within)) counts.set(h.village_code.slice(0, length), (counts.get(h.village_code.slice(0, length)) ?? 0) + 1);
  const [best] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!best) throw new Error(`no households under ${within || 'any region'}`);
  return best[0];
}

/** The smallest populated region at `length` outside `outside` (ties by code). */
function smallestOutside(length: number, outside: string): string {
  const counts = new Map<string, number>();
  for (const h of active) if (!h.village_code.startsWith(`${outside}.`)) counts.set(h.village_code.slice(0, length), (counts.get(h.village_code.slice(0, length)) ?? 0) + 1);
  const [best] = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  if (!best) throw new Error(`no households outside ${outside}`);
  return best[0];
}

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string; villageCode: string }[];
}

/** Every page of `households` as the planner, with cursors; `resolvers` adds a field only the resolvers serve (the other page path). */
async function allPages(as: Principal, pageSize: number, resolvers = false) {
  const ids: number[] = [];
  const codes: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 10_000; page++) {
    const result = await api.query<{ households: Connection }>(
      `query($first: Int, $after: String) { households(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id villageCode ${resolvers ? 'rtlh { isRtlh }' : ''} } } }`,
      { first: pageSize, after },
      as,
    );
    expect(result.errors).toBeUndefined();
    const connection: Connection = result.data!.households;
    totalCount = connection.totalCount;
    ids.push(...connection.nodes.map((n) => Number(n.id)));
    codes.push(...connection.nodes.map((n) => n.villageCode));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { ids, codes, totalCount };
}

describe('a regional planner sees exactly the households under its codes', () => {
  const cases = (): [string, string[]][] => {
    const province = largest(2);
    const regency = largest(5, `${province}.`);
    const district = largest(8, `${regency}.`);
    const village = largest(13, `${district}.`);
    const elsewhere = smallestOutside(5, province);
    return [
      ['a province', [province]],
      ['a regency', [regency]],
      ['a district', [district]],
      ['a village', [village]],
      ['several codes of different levels in different provinces', [district, elsewhere, smallestOutside(13, province)]],
      ['several regencies, one of them covered by a province also held', [elsewhere, regency, province]],
      ['a code repeated', [regency, regency]],
      ['a region without households', ['99']],
    ];
  };

  it('pages through every household under the codes once, in id order, on both page paths, with the exact count', async () => {
    for (const [name, codes] of cases()) {
      const expected = expectedIds(codes);
      // About eight pages per region, so cursors cross the branches of a multi-region scope.
      const pageSize = Math.max(3, Math.ceil(expected.length / 8));
      for (const resolvers of [false, true]) {
        const got = await allPages(planner(codes), pageSize, resolvers);
        expect(got.ids, `${name} (${codes.join(', ')}), ${resolvers ? 'resolvers' : 'page JSON'}`).toEqual(expected);
        expect(got.totalCount, `${name}: totalCount`).toBe(expected.length);
        expect(got.codes.every((c) => under(c, codes)), `${name}: every village code under ${codes.join(', ')}`).toBe(true);
      }
    }
  }, 300_000);

  it('gives the FeatureCollection the same households as the connection', async () => {
    for (const [name, codes] of cases()) {
      const result = await api.query<{ householdsFeatureCollection: { features: { id: number }[] } }>(`{ householdsFeatureCollection(first: 10000) }`, {}, planner(codes));
      expect(result.errors).toBeUndefined();
      expect(result.data!.householdsFeatureCollection.features.map((f) => f.id), name).toEqual(expectedIds(codes).slice(0, 10_000));
    }
  }, 120_000);

  it('sees nothing with no codes', async () => {
    const got = await allPages(planner([]), 50);
    expect(got).toEqual({ ids: [], codes: [], totalCount: 0 });
  });
});

describe('the prefix test is the LIKE test it replaced', () => {
  /** The row scope's predicate before issue 19 (policy.ts regionPrefixMatch), as the reference. */
  const likeTest = (codes: string[]) =>
    codes.length === 0
      ? sql`false`
      : sql`(r.code = ANY(${sql.param(codes)}::text[]) OR r.code LIKE ANY(${sql.param(codes.map((c) => `${c.replace(/[%_\\]/g, '\\$&')}.%`))}::text[]))`;

  it('selects the same region codes, at every level, for the planner scopes of packages and exact aggregates', async () => {
    const province = largest(2);
    const regency = largest(5, `${province}.`);
    const district = largest(8, `${regency}.`);
    const village = largest(13, `${district}.`);
    // Tokens carry only well-formed codes; a principal built otherwise ("33.7", "3", wildcards) keeps the LIKE meaning.
    const scopes = [[province], [regency], [district], [village], [province, regency], [regency, district, village], ['99'], [], [district, '11'], ['33.7'], ['3'], [regency, '33.7', '3_'], ['33%']];
    for (const codes of scopes) {
      const as = planner(codes);
      const like = await api.database.db.query<{ code: string }>(sql`SELECT r.code FROM regions r WHERE ${likeTest(codes)} ORDER BY r.code`);
      for (const scope of [policy.packageVillageScope(as, sql`r.code`), policy.exactAggregatesSql(as, sql`r.code`)]) {
        const prefix = await api.database.db.query<{ code: string }>(sql`SELECT r.code FROM regions r WHERE ${scope} ORDER BY r.code`);
        expect(prefix.map((r) => r.code), codes.join(', ')).toEqual(like.map((r) => r.code));
        expect(prefix.map((r) => r.code)).toEqual(regions.filter((code) => under(code, codes)));
      }
    }
  });
});

describe('disjointRegionCodes', () => {
  it('drops codes another code covers and repeats, and keeps neighbours that only share characters', () => {
    expect(disjointRegionCodes(['33.74', '33', '33.74.02.1008', '32.09', '33'])).toEqual(['32.09', '33']);
    expect(disjointRegionCodes(['33.75', '33.74.02', '33.74.03', '33.74.02'])).toEqual(['33.74.02', '33.74.03', '33.75']);
    expect(disjointRegionCodes([])).toEqual([]);
  });
});
