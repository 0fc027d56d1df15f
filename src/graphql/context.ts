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

/** Each feature's loaders, made together (they may share a cache or a batch function). */
const LOADER_GROUPS = [
  (db: Database) => createRegionLoaders(db),
  (db: Database) => createVillageLoaders(db),
  (db: Database, principal: Principal) => createHouseholdLoaders(db, principal),
  (db: Database) => createAssessmentLoaders(db),
  (db: Database, principal: Principal) => createPackageLoaders(db, principal),
  (db: Database) => createFunderLoaders(db),
  (db: Database, principal: Principal) => createLifecycleLoaders(db, principal),
  (db: Database) => createFacilityLoaders(db),
] as const;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
export type Loaders = UnionToIntersection<ReturnType<(typeof LOADER_GROUPS)[number]>>;

/**
 * The prototype of every request's loaders: which group makes each loader is learnt from the
 * first request's groups, made eagerly.
 */
let lazyLoaders: object | null = null;

/**
 * A request's loaders, each feature's group made on first use: a request uses one or two of the
 * eight (about 30 DataLoaders in all), and making them all was ~2% of the API's CPU on an
 * authenticated `{ __typename }` (bench/README.md, 2026-12-06, eighth session). The object's
 * prototype holds one getter per loader that makes its group and puts the group's loaders on the
 * object itself, so later reads are plain property reads.
 */
export function createLoaders(db: Database, principal: Principal): Loaders {
  if (!lazyLoaders) return learnGroups(db, principal);
  const loaders = Object.create(lazyLoaders) as Loaders & LoaderSource;
  loaders[SOURCE] = { db, principal };
  return loaders;
}

const SOURCE = Symbol('loader source');
interface LoaderSource {
  [SOURCE]: { db: Database; principal: Principal };
}

function learnGroups(db: Database, principal: Principal): Loaders {
  const groups = LOADER_GROUPS.map((make) => make(db, principal));
  const groupOfLoader = new Map(groups.flatMap((group, index) => Object.keys(group).map((name) => [name, index] as const)));
  const prototype: Record<string, unknown> = {};
  for (const [name, index] of groupOfLoader) {
    Object.defineProperty(prototype, name, {
      get(this: LoaderSource) {
        const { db: groupDb, principal: groupPrincipal } = this[SOURCE];
        // Own properties shadow these getters from now on, for this request only.
        Object.defineProperties(this, Object.fromEntries(Object.entries(LOADER_GROUPS[index]!(groupDb, groupPrincipal)).map(([key, value]) => [key, { value, enumerable: true }])));
        return (this as unknown as Record<string, unknown>)[name];
      },
    });
  }
  lazyLoaders = prototype;
  return Object.assign({}, ...groups) as Loaders;
}

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
