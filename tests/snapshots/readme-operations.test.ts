/**
 * Snapshot tests in the PostGraphile style (issue 13): every GraphQL operation documented in
 * README.md (the blocks tests/readme runs, extracted by its code) and in docs/*.md is sent to the
 * test server, and its RESULT and the SQL STATEMENTS it sent are compared with committed files in
 * tests/snapshots/__snapshots__/readme/ and __snapshots__/docs/<name>/. A docs operation that cannot
 * run against the test demo (placeholder ids, elided file contents) carries a
 * `<!-- readme-test: skip (reason) -->` line in the doc, as in the README. Docs operations run after
 * the README's, as the national demo planner unless the doc's own `npm run token` line says
 * otherwise; a doc's sh examples are not run (they are not part of the executable README). A changed result, a new or lost statement (an N+1), or a
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

const ROOT = join('tests', 'snapshots', '__snapshots__');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

interface Document {
  file: string;
  dir: string;
  examples: Example[];
  /** Run the sh examples (the README's walkthrough state); docs' are not run. */
  runShell: boolean;
}
const DOCUMENTS: Document[] = [
  { file: 'README.md', dir: join(ROOT, 'readme'), examples: extractExamples(readFileSync('README.md', 'utf8')), runShell: true },
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ file: `docs/${f}`, dir: join(ROOT, 'docs', f.replace(/\.md$/, '')), examples: extractExamples(readFileSync(join('docs', f), 'utf8')), runShell: false }))
    .filter((d) => d.examples.some((e) => e.kind === 'graphql' && !e.skip)),
];
const scratchDir = join('node_modules', '.cache', `snapshot-run-${process.pid}`);

let h: GisHarness;
let recorder: StatementRecorder;
/** Files written or compared, per snapshot directory. */
const written = new Map<string, Set<string>>(DOCUMENTS.map((d) => [d.dir, new Set<string>()]));
beforeAll(async () => {
  h = await startGisHarness();
  recorder = recordAllStatements(h.api.database.db);
  mkdirSync(scratchDir, { recursive: true });
  if (UPDATE) for (const d of DOCUMENTS) mkdirSync(d.dir, { recursive: true });
});
afterAll(async () => {
  recorder?.restore();
  rmSync(scratchDir, { recursive: true, force: true });
  await h?.close();
  // A full update leaves no snapshot of an operation the documents no longer have.
  if (UPDATE) for (const [dir, files] of written) if (files.size) for (const file of readdirSync(dir)) if (!files.has(file)) rmSync(join(dir, file));
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

function compareOrWrite(dir: string, file: string, actual: string): void {
  const path = join(dir, file);
  written.get(dir)!.add(file);
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

async function runGraphql(doc: Document, example: Example, ordinal: number): Promise<void> {
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
    // No line number here: an edit above the example would change every snapshot.
    const header = `-- ${doc.file} graphql example ${ordinal}, operation ${index + 1}, as ${JSON.stringify(claimsFor(example.tokenArgs))}\n-- ${statements.length} statements (texts only, sorted; see readme-operations.test.ts)\n`;
    compareOrWrite(doc.dir, `${name}.sql`, `${header}${statements.map((s) => `${s.trim()};`).join('\n\n')}\n`);
    compareOrWrite(doc.dir, `${name}.json`, `${JSON.stringify({ status: response.status, operation: operation.trim(), result: normalise(result, example.volatile) }, null, 2)}\n`);
  }
}

for (const doc of DOCUMENTS) {
  describe(`${doc.file} operations: result and SQL snapshots`, () => {
    let ordinal = 0;
    for (const example of doc.examples) {
      if (example.skip) continue;
      if (example.kind === 'sh') {
        if (!doc.runShell) continue;
        // Unsnapshotted, but run: the walkthrough's later operations read what these create.
        it(`line ${example.line}: sh (state for later operations)`, { timeout: 180_000 }, async () => {
          expect(await runExample(example, { origin: h.origin, mode: 'shape', token: (claims) => h.api.token(claims as never, '1h'), scratchDir })).toEqual([]);
        });
        continue;
      }
      ordinal += 1;
      const n = ordinal;
      it(`line ${example.line}: ${fileName(n, 0, example.operations[0] ?? '')}`, { timeout: 180_000 }, () => runGraphql(doc, example, n));
    }

    it('snapshots exist for every documented operation and nothing else', () => {
      if (UPDATE) return;
      const files = readdirSync(doc.dir);
      const seen = written.get(doc.dir)!;
      expect(files.filter((f) => !seen.has(f)), 'stale snapshots: regenerate with UPDATE_SNAPSHOTS=1').toEqual([]);
    });
  });
}
