import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Float, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { badInput, notFound } from '../../errors/errors.js';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { buildConnection } from '../../graphql/connection.type.js';
import type { RequestContext } from '../../graphql/context.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../graphql/pagination.js';
import { parseRegionCode, Region, RegionLevel } from '../regions/index.js';
import { VillageFilter } from './village.input.js';
import { countVillages, findVillages, villageFeatureCollection, villagePageJson, type VillageRow, villageVisible } from './village.queries.js';
import { planVillagePage } from './village.page.js';
import { normaliseWeights, toCriteria, toVillage, visibleNeedStatistics, visiblePriority } from './village.service.js';
import { PriorityScore, PriorityWeightsInput, Village, VillageConnection, VillageNeedStatistics, VillageOrder } from './village.type.js';

/** Largest FeatureCollection of villages in one response. */
export const MAX_VILLAGE_FEATURES = 2000;

/** Ground size of one 256-px web-map pixel at the equator for a zoom level, metres. */
function toleranceForZoom(zoom: number): number {
  return 156_543.033_92 / 2 ** zoom;
}

function simplifyTolerance(toleranceMeters: number | null | undefined, zoom: number | null | undefined): number {
  if (toleranceMeters != null && zoom != null) {
    throw badInput('simplifyToleranceMeters', 'give either simplifyToleranceMeters or zoom, not both.');
  }
  if (zoom != null) {
    if (!Number.isInteger(zoom) || zoom < 0 || zoom > 22) throw badInput('zoom', `must be a web-map zoom level from 0 to 22; got ${zoom}.`);
    return toleranceForZoom(zoom);
  }
  if (toleranceMeters != null) {
    if (!(toleranceMeters >= 0 && toleranceMeters <= 10_000)) {
      throw badInput('simplifyToleranceMeters', `must be from 0 to 10,000 metres; got ${toleranceMeters}.`);
    }
    return toleranceMeters;
  }
  return 0;
}

@Resolver(() => Village)
export class VillageResolver {
  @Query(() => Village, { description: 'One village by its Kemendagri code (PP.KK.CC.DDDD). NOT_FOUND when it does not exist.' })
  async village(@Arg('code', () => String) code: string, @Ctx() ctx: RequestContext): Promise<Village> {
    const row = await ctx.loaders.villageByCode.load(parseRegionCode(code, 'code', RegionLevel.VILLAGE));
    if (!row) throw notFound('Village', code);
    if (ctx.principal.role === 'PARTNER' && !(await villageVisible(ctx.db, ctx.principal, row.code))) throw notFound('Village', code);
    return toVillage(row);
  }

  @Query(() => VillageConnection, {
    description: `Villages matching a filter, one page at a time (cursor pagination; \`first\` default 50, at most 1000). Cursors are opaque base64url strings.`,
  })
  async villages(
    @Arg('filter', () => VillageFilter, { nullable: true }) filter: VillageFilter | null,
    @Arg('orderBy', () => VillageOrder, { defaultValue: VillageOrder.CODE }) orderBy: VillageOrder,
    @Arg('priorityWeights', () => PriorityWeightsInput, { nullable: true, description: 'Weights of the priority score used by orderBy: PRIORITY.' })
    priorityWeights: PriorityWeightsInput | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<VillageConnection> {
    const criteria = await toCriteria(ctx.db, ctx.principal, filter, ctx.kAnonymity);
    const weights = normaliseWeights(priorityWeights);
    const size = pageSize(first);
    const shape = orderBy === 'PRIORITY' ? (['number', 'string'] as const) : orderBy === 'NAME' ? (['string', 'string'] as const) : (['string'] as const);
    const afterKey = decodeCursor(after, 'after', shape);
    // Plain selections: the nodes as one JSON text from PostgreSQL (village.page.ts).
    const plan = planVillagePage(info);
    if (plan) {
      // `priority` without arguments uses the default weights, whatever the order's weights.
      const json = await villagePageJson(ctx.db, { criteria, order: orderBy, weights, after: afterKey, limit: size }, ctx.principal, plan.keys, plan.withTotal, normaliseWeights(null));
      ctx.splices.add(plan.nodesPath, json.nodes);
      return Object.assign(new VillageConnection(), {
        edges: [],
        nodes: [],
        pageInfo: { hasNextPage: json.hasNextPage, endCursor: json.last === null ? null : encodeCursor(json.last) },
        countTotal: () => Promise.resolve(json.total ?? 0),
      });
    }
    const rows = await findVillages(ctx.db, { criteria, order: orderBy, weights, after: afterKey, limit: size + 1 });
    const page = toPage(rows, size);
    for (const row of page.nodes) ctx.loaders.villageByCode.prime(row.code, row);
    const sortKeyOf = (row: VillageRow) =>
      orderBy === 'PRIORITY' ? [row.priority_score, row.code] : orderBy === 'NAME' ? [row.name_key, row.code] : [row.code];
    return buildConnection(VillageConnection, page, toVillage, sortKeyOf, () => countVillages(ctx.db, criteria));
  }

  @Query(() => GeoJSONScalar, {
    description:
      'Villages with a known boundary as one RFC 7946 GeoJSON FeatureCollection (WGS84, [longitude, latitude]) that QGIS or a web map loads directly. Feature id = village code; properties: code, name, kind, districtCode, regencyCode, areaKm2, isCoastal, households, householdsDesil1To2, rtlhHouseholds, fisherShare, priorityScore (default weights). Ordered by code; at most 2000 features.',
  })
  async villagesFeatureCollection(
    @Arg('filter', () => VillageFilter, { nullable: true }) filter: VillageFilter | null,
    @Arg('simplifyToleranceMeters', () => Float, { nullable: true, description: 'Simplify boundaries with this tolerance, metres.' }) toleranceMeters: number | null,
    @Arg('zoom', () => Int, { nullable: true, description: 'Or simplify for this web-map zoom level (one pixel of tolerance).' }) zoom: number | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many features (default 2000, at most 2000).' }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    const criteria = await toCriteria(ctx.db, ctx.principal, filter, ctx.kAnonymity);
    return villageFeatureCollection(ctx.db, {
      criteria,
      order: 'CODE',
      weights: normaliseWeights(null),
      after: null,
      limit: first == null ? MAX_VILLAGE_FEATURES : pageSize(first, 'first', MAX_VILLAGE_FEATURES),
      simplifyToleranceMeters: simplifyTolerance(toleranceMeters, zoom),
      principal: ctx.principal,
      kAnonymity: ctx.kAnonymity,
    });
  }

  @FieldResolver(() => GeoJSONScalar, {
    nullable: true,
    description: 'Boundary as a GeoJSON MultiPolygon, WGS84 [longitude, latitude]; null when unknown. Optionally simplified (topology of each polygon preserved).',
  })
  async boundary(
    @Root() village: Village,
    @Arg('simplifyToleranceMeters', () => Float, { nullable: true, description: 'Simplification tolerance, metres (converted at 111,320 m per degree).' }) toleranceMeters: number | null,
    @Arg('zoom', () => Int, { nullable: true, description: 'Simplify for this web-map zoom level instead (tolerance = one 256-px pixel at the equator).' }) zoom: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<string | null> {
    if (!village.hasBoundary) return null;
    return ctx.loaders.boundaryByCodeAndTolerance.load(`${village.code}|${simplifyTolerance(toleranceMeters, zoom)}`);
  }

  @FieldResolver(() => VillageNeedStatistics, {
    description:
      'Need statistics; all zero when no household is mapped. Exact where you may read the village’s households (ADMIN; PLANNER in its regions; PENDAMPING in its villages); elsewhere counts from 1 to k − 1 are null and larger counts are rounded to a multiple of k, and counts of sensitive PAS you may not see are null.',
  })
  needStatistics(@Root() village: Village, @Ctx() ctx: RequestContext): VillageNeedStatistics {
    return visibleNeedStatistics(village.needStatistics, ctx.principal, ctx.kAnonymity, village.code);
  }

  @FieldResolver(() => PriorityScore, {
    nullable: true,
    description: 'Priority score with its components; see PriorityScore for the formula. Where your aggregates are protected it is computed from the protected counts, and null when the household count is suppressed.',
  })
  priority(
    @Root() village: Village,
    @Arg('weights', () => PriorityWeightsInput, { nullable: true }) weights: PriorityWeightsInput | null,
    @Ctx() ctx: RequestContext,
  ): PriorityScore | null {
    return visiblePriority(village, normaliseWeights(weights, 'weights'), ctx.principal, ctx.kAnonymity);
  }

  @FieldResolver(() => Region, { description: 'The district (kecamatan).' })
  async district(@Root() village: Village, @Ctx() ctx: RequestContext): Promise<Region> {
    return this.region(village.districtCode, ctx);
  }

  @FieldResolver(() => Region, { description: 'The regency or city (kabupaten/kota).' })
  async regency(@Root() village: Village, @Ctx() ctx: RequestContext): Promise<Region> {
    return this.region(village.regencyCode, ctx);
  }

  @FieldResolver(() => Region, { description: 'The province.' })
  async province(@Root() village: Village, @Ctx() ctx: RequestContext): Promise<Region> {
    return this.region(village.provinceCode, ctx);
  }

  private async region(code: string, ctx: RequestContext): Promise<Region> {
    const row = await ctx.loaders.regionByCode.load(code);
    if (!row) throw new Error(`region ${code} missing: the regions table is incomplete`);
    return Region.fromRow(row);
  }
}
