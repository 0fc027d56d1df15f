import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { PROTECTED_GRID_CELL_METERS as GRID_CELL_METERS, policy } from '../../auth/policy.js';
import { badInput, notFound } from '../../errors/errors.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { METERS_PER_DEGREE } from '../../geo/spatial-sql.js';
import { buildConnection } from '../../graphql/connection.type.js';
import type { RequestContext } from '../../graphql/context.js';
import type { RawJson } from '../../graphql/raw-json.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../graphql/pagination.js';
import { toVillage, Village } from '../villages/index.js';
import { HouseholdFilter } from './household.input.js';
import { countHouseholds, findHouseholds, householdFeatureCollection, householdGrid, householdIdByIdentifier, householdPageJson } from './household.queries.js';
import { planHouseholdPage } from './household.page.js';
import { rtlhVerdict, toHousehold, toHouseholdCriteria, toMember, toPasTag } from './household.service.js';
import { GridCell, Household, HouseholdConnection, HouseholdIdentity, Member, PasTag, RtlhVerdict } from './household.type.js';
import { parseId } from '../../graphql/input.js';

/** Largest household FeatureCollection in one response. */
export const MAX_HOUSEHOLD_FEATURES = 10_000;

const SCOPE_DOC = 'Limit to one village (Kemendagri code), a bounding box [minLongitude, minLatitude, maxLongitude, maxLatitude] (WGS84) and/or a GeoJSON Polygon/MultiPolygon (WGS84, [longitude, latitude]); they combine with AND.';
const ACCESS_DOC = 'Only households the caller may read: ADMIN all, PLANNER its regions, PENDAMPING its villages, PARTNER the households receiving an item it funds; VIEWER is refused (use householdGrid).';

@Resolver(() => Household)
export class HouseholdResolver {
  @Query(() => Household, { description: `One household by id. NOT_FOUND when it does not exist or is outside the caller's access. ${ACCESS_DOC}` })
  async household(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Household> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'household');
    const numeric = parseId(id, 'id', 'a household id');
    const row = await ctx.loaders.householdById.load(numeric);
    if (!row) throw notFound('Household', id);
    ctx.personalReads.note('household', [row.id]);
    return toHousehold(row);
  }

  @Query(() => Household, {
    nullable: true,
    description:
      'The household whose head has exactly this NIK, or with exactly this family card number (No. KK); null when none is within your access. PLANNER and ADMIN only. Answers only the exact match: no other identifier is revealed.',
  })
  async householdByIdentifier(
    @Arg('nik', () => String, { nullable: true, description: 'NIK of the household head, 16 digits.' }) nik: string | null,
    @Arg('familyCardNumber', () => String, { nullable: true, description: 'Family card number (No. KK), 16 digits.' }) familyCardNumber: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Household | null> {
    policy.assertCanSearchByIdentifier(ctx.principal);
    if ((nik == null) === (familyCardNumber == null)) throw badInput('nik', 'give exactly one of nik or familyCardNumber.');
    const [argument, value] = nik != null ? ['nik', nik] : ['familyCardNumber', familyCardNumber ?? ''];
    if (!/^\d{16}$/.test(value)) throw badInput(argument, 'must be exactly 16 digits.');
    const id = await householdIdByIdentifier(ctx.db, ctx.principal, nik != null ? { nik } : { familyCardNumber: value });
    if (id === null) return null;
    const row = await ctx.loaders.householdById.load(id);
    if (!row) return null;
    ctx.personalReads.note('householdByIdentifier', [row.id]);
    return toHousehold(row);
  }

  @Query(() => HouseholdConnection, {
    description: `Households on the map, ordered by id, one page at a time (\`first\` default 50, at most 1000; opaque base64url cursors). ${SCOPE_DOC} ${ACCESS_DOC}`,
  })
  async households(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('bboxWgs84', () => [Number], { nullable: true }) bboxWgs84: number[] | null,
    @Arg('within', () => GeoJSONScalar, { nullable: true }) within: unknown,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<HouseholdConnection> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'households');
    const criteria = await toHouseholdCriteria(ctx.db, ctx.principal, { villageCode, bboxWgs84, within }, filter);
    const size = pageSize(first);
    const cursor = decodeCursor(after, 'after', ['integer']);
    const afterId = cursor ? Number(cursor[0]) : null;
    // Plain selections: the nodes as one JSON text from PostgreSQL (household.page.ts).
    const plan = planHouseholdPage(info);
    if (plan) {
      const json = await householdPageJson(ctx.db, criteria, afterId, size, plan.keys, plan.withTotal);
      const ids = json.ids.slice(0, size);
      ctx.personalReads.note('households', ids);
      ctx.splices.add(plan.nodesPath, json.nodes);
      const last = ids[ids.length - 1];
      return Object.assign(new HouseholdConnection(), {
        edges: [],
        nodes: [],
        pageInfo: { hasNextPage: json.ids.length > size, endCursor: last === undefined ? null : encodeCursor([last]) },
        countTotal: () => Promise.resolve(json.total ?? 0),
      });
    }
    const page = toPage(await findHouseholds(ctx.db, criteria, afterId, size + 1), size);
    for (const row of page.nodes) ctx.loaders.householdById.prime(row.id, row);
    ctx.personalReads.note('households', page.nodes.map((row) => row.id));
    return buildConnection(HouseholdConnection, page, toHousehold, (row) => [row.id], () => countHouseholds(ctx.db, criteria));
  }

  @Query(() => GeoJSONScalar, {
    description: `Households as one RFC 7946 GeoJSON FeatureCollection (WGS84, [longitude, latitude]) for QGIS or a web map. Feature id = household id; properties: id, villageCode, desil, livelihood, pas, isRtlh, rtlhReasons, memberCount, hasElderly, hasChild, hasDisabled, isMustahik (no names or identifiers). Ordered by id; \`first\` default and maximum 10,000. ${SCOPE_DOC} ${ACCESS_DOC}`,
  })
  async householdsFeatureCollection(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('bboxWgs84', () => [Number], { nullable: true }) bboxWgs84: number[] | null,
    @Arg('within', () => GeoJSONScalar, { nullable: true }) within: unknown,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter: HouseholdFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<RawJson> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'householdsFeatureCollection');
    const criteria = await toHouseholdCriteria(ctx.db, ctx.principal, { villageCode, bboxWgs84, within }, filter);
    const limit = first == null ? MAX_HOUSEHOLD_FEATURES : pageSize(first, 'first', MAX_HOUSEHOLD_FEATURES);
    const { pieces, ids } = await householdFeatureCollection(ctx.db, criteria, limit);
    ctx.personalReads.note('householdsFeatureCollection', ids);
    // Up to 10,000 features (3.8 MB): written to the response in pieces, never joined (raw-json.ts).
    return ctx.splices.deferred(pieces);
  }

  @Query(() => [GridCell], {
    description:
      'Household counts on a square grid, for dashboards and for roles that see households only in aggregate (every role may call it). VIEWER aggregates all households, PARTNER its villages, other roles their row scope. Cells are whole grid cells (a bbox is widened to cell edges, so moving it cannot cut a cell). For VIEWER and PARTNER the cell size is fixed at 250 m and counts are protected: 1 to k − 1 suppressed, larger counts rounded to a multiple of k (K_ANONYMITY, default 5); cells with fewer than k households are always suppressed.',
  })
  async householdGrid(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('bboxWgs84', () => [Number], { nullable: true }) bboxWgs84: number[] | null,
    @Arg('cellSizeMeters', () => Int, { defaultValue: GRID_CELL_METERS, description: 'Cell edge in metres (50–5000; fixed at 250 for VIEWER and PARTNER), converted at 111,320 m per degree: cells are square in degrees, near-square in Indonesia (within 11° of the equator).' })
    cellSizeMeters: number,
    @Ctx() ctx: RequestContext,
  ): Promise<GridCell[]> {
    if (!villageCode && !bboxWgs84) throw badInput('villageCode', 'give villageCode or bboxWgs84: a national grid is too large for one response.');
    if (!Number.isInteger(cellSizeMeters) || cellSizeMeters < 50 || cellSizeMeters > 5000) throw badInput('cellSizeMeters', `must be an integer from 50 to 5000; got ${cellSizeMeters}.`);
    const protectedCounts = policy.suppressesSmallCounts(ctx.principal);
    // Differently sized or shifted grids could be differenced to isolate one house.
    if (protectedCounts && cellSizeMeters !== GRID_CELL_METERS) throw badInput('cellSizeMeters', `is fixed at ${GRID_CELL_METERS} for the ${ctx.principal.role} role.`);
    const cellDegrees = cellSizeMeters / METERS_PER_DEGREE;
    const { bboxWgs84: cells, ...criteria } = await toHouseholdCriteria(ctx.db, ctx.principal, { villageCode, bboxWgs84 }, null);
    // Protection (suppression below k, rounding for aggregate-only roles) is the grid source's, in SQL.
    const rows = await householdGrid(ctx.db, criteria, cellDegrees, ctx.kAnonymity, cells);
    return rows.map((row) =>
      Object.assign(new GridCell(), {
        cell: row.cell,
        households: row.households,
        householdsDesil1To2: row.desil_1_to_2,
        rtlhHouseholds: row.rtlh,
        suppressed: row.suppressed,
      }),
    );
  }

  @FieldResolver(() => HouseholdIdentity, { description: 'Who the household is: head name, address, masked NIK and KK. Personal data: reading it is audited.' })
  async identity(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<HouseholdIdentity> {
    const row = await ctx.loaders.identityByHousehold.load(Number(household.id));
    if (!row) throw new Error(`identity of household ${household.id} is missing`);
    return Object.assign(new HouseholdIdentity(), {
      headName: row.head_name,
      address: row.address,
      headNikMasked: policy.maskIdentifier(ctx.principal, row.head_nik),
      familyCardNumberMasked: policy.maskIdentifier(ctx.principal, row.family_card_number),
    });
  }

  @FieldResolver(() => Village, { description: 'The village the household lives in.' })
  async village(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Village> {
    const row = await ctx.loaders.villageByCode.load(household.villageCode);
    if (!row) throw new Error(`village ${household.villageCode} of household ${household.id} is missing`);
    return toVillage(row);
  }

  @FieldResolver(() => [Member], { description: 'Members of the household, head first.' })
  async members(@Root() household: Household, @Ctx() ctx: RequestContext): Promise<Member[]> {
    return (await ctx.loaders.membersByHousehold.load(Number(household.id))).map((row) => toMember(row, ctx.principal));
  }

  @FieldResolver(() => [PasTag], { description: 'Every PAS tag of the household and its members, with source and date (sensitive PAS only for roles that may see them).' })
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
  @FieldResolver(() => [PasTag], { description: 'PAS tags of this member (sensitive PAS only for roles that may see them).' })
  async pasTags(@Root() member: Member, @Ctx() ctx: RequestContext): Promise<PasTag[]> {
    return (await ctx.loaders.tagsByHousehold.load(member.householdId)).filter((t) => t.member_id === member.id).map(toPasTag);
  }
}
