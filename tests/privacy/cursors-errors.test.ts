/**
 * Issue 13, classes 1, 5 and 8: cursors are sealed (no sort key readable, none forgeable), a
 * package outside the caller's scope is NOT_FOUND on mutations as on reads, and the packages list
 * is scoped in SQL and paged by cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('sealed cursors', () => {
  it('gives cursors that do not decode to the sort key, and pages with them', async () => {
    const q = `query($after: String) { villages(orderBy: PRIORITY, first: 2, after: $after) { nodes { code } pageInfo { endCursor hasNextPage } } }`;
    const first = await api.query(q, {}, principals.viewer);
    expect(first.errors).toBeUndefined();
    const cursor: string = first.data!.villages.pageInfo.endCursor;
    // The old format was base64url JSON of [score, code]: nothing of the kind is readable now.
    const opened = Buffer.from(cursor, 'base64url').toString('latin1');
    expect(opened).not.toContain(first.data!.villages.nodes[1].code);
    expect(() => JSON.parse(opened)).toThrow();
    const second = await api.query(q, { after: cursor }, principals.viewer);
    expect(second.errors).toBeUndefined();
    const codes = [...first.data!.villages.nodes, ...second.data!.villages.nodes].map((v: { code: string }) => v.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('refuses tampered and forged cursors with BAD_USER_INPUT naming after', async () => {
    const q = `query($after: String) { villages(orderBy: PRIORITY, first: 2, after: $after) { nodes { code } } }`;
    const first = await api.query(q, {}, principals.viewer);
    const cursor: string = (await api.query(`{ villages(orderBy: PRIORITY, first: 1) { pageInfo { endCursor } } }`, {}, principals.viewer)).data!.villages.pageInfo.endCursor;
    const raw = Buffer.from(cursor, 'base64url');
    const at = raw.length - 20;
    raw.writeUInt8(raw.readUInt8(at) ^ 1, at);
    const forged = [raw.toString('base64url'), base64Json([44.444, '33.74.02.1005']), base64Json([1]), 'x'];
    for (const after of forged) {
      const r = await api.query(q, { after }, principals.viewer);
      expect(r.errors?.[0]?.extensions?.code, after).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.argument, after).toBe('after');
    }
    expect(first.errors).toBeUndefined();
  });

  it('seals household cursors too (every connection)', async () => {
    const r = await api.query(`{ households(first: 1) { pageInfo { endCursor } } }`, {}, principals.plannerSemarang);
    expect(r.errors).toBeUndefined();
    const cursor: string = r.data!.households.pageInfo.endCursor;
    expect(() => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).toThrow();
  });
});

describe('packages outside scope are NOT_FOUND on every path', () => {
  it('answers NOT_FOUND, never FORBIDDEN naming the village, to a mutation on an unreadable package', async () => {
    const list = await api.query(`{ packages(first: 1000) { nodes { id villageCode version } } }`, {}, principals.admin);
    expect(list.errors).toBeUndefined();
    const outside = list.data!.packages.nodes.find((p: { villageCode: string }) => !p.villageCode.startsWith('33.74'));
    expect(outside, 'the demo has a package outside Kota Semarang (the pilots)').toBeDefined();
    for (const who of [principals.plannerSemarang, principals.pendamping]) {
      const read = await api.query(`query($id: ID!) { package(id: $id) { id } }`, { id: outside.id }, who);
      expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const write = await api.query(
        `mutation($id: ID!, $v: Int!) { transitionPackage(packageId: $id, version: $v, to: CANCELLED, reason: "probe") { id } }`,
        { id: outside.id, v: outside.version },
        who,
      );
      expect(write.errors?.[0]?.extensions?.code, who.subject).toBe('NOT_FOUND');
      expect(write.errors?.[0]?.message).not.toContain(outside.villageCode);
      // A missing id answers the same way: walking ids reveals nothing.
      const missing = await api.query(
        `mutation { transitionPackage(packageId: "999999", version: 1, to: CANCELLED, reason: "probe") { id } }`,
        {},
        who,
      );
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('packages connection', () => {
  it('scopes in SQL and pages by cursor: every page holds only readable packages, and pages add up to totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let guard = 0; guard < 100; guard++) {
      const r: any = await api.query(
        `query($after: String) { packages(first: 1, after: $after) { totalCount nodes { id villageCode } pageInfo { hasNextPage endCursor } } }`,
        { after },
        principals.plannerJabar,
      );
      expect(r.errors).toBeUndefined();
      total = r.data.packages.totalCount;
      for (const p of r.data.packages.nodes) {
        expect(p.villageCode.startsWith('32')).toBe(true);
        seen.push(p.id);
      }
      if (!r.data.packages.pageInfo.hasNextPage) break;
      after = r.data.packages.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(total).toBeGreaterThan(0);
    const pendamping = await api.query(`{ packages(first: 1000) { nodes { villageCode } } }`, {}, principals.pendamping);
    for (const p of pendamping.data!.packages.nodes) expect(p.villageCode).toBe(TEST_VILLAGE);
  });
});
