/**
 * Funders, funds and mustahik verifications: the writes behind the funder resolvers, each one
 * transaction with its audit record (resolvers stay thin and never open transactions).
 */
import { writeAudit } from '../../audit/audit.js';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import { AppError, badInput, ErrorCode, notFound } from '../../errors/errors.js';
import type { RequestContext } from '../../graphql/context.js';
import { parseId, parseIsoDate } from '../../graphql/input.js';
import { type FunderRow, interventionByCode, listFunders, setInterventionFunders } from '../catalog/index.js';
import { funderExists, type FundRow, insertFund, insertFunder, insertVerification, listFunderKinds, type VerificationRow, villageOfHousehold } from './funder.queries.js';
import type { FundInput, FunderInput } from './funder.type.js';

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

function text(value: string, argument: string, max = 200): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(argument, 'must not be empty.');
  if (trimmed.length > max) throw badInput(argument, `must be at most ${max} characters; got ${trimmed.length}.`);
  return trimmed;
}

function checkFund(f: FundInput, argument: string) {
  if (!CODE.test(f.code)) throw badInput(`${argument}.code`, `must be 2–40 capital letters, digits or underscores, starting with a letter; got ${JSON.stringify(f.code)}.`);
  return { code: f.code, name: text(f.name, `${argument}.name`), requires_mustahik: f.requiresMustahik, legal_basis: f.legalBasis.trim(), description: f.description.trim() };
}

/**
 * Who may record a funder's mustahik verification: ADMIN, or a PARTNER of that very funder for a
 * household in a village granted to it or already in its row scope. Anyone else gets the same
 * NOT_FOUND as for a household that does not exist.
 */
async function assertCanVerify(ctx: RequestContext, principal: Principal, householdId: number, funderCode: string): Promise<string> {
  const village = await villageOfHousehold(ctx.db, householdId);
  if (village && principal.role === 'ADMIN') return village;
  if (village && principal.role === 'PARTNER' && principal.funder === funderCode) {
    if (principal.villageCodes.includes(village) || (await ctx.loaders.householdById.load(householdId))) return village;
  }
  throw notFound('Household', String(householdId));
}

/** Registers a funder with its kind, funds and the catalog interventions it may pay for (ADMIN). */
export async function createFunder(ctx: RequestContext, input: FunderInput): Promise<FunderRow> {
    policy.assertAdmin(ctx.principal, 'Registering funders');
    if (!CODE.test(input.code)) throw badInput('input.code', `must be 2–40 capital letters, digits or underscores, starting with a letter; got ${JSON.stringify(input.code)}.`);
    const name = text(input.name, 'input.name');
    const kinds = await listFunderKinds(ctx.db);
    if (!kinds.some((k) => k.code === input.kind)) throw badInput('input.kind', `unknown funder kind ${JSON.stringify(input.kind)}; expected one of ${kinds.map((k) => k.code).join(', ')}.`);
    const funds = input.funds.length ? input.funds.map((f, i) => checkFund(f, `input.funds[${i}]`)) : [{ code: input.code, name, requires_mustahik: false, legal_basis: '', description: '' }];
    const seen = new Set<string>();
    funds.forEach((f, i) => {
      if (seen.has(f.code)) throw badInput(`input.funds[${i}].code`, `${f.code} appears twice.`);
      seen.add(f.code);
    });
    return ctx.db.transaction(async (tx) => {
      if (!(await insertFunder(tx, { code: input.code, name, kind: input.kind, description: input.description.trim() }))) {
        throw new AppError(ErrorCode.CONFLICT, `Funder ${input.code} already exists.`, { argument: 'input.code' });
      }
      for (const [i, f] of funds.entries()) {
        if (!(await insertFund(tx, { ...f, funder_code: input.code, is_default: i === 0 }))) throw new AppError(ErrorCode.CONFLICT, `Fund ${f.code} already exists.`, { argument: `input.funds[${i}].code` });
      }
      for (const [i, code] of input.interventionCodes.entries()) {
        const intervention = await interventionByCode(tx, code, true);
        if (!intervention || intervention.package_id !== null) throw badInput(`input.interventionCodes[${i}]`, `unknown catalog intervention ${JSON.stringify(code)}.`);
        await setInterventionFunders(tx, code, [...intervention.funder_codes, input.code]);
      }
      const created = (await listFunders(tx)).find((f) => f.code === input.code)!;
      await writeAudit(tx, ctx.principal, { action: 'CREATE_FUNDER', entity: 'funder', entityId: input.code, after: { ...created, funds, interventionCodes: input.interventionCodes }, requestId: ctx.requestId });
      return created;
    });
}

/** Adds a fund to a funder (ADMIN). */
export async function createFund(ctx: RequestContext, funderCode: string, input: FundInput): Promise<FundRow> {
    policy.assertAdmin(ctx.principal, 'Registering funds');
    const fund = checkFund(input, 'input');
    return ctx.db.transaction(async (tx) => {
      if (!(await funderExists(tx, funderCode))) throw notFound('Funder', funderCode);
      const row = await insertFund(tx, { ...fund, funder_code: funderCode, is_default: false });
      if (!row) throw new AppError(ErrorCode.CONFLICT, `Fund ${fund.code} already exists.`, { argument: 'input.code' });
      await writeAudit(tx, ctx.principal, { action: 'CREATE_FUND', entity: 'fund', entityId: fund.code, after: row, requestId: ctx.requestId });
      return row;
    });
}

/** Records a funder's own mustahik verification of a household (ADMIN, or a PARTNER of that funder). */
export async function recordMustahikVerification(
  ctx: RequestContext,
  householdIdArg: string,
  funderCode: string,
  isMustahik: boolean,
  basisArg: string,
  verifiedOnArg: string,
): Promise<VerificationRow> {
    const householdId = parseId(householdIdArg, 'householdId', 'a household id');
    const basis = text(basisArg, 'basis', 500);
    const verifiedOn = parseIsoDate(verifiedOnArg, 'verifiedOn', { notInFuture: true });
    if (!(await funderExists(ctx.db, funderCode))) throw badInput('funderCode', `unknown funder ${JSON.stringify(funderCode)}.`);
    const village = await assertCanVerify(ctx, ctx.principal, householdId, funderCode);
    return ctx.db.transaction(async (tx) => {
      const row = await insertVerification(tx, { household_id: householdId, funder_code: funderCode, is_mustahik: isMustahik, basis, verified_by: ctx.principal.subject, verified_on: verifiedOn });
      await writeAudit(tx, ctx.principal, { action: 'VERIFY_MUSTAHIK', entity: 'household', entityId: householdId, villageCode: village, after: row, householdIds: [householdId], requestId: ctx.requestId });
      ctx.loaders.householdById.clear(householdId);
      return row;
    });
}
