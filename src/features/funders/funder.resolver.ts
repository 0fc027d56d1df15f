import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import { notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { Funder, toFunder } from '../catalog/index.js';
import { allFunds, type FundRow, listFunderKinds, verificationsByHousehold, type VerificationRow } from './funder.queries.js';
import * as service from './funder.service.js';
import { Fund, FundInput, FunderInput, FunderKindInfo, MustahikVerification } from './funder.type.js';

const toFund = (r: FundRow): Fund =>
  Object.assign(new Fund(), { code: r.code, funderCode: r.funder_code, name: r.name, requiresMustahik: r.requires_mustahik, isDefault: r.is_default, legalBasis: r.legal_basis, description: r.description });

const toVerification = (r: VerificationRow): MustahikVerification =>
  Object.assign(new MustahikVerification(), {
    id: String(r.id),
    householdId: String(r.household_id),
    funderCode: r.funder_code,
    isMustahik: r.is_mustahik,
    basis: r.basis,
    verifiedBy: r.verified_by,
    verifiedOn: r.verified_on,
    createdAt: r.created_at,
  });

@Resolver(() => Funder)
export class FunderResolver {
  @Query(() => [FunderKindInfo], { description: 'Kinds of funder (data: ministry, zakat agency, regional government, foundation, NGO, company CSR, other).' })
  async funderKinds(@Ctx() ctx: RequestContext): Promise<FunderKindInfo[]> {
    return (await listFunderKinds(ctx.db)).map((k) => Object.assign(new FunderKindInfo(), k));
  }

  @Query(() => [Fund], { description: 'Funds of every funder, with their rules (BAZNAS zakat: mustahik only; infak/sedekah: not restricted).' })
  async funds(@Ctx() ctx: RequestContext): Promise<Fund[]> {
    return (await allFunds(ctx.db)).map(toFund);
  }

  @Mutation(() => Funder, { description: 'Register a funder with its kind and funds (ADMIN), optionally allowing it to pay for catalog interventions. CONFLICT when the code is taken. Audited.' })
  async createFunder(@Arg('input', () => FunderInput) input: FunderInput, @Ctx() ctx: RequestContext): Promise<Funder> {
    return toFunder(await service.createFunder(ctx, input));
  }

  @Mutation(() => Fund, { description: 'Add a fund to a funder (ADMIN), e.g. a second BAZNAS fund. Audited.' })
  async createFund(@Arg('funderCode', () => String) funderCode: string, @Arg('input', () => FundInput) input: FundInput, @Ctx() ctx: RequestContext): Promise<Fund> {
    return toFund(await service.createFund(ctx, funderCode, input));
  }

  @Mutation(() => MustahikVerification, {
    description:
      "Record a funder's own verification of a household's mustahik status (ADMIN, or a PARTNER of that funder for its villages): who (the caller), when (verifiedOn) and on what basis. The newest verification sets the household's mustahik status, which zakat funds require. Audited.",
  })
  async recordMustahikVerification(
    @Arg('householdId', () => ID) householdIdArg: string,
    @Arg('funderCode', () => String) funderCode: string,
    @Arg('isMustahik', () => Boolean) isMustahik: boolean,
    @Arg('basis', () => String, { description: 'Asnaf or reason, e.g. "MISKIN: income below the had kifayah".' }) basisArg: string,
    @Arg('verifiedOn', () => String, { description: 'YYYY-MM-DD, not in the future.' }) verifiedOnArg: string,
    @Ctx() ctx: RequestContext,
  ): Promise<MustahikVerification> {
    return toVerification(await service.recordMustahikVerification(ctx, householdIdArg, funderCode, isMustahik, basisArg, verifiedOnArg));
  }

  @Query(() => [MustahikVerification], { description: 'Mustahik verifications of a household, newest first (roles that may read the household; a PARTNER sees its own funder’s).' })
  async mustahikVerifications(@Arg('householdId', () => ID) householdIdArg: string, @Ctx() ctx: RequestContext): Promise<MustahikVerification[]> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'mustahikVerifications');
    const householdId = parseId(householdIdArg, 'householdId', 'a household id');
    if (!(await ctx.loaders.householdById.load(householdId))) throw notFound('Household', householdIdArg);
    ctx.personalReads.note('mustahikVerifications', [householdId]);
    return (await verificationsByHousehold(ctx.db, householdId, ctx.principal.role === 'PARTNER' ? ctx.principal.funder : null)).map(toVerification);
  }
}

@Resolver(() => Funder)
export class FunderFieldResolver {
  @FieldResolver(() => [Fund], { description: 'The funder’s funds, default first.' })
  async funds(@Root() funder: Funder, @Ctx() ctx: RequestContext): Promise<Fund[]> {
    return (await ctx.loaders.fundsByFunder.load(funder.code)).map(toFund);
  }
}
