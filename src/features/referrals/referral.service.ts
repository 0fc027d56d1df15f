/**
 * Terminasi: a graduated household is referred to another ministry's or agency's program and the
 * referral is tracked (REFERRED → ACCEPTED → ENROLLED, or DECLINED with a reason), then followed
 * up at 6 and 12 months. A household back on assistance is recorded as such — the graduation
 * becomes RETURNED and its memberships reopen (a trigger) — never deleted or hidden.
 */
import { writeAudit } from '../../audit/audit.js';
import { AppError, badInput, ErrorCode, notFound } from '../../errors/errors.js';
import { parseId, parseIsoDate } from '../../graphql/input.js';
import { assertCaseloadReader, type LifecycleContext, listGraduations, markReturned, withConflicts } from '../graduation/index.js';
import { insertFollowUp, insertReferral, receivingProgram, referralForUpdate, updateReferralStatus } from './referral.queries.js';

async function visibleGraduation(ctx: LifecycleContext, tx: Parameters<typeof listGraduations>[0], id: number, argument: string) {
  const [g] = await listGraduations(tx, ctx.principal, { ids: [id], limit: 1 });
  if (!g) throw notFound('Graduation', String(id));
  void argument;
  return g;
}

export async function refer(ctx: LifecycleContext, input: { graduationId: string; programCode: string; referredOn: string }) {
  assertCaseloadReader(ctx.principal, 'referHousehold');
  const graduationId = parseId(input.graduationId, 'input.graduationId', 'a graduation id');
  const referredOn = parseIsoDate(input.referredOn, 'input.referredOn', { notInFuture: true });
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      const g = await visibleGraduation(ctx, tx, graduationId, 'input.graduationId');
      if (!(await receivingProgram(tx, input.programCode))) throw badInput('input.programCode', `unknown receiving program ${JSON.stringify(input.programCode)}; see receivingPrograms.`);
      if (g.status !== 'APPROVED') throw new AppError(ErrorCode.CONFLICT, `Graduation ${graduationId} is ${g.status}: only an APPROVED graduation is referred (terminasi follows graduasi).`, { argument: 'input.graduationId', status: g.status });
      if (g.graduated_on && referredOn < g.graduated_on) throw badInput('input.referredOn', `must be on or after the graduation date ${g.graduated_on}; got ${referredOn}.`);
      const r = await insertReferral(tx, { graduationId, programCode: input.programCode, referredOn, createdBy: ctx.principal.subject });
      await writeAudit(tx, ctx.principal, { action: 'REFER_HOUSEHOLD', entity: 'referral', entityId: r.id, villageCode: g.village_code, householdIds: [g.household_id], after: { graduationId, programCode: r.program_code, referredOn }, requestId: ctx.requestId });
      return r;
    }),
  );
}

export const REFERRAL_NEXT = ['ACCEPTED', 'ENROLLED', 'DECLINED'] as const;

export async function updateReferral(ctx: LifecycleContext, input: { referralId: string; status: string; on: string; declineReason: string | null }) {
  assertCaseloadReader(ctx.principal, 'updateReferral');
  const id = parseId(input.referralId, 'input.referralId', 'a referral id');
  const on = parseIsoDate(input.on, 'input.on', { notInFuture: true });
  const reason = input.declineReason?.trim() || null;
  if (input.status === 'DECLINED' && !reason) throw badInput('input.declineReason', 'a DECLINED referral needs the reason it was declined.');
  if (input.status !== 'DECLINED' && reason) throw badInput('input.declineReason', `only a DECLINED referral carries a reason; the status given is ${input.status}.`);
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      const before = await referralForUpdate(tx, id);
      if (!before) throw notFound('Referral', input.referralId);
      const g = await visibleGraduation(ctx, tx, before.graduation_id, 'input.referralId').catch(() => {
        throw notFound('Referral', input.referralId);
      });
      const after = await updateReferralStatus(tx, id, input.status, on, reason);
      await writeAudit(tx, ctx.principal, { action: 'UPDATE_REFERRAL', entity: 'referral', entityId: id, villageCode: g.village_code, householdIds: [g.household_id], before: { status: before.status }, after: { status: after.status, on, declineReason: reason }, requestId: ctx.requestId });
      return after;
    }),
  );
}

/**
 * Records the 6- or 12-month follow-up. `returnedToAssistance` marks the graduation RETURNED on
 * `checkedOn` (memberships reopen); a household not out of poverty but not (yet) back on assistance
 * is recorded as such, so the dashboards count it.
 */
export async function recordFollowUp(ctx: LifecycleContext, input: { graduationId: string; monthsAfter: number; checkedOn: string; stillOutOfPoverty: boolean; returnedToAssistance: boolean; note: string | null }) {
  assertCaseloadReader(ctx.principal, 'recordFollowUp');
  const graduationId = parseId(input.graduationId, 'input.graduationId', 'a graduation id');
  if (input.monthsAfter !== 6 && input.monthsAfter !== 12) throw badInput('input.monthsAfter', `follow-ups are at 6 and 12 months; got ${input.monthsAfter}.`);
  const checkedOn = parseIsoDate(input.checkedOn, 'input.checkedOn', { notInFuture: true });
  if (input.returnedToAssistance && input.stillOutOfPoverty) throw badInput('input.returnedToAssistance', 'a household back on assistance is not "still out of poverty": set stillOutOfPoverty to false.');
  const note = (input.note ?? '').trim();
  if (input.returnedToAssistance && !note) throw badInput('input.note', 'a return to assistance needs a note (why the household returned).');
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      const g = await visibleGraduation(ctx, tx, graduationId, 'input.graduationId');
      if (g.status !== 'APPROVED') throw new AppError(ErrorCode.CONFLICT, `Graduation ${graduationId} is ${g.status}: follow-ups are for APPROVED graduations.`, { argument: 'input.graduationId', status: g.status });
      if (checkedOn < g.graduated_on!) throw badInput('input.checkedOn', `must be on or after the graduation date ${g.graduated_on}; got ${checkedOn}.`);
      const f = await insertFollowUp(tx, { graduationId, monthsAfter: input.monthsAfter, checkedOn, stillOutOfPoverty: input.stillOutOfPoverty, returnedToAssistance: input.returnedToAssistance, recordedBy: ctx.principal.subject, note });
      if (input.returnedToAssistance) await markReturned(tx, graduationId, checkedOn, note);
      await writeAudit(tx, ctx.principal, { action: 'RECORD_FOLLOW_UP', entity: 'graduation_follow_up', entityId: f.id, villageCode: g.village_code, householdIds: [g.household_id], after: { graduationId, monthsAfter: input.monthsAfter, checkedOn, stillOutOfPoverty: input.stillOutOfPoverty, returnedToAssistance: input.returnedToAssistance }, requestId: ctx.requestId });
      return f;
    }),
  );
}
