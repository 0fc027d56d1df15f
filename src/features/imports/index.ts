/**
 * Public module of the imports feature: what the server wires in (the job worker and the HTTP upload
 * router), what the reference seeder uses (the boundary import), and the import itself with the
 * registry's documented column lists (the benchmark writes registry files and imports them).
 * Other features (and the server, seeders and benchmarks) use this feature only through these
 * exports (lint rule viaPublicModules), so its internals can change without touching them.
 */
export { importBoundaries } from './boundary.import.js';
export { type ImportWorker, startImportWorker } from './import.jobs.js';
export { createImportRouter } from './import.router.js';
export { runImport } from './import.runner.js';
export { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from './registry.format.js';
