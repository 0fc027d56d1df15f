/**
 * Recording an integrated assessment. Split in two so that another use case (the post-works
 * verification, execution.service.ts) records it inside its own transaction through the same
 * code path: `prepareAssessment` checks the input and the caller's rights (reads only), and
 * `writeAssessment` inserts it, applies it to the household (RTLH verdict re-derived by trigger,
 * village statistics refreshed) and audits it, on the transaction it is given.
 */
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import type { Queryable } from '../../db/database.js';
import { badInput, invalidGeometry, notFound } from '../../errors/errors.js';
import { parsePointWgs84 } from '../../geo/geojson-input.js';
import type { RequestContext } from '../../graphql/context.js';
import { assertCleanText, parseId, parseIsoDate } from '../../graphql/input.js';
import { pointInVillage } from '../packages/index.js';
import { activeDamageRule, applyToHousehold, type AssessmentRow, insertAssessment, memberIdsOf, type NewAssessment } from './assessment.queries.js';
import type { AssessmentInput } from './assessment.type.js';
import { type DamageRule, damageClassOf } from './damage-class.js';

/** GPS error tolerated outside the village boundary, metres (phone GPS is good to ~5–30 m; boundaries are coarser). */
const GPS_TOLERANCE_METERS = 50;

export interface PreparedAssessment {
  /** The GraphQL argument the input came in (`input` for recordAssessment), named in errors. */
  arg: string;
  input: AssessmentInput;
  household: { village_code: string; floor_area_m2: unknown; occupants: unknown; is_rtlh: unknown; pas: readonly string[]; damage_class: unknown };
  assessment: NewAssessment;
  damageShare: number | null;
}

/** Checks the input and the caller's right to assess the household; writes nothing. */
export async function prepareAssessment(ctx: RequestContext, input: AssessmentInput, arg: string, operation: string): Promise<PreparedAssessment> {
  policy.assertCanReadHouseholdRecords(ctx.principal, operation);
  const id = parseId(input.householdId, `${arg}.householdId`, 'a household id');
  const household = await ctx.loaders.householdById.load(id);
  if (!household) throw notFound('Household', input.householdId);
  policy.assertCanAssess(ctx.principal, household.village_code);
  const assessedOn = parseIsoDate(input.assessedOn, `${arg}.assessedOn`, { notInFuture: true });
  // At least 1 m²: the column is float4 (real), where tiny values underflow, and no dwelling is smaller.
  if (!(input.floorAreaM2 >= 1 && input.floorAreaM2 < 10_000)) throw badInput(`${arg}.floorAreaM2`, `must be a floor area in m², from 1 to below 10,000; got ${input.floorAreaM2}.`);
  if (!Number.isInteger(input.occupants) || input.occupants < 1 || input.occupants > 100) throw badInput(`${arg}.occupants`, `must be 1–100 people; got ${input.occupants}.`);
  const components: Record<string, string> = {};
  input.componentConditions.forEach((c, i) => {
    if (components[c.component]) throw badInput(`${arg}.componentConditions[${i}].component`, `${c.component} is rated twice.`);
    components[c.component] = c.condition;
  });
  assertCleanText(input.notes, `${arg}.notes`, 2000);
  if (input.memberSituations.length > 100) throw badInput(`${arg}.memberSituations`, `takes at most 100 members; got ${input.memberSituations.length}.`);
  input.memberSituations.forEach((m, i) => {
    if (m.note != null) assertCleanText(m.note, `${arg}.memberSituations[${i}].note`, 1000);
  });
  const pasRemoved = input.pasRemoved.map((r, i) => {
    const reason = r.reason.trim();
    if (!reason || reason.length > 500) throw badInput(`${arg}.pasRemoved[${i}].reason`, `must say why the tag no longer holds (1–500 characters); got ${reason.length}.`);
    if (!household.pas.includes(r.pas as never)) {
      throw badInput(`${arg}.pasRemoved[${i}].pas`, `household ${id} does not carry ${r.pas}; it carries ${household.pas.join(', ') || 'no PAS'}.`);
    }
    if (input.pasAdded.some((a) => a.pas === r.pas && (a.memberId ?? null) === (r.memberId ?? null))) throw badInput(`${arg}.pasRemoved[${i}].pas`, `${r.pas} is both added and removed.`);
    return { pas: r.pas, memberId: r.memberId ?? null, reason };
  });
  let locationWgs84: [number, number] | null = null;
  if (input.locationWgs84) {
    if (input.locationWgs84.length !== 2) throw badInput(`${arg}.locationWgs84`, `must be [longitude, latitude]; got ${input.locationWgs84.length} numbers.`);
    locationWgs84 = parsePointWgs84(input.locationWgs84[0]!, input.locationWgs84[1]!, `${arg}.locationWgs84`).coordinates as [number, number];
    const where = await pointInVillage(ctx.db, household.village_code, locationWgs84);
    if (where.has_boundary && !where.inside && (where.distance_m ?? 0) > GPS_TOLERANCE_METERS) {
      throw invalidGeometry(`${arg}.locationWgs84`, `the point [${locationWgs84.join(', ')}] lies ${Math.round(where.distance_m ?? 0)} m outside village ${household.village_code}, where the household lives (tolerance ${GPS_TOLERANCE_METERS} m). Check the axis order: [longitude, latitude].`, {
        distanceOutsideMeters: Math.round(where.distance_m ?? 0),
      });
    }
  }
  const damageRule = await activeDamageRule(ctx.db);
  const damage = damageRule ? damageClassOf(damageRule.rule as DamageRule, components) : null;
  const assessment: NewAssessment = {
    householdId: id,
    assessor: ctx.principal.subject,
    organisation: ctx.principal.organisation,
    assessedOn,
    componentConditions: components,
    floorAreaM2: input.floorAreaM2,
    occupants: input.occupants,
    floorMaterial: input.floorMaterial,
    wallMaterial: input.wallMaterial,
    roofMaterial: input.roofMaterial,
    hasOwnToilet: input.hasOwnToilet,
    hasElectricity: input.hasElectricity,
    waterSource: input.waterSource,
    landOwnership: input.landOwnership,
    livelihood: input.livelihood,
    hasSmallBusiness: input.hasSmallBusiness,
    memberSituations: input.memberSituations,
    pasConfirmed: input.pasConfirmed,
    pasAdded: input.pasAdded,
    pasRemoved,
    damageClass: damage?.damageClass ?? null,
    damageRuleCode: damage ? damageRule!.code : null,
    locationWgs84,
    notes: input.notes,
  };
  return { arg, input, household, assessment, damageShare: damage?.share ?? null };
}

/**
 * Records a prepared assessment on the caller's transaction `tx`: member checks, the assessment row,
 * the household update (RTLH verdict by trigger, village statistics refreshed) and the audit record.
 * A throw anywhere rolls back the caller's whole transaction.
 */
export async function writeAssessment(tx: Queryable, ctx: RequestContext, prepared: PreparedAssessment): Promise<AssessmentRow> {
  const { arg, input, household, assessment } = prepared;
  const id = assessment.householdId;
  const memberIds = new Set(await memberIdsOf(tx, id));
  input.memberSituations.forEach((m, i) => {
    if (!memberIds.has(m.memberId)) throw badInput(`${arg}.memberSituations[${i}].memberId`, `member ${m.memberId} does not belong to household ${id}.`);
  });
  input.pasAdded.forEach((p, i) => {
    if (p.memberId != null && !memberIds.has(p.memberId)) throw badInput(`${arg}.pasAdded[${i}].memberId`, `member ${p.memberId} does not belong to household ${id}.`);
  });
  const row = await insertAssessment(tx, assessment);
  await applyToHousehold(tx, assessment);
  await writeAudit(tx, ctx.principal, {
    action: 'RECORD_ASSESSMENT',
    entity: 'household',
    entityId: id,
    villageCode: household.village_code,
    before: { floorAreaM2: household.floor_area_m2, occupants: household.occupants, isRtlh: household.is_rtlh, pas: household.pas, damageClass: household.damage_class },
    after: { assessmentId: row.id, damageShare: prepared.damageShare, ...assessment, memberSituations: assessment.memberSituations.map((m) => ({ ...m, note: m.note ? '(note)' : null })) },
    householdIds: [id],
    requestId: ctx.requestId,
  });
  ctx.loaders.householdById.clear(id);
  return row;
}

/** recordAssessment: the assessment on its own, in one transaction. */
export async function recordAssessment(ctx: RequestContext, input: AssessmentInput): Promise<AssessmentRow> {
  const prepared = await prepareAssessment(ctx, input, 'input', 'recordAssessment');
  return ctx.db.transaction((tx) => writeAssessment(tx, ctx, prepared));
}
