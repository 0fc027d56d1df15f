/**
 * Public module of the execution feature: approvals, verification and the execution outcome that
 * the package workflow checks before a transition.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
export { assessmentCoverage, currentApproval, funderSignoffs, insertApproval, isVerified, withdrawApproval } from './execution.queries.js';
export { executionOf, progressNeedsLocation, progressScopeOf } from './execution.service.js';
