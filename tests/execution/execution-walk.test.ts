/**
 * Issue 15: one package from DRAFT through assessment, two-person approval, funder sign-off, field
 * progress by a pendamping and a partner (with evidence), post-works verification, to COMPLETED —
 * and each refusal on the way.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectCount, SENSITIVE_PAS_CODES } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import type { RequestContext } from '../../src/graphql/context.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
const drafter = principals.plannerSemarang;
const approver = principals.planner;
const pendamping = principals.pendamping;
const otherPendamping: Principal = { ...principals.pendamping, subject: 'other-pendamping@test' };
const baznas = principals.partner;
const kemensos: Principal = { subject: 'kemensos-partner@test', role: 'PARTNER', organisation: 'Kemensos', funder: 'KEMENSOS', regionCodes: null, villageCodes: [] };

/** Runs an operation with the execution settings overridden (small evidence limit, injected clock). */
let clock: Date | null = null;
async function q(query: string, as: Principal, variables?: Record<string, unknown>) {
  const ctx = api.app.contextFor(as) as RequestContext;
  ctx.execution = { assessmentDays: 14, planningDays: 14, implementationDays: 60, assessedShare: 1, evidenceMaxBytes: 4096, now: () => clock ?? new Date() };
  const response = await api.app.apollo.executeOperation({ query, variables }, { contextValue: ctx });
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: any; errors?: { message: string; extensions?: any }[] };
}
const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => api.database.db.query<T>(query);

// A 1×1 PNG: what a phone camera sends, in miniature.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const today = new Date().toISOString().slice(0, 10);

let pkg: { id: string; version: number };
let rstItem: string;
let zmartItem: string;
let hallItem: string;
let rstHousehold: number;
let zmartHousehold: number;
let inside: [number, number];

const goodHouse = (householdId: number, assessedOn: string) => ({
  householdId: String(householdId), assessedOn, floorAreaM2: 72, occupants: 4, floorMaterial: 'CERAMIC', wallMaterial: 'PLASTERED_BRICK', roofMaterial: 'CLAY_TILE',
  hasOwnToilet: true, hasElectricity: true, waterSource: 'PIPED', landOwnership: 'OWNED_CERTIFIED', livelihood: 'FISHER', hasSmallBusiness: true,
  componentConditions: [], pasConfirmed: [], pasAdded: [], notes: '',
});

async function transition(to: string, as: Principal = drafter, reason?: string) {
  const r = await q(`mutation { transitionPackage(packageId: "${pkg.id}", version: ${pkg.version}, to: ${to}${reason ? `, reason: "${reason}"` : ''}) { version status } }`, as);
  if (!r.errors) pkg.version = r.data.transitionPackage.version;
  return r;
}

async function progress(item: string, status: string, as: Principal, extra = '') {
  const r = await q(`mutation($e: EvidenceInput) { recordItemProgress(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${item}", progress: ${status}, evidence: $e${extra}) { version status } }`, as, {
    e: extra.includes('NOEVIDENCE') ? null : { contentBase64: PNG.toString('base64') },
  });
  if (!r.errors) pkg.version = r.data.recordItemProgress.version;
  return r;
}
const at = (lonLat: [number, number]) => `, locationWgs84: [${lonLat[0]}, ${lonLat[1]}]`;

beforeAll(async () => {
  api = await startTestApi();
  const [rst] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND is_rtlh
    AND NOT EXISTS (SELECT 1 FROM package_items i WHERE i.household_id = households.id) ORDER BY id LIMIT 1`);
  const [zm] = await rows<{ id: number }>(sql`SELECT id FROM households WHERE village_code = ${TEST_VILLAGE} AND is_mustahik AND id <> ${rst!.id}
    AND NOT EXISTS (SELECT 1 FROM package_items i WHERE i.household_id = households.id) ORDER BY id LIMIT 1`);
  rstHousehold = rst!.id;
  zmartHousehold = zm!.id;
  const [p] = await rows<{ lon: number; lat: number }>(sql`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(boundary) p FROM village_geography WHERE village_code = ${TEST_VILLAGE}) s`);
  inside = [p!.lon, p!.lat];
  // The village's pendamping: assigned to a household there (graduation's pendamping tables).
  await rows(sql`INSERT INTO pendamping (subject, name) VALUES (${pendamping.subject}, 'Sri'), (${otherPendamping.subject}, 'Budi') ON CONFLICT DO NOTHING`);
  await rows(sql`INSERT INTO pendamping_assignments (household_id, pendamping_subject, assigned_on) VALUES (${rstHousehold}, ${pendamping.subject}, '2026-01-01')
    ON CONFLICT (household_id) DO UPDATE SET pendamping_subject = EXCLUDED.pendamping_subject`);
  await rows(sql`DELETE FROM pendamping_assignments pa USING households h WHERE h.id = pa.household_id AND h.village_code = ${TEST_VILLAGE} AND pa.pendamping_subject = ${otherPendamping.subject}`);
});
afterAll(async () => api?.close());

describe('from DRAFT to COMPLETED', () => {
  it('drafts a package with a house (Kemensos), a Z-Mart and a hall (BAZNAS)', async () => {
    const c = await q(`mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "Execution walk", budgets: [{ funderCode: "KEMENSOS", budgetIdr: 100000000 }, { funderCode: "BAZNAS", budgetIdr: 600000000 }]) { id version } }`, drafter);
    expect(c.errors).toBeUndefined();
    pkg = c.data.createPackage;
    const add = async (item: string) => {
      const r = await q(`mutation { addPackageItem(packageId: "${pkg.id}", version: ${pkg.version}, item: ${item}) { version items { id interventionCode } } }`, drafter);
      expect(r.errors).toBeUndefined();
      pkg.version = r.data.addPackageItem.version;
      return r.data.addPackageItem.items as { id: string; interventionCode: string }[];
    };
    await add(`{ interventionCode: "RST", householdId: "${rstHousehold}", eligibilityOverrideReason: "test house" }`);
    await add(`{ interventionCode: "Z_MART", householdId: "${zmartHousehold}", eligibilityOverrideReason: "test shop" }`);
    const items = await add(`{ interventionCode: "BALAI_WARGA", locationWgs84: [${inside[0]}, ${inside[1]}] }`);
    rstItem = items.find((i) => i.interventionCode === 'RST')!.id;
    zmartItem = items.find((i) => i.interventionCode === 'Z_MART')!.id;
    hallItem = items.find((i) => i.interventionCode === 'BALAI_WARGA')!.id;
  });

  it('refuses ASSESSED until the target households are assessed, listing those missing', async () => {
    await rows(sql`DELETE FROM assessments WHERE household_id IN (${rstHousehold}, ${zmartHousehold})`);
    const r = await transition('ASSESSED');
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'to', reason: 'ASSESSMENTS_MISSING', targetHouseholds: 2, assessed: 0 });
    expect(r.errors?.[0]?.extensions?.missingHouseholdIds).toEqual([rstHousehold, zmartHousehold].sort((a, b) => a - b));
    for (const h of [rstHousehold, zmartHousehold]) {
      const a = await q(`mutation($i: AssessmentInput!) { recordAssessment(input: $i) { id } }`, pendamping, { i: { ...goodHouse(h, today), floorAreaM2: 12, floorMaterial: 'EARTH', wallMaterial: 'BAMBOO', roofMaterial: 'LEAF', hasOwnToilet: false } });
      expect(a.errors).toBeUndefined();
    }
    expect((await transition('ASSESSED')).errors).toBeUndefined();
    expect((await transition('PLANNED')).errors).toBeUndefined();
  });

  it('refuses self-approval (service and database); a second planner approves and both are recorded', async () => {
    const self = await transition('APPROVED', drafter);
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'to', reason: 'SELF_APPROVAL' });
    await expect(rows(sql`INSERT INTO package_approvals (package_id, drafted_by, approved_by) VALUES (${Number(pkg.id)}, 'someone-else', ${drafter.subject})`)).rejects.toThrow(/cannot approve it too/);
    expect((await transition('APPROVED', approver)).errors).toBeUndefined();
    const a = await q(`{ packageApproval(packageId: "${pkg.id}") { draftedBy approvedBy signoffs { funderCode decision } } }`, approver);
    expect(a.data.packageApproval).toEqual({ draftedBy: drafter.subject, approvedBy: approver.subject, signoffs: [{ funderCode: 'BAZNAS', decision: null }, { funderCode: 'KEMENSOS', decision: null }] });
  });

  it('refuses IN_PROGRESS without every funder’s sign-off; a refusal with a reason sends the package back to PLANNED', async () => {
    const early = await transition('IN_PROGRESS', approver);
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SIGNOFF_MISSING', missingFunders: ['BAZNAS', 'KEMENSOS'] });
    const planner = await q(`mutation { signOffPackage(packageId: "${pkg.id}", version: ${pkg.version}, decision: SIGNED) { version } }`, approver);
    expect(planner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noReason = await q(`mutation { signOffPackage(packageId: "${pkg.id}", version: ${pkg.version}, decision: REFUSED) { version } }`, baznas);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reason' });
    const refused = await q(`mutation { signOffPackage(packageId: "${pkg.id}", version: ${pkg.version}, decision: REFUSED, reason: "hall site not agreed with the RT") { status version } }`, baznas);
    expect(refused.errors).toBeUndefined();
    expect(refused.data.signOffPackage.status).toBe('PLANNED');
    pkg.version = refused.data.signOffPackage.version;
    expect((await transition('APPROVED', approver)).errors).toBeUndefined();
    for (const funder of [kemensos, baznas]) {
      const s = await q(`mutation { signOffPackage(packageId: "${pkg.id}", version: ${pkg.version}, decision: SIGNED) { version status } }`, funder);
      expect(s.errors).toBeUndefined();
      pkg.version = s.data.signOffPackage.version;
    }
    expect((await transition('IN_PROGRESS', approver)).errors).toBeUndefined();
  });

  it('lets the village’s pendamping and the partner for its own items record progress, and no one else', async () => {
    const wrongPendamping = await progress(rstItem, 'IN_PROGRESS', otherPendamping, at(inside));
    expect(wrongPendamping.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const wrongPartner = await progress(rstItem, 'IN_PROGRESS', baznas, at(inside));
    expect(wrongPartner.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'itemId' });
    const viewer = await progress(rstItem, 'IN_PROGRESS', principals.viewer, at(inside));
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const outside = await progress(rstItem, 'IN_PROGRESS', pendamping, at([110.44, -6.94]));
    expect(outside.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_GEOMETRY', argument: 'locationWgs84' });
    expect(outside.errors?.[0]?.extensions?.distanceOutsideMeters).toBeGreaterThan(100);
    const noGps = await progress(rstItem, 'IN_PROGRESS', pendamping);
    expect(noGps.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'locationWgs84' });
    for (const [on, pattern] of [['2019-03-01', /before the day the package was created/], ['2031-12-31', /future/]] as const) {
      const r = await progress(rstItem, 'IN_PROGRESS', pendamping, `${at(inside)}, on: "${on}"`);
      expect(r.errors?.[0]?.extensions, on).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'on' });
      expect(r.errors?.[0]?.message).toMatch(pattern);
    }
    const big = await q(`mutation($e: EvidenceInput) { recordItemProgress(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${rstItem}", progress: IN_PROGRESS${at(inside)}, evidence: $e) { version } }`, pendamping, {
      e: { contentBase64: Buffer.concat([PNG, Buffer.alloc(5000)]).toString('base64') },
    });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'evidence.contentBase64', maxBytes: 4096 });
    const notImage = await q(`mutation($e: EvidenceInput) { recordItemProgress(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${rstItem}", progress: IN_PROGRESS${at(inside)}, evidence: $e) { version } }`, pendamping, {
      e: { contentBase64: Buffer.from('<html>not a photo</html>').toString('base64') },
    });
    expect(notImage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'evidence.contentBase64' });

    expect((await progress(rstItem, 'IN_PROGRESS', pendamping, at(inside))).errors).toBeUndefined();
    expect((await progress(zmartItem, 'IN_PROGRESS', baznas, at(inside))).errors).toBeUndefined();
    const [record] = await rows<{ sha: string; mime: string; bytes: number; role: string; same: boolean }>(sql`SELECT evidence_sha256 AS sha, evidence_mime AS mime, evidence_bytes AS bytes,
      recorder_role AS role, evidence = decode(${PNG.toString('base64')}, 'base64') AS same FROM item_progress_records WHERE item_id = ${Number(rstItem)}`);
    expect(record).toEqual({ sha: createHash('sha256').update(PNG).digest('hex'), mime: 'image/png', bytes: PNG.length, role: 'PENDAMPING', same: true });
    const audits = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM audit_log WHERE package_id = ${Number(pkg.id)} AND action = 'RECORD_PROGRESS'`);
    expect(audits[0]!.n).toBe(2);
  });

  it('treats evidence of a household as personal data: the pendamping and planner read it, the other funder’s partner and the viewer never', async () => {
    const query = `{ itemProgressRecords(packageId: "${pkg.id}", itemId: "${rstItem}") { progress recorderRole evidenceSha256 evidenceMime evidenceBase64 locationWgs84 } }`;
    for (const who of [pendamping, drafter, kemensos]) {
      const r = await q(query, who);
      expect(r.errors, who.subject).toBeUndefined();
      expect(r.data.itemProgressRecords).toHaveLength(1);
      expect(Buffer.from(r.data.itemProgressRecords[0].evidenceBase64, 'base64').equals(PNG)).toBe(true);
    }
    for (const who of [baznas, principals.viewer, otherPendamping]) {
      const r = await q(query, who);
      expect(r.errors?.[0]?.extensions?.code, who.subject).toMatch(/FORBIDDEN|NOT_FOUND/);
      expect(r.data).toBeNull();
    }
  });

  it('refuses progress dated outside the package in the database too', async () => {
    await expect(rows(sql`INSERT INTO item_progress_records (item_id, progress, on_date, recorded_by, recorder_role) VALUES (${Number(rstItem)}, 'IN_PROGRESS', '2019-03-01', 'x', 'ADMIN')`)).rejects.toThrow(/precedes the package/);
    await expect(rows(sql`INSERT INTO item_progress_records (item_id, progress, on_date, recorded_by, recorder_role) VALUES (${Number(rstItem)}, 'IN_PROGRESS', '2031-12-31', 'x', 'ADMIN')`)).rejects.toThrow(/future/);
  });

  it('refuses a housing item DONE without post-works verification; the verification updates the house, hadHousingAid and the village statistics', async () => {
    const early = await progress(rstItem, 'DONE', pendamping, at(inside));
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'progress', reason: 'VERIFICATION_MISSING' });
    await expect(rows(sql`UPDATE package_items SET progress = 'DONE', done_on = ${today} WHERE id = ${Number(rstItem)}`)).rejects.toThrow(/post-works verification/);
    const [before] = await rows<{ rtlh: number }>(sql`SELECT rtlh_households AS rtlh FROM village_stats WHERE village_code = ${TEST_VILLAGE}`);
    const a = await q(`mutation($i: AssessmentInput!) { recordAssessment(input: $i) { id } }`, pendamping, { i: goodHouse(rstHousehold, today) });
    expect(a.errors).toBeUndefined();
    const v = await q(`mutation { verifyHousingItem(packageId: "${pkg.id}", version: ${pkg.version}, itemId: "${rstItem}", assessmentId: "${a.data.recordAssessment.id}") { version } }`, pendamping);
    expect(v.errors).toBeUndefined();
    pkg.version = v.data.verifyHousingItem.version;
    const [house] = await rows<{ is_rtlh: boolean; had_housing_aid: boolean; floor_material: string }>(sql`SELECT is_rtlh, had_housing_aid, floor_material::text FROM households WHERE id = ${rstHousehold}`);
    expect(house).toEqual({ is_rtlh: false, had_housing_aid: true, floor_material: 'CERAMIC' });
    const [after] = await rows<{ rtlh: number }>(sql`SELECT rtlh_households AS rtlh FROM village_stats WHERE village_code = ${TEST_VILLAGE}`);
    expect(after!.rtlh).toBe(before!.rtlh - 1);
    expect((await progress(rstItem, 'DONE', pendamping, at(inside))).errors).toBeUndefined();
  });

  it('schedules follow-up checks for the business and completes the package', async () => {
    expect((await progress(zmartItem, 'DONE', baznas, at(inside))).errors).toBeUndefined();
    const checks = await rows<{ months_after: number; due_on: string }>(sql`SELECT months_after, due_on::text FROM outcome_checks WHERE item_id = ${Number(zmartItem)} ORDER BY months_after`);
    expect(checks.map((c) => c.months_after)).toEqual([3, 6, 12]);
    const tooEarly = await q(`mutation { recordOutcomeCheck(packageId: "${pkg.id}", itemId: "${zmartItem}", monthsAfter: 3, checkedOn: "${today}", businessRunning: true) { dueOn } }`, baznas);
    expect(tooEarly.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'checkedOn' });
    expect((await progress(hallItem, 'IN_PROGRESS', baznas, at(inside))).errors).toBeUndefined();
    expect((await progress(hallItem, 'DONE', baznas, at(inside))).errors).toBeUndefined();
    expect((await transition('COMPLETED', approver)).errors).toBeUndefined();
  });

  it('summarises the outcome: exact for the planner, protected for the viewer, no sensitive PAS', async () => {
    const query = `{ packageOutcome(packageId: "${pkg.id}") { exact housingItems housesVerified housesMadeFit facilities facilitiesInUse businessItems householdsServed servedByPas { pas households } } }`;
    const planner = (await q(query, drafter)).data.packageOutcome;
    expect(planner).toMatchObject({ exact: true, housingItems: 1, housesVerified: 1, housesMadeFit: 1, facilities: 1, facilitiesInUse: 1, businessItems: 1, householdsServed: 2 });
    const viewer = (await q(query, principals.viewer)).data.packageOutcome;
    // 1 is below k = 5: suppressed, so one family's house cannot be singled out.
    expect(viewer).toMatchObject({ exact: false, housingItems: null, housesMadeFit: null, householdsServed: null });
    for (const r of viewer.servedByPas) expect(['KORBAN_NAPZA_HIV', 'KORBAN_KEKERASAN', 'WARGA_BINAAN']).not.toContain(r.pas);
  });

  it("gives a VIEWER the protected counts of the same items the planner counts exactly (both read the package-item source), in the same statements", async () => {
    const fields = ['housingItems', 'housesVerified', 'housesMadeFit', 'facilities', 'facilitiesInUse', 'businessItems', 'businessesChecked', 'businessesRunning', 'householdsServed'];
    const query = `{ packageOutcome(packageId: "${pkg.id}") { exact ${fields.join(' ')} servedByPas { pas households } } }`;
    const run = async (as: Principal) => {
      const before = api.database.db.statementCount;
      const r = await q(query, as);
      expect(r.errors).toBeUndefined();
      return { outcome: r.data.packageOutcome, statements: api.database.db.statementCount - before };
    };
    const planner = await run(drafter);
    const viewer = await run(principals.viewer);
    expect(planner.outcome.exact).toBe(true);
    expect(viewer.outcome.exact).toBe(false);
    for (const f of fields) expect(viewer.outcome[f], f).toBe(protectCount(planner.outcome[f], 5));
    const sensitive: string[] = [...SENSITIVE_PAS_CODES];
    expect(planner.outcome.servedByPas.length).toBeGreaterThan(0);
    expect(viewer.outcome.servedByPas).toEqual(
      planner.outcome.servedByPas.filter((r: any) => !sensitive.includes(r.pas)).map((r: any) => ({ pas: r.pas, households: protectCount(r.households, 5) })),
    );
    expect(viewer.statements).toBe(planner.statements);
  });

  it('shows the timeline with planned and actual dates, overdue by an injected clock, without personal data', async () => {
    const query = `{ packageTimeline(packageId: "${pkg.id}") { status today phases { phase plannedStart plannedEnd actualStart actualEnd overdue } items { itemId category plannedEnd doneOn overdue } } }`;
    const t = (await q(query, principals.viewer)).data.packageTimeline;
    expect(t.status).toBe('COMPLETED');
    expect(t.phases.map((p: any) => p.phase)).toEqual(['ASSESSMENT', 'PLANNING', 'IMPLEMENTATION']);
    expect(t.phases[0].actualEnd).toBe(today);
    expect(t.phases.every((p: any) => !p.overdue)).toBe(true);
    // Items come from the package-item source: a VIEWER reads the hall, not the house and the Z-Mart at households
    // (listing them would give the exact number of households served; docs/privacy.md).
    expect(t.items.map((i: any) => i.category)).toEqual(['COMMUNITY_FACILITY']);
    expect(JSON.stringify(t)).not.toContain(String(rstHousehold));
    // A package still in DRAFT, seen 100 days later: its assessment phase is overdue.
    const c = await q(`mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "Late one", budgets: []) { id } }`, drafter);
    clock = new Date(Date.now() + 100 * 86_400_000);
    const late = (await q(`{ packageTimeline(packageId: "${c.data.createPackage.id}") { today phases { phase overdue } } }`, drafter)).data.packageTimeline;
    clock = null;
    expect(late.phases).toEqual([{ phase: 'ASSESSMENT', overdue: true }, { phase: 'PLANNING', overdue: true }, { phase: 'IMPLEMENTATION', overdue: true }]);
  });

  it('gives dashboards protected aggregates per category, funder and progress in one statement', async () => {
    const query = `{ executionDashboard(regionCode: "33.74") { category funderCode progress items costIdr packages } }`;
    const before = api.database.db.statementCount;
    const viewer = await q(query, principals.viewer);
    expect(api.database.db.statementCount - before).toBe(1);
    expect(viewer.errors).toBeUndefined();
    for (const r of viewer.data.executionDashboard) if (r.items !== null) expect(r.items === 0 || r.items % 5 === 0).toBe(true);
    const planner = (await q(query, drafter)).data.executionDashboard;
    const housing = planner.find((r: any) => r.category === 'HOUSING' && r.funderCode === 'KEMENSOS' && r.progress === 'DONE');
    expect(housing.items).toBeGreaterThanOrEqual(1);
  });

  it('reads timelines of many packages in a constant number of statements', async () => {
    const before = api.database.db.statementCount;
    const r = await q(`{ packageTimeline(packageId: "${pkg.id}") { items { itemId } } }`, drafter);
    expect(r.errors).toBeUndefined();
    // readablePackage + schedules + items: three statements whatever the number of items.
    expect(api.database.db.statementCount - before).toBe(3);
  });
});

describe('post-works verification with the assessment inline (one transaction)', () => {
  /** An unverified housing item of another IN_PROGRESS package (the demo's pilots), its house still RTLH. */
  async function openHousingItem() {
    const [row] = await rows<{ item_id: number; package_id: number; version: number; household_id: number; village_code: string; from_on: string }>(sql`
      SELECT i.id AS item_id, p.id AS package_id, p.version, h.id AS household_id, h.village_code, coalesce(i.started_on::text, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) AS from_on
      FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code JOIN households h ON h.id = i.household_id
      WHERE p.status = 'IN_PROGRESS' AND iv.category = 'HOUSING' AND h.is_rtlh AND NOT h.had_housing_aid
        AND NOT EXISTS (SELECT 1 FROM post_works_verifications v WHERE v.item_id = i.id)
      ORDER BY i.id LIMIT 1`);
    expect(row, 'the test template has an unverified housing item of an IN_PROGRESS package').toBeDefined();
    return row!;
  }
  const state = (householdId: number, villageCode: string) =>
    rows<{ is_rtlh: boolean; had_housing_aid: boolean; assessments: number; verifications: number; rtlh: number; audits: number }>(sql`
      SELECT h.is_rtlh, h.had_housing_aid,
        (SELECT count(*)::int FROM assessments a WHERE a.household_id = h.id) AS assessments,
        (SELECT count(*)::int FROM post_works_verifications v JOIN assessments a ON a.id = v.assessment_id WHERE a.household_id = h.id) AS verifications,
        (SELECT rtlh_households FROM village_stats s WHERE s.village_code = ${villageCode}) AS rtlh,
        (SELECT count(*)::int FROM audit_log l WHERE ${householdId} = ANY(l.household_ids)) AS audits
      FROM households h WHERE h.id = ${householdId}`).then((r) => r[0]!);
  const verify = (it: { package_id: number; item_id: number }, version: number, args: string, variables?: Record<string, unknown>) =>
    q(`mutation${args.includes('$a') ? '($a: AssessmentInput)' : ''} { verifyHousingItem(packageId: "${it.package_id}", version: ${version}, itemId: "${it.item_id}"${args}) { version } }`, approver, variables);

  it('asks for exactly one of assessmentId and assessment, naming the argument', async () => {
    const item = await openHousingItem();
    const neither = await verify(item, item.version, '');
    expect(neither.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'assessmentId' });
    const both = await verify(item, item.version, ', assessmentId: "1", assessment: $a', { a: goodHouse(item.household_id, today) });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'assessmentId' });
    const invalid = await verify(item, item.version, ', assessment: $a', { a: { ...goodHouse(item.household_id, today), occupants: 0 } });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'assessment.occupants' });
  });

  it('writes nothing when the verification fails: a stale version, or an assessment dated before the works (refused after it was inserted)', async () => {
    const item = await openHousingItem();
    const before = await state(item.household_id, item.village_code);
    const stale = await verify(item, item.version - 1, ', assessment: $a', { a: goodHouse(item.household_id, today) });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'version' });
    const dayBefore = new Date(Date.parse(`${item.from_on}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const early = await verify(item, item.version, ', assessment: $a', { a: goodHouse(item.household_id, dayBefore) });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'assessment.assessedOn' });
    expect(await state(item.household_id, item.village_code)).toEqual(before);
    const [pkgNow] = await rows<{ version: number }>(sql`SELECT version FROM packages WHERE id = ${item.package_id}`);
    expect(pkgNow!.version).toBe(item.version);
  });

  it('records the assessment and the verification together: RTLH verdict, hadHousingAid and village statistics change at once', async () => {
    const item = await openHousingItem();
    const before = await state(item.household_id, item.village_code);
    const v = await verify(item, item.version, ', assessment: $a', { a: goodHouse(item.household_id, today) });
    expect(v.errors).toBeUndefined();
    expect(v.data.verifyHousingItem.version).toBe(item.version + 1);
    const after = await state(item.household_id, item.village_code);
    // Two audit records (the assessment's and the verification's), one transaction.
    expect(after).toEqual({ is_rtlh: false, had_housing_aid: true, assessments: before.assessments + 1, verifications: 1, rtlh: before.rtlh - 1, audits: before.audits + 2 });
    const [link] = await rows<{ fit: boolean; assessed_on: string; assessor: string }>(sql`SELECT v.fit, a.assessed_on::text, a.assessor FROM post_works_verifications v
      JOIN assessments a ON a.id = v.assessment_id WHERE v.item_id = ${item.item_id}`);
    expect(link).toEqual({ fit: true, assessed_on: today, assessor: approver.subject });
  });
});
