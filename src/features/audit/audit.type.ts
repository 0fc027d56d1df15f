import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

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
