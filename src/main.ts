/**
 * `npm start`: reads the configuration, opens (and migrates) the database, loads the demo data
 * on first start, and serves the API until SIGINT/SIGTERM, then drains and closes cleanly.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { connect } from './db/connect.js';
import { StartupError } from './db/startup-error.js';
import { createLogger } from './logging/logger.js';
import { seedDemoIfEmpty } from './seed/seed.service.js';
import { createApp } from './server/app.js';
import { mintToken } from './auth/jwt.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const db = await connect(config.database, log);
  log.info({ database: db.kind }, 'database ready');
  if (config.seed.onStart) await seedDemoIfEmpty(db, { seed: config.seed.seed, scale: config.seed.demoScale }, log);
  const app = await createApp(config, db, log);
  await new Promise<void>((resolve, reject) => {
    app.httpServer.once('error', reject);
    app.httpServer.listen(config.http.port, config.http.host, resolve);
  });
  log.info(`Kampung Terpadu GraphQL API on http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${config.http.port}/graphql`);
  if (config.auth.usingDevelopmentSecret) {
    // Development only (production refuses the development secret): a ready planner token so the
    // README's first query works without an identity provider.
    const token = await mintToken(config.auth, { sub: 'demo-planner@kemensos.go.id', role: 'PLANNER', org: 'Kemensos (demo)', regions: '*' }, '12h');
    log.warn('Using the development JWT secret. Demo PLANNER token (national scope, valid 12 h):');
    process.stdout.write(`\nAuthorization: Bearer ${token}\n\nMint others with: npm run token -- --role viewer|partner|pendamping|admin ...\n\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
