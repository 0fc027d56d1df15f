import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { policy } from '../../auth/policy.js';
import type { RequestContext } from '../../graphql/context.js';
import { pageSize } from '../../graphql/pagination.js';
import { AuditRecord, toAuditRecord } from './audit.type.js';
import { findAudit } from './audit.queries.js';
import { parseId } from '../../graphql/input.js';

@Resolver()
export class AuditResolver {
  @Query(() => [AuditRecord], {
    description:
      'The audit log, newest first (ADMIN only): every mutation and every read of personal data by a non-admin. Filter by actor, action (e.g. READ_PERSONAL_DATA, ADD_ITEM) or household; page with `beforeId` (the last id you received). `first` default 50, at most 1000.',
  })
  async auditLog(
    @Arg('actor', () => String, { nullable: true }) actor: string | null,
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('householdId', () => ID, { nullable: true }) householdId: string | null,
    @Arg('beforeId', () => ID, { nullable: true }) beforeId: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: RequestContext,
  ): Promise<AuditRecord[]> {
    policy.assertAdmin(ctx.principal, 'The audit log');
    const id = (value: string | null, argument: string) => (value == null ? null : parseId(value, argument));
    return (await findAudit(ctx.db, { actor, action, householdId: id(householdId, 'householdId'), beforeId: id(beforeId, 'beforeId'), limit: pageSize(first) })).map(toAuditRecord);
  }
}
