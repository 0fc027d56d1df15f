/**
 * Catalog writes (ADMIN): each one transaction with its audit record, so resolvers stay thin and
 * never open transactions. A concurrent create is decided by the primary key.
 */
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import { AppError, badInput, ErrorCode, notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { assertCleanText } from '../../graphql/input.js';
import { insertIntervention, interventionByCode, type InterventionRow, listFunders, updateIntervention } from './catalog.queries.js';
import { assertCeiling, assertCost, assertFunderCodes, validateInterventionInput } from './catalog.service.js';
import type { InterventionInput, InterventionPatch } from './catalog.type.js';
import { parseRule } from './eligibility.js';

/** Adds an intervention to the catalog. */
export async function createCatalogIntervention(ctx: RequestContext, input: InterventionInput): Promise<InterventionRow> {
    policy.assertAdmin(ctx.principal, 'Editing the catalog');
    const row = validateInterventionInput(input, await listFunders(ctx.db));
    return ctx.db.transaction(async (tx) => {
      if (await interventionByCode(tx, row.code)) throw new AppError(ErrorCode.CONFLICT, `Intervention ${row.code} already exists.`, { argument: 'input.code' });
      // Two concurrent creates both pass the check above; the primary key decides (unique
      // violation, mapped to CONFLICT by the database layer), named here for the client.
      const created = await insertIntervention(tx, row, input.funderCodes ?? []).catch((error: unknown) => {
        throw error instanceof AppError && error.code === ErrorCode.CONFLICT ? new AppError(ErrorCode.CONFLICT, `Intervention ${row.code} already exists (another request created it at the same moment).`, { argument: 'input.code' }) : error;
      });
      await writeAudit(tx, ctx.principal, { action: 'CREATE_INTERVENTION', entity: 'intervention', entityId: row.code, after: created, requestId: ctx.requestId });
      return created;
    });
}

/** Changes a catalog intervention at the version the caller read (CONFLICT otherwise). */
export async function updateCatalogIntervention(ctx: RequestContext, code: string, version: number, patch: InterventionPatch): Promise<InterventionRow> {
    policy.assertAdmin(ctx.principal, 'Editing the catalog');
    return ctx.db.transaction(async (tx) => {
      const before = await interventionByCode(tx, code, true);
      if (!before) throw notFound('Intervention', code);
      if (before.version !== version) throw new AppError(ErrorCode.CONFLICT, `Intervention ${code} is at version ${before.version}, not ${version}: reload it and apply your change again.`, { argument: 'version', currentVersion: before.version });
      if (before.package_id !== null) throw badInput('code', `${code} is a package-specific item of package ${before.package_id}, not part of the catalog.`);
      if (patch.unitCostIdr !== undefined && patch.unitCostIdr !== null) assertCost(patch.unitCostIdr, 'patch.unitCostIdr');
      const unitCost = patch.unitCostIdr ?? before.unit_cost_idr;
      const ceiling = patch.maxUnitCostIdr === undefined ? before.max_unit_cost_idr : patch.maxUnitCostIdr;
      if (ceiling !== null) assertCeiling(unitCost, ceiling, patch.maxUnitCostIdr == null ? 'patch.unitCostIdr' : 'patch.maxUnitCostIdr');
      if (patch.funderCodes) assertFunderCodes(patch.funderCodes, await listFunders(tx), 'patch.funderCodes');
      if (patch.costSource != null) assertCleanText(patch.costSource, 'patch.costSource', 1000);
      if (patch.description != null) assertCleanText(patch.description, 'patch.description', 4000);
      const next = {
        ...before,
        unit_cost_idr: unitCost,
        max_unit_cost_idr: ceiling,
        quantity_unit: patch.quantityUnit === undefined ? before.quantity_unit : patch.quantityUnit,
        priority: patch.priority === undefined || patch.priority === null ? before.priority : parseRule(patch.priority, 'patch.priority', false),
        funder_codes: patch.funderCodes ?? before.funder_codes,
        cost_is_assumption: patch.costIsAssumption ?? before.cost_is_assumption,
        cost_source: patch.costSource ?? before.cost_source,
        eligibility: patch.eligibility === undefined || patch.eligibility === null ? before.eligibility : parseRule(patch.eligibility, 'patch.eligibility', before.target === 'PERSON'),
        is_active: patch.isActive ?? before.is_active,
        description: patch.description ?? before.description,
      };
      const after = await updateIntervention(tx, code, next);
      await writeAudit(tx, ctx.principal, { action: 'UPDATE_INTERVENTION', entity: 'intervention', entityId: code, before, after, requestId: ctx.requestId });
      return after;
    });
}
