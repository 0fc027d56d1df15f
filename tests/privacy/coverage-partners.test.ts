/**
 * Issue 13, classes 3, 4 and 7: coverage radii and category counts for protected callers, and a
 * partner's view of the houses it builds.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals } from '../support/principals.js';

let api: TestApi;
let pkg: { id: string; villageCode: string };
beforeAll(async () => {
  api = await startTestApi();
  const r = await api.query(`{ packages(first: 1000) { nodes { id villageCode items { id } } } }`, {}, principals.admin);
  pkg = (r.data!.packages.nodes as any[]).find((p) => p.items.length > 0);
});
afterAll(async () => api?.close());

describe('coverage for protected callers', () => {
  it('refuses a free radius (class 3) and accepts the fixed ones', async () => {
    const q = `query($id: ID!, $r: Int!) { package(id: $id) { coverage(radiusMeters: $r) { householdsServed byCategory { items costIdr } } } }`;
    for (const radius of [68, 69, 499]) {
      const r = await api.query(q, { id: pkg.id, r: radius }, principals.viewer);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.argument).toBe('radiusMeters');
    }
    const ok = await api.query(q, { id: pkg.id, r: 500 }, principals.viewer);
    expect(ok.errors).toBeUndefined();
    // An exact caller keeps any radius.
    expect((await api.query(q, { id: pkg.id, r: 68 }, principals.admin)).errors).toBeUndefined();
  });

  it('protects byCategory like householdsServed (class 4)', async () => {
    const q = `query($id: ID!) { package(id: $id) { coverage(radiusMeters: 500) { byCategory { category items costIdr } } } }`;
    const viewer = await api.query(q, { id: pkg.id }, principals.viewer);
    const admin = await api.query(q, { id: pkg.id }, principals.admin);
    const exact = new Map((admin.data!.package.coverage.byCategory as any[]).map((c) => [c.category, c.items]));
    for (const c of viewer.data!.package.coverage.byCategory as any[]) {
      expect(c.costIdr, c.category).toBeNull();
      const n = exact.get(c.category) as number;
      expect(c.items, c.category).toBe(n === 0 ? 0 : n < 5 ? null : Math.round(n / 5) * 5);
    }
  });
});

describe('partners see only what delivery needs (class 7)', () => {
  it('does not open a household for a DRAFT package, nor show other funders items there', async () => {
    const db = api.database.db;
    const [h] = await db.query<{ id: number; village_code: string }>(sql`SELECT h.id, h.village_code FROM households h
      WHERE h.is_mustahik AND NOT EXISTS (SELECT 1 FROM package_items i WHERE i.household_id = h.id) ORDER BY h.id LIMIT 1`);
    const [p] = await db.query<{ id: number }>(sql`INSERT INTO packages (village_code, name, status, created_by) VALUES (${h!.village_code}, 'partner probe', 'DRAFT', 'test') RETURNING id`);
    const add = (funder: string, code: string) =>
      db.query(sql`INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, quantity, unit_cost_idr, cost_idr)
        SELECT ${p!.id}, iv.code, ${funder}, ${h!.id}, 1, iv.unit_cost_idr, iv.unit_cost_idr FROM interventions iv WHERE iv.code = ${code}`);
    await add('BAZNAS', 'Z_MART');
    await add('KEMENSOS', 'ATENSI_PERABOTAN');
    const read = () => api.query(`query($id: ID!) { household(id: $id) { id } }`, { id: String(h!.id) }, principals.partner);
    expect((await read()).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await db.query(sql`UPDATE packages SET status = 'APPROVED' WHERE id = ${p!.id}`);
    expect((await read()).errors).toBeUndefined();
    const items = await api.query(`query($id: ID!) { package(id: $id) { items { funderCode householdId } } }`, { id: String(p!.id) }, principals.partner);
    expect(items.errors).toBeUndefined();
    expect((items.data!.package.items as any[]).map((i) => i.funderCode)).toEqual(['BAZNAS']);
  });
});
