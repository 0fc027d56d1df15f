import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { HouseholdResolver, MemberResolver } from '../features/households/household.resolver.js';
import { AuditResolver } from '../features/audit/audit.resolver.js';
import { AssessmentResolver } from '../features/assessments/assessment.resolver.js';
import { CatalogResolver } from '../features/catalog/catalog.resolver.js';
import { FunderFieldResolver, FunderResolver } from '../features/funders/funder.resolver.js';
import { PackageItemResolver, PackageResolver } from '../features/packages/package.resolver.js';
import { RegionResolver } from '../features/regions/region.resolver.js';
import { VillageResolver } from '../features/villages/village.resolver.js';
import { GraduationResolver } from '../features/graduation/graduation.resolver.js';
import { PendampingResolver } from '../features/pendamping/pendamping.resolver.js';
import { ExecutionResolver } from '../features/execution/execution.resolver.js';
import { ProgramResolver } from '../features/programs/program.resolver.js';
import { ReferralResolver } from '../features/referrals/referral.resolver.js';
import { ImportResolver } from '../features/imports/import.resolver.js';
import { VillageFacilitiesResolver } from '../features/facilities/facility.resolver.js';
import { ViewerResolver } from '../features/viewer/viewer.resolver.js';

export async function createSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    // One resolver per line, so features added in parallel merge without conflicts.
    resolvers: [
      RegionResolver,
      VillageResolver,
      HouseholdResolver,
      MemberResolver,
      CatalogResolver,
      FunderResolver,
      FunderFieldResolver,
      AssessmentResolver,
      PackageResolver,
      PackageItemResolver,
      AuditResolver,
      ProgramResolver,
      PendampingResolver,
      GraduationResolver,
      ReferralResolver,
      ImportResolver,
      VillageFacilitiesResolver,
      ViewerResolver,
      ExecutionResolver,
    ],
    // Input validation is done by each feature's service so errors name the argument.
    validate: false,
  });
  const query = schema.getQueryType();
  if (query) {
    query.description =
      'Read side of Kampung Terpadu: choose a village and see its mapped households. All geometry is WGS84 (EPSG:4326), GeoJSON positions are [longitude, latitude].';
  }
  const mutation = schema.getMutationType();
  if (mutation) {
    mutation.description =
      'Write side: the catalog (ADMIN), assessments (PENDAMPING, PLANNER) and packages (PLANNER). Every mutation runs in one transaction with its audit record; package changes carry the version you read (optimistic concurrency).';
  }
  return lexicographicSortSchema(schema);
}
