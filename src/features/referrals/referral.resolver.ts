import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context.js';
import { listReceivingPrograms } from './referral.queries.js';
import { recordFollowUp, refer, updateReferral } from './referral.service.js';
import { FollowUp, FollowUpInput, ReceivingProgram, Referral, ReferralInput, ReferralUpdateInput, toFollowUp, toReferral } from './referral.type.js';

@Resolver()
export class ReferralResolver {
  @Query(() => [ReceivingProgram], { description: 'Receiving programs of other ministries and agencies for terminasi (data).' })
  async receivingPrograms(@Ctx() ctx: RequestContext): Promise<ReceivingProgram[]> {
    return (await listReceivingPrograms(ctx.db)).map((p) => Object.assign(new ReceivingProgram(), { code: p.code, name: p.name, agency: p.agency, kind: p.kind, source: p.source, description: p.description }));
  }

  @Mutation(() => Referral, { description: 'Refer an APPROVED graduation in your caseload to a receiving program (status REFERRED). One referral per program per graduation. Audited.' })
  async referHousehold(@Arg('input', () => ReferralInput) input: ReferralInput, @Ctx() ctx: RequestContext): Promise<Referral> {
    return toReferral(await refer(ctx, { graduationId: input.graduationId, programCode: input.programCode, referredOn: input.referredOn }));
  }

  @Mutation(() => Referral, { description: 'Move a referral on (ACCEPTED → ENROLLED, or DECLINED with a reason); other changes are refused with CONFLICT. Audited.' })
  async updateReferral(@Arg('input', () => ReferralUpdateInput) input: ReferralUpdateInput, @Ctx() ctx: RequestContext): Promise<Referral> {
    return toReferral(await updateReferral(ctx, { referralId: input.referralId, status: input.status, on: input.on, declineReason: input.declineReason ?? null }));
  }

  @Mutation(() => FollowUp, { description: 'Record the 6- or 12-month follow-up of an APPROVED graduation; returnedToAssistance marks it RETURNED and reopens its memberships. Audited.' })
  async recordFollowUp(@Arg('input', () => FollowUpInput) input: FollowUpInput, @Ctx() ctx: RequestContext): Promise<FollowUp> {
    return toFollowUp(await recordFollowUp(ctx, { ...input, note: input.note ?? null }));
  }
}
