/**
 * Public module of the regions feature: region codes (parsing and levels), the GraphQL Region type
 * and name keys, which every feature that filters or shows by region uses.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { nameKey } from './name-key.js';
export { parseRegionCode } from './region.codes.js';
export { Region, RegionKind, RegionLevel } from './region.type.js';
