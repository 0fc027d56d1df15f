/**
 * Public module of the audit feature: what packages use to show a package's audit trail (the
 * query and the GraphQL record it maps to).
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { auditOfPackage } from './audit.queries.js';
export { AuditRecord, toAuditRecord } from './audit.type.js';
