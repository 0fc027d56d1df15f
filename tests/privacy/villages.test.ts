/**
 * Issue 13 for villages: the same question gives the same protected values on every surface
 * (GraphQL object, FeatureCollection, OGC API), and sort orders and threshold filters reveal
 * nothing beyond those values (classes 1, 2 and 6).
 */
import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { sql } from 'drizzle-orm';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';
import { principals, type PrincipalName } from '../support/principals.js';

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
});
afterAll(async () => h?.close());

const K = 5;
const REGENCY = '33.74'; // Kota Semarang: outside plannerJabar's region, outside the PENDAMPING's one village mostly
const ROLES: PrincipalName[] = ['viewer', 'plannerJabar', 'pendamping', 'plannerSemarang'];

interface Shown {
  households: number | null;
  householdsDesil1To2: number | null;
  rtlhHouseholds: number | null;
  fisherShare: number | null;
  priorityScore: number | null;
}

const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

async function graphqlVillages(as: PrincipalName | Principal, filter = `{ regencyCode: "${REGENCY}", hasBoundary: true }`, orderBy = 'CODE', weights = '') {
  const r = await h.api.query(
    `{ villages(filter: ${filter}, orderBy: ${orderBy}, first: 1000${weights}) { nodes { code
      needStatistics { households householdsDesil1To2 rtlhHouseholds fisherShare householdsByDesil { households } }
      priority { score } } } }`,
    {},
    typeof as === 'string' ? principals[as] : as,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.villages.nodes as any[];
}

const shownOf = (v: any): Shown => ({
  households: v.needStatistics.households,
  householdsDesil1To2: v.needStatistics.householdsDesil1To2,
  rtlhHouseholds: v.needStatistics.rtlhHouseholds,
  fisherShare: r4(v.needStatistics.fisherShare),
  priorityScore: r2(v.priority?.score ?? null),
});

describe('one village source: every surface shows the same protected values', () => {
  for (const as of ROLES) {
    it(`GraphQL object = FeatureCollection = OGC for ${as}`, async () => {
      const objects = new Map((await graphqlVillages(as)).map((v) => [v.code, shownOf(v)]));
      expect(objects.size).toBeGreaterThan(5);
      const fc = await h.api.query(`{ villagesFeatureCollection(filter: { regencyCode: "${REGENCY}" }) }`, {}, principals[as]);
      expect(fc.errors).toBeUndefined();
      const ogc = await h.json(`/ogc/collections/villages/items?regency_code=${REGENCY}&limit=1000`, as);
      expect(ogc.status).toBe(200);
      const surfaces = { featureCollection: (fc.data as any).villagesFeatureCollection.features, ogc: ogc.body.features };
      for (const [surface, features] of Object.entries(surfaces)) {
        expect(features.length, surface).toBe(objects.size);
        for (const f of features as any[]) {
          const p = f.properties;
          const shown: Shown =
            surface === 'ogc'
              ? { households: p.households, householdsDesil1To2: p.households_desil_1_to_2, rtlhHouseholds: p.rtlh_households, fisherShare: p.fisher_share, priorityScore: p.priority_score }
              : { households: p.households, householdsDesil1To2: p.householdsDesil1To2, rtlhHouseholds: p.rtlhHouseholds, fisherShare: p.fisherShare, priorityScore: p.priorityScore };
          expect(shown, `${surface} ${f.id}`).toEqual(objects.get(f.id));
        }
      }
      // Protected rows never show a count from 1 to k − 1, nor one off a multiple of k.
      if (as !== 'plannerSemarang') {
        for (const [code, s] of objects) {
          if (as === 'pendamping' && code === principals.pendamping.villageCodes[0]) continue;
          for (const n of [s.households, s.householdsDesil1To2, s.rtlhHouseholds]) if (n !== null) expect(n % K, code).toBe(0);
        }
      }
    });
  }

  it('never tells a principal with protected counts that counts are exact (TileJSON)', async () => {
    for (const as of ['viewer', 'plannerJabar', 'pendamping', 'partner'] as const) {
      const { body } = await h.json('/tiles/villages.json', as);
      expect(body.description, as).not.toMatch(/Counts are exact\./);
    }
    expect((await h.json('/tiles/villages.json', 'admin')).body.description).toMatch(/Counts are exact\./);
  });
});

describe('differencing: orders and thresholds reveal only protected values', () => {
  it('orders PRIORITY by the score the caller sees, whatever the weights (class 1)', async () => {
    for (const weights of ['', ', priorityWeights: { poverty: 0, housing: 0, vulnerability: 1, fishing: 0, coastal: 0 }']) {
      const nodes = await graphqlVillages('viewer', `{ regencyCode: "${REGENCY}", hasBoundary: true }`, 'PRIORITY', weights);
      const scores = nodes.map((v) => v.priority?.score ?? -1);
      // Recomputing the visible score with the same weights is what `priority(weights:)` does; the
      // default-weight field must be non-increasing in the default order.
      if (weights === '') for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1] + 1e-9);
      // Ties in the visible score are ordered by code: nothing finer (an exact score) orders them.
      for (let i = 1; i < nodes.length; i++) {
        if (weights === '' && Math.abs(scores[i] - scores[i - 1]) < 1e-9) expect(nodes[i].code > nodes[i - 1].code).toBe(true);
      }
    }
  });

  it('evaluates desil, RTLH and fisher-share thresholds on the values shown (class 2)', async () => {
    const all = await graphqlVillages('viewer');
    const sumDesil = (v: any, maxDesil: number) => v.needStatistics.householdsByDesil.slice(0, maxDesil).reduce((s: number, d: any) => s + (d.households ?? 0), 0);
    for (const atLeast of [0, 5, 10, 15, 20, 40]) {
      const hit = new Set((await graphqlVillages('viewer', `{ regencyCode: "${REGENCY}", hasBoundary: true, minHouseholdsInDesil: { maxDesil: 3, atLeast: ${atLeast} } }`)).map((v) => v.code));
      for (const v of all) expect(hit.has(v.code), `${v.code} desil≤3 ≥ ${atLeast}`).toBe(sumDesil(v, 3) >= atLeast);
      const rtlh = new Set((await graphqlVillages('viewer', `{ regencyCode: "${REGENCY}", hasBoundary: true, minRtlhHouseholds: ${atLeast} }`)).map((v) => v.code));
      for (const v of all) expect(rtlh.has(v.code), `${v.code} rtlh ≥ ${atLeast}`).toBe((v.needStatistics.rtlhHouseholds ?? 0) >= atLeast);
    }
    for (const threshold of [0.1, 0.5, 0.8, 0.9]) {
      const hit = new Set((await graphqlVillages('viewer', `{ regencyCode: "${REGENCY}", hasBoundary: true, fishingVillage: true, fisherShareThreshold: ${threshold} }`)).map((v) => v.code));
      for (const v of all) {
        const share = v.needStatistics.fisherShare;
        expect(hit.has(v.code), `${v.code} fisher share ≥ ${threshold}`).toBe(share !== null && share >= threshold);
      }
    }
  });

  it('keeps a planner outside its region to protected PAS counts (class 2, sensitive PAS)', async () => {
    const all = await graphqlVillages('plannerJabar');
    for (const atLeast of [1, 2, 3, 4, 5]) {
      const r = await h.api.query(
        `{ villages(filter: { regencyCode: "${REGENCY}", minHouseholdsWithPas: [{ pas: KORBAN_KEKERASAN, atLeast: ${atLeast} }] }, first: 1000) { nodes { code } } }`,
        {},
        principals.plannerJabar,
      );
      expect(r.errors).toBeUndefined();
      // Protected counts are 0, null (1..k−1) or ≥ k: every threshold from 1 to k selects the same villages.
      const codes = (r.data!.villages.nodes as any[]).map((v) => v.code).sort();
      const first = await h.api.query(
        `{ villages(filter: { regencyCode: "${REGENCY}", minHouseholdsWithPas: [{ pas: KORBAN_KEKERASAN, atLeast: ${K} }] }, first: 1000) { nodes { code } } }`,
        {},
        principals.plannerJabar,
      );
      expect(codes).toEqual((first.data!.villages.nodes as any[]).map((v) => v.code).sort());
    }
    expect(all.length).toBeGreaterThan(0);
  });
});

/**
 * The same comparison with a PARTNER and with the vector tiles: the villages layer's counts and
 * fisher share must be those GraphQL shows the same caller (issue 13, class 6: "no fisher_share
 * in its tile"). The PARTNER is granted the villages of Kota Semarang in its token (the demo
 * packages hold no item it funds, so it would otherwise see no village at all).
 */
describe('one village source: the PARTNER and the tiles agree too', () => {
  const TILE_ZOOM = 11;
  let partner: Principal;
  let partnerToken: string;
  let tiles: { z: number; x: number; y: number }[];
  beforeAll(async () => {
    const codes = (await h.db.query<{ code: string }>(sql`SELECT village_code AS code FROM village_geography WHERE village_code LIKE ${`${REGENCY}.%`} ORDER BY 1`)).map((r) => r.code);
    partner = { ...principals.partner, subject: 'baznas-smg@test', villageCodes: codes };
    partnerToken = await h.api.token({ sub: partner.subject, role: 'PARTNER', org: 'BAZNAS Kota Semarang', funder: 'BAZNAS', villages: codes }, '2h');
    const [box] = await h.db.query<{ w: number; s: number; e: number; n: number }>(
      sql`SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(boundary) AS x FROM village_geography WHERE village_code LIKE ${`${REGENCY}.%`}) b`,
    );
    const tx = (lon: number) => Math.floor(((lon + 180) / 360) * 2 ** TILE_ZOOM);
    const ty = (lat: number) => {
      const r = (lat * Math.PI) / 180;
      return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** TILE_ZOOM);
    };
    tiles = [];
    for (let x = tx(box!.w); x <= tx(box!.e); x++) for (let y = ty(box!.n); y <= ty(box!.s); y++) tiles.push({ z: TILE_ZOOM, x, y });
  });

  const get = (path: string, as: PrincipalName | 'partner') =>
    as === 'partner' ? fetch(`${h.origin}${path}`, { headers: { authorization: `Bearer ${partnerToken}` } }) : h.get(path, as);

  /** Every villages-layer feature of the regency in the tiles over it, by code; a village cut by tile edges must show the same values in each tile. */
  async function tileVillages(as: PrincipalName | 'partner'): Promise<Map<string, Omit<Shown, 'priorityScore'>>> {
    const byCode = new Map<string, Omit<Shown, 'priorityScore'>>();
    for (const t of tiles) {
      const response = await get(`/tiles/villages/${t.z}/${t.x}/${t.y}.mvt`, as);
      if (response.status === 204) continue;
      expect(response.status).toBe(200);
      const layer = new VectorTile(new PbfReader(new Uint8Array(await response.arrayBuffer()))).layers.villages;
      const features: VectorTileFeature[] = layer ? Array.from({ length: layer.length }, (_, i) => layer.feature(i)) : [];
      for (const f of features) {
        const p = f.properties as Record<string, number | string | boolean | undefined>;
        if (!String(p.code).startsWith(`${REGENCY}.`)) continue;
        // MVT has no null: a suppressed value is an absent attribute.
        const shown = {
          households: (p.households as number | undefined) ?? null,
          householdsDesil1To2: (p.households_desil_1_to_2 as number | undefined) ?? null,
          rtlhHouseholds: (p.rtlh_households as number | undefined) ?? null,
          fisherShare: r4((p.fisher_share as number | undefined) ?? null),
        };
        const seen = byCode.get(String(p.code));
        if (seen) expect(shown, `${p.code} in two tiles`).toEqual(seen);
        byCode.set(String(p.code), shown);
      }
    }
    return byCode;
  }

  for (const as of [...ROLES, 'partner'] as const) {
    it(`GraphQL object = vector tile${as === 'partner' ? ' = FeatureCollection = OGC' : ''} for ${as}`, async () => {
      const objects = new Map((await graphqlVillages(as === 'partner' ? partner : as)).map((v) => [v.code, shownOf(v)]));
      expect(objects.size).toBeGreaterThan(5);
      const fromTiles = await tileVillages(as);
      expect([...fromTiles.keys()].sort()).toEqual([...objects.keys()].sort());
      for (const [code, shown] of fromTiles) {
        const { priorityScore: _score, ...expected } = objects.get(code)!;
        expect(shown, `tile ${code}`).toEqual(expected);
      }
      if (as !== 'partner') return;
      // The partner on the other surfaces (the loop above covers the other roles there).
      const fc = await h.api.query(`{ villagesFeatureCollection(filter: { regencyCode: "${REGENCY}" }) }`, {}, partner);
      expect(fc.errors).toBeUndefined();
      const ogcResponse = await get(`/ogc/collections/villages/items?regency_code=${REGENCY}&limit=1000`, 'partner');
      expect(ogcResponse.status).toBe(200);
      const ogc = (await ogcResponse.json()) as any;
      for (const f of (fc.data as any).villagesFeatureCollection.features as any[]) {
        const p = f.properties;
        expect({ households: p.households, householdsDesil1To2: p.householdsDesil1To2, rtlhHouseholds: p.rtlhHouseholds, fisherShare: p.fisherShare, priorityScore: p.priorityScore }, `FeatureCollection ${f.id}`).toEqual(objects.get(f.id));
      }
      for (const f of ogc.features as any[]) {
        const p = f.properties;
        expect({ households: p.households, householdsDesil1To2: p.households_desil_1_to_2, rtlhHouseholds: p.rtlh_households, fisherShare: p.fisher_share, priorityScore: p.priority_score }, `OGC ${f.id}`).toEqual(objects.get(f.id));
      }
      expect(ogc.features.length).toBe(objects.size);
      // Every count the partner sees is protected.
      for (const [code, s] of objects) for (const n of [s.households, s.householdsDesil1To2, s.rtlhHouseholds]) if (n !== null) expect(n % K, code).toBe(0);
    });
  }
});
