/**
 * Public module of the graduation feature: the caseload access check and lifecycle context that
 * programs, referrals, pendamping and viewer share; the graduation map source that OGC and tiles read;
 * the demo seed the seeder runs.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { withConflicts } from './graduation.errors.js';
export { boundaryMeets, inRegion, VILLAGE_GRADUATION_PROPERTIES, villageGraduationFeatureJson, villageGraduationMapColumns, villageGraduationMapFrom } from './graduation.map.js';
export { factsOf, listGraduations, markReturned } from './graduation.queries.js';
export { seedLifecycleDemo } from './graduation.seed.js';
export { assertCaseloadReader, canGroupTargetsBy, type LifecycleContext } from './graduation.service.js';
export { TargetGrouping } from './graduation.type.js';
