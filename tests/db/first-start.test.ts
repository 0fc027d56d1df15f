/**
 * The first start, in one process, as `npm start` does it: an empty database (a new PGlite data
 * directory, or a new PostgreSQL database), migrated and seeded by this process, then every README
 * GraphQL example and the OGC enum-list filters over HTTP. Issue #12: PGlite learned its array
 * types when it opened, before the migrations created the enums, so every list-of-enum argument
 * failed with 22P02 "malformed array literal" until a restart. No answer may be an internal error.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/jwt.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logging/logger.js';
import { seedDemoIfEmpty } from '../../src/seed/seed.service.js';
import { createApp, type App } from '../../src/server/app.js';
import { claimsFor, extractExamples, type GraphQLResponse } from '../readme/readme-examples.js';
import { createEmptyDatabase } from '../support/test-database.js';

let db: Database;
let app: App;
let origin: string;
let config: Config;
let cleanup = async () => {};

beforeAll(async () => {
  const empty = await createEmptyDatabase('first-start');
  cleanup = () => empty.dispose();
  config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', STATEMENT_TIMEOUT_MS: '600000', ...empty.env });
  const log = createLogger(config);
  db = await connect(config.database);
  // A small demo: the reference data is complete, households are few (the bug is in binding, not volume).
  await seedDemoIfEmpty(db, { seed: config.seed.seed, scale: 0.02 }, log);
  app = await createApp(config, db, log);
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
}, 900_000);

afterAll(async () => {
  if (app) {
    await new Promise((resolve) => app.httpServer.close(resolve));
    await app.stop();
  }
  await db?.close();
  await cleanup();
});

const internal = (response: GraphQLResponse) => (response.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');

describe('first start from an empty database, in one process', () => {
  it('answers every README GraphQL example without an internal error', async () => {
    const examples = extractExamples(readFileSync('README.md', 'utf8')).filter((e) => e.kind === 'graphql' && !e.skip);
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const example of examples) {
      const token = await mintToken(config.auth, claimsFor(example.tokenArgs) as never, '1h');
      for (const query of example.operations) {
        const response = await fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables: example.variables ?? {} }),
        });
        const body = (await response.json()) as GraphQLResponse;
        expect(internal(body), `README line ${example.line}: ${query.slice(0, 120)}`).toEqual([]);
      }
    }
  }, 300_000);

  it('binds enum lists in GraphQL filters and OGC parameters on the first request', async () => {
    const token = await mintToken(config.auth, claimsFor(null) as never, '1h');
    const post = async (query: string) =>
      (await (await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) })).json()) as GraphQLResponse;
    for (const query of [
      '{ households(villageCode: "33.74.02.1008", filter: { pasAll: [FAKIR_MISKIN] }) { totalCount } }',
      '{ households(villageCode: "33.74.02.1008", filter: { livelihoods: [FISHER, FISH_FARMER] }) { totalCount } }',
      '{ villages(filter: { regencyCode: "33.74", kinds: [KELURAHAN] }) { totalCount } }',
      '{ householdsFeatureCollection(villageCode: "33.74.02.1008", filter: { pasAny: [DISABILITAS] }) }',
    ]) {
      const body = await post(query);
      expect(body.errors, query).toBeUndefined();
    }
    for (const path of ['/ogc/collections/households/items?pas=DISABILITAS,FAKIR_MISKIN', '/ogc/collections/households/items?livelihood=FISHER']) {
      const response = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(200);
    }
  });
});
