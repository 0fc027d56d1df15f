/**
 * The harness in smoke mode: the same fixtures, capture, load and report code as `npm run bench`,
 * against a server the caller already runs (the test suite's in-process API on its small test
 * database), with tiny fixtures and a very short load. Used by tests/bench/bench-smoke.test.ts;
 * its numbers mean nothing.
 */
import type { Database } from '../src/db/database.js';
import { captureApi, type HttpTarget, measure } from './harness.js';
import type { LoadSettings } from './load.js';
import { buildOperations, discoverFixtures } from './operations.js';
import type { StatementSource } from './pg-wire-proxy.js';
import { assembleReport, type BenchReport, formatReport } from './report.js';

export interface SmokeOptions {
  api: HttpTarget;
  /** The database the API reads: fixtures are chosen from it and the raw baseline replays on it. */
  db: Database;
  /** Records the statements the API sends (see in-process-capture.ts). */
  statements: StatementSource;
  settings?: Partial<LoadSettings>;
  /** Operation ids to run; default: every read-only operation except the package ones (slow on a test database). */
  operations?: string[];
  log?: (line: string) => void;
}

// Two rounds, so that the sides' alternation and the medians run in every test run.
export const SMOKE_SETTINGS: LoadSettings = { connections: 2, durationSeconds: 0.3, warmupSeconds: 0, rounds: 2 };

export const SMOKE_OPERATIONS = ['villages-priority', 'village-households', 'households-feature-collection', 'household-tile-z14'];

export async function runSmoke(options: SmokeOptions): Promise<{ report: BenchReport; text: string }> {
  const startedAt = new Date();
  const log = options.log ?? (() => undefined);
  const settings = { ...SMOKE_SETTINGS, ...options.settings };
  log('smoke: choosing fixtures');
  const fixtures = await discoverFixtures(options.db, { villageHouseholds: 50, bboxHouseholds: 100 });
  log('smoke: capture');
  const selected = options.operations ?? SMOKE_OPERATIONS;
  const operations = buildOperations(fixtures, { villagesFirst: 10, householdsFirst: 50, ogcLimit: 50 }).filter((op) => selected.includes(op.id));
  const captures = await captureApi(operations, { ...options.api, statements: options.statements }, log);
  log('smoke: load');
  const measurements = await measure(operations, captures, { api: options.api, postgraphile: null, raw: options.db }, settings, log);
  const report = assembleReport({
    mode: 'smoke',
    startedAt,
    machine: {},
    software: { node: process.version, database: options.db.kind },
    settings: { ...settings, households: fixtures.households },
    dataset: null,
    fixtures,
    servers: { api: 'in-process (tests/support/graphql.ts startTestApi)', postgraphile: 'not run in smoke mode' },
    operations,
    captures,
    measurements,
    memory: { apiPeakKiB: null, postgraphilePeakKiB: null },
    other: null,
  });
  return { report, text: formatReport(report) };
}
