/**
 * Public module of the funders feature: the funds (budgets) that package costing reads.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
export { allFunds } from './funder.queries.js';
