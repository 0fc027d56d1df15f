/**
 * `viewer`: the caller's role and capabilities, computed by the same policy functions that guard
 * each path, so a client (the web app) does not keep its own copy of the role rules.
 */
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { PAS_CODES } from '../households/index.js';
import type { RequestContext } from '../../graphql/context.js';
import { progressNeedsLocation, progressScopeOf } from '../execution/index.js';
import { assertCaseloadReader, canGroupTargetsBy, TargetGrouping } from '../graduation/index.js';
import { parseRegionCode, RegionLevel } from '../regions/index.js';
import { VillageCapabilities, Viewer } from './viewer.type.js';

/** True when an assert* rule of the policy lets the call through. */
function allows(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

export function viewerOf(principal: Principal): Viewer {
  return Object.assign(new Viewer(), {
    subject: principal.subject,
    role: principal.role,
    organisation: principal.organisation,
    readsHouseholdRecords: policy.canReadHouseholdRecords(principal),
    visiblePas: policy.visiblePas(principal, PAS_CODES),
    readsCaseloadRecords: allows(() => assertCaseloadReader(principal, 'viewer')),
    graduationTargetGroupings: (Object.keys(TargetGrouping) as TargetGrouping[]).filter((g) => canGroupTargetsBy(principal, g)),
    protectedAggregates: policy.suppressesSmallCounts(principal),
  });
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who you are and what the API allows you (no database read).' })
  viewer(@Ctx() ctx: RequestContext): Viewer {
    return viewerOf(ctx.principal);
  }

  @FieldResolver(() => VillageCapabilities, {
    description: 'What you may do in one village. The code is checked for shape only: a village outside your scope gets all false. One database read, for a PENDAMPING only (their assignment to the village).',
  })
  async villageCapabilities(@Root() _viewer: Viewer, @Arg('villageCode', () => String) villageCode: string, @Ctx() ctx: RequestContext): Promise<VillageCapabilities> {
    const code = parseRegionCode(villageCode, 'villageCode', RegionLevel.VILLAGE);
    const p = ctx.principal;
    const canReadPackages = policy.canReadPackagesOf(p, code);
    // The guard of recordItemProgress asks the same function; outside the packages you may read there is nothing to record on.
    const progress = canReadPackages ? await progressScopeOf(ctx.db, p, code) : null;
    return Object.assign(new VillageCapabilities(), {
      villageCode: code,
      canPlan: allows(() => policy.assertCanPlan(p, code)),
      canAssess: allows(() => policy.assertCanAssess(p, code)),
      canReadPackages,
      canRecordProgress: progress !== null,
      progressFunderCode: progress?.funderCode ?? null,
      progressNeedsLocation: progressNeedsLocation(p),
      canReadAudit: allows(() => policy.assertCanReadAudit(p, code)),
      exactAggregates: policy.exactAggregates(p, code),
    });
  }
}
