import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import type { AuditRow } from './audit.queries.js';

@ObjectType({ description: 'An audit record: who did what, when, with the state before and after.' })
export class AuditRecord {
  @Field(() => ID, { description: 'Record id.' })
  id!: string;

  @Field(() => String, { description: 'When, ISO 8601.' })
  at!: string;

  @Field(() => String, { description: 'Who (token subject).' })
  actor!: string;

  @Field(() => String, { description: 'Their role.' })
  role!: string;

  @Field(() => String, { nullable: true, description: 'Their organisation.' })
  organisation!: string | null;

  @Field(() => String, { description: 'What, e.g. CREATE_PACKAGE, ADD_ITEM, TRANSITION.' })
  action!: string;

  @Field(() => String, { description: 'Entity changed.' })
  entity!: string;

  @Field(() => String, { nullable: true, description: 'Its id.' })
  entityId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The package concerned, if any.' })
  packageId!: string | null;

  @Field(() => String, { nullable: true, description: 'The village concerned, if any.' })
  villageCode!: string | null;

  @Field(() => [ID], { description: 'Households concerned (for READ_PERSONAL_DATA: the households read).' })
  householdIds!: string[];

  @Field(() => GraphQLJSON, { nullable: true, description: 'State before (never NIK or KK).' })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'State after (never NIK or KK).' })
  after!: unknown;
}

export const toAuditRecord = (r: AuditRow): AuditRecord =>
  Object.assign(new AuditRecord(), {
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    role: r.role,
    organisation: r.organisation,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    packageId: r.package_id === null ? null : String(r.package_id),
    villageCode: r.village_code,
    householdIds: (r.household_ids ?? []).map(String),
    before: r.before,
    after: r.after,
  });
