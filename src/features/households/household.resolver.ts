import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { badInput, notFound } from '../../errors/errors.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { buildConnection } from '../../graphql/connection.type.js';
import type { RequestContext } from '../../graphql/context.js';
import { decodeCursor, pageSize, toPage } from '../../graphql/pagination.js';
import { Village } from '../villages/village.type.js';
import { toVillage } from '../villages/village.service.js';
import { HouseholdFilter } from './household.input.js';
import { countHouseholds, findHouseholds, householdFeatureCollection } from './household.queries.js';
import { rtlhVerdict, toHousehold, toHouseholdCriteria, toMember, toPasTag } from './household.service.js';
import { Household, HouseholdConnection, Member, PasTag, RtlhVerdict } from './household.type.js';

/** Largest household FeatureCollection in one response. */
export const MAX_HOUSEHOLD_FEATURES = 10_000;

const SCOPE_DOC = 'Limit to one village (Kemendagri code), a bounding box [minLongitude, minLatitude, maxLongitude, maxLatitude] (WGS84) and/or a GeoJSON Polygon/MultiPolygon (WGS84, [longitude, latitude]); they combine with AND.';

@Resolver(() => Household)
export class HouseholdResolver {
  @Query(() => Household, { description: 'One household by id. NOT_FOUND when it does not exist.' })
  async household(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Household> {
    const numeric = Number(id);
    if (!Number.isInteger(numeric) || numeric < 1) throw badInput('id', `must be a household id (a positive integer); got ${JSON.stringify(id)}.`);
    const row = await ctx.loaders.householdById.load(numeric);
    if (!row) throw notFound('Household', id);
    return toHousehold(row);
  }

  @Query(() => HouseholdConnection, {
    description: `Households on the map, ordered by id, one page at a time (\`first\` default 50, at most 1000; opaque base64url cursors). ${SCOPE_DOC}`,
  })
  async households(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('bboxWgs84', () => [Number], { nullable: true }) bboxWgs84: number[] | null,
    @Arg('within', () => GeoJSONScalar, { nullable: true }) within: unknown,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<HouseholdConnection> {
    const criteria = await toHouseholdCriteria(ctx.db, { villageCode, bboxWgs84, within }, filter);
    const size = pageSize(first);
    const cursor = decodeCursor(after, 'after', ['number']);
    const page = toPage(await findHouseholds(ctx.db, criteria, cursor ? Number(cursor[0]) : null, size + 1), size);
    for (const row of page.nodes) ctx.loaders.householdById.prime(row.id, row);
    return buildConnection(HouseholdConnection, page, toHousehold, (row) => [row.id], () => countHouseholds(ctx.db, criteria));
  }

  @Query(() => GeoJSONScalar, {
    description: `Households as one RFC 7946 GeoJSON FeatureCollection (WGS84, [longitude, latitude]) for QGIS or a web map. Feature id = household id; properties: id, villageCode, desil, livelihood, pas, isRtlh, rtlhReasons, memberCount, hasElderly, hasChild, hasDisabled, isMustahik. Ordered by id; \`first\` default and maximum 10,000. ${SCOPE_DOC}`,
  })
  async householdsFeatureCollection(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('bboxWgs84', () => [Number], { nullable: true }) bboxWgs84: number[] | null,
    @Arg('within', () => GeoJSONScalar, { nullable: true }) within: unknown,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    const criteria = await toHouseholdCriteria(ctx.db, { villageCode, bboxWgs84, within }, filter);
    const limit = first == null ? MAX_HOUSEHOLD_FEATURES : pageSize(first, 'first', MAX_HOUSEHOLD_FEATURES);
    return householdFeatureCollection(ctx.db, criteria, limit);
  }

  @FieldResolver(() => Village, { description: 'The village the household lives in.' })
  async village(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Village> {
    const row = await ctx.loaders.villageByCode.load(household.villageCode);
    if (!row) throw new Error(`village ${household.villageCode} of household ${household.id} is missing`);
    return toVillage(row);
  }

  @FieldResolver(() => [Member], { description: 'Members of the household, head first.' })
  async members(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Member[]> {
    return (await ctx.loaders.membersByHousehold.load(Number(household.id))).map(toMember);
  }

  @FieldResolver(() => [PasTag], { description: 'Every PAS tag of the household and its members, with source and date.' })
  async pasTags(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<PasTag[]> {
    return (await ctx.loaders.tagsByHousehold.load(Number(household.id))).map(toPasTag);
  }

  @FieldResolver(() => RtlhVerdict, { description: 'RTLH verdict under the active rule, with the criteria that failed.' })
  async rtlh(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<RtlhVerdict> {
    return rtlhVerdict(household, await ctx.loaders.activeRtlhRule.load('active'));
  }
}

@Resolver(() => Member)
export class MemberResolver {
  @FieldResolver(() => [PasTag], { description: 'PAS tags of this member.' })
  async pasTags(@Root() member: Member, @Ctx() ctx: RequestContext): Promise<PasTag[]> {
    return (await ctx.loaders.tagsByHousehold.load(member.householdId)).filter((t) => t.member_id === member.id).map(toPasTag);
  }
}
