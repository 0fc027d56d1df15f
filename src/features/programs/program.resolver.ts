import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { assertCaseloadReader } from '../graduation/graduation.service.js';
import { listSocialPrograms, type MembershipRow } from './program.queries.js';
import { ProgramMembership, SocialProgram } from './program.type.js';

export const toMembership = (m: MembershipRow): ProgramMembership =>
  Object.assign(new ProgramMembership(), {
    id: String(m.id),
    householdId: String(m.household_id),
    programCode: m.program_code,
    since: m.since,
    registrySnapshot: m.registry_snapshot,
    endedOn: m.ended_on,
    endReason: m.end_reason,
    graduationId: m.graduation_id === null ? null : String(m.graduation_id),
  });

@Resolver()
export class ProgramResolver {
  @Query(() => [SocialProgram], { description: 'The social-assistance programs (data).' })
  async socialPrograms(@Ctx() ctx: RequestContext): Promise<SocialProgram[]> {
    return (await listSocialPrograms(ctx.db)).map((p) => Object.assign(new SocialProgram(), { code: p.code, name: p.name, provider: p.provider, maxDesil: p.max_desil, source: p.source, description: p.description }));
  }

  @Query(() => [ProgramMembership], { description: "A household's program memberships, open and ended (history), oldest first. Empty outside your caseload scope; PARTNER and VIEWER are refused." })
  async programMemberships(@Arg('householdId', () => ID) householdId: string, @Ctx() ctx: RequestContext): Promise<ProgramMembership[]> {
    assertCaseloadReader(ctx.principal, 'programMemberships');
    const id = parseId(householdId, 'householdId', 'a household id');
    const rows = await ctx.loaders.membershipsByHousehold.load(id);
    if (rows.length) ctx.personalReads.note('programMemberships', [id]);
    return rows.map(toMembership);
  }
}
