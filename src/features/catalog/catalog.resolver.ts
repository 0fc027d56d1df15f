import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import { notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { InterventionCategory } from './catalog.enums.js';
import { createCatalogIntervention, updateCatalogIntervention } from './catalog.mutations.js';
import { listFunders, listInterventions } from './catalog.queries.js';
import { eligibilityOf, toEligibility, toFunder, toIntervention } from './catalog.service.js';
import { Eligibility, Funder, Intervention, InterventionInput, InterventionPatch } from './catalog.type.js';

@Resolver()
export class CatalogResolver {
  @Query(() => [Funder], { description: 'Funders: Kemensos, BAZNAS and others.' })
  async funders(@Ctx() ctx: RequestContext): Promise<Funder[]> {
    return (await listFunders(ctx.db)).map(toFunder);
  }

  @Query(() => [Intervention], { description: 'The intervention catalog, ordered by category and code (package-specific items are not part of it). funderCode: interventions that funder may pay for.' })
  async interventions(
    @Arg('category', () => InterventionCategory, { nullable: true }) category: string | null,
    @Arg('funderCode', () => String, { nullable: true }) funderCode: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Intervention[]> {
    return (await listInterventions(ctx.db, { category, funderCode })).map(toIntervention);
  }

  @Query(() => [Eligibility], {
    description: 'For every active HOUSEHOLD and PERSON intervention in the catalog: is this household (or which member) eligible, and why — each rule part with what was measured. Funder rules (BAZNAS: mustahik only) included.',
  })
  async eligibility(@Arg('householdId', () => ID) householdId: string, @Ctx() ctx: RequestContext): Promise<Eligibility[]> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'eligibility');
    const id = parseId(householdId, 'householdId', 'a household id');
    const household = await ctx.loaders.householdById.load(id);
    if (!household) throw notFound('Household', householdId);
    const [members, interventions, funders] = await Promise.all([ctx.loaders.membersByHousehold.load(id), listInterventions(ctx.db, { activeOnly: true }), listFunders(ctx.db)]);
    const funderOf = new Map(funders.map((f) => [f.code, f]));
    ctx.personalReads.note('eligibility', [id]);
    return interventions.filter((i) => i.target !== 'FACILITY').map((i) => toEligibility(eligibilityOf(i, funderOf.get(i.funder_code)!, household, members)));
  }

  @Mutation(() => Intervention, { description: 'Add an intervention to the catalog (ADMIN). Audited.' })
  async createIntervention(@Arg('input', () => InterventionInput) input: InterventionInput, @Ctx() ctx: RequestContext): Promise<Intervention> {
    return toIntervention(await createCatalogIntervention(ctx, input));
  }

  @Mutation(() => Intervention, { description: 'Change a catalog intervention (ADMIN): cost, rule, active flag. `version` must be the version you read (CONFLICT otherwise). Audited with before and after.' })
  async updateIntervention(
    @Arg('code', () => String) code: string,
    @Arg('version', () => Int) version: number,
    @Arg('patch', () => InterventionPatch) patch: InterventionPatch,
    @Ctx() ctx: RequestContext,
  ): Promise<Intervention> {
    return toIntervention(await updateCatalogIntervention(ctx, code, version, patch));
  }
}
