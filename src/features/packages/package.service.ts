/**
 * The package use cases. Every mutation runs in one transaction that (1) checks the caller may
 * plan the village, (2) bumps the package version only if it is still the one the caller read
 * (optimistic concurrency: a stale version changes nothing), (3) applies the change, and
 * (4) writes the audit record — so the change and its record commit or roll back together.
 */
import { createHash } from 'node:crypto';
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import type { Queryable } from '../../db/database.js';
import { AppError, badInput, ErrorCode, invalidGeometry, notFound } from '../../errors/errors.js';
import { parsePointWgs84, parseRadiusMeters } from '../../geo/geojson-input.js';
import type { RequestContext } from '../../graphql/context.js';
import { assertCleanText, MAX_PACKAGE_TOTAL_IDR, parseId as positiveId, parseIsoDate } from '../../graphql/input.js';
import { eligibilityOf, type FunderRow, funderRule, insertIntervention, interventionByCode, type InterventionRow, listFunders, listInterventions } from '../catalog/index.js';
import { allFunds } from '../funders/index.js';
import { INTERVENTION_CATEGORIES } from '../../db/schema.js';
import { householdsByIds, membersByHouseholdIds, type MemberRow } from '../households/index.js';
import { parseRegionCode, RegionLevel } from '../regions/index.js';
import {
  budgetsByPackageIds,
  bumpVersion,
  candidateSites,
  deleteItem,
  existingFacilities,
  householdOfMember,
  housingItemsOf,
  insertItems,
  insertPackage,
  itemById,
  itemsByPackageIds,
  type FundingShare,
  fundingByItemIds,
  type FundingRow,
  existingFacilitiesOf,
  instalmentsByItemIds,
  type ItemRow,
  needCounts,
  villageInteriorPoint,
  tryLockVillageForProposal,
  type NewItem,
  packageById,
  publicBuildingsNear,
  replaceFunding,
  replaceInstalments,
  type PackageRow,
  pointInVillage,
  setOverBudgetReason,
  updateItemProgress,
  upsertBudget,
  villageHouseholdIds,
} from './package.queries.js';
import { type Decision, propose } from './package.propose.js';
import { type BudgetInput, type InstalmentInput, PackageItemInput, type PackageSpecificItemInput, type ProposeOptions } from './package.type.js';
import { type ItemProgress, type PackageStatus } from './package.type.js';
import { assertEditable, assertTransition } from './package.workflow.js';
import { assessmentCoverage, currentApproval, executionOf, funderSignoffs, insertApproval, isVerified, withdrawApproval } from '../execution/index.js';

const conflict = (message: string, details: Record<string, unknown> = {}) => new AppError(ErrorCode.CONFLICT, message, details);


function text(value: string, argument: string, max = 200): string {
  assertCleanText(value, argument, max * 2);
  const trimmed = value.trim();
  if (!trimmed) throw badInput(argument, 'must not be empty.');
  if (trimmed.length > max) throw badInput(argument, `must be at most ${max} characters.`);
  return trimmed;
}

/** A summary of the package state for audit records (before/after). */
async function snapshot(db: Queryable, pkg: PackageRow) {
  const [budgets, items] = await Promise.all([budgetsByPackageIds(db, [pkg.id]), itemsByPackageIds(db, [pkg.id])]);
  return {
    status: pkg.status,
    version: pkg.version,
    budgets: budgets.map((b) => ({ funderCode: b.funder_code, budgetIdr: b.budget_idr, allocatedIdr: b.allocated_idr, overBudgetReason: b.over_budget_reason })),
    items: items.length,
    totalCostIdr: items.reduce((sum, i) => sum + i.cost_idr, 0),
  };
}

async function validateBudgets(db: Queryable, budgets: BudgetInput[], argument: string): Promise<FunderRow[]> {
  const funders = await listFunders(db);
  const seen = new Set<string>();
  budgets.forEach((b, i) => {
    if (!funders.some((f) => f.code === b.funderCode)) throw badInput(`${argument}[${i}].funderCode`, `unknown funder ${JSON.stringify(b.funderCode)}; expected one of ${funders.map((f) => f.code).join(', ')}.`);
    if (seen.has(b.funderCode)) throw badInput(`${argument}[${i}].funderCode`, `${b.funderCode} appears twice.`);
    seen.add(b.funderCode);
    if (!Number.isSafeInteger(b.budgetIdr) || b.budgetIdr < 0 || b.budgetIdr > MAX_PACKAGE_TOTAL_IDR) {
      throw badInput(`${argument}[${i}].budgetIdr`, `must be a whole number of rupiah from 0 to ${MAX_PACKAGE_TOTAL_IDR}; got ${b.budgetIdr}.`);
    }
  });
  return funders;
}

async function assertVillage(ctx: RequestContext, code: string, argument: string): Promise<string> {
  const villageCode = parseRegionCode(code, argument, RegionLevel.VILLAGE);
  if (!(await ctx.loaders.villageByCode.load(villageCode))) throw notFound('Village', villageCode);
  policy.assertCanPlan(ctx.principal, villageCode);
  return villageCode;
}

/**
 * Locks the package for a change: the version must still be `expected`. Returns the package as
 * it was (before) and as it is now (after the version bump).
 */
async function lockForChange(tx: Queryable, ctx: RequestContext, packageId: number, expected: number, status?: PackageStatus) {
  const before = await packageById(tx, ctx.principal, packageId);
  if (!before) throw notFound('Package', String(packageId));
  policy.assertCanPlan(ctx.principal, before.village_code);
  // The version first: a client holding a stale copy must hear "reload" (CONFLICT on version),
  // not a workflow rule judged against a state it has not seen.
  const after = before.version === expected ? await bumpVersion(tx, packageId, expected, status) : null;
  if (!after) {
    throw conflict(`Package ${packageId} is at version ${before.version}, not ${expected}: someone changed it since you read it. Reload it and apply your change again.`, {
      argument: 'version',
      currentVersion: before.version,
    });
  }
  if (status) assertTransition(before.status as PackageStatus, status);
  return { before, after };
}

export async function createPackage(ctx: RequestContext, villageCodeArg: string, nameArg: string, budgets: BudgetInput[]) {
  const villageCode = await assertVillage(ctx, villageCodeArg, 'villageCode');
  const name = text(nameArg, 'name');
  await validateBudgets(ctx.db, budgets, 'budgets');
  return ctx.db.transaction(async (tx) => {
    const pkg = await insertPackage(tx, { villageCode, name, createdBy: ctx.principal.subject, templateOf: null });
    for (const b of budgets) await upsertBudget(tx, pkg.id, b.funderCode, b.budgetIdr, null);
    await writeAudit(tx, ctx.principal, { action: 'CREATE_PACKAGE', entity: 'package', entityId: pkg.id, packageId: pkg.id, villageCode, after: { name, ...(await snapshot(tx, pkg)) }, requestId: ctx.requestId });
    return pkg;
  });
}

export async function setBudget(ctx: RequestContext, packageIdArg: string, version: number, budget: BudgetInput, overBudgetReason: string | null) {
  const packageId = positiveId(packageIdArg, 'packageId');
  await validateBudgets(ctx.db, [budget], 'budget');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    assertEditable(before.status as PackageStatus, 'setPackageBudget');
    const previous = await snapshot(tx, before);
    const allocated = previous.budgets.find((b) => b.funderCode === budget.funderCode)?.allocatedIdr ?? 0;
    const reason = overBudgetReason ? text(overBudgetReason, 'overBudgetReason', 1000) : null;
    if (allocated > budget.budgetIdr && !reason) {
      throw badInput('budget.budgetIdr', `${budget.funderCode} already has Rp${allocated.toLocaleString('en')} allocated; a budget of Rp${budget.budgetIdr.toLocaleString('en')} would be exceeded. Remove items or give overBudgetReason.`);
    }
    await upsertBudget(tx, packageId, budget.funderCode, budget.budgetIdr, reason);
    await writeAudit(tx, ctx.principal, { action: 'SET_BUDGET', entity: 'package', entityId: packageId, packageId, villageCode: before.village_code, before: previous, after: await snapshot(tx, after), requestId: ctx.requestId });
    return after;
  });
}

interface CheckedItem {
  item: NewItem;
  intervention: InterventionRow;
  /** Who pays what; one share = the item's funder pays all of it. */
  shares: FundingShare[];
}

/**
 * The funding of an item: `funding` shares (co-funding) or one funder (`funderCode`, default the
 * intervention's), each among the funders the intervention allows, each with a fund of that funder
 * (default: the funder's default fund; for a facility its first fund not restricted to mustahik).
 * Shares must sum to the item's cost.
 */
async function resolveShares(tx: Queryable, intervention: InterventionRow, input: PackageItemInput, costIdr: number, forHousehold: boolean, argument: string): Promise<(FundingShare & { requiresMustahik: boolean })[]> {
  const requested = input.funding?.length
    ? input.funding.map((f, i) => ({ funderCode: f.funderCode, fundCode: f.fundCode ?? null, amountIdr: f.amountIdr, at: `${argument}.funding[${i}]` }))
    : [{ funderCode: input.funderCode ?? intervention.funder_code, fundCode: input.fundCode ?? null, amountIdr: costIdr, at: argument }];
  if (input.funding?.length && (input.funderCode || input.fundCode)) throw badInput(`${argument}.funding`, 'give either funding shares or funderCode/fundCode, not both.');
  const funds = await allFunds(tx);
  const seen = new Set<string>();
  const shares = requested.map((r: { funderCode: string; fundCode: string | null; amountIdr: number; at: string }) => {
    if (!intervention.funder_codes.includes(r.funderCode)) {
      throw badInput(`${r.at}.funderCode`, `${intervention.code} may be paid by ${intervention.funder_codes.join(', ')}; got ${JSON.stringify(r.funderCode)}. (ADMIN allows more funders with updateIntervention.)`);
    }
    if (!Number.isSafeInteger(r.amountIdr) || r.amountIdr < 0) throw badInput(`${r.at}.amountIdr`, `must be a whole number of rupiah ≥ 0; got ${r.amountIdr}.`);
    const own = funds.filter((f) => f.funder_code === r.funderCode);
    const fund = r.fundCode
      ? own.find((f) => f.code === r.fundCode)
      : [...own].sort((a, b) => Number(!forHousehold && a.requires_mustahik) - Number(!forHousehold && b.requires_mustahik) || Number(b.is_default) - Number(a.is_default))[0];
    if (!fund) throw badInput(`${r.at}.fundCode`, `${r.funderCode} has no fund ${JSON.stringify(r.fundCode)}; its funds are ${own.map((f) => f.code).join(', ') || 'none'}.`);
    if (fund.requires_mustahik && !forHousehold) {
      throw new AppError(ErrorCode.FORBIDDEN, `${fund.code} may pay only mustahik households, not a facility for everyone; pay it from an unrestricted fund (e.g. ${own.find((f) => !f.requires_mustahik)?.code ?? 'another funder'}).`, { argument: `${r.at}.fundCode` });
    }
    if (seen.has(fund.code)) throw badInput(`${r.at}.fundCode`, `${fund.code} appears twice.`);
    seen.add(fund.code);
    return { funderCode: r.funderCode, fundCode: fund.code, amountIdr: r.amountIdr, requiresMustahik: fund.requires_mustahik };
  });
  const sum = shares.reduce((t, x) => t + x.amountIdr, 0);
  if (sum !== costIdr) throw badInput(`${argument}.funding`, `the shares sum to Rp${sum.toLocaleString('en')} but the item costs Rp${costIdr.toLocaleString('en')} (quantity × unitCostIdr); they must be equal.`);
  return shares;
}

/** The amount per unit: the catalog default unless given, never above the rule's ceiling. */
function unitCostOf(intervention: InterventionRow, input: PackageItemInput, argument: string): number {
  const unitCost = input.unitCostIdr ?? intervention.unit_cost_idr;
  if (!Number.isSafeInteger(unitCost) || unitCost < 0) throw badInput(`${argument}.unitCostIdr`, `must be a whole number of rupiah ≥ 0; got ${unitCost}.`);
  if (intervention.max_unit_cost_idr !== null && unitCost > intervention.max_unit_cost_idr) {
    throw badInput(`${argument}.unitCostIdr`, `${intervention.code} is at most Rp${intervention.max_unit_cost_idr.toLocaleString('en')} per unit (${intervention.cost_source}); got Rp${unitCost.toLocaleString('en')}.`, { maxUnitCostIdr: intervention.max_unit_cost_idr });
  }
  return unitCost;
}

/** Validates one item against the catalog, eligibility, funder and fund rules, the boundary and the housing limit. */
async function checkItem(tx: Queryable, ctx: RequestContext, pkg: PackageRow, input: PackageItemInput, argument: string, intervention: InterventionRow | null = null): Promise<CheckedItem> {
  intervention ??= await interventionByCode(tx, input.interventionCode);
  if (!intervention) throw badInput(`${argument}.interventionCode`, `unknown intervention ${JSON.stringify(input.interventionCode)}; see the interventions query.`);
  if (!intervention.is_active) throw badInput(`${argument}.interventionCode`, `${intervention.code} is no longer offered (inactive in the catalog).`);
  if (intervention.package_id !== null && intervention.package_id !== pkg.id && intervention.package_id !== pkg.template_of) {
    throw badInput(`${argument}.interventionCode`, `${intervention.code} is specific to package ${intervention.package_id}; add your own with addPackageSpecificItem.`);
  }
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1000) throw badInput(`${argument}.quantity`, `must be 1–1000; got ${input.quantity}.`);
  if (input.quantity !== 1 && !intervention.quantity_unit && intervention.target !== 'FACILITY') {
    throw badInput(`${argument}.quantity`, `${intervention.code} is one per recipient (no countable unit in the catalog); got ${input.quantity}.`);
  }
  const override = input.eligibilityOverrideReason ? text(input.eligibilityOverrideReason, `${argument}.eligibilityOverrideReason`, 1000) : null;
  const unitCostIdr = unitCostOf(intervention, input, argument);
  const amountNote = input.amountNote ? text(input.amountNote, `${argument}.amountNote`, 1000) : null;
  const shares = await resolveShares(tx, intervention, input, unitCostIdr * input.quantity, intervention.target !== 'FACILITY', argument);
  const lead = [...shares].sort((a, b) => b.amountIdr - a.amountIdr)[0]!;
  const base: NewItem = {
    packageId: pkg.id,
    interventionCode: intervention.code,
    funderCode: lead.funderCode,
    householdId: null,
    memberId: null,
    locationWgs84: null,
    quantity: input.quantity,
    unitCostIdr,
    eligibilityOverrideReason: null,
    origin: 'ADDED',
    amountNote,
  };
  const plainShares = shares.map(({ funderCode, fundCode, amountIdr }) => ({ funderCode, fundCode, amountIdr }));
  if (intervention.target === 'FACILITY') {
    if (!input.locationWgs84) throw badInput(`${argument}.locationWgs84`, `${intervention.code} is a facility: give its site as [longitude, latitude].`);
    if (input.locationWgs84.length !== 2) throw badInput(`${argument}.locationWgs84`, `must be [longitude, latitude]; got ${input.locationWgs84.length} numbers.`);
    const [lon, lat] = parsePointWgs84(input.locationWgs84[0]!, input.locationWgs84[1]!, `${argument}.locationWgs84`).coordinates as [number, number];
    const where = await pointInVillage(tx, pkg.village_code, [lon, lat]);
    if (!where.has_boundary) throw badInput(`${argument}.locationWgs84`, `village ${pkg.village_code} has no mapped boundary, so a facility site cannot be checked; map the boundary first.`, { reason: 'VILLAGE_WITHOUT_BOUNDARY' });
    if (!where.inside) {
      throw invalidGeometry(`${argument}.locationWgs84`, `the site [${lon}, ${lat}] lies ${Math.round(where.distance_m ?? 0)} m outside the boundary of village ${pkg.village_code}; facilities must be sited inside the village. (Check the axis order: [longitude, latitude].)`, {
        distanceOutsideMeters: Math.round(where.distance_m ?? 0),
      });
    }
    if (intervention.category === 'DISABILITY_ACCESS') await assertAttachedToPublicBuilding(tx, pkg, [lon, lat], `${argument}.locationWgs84`);
    return { intervention, item: { ...base, locationWgs84: [lon, lat] }, shares: plainShares };
  }

  // HOUSEHOLD or PERSON: the recipient must be a household of this village that the caller may read.
  let householdId: number;
  let memberId: number | null = null;
  if (intervention.target === 'PERSON') {
    if (input.memberId == null) throw badInput(`${argument}.memberId`, `${intervention.code} is for a person: give memberId.`);
    memberId = positiveId(input.memberId, `${argument}.memberId`);
    householdId = input.householdId ? positiveId(input.householdId, `${argument}.householdId`) : 0;
    // The owner is revealed only if the caller may read that household: otherwise the same
    // NOT_FOUND as for a member that does not exist.
    const owner = (await householdOfMember(tx, memberId)) ?? 0;
    const ownerVisible = owner ? (await householdsByIds(tx, ctx.principal, [owner])).length === 1 : false;
    if (!ownerVisible) throw notFound('Member', String(memberId));
    if (householdId && householdId !== owner) throw badInput(`${argument}.memberId`, `member ${memberId} belongs to household ${owner}, not ${householdId}.`);
    householdId = owner;
  } else {
    if (!input.householdId) throw badInput(`${argument}.householdId`, `${intervention.code} is for a household: give householdId.`);
    householdId = positiveId(input.householdId, `${argument}.householdId`);
  }
  const [household] = await householdsByIds(tx, ctx.principal, [householdId]);
  if (!household) throw notFound('Household', String(householdId));
  if (household.village_code !== pkg.village_code) throw badInput(`${argument}.householdId`, `household ${householdId} lives in ${household.village_code}, not in the package's village ${pkg.village_code}.`);
  // A household a FULL registry snapshot left out (inactive_since) is in no list, count or proposal;
  // no new item may stand at it. The database refuses it too (drizzle/0018), for other writers and
  // for a snapshot committed meanwhile.
  if (household.inactive_since !== null) {
    throw conflict(`household ${householdId} is no longer in the registry (a full snapshot left it out; inactive since ${household.inactive_since}): no new package items for it.`, { argument: `${argument}.householdId` });
  }
  const members = await membersByHouseholdIds(tx, [householdId]);
  // The fund rule that binds: any share paid from a mustahik-only fund (zakat) puts the rule on the item.
  const restricted = shares.find((x) => x.requiresMustahik);
  const payer = { code: restricted?.fundCode ?? lead.fundCode, requires_mustahik: Boolean(restricted) };
  const result = eligibilityOf(intervention, payer, household, memberId ? members.filter((m) => m.id === memberId) : members);
  if (!result.eligible) {
    // The explanation quotes the household's data: a read of personal data, audited even though
    // the mutation fails (the audit is written after the response, outside this transaction).
    ctx.personalReads.note('addPackageItem.eligibility', [householdId]);
    const failed = result.evaluation.parts.filter((p) => !p.passed);
    const funderPart = funderRule({ code: payer.code, requiresMustahik: payer.requires_mustahik });
    const funderFailed = funderPart && 'label' in funderPart && failed.some((p) => p.label === funderPart.label);
    const why = failed.map((p) => `${p.label} (${p.actual})`).join('; ');
    if (funderFailed) {
      throw new AppError(ErrorCode.FORBIDDEN, `${intervention.code} is paid from ${payer.code}, which funds only mustahik; household ${householdId} is not mustahik (as verified by the funder). Fund rules cannot be overridden.`, { argument: `${argument}.householdId`, failed });
    }
    if (!override) {
      throw badInput(`${argument}.householdId`, `household ${householdId}${memberId ? ` (member ${memberId})` : ''} is not eligible for ${intervention.code}: ${why}. Give eligibilityOverrideReason to add it anyway (recorded).`, { failed });
    }
  }
  if (intervention.is_housing) {
    const housed = await housingItemsOf(tx, [householdId]);
    if (housed.length) throw conflict(`household ${householdId} already has a housing intervention (${housed[0]!.intervention_code} in package ${housed[0]!.package_id}); at most one per household.`, { argument: `${argument}.interventionCode` });
  }
  const duplicate = (await itemsByPackageIds(tx, [pkg.id])).find((i) => i.intervention_code === intervention.code && i.household_id === householdId && i.member_id === memberId);
  if (duplicate) throw conflict(`${intervention.code} is already in the package for ${memberId ? `member ${memberId}` : `household ${householdId}`} (item ${duplicate.id}).`, { argument: `${argument}.interventionCode` });
  return { intervention, item: { ...base, householdId, memberId, eligibilityOverrideReason: result.eligible ? null : override }, shares: plainShares };
}

/** Metres within which a ramp or accessible path counts as attached to a public building. */
export const RAMP_ATTACH_METERS = 50;

/** Ramps and accessible paths attach to a public building: an existing facility or one planned in this package. */
async function assertAttachedToPublicBuilding(tx: Queryable, pkg: PackageRow, lonLat: [number, number], argument: string): Promise<void> {
  const [nearest] = await publicBuildingsNear(tx, pkg.village_code, pkg.id, lonLat);
  if (!nearest || nearest.distance_m > RAMP_ATTACH_METERS) {
    throw invalidGeometry(argument, `accessible paths and ramps attach to a public building; the nearest existing or planned one is ${nearest ? `${Math.round(nearest.distance_m)} m away (${nearest.name})` : 'none in this village'} (limit ${RAMP_ATTACH_METERS} m). Site the building first, or put the ramp at it.`, {
      nearestPublicBuildingMeters: nearest ? Math.round(nearest.distance_m) : null,
    });
  }
}

/** Adds one checked item with its funding, within the funders' budgets (or with a recorded reason). */
/**
 * Inserts a checked item with its funding shares, within the package total and each funder's
 * budget. `previous` is the package as it stood before (its snapshot). The package-total bound is
 * also held by the database trigger (drizzle/0009); checking it here first gives the argument-named
 * error instead of a CONFLICT.
 */
async function insertChecked(tx: Queryable, packageId: number, checked: CheckedItem, previous: { totalCostIdr: number; budgets: { funderCode: string; budgetIdr: number; allocatedIdr: number }[] }, overBudgetReason: string | null | undefined, argument: string): Promise<number> {
  const itemCost = checked.item.unitCostIdr * checked.item.quantity;
  const packageTotal = previous.totalCostIdr + itemCost;
  if (packageTotal > MAX_PACKAGE_TOTAL_IDR) {
    throw badInput(`${argument}.quantity`, `adding ${checked.intervention.code} (Rp${itemCost.toLocaleString('en')}) would take the package to Rp${packageTotal.toLocaleString('en')}; a package may total at most Rp${MAX_PACKAGE_TOTAL_IDR.toLocaleString('en')}.`);
  }
  const budgets = previous.budgets;
  for (const share of checked.shares) {
    const budget = budgets.find((b) => b.funderCode === share.funderCode);
    if (!budget) throw badInput(`${argument}.funding`, `${checked.intervention.code} is paid by ${share.funderCode}, which has no budget in this package; set one with setPackageBudget.`, { funderCode: share.funderCode });
    if (budget.allocatedIdr + share.amountIdr > budget.budgetIdr) {
      const reason = overBudgetReason ? text(overBudgetReason, `${argument}.overBudgetReason`, 1000) : null;
      if (!reason) {
        throw badInput(argument, `adding ${checked.intervention.code} (Rp${share.amountIdr.toLocaleString('en')} from ${share.funderCode}) would take ${share.funderCode} to Rp${(budget.allocatedIdr + share.amountIdr).toLocaleString('en')} of its Rp${budget.budgetIdr.toLocaleString('en')} budget. Remove items, raise the budget, or give overBudgetReason (recorded).`, {
          funderCode: share.funderCode,
          budgetIdr: budget.budgetIdr,
          allocatedIdr: budget.allocatedIdr,
          costIdr: share.amountIdr,
        });
      }
      await setOverBudgetReason(tx, packageId, share.funderCode, reason);
    }
  }
  const [itemId] = await insertItems(tx, [checked.item]);
  await replaceFunding(tx, itemId!, checked.shares);
  return itemId!;
}

export async function addItem(ctx: RequestContext, packageIdArg: string, version: number, input: PackageItemInput) {
  const packageId = positiveId(packageIdArg, 'packageId');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    assertEditable(before.status as PackageStatus, 'addPackageItem');
    const previous = await snapshot(tx, before);
    const checked = await checkItem(tx, ctx, before, input, 'item');
    const itemId = await insertChecked(tx, packageId, checked, previous, input.overBudgetReason, 'item');
    await writeAudit(tx, ctx.principal, {
      action: 'ADD_ITEM',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: before.village_code,
      before: previous,
      after: { ...(await snapshot(tx, after)), item: { id: itemId, ...checked.item, funding: checked.shares, overBudgetReason: input.overBudgetReason ?? null } },
      householdIds: checked.item.householdId ? [checked.item.householdId] : null,
      requestId: ctx.requestId,
    });
    return after;
  });
}

const SLUG = /[^A-Z0-9]+/g;

/**
 * A one-off item of this package (a mosque, a culinary centre): created as an intervention that
 * belongs to the package, not to the catalog, then added like any item (funders, amount, site).
 */
export async function addPackageSpecificItem(ctx: RequestContext, packageIdArg: string, version: number, input: PackageSpecificItemInput) {
  const packageId = positiveId(packageIdArg, 'packageId');
  const nameId = text(input.nameId, 'item.nameId');
  const nameEn = input.nameEn ? text(input.nameEn, 'item.nameEn') : nameId;
  if (!INTERVENTION_CATEGORIES.includes(input.category as never)) throw badInput('item.category', `unknown category ${JSON.stringify(input.category)}.`);
  if (!Number.isSafeInteger(input.unitCostIdr) || input.unitCostIdr < 0) throw badInput('item.unitCostIdr', `must be a whole number of rupiah ≥ 0; got ${input.unitCostIdr}.`);
  const funderCodes: string[] = [...new Set(input.funding?.length ? input.funding.map((f) => f.funderCode) : [input.funderCode ?? ''])];
  const funders = await listFunders(ctx.db);
  funderCodes.forEach((code) => {
    if (!funders.some((f) => f.code === code)) throw badInput(input.funding?.length ? 'item.funding' : 'item.funderCode', `unknown funder ${JSON.stringify(code)}; expected one of ${funders.map((f) => f.code).join(', ')}.`);
  });
  const slug = nameId.toUpperCase().replace(SLUG, '_').replace(/^_+|_+$/g, '').slice(0, 30);
  // Names without Latin letters or digits still get a stable code, from the name's hash.
  const code = `P${packageId}_${slug || `ITEM_${createHash('sha256').update(nameId).digest('hex').slice(0, 8).toUpperCase()}`}`;
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    assertEditable(before.status as PackageStatus, 'addPackageSpecificItem');
    if (await interventionByCode(tx, code)) throw conflict(`This package already has an item named ${JSON.stringify(nameId)} (${code}).`, { argument: 'item.nameId' });
    const previous = await snapshot(tx, before);
    const lead = input.funding?.length ? [...input.funding].sort((a, b) => b.amountIdr - a.amountIdr)[0]!.funderCode : input.funderCode!;
    const intervention = await insertIntervention(
      tx,
      {
        code,
        name_id: nameId,
        name_en: nameEn,
        category: input.category,
        cluster: null,
        funder_code: lead,
        target: 'FACILITY',
        unit_cost_idr: input.unitCostIdr,
        cost_is_assumption: false,
        cost_source: input.amountNote ? text(input.amountNote, 'item.amountNote', 1000) : 'Recorded by the planner for this package',
        is_housing: false,
        serves: input.serves,
        eligibility: { all: [] },
        description: input.description?.trim() ?? '',
        max_unit_cost_idr: null,
        quantity_unit: input.quantity > 1 ? 'unit' : null,
        priority: null,
        package_id: packageId,
      },
      funderCodes,
    );
    const itemInput = Object.assign(new PackageItemInput(), {
      interventionCode: code,
      locationWgs84: input.locationWgs84,
      quantity: input.quantity,
      funderCode: input.funding?.length ? null : input.funderCode,
      fundCode: input.funding?.length ? null : input.fundCode,
      funding: input.funding,
      amountNote: input.amountNote,
      overBudgetReason: input.overBudgetReason,
    });
    const checked = await checkItem(tx, ctx, before, itemInput, 'item', intervention);
    const itemId = await insertChecked(tx, packageId, checked, previous, input.overBudgetReason, 'item');
    await writeAudit(tx, ctx.principal, {
      action: 'ADD_PACKAGE_SPECIFIC_ITEM',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: before.village_code,
      before: previous,
      after: { ...(await snapshot(tx, after)), intervention, item: { id: itemId, ...checked.item, funding: checked.shares } },
      requestId: ctx.requestId,
    });
    return after;
  });
}

/** Replaces the instalment (termin) schedule of one item; the DB keeps the sum within the item's cost. */
export async function setInstalments(ctx: RequestContext, packageIdArg: string, version: number, itemIdArg: string, instalments: InstalmentInput[]) {
  const packageId = positiveId(packageIdArg, 'packageId');
  const itemId = positiveId(itemIdArg, 'itemId');
  const rows = instalments.map((x, i) => {
    if (!Number.isSafeInteger(x.amountIdr) || x.amountIdr <= 0) throw badInput(`instalments[${i}].amountIdr`, `must be a whole number of rupiah > 0; got ${x.amountIdr}.`);
    const dueOn = x.dueOn ? parseIsoDate(x.dueOn, `instalments[${i}].dueOn`) : null;
    const paidOn = x.paidOn ? parseIsoDate(x.paidOn, `instalments[${i}].paidOn`, { notInFuture: true }) : null;
    return { amountIdr: x.amountIdr, dueOn, paidOn, note: (x.note ?? '').trim().slice(0, 500) };
  });
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    if (before.status === 'CANCELLED' || before.status === 'COMPLETED') throw conflict(`Instalments of a ${before.status} package cannot change.`, { status: before.status });
    const item = await itemById(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    const total = rows.reduce((t, r) => t + r.amountIdr, 0);
    if (total > item.cost_idr) throw badInput('instalments', `the instalments sum to Rp${total.toLocaleString('en')}, more than the item's cost Rp${item.cost_idr.toLocaleString('en')}.`);
    const previous = await instalmentsByItemIds(tx, [itemId]);
    await replaceInstalments(tx, itemId, rows);
    await writeAudit(tx, ctx.principal, { action: 'SET_INSTALMENTS', entity: 'package_item', entityId: itemId, packageId, villageCode: before.village_code, before: previous, after: rows, householdIds: item.household_id ? [item.household_id] : null, requestId: ctx.requestId });
    return after;
  });
}

export async function removeItem(ctx: RequestContext, packageIdArg: string, version: number, itemIdArg: string) {
  const packageId = positiveId(packageIdArg, 'packageId');
  const itemId = positiveId(itemIdArg, 'itemId');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    assertEditable(before.status as PackageStatus, 'removePackageItem');
    const item = await itemById(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    const previous = await snapshot(tx, before);
    await deleteItem(tx, packageId, itemId);
    await writeAudit(tx, ctx.principal, { action: 'REMOVE_ITEM', entity: 'package_item', entityId: itemId, packageId, villageCode: before.village_code, before: { ...previous, item }, after: await snapshot(tx, after), requestId: ctx.requestId });
    return after;
  });
}

export async function transition(ctx: RequestContext, packageIdArg: string, version: number, to: PackageStatus, reasonArg: string | null) {
  const packageId = positiveId(packageIdArg, 'packageId');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version, to);
    const state = await snapshot(tx, before);
    const reason = reasonArg ? text(reasonArg, 'reason', 1000) : null;
    if (to === 'ASSESSED') {
      // The assessment gate: enough of the households the package serves were assessed on site.
      const share = executionOf(ctx).assessedShare;
      const coverage = await assessmentCoverage(tx, packageId);
      const missing = coverage.filter((c) => !c.assessed).map((c) => c.household_id);
      const needed = Math.ceil(coverage.length * share);
      if (coverage.length - missing.length < needed) {
        throw conflict(
          `${coverage.length - missing.length} of ${coverage.length} target households are assessed; ASSESSED needs ${needed} (${Math.round(share * 100)}%). Record assessments (recordAssessment) of: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}.`,
          { argument: 'to', reason: 'ASSESSMENTS_MISSING', targetHouseholds: coverage.length, assessed: coverage.length - missing.length, required: needed, missingHouseholdIds: missing },
        );
      }
    }
    if (to === 'APPROVED') {
      if (state.items === 0) throw conflict('An empty package cannot be approved: add items first.');
      const over = state.budgets.filter((b) => b.allocatedIdr > b.budgetIdr && !b.overBudgetReason);
      if (over.length) throw conflict(`Over budget without a recorded reason: ${over.map((b) => b.funderCode).join(', ')}.`);
      // Four eyes: the drafter never approves; the database refuses it too (drizzle/0013).
      if (before.created_by === ctx.principal.subject) {
        throw new AppError(ErrorCode.FORBIDDEN, `You drafted package ${packageId}; a second person (another planner) must approve it.`, { argument: 'to', reason: 'SELF_APPROVAL', draftedBy: before.created_by });
      }
      await insertApproval(tx, packageId, ctx.principal.subject);
    }
    if (before.status === 'APPROVED' && to !== 'IN_PROGRESS') await withdrawApproval(tx, packageId);
    if (to === 'IN_PROGRESS') {
      // Every funder paying for an item signed off on this approval.
      const [approval, funders] = await Promise.all([currentApproval(tx, packageId), funderSignoffs(tx, packageId)]);
      const missing = funders.filter((f) => f.decision !== 'SIGNED').map((f) => f.funder_code);
      if (!approval || missing.length) {
        throw conflict(`Implementation starts when every funder has signed off on its items; waiting for ${missing.join(', ') || 'an approval'} (signOffPackage with the funder's PARTNER token).`, { argument: 'to', reason: 'SIGNOFF_MISSING', missingFunders: missing });
      }
    }
    if (to === 'COMPLETED') {
      const open = (await itemsByPackageIds(tx, [packageId])).filter((i) => i.progress !== 'DONE');
      if (open.length) throw conflict(`${open.length} item(s) are not DONE yet (e.g. item ${open[0]!.id}); mark them done before completing the package.`, { openItems: open.length });
    }
    if ((to === 'CANCELLED' || (before.status === 'APPROVED' && to === 'PLANNED')) && !reason) {
      throw badInput('reason', `${to === 'CANCELLED' ? 'cancelling' : 'reopening an approved package'} needs a reason (recorded in the audit log).`);
    }
    await writeAudit(tx, ctx.principal, { action: 'TRANSITION', entity: 'package', entityId: packageId, packageId, villageCode: before.village_code, before: state, after: { ...(await snapshot(tx, after)), reason }, requestId: ctx.requestId });
    return after;
  });
}

export async function setProgress(ctx: RequestContext, packageIdArg: string, version: number, itemIdArg: string, progress: ItemProgress, onArg: string | null) {
  const packageId = positiveId(packageIdArg, 'packageId');
  const itemId = positiveId(itemIdArg, 'itemId');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    // Progress happens to a package that exists, and not in the future. created_at is UTC; its
    // date is never later than the date in Indonesian time zones, so no valid day is refused.
    const createdOn = before.created_at.slice(0, 10);
    const on = onArg != null ? parseIsoDate(onArg, 'on', { notInFuture: true, notBefore: createdOn, notBeforeWhat: 'the day the package was created' }) : new Date().toISOString().slice(0, 10);
    if (before.status !== 'IN_PROGRESS') throw conflict(`Progress is recorded only while the package is IN_PROGRESS; it is ${before.status}.`, { status: before.status });
    const item = await itemById(tx, packageId, itemId);
    if (!item) throw notFound('Package item', String(itemId));
    if (progress === 'DONE' && item.category === 'HOUSING' && !(await isVerified(tx, itemId))) {
      throw conflict(`Housing item ${itemId} is DONE only after its post-works verification: record an assessment of the repaired house and call verifyHousingItem.`, { argument: 'progress', reason: 'VERIFICATION_MISSING' });
    }
    const startedOn = progress === 'NOT_STARTED' ? null : (item.started_on ?? on);
    const doneOn = progress === 'DONE' ? on : null;
    if (startedOn && doneOn && doneOn < startedOn) throw badInput('on', `done on ${doneOn} is before the item started on ${startedOn}.`);
    await updateItemProgress(tx, itemId, progress, startedOn, doneOn);
    await writeAudit(tx, ctx.principal, {
      action: 'SET_PROGRESS',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: before.village_code,
      before: { progress: item.progress, startedOn: item.started_on, doneOn: item.done_on },
      after: { progress, startedOn, doneOn },
      requestId: ctx.requestId,
    });
    return after;
  });
}

function proposeOptions(options: ProposeOptions | null | undefined) {
  const o = options ?? { radiusMeters: 500, facilityBudgetShare: 0.25, maxSitesPerFacility: 3, minHouseholdsPerSite: 5, interventionCodes: null };
  const radiusMeters = parseRadiusMeters(o.radiusMeters, 'options.radiusMeters', 5000);
  if (!(o.facilityBudgetShare >= 0 && o.facilityBudgetShare <= 1)) throw badInput('options.facilityBudgetShare', `must be a share from 0 to 1; got ${o.facilityBudgetShare}.`);
  if (!Number.isInteger(o.maxSitesPerFacility) || o.maxSitesPerFacility < 0 || o.maxSitesPerFacility > 20) throw badInput('options.maxSitesPerFacility', `must be 0–20; got ${o.maxSitesPerFacility}.`);
  if (!Number.isInteger(o.minHouseholdsPerSite) || o.minHouseholdsPerSite < 1) throw badInput('options.minHouseholdsPerSite', `must be at least 1; got ${o.minHouseholdsPerSite}.`);
  return { ...o, radiusMeters };
}

/** What a duplicate carries from its template besides re-proposing the catalog: fixed items and decisions. */
interface TemplateCarry {
  sourceId: number;
  /** Source facility items the proposal does not site itself (community facilities, package-specific ones). */
  carried: ItemRow[];
  /** The carried items' funding shares (package_item_funding), by source item id; co-funding is carried with them. */
  funding: Map<number, FundingRow[]>;
  decisions: Decision[];
}

/**
 * Creates a DRAFT package for the village with the proposal's items (origin PROPOSED) and its
 * decisions. `template` is set when the proposal duplicates another package.
 */
export async function proposePackage(ctx: RequestContext, villageCodeArg: string, nameArg: string, budgets: BudgetInput[], optionsArg: ProposeOptions | null, template: TemplateCarry | null = null) {
  const villageCode = await assertVillage(ctx, villageCodeArg, 'villageCode');
  const name = text(nameArg, 'name');
  const options = proposeOptions(optionsArg);
  const funders = await validateBudgets(ctx.db, budgets, 'budgets');
  let interventions = await listInterventions(ctx.db, { activeOnly: true });
  if (options.interventionCodes?.length) {
    const unknown = options.interventionCodes.filter((c) => !interventions.some((i) => i.code === c));
    if (unknown.length) throw badInput('options.interventionCodes', `unknown or inactive interventions: ${unknown.join(', ')}.`);
    interventions = interventions.filter((i) => options.interventionCodes!.includes(i.code));
  }
  return ctx.db.transaction(async (tx) => {
    // One proposal per village at a time: a later one sees the earlier one's housing items and
    // proposes around them, a concurrent one is refused (retry once it has finished). The housing
    // trigger (drizzle/0009) still refuses any overlap with a concurrent addPackageItem.
    if (!(await tryLockVillageForProposal(tx, villageCode))) {
      throw new AppError(ErrorCode.CONFLICT, `Another proposal for village ${villageCode} is being computed right now; retry when it has finished (it takes seconds), so this one can plan around its houses.`, { argument: 'villageCode', reason: 'PROPOSAL_IN_PROGRESS' });
    }
    const ids = (await villageHouseholdIds(tx, ctx.principal, villageCode)).map((r) => r.id);
    if (ids.length === 0) {
      throw badInput('villageCode', `village ${villageCode} has no households you may read in the registry, so nothing can be proposed there; load its registry extract first.`, { reason: 'VILLAGE_WITHOUT_HOUSEHOLDS' });
    }
    const [households, members, candidates, existingSites, existingRecorded, housed, interior] = await Promise.all([
      householdsByIds(tx, ctx.principal, ids),
      membersByHouseholdIds(tx, ids),
      candidateSites(tx, villageCode),
      existingFacilities(tx, villageCode, null),
      existingFacilitiesOf(tx, villageCode),
      housingItemsOf(tx, ids),
      villageInteriorPoint(tx, villageCode),
    ]);
    const membersOf = new Map<number, MemberRow[]>();
    for (const m of members) (membersOf.get(m.household_id) ?? membersOf.set(m.household_id, []).get(m.household_id)!).push(m);
    const remaining = new Map(budgets.map((b) => [b.funderCode, b.budgetIdr]));
    const decisions: Decision[] = [...(template?.decisions ?? [])];
    // Template facilities the proposal cannot site itself come first, at the village's interior
    // point, flagged for the planner to confirm the site.
    const carried: NewItem[] = [];
    /** Funding shares of each carried item, in `carried` order (an item co-funded in the template stays co-funded). */
    const carriedShares: FundingShare[][] = [];
    for (const item of template?.carried ?? []) {
      if (!interior) break;
      // Each funder pays its own share of the item, so each needs that much budget here; the item
      // is carried whole or not at all (its shares must sum to its amount).
      const recorded = template!.funding.get(item.id) ?? [];
      const shares: FundingShare[] = recorded.length
        ? recorded.map((f) => ({ funderCode: f.funder_code, fundCode: f.fund_code, amountIdr: f.amount_idr }))
        : [{ funderCode: item.funder_code, fundCode: '', amountIdr: item.cost_idr }];
      const need = new Map<string, number>();
      for (const share of shares) need.set(share.funderCode, (need.get(share.funderCode) ?? 0) + share.amountIdr);
      const short = [...need].filter(([funder, amount]) => (remaining.get(funder) ?? -1) < amount);
      if (short.length) {
        const why = short.map(([funder, amount]) => (remaining.has(funder) ? `${funder} has ${rp(remaining.get(funder)!)} left for its share of ${rp(amount)}` : `${funder} (share ${rp(amount)}) has no budget in the new package`)).join('; ');
        decisions.push({ decision: 'NOT_SITED', interventionCode: item.intervention_code, serves: item.serves, reason: `${item.name_id} not carried over (${rp(item.cost_idr)}): ${why}. Give ${short.length > 1 ? 'those funders' : 'that funder'} a budget, or add the item with other funding.` });
        continue;
      }
      for (const [funder, amount] of need) remaining.set(funder, remaining.get(funder)! - amount);
      carried.push({ packageId: 0, interventionCode: item.intervention_code, funderCode: item.funder_code, householdId: null, memberId: null, locationWgs84: interior, quantity: item.quantity, unitCostIdr: item.unit_cost_idr, eligibilityOverrideReason: null, origin: 'PROPOSED', amountNote: item.amount_note });
      carriedShares.push(recorded.length ? shares : []);
      const funding = need.size > 1 ? `co-funded ${shares.map((sh) => `${sh.funderCode} ${rp(sh.amountIdr)}`).join(' + ')}` : item.funder_code;
      decisions.push({ decision: 'FLAGGED', interventionCode: item.intervention_code, serves: item.serves, reason: `${item.name_id} carried over from package ${template!.sourceId} (${rp(item.cost_idr)}, ${funding}) and placed at the village's interior point: confirm or move its site.` });
    }
    const { items, decisions: proposed } = propose({
      households: households.sort((a, b) => a.id - b.id),
      membersOf,
      interventions,
      funders,
      budgets: remaining,
      candidates,
      existingFacilities: [
        ...existingRecorded.map((e) => ({ serves: e.serves, lon: e.lon, lat: e.lat, name: `${e.name} (existing)`, publicBuilding: true, accessible: e.accessible })),
        ...existingSites.map((e) => ({ serves: [e.serves], lon: e.lon, lat: e.lat, name: 'a facility of an approved package', publicBuilding: e.category !== 'DISABILITY_ACCESS', accessible: false })),
      ],
      alreadyHoused: new Set(housed.map((h) => h.household_id)),
      radiusMeters: options.radiusMeters,
      facilityBudgetShare: options.facilityBudgetShare,
      maxSitesPerFacility: options.maxSitesPerFacility,
      minHouseholdsPerSite: options.minHouseholdsPerSite,
    });
    decisions.push(...proposed);
    const pkg = await insertPackage(tx, { villageCode, name, createdBy: ctx.principal.subject, templateOf: template?.sourceId ?? null, proposalDecisions: decisions });
    for (const b of budgets) await upsertBudget(tx, pkg.id, b.funderCode, b.budgetIdr, null);
    const itemIds = await insertItems(tx, [
      ...carried.map((c) => ({ ...c, packageId: pkg.id })),
      ...items.map((i): NewItem => ({ packageId: pkg.id, interventionCode: i.interventionCode, funderCode: i.funderCode, householdId: i.householdId, memberId: i.memberId, locationWgs84: i.locationWgs84, quantity: 1, unitCostIdr: i.unitCostIdr, eligibilityOverrideReason: null, origin: 'PROPOSED', amountNote: null })),
    ]);
    // The insert gave each carried item its lead funder's default fund; the template's shares
    // replace that (carried items come first, in order). A few facilities per template, so one
    // replacement each.
    for (const [index, shares] of carriedShares.entries()) if (shares.length) await replaceFunding(tx, itemIds[index]!, shares);
    await writeAudit(tx, ctx.principal, {
      action: template ? 'DUPLICATE_PACKAGE' : 'PROPOSE_PACKAGE',
      entity: 'package',
      entityId: pkg.id,
      packageId: pkg.id,
      villageCode,
      after: { name, templateOf: template?.sourceId ?? null, options, decisions, ...(await snapshot(tx, pkg)) },
      householdIds: [...new Set(items.flatMap((i) => (i.householdId ? [i.householdId] : [])))],
      requestId: ctx.requestId,
    });
    return { pkg, decisions };
  });
}

const rp = (n: number) => `Rp${n.toLocaleString('en')}`;

/**
 * Duplicates a package that reached approval as the template for another village: its catalog
 * interventions are re-proposed against that village's households and facilities re-sited there;
 * community and package-specific facilities are carried over and flagged for the planner. Budgets
 * are never copied silently: give them, or ask for the template's scaled by households in need.
 */
export async function duplicatePackage(ctx: RequestContext, sourceIdArg: string, villageCodeArg: string, name: string, options: ProposeOptions | null, budgetsArg: BudgetInput[] | null, scaleBudgets: boolean | null) {
  const sourceId = positiveId(sourceIdArg, 'packageId');
  const source = await packageById(ctx.db, ctx.principal, sourceId);
  if (!source || !policy.canReadPackagesOf(ctx.principal, source.village_code)) throw notFound('Package', sourceIdArg);
  if (!['APPROVED', 'IN_PROGRESS', 'COMPLETED'].includes(source.status)) {
    throw conflict(`Package ${sourceId} is ${source.status}; only a package that reached approval (APPROVED, IN_PROGRESS or COMPLETED) is used as a template.`);
  }
  if (budgetsArg && scaleBudgets) throw badInput('scaleBudgets', 'give either budgets or scaleBudgets: true, not both.');
  if (!budgetsArg && !scaleBudgets) {
    throw badInput('budgets', `confirm the budgets for the new village: give budgets, or scaleBudgets: true to scale package ${sourceId}'s by households in need. They are not copied silently.`, { reason: 'BUDGETS_NOT_CONFIRMED' });
  }
  const villageCode = await assertVillage(ctx, villageCodeArg, 'villageCode');
  if (!(await villageInteriorPoint(ctx.db, villageCode))) {
    throw badInput('villageCode', `village ${villageCode} has no mapped boundary, so the template's facilities cannot be re-sited there; import its boundary first.`, { reason: 'VILLAGE_WITHOUT_BOUNDARY' });
  }
  const [sourceBudgets, items] = await Promise.all([budgetsByPackageIds(ctx.db, [sourceId]), itemsByPackageIds(ctx.db, [sourceId])]);
  const decisions: Decision[] = [];
  let budgets: BudgetInput[];
  if (budgetsArg) {
    budgets = budgetsArg;
    decisions.push({ decision: 'BUDGET', interventionCode: null, serves: null, reason: `Budgets given by the planner: ${budgets.map((b) => `${b.funderCode} ${rp(b.budgetIdr)}`).join(', ')}.` });
  } else {
    const [from, to] = await Promise.all([needCounts(ctx.db, ctx.principal, source.village_code, sourceId), needCounts(ctx.db, ctx.principal, villageCode, sourceId)]);
    if (from.in_need === 0) throw badInput('scaleBudgets', `package ${sourceId}'s village has no households in need to scale by; give budgets instead.`);
    const factor = to.in_need / from.in_need;
    budgets = sourceBudgets.map((b) => ({ funderCode: b.funder_code, budgetIdr: Math.round(b.budget_idr * factor) }));
    decisions.push({ decision: 'BUDGET', interventionCode: null, serves: null, reason: `Budgets scaled by households in need, ${to.in_need} here against ${from.in_need} in ${source.village_code} (× ${factor.toFixed(3)}): ${budgets.map((b) => `${b.funderCode} ${rp(b.budgetIdr)}`).join(', ')}.` });
  }
  const proposable = (i: ItemRow) => i.specific_to === null && !(i.target === 'FACILITY' && (i.serves === null || i.serves === 'EVERYONE'));
  const codes = [...new Set(items.filter(proposable).map((i) => i.intervention_code))].sort();
  const carried = items.filter((i) => i.location !== null && !proposable(i));
  const funding = new Map<number, FundingRow[]>();
  for (const row of await fundingByItemIds(ctx.db, carried.map((i) => i.id))) funding.set(row.item_id, [...(funding.get(row.item_id) ?? []), row]);
  return proposePackage(
    ctx,
    villageCode,
    name,
    budgets,
    { radiusMeters: 500, facilityBudgetShare: 0.25, maxSitesPerFacility: 3, minHouseholdsPerSite: 5, ...options, interventionCodes: options?.interventionCodes ?? (codes.length ? codes : ['__none__']) },
    { sourceId, carried, funding, decisions },
  );
}
