/**
 * `npm start`: reads the configuration, opens (and migrates) the database, loads the demo data
 * on first start, and serves the API until SIGINT/SIGTERM, then drains and closes cleanly.
 *
 * Every stage is logged when it starts and when it ends, and a stage that runs longer than a few
 * seconds says so every few seconds: a first start (migrations, demo data) must never look hung.
 * Shutdown is bounded: after the grace period the process exits even if something still holds it
 * open (a stuck request, a database close that never returns).
 */
import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import type { Database } from './db/database.js';
import { StartupError } from './db/startup-error.js';
import { createLogger, type Logger } from './logging/logger.js';
import { applyHeapPolicy } from './server/heap-policy.js';
import type { App } from './server/app.js';
// Only light modules are imported up front, so the first line appears within a second; the
// database driver (PGlite's WebAssembly), the seed and the GraphQL stack load inside their stages.

/** How often a long stage reports that it is still running. */
const HEARTBEAT_MS = 5_000;
/** A signal repeated within this time is taken as a relayed copy of the first, not a second Ctrl-C. */
const DUPLICATE_SIGNAL_MS = 1_000;

/** Runs one start-up stage with a start line, a line every few seconds while it runs, and an end line. */
async function stage<T>(log: Logger, name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log.info({ stage: name }, `${name}…`);
  const heartbeat = setInterval(() => {
    log.info({ stage: name, seconds: Math.round((Date.now() - started) / 1000) }, `${name}: still working (${Math.round((Date.now() - started) / 1000)} s)`);
  }, HEARTBEAT_MS);
  try {
    const result = await work();
    log.info({ stage: name, ms: Date.now() - started }, `${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    clearInterval(heartbeat);
  }
}

function describeDatabase(database: Config['database']): string {
  return database.kind === 'embedded' ? `embedded PostgreSQL (PGlite) in ${database.dataDir}` : 'PostgreSQL from DATABASE_URL';
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const log = createLogger(config);
  const v8Flags = applyHeapPolicy(config.heap);
  log.info({ node: process.version, env: config.env, database: config.database.kind, v8Flags }, `starting Kampung Terpadu (${describeDatabase(config.database)})`);

  // Filled in as the stages complete; shutdown closes whatever is open.
  const running: { db?: Database; app?: App } = {};
  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A signal sent to the process group can also be relayed by a wrapper (npm, tini, tsx):
      // a repeat within a second is the same request, not a user insisting.
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) {
        log.info({ signal }, 'shutdown already in progress');
        return;
      }
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    const graceMs = config.shutdown.graceMs;
    log.info({ signal, graceMs }, `shutting down (at most ${graceMs / 1000} s)`);
    // Not unref'd: this timer is what guarantees the process ends.
    setTimeout(() => {
      log.error({ graceMs }, `shutdown did not finish within ${graceMs / 1000} s; exiting anyway`);
      process.exit(1);
    }, graceMs);
    try {
      if (running.app) {
        log.info('shutdown: draining HTTP requests and closing the server');
        await running.app.stop();
      }
      if (running.db) {
        log.info('shutdown: closing the database');
        await running.db.close();
      }
      log.info('shutdown: done');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed; exiting');
      process.exit(1);
    }
  };
  // Registered before the slow stages, so Ctrl-C during a first start also closes the database.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const database = await stage(log, 'opening the database and applying migrations', async () => {
    const { connect } = await import('./db/connect.js');
    return connect(config.database, log);
  });
  running.db = database;
  if (config.seed.onStart) {
    await stage(log, 'loading the demo data if the database has none (first start only)', async () => {
      const { seedDemoIfEmpty } = await import('./seed/seed.service.js');
      return seedDemoIfEmpty(database, { seed: config.seed.seed, scale: config.seed.demoScale }, log);
    });
  }
  if (stopping) return;
  const app = await stage(log, 'building the GraphQL schema and HTTP routes', async () => {
    const { createApp } = await import('./server/app.js');
    return createApp(config, database, log);
  });
  running.app = app;
  const server = app.httpServer;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, resolve);
  });
  const origin = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${config.http.port}`;
  log.info({ seconds: Math.round((Date.now() - started) / 100) / 10 }, `Kampung Terpadu GraphQL API on ${origin}/graphql (ready after ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (config.auth.usingDevelopmentSecret) {
    // Development only (production refuses the development secret): a ready planner token so the
    // README's first query works without an identity provider.
    const { mintToken } = await import('./auth/jwt.js');
    const token = await mintToken(config.auth, { sub: 'demo-planner@kemensos.go.id', role: 'PLANNER', org: 'Kemensos (demo)', regions: '*' }, Math.min(12 * 3600, config.auth.maxLifetimeSeconds));
    log.warn('Using the development JWT secret. Demo PLANNER token (national scope, valid 12 h):');
    // The IDE reads the token from the URL fragment, which browsers never send to the server.
    const ide = config.graphql.ide ? `GraphQL IDE with this token: ${origin}/graphiql#token=${token}\n\n` : '';
    process.stdout.write(`\nAuthorization: Bearer ${token}\n\n${ide}Mint others with: npm run token -- --role viewer|partner|pendamping|admin ...\n\n`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
