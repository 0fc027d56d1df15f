/**
 * Public module of the programs feature: program memberships (batched by household) and their
 * GraphQL shape, which graduation shows on a household.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { type MembershipRow, membershipsByHouseholdIds } from './program.queries.js';
export { ProgramMembership, toMembership } from './program.type.js';
