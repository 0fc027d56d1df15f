/**
 * The only module that reads `process.env` (enforced by eslint). Everything else receives the
 * typed, validated `Config` object. Every problem is reported at once so a deployer fixes the
 * environment in one pass instead of one variable per restart.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION } from '../db/prepared-statements.js';

/** Default of HEAP_GROWING_PERCENT. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;
/** Default of IMPORT_WORK_MEM_MB (also what `npm run bench:import` runs with). */
export const DEFAULT_IMPORT_WORK_MEM_MB = 256;

const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /**
   * Origin clients reach the API at, e.g. https://kampung.example.go.id, used in OGC and TileJSON
   * links. Unset = taken from each request (right for direct access, wrong behind a TLS proxy).
   */
  PUBLIC_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+$/, 'must be an origin such as https://kampung.example.go.id (no path, no trailing slash)')
    .optional(),
  /** postgres://user:pass@host:port/db — when absent the embedded PGlite database is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** Where the embedded database keeps its files between starts. */
  PGLITE_DATA_DIR: z.string().min(1).default('.data/pglite'),
  /** Load the demo data set on first start when the database holds no seed yet. */
  SEED_ON_START: booleanFromString.default(true),
  /** Seed of the deterministic synthetic-household generator (same seed → same rows). */
  SEED: z.coerce.number().int().min(0).default(20241007),
  /**
   * Scales the number of demo households per village (1 = full demo, 57,867 households).
   * Tests use a smaller factor to keep the prepared database small.
   */
  DEMO_SCALE: z.coerce.number().positive().max(10).default(1),
  /** Server-side statement timeout applied to every request's SQL, in milliseconds. */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
  /** How long shutdown may take (draining requests, closing the database) before the process exits anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * How often each API process polls the import job queue, in milliseconds; 0 = never (jobs then
   * run only when something drains the queue). Unset: 2,000, and 0 under NODE_ENV=test, where
   * tests drain it themselves so that background polling never shows up in SQL statement counts.
   */
  IMPORT_WORKER_POLL_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /**
   * How often each API process brings the households' age roll-ups (has_elderly, has_child, the
   * village statistics' elderly and child counts) to the database's current day, in milliseconds;
   * it also runs once at start. 0 = never. Unset: 900,000 (15 minutes: a member who turned 60 or
   * 18 counts within a quarter of an hour after midnight, database time), and 0 under
   * NODE_ENV=test, so that background statements never show up in SQL statement counts. A run
   * that finds the day already done (another process did it) is one cheap statement.
   */
  AGE_ROLLUP_REFRESH_MS: z.coerce.number().int().min(0).max(86_400_000).optional(),
  /**
   * Statement timeout inside an import's transaction (CLI and job worker), in milliseconds: a large
   * registry import runs statements far longer than STATEMENT_TIMEOUT_MS allows a request (writing
   * the members of a million households takes about two minutes). Default 30 minutes.
   */
  IMPORT_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(1_800_000),
  /**
   * Memory for each sort and hash of an import's statements (`SET LOCAL work_mem`), in MB. The
   * import joins and groups millions of staged rows by registry id; at PostgreSQL's default of 4 MB
   * each of those hashes is split into batches written to temporary files. The memory is only taken
   * as a statement needs it: a small import uses no more than before.
   */
  IMPORT_WORK_MEM_MB: z.coerce.number().int().min(1).max(8_192).default(DEFAULT_IMPORT_WORK_MEM_MB),
  /**
   * Largest file POST /imports/uploads accepts, in bytes (413 above it). The upload is held in
   * memory while it arrives and then stored as text in the database (the job's files are jsonb,
   * limited to 255 MB by PostgreSQL): default 100 MB, about 300,000 households with members.
   */
  IMPORT_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1_024).max(200_000_000).default(100_000_000),
  /**
   * How far V8 lets the JavaScript heap grow past what the last full garbage collection kept, in
   * percent (V8's --heap-growing-percent; 0 = V8's own policy, which grows up to 300%). Large responses (a
   * FeatureCollection of 5,000 households is 1.9 MB) outlive a young-generation collection while
   * their request waits for the audit write, so they die in the old generation, which V8 let grow
   * to ~4× the live heap before collecting it: 340 MiB resident under the benchmark's op 3 against
   * 217–227 MiB at 50%, with the same throughput (bench/README.md, 2026-12-06). Applied at start by
   * main.ts.
   */
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_HEAP_GROWING_PERCENT),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /**
   * How long start-up waits for an unreachable PostgreSQL (compose/Kubernetes start order, a
   * restarting server), retrying with backoff from 0.5 s doubling to 5 s; 0 = fail at once.
   */
  DATABASE_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Size of the node-postgres pool (ignored by the embedded database, which has one connection). */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Named (prepared) statements kept per PostgreSQL connection, least recently used deallocated
   * (src/db/prepared-statements.ts); 0 = none, for PgBouncer in transaction mode.
   */
  PG_PREPARED_STATEMENTS: z.coerce.number().int().min(0).max(1000).default(DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION),
  /**
   * HS256 signing secret for bearer tokens (at least 32 characters). Outside production a fixed
   * development secret is used when unset, so `npm start` and `npm run token` agree out of the box.
   */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** JWKS URL of an identity provider; tokens signed RS256/ES256 by its keys are accepted. */
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().min(1).default('kampung-terpadu'),
  JWT_AUDIENCE: z.string().min(1).default('kampung-terpadu-api'),
  /**
   * Longest token lifetime accepted (exp − iat, or exp − now without iat), in seconds. A leaked
   * token is then useful for at most this long; tokens without `exp` are refused outright.
   */
  JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(12 * 3600),
  /**
   * Key (at least 32 characters) that seals paging cursors (AES-256-GCM), so clients can neither
   * read sort keys out of them nor forge them. In production it defaults to a key derived from
   * JWT_SECRET (required when only JWT_JWKS_URL is set); elsewhere a random key per process.
   */
  CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Smallest count shown in an aggregate of people or households; smaller non-zero counts are suppressed. */
  /** Graduations expected of each PKH pendamping per year (Kemensos: at least 10; a pendamping row may override it). */
  GRADUATION_TARGET_PER_PENDAMPING_PER_YEAR: z.coerce.number().int().min(1).max(1000).default(10),
  K_ANONYMITY: z.coerce.number().int().min(1).max(100).default(5),
  /** Comma-separated browser origins allowed by CORS; empty = no cross-origin browser access. */
  CORS_ORIGINS: z.string().default(''),
  /** GraphQL requests per minute per token (4x that per IP before authentication). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * OGC API and tile requests per minute per token: their own budget, because map clients send
   * many small requests (GDAL pages 10 features at a time by default, about 35 requests/s; a map
   * pan loads a dozen tiles per layer). 6,000 is about 100/s sustained.
   */
  RATE_LIMIT_MAP_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** redis:// URL: rate-limit counters are kept there, shared by every API process; unset = in memory. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Prefix of the rate-limit keys in Redis, so several deployments can share one Redis. */
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('kampung-terpadu:rate-limit:'),
  /**
   * Comma-separated postgres:// URLs of streaming read replicas of DATABASE_URL. Reads that
   * tolerate lag (GraphQL queries, OGC API, tiles) go to them; writes and audit records to the
   * primary; a principal's reads wait for its own last write (src/server/read-routing.ts).
   * Unset = every statement goes to DATABASE_URL. Not allowed with the embedded database.
   */
  DATABASE_REPLICA_URLS: z.string().optional(),
  /**
   * How long a read may wait for a replica to replay the principal's last write before it is
   * sent to the primary instead, in milliseconds.
   */
  READ_YOUR_WRITES_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /** How long a principal's last write position is remembered (Redis or memory), in seconds. */
  READ_YOUR_WRITES_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** The browser GraphQL IDE at /graphiql (bundled, works offline); default on outside production. */
  GRAPHQL_IDE: booleanFromString.optional(),
  /** Schema introspection and "did you mean" suggestions; default on outside production. */
  GRAPHQL_INTROSPECTION: booleanFromString.optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(20),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(5000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(200000),
  /**
   * Optional MapLibre style URL of an external basemap for the web app (/app), e.g. a tile server
   * the deployment may reach. Unset = the app draws its own basemap from the product's data
   * (kab/kota and kecamatan outlines, the coastline), which works offline.
   */
  WEB_BASEMAP_STYLE_URL: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  /** Execution (docs/execution.md): default phase lengths counted from a package's creation. */
  EXECUTION_ASSESSMENT_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  EXECUTION_PLANNING_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  EXECUTION_IMPLEMENTATION_DAYS: z.coerce.number().int().min(1).max(730).default(60),
  /** Share of a package's target households that need an assessment before it may become ASSESSED. */
  EXECUTION_ASSESSED_SHARE: z.coerce.number().min(0).max(1).default(1),
  /** Largest evidence file (photo or PDF) stored with a progress record, in bytes. */
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
});

/** Cursor key of this process when none is configured (one per process, so every app in it agrees). */
/** Every environment variable the configuration reads (the README's table and .env.example list each; tests/server/config-docs.test.ts). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

const PROCESS_CURSOR_SECRET = randomBytes(32).toString('base64url');

/** Development-only signing secret; refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'kampung-terpadu-development-secret-do-not-deploy';

export type Environment = z.infer<typeof envSchema>;

export interface Config {
  env: Environment['NODE_ENV'];
  http: { host: string; port: number; publicBaseUrl: string | null };
  database:
    | { kind: 'postgres'; url: string; poolSize: number; preparedStatementsPerConnection?: number; statementTimeoutMs: number; waitSeconds?: number }
    | { kind: 'embedded'; dataDir: string; statementTimeoutMs: number };
  seed: { onStart: boolean; seed: number; demoScale: number };
  log: { level: Environment['LOG_LEVEL'] };
  shutdown: { graceMs: number };
  /** V8 heap policy applied at start (main.ts): growth past the last full collection, percent; 0 = V8's default. */
  heap: { growingPercent: number };
  imports: { workerPollMs: number; statementTimeoutMs: number; workMemMb: number; uploadMaxBytes: number };
  /** Period of the age roll-up refresh (src/features/households/household.jobs.ts); 0 = never. */
  ageRollups: { refreshMs: number };
  auth: { secret: string | null; jwksUrl: string | null; issuer: string; audience: string; usingDevelopmentSecret: boolean; maxLifetimeSeconds: number };
  /** Key material for sealed cursors (see src/graphql/pagination.ts). */
  cursors: { secret: string };
  privacy: { kAnonymity: number };
  graduation: { targetPerPendampingPerYear: number };
  httpLimits: {
    corsOrigins: string[];
    /** GraphQL requests per minute per token. */
    rateLimitPerMinute: number;
    /** OGC API and tile requests per minute per token. */
    mapRateLimitPerMinute: number;
    /** Where the counters live: one Redis shared by all processes, or this process's memory. */
    rateLimitStore: { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string };
  };
  graphql: { introspection: boolean; ide: boolean; maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  web: { basemapStyleUrl: string | null };
  /** Read replicas and read-your-writes (src/server/read-routing.ts); no replicas = primary only. */
  readRouting: {
    replicaUrls: string[];
    waitMs: number;
    ttlSeconds: number;
    /** Where each principal's last write position (LSN) is kept: Redis when REDIS_URL is set. */
    store: { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string };
  };
  execution: ExecutionConfig;
}

export interface ExecutionConfig {
  assessmentDays: number;
  planningDays: number;
  implementationDays: number;
  assessedShare: number;
  evidenceMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (docker-compose passes `VAR=` for optional variables).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}: ${issue.message} (got ${JSON.stringify(cleaned[name] ?? null)})`;
      }),
    );
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production && !env.JWT_SECRET && !env.JWT_JWKS_URL) {
    throw new ConfigError(['JWT_SECRET or JWT_JWKS_URL: one is required when NODE_ENV=production (the development secret is refused)']);
  }
  if (env.JWT_SECRET === DEVELOPMENT_JWT_SECRET && production) {
    throw new ConfigError(['JWT_SECRET: the development secret is refused when NODE_ENV=production']);
  }
  if (production && !env.CURSOR_SECRET && !env.JWT_SECRET) {
    throw new ConfigError(['CURSOR_SECRET: required when NODE_ENV=production without JWT_SECRET (at least 32 characters; the same value on every process behind one address)']);
  }
  const secret = env.JWT_SECRET ?? (env.JWT_JWKS_URL ? null : DEVELOPMENT_JWT_SECRET);
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const badReplicas = replicaUrls.filter((u) => !/^postgres(ql)?:\/\//.test(u));
  if (badReplicas.length) {
    throw new ConfigError([`DATABASE_REPLICA_URLS: every URL must start with postgres:// or postgresql:// (got ${badReplicas.length} that do not)`]);
  }
  if (replicaUrls.length && !env.DATABASE_URL) {
    throw new ConfigError(['DATABASE_REPLICA_URLS: read replicas need DATABASE_URL (a PostgreSQL primary); the embedded database has none']);
  }
  return {
    env: env.NODE_ENV,
    http: { host: env.HOST, port: env.PORT, publicBaseUrl: env.PUBLIC_BASE_URL ?? null },
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.PG_POOL_SIZE, preparedStatementsPerConnection: env.PG_PREPARED_STATEMENTS, statementTimeoutMs: env.STATEMENT_TIMEOUT_MS, waitSeconds: env.DATABASE_WAIT_SECONDS }
      : { kind: 'embedded', dataDir: env.PGLITE_DATA_DIR, statementTimeoutMs: env.STATEMENT_TIMEOUT_MS },
    seed: { onStart: env.SEED_ON_START, seed: env.SEED, demoScale: env.DEMO_SCALE },
    log: { level: env.LOG_LEVEL },
    shutdown: { graceMs: env.SHUTDOWN_GRACE_MS },
    heap: { growingPercent: env.HEAP_GROWING_PERCENT },
    imports: { workerPollMs: env.IMPORT_WORKER_POLL_MS ?? (env.NODE_ENV === 'test' ? 0 : 2_000), statementTimeoutMs: env.IMPORT_STATEMENT_TIMEOUT_MS, workMemMb: env.IMPORT_WORK_MEM_MB, uploadMaxBytes: env.IMPORT_UPLOAD_MAX_BYTES },
    ageRollups: { refreshMs: env.AGE_ROLLUP_REFRESH_MS ?? (env.NODE_ENV === 'test' ? 0 : 900_000) },
    auth: {
      secret,
      jwksUrl: env.JWT_JWKS_URL ?? null,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      usingDevelopmentSecret: secret === DEVELOPMENT_JWT_SECRET,
      maxLifetimeSeconds: env.JWT_MAX_LIFETIME_SECONDS,
    },
    // Production without CURSOR_SECRET derives the key from JWT_SECRET (already shared by every
    // process); development generates one per process, since its JWT secret is public.
    cursors: {
      secret:
        env.CURSOR_SECRET ??
        (production && env.JWT_SECRET ? Buffer.from(hkdfSync('sha256', env.JWT_SECRET, 'kampung-terpadu', 'cursor-seal', 32)).toString('base64url') : PROCESS_CURSOR_SECRET),
    },
    privacy: { kAnonymity: env.K_ANONYMITY },
    graduation: { targetPerPendampingPerYear: env.GRADUATION_TARGET_PER_PENDAMPING_PER_YEAR },
    httpLimits: {
      corsOrigins: env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      mapRateLimitPerMinute: env.RATE_LIMIT_MAP_PER_MINUTE,
      rateLimitStore: env.REDIS_URL ? { kind: 'redis', url: env.REDIS_URL, prefix: env.RATE_LIMIT_REDIS_PREFIX } : { kind: 'memory' },
    },
    graphql: {
      introspection: env.GRAPHQL_INTROSPECTION ?? !production,
      ide: env.GRAPHQL_IDE ?? !production,
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxCost: env.GRAPHQL_MAX_COST,
    },
    web: { basemapStyleUrl: env.WEB_BASEMAP_STYLE_URL ?? null },
    readRouting: {
      replicaUrls,
      waitMs: env.READ_YOUR_WRITES_WAIT_MS,
      ttlSeconds: env.READ_YOUR_WRITES_TTL_SECONDS,
      store: env.REDIS_URL ? { kind: 'redis', url: env.REDIS_URL, prefix: 'kampung-terpadu:last-write:' } : { kind: 'memory' },
    },
    execution: {
      assessmentDays: env.EXECUTION_ASSESSMENT_DAYS,
      planningDays: env.EXECUTION_PLANNING_DAYS,
      implementationDays: env.EXECUTION_IMPLEMENTATION_DAYS,
      assessedShare: env.EXECUTION_ASSESSED_SHARE,
      evidenceMaxBytes: env.EVIDENCE_MAX_BYTES,
    },
  };
}
