/**
 * Business rules under concurrency, held by the database (drizzle/0007): one housing item per
 * household across non-cancelled packages, proposals in one village, unique catalog codes. The
 * requests are started together through the real pipeline; on PostgreSQL they run in parallel
 * transactions on a pool, on the embedded database they interleave on its one connection.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals, TEST_VILLAGE } from '../support/principals.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const planner = principals.planner;
const BUDGETS = `[{ funderCode: "KEMENSOS", budgetIdr: 1000000000000 }, { funderCode: "BAZNAS", budgetIdr: 100000000000 }, { funderCode: "PEMDA", budgetIdr: 100000000000 }]`;

/** Households holding more than one housing item in packages that are not cancelled. */
async function doubleHoused(): Promise<number> {
  const [row] = await api.database.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM (
    SELECT i.household_id FROM package_items i JOIN packages p ON p.id = i.package_id JOIN interventions iv ON iv.code = i.intervention_code
    WHERE iv.is_housing AND p.status <> 'CANCELLED' AND i.household_id IS NOT NULL GROUP BY i.household_id HAVING count(*) > 1) d`);
  return row!.n;
}

async function createPackage(name: string): Promise<{ id: string; version: number }> {
  const r = await api.query(`mutation { createPackage(villageCode: "${TEST_VILLAGE}", name: "${name}", budgets: ${BUDGETS}) { id version } }`, {}, planner);
  expect(r.errors).toBeUndefined();
  return r.data!.createPackage;
}

describe('concurrent writes keep the business rules', () => {
  it('adds of housing to the same households in two packages at once: 0 households housed twice, refusals CONFLICT', async () => {
    const households = await api.database.db.query<{ id: number }>(sql`SELECT h.id FROM households h WHERE h.village_code = ${TEST_VILLAGE}
      AND NOT EXISTS (SELECT 1 FROM package_items i WHERE i.household_id = h.id) ORDER BY h.id LIMIT 20`);
    expect(households.length).toBe(20);
    // A package pair per household, so the only thing the two adds compete for is the house.
    const pairs = [];
    for (const h of households) pairs.push({ household: h.id, a: await createPackage(`race A ${h.id}`), b: await createPackage(`race B ${h.id}`) });
    const add = (pkg: { id: string; version: number }, household: number) =>
      api.query(
        `mutation { addPackageItem(packageId: "${pkg.id}", version: ${pkg.version}, item: { interventionCode: "RST", householdId: "${household}", eligibilityOverrideReason: "race test", overBudgetReason: "race test" }) { id } }`,
        {},
        planner,
      );
    const results = await Promise.all(pairs.flatMap((p) => [add(p.a, p.household), add(p.b, p.household)]));
    const succeeded = results.filter((r) => !r.errors).length;
    const codes = results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions?.code);
    const doubles = await doubleHoused();
    console.info(`[races] housing: ${results.length} concurrent adds, ${succeeded} succeeded, ${codes.length} refused (${[...new Set(codes)].join(',')}), ${doubles} households housed twice`);
    expect(doubles).toBe(0);
    expect(succeeded).toBe(20);
    expect(codes.every((c) => c === 'CONFLICT')).toBe(true);
  });

  it('eight proposals for one village at once: 0 households housed twice, a concurrent one is refused with CONFLICT', async () => {
    const propose = (n: number) =>
      api.query(`mutation { proposePackage(villageCode: "${TEST_VILLAGE}", name: "race proposal ${n}", budgets: ${BUDGETS}) { id items { id } } }`, {}, planner);
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => propose(n)));
    const succeeded = results.filter((r) => !r.errors);
    const codes = results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions?.code);
    const doubles = await doubleHoused();
    console.info(`[races] proposals: 8 concurrent, ${succeeded.length} succeeded (${succeeded.map((r) => r.data!.proposePackage.items.length).join('/')} items), ${codes.length} refused (${[...new Set(codes)].join(',')}), ${doubles} households housed twice`);
    expect(doubles).toBe(0);
    expect(succeeded.length).toBeGreaterThan(0);
    // A proposal that finds another one running for the village is refused at once (it does not
    // wait on a pooled connection), so every refusal is CONFLICT, never a 503 from a starved pool.
    expect(codes.every((c) => c === 'CONFLICT')).toBe(true);
  });

  it('eight creates of one catalog code at once: one intervention, the others CONFLICT naming input.code', async () => {
    const input = { code: 'RACE_CODE', nameId: 'Uji balapan', nameEn: 'Race test', category: 'COMMUNITY_FACILITY', funderCode: 'KEMENSOS', target: 'HOUSEHOLD', unitCostIdr: 1000, costIsAssumption: true, costSource: 'test', eligibility: { fact: 'desil', op: 'lte', value: 4 } };
    const results = await Promise.all(Array.from({ length: 8 }, () => api.query(`mutation($input: InterventionInput!) { createIntervention(input: $input) { code } }`, { input }, principals.admin)));
    const refusals = results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions);
    const [row] = await api.database.db.query<{ n: number; audits: number }>(sql`SELECT (SELECT count(*)::int FROM interventions WHERE code = 'RACE_CODE') AS n,
      (SELECT count(*)::int FROM audit_log WHERE action = 'CREATE_INTERVENTION' AND entity_id = 'RACE_CODE') AS audits`);
    console.info(`[races] catalog: 8 concurrent creates, ${8 - refusals.length} succeeded, ${refusals.length} refused (${[...new Set(refusals.map((e) => e?.code))].join(',')}), ${row!.n} rows, ${row!.audits} audit records`);
    expect(results.length - refusals.length).toBe(1);
    expect(refusals.every((e) => e?.code === 'CONFLICT' && e.argument === 'input.code')).toBe(true);
    expect(row).toEqual({ n: 1, audits: 1 });
  });

  it('a stale version is refused as a version CONFLICT before any workflow rule', async () => {
    const pkg = await createPackage('stale version');
    const fresh = await api.query(`mutation { transitionPackage(packageId: "${pkg.id}", version: ${pkg.version}, to: ASSESSED) { version } }`, {}, planner);
    expect(fresh.errors).toBeUndefined();
    // DRAFT → APPROVED is also not a legal transition; the client must first hear "reload".
    const stale = await api.query(`mutation { transitionPackage(packageId: "${pkg.id}", version: ${pkg.version}, to: APPROVED) { version } }`, {}, planner);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'version' });
  });
});
