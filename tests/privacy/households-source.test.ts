/**
 * One household source (issue 13): households that a full registry snapshot no longer lists
 * (`inactive_since`) are left out of every listing surface — GraphQL connection and count,
 * FeatureCollection, OGC items, the households tile layer — and out of the protected grid on
 * GraphQL and in tiles; they stay readable by id in GraphQL (packages and history refer to them).
 */
import { VectorTile, type VectorTileFeature, type VectorTileLayer } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUFFER, GRID_CELL_DEGREES, tileBoundsLonLat } from '../../src/features/tiles/tiles.layers.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { allPages, startGisHarness, type GisHarness } from '../ogc/harness.js';

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
});
afterAll(async () => h?.close());

type Tile = { z: number; x: number; y: number };
const tileX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const tileY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};
const featuresOf = (layer: VectorTileLayer | undefined): VectorTileFeature[] => (layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : []);
async function tileLayer(layer: string, name: string, t: Tile, as: PrincipalName): Promise<VectorTileFeature[]> {
  const response = await h.get(`/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`, as);
  expect(response.status).toBeLessThan(300);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return bytes.length ? featuresOf(new VectorTile(new PbfReader(bytes)).layers[name]) : [];
}

const setInactive = (ids: number[], date: string | null) =>
  h.db.query(sql`UPDATE households SET inactive_since = ${date}::date WHERE id = ANY(${sql.param(ids)}::int[])`);

/** What each listing surface shows of the village, as ADMIN or PENDAMPING. */
async function listings(as: PrincipalName, tile: Tile) {
  const q = await h.api.query(
    `{ households(villageCode: "${TEST_VILLAGE}", first: 1000) { totalCount nodes { id } } householdsFeatureCollection(villageCode: "${TEST_VILLAGE}") }`,
    {},
    principals[as],
  );
  expect(q.errors).toBeUndefined();
  const ogc = await allPages(h, `/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=500`, as);
  return {
    total: q.data!.households.totalCount as number,
    graphql: q.data!.households.nodes.map((n: { id: string }) => Number(n.id)) as number[],
    featureCollection: q.data!.householdsFeatureCollection.features.map((f: { id: number }) => f.id) as number[],
    ogc: ogc.flatMap((page: any) => page.features.map((f: any) => Number(f.id))) as number[],
    tile: (await tileLayer('households', 'households', tile, as)).map((f) => Number(f.id)),
  };
}

describe('inactive households (left out by a full registry snapshot)', () => {
  it('are left out of the GraphQL connection, its count, the FeatureCollection, OGC items and the household tile, for every role that lists records', async () => {
    const [first] = await h.db.query<{ id: number; lon: number; lat: number }>(
      sql`SELECT id, ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE village_code = ${TEST_VILLAGE} AND inactive_since IS NULL ORDER BY id LIMIT 1`,
    );
    const gone = first!.id;
    const tile = { z: 14, x: tileX(first!.lon, 14), y: tileY(first!.lat, 14) };
    for (const as of ['admin', 'pendamping'] as const) {
      const before = await listings(as, tile);
      for (const surface of ['graphql', 'featureCollection', 'ogc', 'tile'] as const) expect(before[surface], `${as} ${surface} before`).toContain(gone);
      await setInactive([gone], '2025-09-30');
      try {
        const after = await listings(as, tile);
        for (const surface of ['graphql', 'featureCollection', 'ogc', 'tile'] as const) expect(after[surface], `${as} ${surface} after`).not.toContain(gone);
        expect(after.total).toBe(before.total - 1);
        expect(after.graphql).toEqual(before.graphql.filter((id) => id !== gone));
        expect(after.featureCollection).toEqual(after.graphql);
        expect(after.ogc).toEqual(after.graphql);
        // Readable by id (packages and history refer to it), marked as inactive.
        const one = await h.api.query(`{ household(id: "${gone}") { id inactiveSince } }`, {}, principals[as]);
        expect(one.data?.household).toEqual({ id: String(gone), inactiveSince: '2025-09-30' });
      } finally {
        await setInactive([gone], null);
      }
    }
  });

  it('do not count in the GraphQL grid', async () => {
    const grid = async () => {
      const r = await h.api.query(`{ householdGrid(villageCode: "${TEST_VILLAGE}", cellSizeMeters: 5000) { households suppressed } }`);
      expect(r.errors).toBeUndefined();
      const cells = r.data!.householdGrid as { households: number; suppressed: boolean }[];
      expect(cells.every((c) => !c.suppressed)).toBe(true);
      return cells.reduce((sum, c) => sum + c.households, 0);
    };
    const [row] = await h.db.query<{ ids: number[] }>(sql`SELECT array_agg(id ORDER BY id) AS ids FROM (SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND inactive_since IS NULL ORDER BY id LIMIT 3) x`);
    const before = await grid();
    await setInactive(row!.ids, '2025-09-30');
    try {
      expect(await grid()).toBe(before - 3);
    } finally {
      await setInactive(row!.ids, null);
    }
  });

  it('do not count in the protected grid tile (VIEWER): a tile whose cells hold only inactive households is empty', async () => {
    const [first] = await h.db.query<{ lon: number; lat: number }>(sql`SELECT ST_X(location) AS lon, ST_Y(location) AS lat FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
    const tile = { z: 14, x: tileX(first!.lon, 14), y: tileY(first!.lat, 14) };
    expect((await tileLayer('households', 'household_grid', tile, 'viewer')).length).toBeGreaterThan(0);
    // Every household in the cells that touch the tile (cells are counted whole).
    const c = GRID_CELL_DEGREES;
    const [w, s, e, n] = tileBoundsLonLat(tile, BUFFER);
    const [row] = await h.db.query<{ ids: number[] }>(sql`SELECT array_agg(id) AS ids FROM households WHERE inactive_since IS NULL AND location &&
      ST_MakeEnvelope(${Math.floor(w / c) * c}::float8, ${Math.floor(s / c) * c}::float8, ${(Math.floor(e / c) + 1) * c}::float8, ${(Math.floor(n / c) + 1) * c}::float8, 4326)`);
    await setInactive(row!.ids, '2025-09-30');
    try {
      expect(await tileLayer('households', 'household_grid', tile, 'viewer')).toEqual([]);
    } finally {
      await setInactive(row!.ids, null);
    }
  });
});

describe('statements per request', () => {
  it('stay the same whatever the page size (households with tags and members)', async () => {
    const query = (first: number) => `{ households(villageCode: "${TEST_VILLAGE}", first: ${first}) { totalCount nodes { id pas pasTags { pas } members { id } } } }`;
    const small = await h.api.countStatements(query(5));
    const large = await h.api.countStatements(query(200));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.households.nodes.length).toBeGreaterThan(5);
    expect(large.statements).toBe(small.statements);
  });
});

describe('inactive households in package coverage and proposals', () => {
  it('are not counted as in need, not listed as unserved and not proposed for', async () => {
    const proposed = await h.api.query(
      `mutation { proposePackage(villageCode: "${TEST_VILLAGE}", name: "Inactive households check", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 5000000000 }, { funderCode: "BAZNAS", budgetIdr: 5000000000 }]) { id } }`,
    );
    expect(proposed.errors).toBeUndefined();
    const packageId = proposed.data!.proposePackage.id as string;
    const coverage = async () =>
      (await h.api.query(`{ package(id: "${packageId}") { coverage(radiusMeters: 500) { householdsInNeed unservedHouseholdIds } } }`)).data!.package.coverage as {
        householdsInNeed: number;
        unservedHouseholdIds: string[];
      };
    const before = await coverage();
    // A household in need that the package does not serve: it disappears from both numbers once inactive.
    const gone = Number(before.unservedHouseholdIds[0]);
    expect(gone).toBeGreaterThan(0);
    await setInactive([gone], '2025-09-30');
    try {
      const after = await coverage();
      expect(after.householdsInNeed).toBe(before.householdsInNeed - 1);
      expect(after.unservedHouseholdIds).not.toContain(String(gone));
      const again = await h.api.query(
        `mutation { proposePackage(villageCode: "${TEST_VILLAGE}", name: "Inactive households check 2", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 5000000000 }, { funderCode: "BAZNAS", budgetIdr: 5000000000 }]) { id items { household { id } } } }`,
      );
      expect(again.errors).toBeUndefined();
      const households = again.data!.proposePackage.items.map((i: { household: { id: string } | null }) => i.household?.id).filter(Boolean);
      expect(households.length).toBeGreaterThan(0);
      expect(households).not.toContain(String(gone));
    } finally {
      await setInactive([gone], null);
    }
  });
});

describe('inactive households take no new package items', () => {
  it('addPackageItem is refused naming item.householdId, and the database refuses any other insert naming householdId; items already there stay', async () => {
    const proposed = await h.api.query(
      `mutation { proposePackage(villageCode: "${TEST_VILLAGE}", name: "Inactive household item check", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 5000000000 }, { funderCode: "BAZNAS", budgetIdr: 5000000000 }]) { id version items { id household { id } } } }`,
    );
    expect(proposed.errors).toBeUndefined();
    const pkg = proposed.data!.proposePackage as { id: string; version: number; items: { id: string; household: { id: string } | null }[] };
    const standing = pkg.items.find((i) => i.household);
    expect(standing).toBeDefined();
    const householdId = Number(standing!.household!.id);
    const [intervention] = await h.db.query<{ code: string; funder_code: string; unit_cost_idr: number }>(
      sql`SELECT code, funder_code, unit_cost_idr FROM interventions iv WHERE target = 'HOUSEHOLD' AND package_id IS NULL AND NOT is_housing AND funder_code = 'KEMENSOS'
        AND NOT EXISTS (SELECT 1 FROM package_items i WHERE i.package_id = ${Number(pkg.id)} AND i.household_id = ${householdId} AND i.intervention_code = iv.code) ORDER BY code LIMIT 1`,
    );
    await setInactive([householdId], '2025-09-30');
    try {
      const add = await h.api.query(
        `mutation { addPackageItem(packageId: "${pkg.id}", version: ${pkg.version}, item: { interventionCode: "${intervention!.code}", householdId: "${householdId}", eligibilityOverrideReason: "test" }) { version } }`,
      );
      expect(add.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(add.errors?.[0]?.extensions?.argument).toBe('item.householdId');
      expect(add.errors?.[0]?.message).toContain(`household ${householdId} is no longer in the registry`);

      // Any other writer meets the trigger (drizzle/0018).
      const insert = () =>
        h.db.query(sql`INSERT INTO package_items (package_id, intervention_code, funder_code, household_id, quantity, unit_cost_idr, cost_idr, origin)
          VALUES (${Number(pkg.id)}, ${intervention!.code}, ${intervention!.funder_code}, ${householdId}, 1, ${intervention!.unit_cost_idr}, ${intervention!.unit_cost_idr}, 'ADDED')`);
      const refused = await insert().then(
        () => null,
        (error: any) => error,
      );
      expect(refused?.extensions?.code).toBe('CONFLICT');
      expect(refused?.extensions?.argument).toBe('householdId');
      expect(String(refused?.message)).toContain(`household ${householdId} is no longer in the registry`);
      // Moving an existing item to the inactive household is a new item there: refused too.
      const other = pkg.items.find((i) => i.household && Number(i.household.id) !== householdId);
      expect(other).toBeDefined();
      const moved = await h.db.query(sql`UPDATE package_items SET household_id = ${householdId} WHERE id = ${Number(other!.id)}`).then(
        () => null,
        (error: any) => error,
      );
      expect(moved?.extensions?.argument).toBe('householdId');
      // The item that stood there before the snapshot stays and can still be changed.
      await h.db.query(sql`UPDATE package_items SET amount_note = 'checked' WHERE id = ${Number(standing!.id)}`);
      const [kept] = await h.db.query<{ household_id: number; amount_note: string }>(sql`SELECT household_id, amount_note FROM package_items WHERE id = ${Number(standing!.id)}`);
      expect(kept).toEqual({ household_id: householdId, amount_note: 'checked' });
    } finally {
      await setInactive([householdId], null);
    }
    // Active again: the same addPackageItem goes through.
    const added = await h.api.query(
      `mutation { addPackageItem(packageId: "${pkg.id}", version: ${pkg.version}, item: { interventionCode: "${intervention!.code}", householdId: "${householdId}", eligibilityOverrideReason: "test" }) { version } }`,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addPackageItem.version).toBe(pkg.version + 1);
  });
});
