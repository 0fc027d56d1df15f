/**
 * The OGC API under the access rules of the GraphQL API: row scope, village scope, sensitive PAS,
 * k-suppression, refusals and the personal-data audit, for ADMIN, PLANNER in and out of region,
 * PENDAMPING, PARTNER and VIEWER.
 */
import { protectCount } from '../../src/auth/policy.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENSITIVE_PAS_CODES } from '../../src/auth/policy.js';
import { principals, TEST_VILLAGE, type PrincipalName } from '../support/principals.js';
import { allPages, insertPackageFixture, startGisHarness, type GisHarness, type PackageFixture } from './harness.js';

const K = 5; // K_ANONYMITY default in the test configuration

let h: GisHarness;
let fixture: PackageFixture;
beforeAll(async () => {
  h = await startGisHarness();
  fixture = await insertPackageFixture(h.db);
});
afterAll(async () => h?.close());

const ids = (body: any) => body.features.map((f: any) => f.id);
const householdIds = async (where: ReturnType<typeof sql>) =>
  (await h.db.query<{ id: number }>(sql`SELECT id FROM households WHERE ${where} ORDER BY id`)).map((r) => r.id);
const auditOf = (name: PrincipalName) =>
  h.db.query<{ action: string; entity: string; role: string; household_ids: number[] | null; after: any; request_id: string | null }>(
    sql`SELECT action, entity, role, household_ids, after, request_id FROM audit_log WHERE actor = ${principals[name].subject} AND action = 'READ_PERSONAL_DATA' ORDER BY id`,
  );
const parseJson = (v: any) => (typeof v === 'string' ? JSON.parse(v) : v);

describe('households collection', () => {
  it('ADMIN reads every household and is not audited', async () => {
    const pages = await allPages(h, `/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=100`, 'admin');
    expect(pages.flatMap(ids)).toEqual(await householdIds(sql`village_code = ${TEST_VILLAGE}`));
    expect(await auditOf('admin')).toHaveLength(0);
  });

  it('a PLANNER read writes one audit record per request with the households returned', async () => {
    const before = (await auditOf('planner')).length;
    const { body } = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}&limit=40`, 'planner');
    const records = (await auditOf('planner')).slice(before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'READ_PERSONAL_DATA', entity: 'household', role: 'PLANNER', request_id: expect.any(String) });
    expect([...records[0]!.household_ids!].sort((a, b) => a - b)).toEqual(ids(body));
    expect(parseJson(records[0]!.after).paths).toEqual(['ogc:/collections/households/items']);
    const one = await h.json(`/ogc/collections/households/items/${ids(body)[0]}`, 'planner');
    expect(one.status).toBe(200);
    const single = (await auditOf('planner')).slice(before + 1);
    expect(single).toHaveLength(1);
    expect(single[0]!.household_ids).toEqual([ids(body)[0]]);
    expect(parseJson(single[0]!.after).paths).toEqual(['ogc:/collections/households/items/{featureId}']);
    // An empty page reveals nobody and writes nothing.
    const empty = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}&bbox=100,-1,100.1,-0.9`, 'planner');
    expect(empty.body.numberReturned).toBe(0);
    expect(await auditOf('planner')).toHaveLength(before + 2);
  });

  it('a PLANNER of Jawa Barat sees no household of Tanjung Mas: the row scope is SQL, so counts and pages agree', async () => {
    const inTm = await h.json(`/ogc/collections/households/items?village=${TEST_VILLAGE}`, 'plannerJabar');
    expect(inTm.status).toBe(200);
    expect(inTm.body).toMatchObject({ numberMatched: 0, numberReturned: 0, features: [] });
    const all = await h.json('/ogc/collections/households/items?limit=1', 'plannerJabar');
    expect(all.body.numberMatched).toBe((await householdIds(sql`village_code LIKE '32.%'`)).length);
    const [tmHousehold] = await householdIds(sql`village_code = ${TEST_VILLAGE}`);
    expect((await h.json(`/ogc/collections/households/items/${tmHousehold}`, 'plannerJabar')).status).toBe(404);
    // Villages are aggregates: outside its regions the planner sees Tanjung Mas with protected counts, as in GraphQL.
    const village = await h.json(`/ogc/collections/villages/items/${TEST_VILLAGE}`, 'plannerJabar');
    const [stats] = await h.db.query<{ households: number }>(sql`SELECT households FROM village_stats WHERE village_code = ${TEST_VILLAGE}`);
    expect(village.body.properties.households).toBe(protectCount(stats!.households, K));
  });

  it('a PENDAMPING reads only its assigned village', async () => {
    const { body } = await h.json('/ogc/collections/households/items?limit=1', 'pendamping');
    expect(body.numberMatched).toBe((await householdIds(sql`village_code = ${TEST_VILLAGE}`)).length);
    expect((await h.json('/ogc/collections/households/items?village=33.74.02.1001', 'pendamping')).body.numberMatched).toBe(0);
  });

  it('a PARTNER reads exactly the households receiving an item it funds in a live package', async () => {
    const pages = await allPages(h, '/ogc/collections/households/items?limit=2', 'partner');
    expect(pages.flatMap(ids)).toEqual([...fixture.baznasHouseholds].sort((a, b) => a - b));
    expect(pages[0].numberMatched).toBe(3);
    for (const id of [...fixture.kemensosHouseholds, fixture.cancelledHousehold]) {
      expect((await h.json(`/ogc/collections/households/items/${id}`, 'partner')).status).toBe(404);
    }
    const audited = await auditOf('partner');
    expect(audited.flatMap((r) => r.household_ids ?? []).sort((a, b) => a - b)).toEqual([...fixture.baznasHouseholds].sort((a, b) => a - b));
  });

  it('sensitive PAS: hidden from PARTNER, and filtering on them is refused with 403', async () => {
    const { status, body } = await h.json('/ogc/collections/households/items?pas=KORBAN_KEKERASAN', 'partner');
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'Forbidden', description: expect.stringMatching(/sensitive PAS KORBAN_KEKERASAN/) });
    // ADMIN may filter on them, and sees them in the properties.
    const [withSensitive] = await h.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM households WHERE pas && ${sql.param([...SENSITIVE_PAS_CODES])}::pas[]`);
    const admin = await h.json(`/ogc/collections/households/items?pas=${SENSITIVE_PAS_CODES.join(',')}&limit=1`, 'admin');
    expect(admin.body.numberMatched).toBe(withSensitive!.n);
    // The PARTNER never sees them, even on a household that has one: give a funded household a sensitive tag.
    await h.db.query(sql`INSERT INTO pas_tags (household_id, pas, source, recorded_on) VALUES (${fixture.baznasHouseholds[0]!}, 'KORBAN_KEKERASAN', 'ASSESSMENT', '2025-06-01')`);
    const asAdmin = await h.json(`/ogc/collections/households/items/${fixture.baznasHouseholds[0]}`, 'admin');
    expect(asAdmin.body.properties.pas).toContain('KORBAN_KEKERASAN');
    const asPartner = await h.json(`/ogc/collections/households/items/${fixture.baznasHouseholds[0]}`, 'partner');
    expect(asPartner.body.properties.pas).not.toContain('KORBAN_KEKERASAN');
    for (const pas of SENSITIVE_PAS_CODES) expect(asPartner.body.properties.pas).not.toContain(pas);
  });

  it('VIEWER: households is refused (403, pointing at the tiles) and absent from /collections', async () => {
    for (const path of ['/ogc/collections/households/items', '/ogc/collections/households', `/ogc/collections/households/items/${fixture.baznasHouseholds[0]}`]) {
      const { status, body } = await h.json(path, 'viewer');
      expect(status, path).toBe(403);
      expect(body.code).toBe('Forbidden');
      expect(body.description).toMatch(/\/tiles\/households/);
    }
    const { body } = await h.json('/ogc/collections', 'viewer');
    expect(body.collections.map((c: any) => c.id)).toEqual(['villages', 'facilities', 'package-items', 'existing_facilities', 'village_graduation']);
    expect(await auditOf('viewer')).toHaveLength(0);
  });
});

describe('villages collection', () => {
  const COUNTS = ['households', 'members', 'households_desil_1_to_2', 'households_desil_1_to_4', 'rtlh_households', 'vulnerable_households', 'households_with_elderly', 'households_with_disabled'] as const;
  const statsOf = async (regency: string) =>
    new Map(
      (
        await h.db.query<Record<string, number> & { code: string }>(sql`SELECT g.village_code AS code, coalesce(s.households, 0) AS households, coalesce(s.members, 0) AS members,
          coalesce(s.households_desil_1_to_2, 0) AS households_desil_1_to_2, coalesce(s.households_desil_1_to_4, 0) AS households_desil_1_to_4,
          coalesce(s.rtlh_households, 0) AS rtlh_households, coalesce(s.vulnerable_households, 0) AS vulnerable_households,
          coalesce(s.households_with_elderly, 0) AS households_with_elderly, coalesce(s.households_with_disabled, 0) AS households_with_disabled
          FROM village_geography g JOIN regions r ON r.code = g.village_code LEFT JOIN village_stats s ON s.village_code = g.village_code WHERE r.regency_code = ${regency}`)
      ).map((r) => [r.code, r]),
    );

  it('VIEWER gets protected counts (1 to k − 1 null, larger rounded to a multiple of k); PLANNER gets them exact', async () => {
    const stats = await statsOf('33.74');
    const viewer = (await allPages(h, '/ogc/collections/villages/items?regency=33.74&limit=500', 'viewer')).flatMap((p) => p.features);
    const planner = (await allPages(h, '/ogc/collections/villages/items?regency=33.74&limit=500', 'planner')).flatMap((p) => p.features);
    expect(viewer.length).toBe(stats.size);
    let suppressed = 0;
    for (const f of viewer) {
      const s = stats.get(f.id)!;
      for (const name of COUNTS) {
        const n = s[name]!;
        const expected = protectCount(n, K);
        if (expected === null) suppressed += 1;
        expect(f.properties[name], `${f.id} ${name}`).toBe(expected);
      }
      if (s.households! > 0 && s.households! < K) expect(f.properties.fisher_share).toBeNull();
      if (s.households! > 0 && s.households! < K) expect(f.properties.priority_score).toBeNull();
    }
    expect(suppressed).toBeGreaterThan(0); // the data has small counts, so the rule was exercised
    for (const f of planner) for (const name of COUNTS) expect(f.properties[name]).toBe(stats.get(f.id)![name]);
  });

  it('PARTNER sees only its villages (those with a package holding an item it funds)', async () => {
    const { body } = await h.json('/ogc/collections/villages/items?limit=2000', 'partner');
    expect(ids(body)).toEqual([TEST_VILLAGE]);
    expect((await h.json(`/ogc/collections/villages/items/${fixture.otherVillage}`, 'partner')).status).toBe(404);
    const collections = await h.json('/ogc/collections', 'partner');
    const villages = collections.body.collections.find((c: any) => c.id === 'villages');
    const [box] = await h.db.query<{ b: any }>(sql`SELECT json_build_array(ST_XMin(boundary), ST_YMin(boundary), ST_XMax(boundary), ST_YMax(boundary)) AS b FROM village_geography WHERE village_code = ${TEST_VILLAGE}`);
    villages.extent.spatial.bbox[0].forEach((v: number, i: number) => expect(v).toBeCloseTo(parseJson(box!.b)[i], 6));
  });
});

describe('facilities and package-items', () => {
  const itemIds = async (collection: string, as: PrincipalName) => ids((await h.json(`/ogc/collections/${collection}/items?limit=1000`, as)).body).sort((a: number, b: number) => a - b);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  it('follow the package and household rules per role', async () => {
    const [tmPos, tmHall, jabarMck] = fixture.facilityItemIds as [number, number, number];
    const [rlhb1, rlhb2, rlhb3, rst1, rst2, cancelledRlhb] = fixture.householdItemIds as [number, number, number, number, number, number];
    expect(await itemIds('facilities', 'admin')).toEqual(sorted([tmPos, tmHall, jabarMck]));
    expect(await itemIds('facilities', 'viewer')).toEqual(sorted([tmPos, tmHall, jabarMck]));
    expect(await itemIds('facilities', 'plannerJabar')).toEqual([jabarMck]);
    expect(await itemIds('facilities', 'plannerSemarang')).toEqual(sorted([tmPos, tmHall]));
    expect(await itemIds('facilities', 'pendamping')).toEqual(sorted([tmPos, tmHall]));
    expect(await itemIds('facilities', 'partner')).toEqual(sorted([tmPos, tmHall]));

    expect(await itemIds('package-items', 'admin')).toEqual(sorted([...fixture.householdItemIds, ...fixture.facilityItemIds]));
    // VIEWER: no household record, so no item at a household.
    expect(await itemIds('package-items', 'viewer')).toEqual(sorted([tmPos, tmHall, jabarMck]));
    expect(await itemIds('package-items', 'plannerJabar')).toEqual([jabarMck]);
    expect(await itemIds('package-items', 'plannerSemarang')).toEqual(sorted([rlhb1, rlhb2, rlhb3, rst1, rst2, cancelledRlhb, tmPos, tmHall]));
    // PARTNER: items at the households it funds (not the KEMENSOS-only or cancelled ones) and the facilities of its village.
    expect(await itemIds('package-items', 'partner')).toEqual(sorted([rlhb1, rlhb2, rlhb3, tmPos, tmHall]));
  });

  it('items at a household are audited for non-admins', async () => {
    const before = (await auditOf('plannerSemarang')).length;
    await h.json(`/ogc/collections/package-items/items?package_id=${fixture.packageId}&limit=1000`, 'plannerSemarang');
    const records = (await auditOf('plannerSemarang')).slice(before);
    expect(records).toHaveLength(1);
    expect(sorted(records[0]!.household_ids!)).toEqual(sorted([...fixture.baznasHouseholds, ...fixture.kemensosHouseholds]));
    expect(parseJson(records[0]!.after).paths).toEqual(['ogc:/collections/package-items/items']);
    // Facilities reveal no household: no record.
    await h.json('/ogc/collections/facilities/items', 'plannerSemarang');
    expect(await auditOf('plannerSemarang')).toHaveLength(before + 1);
  });
});

describe('personal data', () => {
  const FORBIDDEN_KEYS = ['head_name', 'name_of_head', 'nik', 'head_nik', 'family_card_number', 'kk', 'address', 'full_name', 'registry_id', 'member_id'];

  it('no collection and no role gets names, NIK, KK, addresses or registry ids', async () => {
    for (const as of ['admin', 'planner', 'pendamping', 'partner', 'viewer'] as const) {
      for (const collection of ['villages', 'households', 'facilities', 'package-items', 'existing_facilities']) {
        const query = collection === 'villages' ? 'limit=200' : `limit=200&village=${TEST_VILLAGE}`;
        const response = await h.get(`/ogc/collections/${collection}/items?${query}`, as);
        if (response.status === 403) continue;
        const text = await response.text();
        expect(response.status, `${as} ${collection}`).toBe(200);
        expect(text).not.toMatch(/\b\d{16}\b/); // NIK and KK are 16 digits
        expect(text).not.toMatch(/SYN-\d{10}/); // registry ids
        const body = JSON.parse(text);
        for (const f of body.features) for (const key of Object.keys(f.properties)) expect(FORBIDDEN_KEYS, `${collection}.${key}`).not.toContain(key);
      }
    }
    const [identity] = await h.db.query<{ head_name: string; address: string }>(sql`SELECT head_name, address FROM household_identities WHERE household_id = ${fixture.baznasHouseholds[0]!}`);
    const text = await (await h.get(`/ogc/collections/households/items/${fixture.baznasHouseholds[0]}`, 'admin')).text();
    expect(text).not.toContain(identity!.head_name);
    expect(text).not.toContain(identity!.address);
  });
});
