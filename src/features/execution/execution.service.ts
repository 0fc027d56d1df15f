/**
 * Execution use cases (issue 15): funder sign-off, field progress with GPS and evidence,
 * post-works verification, follow-up checks, schedules; and the reads (timeline, outcome,
 * dashboard). Every write runs in one transaction with its audit record, and bumps the package
 * version it names (optimistic concurrency as in package.service.ts).
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.js';
import { forbidden, policy, protectCountSql } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { ExecutionConfig } from '../../config/config.js';
import type { Queryable } from '../../db/database.js';
import { AppError, badInput, ErrorCode, invalidGeometry, notFound } from '../../errors/errors.js';
import { parsePointWgs84 } from '../../geo/geojson-input.js';
import type { RequestContext } from '../../graphql/context.js';
import { assertCleanText, parseId, parseIsoDate } from '../../graphql/input.js';
import { parseRegionCode } from '../regions/index.js';
import { type AssessmentInput, prepareAssessment, writeAssessment } from '../assessments/index.js';
import { bumpVersion, outcomeCounts, pointInVillage, servedByPasCounts, updateItemProgress } from '../packages/index.js';
import {
  assessmentCoverage,
  assessmentFor,
  currentApproval,
  execItem,
  funderSignoffs,
  insertProgressRecord,
  insertSignoff,
  insertVerification,
  isPendampingOfVillage,
  itemAggregates,
  lockPackage,
  type LockedPackage,
  progressRecordsOf,
  recordOutcomeCheck,
  releaseInstalments,
  scheduleOutcomeChecks,
  schedulesOf,
  timelineItems,
  upsertItemSchedule,
  upsertSchedule,
  withdrawApproval,
} from './execution.queries.js';

export const DEFAULT_EXECUTION: ExecutionConfig = { assessmentDays: 14, planningDays: 14, implementationDays: 60, assessedShare: 1, evidenceMaxBytes: 5 * 1024 * 1024 };
export const executionOf = (ctx: RequestContext) => ctx.execution ?? DEFAULT_EXECUTION;
/** Today (UTC date) by the request's clock; tests inject one to check overdue flags. */
export const todayOf = (ctx: RequestContext) => (ctx.execution?.now?.() ?? new Date()).toISOString().slice(0, 10);

const conflict = (message: string, details: Record<string, unknown> = {}) => new AppError(ErrorCode.CONFLICT, message, details);

function note(value: string | null | undefined, argument: string, max = 2000): string {
  if (value == null) return '';
  assertCleanText(value, argument, max);
  return value.trim();
}

export const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Locks the package and bumps its version if it is still `expected`. */
async function lockAndBump(tx: Queryable, packageId: number, expected: number, status?: string): Promise<LockedPackage> {
  const pkg = await lockPackage(tx, packageId);
  if (!pkg) throw notFound('Package', String(packageId));
  if (pkg.version !== expected || !(await bumpVersion(tx, packageId, expected, status))) {
    throw conflict(`Package ${packageId} is at version ${pkg.version}, not ${expected}: someone changed it since you read it. Reload it and apply your change again.`, {
      argument: 'version',
      currentVersion: pkg.version,
    });
  }
  return pkg;
}

// ---------------------------------------------------------------------------------------------
// Funder sign-off
// ---------------------------------------------------------------------------------------------

/**
 * A funder's partner signs off on (or refuses) the items its funder pays in an APPROVED package.
 * A refusal needs a reason and sends the package back to PLANNED (the approval is withdrawn, so
 * the changed plan is approved and signed again).
 */
export async function signOff(ctx: RequestContext, packageIdArg: string, version: number, decision: 'SIGNED' | 'REFUSED', reasonArg: string | null) {
  const packageId = parseId(packageIdArg, 'packageId', 'a package id');
  const p = ctx.principal;
  if (p.role !== 'PARTNER' || !p.funder) throw forbidden(`signOffPackage: a funder signs off through its PARTNER role (a token with a funder claim); you are ${p.role}.`, { argument: 'packageId' });
  const reason = reasonArg ? note(reasonArg, 'reason', 1000) : null;
  if (decision === 'REFUSED' && !reason) throw badInput('reason', 'a refusal needs a reason (it is recorded and shown to the planners).');
  return ctx.db.transaction(async (tx) => {
    const refused = decision === 'REFUSED';
    const pkg = await lockAndBump(tx, packageId, version, refused ? 'PLANNED' : undefined);
    const funders = await funderSignoffs(tx, packageId);
    const own = funders.find((f) => f.funder_code === p.funder);
    if (!own) throw forbidden(`signOffPackage: ${p.funder} funds no item of package ${packageId}; only the funders of its items sign off.`, { argument: 'packageId' });
    if (pkg.status !== 'APPROVED') throw conflict(`Funders sign off on an APPROVED package; package ${packageId} is ${pkg.status}.`, { argument: 'packageId', status: pkg.status });
    const approval = await currentApproval(tx, packageId);
    if (!approval) throw conflict(`Package ${packageId} has no current approval to sign off on.`, { argument: 'packageId' });
    if (own.decision) throw conflict(`${p.funder} already ${own.decision === 'SIGNED' ? 'signed off on' : 'refused'} this approval of package ${packageId}.`, { argument: 'decision' });
    await insertSignoff(tx, approval.id, own.funder_code, decision, reason, p.subject);
    if (refused) await withdrawApproval(tx, packageId);
    await writeAudit(tx, p, {
      action: refused ? 'REFUSE_SIGNOFF' : 'SIGN_OFF',
      entity: 'package',
      entityId: packageId,
      packageId,
      villageCode: pkg.village_code,
      before: { status: pkg.status, version: pkg.version },
      after: { status: refused ? 'PLANNED' : pkg.status, version: pkg.version + 1, funderCode: p.funder, decision, reason, approvalId: approval.id },
      requestId: ctx.requestId,
    });
    return packageId;
  });
}

// ---------------------------------------------------------------------------------------------
// Field progress
// ---------------------------------------------------------------------------------------------

export interface EvidenceInput {
  contentBase64: string;
}

/** The MIME type from the file's first bytes (not from a client-declared type): JPEG, PNG, WebP, PDF. */
export function sniffMime(bytes: Buffer): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

export function parseEvidence(input: EvidenceInput, maxBytes: number, argument: string) {
  const b64 = input.contentBase64.replace(/\s+/g, '');
  // Checked on the text first, so an oversized upload is refused before it is decoded.
  if (Math.floor((b64.length * 3) / 4) > maxBytes + 2) throw badInput(`${argument}.contentBase64`, `evidence may be at most ${maxBytes} bytes; got about ${Math.floor((b64.length * 3) / 4)}.`, { maxBytes });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw badInput(`${argument}.contentBase64`, 'must be standard base64 (RFC 4648, with padding).');
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0) throw badInput(`${argument}.contentBase64`, 'is empty.');
  if (bytes.length > maxBytes) throw badInput(`${argument}.contentBase64`, `evidence may be at most ${maxBytes} bytes; got ${bytes.length}.`, { maxBytes, bytes: bytes.length });
  const mime = sniffMime(bytes);
  if (!mime) throw badInput(`${argument}.contentBase64`, 'must be a JPEG, PNG or WebP photo or a PDF document (judged by its content, not its name).');
  return { base64: bytes.toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex'), mime, bytes: bytes.length };
}

/**
 * Whose items a caller may record field progress on in a village: null = none; `{ funderCode: null }`
 * = every item (ADMIN, the region's PLANNER, the village's PENDAMPING); `{ funderCode }` = only items
 * that funder pays a share of (a PARTNER). The one statement of the rule: the guard below and
 * `viewer.villageCapabilities` (what the web app offers) both ask it.
 */
export async function progressScopeOf(db: Queryable, p: Principal, villageCode: string): Promise<{ funderCode: string | null } | null> {
  switch (p.role) {
    case 'ADMIN':
      return { funderCode: null };
    case 'PLANNER':
      try {
        policy.assertCanPlan(p, villageCode);
        return { funderCode: null };
      } catch {
        return null;
      }
    case 'PENDAMPING':
      // Both must agree, as for caseloads (src/auth/caseload-scope.ts): the token grants the village and
      // the planners' assignments make them a pendamping there.
      return p.villageCodes.includes(villageCode) && (await isPendampingOfVillage(db, p.subject, villageCode)) ? { funderCode: null } : null;
    case 'PARTNER':
      return p.funder ? { funderCode: p.funder } : null;
    case 'VIEWER':
      return null;
  }
}

/** Field roles record where they were: their progress records need a GPS point (planners' ones may omit it). */
export const progressNeedsLocation = (p: Principal): boolean => p.role === 'PENDAMPING' || p.role === 'PARTNER';

/** Who may record field progress on an item: the planner, the village's pendamping, the partner for its own items. */
async function assertCanRecordProgress(tx: Queryable, ctx: RequestContext, pkg: LockedPackage, funderCodes: string[]) {
  const p = ctx.principal;
  // A planner outside the region gets the policy's own message.
  if (p.role === 'PLANNER') policy.assertCanPlan(p, pkg.village_code);
  const scope = await progressScopeOf(tx, p, pkg.village_code);
  if (scope && (scope.funderCode === null || funderCodes.includes(scope.funderCode))) return;
  switch (p.role) {
    case 'PARTNER':
      throw forbidden(`recordItemProgress: ${p.funder} records progress only on items it funds; this item is funded by ${funderCodes.join(', ')}.`, { argument: 'itemId' });
    case 'VIEWER':
      throw forbidden('recordItemProgress: the VIEWER role reads aggregates only.', { argument: 'packageId' });
    default:
      throw forbidden(`recordItemProgress: you are not the pendamping of village ${pkg.village_code} (it must be in your token's villages and you must carry households there).`, { argument: 'packageId' });
  }
}

export interface ProgressInput {
  packageId: string;
  version: number;
  itemId: string;
  progress: 'NOT_STARTED' | 'IN_PROGRESS' | 'DONE';
  on: string | null;
  note: string | null;
  locationWgs84: number[] | null;
  evidence: EvidenceInput | null;
}

export async function recordProgress(ctx: RequestContext, input: ProgressInput) {
  const packageId = parseId(input.packageId, 'packageId', 'a package id');
  const itemId = parseId(input.itemId, 'itemId', 'an item id');
  const text = note(input.note, 'note');
  const evidence = input.evidence ? parseEvidence(input.evidence, executionOf(ctx).evidenceMaxBytes, 'evidence') : null;
  if (progressNeedsLocation(ctx.principal) && !input.locationWgs84) throw badInput('locationWgs84', 'progress recorded in the field needs the GPS point where it was taken, as [longitude, latitude].');
  let lonLat: [number, number] | null = null;
  if (input.locationWgs84) {
    if (input.locationWgs84.length !== 2) throw badInput('locationWgs84', `must be [longitude, latitude]; got ${input.locationWgs84.length} numbers.`);
    lonLat = parsePointWgs84(input.locationWgs84[0]!, input.locationWgs84[1]!, 'locationWgs84').coordinates as [number, number];
  }
  return ctx.db.transaction(async (tx) => {
    const pkg = await lockAndBump(tx, packageId, input.version);
    const item = await execItem(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    await assertCanRecordProgress(tx, ctx, pkg, item.funder_codes);
    if (pkg.status !== 'IN_PROGRESS') throw conflict(`Progress is recorded only while the package is IN_PROGRESS; it is ${pkg.status}.`, { argument: 'packageId', status: pkg.status });
    const on = input.on != null ? parseIsoDate(input.on, 'on', { notBefore: pkg.created_on, notBeforeWhat: 'the day the package was created' }) : todayOf(ctx);
    // "Not in the future" by the easternmost Indonesian day (UTC+9), as the database trigger judges it.
    const latest = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    if (on > latest) throw badInput('on', `must not lie in the future; got ${on} (today is ${latest} in WIT).`, { latest });
    if (on < pkg.created_on) throw badInput('on', `must not be before the day the package was created (${pkg.created_on}); got ${on}.`);
    if (lonLat) {
      const where = await pointInVillage(tx, pkg.village_code, lonLat);
      if (where.has_boundary && !where.inside) {
        const distance = Math.round(where.distance_m ?? 0);
        throw invalidGeometry('locationWgs84', `the point [${lonLat.join(', ')}] lies ${distance} m outside the boundary of village ${pkg.village_code}; progress is recorded where the work is. (Check the axis order: [longitude, latitude].)`, { distanceOutsideMeters: distance });
      }
    }
    if (input.progress === 'DONE' && item.category === 'HOUSING' && !item.verified) {
      throw conflict(`Housing item ${itemId} is DONE only after its post-works verification: call verifyHousingItem with the assessment of the repaired house (or the id of one recorded earlier with recordAssessment).`, { argument: 'progress', reason: 'VERIFICATION_MISSING' });
    }
    const startedOn = input.progress === 'NOT_STARTED' ? null : (item.started_on ?? on);
    const doneOn = input.progress === 'DONE' ? on : null;
    if (startedOn && doneOn && doneOn < startedOn) throw badInput('on', `done on ${doneOn} is before the item started on ${startedOn}.`);
    await updateItemProgress(tx, itemId, input.progress, startedOn, doneOn);
    const recordId = await insertProgressRecord(tx, { itemId, progress: input.progress, onDate: on, note: text, lonLat, recordedBy: ctx.principal.subject, recorderRole: ctx.principal.role, evidence });
    const released = input.progress === 'NOT_STARTED' ? [] : await releaseInstalments(tx, itemId, input.progress, on);
    if (input.progress === 'DONE' && item.category === 'ECONOMIC_EMPOWERMENT') await scheduleOutcomeChecks(tx, itemId, on);
    await writeAudit(tx, ctx.principal, {
      action: 'RECORD_PROGRESS',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: pkg.village_code,
      before: { progress: item.progress, startedOn: item.started_on, doneOn: item.done_on },
      after: { progress: input.progress, startedOn, doneOn, recordId, located: lonLat !== null, evidenceSha256: evidence?.sha256 ?? null, instalmentsReleased: released.map((r) => r.seq) },
      householdIds: item.household_id ? [item.household_id] : [],
      requestId: ctx.requestId,
    });
    return packageId;
  });
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

/**
 * The post-works verification of a housing item, in one transaction: either the assessment of the
 * repaired house is given inline (`assessment`) and recorded here through the assessments feature's
 * own write path (house condition, RTLH verdict, village statistics, audit), or an assessment recorded
 * earlier (`assessmentId`) is linked; it must be of the item's household and dated on or after the
 * works started. The same transaction marks the household as having had housing aid, records whether
 * the house is now fit (no longer RTLH) and re-derives the village statistics: any failure writes nothing.
 */
export async function verifyHousingItem(ctx: RequestContext, packageIdArg: string, version: number, itemIdArg: string, assessmentIdArg: string | null, assessmentInput: AssessmentInput | null) {
  const packageId = parseId(packageIdArg, 'packageId', 'a package id');
  const itemId = parseId(itemIdArg, 'itemId', 'an item id');
  if ((assessmentIdArg == null) === (assessmentInput == null)) {
    throw badInput('assessmentId', `give exactly one of assessmentId (an assessment recorded earlier) and assessment (the post-works assessment, recorded with the verification); got ${assessmentIdArg == null ? 'neither' : 'both'}.`, { alternative: 'assessment' });
  }
  const p = ctx.principal;
  if (p.role === 'PARTNER' || p.role === 'VIEWER') throw forbidden(`verifyHousingItem: the post-works verification is an assessment, by the village's pendamping or a planner; you are ${p.role}.`, { argument: assessmentInput ? 'assessment' : 'assessmentId' });
  // Input checks and rights of the inline assessment come first (they only read), as in recordAssessment.
  const prepared = assessmentInput ? await prepareAssessment(ctx, assessmentInput, 'assessment', 'verifyHousingItem') : null;
  const assessmentArg = prepared ? 'assessment' : 'assessmentId';
  return ctx.db.transaction(async (tx) => {
    const pkg = await lockAndBump(tx, packageId, version);
    if (p.role === 'PLANNER') policy.assertCanPlan(p, pkg.village_code);
    if (p.role === 'PENDAMPING') policy.assertCanAssess(p, pkg.village_code);
    const item = await execItem(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    if (item.category !== 'HOUSING' || !item.household_id) throw badInput('itemId', `item ${itemId} is ${item.intervention_code} (${item.category}); only housing items get a post-works verification.`);
    if (item.verified) throw conflict(`Housing item ${itemId} is already verified.`, { argument: 'itemId' });
    if (pkg.status !== 'IN_PROGRESS') throw conflict(`Verification happens while the package is IN_PROGRESS; it is ${pkg.status}.`, { argument: 'packageId' });
    if (prepared && prepared.assessment.householdId !== item.household_id) {
      throw badInput('assessment.householdId', `the assessment is of household ${prepared.assessment.householdId}, but item ${itemId} repairs the house of household ${item.household_id}.`);
    }
    // Recorded on this transaction: the RTLH trigger and the statistics refresh run here, so the
    // verdict read back below is the one this assessment produced.
    const assessmentId = prepared ? (await writeAssessment(tx, ctx, prepared)).id : parseId(assessmentIdArg!, 'assessmentId', 'an assessment id');
    const a = await assessmentFor(tx, assessmentId);
    if (!a) throw notFound('Assessment', String(assessmentId));
    if (a.household_id !== item.household_id) throw badInput('assessmentId', `assessment ${assessmentId} is of household ${a.household_id}, but item ${itemId} repairs the house of household ${item.household_id}.`);
    const from = item.started_on ?? pkg.created_on;
    if (a.assessed_on < from) throw badInput(prepared ? 'assessment.assessedOn' : 'assessmentId', `the assessment${prepared ? '' : ` ${assessmentId}`} is dated ${a.assessed_on}, before the works started (${from}); the verification assesses the repaired house.`);
    const fit = !a.is_rtlh;
    await insertVerification(tx, itemId, assessmentId, p.subject, fit, a.household_id, a.village_code);
    await writeAudit(tx, p, {
      action: 'VERIFY_HOUSING',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: pkg.village_code,
      after: { assessmentId, assessmentRecordedWith: assessmentArg === 'assessment', fit, hadHousingAid: true },
      householdIds: [a.household_id],
      requestId: ctx.requestId,
    });
    return packageId;
  });
}

export async function checkOutcome(ctx: RequestContext, packageIdArg: string, itemIdArg: string, monthsAfter: number, checkedOnArg: string, running: boolean, noteArg: string | null) {
  const packageId = parseId(packageIdArg, 'packageId', 'a package id');
  const itemId = parseId(itemIdArg, 'itemId', 'an item id');
  if (![3, 6, 12].includes(monthsAfter)) throw badInput('monthsAfter', `must be 3, 6 or 12; got ${monthsAfter}.`);
  const checkedOn = parseIsoDate(checkedOnArg, 'checkedOn', { notInFuture: true });
  const text = note(noteArg, 'note');
  return ctx.db.transaction(async (tx) => {
    const pkg = await lockPackage(tx, packageId);
    if (!pkg) throw notFound('Package', String(packageId));
    const item = await execItem(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    await assertCanRecordProgress(tx, ctx, pkg, item.funder_codes);
    const due = await recordOutcomeCheck(tx, itemId, monthsAfter, checkedOn, running, text, ctx.principal.subject);
    if (!due) throw conflict(`Item ${itemId} has no ${monthsAfter}-month check: checks are scheduled when an economic-empowerment item is DONE.`, { argument: 'itemId' });
    if (checkedOn < due.due_on) throw badInput('checkedOn', `the ${monthsAfter}-month check is due on ${due.due_on}; got ${checkedOn}.`);
    await writeAudit(tx, ctx.principal, { action: 'OUTCOME_CHECK', entity: 'package_item', entityId: itemId, packageId, villageCode: pkg.village_code, after: { monthsAfter, checkedOn, running }, householdIds: item.household_id ? [item.household_id] : [], requestId: ctx.requestId });
    return { itemId, monthsAfter, dueOn: due.due_on, checkedOn, businessRunning: running };
  });
}

// ---------------------------------------------------------------------------------------------
// Schedules and the timeline
// ---------------------------------------------------------------------------------------------

export async function setSchedule(ctx: RequestContext, packageIdArg: string, version: number, phases: { assessmentEnd: string; planningEnd: string; implementationEnd: string }, items: { itemId: string; plannedStart: string; plannedEnd: string }[]) {
  const packageId = parseId(packageIdArg, 'packageId', 'a package id');
  const s = {
    assessmentEnd: parseIsoDate(phases.assessmentEnd, 'phases.assessmentEnd'),
    planningEnd: parseIsoDate(phases.planningEnd, 'phases.planningEnd'),
    implementationEnd: parseIsoDate(phases.implementationEnd, 'phases.implementationEnd'),
  };
  if (!(s.assessmentEnd <= s.planningEnd && s.planningEnd <= s.implementationEnd)) throw badInput('phases', `phase ends must be in order (assessment ≤ planning ≤ implementation); got ${s.assessmentEnd}, ${s.planningEnd}, ${s.implementationEnd}.`);
  return ctx.db.transaction(async (tx) => {
    const pkg = await lockAndBump(tx, packageId, version);
    policy.assertCanPlan(ctx.principal, pkg.village_code);
    if (s.assessmentEnd < pkg.created_on) throw badInput('phases.assessmentEnd', `must not be before the package was created (${pkg.created_on}); got ${s.assessmentEnd}.`);
    await upsertSchedule(tx, packageId, s);
    for (const [i, it] of items.entries()) {
      const itemId = parseId(it.itemId, `items[${i}].itemId`, 'an item id');
      const start = parseIsoDate(it.plannedStart, `items[${i}].plannedStart`);
      const end = parseIsoDate(it.plannedEnd, `items[${i}].plannedEnd`);
      if (start > end) throw badInput(`items[${i}].plannedEnd`, `must not be before plannedStart (${start}); got ${end}.`);
      if (!(await execItem(tx, packageId, itemId))) throw notFound('Package item', it.itemId);
      await upsertItemSchedule(tx, itemId, start, end);
    }
    await writeAudit(tx, ctx.principal, { action: 'SET_SCHEDULE', entity: 'package', entityId: packageId, packageId, villageCode: pkg.village_code, after: { ...s, items: items.length }, requestId: ctx.requestId });
    return packageId;
  });
}

export interface PhaseView {
  phase: 'ASSESSMENT' | 'PLANNING' | 'IMPLEMENTATION';
  plannedStart: string;
  plannedEnd: string;
  actualStart: string | null;
  actualEnd: string | null;
  overdue: boolean;
}

export interface TimelineItemView {
  itemId: string;
  interventionCode: string;
  category: string;
  funderCode: string;
  progress: string;
  plannedStart: string;
  plannedEnd: string;
  startedOn: string | null;
  doneOn: string | null;
  overdue: boolean;
}

export interface TimelineView {
  packageId: string;
  status: string;
  today: string;
  phases: PhaseView[];
  items: TimelineItemView[];
}

/**
 * Timelines of packages in two statements whatever their number. No personal data: items carry
 * no household, so every role that may read the package sees its timeline.
 */
export async function timelines(db: Queryable, ctx: RequestContext, packageIds: number[]): Promise<TimelineView[]> {
  const cfg = executionOf(ctx);
  const today = todayOf(ctx);
  const [schedules, items] = await Promise.all([schedulesOf(db, packageIds), timelineItems(db, ctx.principal, packageIds)]);
  return schedules.map((s) => {
    const assessmentEnd = s.assessment_end ?? addDays(s.created_on, cfg.assessmentDays);
    const planningEnd = s.planning_end ?? addDays(assessmentEnd, cfg.planningDays);
    const implementationEnd = s.implementation_end ?? addDays(planningEnd, cfg.implementationDays);
    const done = (ended: string | null, planned: string) => !ended && planned < today && s.status !== 'CANCELLED';
    const phases: PhaseView[] = [
      { phase: 'ASSESSMENT', plannedStart: s.created_on, plannedEnd: assessmentEnd, actualStart: s.created_on, actualEnd: s.assessed_on, overdue: done(s.assessed_on, assessmentEnd) },
      { phase: 'PLANNING', plannedStart: assessmentEnd, plannedEnd: planningEnd, actualStart: s.assessed_on, actualEnd: s.in_progress_on, overdue: done(s.in_progress_on, planningEnd) },
      { phase: 'IMPLEMENTATION', plannedStart: planningEnd, plannedEnd: implementationEnd, actualStart: s.in_progress_on, actualEnd: s.completed_on, overdue: done(s.completed_on, implementationEnd) },
    ];
    return {
      packageId: String(s.package_id),
      status: s.status,
      today,
      phases,
      items: items
        .filter((i) => i.package_id === s.package_id)
        .map((i) => {
          const plannedEnd = i.planned_end ?? implementationEnd;
          return {
            itemId: String(i.id),
            interventionCode: i.intervention_code,
            category: i.category,
            funderCode: i.funder_code,
            progress: i.progress,
            plannedStart: i.planned_start ?? planningEnd,
            plannedEnd,
            startedOn: i.started_on,
            doneOn: i.done_on,
            overdue: i.progress !== 'DONE' && plannedEnd < today && s.status !== 'CANCELLED',
          };
        }),
    };
  });
}

/** The package as the caller may see it (village scope), or NOT_FOUND. */
export async function readablePackage(ctx: RequestContext, packageIdArg: string) {
  const packageId = parseId(packageIdArg, 'packageId', 'a package id');
  const [row] = await ctx.db.query<{ id: number; village_code: string }>(sql`SELECT id, village_code FROM packages p
    WHERE p.id = ${packageId} AND ${policy.packageVillageScope(ctx.principal, sql`p.village_code`)}`);
  if (!row || !policy.canReadPackagesOf(ctx.principal, row.village_code)) throw notFound('Package', packageIdArg);
  return row;
}

/** The assessment gate as a planner or pendamping sees it (household ids: roles that read household records). */
export async function assessmentStatus(ctx: RequestContext, packageIdArg: string) {
  policy.assertCanReadHouseholdRecords(ctx.principal, 'packageAssessmentStatus');
  const pkg = await readablePackage(ctx, packageIdArg);
  const coverage = await assessmentCoverage(ctx.db, pkg.id);
  const missing = coverage.filter((c) => !c.assessed).map((c) => String(c.household_id));
  return { targetHouseholds: coverage.length, assessed: coverage.length - missing.length, required: Math.ceil(coverage.length * executionOf(ctx).assessedShare), missingHouseholdIds: missing };
}

/**
 * Progress records of an item with their evidence. A record of a household item — its note, exact
 * GPS point and photo — is personal data of that household: only the roles that may act on it
 * (the planner of the region, the village's pendamping, the partner for its own items, ADMIN) read it;
 * VIEWER never. Reads of a household's records are audited like other personal reads.
 */
export async function progressRecords(ctx: RequestContext, packageIdArg: string, itemIdArg: string) {
  const itemId = parseId(itemIdArg, 'itemId', 'an item id');
  const visible = await readablePackage(ctx, packageIdArg);
  if (ctx.principal.role === 'VIEWER') throw forbidden('itemProgressRecords: the VIEWER role sees progress only in aggregate (packageTimeline, executionDashboard).', { argument: 'itemId' });
  const pkg = await lockPackageRead(ctx, visible.id);
  const item = await execItem(ctx.db, visible.id, itemId);
  if (!item) throw notFound('Package item', itemIdArg);
  await assertCanRecordProgress(ctx.db, ctx, pkg, item.funder_codes);
  const rows = await progressRecordsOf(ctx.db, itemId, true);
  if (item.household_id && rows.length) ctx.personalReads.note('itemProgressRecords', [item.household_id]);
  return rows;
}

async function lockPackageRead(ctx: RequestContext, packageId: number): Promise<LockedPackage> {
  const [row] = await ctx.db.query<LockedPackage>(sql`SELECT id, village_code, status::text AS status, version, created_by,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_on FROM packages WHERE id = ${packageId}`);
  return row!;
}

export async function signoffsOf(ctx: RequestContext, packageId: number) {
  const [approval, funders] = await Promise.all([currentApproval(ctx.db, packageId), funderSignoffs(ctx.db, packageId)]);
  return { approval, funders };
}

// ---------------------------------------------------------------------------------------------
// Outcome and dashboard (protected aggregates for aggregate-only roles)
// ---------------------------------------------------------------------------------------------


export async function packageOutcome(ctx: RequestContext, packageIdArg: string) {
  const pkg = await readablePackage(ctx, packageIdArg);
  // Read through the package-item source: its join, and the protection computed in SQL per row.
  const [o, byPas] = await Promise.all([outcomeCounts(ctx.db, ctx.principal, ctx.kAnonymity, pkg.id), servedByPasCounts(ctx.db, ctx.principal, ctx.kAnonymity, pkg.id)]);
  return {
    packageId: String(pkg.id),
    exact: o.exact,
    housingItems: o.housing_items,
    housesVerified: o.houses_verified,
    housesMadeFit: o.houses_made_fit,
    facilities: o.facilities,
    facilitiesInUse: o.facilities_in_use,
    businessItems: o.business_items,
    businessesChecked: o.businesses_checked,
    businessesRunning: o.businesses_running,
    householdsServed: o.households_served,
    servedByPas: byPas.map((r) => ({ pas: r.pas, households: r.households })),
  };
}

export async function executionDashboard(ctx: RequestContext, regionCodeArg: string | null) {
  const regionPrefix = regionCodeArg ? parseRegionCode(regionCodeArg, 'regionCode') : null;
  // A row is exact only when the caller sees every village in it exactly (bool_and over the group).
  const exact = sql`bool_and(${policy.exactAggregatesSql(ctx.principal, sql`p.village_code`)})`;
  const rows = await itemAggregates(ctx.db, policy.packageVillageScope(ctx.principal, sql`p.village_code`), regionPrefix, (count) => protectCountSql(count, ctx.kAnonymity, exact), exact);
  return rows.map((r) => ({ category: r.category, funderCode: r.funder_code, progress: r.progress, items: r.items, costIdr: r.cost_idr === null ? null : Number(r.cost_idr), packages: r.packages }));
}
