/**
 * Existing facilities in GraphQL: a Village field (batched per request) and a FeatureCollection
 * for GIS clients. Access: the same village scope as the village itself (policy.villageScope —
 * PARTNER sees its villages only; every other role every village). No household rule applies: a
 * facility's site is public infrastructure, not where a family lives, so VIEWER sees exact sites
 * as it sees village boundaries.
 */
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../errors/errors.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseRegionCode, RegionLevel } from '../regions/index.js';
import { Village, villageVisible } from '../villages/index.js';
import { type ExistingFacilityRow, toFeatureCollection } from './facility.queries.js';
import { ExistingFacility } from './facility.type.js';

const toFacility = (r: ExistingFacilityRow): ExistingFacility =>
  Object.assign(new ExistingFacility(), { id: String(r.id), villageCode: r.village_code, kind: r.kind, name: r.name, lonLat: [r.lon, r.lat], accessible: r.accessible, serves: r.serves, source: r.source });

@Resolver(() => Village)
export class VillageFacilitiesResolver {
  @FieldResolver(() => [ExistingFacility], { description: 'Public facilities that already exist in the village (by id). The village itself was already checked against your scope.' })
  async existingFacilities(@Root() village: Village, @Ctx() ctx: RequestContext): Promise<ExistingFacility[]> {
    return (await ctx.loaders.existingFacilitiesByVillage.load(village.code)).map(toFacility);
  }

  @Query(() => GeoJSONScalar, {
    description:
      'Existing public facilities of one village as an RFC 7946 FeatureCollection (WGS84, [longitude, latitude]); feature id = facility id; properties: id, villageCode, kind, name, accessible, serves, source. NOT_FOUND for a village that does not exist or is outside your scope.',
  })
  async existingFacilitiesFeatureCollection(@Arg('villageCode', () => String) villageCode: string, @Ctx() ctx: RequestContext): Promise<Record<string, unknown>> {
    const code = parseRegionCode(villageCode, 'villageCode', RegionLevel.VILLAGE);
    const village = await ctx.loaders.villageByCode.load(code);
    // The village query's own rule: only PARTNER has a village scope narrower than every village.
    if (!village || (ctx.principal.role === 'PARTNER' && !(await villageVisible(ctx.db, ctx.principal, code)))) throw notFound('Village', villageCode);
    return toFeatureCollection(await ctx.loaders.existingFacilitiesByVillage.load(code)) as unknown as Record<string, unknown>;
  }
}
