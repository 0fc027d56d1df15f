/**
 * Public module of the packages feature: what other features (execution, OGC, tiles, graduation,
 * assessments) may use. Package items are read through the one package-item source
 * (package-item.source.ts) — join, the caller's scope, properties and protected money sums — so
 * no surface can show an item or a total differently from another.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export {
  FACILITY_FEATURE_PROPERTIES,
  ITEM_FEATURE_PROPERTIES,
  ITEM_TILE_ATTRIBUTES,
  itemConditions,
  itemFeatureSource,
  itemTileRows,
  ITEMS_FROM,
  type ItemBboxCrs84,
  type ItemFeatureSource,
  type OutcomeCounts,
  outcomeCounts,
  servedByPasCounts,
  type PackageItemFilters,
} from './package-item.source.js';
export { bumpVersion, packageById, pointInVillage, updateItemProgress } from './package.queries.js';
export { ItemProgress } from './package.type.js';
