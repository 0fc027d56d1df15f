import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import { notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { packageById } from '../packages/index.js';
import { ProgramMembership, toMembership } from '../programs/index.js';
import { FollowUp, Referral, toFollowUp, toReferral } from '../referrals/index.js';
import { listCriteria, type GraduationRow } from './graduation.queries.js';
import { decide, graduationById, graduations, type HouseholdReadiness, packageEffect, PATHWAYS, proposeGraduation, readinessList, readinessOf, recordObservation, setCriterion, targets } from './graduation.service.js';
import {
  Graduation,
  GraduationContribution,
  GraduationCriterion,
  GraduationCriterionInput,
  GraduationProposalInput,
  GraduationReadiness,
  GraduationStatus,
  GraduationTargets,
  PackageGraduationEffect,
  ReadinessList,
  TargetGrouping,
  WelfareObservationInput,
} from './graduation.type.js';

const toReadiness = (r: HouseholdReadiness): GraduationReadiness =>
  Object.assign(new GraduationReadiness(), {
    householdId: String(r.householdId),
    villageCode: r.villageCode,
    pendampingSubject: r.pendampingSubject,
    ready: r.ready,
    score: r.score,
    programs: r.facts.programs,
    incomePerCapitaIdr: r.facts.incomePerCapitaIdr,
    observedOn: r.observedOn,
    criteria: r.criteria,
  });

const iso = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

export const toGraduation = (g: GraduationRow): Graduation =>
  Object.assign(new Graduation(), {
    id: String(g.id),
    householdId: String(g.household_id),
    villageCode: g.village_code,
    pendampingSubject: g.pendamping_subject,
    pathway: g.pathway,
    status: g.status,
    proposedBy: g.proposed_by,
    proposedAt: iso(g.proposed_at),
    evidence: g.evidence,
    decidedBy: g.decided_by,
    decidedAt: iso(g.decided_at),
    decisionNote: g.decision_note,
    graduatedOn: g.graduated_on,
    returnedOn: g.returned_on,
    returnReason: g.return_reason,
  });

@Resolver(() => Graduation)
export class GraduationResolver {
  @Query(() => [GraduationCriterion], { description: 'The active graduation criteria (rules as data), required first; retired ones too with includeInactive.' })
  async graduationCriteria(
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive: boolean,
    @Ctx() ctx: RequestContext,
  ): Promise<GraduationCriterion[]> {
    return (await listCriteria(ctx.db, includeInactive)).map((c) => Object.assign(new GraduationCriterion(), c));
  }

  @Mutation(() => GraduationCriterion, { description: 'Add a graduation criterion or replace one by code (ADMIN); retire it with isActive: false (criteria are never deleted). The rule is validated before anything is written. Audited with before and after.' })
  async setGraduationCriterion(@Arg('input', () => GraduationCriterionInput) input: GraduationCriterionInput, @Ctx() ctx: RequestContext): Promise<GraduationCriterion> {
    return Object.assign(new GraduationCriterion(), await setCriterion(ctx, input));
  }

  @Query(() => GraduationReadiness, { description: 'Graduation criteria evaluated for one household in your caseload, with what was measured. NOT_FOUND outside it; PARTNER and VIEWER see aggregates only.' })
  async graduationReadiness(@Arg('householdId', () => ID) householdId: string, @Ctx() ctx: RequestContext): Promise<GraduationReadiness> {
    const r = await readinessOf(ctx, householdId);
    ctx.personalReads.note('graduationReadiness', [r.householdId]);
    return toReadiness(r);
  }

  @Query(() => ReadinessList, { description: 'Readiness list per pendamping or per village: KPM with an open membership and no open graduation, ready first, then by score (at most `limit`, default 100).' })
  async graduationReadinessList(
    @Arg('pendampingSubject', () => String, { nullable: true }) pendampingSubject: string | null,
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('readyOnly', () => Boolean, { defaultValue: false }) readyOnly: boolean,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit: number,
    @Ctx() ctx: RequestContext,
  ): Promise<ReadinessList> {
    const list = await readinessList(ctx, { pendampingSubject: pendampingSubject ?? null, villageCode: villageCode ?? null, readyOnly, limit });
    ctx.personalReads.note('graduationReadinessList', list.households.map((h) => h.householdId));
    return Object.assign(new ReadinessList(), { total: list.total, ready: list.ready, households: list.households.map(toReadiness) });
  }

  @Query(() => [Graduation], { description: 'Graduations in your caseload scope (newest first, at most 500), by household, village, status or pendamping.' })
  async graduations(
    @Arg('householdId', () => ID, { nullable: true }) householdId: string | null,
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('status', () => GraduationStatus, { nullable: true }) status: string | null,
    @Arg('pendampingSubject', () => String, { nullable: true }) pendampingSubject: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Graduation[]> {
    const rows = await graduations(ctx, { householdId: householdId ?? null, villageCode: villageCode ?? null, status: status ?? null, pendampingSubject: pendampingSubject ?? null });
    ctx.personalReads.note('graduations', [...new Set(rows.map((r) => r.household_id))]);
    return rows.map(toGraduation);
  }

  @Query(() => Graduation, { description: 'One graduation; NOT_FOUND outside your caseload scope.' })
  async graduation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Graduation> {
    const row = await graduationById(ctx, id);
    ctx.personalReads.note('graduation', [row.household_id]);
    return toGraduation(row);
  }

  @Query(() => GraduationTargets, {
    description: 'The target, measured: graduations in the year against the target (default 10 per pendamping per year), open proposals, referrals by status, returns — per pendamping, village, regency, province or nationally, within your scope. PARTNER and VIEWER get protected counts and no per-pendamping rows. Per village (the values of the OGC collection and tile layer village_graduation), every village you may see, with protected counts where your aggregates about it are not exact (a PLANNER outside its regions, a PENDAMPING outside its villages).',
  })
  async graduationTargets(
    @Arg('groupBy', () => TargetGrouping) groupBy: TargetGrouping,
    @Arg('regionCode', () => String, { nullable: true, description: 'Only households under this Kemendagri code.' }) regionCode: string | null,
    @Arg('year', () => Int, { nullable: true, description: 'Default: the current year.' }) year: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<GraduationTargets> {
    return Object.assign(new GraduationTargets(), await targets(ctx, { groupBy, regionCode: regionCode ?? null, year: year ?? null }));
  }

  @Query(() => PackageGraduationEffect, { description: "A package's effect on graduation: approved graduations its items contributed to, per intervention. Protected counts for aggregate-only roles." })
  async packageGraduationEffect(@Arg('packageId', () => ID) packageId: string, @Ctx() ctx: RequestContext): Promise<PackageGraduationEffect> {
    const id = parseId(packageId, 'packageId', 'a package id');
    const pkg = await packageById(ctx.db, ctx.principal, id);
    if (!pkg || !policy.canReadPackagesOf(ctx.principal, pkg.village_code)) throw notFound('Package', packageId);
    return Object.assign(new PackageGraduationEffect(), { packageId: String(id), ...(await packageEffect(ctx, id)) });
  }

  @Mutation(() => GraduationReadiness, { description: 'Record a welfare observation (income, business) for a household in your caseload; returns its readiness now. Audited.' })
  async recordWelfareObservation(@Arg('input', () => WelfareObservationInput) input: WelfareObservationInput, @Ctx() ctx: RequestContext): Promise<GraduationReadiness> {
    return toReadiness(await recordObservation(ctx, { householdId: input.householdId, observedOn: input.observedOn, monthlyIncomeIdr: input.monthlyIncomeIdr, businessSince: input.businessSince ?? null, note: input.note ?? null }));
  }

  @Mutation(() => Graduation, { description: `Propose a graduation for a household in your caseload (PENDAMPING, PLANNER, ADMIN). The criteria results are stored as evidence. Pathways: ${PATHWAYS.join(', ')}. One open graduation per household (CONFLICT otherwise). Audited.` })
  async proposeGraduation(@Arg('input', () => GraduationProposalInput) input: GraduationProposalInput, @Ctx() ctx: RequestContext): Promise<Graduation> {
    return toGraduation(await proposeGraduation(ctx, { householdId: input.householdId, pathway: input.pathway, evidenceNote: input.evidenceNote ?? null, contributingItemIds: input.contributingItemIds ?? null }));
  }

  @Mutation(() => Graduation, { description: "Approve or reject a proposed graduation (PLANNER of the region, or ADMIN; never the proposer). Approval ends the household's open program memberships as of graduatedOn (default today). Audited." })
  async decideGraduation(
    @Arg('graduationId', () => ID) graduationId: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @Arg('note', () => String) note: string,
    @Arg('graduatedOn', () => String, { nullable: true }) graduatedOn: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Graduation> {
    return toGraduation(await decide(ctx, { graduationId, approve, note, graduatedOn: graduatedOn ?? null }));
  }

  @FieldResolver(() => [Referral], { description: 'Terminasi referrals of this graduation.' })
  async referrals(@Root() g: Graduation, @Ctx() ctx: RequestContext): Promise<Referral[]> {
    return (await ctx.loaders.referralsByGraduation.load(Number(g.id))).map(toReferral);
  }

  @FieldResolver(() => [FollowUp], { description: 'Follow-ups at 6 and 12 months.' })
  async followUps(@Root() g: Graduation, @Ctx() ctx: RequestContext): Promise<FollowUp[]> {
    return (await ctx.loaders.followUpsByGraduation.load(Number(g.id))).map(toFollowUp);
  }

  @FieldResolver(() => [GraduationContribution], { description: 'Package items that contributed.' })
  async contributions(@Root() g: Graduation, @Ctx() ctx: RequestContext): Promise<GraduationContribution[]> {
    return (await ctx.loaders.contributionsByGraduation.load(Number(g.id))).map((c) =>
      Object.assign(new GraduationContribution(), { packageItemId: String(c.package_item_id), packageId: String(c.package_id), interventionCode: c.intervention_code, category: c.category, progress: c.progress }),
    );
  }

  @FieldResolver(() => [ProgramMembership], { description: "The household's program memberships (history: open and ended)." })
  async memberships(@Root() g: Graduation, @Ctx() ctx: RequestContext): Promise<ProgramMembership[]> {
    return (await ctx.loaders.membershipsByHousehold.load(Number(g.householdId))).map(toMembership);
  }
}
