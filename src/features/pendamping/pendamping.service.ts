/** Pendamping and their caseloads: planners (in their regions) and admins assign KPM. */
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.js';
import { forbidden } from '../../auth/policy.js';
import { badInput } from '../../errors/errors.js';
import { parseId, parseIsoDate } from '../../graphql/input.js';
import { factsOf, type LifecycleContext, withConflicts } from '../graduation/index.js';
import { pendampingBySubject, upsertAssignments, upsertPendamping } from './pendamping.queries.js';

export async function savePendamping(ctx: LifecycleContext, input: { subject: string; name: string; organisation: string | null; targetPerYear: number | null }) {
  if (ctx.principal.role !== 'ADMIN' && ctx.principal.role !== 'PLANNER') throw forbidden(`Registering a pendamping needs the PLANNER or ADMIN role; you are ${ctx.principal.role}.`);
  const subject = input.subject.trim();
  if (!subject || subject.length > 200) throw badInput('input.subject', 'must be the token subject of the pendamping (1–200 characters).');
  if (!input.name.trim()) throw badInput('input.name', 'must not be empty.');
  if (input.targetPerYear !== null && (!Number.isInteger(input.targetPerYear) || input.targetPerYear < 1 || input.targetPerYear > 1000)) throw badInput('input.targetPerYear', `must be 1–1000 graduations a year, or null for the default; got ${input.targetPerYear}.`);
  return ctx.db.transaction(async (tx) => {
    await upsertPendamping(tx, { subject, name: input.name.trim(), organisation: input.organisation, targetPerYear: input.targetPerYear });
    await writeAudit(tx, ctx.principal, { action: 'SAVE_PENDAMPING', entity: 'pendamping', entityId: subject, after: { name: input.name, organisation: input.organisation, targetPerYear: input.targetPerYear }, requestId: ctx.requestId });
    return subject;
  });
}

/** Assigns households to a pendamping (moving them from another one). All must be in the caller's regions. */
export async function assignHouseholds(ctx: LifecycleContext, input: { pendampingSubject: string; householdIds: string[]; assignedOn: string }) {
  if (ctx.principal.role !== 'ADMIN' && ctx.principal.role !== 'PLANNER') throw forbidden(`Assigning KPM to a pendamping needs the PLANNER or ADMIN role; you are ${ctx.principal.role}.`);
  if (input.householdIds.length === 0 || input.householdIds.length > 1000) throw badInput('householdIds', `give 1–1000 household ids; got ${input.householdIds.length}.`);
  const ids = [...new Set(input.householdIds.map((v, i) => parseId(v, `householdIds[${i}]`, 'a household id')))];
  const assignedOn = parseIsoDate(input.assignedOn, 'assignedOn', { notInFuture: true });
  return withConflicts(() =>
    ctx.db.transaction(async (tx) => {
      if (!(await pendampingBySubject(tx, input.pendampingSubject))) throw badInput('pendampingSubject', `no pendamping ${JSON.stringify(input.pendampingSubject)}; register them with savePendamping first.`);
      const visible = await factsOf(tx, ctx.principal, sql`h.id = ANY(${sql.param(ids)}::int[])`);
      const missing = ids.filter((id) => !visible.some((v) => v.id === id));
      if (missing.length) throw badInput('householdIds', `households ${missing.join(', ')} do not exist or are outside your regions.`);
      const changed = await upsertAssignments(tx, input.pendampingSubject, ids, assignedOn);
      await writeAudit(tx, ctx.principal, { action: 'ASSIGN_CASELOAD', entity: 'pendamping', entityId: input.pendampingSubject, householdIds: ids, before: changed.filter((c) => c.previous).map((c) => ({ householdId: c.household_id, pendamping: c.previous })), after: { assignedOn, households: ids.length }, requestId: ctx.requestId });
      return ids.length;
    }),
  );
}
