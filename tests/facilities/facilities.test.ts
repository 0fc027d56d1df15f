/**
 * Existing public facilities (issue #14, exposed for the web app #18): the one read source, the
 * Village.existingFacilities field batched per request (statement counts), the FeatureCollection,
 * the village scope per role — and the `viewer` capabilities query the web app reads instead of
 * keeping its own copy of the role rules.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFacilitiesOfVillages } from '../../src/features/facilities/facility.queries.js';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
/** A village with households and no package funded by the test partner: outside PARTNER's scope. */
let otherVillage: string;
beforeAll(async () => {
  api = await startTestApi();
  const db = api.database.db;
  // Two facilities in Tanjung Mas, one in a second village with a boundary; sites from the boundaries' interior points.
  const [other] = await db.query<{ code: string }>(sql`SELECT g.village_code AS code FROM village_geography g
    WHERE g.village_code <> ${TEST_VILLAGE} AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.village_code = g.village_code) ORDER BY g.village_code LIMIT 1`);
  otherVillage = other!.code;
  await db.query(sql`INSERT INTO existing_facilities (village_code, kind, name, location, accessible, serves, source)
    SELECT ${TEST_VILLAGE}, 'MASJID', 'Masjid Uji', ST_PointOnSurface(boundary), false, '{EVERYONE}'::text[], 'test' FROM village_geography WHERE village_code = ${TEST_VILLAGE}
    UNION ALL SELECT ${TEST_VILLAGE}, 'POSYANDU', 'Posyandu Uji', ST_Translate(ST_PointOnSurface(boundary), 0.001, 0), true, '{CHILD,ELDERLY}'::text[], 'test' FROM village_geography WHERE village_code = ${TEST_VILLAGE}
    UNION ALL SELECT ${otherVillage}, 'MCK', 'MCK Uji', ST_PointOnSurface(boundary), false, '{SANITATION}'::text[], 'test' FROM village_geography WHERE village_code = ${otherVillage}`);
});
afterAll(async () => api?.close());

const codeOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

describe('existing facilities', () => {
  it('the read source returns rows with lon/lat, kind, name, accessible and serves, for many villages in one call', async () => {
    const rows = await existingFacilitiesOfVillages(api.database.db, [TEST_VILLAGE, otherVillage]);
    expect(rows.map((r) => [r.village_code, r.kind])).toEqual([
      ...[[TEST_VILLAGE, 'MASJID'], [TEST_VILLAGE, 'POSYANDU']],
      [otherVillage, 'MCK'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!)));
    const posyandu = rows.find((r) => r.kind === 'POSYANDU')!;
    expect(posyandu).toMatchObject({ name: 'Posyandu Uji', accessible: true, serves: ['CHILD', 'ELDERLY'] });
    expect(posyandu.lon).toBeGreaterThan(110);
    expect(posyandu.lat).toBeLessThan(-6);
    expect(await existingFacilitiesOfVillages(api.database.db, [])).toEqual([]);
  });

  it('Village.existingFacilities: each village its own, ordered by id', async () => {
    const r = await api.query(`{ village(code: "${TEST_VILLAGE}") { existingFacilities { id villageCode kind name lonLat accessible serves source } } }`, {}, principals.viewer);
    expect(r.errors).toBeUndefined();
    const list = r.data!.village.existingFacilities;
    expect(list.map((f: any) => f.name)).toEqual(['Masjid Uji', 'Posyandu Uji']);
    expect(list[1]).toMatchObject({ villageCode: TEST_VILLAGE, kind: 'POSYANDU', accessible: true, serves: ['CHILD', 'ELDERLY'], source: 'test' });
    expect(list[1].lonLat).toHaveLength(2);
    // Public infrastructure: the aggregate-only VIEWER sees the exact site, like the boundary.
    expect(list[1].lonLat[0] - list[0].lonLat[0]).toBeCloseTo(0.001, 6);
  });

  it('costs the same statements for a page of 2 or of 40 villages (one batched read, no N+1)', async () => {
    const q = `query($n: Int!) { villages(first: $n, filter: { hasBoundary: true }) { nodes { code existingFacilities { id kind } } } }`;
    const small = await api.countStatements(q, { n: 2 }, principals.planner);
    const large = await api.countStatements(q, { n: 40 }, principals.planner);
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.villages.nodes.length).toBe(40);
    expect(large.statements).toBe(small.statements);
    const without = await api.countStatements(`query($n: Int!) { villages(first: $n, filter: { hasBoundary: true }) { nodes { code } } }`, { n: 40 }, principals.planner);
    expect(large.statements - without.statements).toBe(1);
  });

  it('existingFacilitiesFeatureCollection: RFC 7946 points, [longitude, latitude]', async () => {
    const r = await api.query(`query($v: String!) { existingFacilitiesFeatureCollection(villageCode: $v) }`, { v: TEST_VILLAGE }, principals.planner);
    expect(r.errors).toBeUndefined();
    const fc = r.data!.existingFacilitiesFeatureCollection;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(2);
    expect(fc.features[1]).toMatchObject({ type: 'Feature', geometry: { type: 'Point' }, properties: { kind: 'POSYANDU', accessible: true, serves: ['CHILD', 'ELDERLY'], villageCode: TEST_VILLAGE } });
    expect(fc.features[1].id).toBe(Number(fc.features[1].properties.id));
  });

  it('follows the village scope: PARTNER gets NOT_FOUND outside its villages (as for village), others see every village', async () => {
    const q = `query($v: String!) { existingFacilitiesFeatureCollection(villageCode: $v) }`;
    expect(codeOf(await api.query(q, { v: otherVillage }, principals.partner))).toBe('NOT_FOUND');
    expect(codeOf(await api.query(`{ village(code: "${otherVillage}") { code } }`, {}, principals.partner))).toBe('NOT_FOUND');
    for (const who of [principals.viewer, principals.pendamping, principals.plannerJabar]) {
      const r = await api.query(q, { v: otherVillage }, who);
      expect(r.errors).toBeUndefined();
      expect(r.data!.existingFacilitiesFeatureCollection.features.map((f: any) => f.properties.kind)).toEqual(['MCK']);
    }
    expect(codeOf(await api.query(q, { v: '33.74' }, principals.planner))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.query(q, { v: '99.99.99.9999' }, principals.planner))).toBe('NOT_FOUND');
  });
});

describe('viewer: capabilities from the policy', () => {
  const q = `query($v: String!) { viewer { subject role readsHouseholdRecords visiblePas readsCaseloadRecords graduationTargetGroupings protectedAggregates
    villageCapabilities(villageCode: $v) { villageCode canPlan canAssess canReadPackages canReadAudit exactAggregates canRecordProgress progressFunderCode progressNeedsLocation } } }`;

  it('PLANNER of Semarang: plans and reads records in Tanjung Mas, not in Jawa Barat', async () => {
    const here = await api.countStatements(q, { v: TEST_VILLAGE }, principals.plannerSemarang);
    expect(here.statements).toBe(0);
    expect(here.result.data!.viewer).toMatchObject({
      role: 'PLANNER', readsHouseholdRecords: true, readsCaseloadRecords: true, protectedAggregates: false,
      villageCapabilities: { canPlan: true, canAssess: true, canReadPackages: true, canReadAudit: true, exactAggregates: true,
        canRecordProgress: true, progressFunderCode: null, progressNeedsLocation: false },
    });
    expect(here.result.data!.viewer.visiblePas).toContain('KORBAN_NAPZA_HIV');
    expect(here.result.data!.viewer.graduationTargetGroupings).toContain('PENDAMPING');
    const there = await api.query(q, { v: '32.12.21.2012' }, principals.plannerSemarang);
    expect(there.data!.viewer.villageCapabilities).toMatchObject({ canPlan: false, canReadPackages: false, canReadAudit: false, exactAggregates: false, canRecordProgress: false });
  });

  it('VIEWER: aggregates only — no records, no caseload, no per-pendamping targets, no sensitive PAS — and the API refuses accordingly', async () => {
    const r = await api.query(q, { v: TEST_VILLAGE }, principals.viewer);
    const v = r.data!.viewer;
    expect(v).toMatchObject({ role: 'VIEWER', readsHouseholdRecords: false, readsCaseloadRecords: false, protectedAggregates: true,
      villageCapabilities: { canPlan: false, canAssess: false, canReadPackages: true, canReadAudit: false, exactAggregates: false, canRecordProgress: false, progressFunderCode: null } });
    expect(v.visiblePas).not.toContain('KORBAN_NAPZA_HIV');
    expect(v.graduationTargetGroupings).not.toContain('PENDAMPING');
    expect(v.graduationTargetGroupings).toContain('VILLAGE');
    // What the capabilities say is what the API does.
    expect(codeOf(await api.query(`{ graduationTargets(groupBy: PENDAMPING) { year } }`, {}, principals.viewer))).toBe('FORBIDDEN');
    expect(codeOf(await api.query(`{ graduationReadinessList(villageCode: "${TEST_VILLAGE}") { total } }`, {}, principals.viewer))).toBe('FORBIDDEN');
    expect(codeOf(await api.query(`{ pendamping { subject } }`, {}, principals.viewer))).toBe('FORBIDDEN');
    const targets = await api.query(`{ graduationTargets(groupBy: VILLAGE, regionCode: "${TEST_VILLAGE}") { protectedCounts rows { key } } }`, {}, principals.viewer);
    expect(targets.errors).toBeUndefined();
    expect(targets.data!.graduationTargets.protectedCounts).toBe(true);
  });

  it('PENDAMPING and PARTNER', async () => {
    const p = (await api.query(q, { v: TEST_VILLAGE }, principals.pendamping)).data!.viewer;
    expect(p).toMatchObject({ readsHouseholdRecords: true, readsCaseloadRecords: true, villageCapabilities: { canPlan: false, canAssess: true, exactAggregates: true } });
    const partner = (await api.query(q, { v: TEST_VILLAGE }, principals.partner)).data!.viewer;
    expect(partner).toMatchObject({ readsHouseholdRecords: true, readsCaseloadRecords: false, protectedAggregates: true, villageCapabilities: { canPlan: false, canReadAudit: false } });
    // A partner records progress on its funder's items of the packages it reads, and where it was.
    expect(partner.villageCapabilities).toMatchObject({ canRecordProgress: partner.villageCapabilities.canReadPackages, progressFunderCode: 'BAZNAS', progressNeedsLocation: true });
    expect(codeOf(await api.query(`{ village(code: "00") { code } }`, {}, principals.partner))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.query(`{ viewer { villageCapabilities(villageCode: "33.74") { canPlan } } }`, {}, principals.planner))).toBe('BAD_USER_INPUT');
  });
});
