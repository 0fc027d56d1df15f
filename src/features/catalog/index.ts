/**
 * Public module of the catalog feature: the intervention catalogue, funders and the eligibility
 * rules, used by packages (proposals, items), funders and graduation (rule evaluation).
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { FacilityServes, InterventionCategory } from './catalog.enums.js';
export { type FunderRow, insertIntervention, interventionByCode, type InterventionRow, listFunders, listInterventions, setInterventionFunders } from './catalog.queries.js';
export { eligibilityOf, toFunder } from './catalog.service.js';
export { Funder, RulePart } from './catalog.type.js';
export { evaluate, funderRule, type HouseholdFacts, type Op, type Rule, type RulePartResult } from './eligibility.js';
