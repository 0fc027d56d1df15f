/**
 * Snapshot tests in the PostGraphile style (issue 13): every GraphQL operation documented in
 * README.md (the blocks tests/readme runs, extracted by its code) is sent to the test server, and
 * its RESULT and the SQL STATEMENTS it sent are compared with committed files in
 * tests/snapshots/__snapshots__/readme/. A changed result, a new or lost statement (an N+1), or a
 * changed SQL text fails the test. The files are rewritten only with UPDATE_SNAPSHOTS=1:
 *
 *   UPDATE_SNAPSHOTS=1 npx vitest run tests/snapshots
 *
 * Both databases must match the same files: the demo test database is deterministic, and the SQL
 * comes from the same code path whichever driver runs it.
 *
 * What is normalised, and why:
 * - SQL: texts only, no parameter values (they carry today's date, the current year and ids that
 *   the walkthrough creates), listed sorted: resolvers run concurrently, so the order in which
 *   independent statements are sent depends on which earlier one finished first.
 * - Results: cursors (encrypted with a random IV: a new string every time), ISO timestamps (the
 *   moment of the run), dates equal to today (defaults such as a decision dated today), error ids
 *   (random), and the keys the README itself marks volatile (e.g. ages, which change with the day).
 *
 * The sh examples run too, unsnapshotted, in README order: later graphql examples read what they
 * created.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';
import { claimsFor, extractExamples, runExample, type Example } from '../readme/readme-examples.js';
import { recordAllStatements, type StatementRecorder } from './statements.js';

const DIR = join('tests', 'snapshots', '__snapshots__', 'readme');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

const examples = extractExamples(readFileSync('README.md', 'utf8'));
const scratchDir = join('node_modules', '.cache', `snapshot-run-${process.pid}`);

let h: GisHarness;
let recorder: StatementRecorder;
const written = new Set<string>();
beforeAll(async () => {
  h = await startGisHarness();
  recorder = recordAllStatements(h.api.database.db);
  mkdirSync(scratchDir, { recursive: true });
  if (UPDATE) mkdirSync(DIR, { recursive: true });
});
afterAll(async () => {
  recorder?.restore();
  rmSync(scratchDir, { recursive: true, force: true });
  await h?.close();
  // A full update leaves no snapshot of an operation the README no longer has.
  if (UPDATE && written.size) for (const file of readdirSync(DIR)) if (!written.has(file)) rmSync(join(DIR, file));
});

const today = () => new Date().toISOString().slice(0, 10);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const CURSOR_KEY = /^(cursor|endCursor|startCursor|after|before)$/;

/** The result with its volatile values replaced by placeholders that say what they were. */
function normalise(value: unknown, volatile: Set<string>, key = ''): unknown {
  if (volatile.has(key)) return `<volatile ${key}>`;
  if (Array.isArray(value)) return value.map((v) => normalise(v, volatile, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, volatile, k)]));
  }
  if (typeof value === 'string') {
    if (CURSOR_KEY.test(key)) return '<cursor>';
    if (key === 'errorId') return '<errorId>';
    if (TIMESTAMP.test(value)) return '<timestamp>';
    // Also inside a string: the package CSV carries an item's started_on (today) in its text.
    if (value.includes(today())) return value.replaceAll(today(), '<today>');
  }
  return value;
}

/** `NN-i-name`: the README's NN-th graphql example, its i-th operation, named after the operation or its first field. */
function fileName(ordinal: number, operationIndex: number, operation: string): string {
  const named = /^\s*(?:query|mutation)\s+(\w+)/m.exec(operation)?.[1];
  const firstField = /\{\s*(?:\w+\s*:\s*)?(\w+)/.exec(operation)?.[1];
  const slug = (named ?? firstField ?? 'operation').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, '');
  return `${String(ordinal).padStart(2, '0')}-${operationIndex + 1}-${slug}`;
}

function compareOrWrite(file: string, actual: string): void {
  const path = join(DIR, file);
  written.add(file);
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`No snapshot ${path}: run UPDATE_SNAPSHOTS=1 npx vitest run tests/snapshots and commit it.`);
  }
  expect(actual, `${path} (UPDATE_SNAPSHOTS=1 npx vitest run tests/snapshots rewrites it)`).toBe(expected);
}

async function runGraphql(example: Example, ordinal: number): Promise<void> {
  const token = await h.api.token(claimsFor(example.tokenArgs) as never, '1h');
  for (const [index, operation] of example.operations.entries()) {
    recorder.start();
    const response = await fetch(`${h.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: operation, variables: example.variables ?? {} }),
    });
    const result = (await response.json()) as unknown;
    const statements = recorder.stop().sort();
    const name = fileName(ordinal, index, operation);
    // No README line number here: an edit above the example would change every snapshot.
    const header = `-- README.md graphql example ${ordinal}, operation ${index + 1}, as ${JSON.stringify(claimsFor(example.tokenArgs))}\n-- ${statements.length} statements (texts only, sorted; see readme-operations.test.ts)\n`;
    compareOrWrite(`${name}.sql`, `${header}${statements.map((s) => `${s.trim()};`).join('\n\n')}\n`);
    compareOrWrite(`${name}.json`, `${JSON.stringify({ status: response.status, operation: operation.trim(), result: normalise(result, example.volatile) }, null, 2)}\n`);
  }
}

describe('README operations: result and SQL snapshots', () => {
  let ordinal = 0;
  for (const example of examples) {
    if (example.skip) continue;
    if (example.kind === 'sh') {
      // Unsnapshotted, but run: the walkthrough's later operations read what these create.
      it(`line ${example.line}: sh (state for later operations)`, { timeout: 180_000 }, async () => {
        expect(await runExample(example, { origin: h.origin, mode: 'shape', token: (claims) => h.api.token(claims as never, '1h'), scratchDir })).toEqual([]);
      });
      continue;
    }
    ordinal += 1;
    const n = ordinal;
    it(`line ${example.line}: ${fileName(n, 0, example.operations[0] ?? '')}`, { timeout: 180_000 }, () => runGraphql(example, n));
  }

  it('snapshots exist for every documented operation and nothing else', () => {
    if (UPDATE) return;
    const files = readdirSync(DIR);
    expect(files.filter((f) => !written.has(f)), 'stale snapshots: regenerate with UPDATE_SNAPSHOTS=1').toEqual([]);
  });
});
