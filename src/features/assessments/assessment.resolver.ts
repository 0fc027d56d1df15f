import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { RequestContext } from '../../graphql/context.js';
import { Household } from '../households/index.js';
import type { AssessmentRow } from './assessment.queries.js';
import { recordAssessment as recordAssessmentInTransaction } from './assessment.service.js';
import { Assessment, AssessmentInput } from './assessment.type.js';

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

@Resolver(() => Household)
export class AssessmentResolver {
  @Mutation(() => Assessment, {
    description:
      'Record an integrated assessment (asesmen terpadu) of a household. In one transaction: the assessment is kept as history, the house condition, livelihood, members and PAS tags are updated, the RTLH verdict and village statistics are re-derived, and an audit record is written. PENDAMPING: assigned villages; PLANNER: its regions; ADMIN.',
  })
  async recordAssessment(@Arg('input', () => AssessmentInput) input: AssessmentInput, @Ctx() ctx: RequestContext): Promise<Assessment> {
    return toAssessment(await recordAssessmentInTransaction(ctx, input), ctx.principal);
  }

  @FieldResolver(() => [Assessment], { description: 'Assessments of this household, newest first (history is kept).' })
  async assessments(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Assessment[]> {
    return (await ctx.loaders.assessmentsByHousehold.load(Number(household.id))).map((row) => toAssessment(row, ctx.principal));
  }
}
