/**
 * Public module of the villages feature: what other features (OGC, tiles, packages) may use.
 * The one village source — protected counts, shares and score computed in SQL per caller — lives
 * in village.queries.ts; other features read villages only through these exports.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { villageFrom, villageProtection, villageVisible, VISIBLE_FISHER_SHARE, villagesByCodes, type VillageProtection, type VillageRow } from './village.queries.js';
export { DEFAULT_WEIGHTS, toVillage, visibleNeedStatistics, visiblePriority } from './village.service.js';
export { NearInput } from './village.input.js';
export { Village } from './village.type.js';
