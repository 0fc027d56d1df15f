/**
 * The only module that reads `process.env` (enforced by eslint). Everything else receives the
 * typed, validated `Config` object. Every problem is reported at once so a deployer fixes the
 * environment in one pass instead of one variable per restart.
 */
import { z } from 'zod';

const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
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
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Size of the node-postgres pool (ignored by the embedded database, which has one connection). */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type Environment = z.infer<typeof envSchema>;

export interface Config {
  env: Environment['NODE_ENV'];
  http: { host: string; port: number };
  database:
    | { kind: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number }
    | { kind: 'embedded'; dataDir: string; statementTimeoutMs: number };
  seed: { onStart: boolean; seed: number; demoScale: number };
  log: { level: Environment['LOG_LEVEL'] };
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
  return {
    env: env.NODE_ENV,
    http: { host: env.HOST, port: env.PORT },
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.PG_POOL_SIZE, statementTimeoutMs: env.STATEMENT_TIMEOUT_MS }
      : { kind: 'embedded', dataDir: env.PGLITE_DATA_DIR, statementTimeoutMs: env.STATEMENT_TIMEOUT_MS },
    seed: { onStart: env.SEED_ON_START, seed: env.SEED, demoScale: env.DEMO_SCALE },
    log: { level: env.LOG_LEVEL },
  };
}
