/**
 * Issue 13 for package items: one source (src/features/packages/package-item.source.ts), so the
 * same item shows the same values to the same caller on every surface — GraphQL Package.items,
 * the package CSV, OGC package-items and the package-items tile layer — and money sums are
 * withheld where the caller's counts about the village are protected.
 */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { insertPackageFixture, startGisHarness, type GisHarness, type PackageFixture } from '../ogc/harness.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let h: GisHarness;
let fixture: PackageFixture;
/** Tiles at z14 covering every item location of the fixture package. */
let tiles: { z: number; x: number; y: number }[];

/** A partner whose funder pays for nothing in the fixture. */
const nonFunder: Principal = { subject: 'pln@test', role: 'PARTNER', organisation: 'PLN Peduli', funder: 'PLN', regionCodes: null, villageCodes: [] };
const ROLES = {
  plannerSemarang: principals.plannerSemarang,
  plannerJabar: principals.plannerJabar,
  partner: principals.partner,
  nonFunder,
  viewer: principals.viewer,
} as const;
type Role = keyof typeof ROLES;
const tokens = {} as Record<Role, string>;

const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

beforeAll(async () => {
  h = await startGisHarness();
  fixture = await insertPackageFixture(h.db);
  await h.db.query(sql`INSERT INTO package_budgets (package_id, funder_code, budget_idr) VALUES (${fixture.packageId}, 'BAZNAS', 2000000000), (${fixture.packageId}, 'KEMENSOS', 2000000000)`);
  for (const [role, p] of Object.entries(ROLES) as [Role, Principal][]) {
    tokens[role] = await h.api.token(
      { sub: p.subject, role: p.role, org: p.organisation ?? undefined, ...(p.funder ? { funder: p.funder } : {}), ...(p.regionCodes ? { regions: p.regionCodes } : {}) },
      '2h',
    );
  }
  const [box] = await h.db.query<{ w: number; s: number; e: number; n: number }>(sql`SELECT min(ST_X(p)) AS w, min(ST_Y(p)) AS s, max(ST_X(p)) AS e, max(ST_Y(p)) AS n
    FROM (SELECT coalesce(i.location, hh.location) AS p FROM package_items i LEFT JOIN households hh ON hh.id = i.household_id WHERE i.package_id = ${fixture.packageId}) x`);
  tiles = [];
  for (let x = tileX(box!.w, 14); x <= tileX(box!.e, 14); x++) for (let y = tileY(box!.n, 14); y <= tileY(box!.s, 14); y++) tiles.push({ z: 14, x, y });
});
afterAll(async () => h?.close());

interface Shown {
  id: number;
  intervention_code: string;
  funder_code: string;
  household_id: number | null;
  progress: string;
  quantity?: number;
  cost_idr?: number;
  lonLat?: [number, number] | null;
}

const get = (path: string, role: Role) => fetch(`${h.origin}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });

async function graphql(role: Role) {
  const r = await h.api.query(
    `query($id: ID!) { package(id: $id) { items { id interventionCode funderCode householdId quantity costIdr progress } csv featureCollection totalCostIdr
      budgets { funderCode budgetIdr allocatedIdr remainingIdr } coverage(radiusMeters: 500) { byCategory { category items costIdr } } } }`,
    { id: String(fixture.packageId) },
    ROLES[role],
  );
  if (r.errors) {
    expect(r.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    return null;
  }
  return r.data!.package as any;
}

function fromGraphql(pkg: any): Shown[] {
  return (pkg?.items ?? []).map((i: any) => ({
    id: Number(i.id), intervention_code: i.interventionCode, funder_code: i.funderCode, household_id: i.householdId === null ? null : Number(i.householdId),
    progress: i.progress, quantity: i.quantity, cost_idr: i.costIdr,
  }));
}

function fromCsv(pkg: any): Shown[] {
  if (!pkg) return [];
  const [header, ...lines] = (pkg.csv as string).trim().split('\r\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const c = Object.fromEntries(line.split(',').map((v, i) => [names[i], v]));
    return {
      id: Number(c.item_id), intervention_code: c.intervention_code!, funder_code: c.funder_code!, household_id: c.household_id ? Number(c.household_id) : null,
      progress: c.progress!, quantity: Number(c.quantity), cost_idr: Number(c.cost_idr), lonLat: c.longitude ? [Number(c.longitude), Number(c.latitude)] : null,
    };
  });
}

async function fromOgc(role: Role): Promise<Shown[]> {
  const response = await get(`/ogc/collections/package-items/items?package_id=${fixture.packageId}&limit=1000`, role);
  expect(response.status).toBe(200);
  const body = (await response.json()) as any;
  return body.features.map((f: any) => ({
    id: f.properties.id, intervention_code: f.properties.intervention_code, funder_code: f.properties.funder_code, household_id: f.properties.household_id,
    progress: f.properties.progress, quantity: f.properties.quantity, cost_idr: f.properties.cost_idr, lonLat: f.geometry?.coordinates ?? null,
  }));
}

async function fromTiles(role: Role): Promise<Shown[]> {
  const byId = new Map<number, Shown>();
  for (const t of tiles) {
    const response = await get(`/tiles/package-items/${t.z}/${t.x}/${t.y}.mvt`, role);
    expect([200, 204]).toContain(response.status); // 204: an empty tile
    const bytes = new Uint8Array(await response.arrayBuffer());
    const layer = bytes.length ? new VectorTile(new PbfReader(bytes)).layers.package_items : undefined;
    for (let i = 0; i < (layer?.length ?? 0); i++) {
      const p = layer!.feature(i).properties as Record<string, any>;
      if (Number(p.package_id) !== fixture.packageId) continue;
      byId.set(Number(p.id), {
        id: Number(p.id), intervention_code: p.intervention_code, funder_code: p.funder_code,
        household_id: p.household_id === undefined || p.household_id === null ? null : Number(p.household_id), progress: p.progress,
      });
    }
  }
  return [...byId.values()];
}

const byId = (rows: Shown[]) => [...rows].sort((a, b) => a.id - b.id);
const core = ({ id, intervention_code, funder_code, household_id, progress }: Shown) => ({ id, intervention_code, funder_code, household_id, progress });

describe('package items: the same values on every surface, per role', () => {
  const expectedIds = () => ({
    plannerSemarang: [...fixture.householdItemIds.slice(0, 5), ...fixture.facilityItemIds.slice(0, 2)],
    plannerJabar: [],
    partner: [...fixture.householdItemIds.slice(0, 3), ...fixture.facilityItemIds.slice(0, 2)],
    nonFunder: [],
    viewer: fixture.facilityItemIds.slice(0, 2),
  });

  for (const role of Object.keys(ROLES) as Role[]) {
    it(`${role}: GraphQL, CSV, OGC and tiles show the same items with the same values`, async () => {
      const pkg = await graphql(role);
      const g = byId(fromGraphql(pkg));
      const c = byId(fromCsv(pkg));
      const o = byId(await fromOgc(role));
      const t = byId(await fromTiles(role));
      expect(g.map((i) => i.id)).toEqual([...expectedIds()[role]].sort((a, b) => a - b));
      expect(c.map(core)).toEqual(g.map(core));
      expect(o.map(core)).toEqual(g.map(core));
      expect(t.map(core)).toEqual(g.map(core));
      // Amounts and positions agree where a surface carries them.
      expect(c.map((i) => [i.quantity, i.cost_idr])).toEqual(g.map((i) => [i.quantity, i.cost_idr]));
      expect(o.map((i) => [i.quantity, i.cost_idr])).toEqual(g.map((i) => [i.quantity, i.cost_idr]));
      expect(c.map((i) => i.lonLat)).toEqual(o.map((i) => i.lonLat));
      // The package FeatureCollection holds the same items (at a house: only those the caller may read there).
      const fc = pkg ? (typeof pkg.featureCollection === 'string' ? JSON.parse(pkg.featureCollection) : pkg.featureCollection) : { features: [] };
      const fcItems = (fc.features as any[]).flatMap((f) =>
        f.properties.kind === 'FACILITY' ? [[f.properties.itemId, f.properties.funderCode, null]] : f.properties.items.map((i: any) => [i.itemId, i.funderCode, f.properties.householdId]),
      );
      expect(fcItems.sort((a: any, b: any) => a[0] - b[0])).toEqual(g.map((i) => [i.id, i.funder_code, i.household_id]));
      // A partner never sees another funder's item at a house.
      if (role === 'partner') for (const i of g) if (i.household_id !== null) expect(i.funder_code).toBe('BAZNAS');
    });
  }
});

describe('money where counts are protected', () => {
  it('gives exact totals, allocations and category costs where the village is exact, and null elsewhere', async () => {
    const [exact] = await h.db.query<{ total: number; baznas: number }>(sql`SELECT sum(cost_idr)::bigint AS total,
        (SELECT sum(f.amount_idr) FROM package_item_funding f JOIN package_items i ON i.id = f.item_id WHERE i.package_id = ${fixture.packageId} AND f.funder_code = 'BAZNAS')::bigint AS baznas
      FROM package_items WHERE package_id = ${fixture.packageId}`);
    const planner = await graphql('plannerSemarang');
    expect(planner.totalCostIdr).toBe(Number(exact!.total));
    expect(planner.budgets.find((b: any) => b.funderCode === 'BAZNAS')).toMatchObject({ allocatedIdr: Number(exact!.baznas), remainingIdr: 2000000000 - Number(exact!.baznas) });
    expect(planner.coverage.byCategory.every((c: any) => c.costIdr !== null && c.items !== null)).toBe(true);

    for (const role of ['partner', 'viewer'] as Role[]) {
      const pkg = await graphql(role);
      expect(pkg.totalCostIdr, role).toBeNull();
      for (const b of pkg.budgets) {
        expect(b.budgetIdr, role).toBe(2000000000);
        expect([b.allocatedIdr, b.remainingIdr], role).toEqual([null, null]);
      }
      // HOUSING has 5 items (3 RLHB + 2 RST): rounded to 5, its cost withheld.
      const housing = pkg.coverage.byCategory.find((c: any) => c.category === 'HOUSING');
      expect(housing, role).toEqual({ category: 'HOUSING', items: 5, costIdr: null });
      for (const c of pkg.coverage.byCategory) expect(c.costIdr, `${role} ${c.category}`).toBeNull();
    }
  });

  it('withholds the dashboard cost wherever its item count is protected', async () => {
    const r = await h.api.query(`{ executionDashboard(regionCode: "33.74") { category funderCode progress items costIdr } }`, {}, principals.viewer);
    expect(r.errors).toBeUndefined();
    expect(r.data!.executionDashboard.length).toBeGreaterThan(0);
    for (const row of r.data!.executionDashboard as any[]) expect(row.costIdr).toBeNull();
  });
});

describe('statements', () => {
  it('reads items, budgets and CSV of many packages in a number of statements that does not grow with their number', async () => {
    const extra: number[] = [];
    for (let n = 0; n < 6; n++) {
      const [p] = await h.db.query<{ id: number }>(sql`INSERT INTO packages (village_code, name, status, created_by) VALUES (${TEST_VILLAGE}, ${`extra ${n}`}, 'APPROVED', 'test') RETURNING id`);
      await h.db.query(sql`INSERT INTO package_items (package_id, intervention_code, funder_code, location, quantity, unit_cost_idr, cost_idr)
        SELECT ${p!.id}, iv.code, 'KEMENSOS', (SELECT ST_PointOnSurface(boundary) FROM village_geography WHERE village_code = ${TEST_VILLAGE}), 1, iv.unit_cost_idr, iv.unit_cost_idr
        FROM interventions iv WHERE iv.code = 'POS_RAMAH_LANSIA'`);
      extra.push(p!.id);
    }
    const statements = async (first: number) => {
      const before = h.api.database.db.statementCount;
      const r = await h.api.query(
        `query($first: Int!) { packages(villageCode: "${TEST_VILLAGE}", first: $first) { nodes { id totalCostIdr items { id costIdr } budgets { allocatedIdr } csv } } }`,
        { first },
        principals.viewer,
      );
      expect(r.errors).toBeUndefined();
      expect(r.data!.packages.nodes.length).toBe(first);
      return h.api.database.db.statementCount - before;
    };
    expect(await statements(6)).toBe(await statements(2));
  });
});
