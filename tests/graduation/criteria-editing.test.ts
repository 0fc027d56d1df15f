/**
 * Issue #16: graduation criteria are rules as data that an ADMIN edits through the API as catalog
 * rules are edited — validated before any write, never deleted (retired instead), audited — and a
 * change is what readiness is evaluated against from then on.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/graphql.js';
import { principals } from '../support/principals.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const SET = `mutation ($input: GraduationCriterionInput!) {
  setGraduationCriterion(input: $input) { code label rule required weight source isAssumption isActive }
}`;
const LIST = `query ($all: Boolean!) { graduationCriteria(includeInactive: $all) { code isActive } }`;
const codeOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;
const count = async () => (await api.database.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM graduation_criteria`))[0]!.n;

const toilet = {
  code: 'OWN_TOILET',
  label: 'Has its own toilet',
  rule: { fact: 'hasOwnToilet', op: 'eq', value: true },
  required: false,
  weight: 2,
  source: 'Assumption of this test: sanitation as a sign of a stable household.',
  isAssumption: true,
};

describe('editing graduation criteria (ADMIN)', () => {
  it('adds a criterion that readiness then evaluates, and audits it', async () => {
    const r = await api.query(SET, { input: toilet });
    expect(r.errors).toBeUndefined();
    expect(r.data!.setGraduationCriterion).toMatchObject({ code: 'OWN_TOILET', weight: 2, isActive: true, rule: toilet.rule });
    const listed = await api.query(LIST, { all: false });
    expect(listed.data!.graduationCriteria.map((c: { code: string }) => c.code)).toContain('OWN_TOILET');
    const [kpm] = await api.database.db.query<{ id: number; has_own_toilet: boolean }>(
      sql`SELECT h.id, h.has_own_toilet FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id ORDER BY h.id LIMIT 1`,
    );
    const readiness = await api.query(`{ graduationReadiness(householdId: "${kpm!.id}") { criteria { code passed } } }`);
    expect(readiness.errors).toBeUndefined();
    expect(readiness.data!.graduationReadiness.criteria).toContainEqual({ code: 'OWN_TOILET', passed: kpm!.has_own_toilet });
    const [audit] = await api.database.db.query<{ action: string; before: unknown }>(
      sql`SELECT action, before FROM audit_log WHERE entity = 'graduation_criterion' AND entity_id = 'OWN_TOILET' ORDER BY id`,
    );
    expect(audit).toMatchObject({ action: 'CREATE_GRADUATION_CRITERION', before: null });
  });

  it('replaces by code and retires with isActive false, never deleting; the audit holds before and after', async () => {
    const before = await count();
    const changed = await api.query(SET, { input: { ...toilet, weight: 5 } });
    expect(changed.data!.setGraduationCriterion.weight).toBe(5);
    const retired = await api.query(SET, { input: { ...toilet, weight: 5, isActive: false } });
    expect(retired.data!.setGraduationCriterion.isActive).toBe(false);
    expect(await count()).toBe(before);
    expect((await api.query(LIST, { all: false })).data!.graduationCriteria.map((c: { code: string }) => c.code)).not.toContain('OWN_TOILET');
    expect((await api.query(LIST, { all: true })).data!.graduationCriteria).toContainEqual({ code: 'OWN_TOILET', isActive: false });
    const audits = await api.database.db.query<{ action: string; before: { weight: number } | null; after: { weight: number; isActive: boolean } }>(
      sql`SELECT action, before, after FROM audit_log WHERE entity = 'graduation_criterion' AND entity_id = 'OWN_TOILET' ORDER BY id`,
    );
    expect(audits.map((a) => a.action)).toEqual(['CREATE_GRADUATION_CRITERION', 'UPDATE_GRADUATION_CRITERION', 'UPDATE_GRADUATION_CRITERION']);
    expect(audits[1]!.before!.weight).toBe(2);
    expect(audits[2]!.after).toMatchObject({ weight: 5, isActive: false });
  });

  it('refuses a bad rule, code, weight or a missing source with a coded error naming the argument; nothing is written', async () => {
    const before = await count();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...toilet, code: 'BAD_RULE', rule: { fact: 'salary', op: 'gt', value: 1 } }, /input\.rule\.fact: unknown graduation fact "salary"/],
      [{ ...toilet, code: 'lower case' }, /input\.code: must be 2–40 characters/],
      [{ ...toilet, code: 'HEAVY', weight: 0 }, /input\.weight: must be a whole number from 1 to 100; got 0/],
      [{ ...toilet, code: 'NO_SOURCE', source: ' ', isAssumption: false }, /input\.source: must name the rule's source/],
    ];
    for (const [input, message] of cases) {
      const r = await api.query(SET, { input });
      expect(codeOf(r), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).toMatch(message);
    }
    expect(await count()).toBe(before);
  });

  it('is for ADMIN only', async () => {
    for (const who of [principals.planner, principals.viewer, principals.partner]) {
      const r = await api.query(SET, { input: { ...toilet, code: 'NOT_ALLOWED' } }, who);
      expect(codeOf(r), who.role).toBe('FORBIDDEN');
    }
    expect((await api.query(LIST, { all: true })).data!.graduationCriteria.map((c: { code: string }) => c.code)).not.toContain('NOT_ALLOWED');
  });
});
