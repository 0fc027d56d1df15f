/**
 * Per-request context. Loaders are created here, per request and per principal, so that batching
 * and caching never leak data between requests or between users with different rights.
 */
import type { Principal } from '../auth/principal.js';
import type { ExecutionConfig } from '../config/config.js';
import type { PersonalReads } from '../audit/personal-reads.js';
import type { Database } from '../db/database.js';
import { createAssessmentLoaders } from '../features/assessments/assessment.loaders.js';
import { createFunderLoaders } from '../features/funders/funder.loaders.js';
import { createPackageLoaders } from '../features/packages/package.loaders.js';
import { createHouseholdLoaders } from '../features/households/household.loaders.js';
import { createRegionLoaders } from '../features/regions/region.loaders.js';
import { createVillageLoaders } from '../features/villages/village.loaders.js';
import { createLifecycleLoaders } from '../features/graduation/graduation.loaders.js';
import { createFacilityLoaders } from '../features/facilities/facility.loaders.js';
import type { Logger } from '../logging/logger.js';
import type { ResponseSplices } from './raw-json.js';

export function createLoaders(db: Database, principal: Principal) {
  return { ...createRegionLoaders(db), ...createVillageLoaders(db), ...createHouseholdLoaders(db, principal), ...createAssessmentLoaders(db), ...createPackageLoaders(db, principal), ...createFunderLoaders(db), ...createLifecycleLoaders(db, principal), ...createFacilityLoaders(db) };
}

export type Loaders = ReturnType<typeof createLoaders>;

export interface RequestContext {
  db: Database;
  log: Logger;
  requestId: string;
  loaders: Loaders;
  /** The verified caller; every access decision reads it through `auth/policy.ts`. */
  principal: Principal;
  /** Smallest non-zero count an aggregate may show to roles that see only aggregates. */
  kAnonymity: number;
  /** Default graduations per pendamping per year (config GRADUATION_TARGET_PER_PENDAMPING_PER_YEAR). */
  graduationTargetPerYear: number;
  /** Execution settings (config EXECUTION_*, EVIDENCE_MAX_BYTES) and the clock overdue flags use; defaults when absent. */
  execution?: ExecutionConfig & { now?: () => Date };
  /** Households whose personal data this request returned; audited when the response is sent. */
  personalReads: PersonalReads;
  /** Parts of the result answered as JSON texts built by PostgreSQL, put in place before sending. */
  splices: ResponseSplices;
}
