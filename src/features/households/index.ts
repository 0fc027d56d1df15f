/**
 * Public module of the households feature: what other features (OGC, tiles, packages, villages,
 * catalog, assessments) may use. The one household source — join, the policy's scope, active rows,
 * filters, visible properties and the protected grid — lives in household.source.ts; other
 * features read households only through these exports (lint rule `viaPublicModules`).
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export * from './household.enums.js';
export {
  ACTIVE_HOUSEHOLD,
  type BboxWgs84,
  HOUSEHOLDS_FROM,
  type HouseholdCriteria,
  householdConditions,
  householdFeatureJson,
  householdGridCells,
  householdPagePlanStable,
  type HouseholdProperty,
  householdProperties,
  type HouseholdReading,
  householdWhere,
} from './household.source.js';
export { type AgeRollupRefresher, startAgeRollupRefresher } from './household.jobs.js';
export { type AgeRollupRefresh, householdsByIds, type HouseholdRow, membersByHouseholdIds, type MemberRow, refreshAgeRollups } from './household.queries.js';
export { toHousehold } from './household.service.js';
export { Household } from './household.type.js';
