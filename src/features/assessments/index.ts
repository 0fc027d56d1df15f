/**
 * Public module of the assessments feature: what execution uses to record a damage assessment
 * (the input type and the service that checks and writes it inside the caller's transaction).
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { prepareAssessment, writeAssessment } from './assessment.service.js';
export { AssessmentInput } from './assessment.type.js';
