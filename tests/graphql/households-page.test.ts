/**
 * The households page built as one JSON text in PostgreSQL (src/features/households/household.page.ts)
 * must answer exactly what the resolvers answer: same keys in the same order, same values, same
 * rows, same hidden PAS for every role. Each query is run as it is (plain fields: the one-statement
 * path) and with `rtlh { isRtlh }` added last to every node (a field only the resolvers serve),
 * whose key is then removed before the two responses are compared as JSON text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';
import { pageVariants, runBothPaths, withoutCursors, withoutKey } from '../support/page-paths.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const RESOLVER_ONLY_FIELD = 'rtlh { isRtlh }';

const variants = (query: string) => pageVariants(query, RESOLVER_ONLY_FIELD);

const withoutRtlh = (value: unknown) => withoutKey(value, 'rtlh');

const both = (query: string, variables: Record<string, unknown>, as: Principal) => runBothPaths(api, variants(query), variables, as);

const OP2 = `query($village: String, $first: Int, $after: String) { households(villageCode: $village, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { id registryId location desil pas memberCount pasTags { pas source recordedOn memberId } #NODES_END } } }`;

const EVERY_PLAIN_FIELD = `query($skipId: Boolean!, $withTags: Boolean!) { page: households(first: 60, filter: { desilMax: 4 }) {
  __typename pageInfo { hasNextPage }
  list: nodes {
    ...Row
    __typename
    id @skip(if: $skipId)
    tags: pasTags @include(if: $withTags) { __typename p: pas ... on PasTag { source member: memberId } recordedOn }
    ... on Household { desil pas }
    #NODES_END
  } } }
  fragment Row on Household { villageCode isMustahik inactiveSince hasSmallBusiness receivesPkh receivesBpnt hasChild hasElderly hasDisabled livelihood location memberCount registryId id }`;

const ROLES = ['admin', 'planner', 'plannerSemarang', 'pendamping', 'partner'] as const;

describe('the households page as one JSON text', () => {
  for (const role of ROLES) {
    it(`answers what the resolvers answer, in one statement, for ${role}`, async () => {
      const as = principals[role];
      const { compiled, resolved } = await both(OP2, { village: TEST_VILLAGE, first: 40 }, as);
      expect(JSON.stringify(withoutCursors(compiled.result))).toBe(JSON.stringify(withoutCursors(withoutRtlh(resolved.result))));
      // The page, its tags and the count in one statement. The resolvers send the page, the count
      // and, when the page has rows, the tags and the RTLH rule; both send the same audit record.
      const rows = (compiled.result.data as any).households.nodes.length;
      expect(resolved.statements - compiled.statements).toBe(rows > 0 ? 3 : 1);
    });
  }

  it('keeps aliases, fragments, __typename, @skip and @include, and the key order graphql-js gives', async () => {
    for (const variables of [{ skipId: false, withTags: true }, { skipId: true, withTags: false }]) {
      const { compiled, resolved } = await both(EVERY_PLAIN_FIELD, variables, principals.planner);
      expect(JSON.stringify(compiled.result)).toBe(JSON.stringify(withoutRtlh(resolved.result)));
      // No count asked: page and tags (and the RTLH rule) become one statement.
      expect(resolved.statements - compiled.statements).toBe(variables.withTags ? 2 : 1);
      const first = (compiled.result.data as any).page.list[0];
      expect(Object.keys(first)[0]).toBe('villageCode');
      if (variables.withTags) expect(Object.keys(first)).toContain('tags');
      else expect(Object.keys(first)).not.toContain('tags');
    }
  });

  it('hides the sensitive PAS from roles that may not see them, on the page and in its tags', async () => {
    const query = `query($village: String) { households(villageCode: $village, first: 1000) { nodes { id villageCode pas pasTags { pas } #NODES_END } } }`;
    const sensitive = ['WARGA_BINAAN', 'KORBAN_KEKERASAN', 'KORBAN_NAPZA_HIV'];
    const pasOf = (nodes: any[]) => nodes.flatMap((n: any) => [...n.pas, ...n.pasTags.map((t: any) => t.pas)]);
    const partner = await both(query, {}, principals.partner);
    expect(JSON.stringify(partner.compiled.result)).toBe(JSON.stringify(withoutRtlh(partner.resolved.result)));
    const partnerNodes: any[] = (partner.compiled.result.data as any).households.nodes;
    expect(partnerNodes.length).toBeGreaterThan(0);
    expect(pasOf(partnerNodes).some((p: string) => sensitive.includes(p))).toBe(false);
    // The same households as the administrator reads them hold sensitive PAS: else this test would prove nothing.
    const ids = new Set(partnerNodes.map((n) => n.id));
    const adminNodes: any[] = [];
    for (const village of new Set(partnerNodes.map((n) => n.villageCode))) {
      const admin = await both(query, { village }, principals.admin);
      expect(JSON.stringify(admin.compiled.result)).toBe(JSON.stringify(withoutRtlh(admin.resolved.result)));
      adminNodes.push(...(admin.compiled.result.data as any).households.nodes.filter((n: any) => ids.has(n.id)));
    }
    expect(adminNodes).toHaveLength(partnerNodes.length);
    expect(pasOf(adminNodes).some((p: string) => sensitive.includes(p))).toBe(true);
  });

  it('pages with the same rows and interchangeable cursors on both paths', async () => {
    const walk = async (which: 'compiled' | 'resolved') => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 50; page++) {
        const q = variants(OP2)[which];
        const r: any = await api.query(q, { village: TEST_VILLAGE, first: 45, after });
        expect(r.errors).toBeUndefined();
        ids.push(...r.data.households.nodes.map((n: { id: string }) => n.id));
        if (!r.data.households.pageInfo.hasNextPage) {
          expect(r.data.households.totalCount).toBe(ids.length);
          return ids;
        }
        after = r.data.households.pageInfo.endCursor;
        // A cursor from one path continues on the other.
        const other: any = await api.query(variants(OP2)[which === 'compiled' ? 'resolved' : 'compiled'], { village: TEST_VILLAGE, first: 1, after });
        expect(Number(other.data.households.nodes[0].id)).toBeGreaterThan(Number(ids[ids.length - 1]));
      }
      throw new Error('more than 50 pages');
    };
    const compiled = await walk('compiled');
    expect(compiled.length).toBeGreaterThan(45);
    expect(await walk('resolved')).toEqual(compiled);
  });

  it('escapes registry text as JSON (quotes, backslashes, control characters, non-ASCII)', async () => {
    const [row] = await api.database.db.query<{ id: number }>(`SELECT id FROM households WHERE village_code = '${TEST_VILLAGE}' ORDER BY id LIMIT 1`);
    const odd = 'SYN-"quoted" \\back\\slash\ttab\nline é ☃ \u0001';
    await api.database.db.query(`UPDATE households SET registry_id = $1 WHERE id = $2`, [odd, row!.id]);
    const { compiled, resolved } = await both(OP2, { village: TEST_VILLAGE, first: 3 }, principals.admin);
    expect(JSON.stringify(withoutCursors(compiled.result))).toBe(JSON.stringify(withoutCursors(withoutRtlh(resolved.result))));
    expect((compiled.result.data as any).households.nodes[0].registryId).toBe(odd);
  });

  it('answers an empty page with an empty list and no cursor', async () => {
    const ocean = `query { households(bboxWgs84: [105.0, -8.0, 105.01, -7.99], first: 10) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id pasTags { pas } #NODES_END } } }`;
    const { compiled, resolved } = await both(ocean, {}, principals.admin);
    expect(compiled.result).toEqual(withoutRtlh(resolved.result));
    expect((compiled.result.data as any).households).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
  });

  it('takes the resolvers for edges, members and other non-plain fields', async () => {
    const edges = await api.countStatements(`{ households(villageCode: "${TEST_VILLAGE}", first: 5) { edges { cursor node { id } } } }`);
    expect(edges.result.errors).toBeUndefined();
    expect((edges.result.data as any).households.edges).toHaveLength(5);
    const members = await api.countStatements(`{ households(villageCode: "${TEST_VILLAGE}", first: 5) { nodes { id members { id } } } }`);
    expect((members.result.data as any).households.nodes[0].members.length).toBeGreaterThan(0);
    expect(members.statements).toBeGreaterThanOrEqual(2);
  });
});
