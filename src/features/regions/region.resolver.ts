import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { pageSize } from '../../graphql/pagination.js';
import { parseRegionCode } from './region.codes.js';
import { nameKey } from './name-key.js';
import { searchRegions } from './region.queries.js';
import { Region, RegionLevel } from './region.type.js';

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => Region, { description: 'One region by its Kemendagri code. NOT_FOUND when the code does not exist.' })
  async region(@Arg('code', () => String, { description: 'Dotted Kemendagri code, e.g. "33.74" or "33.74.02.1008".' }) code: string, @Ctx() ctx: RequestContext): Promise<Region> {
    const row = await ctx.loaders.regionByCode.load(parseRegionCode(code, 'code'));
    if (!row) throw notFound('Region', code);
    return Region.fromRow(row);
  }

  @Query(() => [Region], {
    description:
      'Finds regions by name, case- and accent-insensitively and ignoring spaces and punctuation ("tanjung mas", "Tanjungmas" and "TANJUNG MAS" match the same village). Exact matches first, then prefixes, then other matches, each by code. Without `search`, lists the regions of a level under `withinCode`.',
  })
  async regions(
    @Arg('search', () => String, { nullable: true, description: 'Part of the name.' }) search: string | null,
    @Arg('level', () => RegionLevel, { nullable: true }) level: RegionLevel | null,
    @Arg('withinCode', () => String, { nullable: true, description: 'Only regions below this code, e.g. "33.74" for Kota Semarang.' }) withinCode: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default 50, at most 1000).' }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Region[]> {
    const rows = await searchRegions(ctx.db, {
      nameKey: search ? nameKey(search) : undefined,
      level: level ?? undefined,
      withinCode: withinCode ? parseRegionCode(withinCode, 'withinCode') : undefined,
      limit: pageSize(first),
    });
    return rows.map(Region.fromRow);
  }

  @FieldResolver(() => Region, { nullable: true, description: 'The region one level up; null for a province.' })
  async parent(@Root() region: Region, @Ctx() ctx: RequestContext): Promise<Region | null> {
    if (!region.parentCode) return null;
    const row = await ctx.loaders.regionByCode.load(region.parentCode);
    return row ? Region.fromRow(row) : null;
  }

  @FieldResolver(() => [Region], { description: 'The regions one level down, by code (e.g. the villages of a district).' })
  async children(@Root() region: Region, @Ctx() ctx: RequestContext): Promise<Region[]> {
    return (await ctx.loaders.childrenByParent.load(region.code)).map(Region.fromRow);
  }
}
