import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { assertCaseloadReader } from '../graduation/index.js';
import { listSocialPrograms } from './program.queries.js';
import { ProgramMembership, SocialProgram, toMembership } from './program.type.js';

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
