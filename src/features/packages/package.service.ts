/**
 * The package use cases. Every mutation runs in one transaction that (1) checks the caller may
 * plan the village, (2) bumps the package version only if it is still the one the caller read
 * (optimistic concurrency: a stale version changes nothing), (3) applies the change, and
 * (4) writes the audit record — so the change and its record commit or roll back together.
 */
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import type { Queryable } from '../../db/database.js';
import { AppError, badInput, ErrorCode, invalidGeometry, notFound } from '../../errors/errors.js';
import { parsePointWgs84, parseRadiusMeters } from '../../geo/geojson-input.js';
import type { RequestContext } from '../../graphql/context.js';
import { assertCleanText, MAX_PACKAGE_TOTAL_IDR, parseId as positiveId, parseIsoDate } from '../../graphql/input.js';
import { interventionByCode, listFunders, listInterventions, type FunderRow, type InterventionRow } from '../catalog/catalog.queries.js';
import { eligibilityOf } from '../catalog/catalog.service.js';
import { funderRule } from '../catalog/eligibility.js';
import { householdsByIds, membersByHouseholdIds, type MemberRow } from '../households/household.queries.js';
import { parseRegionCode } from '../regions/region.codes.js';
import { RegionLevel } from '../regions/region.type.js';
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
  lockVillageForProposal,
  type NewItem,
  packageById,
  type PackageRow,
  pointInVillage,
  setOverBudgetReason,
  updateItemProgress,
  upsertBudget,
  villageHouseholdIds,
} from './package.queries.js';
import { propose } from './package.propose.js';
import type { BudgetInput, PackageItemInput, ProposeOptions } from './package.type.js';
import { type ItemProgress, type PackageStatus } from './package.type.js';
import { assertEditable, assertTransition } from './package.workflow.js';

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
}

/** Validates one item against the catalog, eligibility, funder rules, the boundary and the housing limit. */
async function checkItem(tx: Queryable, ctx: RequestContext, pkg: PackageRow, input: PackageItemInput, argument: string): Promise<CheckedItem> {
  const intervention = await interventionByCode(tx, input.interventionCode);
  if (!intervention) throw badInput(`${argument}.interventionCode`, `unknown intervention ${JSON.stringify(input.interventionCode)}; see the interventions query.`);
  if (!intervention.is_active) throw badInput(`${argument}.interventionCode`, `${intervention.code} is no longer offered (inactive in the catalog).`);
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1000) throw badInput(`${argument}.quantity`, `must be 1–1000; got ${input.quantity}.`);
  if (intervention.target !== 'FACILITY' && input.quantity !== 1) throw badInput(`${argument}.quantity`, `${intervention.target} items are one per recipient; only facilities take a quantity.`);
  const override = input.eligibilityOverrideReason ? text(input.eligibilityOverrideReason, `${argument}.eligibilityOverrideReason`, 1000) : null;
  const base: NewItem = {
    packageId: pkg.id,
    interventionCode: intervention.code,
    funderCode: intervention.funder_code,
    householdId: null,
    memberId: null,
    locationWgs84: null,
    quantity: input.quantity,
    unitCostIdr: intervention.unit_cost_idr,
    eligibilityOverrideReason: null,
    origin: 'ADDED',
  };
  if (intervention.target === 'FACILITY') {
    if (!input.locationWgs84) throw badInput(`${argument}.locationWgs84`, `${intervention.code} is a facility: give its site as [longitude, latitude].`);
    if (input.locationWgs84.length !== 2) throw badInput(`${argument}.locationWgs84`, `must be [longitude, latitude]; got ${input.locationWgs84.length} numbers.`);
    const [lon, lat] = parsePointWgs84(input.locationWgs84[0]!, input.locationWgs84[1]!, `${argument}.locationWgs84`).coordinates as [number, number];
    const where = await pointInVillage(tx, pkg.village_code, [lon, lat]);
    if (!where.has_boundary) throw badInput(`${argument}.locationWgs84`, `village ${pkg.village_code} has no mapped boundary, so a facility site cannot be checked; map the boundary first.`);
    if (!where.inside) {
      throw invalidGeometry(`${argument}.locationWgs84`, `the site [${lon}, ${lat}] lies ${Math.round(where.distance_m ?? 0)} m outside the boundary of village ${pkg.village_code}; facilities must be sited inside the village. (Check the axis order: [longitude, latitude].)`, {
        distanceOutsideMeters: Math.round(where.distance_m ?? 0),
      });
    }
    return { intervention, item: { ...base, locationWgs84: [lon, lat] } };
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
  const members = await membersByHouseholdIds(tx, [householdId]);
  const funder = (await listFunders(tx)).find((f) => f.code === intervention.funder_code)!;
  const result = eligibilityOf(intervention, funder, household, memberId ? members.filter((m) => m.id === memberId) : members);
  if (!result.eligible) {
    // The explanation quotes the household's data: a read of personal data, audited even though
    // the mutation fails (the audit is written after the response, outside this transaction).
    ctx.personalReads.note('addPackageItem.eligibility', [householdId]);
    const failed = result.evaluation.parts.filter((p) => !p.passed);
    const funderPart = funderRule({ code: funder.code, requiresMustahik: funder.requires_mustahik });
    const funderFailed = funderPart && 'label' in funderPart && failed.some((p) => p.label === funderPart.label);
    const why = failed.map((p) => `${p.label} (${p.actual})`).join('; ');
    if (funderFailed) {
      throw new AppError(ErrorCode.FORBIDDEN, `${intervention.code} is funded by ${funder.code}, which funds only mustahik; household ${householdId} is not mustahik. Funder rules cannot be overridden.`, { argument: `${argument}.householdId`, failed });
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
  return { intervention, item: { ...base, householdId, memberId, eligibilityOverrideReason: result.eligible ? null : override } };
}

export async function addItem(ctx: RequestContext, packageIdArg: string, version: number, input: PackageItemInput) {
  const packageId = positiveId(packageIdArg, 'packageId');
  return ctx.db.transaction(async (tx) => {
    const { before, after } = await lockForChange(tx, ctx, packageId, version);
    assertEditable(before.status as PackageStatus, 'addPackageItem');
    const previous = await snapshot(tx, before);
    const { item, intervention } = await checkItem(tx, ctx, before, input, 'item');
    const budget = previous.budgets.find((b) => b.funderCode === item.funderCode);
    if (!budget) throw badInput('item.interventionCode', `${intervention.code} is funded by ${item.funderCode}, which has no budget in this package; set one with setPackageBudget.`);
    const cost = item.unitCostIdr * item.quantity;
    const packageTotal = previous.totalCostIdr + cost;
    if (packageTotal > MAX_PACKAGE_TOTAL_IDR) {
      throw badInput('item.quantity', `adding ${intervention.code} (Rp${cost.toLocaleString('en')}) would take the package to Rp${packageTotal.toLocaleString('en')}; a package may total at most Rp${MAX_PACKAGE_TOTAL_IDR.toLocaleString('en')}.`);
    }
    if (budget.allocatedIdr + cost > budget.budgetIdr) {
      const reason = input.overBudgetReason ? text(input.overBudgetReason, 'item.overBudgetReason', 1000) : null;
      if (!reason) {
        throw badInput('item', `adding ${intervention.code} (Rp${cost.toLocaleString('en')}) would take ${item.funderCode} to Rp${(budget.allocatedIdr + cost).toLocaleString('en')} of its Rp${budget.budgetIdr.toLocaleString('en')} budget. Remove items, raise the budget, or give overBudgetReason (recorded).`, {
          funderCode: item.funderCode,
          budgetIdr: budget.budgetIdr,
          allocatedIdr: budget.allocatedIdr,
          costIdr: cost,
        });
      }
      await setOverBudgetReason(tx, packageId, item.funderCode, reason);
    }
    const [itemId] = await insertItems(tx, [item]);
    await writeAudit(tx, ctx.principal, {
      action: 'ADD_ITEM',
      entity: 'package_item',
      entityId: itemId,
      packageId,
      villageCode: before.village_code,
      before: previous,
      after: { ...(await snapshot(tx, after)), item: { id: itemId, ...item, overBudgetReason: input.overBudgetReason ?? null } },
      householdIds: item.householdId ? [item.householdId] : null,
      requestId: ctx.requestId,
    });
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
    if (to === 'APPROVED') {
      if (state.items === 0) throw conflict('An empty package cannot be approved: add items first.');
      const over = state.budgets.filter((b) => b.allocatedIdr > b.budgetIdr && !b.overBudgetReason);
      if (over.length) throw conflict(`Over budget without a recorded reason: ${over.map((b) => b.funderCode).join(', ')}.`);
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

/**
 * Creates a DRAFT package for the village with the proposal's items (origin PROPOSED).
 * `templateOf` is set when the proposal duplicates another package.
 */
export async function proposePackage(ctx: RequestContext, villageCodeArg: string, nameArg: string, budgets: BudgetInput[], optionsArg: ProposeOptions | null, templateOf: number | null = null) {
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
    // Proposals for one village are serialised, so the second sees the first's housing items
    // and proposes around them; the housing trigger (drizzle/0007) still refuses any overlap
    // with a concurrent addPackageItem (CONFLICT).
    await lockVillageForProposal(tx, villageCode);
    const ids = (await villageHouseholdIds(tx, ctx.principal, villageCode)).map((r) => r.id);
    const [households, members, candidates, existing, housed] = await Promise.all([
      householdsByIds(tx, ctx.principal, ids),
      membersByHouseholdIds(tx, ids),
      candidateSites(tx, villageCode),
      existingFacilities(tx, villageCode, null),
      housingItemsOf(tx, ids),
    ]);
    const membersOf = new Map<number, MemberRow[]>();
    for (const m of members) (membersOf.get(m.household_id) ?? membersOf.set(m.household_id, []).get(m.household_id)!).push(m);
    const { items, notes } = propose({
      households: households.sort((a, b) => a.id - b.id),
      membersOf,
      interventions,
      funders,
      budgets: new Map(budgets.map((b) => [b.funderCode, b.budgetIdr])),
      candidates,
      existingFacilities: existing,
      alreadyHoused: new Set(housed.map((h) => h.household_id)),
      radiusMeters: options.radiusMeters,
      facilityBudgetShare: options.facilityBudgetShare,
      maxSitesPerFacility: options.maxSitesPerFacility,
      minHouseholdsPerSite: options.minHouseholdsPerSite,
    });
    const pkg = await insertPackage(tx, { villageCode, name, createdBy: ctx.principal.subject, templateOf });
    for (const b of budgets) await upsertBudget(tx, pkg.id, b.funderCode, b.budgetIdr, null);
    await insertItems(
      tx,
      items.map((i) => ({ packageId: pkg.id, interventionCode: i.interventionCode, funderCode: i.funderCode, householdId: i.householdId, memberId: i.memberId, locationWgs84: i.locationWgs84, quantity: 1, unitCostIdr: i.unitCostIdr, eligibilityOverrideReason: null, origin: 'PROPOSED' })),
    );
    await writeAudit(tx, ctx.principal, {
      action: templateOf ? 'DUPLICATE_PACKAGE' : 'PROPOSE_PACKAGE',
      entity: 'package',
      entityId: pkg.id,
      packageId: pkg.id,
      villageCode,
      after: { name, templateOf, options, notes, ...(await snapshot(tx, pkg)) },
      householdIds: [...new Set(items.flatMap((i) => (i.householdId ? [i.householdId] : [])))],
      requestId: ctx.requestId,
    });
    return { pkg, notes };
  });
}

/** Duplicates a package that reached approval as the template for another village: same budgets and interventions, re-proposed. */
export async function duplicatePackage(ctx: RequestContext, sourceIdArg: string, villageCode: string, name: string, options: ProposeOptions | null) {
  const sourceId = positiveId(sourceIdArg, 'packageId');
  const source = await packageById(ctx.db, ctx.principal, sourceId);
  if (!source || !policy.canReadPackagesOf(ctx.principal, source.village_code)) throw notFound('Package', sourceIdArg);
  if (!['APPROVED', 'IN_PROGRESS', 'COMPLETED'].includes(source.status)) {
    throw conflict(`Package ${sourceId} is ${source.status}; only a package that reached approval (APPROVED, IN_PROGRESS or COMPLETED) is used as a template.`);
  }
  const [budgets, items] = await Promise.all([budgetsByPackageIds(ctx.db, [sourceId]), itemsByPackageIds(ctx.db, [sourceId])]);
  const codes = [...new Set(items.map((i) => i.intervention_code))].sort();
  return proposePackage(
    ctx,
    villageCode,
    name,
    budgets.map((b) => ({ funderCode: b.funder_code, budgetIdr: b.budget_idr })),
    { radiusMeters: 500, facilityBudgetShare: 0.25, maxSitesPerFacility: 3, minHouseholdsPerSite: 5, ...options, interventionCodes: options?.interventionCodes ?? codes },
    sourceId,
  );
}
