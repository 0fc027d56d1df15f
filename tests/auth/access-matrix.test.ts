/**
 * The role × field × path matrix of issue #5: for each role, every protected field (names,
 * address, NIK/KK, exact location, sensitive PAS) is read through every path — direct, nested
 * list, alias, fragment, exports, errors — and must be refused, masked or absent as the policy says.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectCount } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
const SENSITIVE = ['KORBAN_NAPZA_HIV', 'KORBAN_KEKERASAN', 'WARGA_BINAAN'];
let funded: number; // receives a BAZNAS item, carries a sensitive PAS
let unfunded: number; // in Tanjung Mas, no BAZNAS item
let outside: number; // in Jawa Barat
let secrets: string[]; // every NIK and KK of those households
let packageId: string;
let unfundedNik: string;

const HOUSEHOLD_FIELDS = `id location pas pasTags { pas } identity { headName address headNikMasked familyCardNumberMasked } members { fullName nikMasked pasTags { pas } }`;

beforeAll(async () => {
  api = await startTestApi();
  const db = api.database.db;
  const [s] = await db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND is_mustahik
    AND pas && ARRAY['KORBAN_NAPZA_HIV','KORBAN_KEKERASAN','WARGA_BINAAN']::pas[] ORDER BY id LIMIT 1`);
  funded = s!.id;
  const [n] = await db.query<{ id: number; nik: string }>(sql`SELECT h.id, i.head_nik AS nik FROM households h JOIN household_identities i ON i.household_id = h.id
    WHERE h.village_code = ${TEST_VILLAGE} AND h.id <> ${funded} ORDER BY h.id LIMIT 1`);
  unfunded = n!.id;
  unfundedNik = n!.nik;
  const [o] = await db.query<{ id: number }>(sql`SELECT id FROM households WHERE village_code LIKE '32.%' ORDER BY id LIMIT 1`);
  outside = o!.id;
  const ids = [funded, unfunded, outside];
  secrets = (
    await db.query<{ v: string }>(sql`SELECT head_nik AS v FROM household_identities WHERE household_id = ANY(${sql.param(ids)}::int[])
      UNION ALL SELECT family_card_number FROM household_identities WHERE household_id = ANY(${sql.param(ids)}::int[])
      UNION ALL SELECT mi.nik FROM member_identities mi JOIN members m ON m.id = mi.member_id WHERE m.household_id = ANY(${sql.param(ids)}::int[])`)
  ).map((r) => r.v);
  // A package in Tanjung Mas with one BAZNAS item, for the funded household.
  const created = await api.query(`mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "matrix", budgets: [{ funderCode: "BAZNAS", budgetIdr: 100000000 }]) { id version } }`, {}, principals.plannerSemarang);
  packageId = created.data!.createPackage.id;
  const added = await api.query(
    `mutation { addPackageItem(packageId: "${packageId}", version: ${created.data!.createPackage.version}, item: { interventionCode: "Z_MART", householdId: "${funded}", eligibilityOverrideReason: "matrix test" }) { id } }`,
    {},
    principals.plannerSemarang,
  );
  expect(added.errors).toBeUndefined();
  // Issue 13, class 7: a DRAFT package does not open the household to its partner ...
  const draft = await api.query(`{ household(id: "${funded}") { id } }`, {}, principals.partner);
  expect(draft.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  // ... an APPROVED one does (delivery needs it). Set directly: the workflow's own rules are tested elsewhere.
  await db.query(sql`UPDATE packages SET status = 'APPROVED' WHERE id = ${Number(packageId)}`);
});
afterAll(async () => api?.close());

type Outcome = 'FULL' | 'PARTNER' | 'NOT_FOUND' | 'FORBIDDEN';

const expectations: Record<string, { principal: Principal; funded: Outcome; unfunded: Outcome; outside: Outcome }> = {
  admin: { principal: principals.admin, funded: 'FULL', unfunded: 'FULL', outside: 'FULL' },
  planner: { principal: principals.plannerSemarang, funded: 'FULL', unfunded: 'FULL', outside: 'NOT_FOUND' },
  plannerElsewhere: { principal: principals.plannerJabar, funded: 'NOT_FOUND', unfunded: 'NOT_FOUND', outside: 'FULL' },
  pendamping: { principal: principals.pendamping, funded: 'FULL', unfunded: 'FULL', outside: 'NOT_FOUND' },
  partner: { principal: principals.partner, funded: 'PARTNER', unfunded: 'NOT_FOUND', outside: 'NOT_FOUND' },
  viewer: { principal: principals.viewer, funded: 'FORBIDDEN', unfunded: 'FORBIDDEN', outside: 'FORBIDDEN' },
};

/** Every way of reading one household's protected fields through GraphQL. */
const paths = (id: number) => ({
  direct: { query: `{ household(id: "${id}") { ${HOUSEHOLD_FIELDS} } }`, pick: (d: any) => d?.household },
  alias: {
    query: `{ h: household(id: "${id}") { id where: location tags: pas who: identity { n: headName a: address nik: headNikMasked kk: familyCardNumberMasked } m: members { n: fullName nik: nikMasked } } }`,
    pick: (d: any) => d?.h && { ...d.h, location: d.h.where, pas: d.h.tags, identity: { headName: d.h.who.n, headNikMasked: d.h.who.nik }, members: d.h.m.map((m: any) => ({ nikMasked: m.nik })) },
  },
  fragment: { query: `{ household(id: "${id}") { ...F } } fragment F on Household { ${HOUSEHOLD_FIELDS} }`, pick: (d: any) => d?.household },
  nested: { query: `{ households(villageCode: "${TEST_VILLAGE}", first: 1000) { nodes { ${HOUSEHOLD_FIELDS} } } }`, pick: (d: any) => d?.households?.nodes.find((h: any) => h.id === String(id)) ?? null, list: true },
});

for (const [name, { principal, ...byHousehold }] of Object.entries(expectations)) {
  describe(`${name} (${principal.role})`, () => {
    for (const which of ['funded', 'unfunded', 'outside'] as const) {
      it(`reads the ${which} household through every path as ${byHousehold[which]}`, async () => {
        const id = which === 'funded' ? funded : which === 'unfunded' ? unfunded : outside;
        const expected = byHousehold[which];
        for (const [pathName, path] of Object.entries(paths(id))) {
          if ((pathName === 'nested') && which === 'outside') continue; // the nested path lists Tanjung Mas
          const result = await api.query(path.query, {}, principal);
          const text = JSON.stringify(result);
          for (const secret of secrets) expect(text, `${pathName}: full identifier leaked`).not.toContain(secret);
          const household = path.pick(result.data);
          const label = `${name} ${which} via ${pathName}`;
          if (expected === 'FORBIDDEN') {
            expect(result.errors?.[0]?.extensions?.code, label).toBe('FORBIDDEN');
            expect(household ?? null, label).toBeNull();
          } else if (expected === 'NOT_FOUND') {
            if ('list' in path) expect(household, label).toBeNull();
            else expect(result.errors?.[0]?.extensions?.code, label).toBe('NOT_FOUND');
          } else {
            expect(result.errors, label).toBeUndefined();
            expect(household, label).toBeTruthy();
            expect(household.location, label).toMatchObject({ type: 'Point' });
            if (expected === 'FULL') {
              expect(household.identity.headNikMasked, label).toMatch(/^\d{4}\*{8}\d{4}$/);
              for (const m of household.members) expect(m.nikMasked, label).toMatch(/^\d{4}\*{8}\d{4}$/);
            } else {
              // PARTNER: name and location to build the house, never NIK/KK, never sensitive PAS.
              expect(household.identity.headName, label).toBeTruthy();
              expect(household.identity.headNikMasked, label).toBeNull();
              for (const m of household.members) expect(m.nikMasked, label).toBeNull();
              expect(household.pas.filter((p: string) => SENSITIVE.includes(p)), label).toEqual([]);
              for (const p of [...(household.pasTags ?? []), ...(household.members ?? []).flatMap((m: any) => m.pasTags ?? [])]) expect(SENSITIVE, label).not.toContain(p.pas);
            }
          }
        }
      });
    }

    it('exports only what the role may see (FeatureCollection, package GeoJSON and CSV)', async () => {
      const fc = await api.query(`{ householdsFeatureCollection(villageCode: "${TEST_VILLAGE}") }`, {}, principal);
      const pkg = await api.query(`{ package(id: "${packageId}") { featureCollection csv items { householdId household { id } } } }`, {}, principal);
      for (const r of [fc, pkg]) for (const secret of secrets) expect(JSON.stringify(r)).not.toContain(secret);
      const fcIds = fc.data?.householdsFeatureCollection?.features.map((f: any) => f.id) ?? null;
      const pkgHouseholds = pkg.data?.package?.featureCollection.features.filter((f: any) => f.properties.kind === 'HOUSEHOLD').map((f: any) => f.properties.householdId) ?? null;
      const csvHousehold = pkg.data?.package?.csv.split('\r\n')[1]?.split(',')[4] ?? null;
      const e = byHousehold.funded;
      if (e === 'FORBIDDEN') {
        expect(fc.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        // The package's only item is at a household: a VIEWER sees facility items only.
        expect(pkgHouseholds).toEqual([]);
        expect(csvHousehold).toBeNull();
        expect(pkg.data!.package.items).toEqual([]);
      } else if (e === 'NOT_FOUND') {
        // plannerElsewhere: Tanjung Mas is outside its regions, so the package is not readable at all.
        expect(fcIds).toEqual([]);
        expect(pkg.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      } else {
        expect(fcIds).toContain(funded);
        expect(pkgHouseholds).toEqual([funded]);
        expect(csvHousehold).toBe(String(funded));
        if (e === 'PARTNER') {
          expect(fcIds).toEqual([funded]);
          for (const f of fc.data!.householdsFeatureCollection.features) for (const p of f.properties.pas) expect(SENSITIVE).not.toContain(p);
        } else {
          expect(fcIds).toContain(unfunded);
        }
      }
    });

    it('searches by exact NIK only as PLANNER or ADMIN, revealing nothing else', async () => {
      const r = await api.query(`{ householdByIdentifier(nik: "${unfundedNik}") { id identity { headNikMasked } } }`, {}, principal);
      expect(JSON.stringify(r)).not.toContain(unfundedNik);
      if (principal.role === 'ADMIN' || (principal.role === 'PLANNER' && byHousehold.unfunded === 'FULL')) {
        expect(r.data!.householdByIdentifier.id).toBe(String(unfunded));
      } else if (principal.role === 'PLANNER') {
        expect(r.data!.householdByIdentifier).toBeNull();
      } else {
        expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const miss = await api.query(`{ householdByIdentifier(nik: "0000000000000000") { id } }`, {}, principal);
      if (!miss.errors) expect(miss.data!.householdByIdentifier).toBeNull();
    });

    it('never echoes other people’s data in error messages', async () => {
      const r = await api.query(`{ household(id: "'; SELECT head_nik FROM household_identities --") { id } }`, {}, principal);
      expect(r.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|FORBIDDEN/);
      for (const secret of secrets) expect(JSON.stringify(r)).not.toContain(secret);
      expect(JSON.stringify(r)).not.toMatch(/SELECT .* FROM (households|household_identities) h|stack|node_modules/i);
    });
  });
}

describe('aggregates for aggregate-only roles', () => {
  it('protects village statistics for VIEWER and PARTNER (1 to k − 1 null, larger rounded to a multiple of k, sensitive PAS withheld), not for PLANNER', async () => {
    const q = `{ village(code: "${TEST_VILLAGE}") { needStatistics { households householdsByPas { pas households } householdsByDesil { desil households } } } }`;
    const planner = (await api.query(q, {}, principals.planner)).data!.village.needStatistics;
    const viewer = (await api.query(q, {}, principals.viewer)).data!.village.needStatistics;
    const small = planner.householdsByPas.filter((p: any) => p.households > 0 && p.households < 5);
    expect(small.length).toBeGreaterThan(0); // the test village has rare PAS
    for (const p of viewer.householdsByPas) {
      const exact = planner.householdsByPas.find((x: any) => x.pas === p.pas).households;
      expect(p.households).toBe(SENSITIVE.includes(p.pas) ? null : protectCount(exact, 5));
    }
    expect(viewer.households).toBe(protectCount(planner.households, 5));
    expect(viewer.households % 5).toBe(0);
    const partner = await api.query(q, {}, principals.partner);
    expect(partner.data!.village.needStatistics.householdsByPas.every((p: any) => p.households === null || p.households % 5 === 0)).toBe(true);
    // A planner outside its regions gets protected counts too.
    const elsewhere = (await api.query(q, {}, principals.plannerJabar)).data!.village.needStatistics;
    expect(elsewhere.households).toBe(protectCount(planner.households, 5));
  });

  it('gives VIEWER household locations only as a grid with small cells suppressed', async () => {
    const fixed = await api.query(`{ householdGrid(villageCode: "${TEST_VILLAGE}", cellSizeMeters: 100) { households } }`, {}, principals.viewer);
    expect(fixed.errors?.[0]?.message).toMatch(/cellSizeMeters: is fixed at 250/);
    const r = await api.query(`{ householdGrid(villageCode: "${TEST_VILLAGE}") { cell households suppressed } }`, {}, principals.viewer);
    expect(r.errors).toBeUndefined();
    const cells = r.data!.householdGrid;
    expect(cells.some((c: any) => c.suppressed)).toBe(true);
    for (const c of cells) expect(c.suppressed ? c.households === null : c.households >= 5 && c.households % 5 === 0).toBe(true);
    // Moving a bbox edge cannot cut a cell: the bbox is widened to whole cells.
    const grid = async (bbox: number[]) => (await api.query(`{ householdGrid(bboxWgs84: ${JSON.stringify(bbox)}) { cell households } }`, {}, principals.viewer)).data!.householdGrid;
    expect(await grid([110.42, -6.96, 110.44, -6.94])).toEqual(await grid([110.42, -6.96, 110.44 - 1e-6, -6.94]));
  });

  it('refuses VIEWER and PARTNER filters that would reveal small or sensitive counts', async () => {
    const tiny = await api.query(`{ villages(filter: { minRtlhHouseholds: 1 }) { totalCount } }`, {}, principals.viewer);
    expect(tiny.errors?.[0]?.message).toMatch(/filter\.minRtlhHouseholds: must be 0 or at least 5/);
    const sensitive = await api.query(`{ villages(filter: { minHouseholdsWithPas: [{ pas: KORBAN_NAPZA_HIV, atLeast: 10 }] }) { totalCount } }`, {}, principals.partner);
    expect(sensitive.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const filter = await api.query(`{ households(villageCode: "${TEST_VILLAGE}", filter: { pasAny: [WARGA_BINAAN] }) { totalCount } }`, {}, principals.partner);
    expect(filter.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('audit of personal-data reads', () => {
  it('records who read which households (non-admin), in one record per request, and not for ADMIN', async () => {
    const count = async (actor: string) => (await api.database.db.query<{ n: number; ids: number[] | null }>(sql`SELECT count(*)::int AS n,
        (SELECT household_ids FROM audit_log WHERE action = 'READ_PERSONAL_DATA' AND actor = ${actor} ORDER BY id DESC LIMIT 1) AS ids
      FROM audit_log WHERE action = 'READ_PERSONAL_DATA' AND actor = ${actor}`))[0]!;
    const before = await count(principals.pendamping.subject);
    const r = await api.query(`{ households(villageCode: "${TEST_VILLAGE}", first: 7) { nodes { id identity { headName } } } }`, {}, principals.pendamping);
    const after = await count(principals.pendamping.subject);
    expect(after.n).toBe(before.n + 1);
    expect(after.ids).toEqual(r.data!.households.nodes.map((h: any) => Number(h.id)));
    const adminBefore = await count(principals.admin.subject);
    await api.query(`{ household(id: "${funded}") { identity { headName } } }`, {}, principals.admin);
    expect((await count(principals.admin.subject)).n).toBe(adminBefore.n);
  });

  it('lets only ADMIN query the whole audit log', async () => {
    for (const name of ['planner', 'pendamping', 'partner', 'viewer'] as const) {
      const r = await api.query(`{ auditLog(first: 5) { id } }`, {}, principals[name]);
      expect(r.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
    }
    const r = await api.query(`{ auditLog(action: "READ_PERSONAL_DATA", actor: "${principals.pendamping.subject}", first: 1) { action actor role householdIds after } }`, {}, principals.admin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.auditLog[0]).toMatchObject({ action: 'READ_PERSONAL_DATA', actor: principals.pendamping.subject, role: 'PENDAMPING' });
    expect(r.data!.auditLog[0].householdIds.length).toBeGreaterThan(0);
  });
});

describe('paths found in review', () => {
  it('hides sensitive PAS and notes of assessments from PARTNER', async () => {
    const input = {
      householdId: String(funded), assessedOn: '2025-01-21', floorAreaM2: 20, occupants: 4, floorMaterial: 'CEMENT', wallMaterial: 'WOOD', roofMaterial: 'METAL_SHEET',
      hasOwnToilet: true, hasElectricity: true, waterSource: 'PIPED', landOwnership: 'OWNED_CERTIFIED', livelihood: 'FISHER', hasSmallBusiness: true,
      componentConditions: [], pasConfirmed: ['KORBAN_KEKERASAN'], pasAdded: [{ pas: 'WARGA_BINAAN' }, { pas: 'FAKIR_MISKIN' }], notes: 'sensitive note',
    };
    const recorded = await api.query(`mutation($input: AssessmentInput!) { recordAssessment(input: $input) { id } }`, { input }, principals.pendamping);
    expect(recorded.errors).toBeUndefined();
    const q = `{ household(id: "${funded}") { assessments { pasConfirmed pasAdded notes } } }`;
    const partner = (await api.query(q, {}, principals.partner)).data!.household.assessments[0];
    expect(partner).toEqual({ pasConfirmed: [], pasAdded: ['FAKIR_MISKIN'], notes: null });
    const planner = (await api.query(q, {}, principals.plannerSemarang)).data!.household.assessments[0];
    expect(planner).toEqual({ pasConfirmed: ['KORBAN_KEKERASAN'], pasAdded: ['WARGA_BINAAN', 'FAKIR_MISKIN'], notes: 'sensitive note' });
  });

  it('does not reveal which household a member of another region belongs to', async () => {
    const [m] = await api.database.db.query<{ id: number; household_id: number }>(sql`SELECT m.id, m.household_id FROM members m JOIN households h ON h.id = m.household_id
      WHERE h.village_code = ${TEST_VILLAGE} ORDER BY m.id LIMIT 1`);
    const [jabar] = await api.database.db.query<{ code: string }>(sql`SELECT village_code AS code FROM households WHERE village_code LIKE '32.%' ORDER BY id LIMIT 1`);
    const created = await api.query(`mutation { createPackage(villageCode: "${jabar!.code}", name: "x", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 100000000 }]) { id version } }`, {}, principals.plannerJabar);
    const r = await api.query(
      `mutation { addPackageItem(packageId: "${created.data!.createPackage.id}", version: 1, item: { interventionCode: "PENA", memberId: ${m!.id} }) { id } }`,
      {},
      principals.plannerJabar,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(r.errors?.[0]?.message).not.toContain(String(m!.household_id));
  });

  it('lists only items the caller may read', async () => {
    const q = `{ package(id: "${packageId}") { totalCostIdr items { id } } }`;
    const viewer = (await api.query(q, {}, principals.viewer)).data!.package;
    const planner = (await api.query(q, {}, principals.plannerSemarang)).data!.package;
    expect(viewer.items).toEqual([]);
    expect(planner.items).toHaveLength(1);
    // Money follows the counts: the VIEWER's counts about the village are protected, so the total
    // (which ÷ a unit cost would count the households served) is withheld (docs/privacy.md, "Money").
    expect(viewer.totalCostIdr).toBeNull();
    expect(planner.totalCostIdr).not.toBeNull();
  });
});
