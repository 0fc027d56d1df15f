/**
 * npm run seed -- [--households N] [--seed S]
 *
 * Without --households: loads the demo data set if the database has none (what `npm start` does
 * on first start). With --households N: replaces all households with N synthetic ones spread
 * over the 1,107 bounded villages (benchmark scale; 1,000,000 works), with a progress bar.
 * Uses DATABASE_URL when set, the embedded database otherwise.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { connect } from '../db/connect.js';
import { createLogger } from '../logging/logger.js';
import { seedDemoIfEmpty, seedScale } from './seed.service.js';

const { values } = parseArgs({
  options: {
    households: { type: 'string' },
    seed: { type: 'string' },
  },
});

const config = loadConfig();
const log = createLogger(config);
const seed = values.seed === undefined ? config.seed.seed : Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) {
  console.error(`--seed: expected a non-negative integer, got ${JSON.stringify(values.seed)}`);
  process.exit(2);
}
const households = values.households === undefined ? undefined : Number(values.households);
// 10,000,000: the national-scale run of issue #19 (docs/national-scale.md). Registry ids number
// households per village in five digits, which a village reaches only far beyond that.
const MAX_HOUSEHOLDS = 10_000_000;
if (households !== undefined && (!Number.isInteger(households) || households < 1 || households > MAX_HOUSEHOLDS)) {
  console.error(`--households: expected an integer from 1 to ${MAX_HOUSEHOLDS.toLocaleString('en')}, got ${JSON.stringify(values.households)}`);
  process.exit(2);
}

// A seed's statements are bulk work, like a registry import's: at 10,000,000 households the
// village statistics alone outlast the 15 s a request may take (STATEMENT_TIMEOUT_MS), and the
// whole seed — one transaction — rolled back after 30 minutes. The import's bound applies.
const db = await connect({ ...config.database, statementTimeoutMs: config.imports.statementTimeoutMs });
try {
  if (households === undefined) {
    const result = await seedDemoIfEmpty(db, { seed, scale: config.seed.demoScale }, log);
    if (!result) log.info('the database already holds a seed; nothing to do');
  } else {
    const result = await seedScale(db, { seed, households }, log);
    const [size] = await db.query<{ bytes: number }>('SELECT pg_database_size(current_database())::bigint AS bytes');
    log.info(
      { households: result.households, seconds: result.seconds, checksum: result.checksum, databaseMiB: Math.round((size?.bytes ?? 0) / 2 ** 20) },
      'scale seed done',
    );
  }
} finally {
  await db.close();
}
