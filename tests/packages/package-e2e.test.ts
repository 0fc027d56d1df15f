/**
 * Issue #4's "done when": through GraphQL alone a planner picks Tanjung Mas, proposes a package
 * with Kemensos Rp2 miliar and BAZNAS Rp1.5 miliar, inspects coverage, edits, approves, marks
 * progress and exports — plus the refusals around it.
 */
import { check } from '@placemarkio/check-geojson';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const planner = principals.plannerSemarang;
const as = <T = any>(q: string, v?: Record<string, unknown>) => api.query<T>(q, v, planner);
const KEMENSOS = 2_000_000_000;
const BAZNAS = 1_500_000_000;

const PACKAGE_FIELDS = `id status version villageCode totalCostIdr
  budgets { funderCode budgetIdr allocatedIdr remainingIdr overBudgetReason }
  items { id interventionCode category funderCode householdId memberId location serves costIdr origin progress eligibilityOverrideReason }`;

async function propose(villageCode = TEST_VILLAGE, name = 'Bedah Kampung Tambak Lorok') {
  const r = await as(
    `mutation($v: String!, $n: String!) { proposePackage(villageCode: $v, name: $n, budgets: [{ funderCode: "KEMENSOS", budgetIdr: ${KEMENSOS} }, { funderCode: "BAZNAS", budgetIdr: ${BAZNAS} }]) { ${PACKAGE_FIELDS} } }`,
    { v: villageCode, n: name },
  );
  expect(r.errors).toBeUndefined();
  return r.data.proposePackage;
}

const APPROVER = principals.planner;
const partnerOf = (funder: string) => ({ subject: `partner-${funder}@test`, role: 'PARTNER' as const, organisation: funder, funder, regionCodes: null, villageCodes: [] });

const rows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => api.database.db.query<T>(q);

describe('propose → coverage → edit → approve → progress → export (Tanjung Mas)', () => {
  let pkg: any;
  let firstProposal: any;
  beforeAll(async () => {
    // A first proposal, cancelled (its housing items would otherwise count as "already housed").
    firstProposal = await propose(TEST_VILLAGE, 'first');
    const cancelled = await as(`mutation { transitionPackage(packageId: "${firstProposal.id}", version: ${firstProposal.version}, to: CANCELLED, reason: "re-proposed") { status } }`);
    expect(cancelled.errors).toBeUndefined();
    pkg = await propose();
  });

  it('proposes a draft within both budgets, by the funder rules, one housing item per household', async () => {
    expect(pkg.status).toBe('DRAFT');
    expect(pkg.items.length).toBeGreaterThan(10);
    for (const b of pkg.budgets) expect(b.allocatedIdr).toBeLessThanOrEqual(b.budgetIdr);
    expect(pkg.items.every((i: any) => i.origin === 'PROPOSED')).toBe(true);
    // BAZNAS money only to mustahik.
    const baznasHouseholds = pkg.items.filter((i: any) => i.funderCode === 'BAZNAS' && i.householdId).map((i: any) => Number(i.householdId));
    expect(baznasHouseholds.length).toBeGreaterThan(0);
    const nonMustahik = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM households WHERE id = ANY(${sql.param(baznasHouseholds)}::int[]) AND NOT is_mustahik`);
    expect(nonMustahik[0]!.n).toBe(0);
    const housing = pkg.items.filter((i: any) => i.category === 'HOUSING').map((i: any) => i.householdId);
    expect(new Set(housing).size).toBe(housing.length);
    // Facilities are sited inside the village boundary.
    const facilities = pkg.items.filter((i: any) => i.location);
    expect(facilities.length).toBeGreaterThan(0);
    const outside = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM package_items i JOIN village_geography g ON g.village_code = ${TEST_VILLAGE}
      WHERE i.package_id = ${Number(pkg.id)} AND i.location IS NOT NULL AND NOT ST_Covers(g.boundary, i.location)`);
    expect(outside[0]!.n).toBe(0);
  });

  it('is deterministic: the same proposal twice gives the same items', async () => {
    const shape = (p: any) => p.items.map((i: any) => [i.interventionCode, i.householdId, i.memberId, JSON.stringify(i.location)]);
    expect(shape(firstProposal)).toEqual(shape(pkg));
  });

  it('serves the neediest first: every household with a higher need score than a served one is served or ineligible', async () => {
    const served = new Set(pkg.items.filter((i: any) => i.householdId).map((i: any) => Number(i.householdId)));
    const [worst] = await rows<{ id: number; desil: number }>(sql`SELECT id, desil FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY desil, id LIMIT 1`);
    expect(served.has(worst!.id) || worst!.desil > 2).toBe(true);
  });

  it('reports coverage per PAS, per category, per funder, spatial access before/after and the unserved', async () => {
    const r = await as(`{ package(id: "${pkg.id}") { coverage(radiusMeters: 500) {
        radiusMeters householdsInNeed householdsServed byPas { pas households covered notCovered } byCategory { category items costIdr }
        byFunder { funderCode budgetIdr allocatedIdr } access { serves targetHouseholds withinReachBefore withinReachAfter } unservedHouseholdIds }
      unservedFeatureCollection } }`);
    expect(r.errors).toBeUndefined();
    const c = r.data.package.coverage;
    expect(c.householdsServed).toBeGreaterThan(0);
    for (const p of c.byPas) expect(p.covered + p.notCovered).toBe(p.households);
    const elderly = c.access.find((a: any) => a.serves === 'ELDERLY');
    expect(elderly.withinReachAfter).toBeGreaterThanOrEqual(elderly.withinReachBefore);
    expect(c.access.some((a: any) => a.withinReachAfter > a.withinReachBefore)).toBe(true);
    expect(c.byFunder.map((f: any) => f.funderCode).sort()).toEqual(['BAZNAS', 'KEMENSOS']);
    expect(c.byCategory.reduce((s: number, x: any) => s + x.costIdr, 0)).toBe(pkg.totalCostIdr);
    const fc = r.data.package.unservedFeatureCollection;
    expect(check(JSON.stringify(fc))).toBeTruthy();
    expect(fc.features.map((f: any) => String(f.id))).toEqual(c.unservedHouseholdIds);
    expect(c.householdsInNeed).toBe(c.householdsServed + c.unservedHouseholdIds.length);
  });

  it('edits: removes and adds items, explains ineligibility, records overrides, refuses non-mustahik BAZNAS and sites outside the village', async () => {
    let version = pkg.version;
    const first = pkg.items.find((i: any) => i.category === 'HOUSING');
    let r = await as(`mutation { removePackageItem(packageId: "${pkg.id}", version: ${version}, itemId: "${first.id}") { version items { id } } }`);
    expect(r.errors).toBeUndefined();
    version = r.data.removePackageItem.version;

    // An RST-ineligible household (a layak huni house) is refused with the failed rule part.
    const [fit] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND NOT is_rtlh ORDER BY id LIMIT 1`);
    r = await as(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${version}, item: { interventionCode: "RST", householdId: "${fit!.id}" }) { version } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/not eligible for RST: Moderate or heavy damage/);

    // With an override reason it is added, and the reason is recorded on the item.
    r = await as(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${version}, item: { interventionCode: "RST", householdId: "${fit!.id}", eligibilityOverrideReason: "roof collapsed after the survey", overBudgetReason: "test" }) { version items { householdId eligibilityOverrideReason } } }`);
    expect(r.errors).toBeUndefined();
    version = r.data.addPackageItem.version;
    expect(r.data.addPackageItem.items.find((i: any) => i.householdId === String(fit!.id)).eligibilityOverrideReason).toBe('roof collapsed after the survey');

    // BAZNAS for a non-mustahik: a funder rule, not overridable.
    const [notMustahik] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND NOT is_mustahik AND is_rtlh AND desil <= 2 ORDER BY id LIMIT 1`);
    const [anyNotMustahik] = notMustahik ? [notMustahik] : await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND NOT is_mustahik ORDER BY id LIMIT 1`);
    r = await as(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${version}, item: { interventionCode: "Z_MART", householdId: "${anyNotMustahik!.id}", eligibilityOverrideReason: "please" }) { version } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.errors?.[0]?.message).toMatch(/only mustahik/);

    // A facility outside the boundary is explained with the distance.
    r = await as(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${version}, item: { interventionCode: "POS_RAMAH_LANSIA", locationWgs84: [110.60, -6.95] }) { version } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_GEOMETRY');
    expect(r.errors?.[0]?.message).toMatch(/m outside the boundary of village 33\.74\.02\.1008/);

    // Inside it is accepted.
    const [inside] = await rows<{ lon: number; lat: number }>(sql`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(boundary) p FROM village_geography WHERE village_code = ${TEST_VILLAGE}) s`);
    r = await as(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${version}, item: { interventionCode: "POS_RAMAH_LANSIA", locationWgs84: [${inside!.lon}, ${inside!.lat}], overBudgetReason: "access matters" }) { version } }`);
    expect(r.errors).toBeUndefined();
    pkg = (await as(`{ package(id: "${pkg.id}") { ${PACKAGE_FIELDS} } }`)).data.package;
  });

  it('refuses a stale version with CONFLICT and changes nothing', async () => {
    const before = await rows<{ items: number; audits: number }>(sql`SELECT (SELECT count(*)::int FROM package_items WHERE package_id = ${Number(pkg.id)}) AS items,
      (SELECT count(*)::int FROM audit_log WHERE package_id = ${Number(pkg.id)}) AS audits`);
    const item = pkg.items[0];
    const r = await as(`mutation { removePackageItem(packageId: "${pkg.id}", version: ${pkg.version - 1}, itemId: "${item.id}") { version } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(r.errors?.[0]?.message).toMatch(/version/);
    const after = await rows<{ items: number; audits: number }>(sql`SELECT (SELECT count(*)::int FROM package_items WHERE package_id = ${Number(pkg.id)}) AS items,
      (SELECT count(*)::int FROM audit_log WHERE package_id = ${Number(pkg.id)}) AS audits`);
    expect(after).toEqual(before);
  });

  it('walks the workflow, refusing invalid transitions and edits of an approved package', async () => {
    const go = async (to: string, reason?: string) => {
      const r = await as(`mutation { transitionPackage(packageId: "${pkg.id}", version: ${pkg.version}, to: ${to}${reason ? `, reason: "${reason}"` : ''}) { ${PACKAGE_FIELDS} } }`);
      if (!r.errors) pkg = r.data.transitionPackage;
      return r;
    };
    let r = await go('APPROVED');
    expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(r.errors?.[0]?.message).toMatch(/A DRAFT package cannot become APPROVED; from DRAFT it can become ASSESSED or CANCELLED/);
    // Issue 15: ASSESSED needs the target households assessed (the execution tests record them
    // through recordAssessment; here they are set up directly), a second planner approves, and
    // each funder signs off with its PARTNER token before IN_PROGRESS.
    await rows(sql`INSERT INTO assessments (household_id, assessor, assessed_on, component_conditions, floor_area_m2, occupants, floor_material, wall_material,
        roof_material, has_own_toilet, has_electricity, water_source, land_ownership, livelihood, has_small_business)
      SELECT DISTINCT h.id, 'setup', current_date, '{}'::jsonb, h.floor_area_m2, h.occupants, h.floor_material, h.wall_material, h.roof_material, h.has_own_toilet,
        h.has_electricity, h.water_source, h.land_ownership, h.livelihood, h.has_small_business
      FROM package_items i LEFT JOIN members m ON m.id = i.member_id JOIN households h ON h.id = coalesce(i.household_id, m.household_id)
      WHERE i.package_id = ${Number(pkg.id)}`);
    expect((await go('ASSESSED')).errors).toBeUndefined();
    expect((await go('PLANNED')).errors).toBeUndefined();
    expect((await go('APPROVED')).errors?.[0]?.extensions?.reason).toBe('SELF_APPROVAL');
    const approved = await api.query<any>(`mutation { transitionPackage(packageId: "${pkg.id}", version: ${pkg.version}, to: APPROVED) { ${PACKAGE_FIELDS} } }`, {}, APPROVER);
    expect(approved.errors).toBeUndefined();
    pkg = approved.data.transitionPackage;
    r = await as(`mutation { removePackageItem(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${pkg.items[0].id}") { version } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(r.errors?.[0]?.message).toMatch(/APPROVED.*back to PLANNED/);
    expect((await go('COMPLETED')).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await go('IN_PROGRESS')).errors?.[0]?.extensions?.reason).toBe('SIGNOFF_MISSING');
    for (const funder of ['BAZNAS', 'KEMENSOS']) {
      const signed = await api.query<any>(`mutation { signOffPackage(packageId: "${pkg.id}", version: ${pkg.version}, decision: SIGNED) { version } }`, {}, partnerOf(funder));
      expect(signed.errors).toBeUndefined();
      pkg.version = signed.data.signOffPackage.version;
    }
    expect((await go('IN_PROGRESS')).errors).toBeUndefined();
    // Completing needs every item done.
    expect((await go('COMPLETED')).errors?.[0]?.message).toMatch(/not DONE/);
    // Progress may be recorded neither before the package was created nor in the future: today.
    const today = new Date().toISOString().slice(0, 10);
    // Housing is DONE only after its post-works verification (issue 15; set up directly here).
    await rows(sql`INSERT INTO post_works_verifications (item_id, assessment_id, verified_by, fit)
      SELECT i.id, (SELECT max(a.id) FROM assessments a WHERE a.household_id = i.household_id), 'setup', true
      FROM package_items i JOIN interventions iv ON iv.code = i.intervention_code WHERE i.package_id = ${Number(pkg.id)} AND iv.category = 'HOUSING'`);
    for (const item of pkg.items) {
      const p = await as(`mutation { setItemProgress(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${item.id}", progress: IN_PROGRESS, on: "${today}") { version } }`);
      expect(p.errors).toBeUndefined();
      pkg.version = p.data.setItemProgress.version;
      const d = await as(`mutation { setItemProgress(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${item.id}", progress: DONE, on: "${today}") { version items { id progress startedOn doneOn } } }`);
      expect(d.errors).toBeUndefined();
      pkg.version = d.data.setItemProgress.version;
      expect(d.data.setItemProgress.items.find((i: any) => i.id === item.id)).toMatchObject({ progress: 'DONE', startedOn: today, doneOn: today });
    }
    expect((await go('COMPLETED')).errors).toBeUndefined();
    expect(pkg.status).toBe('COMPLETED');
    // The set-up assessments go again: later tests count a household's assessments.
    await rows(sql`DELETE FROM post_works_verifications WHERE verified_by = 'setup'`);
    await rows(sql`DELETE FROM assessments WHERE assessor = 'setup'`);
    expect((await go('CANCELLED', 'too late')).errors?.[0]?.message).toMatch(/COMPLETED is final/);
  });

  it('exports GeoJSON and CSV', async () => {
    const r = await as(`{ package(id: "${pkg.id}") { featureCollection csv items { id } } }`);
    expect(r.errors).toBeUndefined();
    const fc = r.data.package.featureCollection;
    check(JSON.stringify(fc));
    const householdFeatures = fc.features.filter((f: any) => f.properties.kind === 'HOUSEHOLD');
    const facilityFeatures = fc.features.filter((f: any) => f.properties.kind === 'FACILITY');
    const itemCount = facilityFeatures.length + householdFeatures.reduce((s: number, f: any) => s + f.properties.items.length, 0);
    expect(itemCount).toBe(r.data.package.items.length);
    const lines = r.data.package.csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^item_id,intervention_code,category,funder_code,household_id/);
    expect(lines.length).toBe(r.data.package.items.length + 1);
  });

  it('audits every mutation with who, when, before and after; the audit is queryable per package', async () => {
    const r = await as(`{ package(id: "${pkg.id}") { audit { action actor role at before after } } }`);
    expect(r.errors).toBeUndefined();
    const audit = r.data.package.audit;
    const actions = audit.map((a: any) => a.action);
    expect(actions[0]).toBe('PROPOSE_PACKAGE');
    for (const a of ['REMOVE_ITEM', 'ADD_ITEM', 'TRANSITION', 'SET_PROGRESS']) expect(actions).toContain(a);
    // One record per successful mutation: versions went from 1 to the current version.
    expect(audit.length).toBe(pkg.version);
    const identifiers = await rows<{ nik: string; kk: string }>(sql`SELECT i.head_nik AS nik, i.family_card_number AS kk FROM household_identities i
      JOIN households h ON h.id = i.household_id WHERE h.village_code = ${TEST_VILLAGE}`);
    const text = JSON.stringify(audit);
    for (const { nik, kk } of identifiers) {
      expect(text).not.toContain(nik); // never a NIK or KK
      expect(text).not.toContain(kk);
    }
    for (const a of audit) {
      // The drafter, the second planner who approved, and the funders who signed off.
      expect([planner.subject, APPROVER.subject, 'partner-BAZNAS@test', 'partner-KEMENSOS@test']).toContain(a.actor);
      expect(a.after).not.toBeNull();
    }
    expect(audit.filter((a: any) => a.action !== 'PROPOSE_PACKAGE').every((a: any) => a.before !== null)).toBe(true);
  });

  it('duplicates the completed package as the template for another village', async () => {
    const [other] = await rows<{ code: string }>(sql`SELECT village_code AS code FROM households WHERE village_code LIKE '33.74.%' AND village_code <> ${TEST_VILLAGE}
      GROUP BY village_code ORDER BY count(*) DESC, village_code LIMIT 1`);
    const r = await as(`mutation { duplicatePackage(packageId: "${pkg.id}", villageCode: "${other!.code}", name: "copy", budgets: [{ funderCode: "BAZNAS", budgetIdr: ${BAZNAS} }, { funderCode: "KEMENSOS", budgetIdr: ${KEMENSOS} }]) { id status villageCode templateOf budgets { funderCode budgetIdr } items { interventionCode householdId } } }`);
    expect(r.errors).toBeUndefined();
    const copy = r.data.duplicatePackage;
    expect(copy).toMatchObject({ status: 'DRAFT', villageCode: other!.code, templateOf: pkg.id });
    expect(copy.budgets).toEqual([{ funderCode: 'BAZNAS', budgetIdr: BAZNAS }, { funderCode: 'KEMENSOS', budgetIdr: KEMENSOS }]);
    const allowed = new Set(pkg.items.map((i: any) => i.interventionCode));
    expect(copy.items.every((i: any) => allowed.has(i.interventionCode))).toBe(true);
  });
});

describe('eligibility and assessment', () => {
  it('explains eligibility for every household and person intervention, part by part', async () => {
    const [h] = await rows<{ id: number; is_rtlh: boolean; desil: number }>(sql`SELECT id, is_rtlh, desil FROM households WHERE village_code = ${TEST_VILLAGE} AND NOT is_rtlh ORDER BY id LIMIT 1`);
    const r = await as(`{ eligibility(householdId: "${h!.id}") { intervention { code target } eligible eligibleMemberIds parts { label fact passed actual expected } } }`);
    expect(r.errors).toBeUndefined();
    const rst = r.data.eligibility.find((e: any) => e.intervention.code === 'RST');
    expect(rst.eligible).toBe(false);
    // RST asks for moderate or heavy damage (or, before an assessment, structural RTLH findings).
    expect(rst.parts.find((p: any) => p.fact === 'damageClass')).toMatchObject({ passed: false, actual: 'damageClass none', expected: 'one of [SEDANG, BERAT]' });
    const rlhb = r.data.eligibility.find((e: any) => e.intervention.code === 'RLHB');
    expect(rlhb.parts[0].label).toMatch(/BAZNAS funds only mustahik/);
    const pena = r.data.eligibility.find((e: any) => e.intervention.code === 'PENA');
    expect(pena.intervention.target).toBe('PERSON');
    expect(r.data.eligibility.some((e: any) => e.intervention.target === 'FACILITY')).toBe(false);
  });

  it('records an assessment: house condition, RTLH verdict, PAS and village statistics change in one transaction, with history and audit', async () => {
    const [h] = await rows<{ id: number; member_id: number }>(sql`SELECT h.id, min(m.id) AS member_id FROM households h JOIN members m ON m.household_id = h.id
      WHERE h.village_code = ${TEST_VILLAGE} AND NOT h.is_rtlh AND NOT ('KORBAN_BENCANA' = ANY(h.pas::text[])) GROUP BY h.id ORDER BY h.id LIMIT 1`);
    const statsBefore = (await as(`{ village(code: "${TEST_VILLAGE}") { needStatistics { rtlhHouseholds householdsByPas { pas households } } } }`)).data.village.needStatistics;
    const r = await api.query(
      `mutation($input: AssessmentInput!) { recordAssessment(input: $input) { id assessor assessedOn componentConditions { component condition } pasAdded } }`,
      {
        input: {
          householdId: String(h!.id), assessedOn: '2025-01-20', floorAreaM2: 12, occupants: 5, floorMaterial: 'EARTH', wallMaterial: 'BAMBOO', roofMaterial: 'LEAF',
          hasOwnToilet: false, hasElectricity: true, waterSource: 'UNPROTECTED_WELL', landOwnership: 'OWNED_UNCERTIFIED', livelihood: 'FISHER', hasSmallBusiness: false,
          componentConditions: [{ component: 'ROOF_COVER', condition: 'KURANG_LAYAK' }, { component: 'WALLS', condition: 'AGAK_LAYAK' }],
          pasAdded: [{ pas: 'KORBAN_BENCANA' }], memberSituations: [{ memberId: h!.member_id, inSchool: false }], notes: 'rob (tidal flooding) damage',
        },
      },
      principals.pendamping,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.recordAssessment).toMatchObject({ assessor: principals.pendamping.subject, pasAdded: ['KORBAN_BENCANA'] });
    const after = await as(`{ household(id: "${h!.id}") { pas rtlh { isRtlh reasons { criterion } } assessments { id assessedOn } } }`);
    expect(after.data.household.rtlh.isRtlh).toBe(true);
    expect(after.data.household.pas).toContain('KORBAN_BENCANA');
    expect(after.data.household.assessments).toHaveLength(1);
    const statsAfter = (await as(`{ village(code: "${TEST_VILLAGE}") { needStatistics { rtlhHouseholds householdsByPas { pas households } } } }`)).data.village.needStatistics;
    expect(statsAfter.rtlhHouseholds).toBe(statsBefore.rtlhHouseholds + 1);
    const bencana = (s: any) => s.householdsByPas.find((p: any) => p.pas === 'KORBAN_BENCANA').households;
    expect(bencana(statsAfter)).toBe(bencana(statsBefore) + 1);
    const [audit] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'RECORD_ASSESSMENT' AND entity_id = ${String(h!.id)}`);
    expect(audit!.n).toBe(1);
  });

  it('refuses an assessment outside the assessor’s villages and leaves nothing half-written', async () => {
    const [h] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code <> ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
    const count = async () => (await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM assessments`))[0]!.n;
    const before = await count();
    const input = { householdId: String(h!.id), assessedOn: '2025-01-20', floorAreaM2: 30, occupants: 3, floorMaterial: 'CEMENT', wallMaterial: 'PLASTERED_BRICK', roofMaterial: 'CLAY_TILE', hasOwnToilet: true, hasElectricity: true, waterSource: 'PIPED', landOwnership: 'OWNED_CERTIFIED', livelihood: 'TRADER', hasSmallBusiness: true, componentConditions: [] };
    const r = await api.query(`mutation($input: AssessmentInput!) { recordAssessment(input: $input) { id } }`, { input }, principals.pendamping);
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // A member of another household makes the whole assessment fail, with nothing written.
    const [own] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} ORDER BY id DESC LIMIT 1`);
    const bad = await api.query(`mutation($input: AssessmentInput!) { recordAssessment(input: $input) { id } }`, { input: { ...input, householdId: String(own!.id), memberSituations: [{ memberId: 1, inSchool: true }] } }, principals.pendamping);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/input\.memberSituations\[0\]\.memberId/);
    expect(await count()).toBe(before);
  });
});

describe('statements', () => {
  it('reads packages with budgets and items in a constant number of statements', async () => {
    const q = `{ packages(villageCode: "${TEST_VILLAGE}") { nodes { id budgets { allocatedIdr } items { id interventionCode householdId } } } }`;
    const { statements, result } = await api.countStatements(q, {}, planner);
    expect(result.errors).toBeUndefined();
    expect(result.data!.packages.nodes.length).toBeGreaterThan(1);
    expect(statements).toBeLessThanOrEqual(5);
  });

  it('computes the whole coverage of a package in one statement (one snapshot), beside the package and its budgets', async () => {
    const [p] = await rows<{ id: number }>(sql`SELECT id FROM packages WHERE village_code = ${TEST_VILLAGE} ORDER BY id LIMIT 1`);
    const q = `{ package(id: "${p!.id}") { id totalCostIdr coverage(radiusMeters: 500) { householdsInNeed householdsServed byPas { pas households covered notCovered }
      byCategory { category items costIdr } byFunder { funderCode allocatedIdr } access { serves targetHouseholds withinReachBefore withinReachAfter } unservedHouseholdIds } } }`;
    const { statements, result } = await api.countStatements(q, {}, planner);
    expect(result.errors).toBeUndefined();
    const c = result.data!.package.coverage;
    expect(c.access.map((a: any) => a.serves)).toEqual(['ELDERLY', 'DISABLED', 'CHILD', 'SANITATION']);
    expect(c.byCategory.length).toBeGreaterThan(0);
    // The package, its budgets (shared by totalCostIdr and byFunder), the coverage.
    expect(statements).toBe(3);
  });
});
