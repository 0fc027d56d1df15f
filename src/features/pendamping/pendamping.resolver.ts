import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context.js';
import { assertCaseloadReader } from '../graduation/index.js';
import { parseRegionCode } from '../regions/index.js';
import { listPendamping } from './pendamping.queries.js';
import { assignHouseholds, savePendamping } from './pendamping.service.js';
import { AssignmentInput, Pendamping, PendampingInput } from './pendamping.type.js';

@Resolver()
export class PendampingResolver {
  @Query(() => [Pendamping], { description: 'Pendamping with their caseload within your scope (a pendamping sees themself), optionally those serving a village.' })
  async pendamping(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('subject', () => String, { nullable: true }) subject: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Pendamping[]> {
    assertCaseloadReader(ctx.principal, 'pendamping');
    const village = villageCode == null ? null : parseRegionCode(villageCode, 'villageCode');
    return (await listPendamping(ctx.db, ctx.principal, { villageCode: village, subject: subject ?? null })).map((p) =>
      Object.assign(new Pendamping(), { subject: p.subject, name: p.name, organisation: p.organisation, targetPerYear: p.target_per_year ?? ctx.graduationTargetPerYear, caseload: p.caseload, villageCodes: p.village_codes }),
    );
  }

  @Mutation(() => String, { description: 'Register or update a pendamping (PLANNER, ADMIN); returns the subject. Audited.' })
  async savePendamping(@Arg('input', () => PendampingInput) input: PendampingInput, @Ctx() ctx: RequestContext): Promise<string> {
    return savePendamping(ctx, { subject: input.subject, name: input.name, organisation: input.organisation ?? null, targetPerYear: input.targetPerYear ?? null });
  }

  @Mutation(() => Int, { description: 'Assign KPM in your regions to a pendamping (PLANNER, ADMIN); returns how many. Audited.' })
  async assignHouseholdsToPendamping(@Arg('input', () => AssignmentInput) input: AssignmentInput, @Ctx() ctx: RequestContext): Promise<number> {
    return assignHouseholds(ctx, input);
  }
}
