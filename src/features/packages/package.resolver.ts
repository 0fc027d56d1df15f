import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { policy, protectCount } from '../../auth/policy.js';
import { badInput, notFound } from '../../errors/errors.js';
import { GraphQLSafeInt } from 'graphql-scalars';
import { GeoJSONScalar } from '../../geo/geojson.scalar.js';
import { parseRadiusMeters } from '../../geo/geojson-input.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId } from '../../graphql/input.js';
import { Household, toHousehold } from '../households/index.js';
import { auditOfPackage, AuditRecord, toAuditRecord } from '../audit/index.js';
import { packageCsv } from './package.export.js';
import { type BudgetRow, itemFeatureCollection, type ItemRow } from './package-item.source.js';
import { PackageConnection } from './package.connection.js';
import { buildConnection } from '../../graphql/connection.type.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSize, toPage } from '../../graphql/pagination.js';
import {
  countPackages,
  listPackages,
  packageById,
  packageCoverage,
  type PackageRow,
  unservedFeatureCollection,
} from './package.queries.js';
import { addItem, addPackageSpecificItem, createPackage, duplicatePackage, proposePackage, removeItem, setBudget, setInstalments, setProgress, transition } from './package.service.js';
import {
  BudgetInput,
  Coverage,
  FunderBudget,
  FundingShare,
  Instalment,
  InstalmentInput,
  ItemProgress,
  PackageSpecificItemInput,
  ProposalDecision,
  Package,
  PackageItem,
  PackageItemInput,
  PackageStatus,
  ProposeOptions,
} from './package.type.js';

const toPackage = (row: PackageRow): Package =>
  Object.assign(new Package(), {
    id: String(row.id),
    villageCode: row.village_code,
    name: row.name,
    status: row.status,
    version: row.version,
    templateOf: row.template_of === null ? null : String(row.template_of),
    proposalDecisions: (row.proposal_decisions ?? []).map((d) => Object.assign(new ProposalDecision(), { decision: d.decision, interventionCode: d.interventionCode ?? null, serves: d.serves ?? null, reason: d.reason })),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

const toBudget = (b: BudgetRow): FunderBudget =>
  Object.assign(new FunderBudget(), { funderCode: b.funder_code, budgetIdr: b.budget_idr, allocatedIdr: b.allocated_idr, remainingIdr: b.allocated_idr === null ? null : b.budget_idr - b.allocated_idr, overBudgetReason: b.over_budget_reason });

const toItem = (i: ItemRow): PackageItem =>
  Object.assign(new PackageItem(), {
    id: String(i.id),
    interventionCode: i.intervention_code,
    name: i.name_id,
    packageSpecific: i.specific_to !== null,
    amountNote: i.amount_note,
    category: i.category,
    funderCode: i.funder_code,
    rawHouseholdId: i.household_id,
    memberId: i.member_id,
    location: i.location,
    serves: i.serves,
    quantity: i.quantity,
    unitCostIdr: i.unit_cost_idr,
    costIdr: i.cost_idr,
    eligibilityOverrideReason: i.eligibility_override_reason,
    origin: i.origin,
    progress: i.progress,
    startedOn: i.started_on,
    doneOn: i.done_on,
  });

async function readable(ctx: RequestContext, id: string): Promise<PackageRow> {
  const row = await packageById(ctx.db, ctx.principal, parseId(id, 'id', 'a package id'));
  if (!row || !policy.canReadPackagesOf(ctx.principal, row.village_code)) throw notFound('Package', id);
  return row;
}

const VERSION_DOC = 'The package version you read; a stale version is refused with CONFLICT and changes nothing.';

/** The coverage radii offered where counts are protected: far apart, so no pair isolates a house. */
export const PROTECTED_COVERAGE_RADII_METERS: readonly number[] = [250, 500, 1000, 2000];

@Resolver(() => Package)
export class PackageResolver {
  @Query(() => Package, { description: 'One package. NOT_FOUND when it does not exist or is outside your access.' })
  async package(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Package> {
    return toPackage(await readable(ctx, id));
  }

  @Query(() => PackageConnection, { description: 'Packages you may read, by village and status, ordered by id; paged with `first`/`after` (sealed cursors).' })
  async packages(
    @Arg('villageCode', () => String, { nullable: true }) villageCode: string | null,
    @Arg('status', () => PackageStatus, { nullable: true }) status: string | null,
    @Arg('first', () => Int, { nullable: true, description: `Page size (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PackageConnection> {
    const size = pageSize(first);
    const afterKey = decodeCursor(after, 'after', ['integer']);
    const filter = { villageCode, status };
    // The role's scope is applied in SQL before LIMIT (policy.packageVillageScope in listPackages).
    const rows = await listPackages(ctx.db, ctx.principal, filter, { afterId: afterKey ? (afterKey[0] as number) : null, limit: size + 1 });
    return buildConnection(PackageConnection, toPage(rows, size), toPackage, (row) => [row.id], () => countPackages(ctx.db, ctx.principal, filter));
  }

  @Mutation(() => Package, { description: 'Create an empty DRAFT package for a village with a budget per funder (PLANNER for the region, or ADMIN). Audited.' })
  async createPackage(
    @Arg('villageCode', () => String) villageCode: string,
    @Arg('name', () => String) name: string,
    @Arg('budgets', () => [BudgetInput]) budgets: BudgetInput[],
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await createPackage(ctx, villageCode, name, budgets));
  }

  @Mutation(() => Package, {
    description:
      "Propose a DRAFT package for a village: covers as much need as possible within each funder's budget — poorest and most vulnerable first, fund rules respected, at most one housing intervention per household, every needed facility kind (child-friendly, elderly-friendly, accessible, sanitation) before a second of any kind, ramps only at public buildings, existing facilities counted. Its decisions and reasons are in proposalDecisions. Deterministic; see docs/propose.md. The planner then edits the draft.",
  })
  async proposePackage(
    @Arg('villageCode', () => String) villageCode: string,
    @Arg('name', () => String) name: string,
    @Arg('budgets', () => [BudgetInput]) budgets: BudgetInput[],
    @Arg('options', () => ProposeOptions, { nullable: true }) options: ProposeOptions | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage((await proposePackage(ctx, villageCode, name, budgets, options)).pkg);
  }

  @Mutation(() => Package, {
    description:
      'Use an approved package as the template for another village: its catalog interventions are re-proposed against that village’s households and its facilities re-sited there; community and package-specific facilities are carried over at the village’s interior point and FLAGGED for the planner (see proposalDecisions). Budgets are confirmed explicitly: give budgets, or scaleBudgets: true (scaled by households in need). A village without boundary or households is refused (BAD_USER_INPUT, extensions.reason VILLAGE_WITHOUT_BOUNDARY / VILLAGE_WITHOUT_HOUSEHOLDS). The new package is a DRAFT.',
  })
  async duplicatePackage(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('villageCode', () => String) villageCode: string,
    @Arg('name', () => String) name: string,
    @Arg('options', () => ProposeOptions, { nullable: true }) options: ProposeOptions | null,
    @Arg('budgets', () => [BudgetInput], { nullable: true, description: 'Budgets for the new village.' }) budgets: BudgetInput[] | null,
    @Arg('scaleBudgets', () => Boolean, { nullable: true, description: 'Scale the template’s budgets by households in need (target / template village).' }) scaleBudgets: boolean | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage((await duplicatePackage(ctx, packageId, villageCode, name, options, budgets, scaleBudgets)).pkg);
  }

  @Mutation(() => Package, { description: `Set one funder's budget. Lowering it below what is allocated needs overBudgetReason (recorded). ${VERSION_DOC}` })
  async setPackageBudget(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('budget', () => BudgetInput) budget: BudgetInput,
    @Arg('overBudgetReason', () => String, { nullable: true }) overBudgetReason: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await setBudget(ctx, packageId, version, budget, overBudgetReason));
  }

  @Mutation(() => Package, {
    description: `Add an item: a household or person intervention (must be eligible, or carry eligibilityOverrideReason; funder rules cannot be overridden), or a facility sited inside the village boundary. Over budget is an error unless overBudgetReason is given. ${VERSION_DOC}`,
  })
  async addPackageItem(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('item', () => PackageItemInput) item: PackageItemInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await addItem(ctx, packageId, version, item));
  }

  @Mutation(() => Package, {
    description: `Add a one-off facility of this package (a mosque, a culinary centre) with its category, funder(s), amount, what it serves and its site — without touching the catalog (PLANNER of the region, or ADMIN). ${VERSION_DOC}`,
  })
  async addPackageSpecificItem(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('item', () => PackageSpecificItemInput) item: PackageSpecificItemInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await addPackageSpecificItem(ctx, packageId, version, item));
  }

  @Mutation(() => Package, { description: `Replace the instalment (termin) schedule of an item; the instalments never sum to more than the item's cost. ${VERSION_DOC}` })
  async setItemInstalments(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('instalments', () => [InstalmentInput]) instalments: InstalmentInput[],
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await setInstalments(ctx, packageId, version, itemId, instalments));
  }

  @Mutation(() => Package, { description: `Remove an item. ${VERSION_DOC}` })
  async removePackageItem(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('itemId', () => ID) itemId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await removeItem(ctx, packageId, version, itemId));
  }

  @Mutation(() => Package, {
    description: `Move the package through its workflow (see PackageStatus). Approving needs items and no unexplained over-budget; completing needs every item DONE; cancelling and reopening an approved package need a reason. ${VERSION_DOC}`,
  })
  async transitionPackage(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('to', () => PackageStatus) to: PackageStatus,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await transition(ctx, packageId, version, to, reason));
  }

  @Mutation(() => Package, { description: `Record the progress of one item while the package is IN_PROGRESS; \`on\` (YYYY-MM-DD, default today) is the start or completion date. ${VERSION_DOC}` })
  async setItemProgress(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('progress', () => ItemProgress) progress: ItemProgress,
    @Arg('on', () => String, { nullable: true }) on: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Package> {
    return toPackage(await setProgress(ctx, packageId, version, itemId, progress, on));
  }

  @FieldResolver(() => [FunderBudget], { description: 'Budgets per funder with allocations.' })
  async budgets(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<FunderBudget[]> {
    return (await ctx.loaders.budgetsByPackage.load(Number(pkg.id))).map(toBudget);
  }

  @FieldResolver(() => [PackageItem], { description: 'Items you may read, ordered by id: items at households outside your access are left out (VIEWER: facilities only).' })
  async items(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<PackageItem[]> {
    return (await ctx.loaders.itemsByPackage.load(Number(pkg.id))).map(toItem);
  }

  @FieldResolver(() => GraphQLSafeInt, {
    nullable: true,
    description:
      'Sum of all item costs over all funders, integer rupiah (also of items you may not see individually). Null where your counts about the village are protected: a sum of per-household costs divided by a unit cost is an exact count (docs/privacy.md).',
  })
  async totalCostIdr(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<number | null> {
    const budgets = await ctx.loaders.budgetsByPackage.load(Number(pkg.id));
    return budgets.some((b) => b.allocated_idr === null) ? null : budgets.reduce((sum, b) => sum + b.allocated_idr!, 0);
  }

  @FieldResolver(() => Coverage, { description: 'Who the package serves and who is left out. Counts are exact where you may read the village’s households; elsewhere protected (1 to k − 1 suppressed, larger counts rounded to a multiple of k).' })
  async coverage(
    @Root() pkg: Package,
    @Arg('radiusMeters', () => Int, { defaultValue: 500, description: `Facility reach, metres (geodesic). Where your counts are protected, one of ${PROTECTED_COVERAGE_RADII_METERS.join(', ')}.` }) radiusArg: number,
    @Ctx() ctx: RequestContext,
  ): Promise<Coverage> {
    const radiusMeters = parseRadiusMeters(radiusArg, 'radiusMeters', 5000);
    const exact = policy.exactAggregates(ctx.principal, pkg.villageCode);
    // A free radius locates single houses relative to facility sites (68 m → 0, 69 m → null:
    // issue 13, class 3); protected callers get a few fixed radii, far apart.
    if (!exact && !PROTECTED_COVERAGE_RADII_METERS.includes(radiusMeters)) {
      throw badInput('radiusMeters', `must be one of ${PROTECTED_COVERAGE_RADII_METERS.join(', ')} metres where your counts are protected (other radii would locate single houses); got ${radiusMeters}.`, {
        received: radiusMeters,
        allowed: [...PROTECTED_COVERAGE_RADII_METERS],
      });
    }
    const id = Number(pkg.id);
    const [{ counts, pas, categories, access, unservedIds }, budgets] = await Promise.all([
      packageCoverage(ctx.db, ctx.principal, ctx.kAnonymity, pkg.villageCode, id, radiusMeters, policy.canReadHouseholdRecords(ctx.principal)),
      ctx.loaders.budgetsByPackage.load(id),
    ]);
    const hide = (n: number) => (exact ? n : protectCount(n, ctx.kAnonymity));
    return Object.assign(new Coverage(), {
      radiusMeters,
      householdsInNeed: hide(counts.in_need),
      householdsServed: hide(counts.served),
      byPas: pas.map((p) => ({ pas: p.pas, households: hide(p.households), covered: hide(p.covered), notCovered: hide(p.households - p.covered) })),
      // Protected in SQL by the package-item source like householdsServed (class 4): item counts protected, costs withheld.
      byCategory: categories.map((c) => ({ category: c.category, items: c.items, costIdr: c.cost_idr })),
      byFunder: budgets.map(toBudget),
      access: access.map((a) => ({ serves: a.serves, targetHouseholds: hide(a.targets), withinReachBefore: hide(a.before), withinReachAfter: hide(a.after) })),
      unservedHouseholdIds: unservedIds.map(String),
    });
  }

  @FieldResolver(() => GeoJSONScalar, { description: 'Households in need not served by any item, as an RFC 7946 FeatureCollection (only households you may read).' })
  async unservedFeatureCollection(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<string> {
    policy.assertCanReadHouseholdRecords(ctx.principal, 'unservedFeatureCollection');
    const { fc, ids } = await unservedFeatureCollection(ctx.db, ctx.principal, pkg.villageCode, Number(pkg.id));
    ctx.personalReads.note('package.unservedFeatureCollection', ids);
    return fc;
  }

  @FieldResolver(() => GeoJSONScalar, { description: 'The package as an RFC 7946 FeatureCollection: facilities at their sites, and households (those you may read) with their items.' })
  async featureCollection(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<string> {
    const { fc, ids } = await itemFeatureCollection(ctx.db, ctx.principal, Number(pkg.id));
    ctx.personalReads.note('package.featureCollection', ids);
    return fc;
  }

  @FieldResolver(() => String, { description: 'The package as CSV (RFC 4180, one row per item; household columns only for households you may read).' })
  async csv(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<string> {
    // The rows of Package.items (the package-item source): an item at a household is in them only
    // within the caller's scope, so its household id and location are the caller's to read.
    const items = await ctx.loaders.itemsByPackage.load(Number(pkg.id));
    ctx.personalReads.note('package.csv', [...new Set(items.flatMap((i) => (i.household_id ? [i.household_id] : [])))]);
    return packageCsv(items);
  }

  @FieldResolver(() => [AuditRecord], { description: 'Audit log of the package, oldest first (ADMIN, or PLANNER of the region).' })
  async audit(@Root() pkg: Package, @Ctx() ctx: RequestContext): Promise<AuditRecord[]> {
    policy.assertCanReadAudit(ctx.principal, pkg.villageCode);
    return (await auditOfPackage(ctx.db, Number(pkg.id))).map(toAuditRecord);
  }
}

@Resolver(() => PackageItem)
export class PackageItemResolver {
  @FieldResolver(() => [FundingShare], { description: 'Who pays how much: one share per funder and fund; the shares sum to costIdr.' })
  async funding(@Root() item: PackageItem, @Ctx() ctx: RequestContext): Promise<FundingShare[]> {
    return (await ctx.loaders.fundingByItem.load(Number(item.id))).map((f) => Object.assign(new FundingShare(), { funderCode: f.funder_code, fundCode: f.fund_code, amountIdr: f.amount_idr }));
  }

  @FieldResolver(() => [Instalment], { description: 'Instalments (termin), in order.' })
  async instalments(@Root() item: PackageItem, @Ctx() ctx: RequestContext): Promise<Instalment[]> {
    return (await ctx.loaders.instalmentsByItem.load(Number(item.id))).map((x) => Object.assign(new Instalment(), { seq: x.seq, amountIdr: x.amount_idr, dueOn: x.due_on, paidOn: x.paid_on, note: x.note }));
  }

  @FieldResolver(() => ID, { nullable: true, description: 'HOUSEHOLD and PERSON items: the household, when you may read it; null otherwise.' })
  async householdId(@Root() item: PackageItem, @Ctx() ctx: RequestContext): Promise<string | null> {
    if (item.rawHouseholdId === null || !policy.canReadHouseholdRecords(ctx.principal)) return null;
    return (await ctx.loaders.householdById.load(item.rawHouseholdId)) ? String(item.rawHouseholdId) : null;
  }

  @FieldResolver(() => Household, { nullable: true, description: 'The household, when you may read it; null otherwise.' })
  async household(@Root() item: PackageItem, @Ctx() ctx: RequestContext): Promise<Household | null> {
    if (item.rawHouseholdId === null || !policy.canReadHouseholdRecords(ctx.principal)) return null;
    const row = await ctx.loaders.householdById.load(item.rawHouseholdId);
    if (!row) return null;
    ctx.personalReads.note('package.items.household', [row.id]);
    return toHousehold(row);
  }
}
