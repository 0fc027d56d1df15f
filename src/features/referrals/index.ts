/**
 * Public module of the referrals feature: referrals and follow-ups (batched by graduation), their
 * GraphQL shapes, and the writes the graduation demo seed uses.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
// This module exports GraphQL classes, whose decorators need the metadata polyfill loaded first;
// importing it here lets a CLI, seeder or test setup use the feature without the GraphQL entry point.
import 'reflect-metadata';
export { type FollowUpRow, followUpsByGraduationIds, insertFollowUp, insertReferral, type ReferralRow, referralsByGraduationIds, updateReferralStatus } from './referral.queries.js';
export { FollowUp, Referral, toFollowUp, toReferral } from './referral.type.js';
