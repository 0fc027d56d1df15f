/**
 * Opens the configured database, checks it is usable and brings its schema up to date.
 * Failures a deployer can fix become a `StartupError` with one actionable line.
 */
import { mkdirSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { isDatabaseUnavailable } from '../errors/errors.js';
import { openEmbedded, openPostgres, type Database } from './database.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { migrate } from './migrate.js';
import { StartupError } from './startup-error.js';


function describeTarget(url: string): string {
  try {
    const parsed = new NodeURL(url);
    // Never echo the password.
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the DATABASE_URL host';
  }
}

function pgErrorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** Attempt delays: 0.5 s doubling up to 5 s, until `waitSeconds` have passed in total. */
export function backoffDelaysMs(waitSeconds: number): number[] {
  const delays: number[] = [];
  for (let total = 0, next = 500; total + next <= waitSeconds * 1000; next = Math.min(next * 2, 5000)) {
    delays.push(next);
    total += next;
  }
  return delays;
}

/**
 * Runs `SELECT 1` until it succeeds. Only "not reachable yet" errors (refused, starting up,
 * shutting down) are retried — wrong credentials or a missing database do not fix themselves.
 */
async function waitForDatabase(db: Database, waitSeconds: number, target: string, log?: Pick<Logger, 'warn' | 'info'>): Promise<void> {
  const delays = backoffDelaysMs(waitSeconds);
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query('SELECT 1');
      if (attempt > 0) log?.info({ target, attempts: attempt + 1 }, 'database reachable');
      return;
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined || !isDatabaseUnavailable(error)) throw error;
      log?.warn({ target, attempt: attempt + 1, retryInMs: delay, waitSeconds, reason: error instanceof Error ? error.message : String(error) }, 'database not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function connect(config: Config['database'], log?: Pick<Logger, 'warn' | 'info'>): Promise<Database> {
  if (config.kind === 'embedded') {
    mkdirSync(config.dataDir, { recursive: true });
    const release = acquireDataDirLock(config.dataDir);
    try {
      const db = await openEmbedded(config);
      await migrate(db);
      const close = db.close.bind(db);
      return Object.assign(db, {
        async close() {
          await close();
          release();
        },
      });
    } catch (error) {
      release();
      throw error;
    }
  }

  const target = describeTarget(config.url);
  const db = await openPostgres(config);
  try {
    await waitForDatabase(db, config.waitSeconds ?? 0, target, log);
  } catch (error) {
    await db.close().catch(() => undefined);
    const cause = (error as { cause?: unknown }).cause ?? error;
    const code = pgErrorCode(cause);
    const reason = cause instanceof Error ? cause.message : String(cause);
    if (code === '3D000') {
      throw new StartupError(`Database at ${target} does not exist (${reason}): create it with createdb or fix DATABASE_URL.`);
    }
    if (code === '28P01' || code === '28000') {
      throw new StartupError(`PostgreSQL at ${target} rejected the credentials (${reason}): check the user and password in DATABASE_URL.`);
    }
    throw new StartupError(
      `Cannot reach PostgreSQL at ${target} (${code ?? reason})${config.waitSeconds ? ` after waiting ${config.waitSeconds} s (DATABASE_WAIT_SECONDS)` : ''}: check that the server is running, accepts TCP connections, and that DATABASE_URL is right.`,
    );
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    if (/extension "postgis"|postgis\.control/i.test(reason)) {
      throw new StartupError(
        `PostGIS is not installed on ${target} (${reason}): install it (Debian/Ubuntu: apt-get install postgresql-15-postgis-3; or run the postgis/postgis Docker image) and start again.`,
      );
    }
    if (pgErrorCode(error) === '42501') {
      throw new StartupError(`The DATABASE_URL user may not create the postgis extension on ${target} (${reason}): run CREATE EXTENSION postgis as a superuser once, then start again.`);
    }
    throw error;
  }
  return db;
}
