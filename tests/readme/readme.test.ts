/**
 * The README runs: every ```graphql and ```sh example in README.md is executed against the test
 * server over HTTP, in README order, and its printed output compared (shape mode: the test demo
 * is smaller than the default one, so counts and ids differ; readme-values.test.ts (and `npm run readme:check`) compares
 * values against a server with the default demo). See tests/readme/readme-examples.ts for the
 * rules and the markers for volatile fields and blocks that must not run.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGisHarness, type GisHarness } from '../ogc/harness.js';
import { extractExamples, runExample } from './readme-examples.js';

const examples = extractExamples(readFileSync('README.md', 'utf8'));
const scratchDir = join('node_modules', '.cache', `readme-run-${process.pid}`);

let h: GisHarness;
beforeAll(async () => {
  h = await startGisHarness();
  mkdirSync(scratchDir, { recursive: true });
});
afterAll(async () => {
  rmSync(scratchDir, { recursive: true, force: true });
  await h?.close();
});

describe('README.md examples', () => {
  it('has graphql and sh examples, and every skipped one says why', () => {
    expect(examples.filter((e) => e.kind === 'graphql').length).toBeGreaterThanOrEqual(10);
    expect(examples.filter((e) => e.kind === 'sh').length).toBeGreaterThanOrEqual(3);
    for (const e of examples.filter((x) => x.skip)) expect(e.skip, `README line ${e.line}`).not.toBe('marked skip');
  });

  // One test per example, in README order: later ones build on earlier ones (the package walkthrough).
  for (const example of examples) {
    const title = `line ${example.line}: ${example.kind} ${example.code.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'))?.trim().slice(0, 70) ?? ''}`;
    if (example.skip) continue;
    it(title, { timeout: 180_000 }, async () => {
      const problems = await runExample(example, {
        origin: h.origin,
        mode: 'shape',
        token: (claims) => h.api.token(claims as never, '1h'),
        scratchDir,
      });
      expect(problems, `README line ${example.line}`).toEqual([]);
    });
  }
});
