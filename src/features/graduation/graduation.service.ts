/**
 * Graduation use cases: readiness (criteria evaluated per household), welfare observations, the
 * proposal → decision workflow, and the target aggregates. Every write runs in one transaction with
 * its audit record; the database holds the invariants (one open graduation per household, four
 * eyes, status transitions, memberships ending on approval) and `withConflicts` explains a refusal.
 */
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.js';
import { forbidden, policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { Database, Queryable } from '../../db/database.js';
import { AppError, badInput, ErrorCode, notFound } from '../../errors/errors.js';
import { assertCleanText, parseId, parseIsoDate } from '../../graphql/input.js';
import { parseRegionCode } from '../regions/index.js';
import { withConflicts } from './graduation.errors.js';
import { inRegion, villageTargetRows } from './graduation.map.js';
import {
  criterionForUpdate,
  decideGraduation,
  factsOf,
  type FactRow,
  graduationForUpdate,
  type GraduationRow,
  insertContributions,
  insertGraduation,
  insertObservation,
  listCriteria,
  listGraduations,
  packageGraduationEffect,
  targetAggregates,
  type TargetGrouping,
  upsertCriterion,
} from './graduation.queries.js';
import { type Criterion, evaluateReadiness, parseGraduationRule, type GraduationFacts, type Readiness, toFacts } from './graduation.rules.js';

/** What the lifecycle services need from a request: no GraphQL types. */
export interface LifecycleContext {
  db: Database;
  principal: Principal;
  requestId: string;
  kAnonymity: number;
  graduationTargetPerYear: number;
}

const today = () => new Date().toISOString().slice(0, 10);

/** Graduation records are caseload data: PARTNER and VIEWER see them only as aggregates. */
export function assertCaseloadReader(principal: Principal, path: string): void {
  if (principal.role === 'PARTNER' || principal.role === 'VIEWER') {
    throw forbidden(`${path}: the ${principal.role} role sees graduation data only as aggregates (use graduationTargets).`, { argument: path });
  }
}

/** The household's facts when it is in the caller's caseload scope; NOT_FOUND otherwise (no hint it exists). */
async function caseloadHousehold(db: Queryable, principal: Principal, householdId: number, argument: string): Promise<FactRow> {
  const [row] = await factsOf(db, principal, sql`h.id = ${householdId}`);
  if (!row) throw notFound('Household', String(householdId));
  void argument;
  return row;
}

export interface HouseholdReadiness extends Readiness {
  householdId: number;
  villageCode: string;
  pendampingSubject: string | null;
  facts: GraduationFacts;
  observedOn: string | null;
}

export async function readinessOf(ctx: LifecycleContext, householdIdArg: string): Promise<HouseholdReadiness> {
  assertCaseloadReader(ctx.principal, 'graduationReadiness');
  const id = parseId(householdIdArg, 'householdId', 'a household id');
  const [row, criteria] = await Promise.all([caseloadHousehold(ctx.db, ctx.principal, id, 'householdId'), listCriteria(ctx.db)]);
  return readinessFromRow(row, criteria, today());
}

function readinessFromRow(row: FactRow, criteria: readonly Criterion[], asOf: string): HouseholdReadiness {
  const facts = toFacts(row, asOf);
  return { householdId: row.id, villageCode: row.village_code, pendampingSubject: row.pendamping_subject, facts, observedOn: row.observed_on, ...evaluateReadiness(criteria, facts) };
}

/**
 * KPM (households with an open membership and no open graduation) of a pendamping's caseload or
 * of a village, ready ones first, then by score. Two statements whatever the caseload size.
 */
export async function readinessList(ctx: LifecycleContext, filter: { pendampingSubject: string | null; villageCode: string | null; readyOnly: boolean; limit: number }) {
  assertCaseloadReader(ctx.principal, 'graduationReadinessList');
  if (!filter.pendampingSubject && !filter.villageCode) throw badInput('pendampingSubject', 'give pendampingSubject or villageCode (a readiness list is per pendamping or per village).');
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > 1000) throw badInput('limit', `must be 1–1000; got ${filter.limit}.`);
  const village = filter.villageCode ? parseRegionCode(filter.villageCode, 'villageCode') : null;
  const where = sql`(${village}::text IS NULL OR h.village_code = ${village})
    AND (${filter.pendampingSubject}::text IS NULL OR pa.pendamping_subject = ${filter.pendampingSubject})`;
  const [rows, criteria] = await Promise.all([factsOf(ctx.db, ctx.principal, where, { onlyCandidates: true, limit: 5000 }), listCriteria(ctx.db)]);
  const asOf = today();
  const all = rows.map((r) => readinessFromRow(r, criteria, asOf)).filter((r) => !filter.readyOnly || r.ready);
  all.sort((a, b) => Number(b.ready) - Number(a.ready) || b.score - a.score || a.householdId - b.householdId);
  return { total: all.length, ready: all.filter((r) => r.ready).length, households: all.slice(0, filter.limit) };
}

export async function recordObservation(ctx: LifecycleContext, input: { householdId: string; observedOn: string; monthlyIncomeIdr: number; businessSince: string | null; note: string | null }) {
  assertCaseloadReader(ctx.principal, 'recordWelfareObservation');
  const id = parseId(input.householdId, 'input.householdId', 'a household id');
  const observedOn = parseIsoDate(input.observedOn, 'input.observedOn', { notInFuture: true });
  if (!Number.isSafeInteger(input.monthlyIncomeIdr) || input.monthlyIncomeIdr < 0) throw badInput('input.monthlyIncomeIdr', `must be whole rupiah ≥ 0; got ${input.monthlyIncomeIdr}.`);
  const businessSince = input.businessSince === null ? null : parseIsoDate(input.businessSince, 'input.businessSince', { notInFuture: true });
  return ctx.db.transaction(async (tx) => {
    const household = await caseloadHousehold(tx, ctx.principal, id, 'input.householdId');
    const obsId = await insertObservation(tx, { householdId: id, observedOn, monthlyIncomeIdr: input.monthlyIncomeIdr, businessSince, recordedBy: ctx.principal.subject, note: input.note ?? '' });
    await writeAudit(tx, ctx.principal, { action: 'RECORD_WELFARE_OBSERVATION', entity: 'welfare_observation', entityId: obsId, villageCode: household.village_code, householdIds: [id], after: { observedOn, monthlyIncomeIdr: input.monthlyIncomeIdr, businessSince }, requestId: ctx.requestId });
    const [row] = await factsOf(tx, ctx.principal, sql`h.id = ${id}`);
    return readinessFromRow(row!, await listCriteria(tx), today());
  });
}

export const PATHWAYS = ['GRADUASI_MANDIRI', 'NATURAL_EXIT', 'ADMINISTRATIVE_EXIT'] as const;

/**
 * Proposes a graduation. The criteria results at this moment are stored as evidence (what was
 * measured), with the proposer's notes. GRADUASI_MANDIRI (self-reliance) needs every required
 * criterion to pass; NATURAL_EXIT (e.g. no more eligible members) and ADMINISTRATIVE_EXIT need a note.
 */
export async function proposeGraduation(ctx: LifecycleContext, input: { householdId: string; pathway: string; evidenceNote: string | null; contributingItemIds: string[] | null }) {
  assertCaseloadReader(ctx.principal, 'proposeGraduation');
  const id = parseId(input.householdId, 'input.householdId', 'a household id');
  const note = (input.evidenceNote ?? '').trim();
  if (note.length > 2000) throw badInput('input.evidenceNote', 'must be at most 2000 characters.');
  if (input.pathway !== 'GRADUASI_MANDIRI' && !note) throw badInput('input.evidenceNote', `a ${input.pathway} graduation needs a note saying why the household leaves assistance.`);
  const itemIds = (input.contributingItemIds ?? []).map((v, i) => parseId(v, `input.contributingItemIds[${i}]`, 'a package item id'));
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      const household = await caseloadHousehold(tx, ctx.principal, id, 'input.householdId');
      const readiness = readinessFromRow(household, await listCriteria(tx), today());
      if (input.pathway === 'GRADUASI_MANDIRI' && !readiness.ready) {
        const failed = readiness.criteria.filter((c) => c.required && !c.passed).map((c) => `${c.code} (${c.parts.map((p) => p.actual).join('; ')})`);
        throw badInput('input.pathway', `GRADUASI_MANDIRI needs every required criterion to pass; failing: ${failed.join(', ')}. Record a welfare observation, or use NATURAL_EXIT / ADMINISTRATIVE_EXIT with a note.`, { failing: failed });
      }
      if (!household.programs.length) throw badInput('input.householdId', `household ${id} receives no social-assistance program: there is nothing to graduate from.`);
      const evidence = { note, measuredOn: today(), facts: readiness.facts, score: readiness.score, ready: readiness.ready, criteria: readiness.criteria.map((c) => ({ code: c.code, passed: c.passed, parts: c.parts })) };
      const g = await insertGraduation(tx, { householdId: id, villageCode: household.village_code, pendampingSubject: household.pendamping_subject, pathway: input.pathway, proposedBy: ctx.principal.subject, evidence });
      if (itemIds.length) {
        const linked = await insertContributions(tx, g.id, id, [...new Set(itemIds)]);
        const missing = [...new Set(itemIds)].filter((i) => !linked.some((l) => l.package_item_id === i));
        if (missing.length) throw badInput('input.contributingItemIds', `package items ${missing.join(', ')} are not items at household ${id} in a package that is not cancelled.`);
      }
      await writeAudit(tx, ctx.principal, { action: 'PROPOSE_GRADUATION', entity: 'graduation', entityId: g.id, villageCode: g.village_code, householdIds: [id], after: { pathway: g.pathway, ready: readiness.ready, score: readiness.score, contributingItemIds: itemIds }, requestId: ctx.requestId });
      return g;
    }),
  );
}

/**
 * Approves or rejects a proposal: PLANNER of the region or ADMIN, never the proposer (the database
 * refuses that too). Approval ends the household's open program memberships (a trigger) as of
 * `graduatedOn`.
 */
export async function decide(ctx: LifecycleContext, input: { graduationId: string; approve: boolean; note: string; graduatedOn: string | null }) {
  assertCaseloadReader(ctx.principal, 'decideGraduation');
  if (ctx.principal.role === 'PENDAMPING') throw forbidden('decideGraduation: approving a graduation needs the PLANNER role for the region (or ADMIN); a pendamping proposes.');
  const id = parseId(input.graduationId, 'graduationId', 'a graduation id');
  const note = input.note.trim();
  if (!note) throw badInput('note', 'a decision needs a note (the reason for approving or rejecting).');
  const graduatedOn = input.approve ? parseIsoDate(input.graduatedOn ?? today(), 'graduatedOn', { notInFuture: true }) : null;
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      const [visible] = await listGraduations(tx, ctx.principal, { ids: [id], limit: 1 });
      if (!visible) throw notFound('Graduation', input.graduationId);
      const before = (await graduationForUpdate(tx, id))!;
      if (before.status !== 'PROPOSED') throw new AppError(ErrorCode.CONFLICT, `Graduation ${id} is ${before.status}, not PROPOSED: it was already decided.`, { argument: 'graduationId', status: before.status });
      if (before.proposed_by === ctx.principal.subject) throw forbidden('decideGraduation: the approver must not be the proposer (four eyes).', { argument: 'graduationId' });
      const after = await decideGraduation(tx, id, { status: input.approve ? 'APPROVED' : 'REJECTED', decidedBy: ctx.principal.subject, note, graduatedOn });
      await writeAudit(tx, ctx.principal, { action: input.approve ? 'APPROVE_GRADUATION' : 'REJECT_GRADUATION', entity: 'graduation', entityId: id, villageCode: after.village_code, householdIds: [after.household_id], before: { status: before.status }, after: { status: after.status, graduatedOn, note }, requestId: ctx.requestId });
      return after;
    }),
  );
}

export async function graduations(ctx: LifecycleContext, filter: { householdId: string | null; villageCode: string | null; status: string | null; pendampingSubject: string | null }): Promise<GraduationRow[]> {
  assertCaseloadReader(ctx.principal, 'graduations');
  return listGraduations(ctx.db, ctx.principal, {
    householdId: filter.householdId === null ? null : parseId(filter.householdId, 'householdId', 'a household id'),
    villageCode: filter.villageCode === null ? null : parseRegionCode(filter.villageCode, 'villageCode'),
    status: filter.status,
    pendampingSubject: filter.pendampingSubject,
  });
}

export async function graduationById(ctx: LifecycleContext, idArg: string, argument = 'id'): Promise<GraduationRow> {
  assertCaseloadReader(ctx.principal, 'graduation');
  const id = parseId(idArg, argument, 'a graduation id');
  const [row] = await listGraduations(ctx.db, ctx.principal, { ids: [id], limit: 1 });
  if (!row) throw notFound('Graduation', idArg);
  return row;
}

/** Per-pendamping target rows name a person's caseload: not for roles that see aggregates only (also read by the `viewer` query). */
export function canGroupTargetsBy(principal: Principal, grouping: TargetGrouping): boolean {
  return grouping !== 'PENDAMPING' || !(principal.role === 'PARTNER' || principal.role === 'VIEWER');
}

export async function targets(ctx: LifecycleContext, input: { groupBy: TargetGrouping; regionCode: string | null; year: number | null }) {
  if (!canGroupTargetsBy(ctx.principal, input.groupBy)) {
    throw forbidden(`groupBy: the ${ctx.principal.role} role sees graduation targets per village or region, not per pendamping.`, { argument: 'groupBy' });
  }
  const year = input.year ?? new Date().getUTCFullYear();
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput('year', `must be a year 2000–2100; got ${input.year}.`);
  const regionCode = input.regionCode === null ? null : parseRegionCode(input.regionCode, 'regionCode');
  // Per village, the source the OGC collection and the tile layer read too (graduation.map.ts):
  // protected where the caller's aggregates about the village are not exact, whatever the role.
  const rows =
    input.groupBy === 'VILLAGE'
      ? await villageTargetRows(ctx.db, ctx.principal, { year, defaultTarget: ctx.graduationTargetPerYear, k: ctx.kAnonymity, ...(regionCode ? { villages: inRegion(regionCode) } : {}) })
      : await targetAggregates(ctx.db, ctx.principal, { grouping: input.groupBy, regionCode, year, defaultTarget: ctx.graduationTargetPerYear, k: ctx.kAnonymity });
  return { year, protectedCounts: rows.some((r) => !r.counts_exact) || policy.suppressesSmallCounts(ctx.principal), rows: rows.map((r) => ({ ...r, countsExact: r.counts_exact })) };
}

export async function packageEffect(ctx: LifecycleContext, packageId: number) {
  const rows = await packageGraduationEffect(ctx.db, ctx.principal, packageId, ctx.kAnonymity);
  const total = rows.find((r) => r.intervention_code === null);
  return { graduations: total ? total.graduations : 0, byIntervention: rows.filter((r) => r.intervention_code !== null).map((r) => ({ interventionCode: r.intervention_code!, graduations: r.graduations })) };
}

/** A criterion as an ADMIN submits it: the stored shape plus whether it is active. */
export type CriterionInput = Criterion & { isActive: boolean };

/** Criterion codes are stable identifiers that decisions' evidence refers to. */
const CRITERION_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

/**
 * Adds or changes a graduation criterion (ADMIN), as catalog rules are edited: validated before any
 * write, the row locked while it changes, one audit record with before and after. A criterion is
 * retired with isActive false, never deleted: decisions already taken keep the results they stored.
 */
export async function setCriterion(ctx: LifecycleContext, input: CriterionInput) {
  policy.assertAdmin(ctx.principal, 'Editing graduation criteria');
  if (!CRITERION_CODE.test(input.code)) throw badInput('input.code', `must be 2–40 characters A–Z, 0–9 or _, starting with a letter; got ${JSON.stringify(input.code)}.`);
  assertCleanText(input.label, 'input.label', 200);
  assertCleanText(input.source, 'input.source', 1000);
  if (input.label.trim() === '') throw badInput('input.label', 'must not be empty.');
  // A criterion without a source must say it is an assumption (issue 16: "each with its source or marked an assumption").
  if (input.source.trim() === '' && !input.isAssumption) throw badInput('input.source', 'must name the rule\'s source (regulation, guideline, study), or set isAssumption: true and say why in the source.');
  if (!Number.isInteger(input.weight) || input.weight < 1 || input.weight > 100) throw badInput('input.weight', `must be a whole number from 1 to 100; got ${input.weight}.`);
  const rule = parseGraduationRule(input.rule, 'input.rule');
  return ctx.db.transaction(async (tx) => {
    const before = await criterionForUpdate(tx, input.code);
    const after = await upsertCriterion(tx, { code: input.code, label: input.label.trim(), rule, required: input.required, weight: input.weight, source: input.source.trim(), isAssumption: input.isAssumption, isActive: input.isActive });
    await writeAudit(tx, ctx.principal, { action: before ? 'UPDATE_GRADUATION_CRITERION' : 'CREATE_GRADUATION_CRITERION', entity: 'graduation_criterion', entityId: input.code, before, after, requestId: ctx.requestId });
    return after;
  });
}
