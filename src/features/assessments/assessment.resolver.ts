import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { badInput, invalidGeometry, notFound } from '../../errors/errors.js';
import { parsePointWgs84 } from '../../geo/geojson-input.js';
import { pointInVillage } from '../packages/package.queries.js';
import { type DamageRule, damageClassOf } from './damage-class.js';
import type { RequestContext } from '../../graphql/context.js';
import { Household } from '../households/household.type.js';
import { activeDamageRule, applyToHousehold, type AssessmentRow, insertAssessment, memberIdsOf, type NewAssessment } from './assessment.queries.js';
import { Assessment, AssessmentInput } from './assessment.type.js';
import { assertCleanText, parseId, parseIsoDate } from '../../graphql/input.js';

/** Shaped for the caller: PAS the caller may not see are dropped, and free-text notes (which may
 * describe them) go only to roles that see sensitive PAS. */
const toAssessment = (row: AssessmentRow, principal: Principal): Assessment =>
  Object.assign(new Assessment(), {
    id: String(row.id),
    householdId: String(row.household_id),
    assessor: row.assessor,
    assessorOrganisation: row.assessor_organisation,
    assessedOn: row.assessed_on,
    componentConditions: Object.entries(row.component_conditions).map(([component, condition]) => ({ component, condition })),
    floorAreaM2: row.floor_area_m2,
    occupants: row.occupants,
    pasConfirmed: policy.visiblePas(principal, row.pas_confirmed),
    pasAdded: policy.visiblePas(principal, row.pas_added),
    pasRemoved: row.pas_removed
      .filter((r) => policy.visiblePas(principal, [r.pas]).length === 1)
      .map((r) => ({ pas: r.pas, memberId: r.memberId, reason: policy.seesSensitivePas(principal) ? r.reason : null })),
    damageClass: row.damage_class,
    damageRuleCode: row.damage_rule_code,
    // Where the house is: as personal as the household's own location.
    location: policy.canReadHouseholdRecords(principal) && principal.role !== 'PARTNER' ? row.location : null,
    notes: policy.seesSensitivePas(principal) ? row.notes : null,
    createdAt: row.created_at,
  });

/** GPS error tolerated outside the village boundary, metres (phone GPS is good to ~5–30 m; boundaries are coarser). */
const GPS_TOLERANCE_METERS = 50;

@Resolver(() => Household)
export class AssessmentResolver {
  @Mutation(() => Assessment, {
    description:
      'Record an integrated assessment (asesmen terpadu) of a household. In one transaction: the assessment is kept as history, the house condition, livelihood, members and PAS tags are updated, the RTLH verdict and village statistics are re-derived, and an audit record is written. PENDAMPING: assigned villages; PLANNER: its regions; ADMIN.',
  })
  async recordAssessment(@Arg('input', () => AssessmentInput) input: AssessmentInput, @Ctx() ctx: RequestContext): Promise<Assessment> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'recordAssessment');
    const id = parseId(input.householdId, 'input.householdId', 'a household id');
    const household = await ctx.loaders.householdById.load(id);
    if (!household) throw notFound('Household', input.householdId);
    policy.assertCanAssess(ctx.principal, household.village_code);
    const assessedOn = parseIsoDate(input.assessedOn, 'input.assessedOn', { notInFuture: true });
    // At least 1 m²: the column is float4 (real), where tiny values underflow, and no dwelling is smaller.
    if (!(input.floorAreaM2 >= 1 && input.floorAreaM2 < 10_000)) throw badInput('input.floorAreaM2', `must be a floor area in m², from 1 to below 10,000; got ${input.floorAreaM2}.`);
    if (!Number.isInteger(input.occupants) || input.occupants < 1 || input.occupants > 100) throw badInput('input.occupants', `must be 1–100 people; got ${input.occupants}.`);
    const components: Record<string, string> = {};
    input.componentConditions.forEach((c, i) => {
      if (components[c.component]) throw badInput(`input.componentConditions[${i}].component`, `${c.component} is rated twice.`);
      components[c.component] = c.condition;
    });
    assertCleanText(input.notes, 'input.notes', 2000);
    if (input.memberSituations.length > 100) throw badInput('input.memberSituations', `takes at most 100 members; got ${input.memberSituations.length}.`);
    input.memberSituations.forEach((m, i) => {
      if (m.note != null) assertCleanText(m.note, `input.memberSituations[${i}].note`, 1000);
    });
    const pasRemoved = input.pasRemoved.map((r, i) => {
      const reason = r.reason.trim();
      if (!reason || reason.length > 500) throw badInput(`input.pasRemoved[${i}].reason`, `must say why the tag no longer holds (1–500 characters); got ${reason.length}.`);
      if (!household.pas.includes(r.pas as never)) {
        throw badInput(`input.pasRemoved[${i}].pas`, `household ${id} does not carry ${r.pas}; it carries ${household.pas.join(', ') || 'no PAS'}.`);
      }
      if (input.pasAdded.some((a) => a.pas === r.pas && (a.memberId ?? null) === (r.memberId ?? null))) throw badInput(`input.pasRemoved[${i}].pas`, `${r.pas} is both added and removed.`);
      return { pas: r.pas, memberId: r.memberId ?? null, reason };
    });
    let locationWgs84: [number, number] | null = null;
    if (input.locationWgs84) {
      if (input.locationWgs84.length !== 2) throw badInput('input.locationWgs84', `must be [longitude, latitude]; got ${input.locationWgs84.length} numbers.`);
      locationWgs84 = parsePointWgs84(input.locationWgs84[0]!, input.locationWgs84[1]!, 'input.locationWgs84').coordinates as [number, number];
      const where = await pointInVillage(ctx.db, household.village_code, locationWgs84);
      if (where.has_boundary && !where.inside && (where.distance_m ?? 0) > GPS_TOLERANCE_METERS) {
        throw invalidGeometry('input.locationWgs84', `the point [${locationWgs84.join(', ')}] lies ${Math.round(where.distance_m ?? 0)} m outside village ${household.village_code}, where the household lives (tolerance ${GPS_TOLERANCE_METERS} m). Check the axis order: [longitude, latitude].`, {
          distanceOutsideMeters: Math.round(where.distance_m ?? 0),
        });
      }
    }
    const damageRule = await activeDamageRule(ctx.db);
    const damage = damageRule ? damageClassOf(damageRule.rule as DamageRule, components) : null;
    return ctx.db.transaction(async (tx) => {
      const memberIds = new Set(await memberIdsOf(tx, id));
      input.memberSituations.forEach((m, i) => {
        if (!memberIds.has(m.memberId)) throw badInput(`input.memberSituations[${i}].memberId`, `member ${m.memberId} does not belong to household ${id}.`);
      });
      input.pasAdded.forEach((p, i) => {
        if (p.memberId != null && !memberIds.has(p.memberId)) throw badInput(`input.pasAdded[${i}].memberId`, `member ${p.memberId} does not belong to household ${id}.`);
      });
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
      const row = await insertAssessment(tx, assessment);
      await applyToHousehold(tx, assessment);
      await writeAudit(tx, ctx.principal, {
        action: 'RECORD_ASSESSMENT',
        entity: 'household',
        entityId: id,
        villageCode: household.village_code,
        before: { floorAreaM2: household.floor_area_m2, occupants: household.occupants, isRtlh: household.is_rtlh, pas: household.pas, damageClass: household.damage_class },
        after: { assessmentId: row.id, damageShare: damage?.share ?? null, ...assessment, memberSituations: assessment.memberSituations.map((m) => ({ ...m, note: m.note ? '(note)' : null })) },
        householdIds: [id],
        requestId: ctx.requestId,
      });
      ctx.loaders.householdById.clear(id);
      return toAssessment(row, ctx.principal);
    });
  }

  @FieldResolver(() => [Assessment], { description: 'Assessments of this household, newest first (history is kept).' })
  async assessments(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Assessment[]> {
    return (await ctx.loaders.assessmentsByHousehold.load(Number(household.id))).map((row) => toAssessment(row, ctx.principal));
  }
}
