/**
 * The README's printed outputs, value by value (issue #12). The shape suite (readme.test.ts) runs
 * on the tests' smaller demo; this one builds what a new user gets — an empty database (a new
 * PGlite directory, or a new PostgreSQL database) seeded with the default demo, as `npm start`
 * seeds it — and runs every example in README order in `exact` mode, the comparison
 * `npm run readme:check` makes against a running server. Fields the README marks volatile (ages,
 * dates, ids that depend on time) are compared by shape only; tests/readme/readme-examples.ts
 * documents the markers. A README edit that changes an example's printed output fails here.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/jwt.js';
import type { Claims } from '../../src/auth/principal.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logging/logger.js';
import { seedDemoIfEmpty } from '../../src/seed/seed.service.js';
import { createApp, type App } from '../../src/server/app.js';
import { createEmptyDatabase } from '../support/test-database.js';
import { extractExamples, runExample } from './readme-examples.js';

const examples = extractExamples(readFileSync('README.md', 'utf8'));
const scratchDir = join('node_modules', '.cache', `readme-values-${process.pid}`);

let db: Database;
let app: App;
let origin: string;
let config: Config;
let cleanup = async () => {};

beforeAll(async () => {
  // The server's own defaults (seed, demo scale, limits) apart from what a test process must set.
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', STATEMENT_TIMEOUT_MS: '600000', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_MAP_PER_MINUTE: '100000' };
  const empty = await createEmptyDatabase('readme-values');
  cleanup = () => empty.dispose();
  config = loadConfig({ ...base, ...empty.env });
  const log = createLogger(config);
  db = await connect(config.database);
  await seedDemoIfEmpty(db, { seed: config.seed.seed, scale: config.seed.demoScale }, log);
  app = await createApp(config, db, log);
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
  mkdirSync(scratchDir, { recursive: true });
}, 900_000);

afterAll(async () => {
  rmSync(scratchDir, { recursive: true, force: true });
  if (app) {
    await new Promise((resolve) => app.httpServer.close(resolve));
    await app.stop();
  }
  await db?.close();
  await cleanup();
});

describe('README.md examples, values compared on the default demo', () => {
  it('seeds the default demo (no scale set in the environment)', () => {
    expect(config.seed.demoScale).toBe(1);
  });

  // README order: the package walkthrough's later steps build on its earlier ones.
  for (const example of examples) {
    if (example.skip) continue;
    const title = `line ${example.line}: ${example.kind} ${example.code.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'))?.trim().slice(0, 70) ?? ''}`;
    it(title, { timeout: 180_000 }, async () => {
      const problems = await runExample(example, { origin, mode: 'exact', scratchDir, token: (claims) => mintToken(config.auth, claims as Claims, '1h') });
      expect(problems, `README line ${example.line}`).toEqual([]);
    });
  }
});
