/**
 * `npm run bench -- --quick` end to end (PostgreSQL only: the benchmark seeds its own database
 * next to the suite's and runs the servers as child processes, which the embedded database
 * cannot serve). The whole pipeline of the real benchmark at 10,000 households: the seed, the
 * wire proxy, the API and PostGraphile 5 on Node 22 (installed into bench/postgraphile5 on first
 * use), the raw replay, and the report with the ratios. Only the shape and the absence of errors
 * are checked; timings on a shared test machine mean nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/report.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(Boolean(adminUrl))('npm run bench -- --quick (PostgreSQL only: needs a server the benchmark can create its database on)', () => {
  it('measures the API, the raw SQL, the HTTP floor and PostGraphile 5 on ops 1-3 in two rounds without errors, with the SQL of every side', { timeout: 600_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'kt-bench-quick-test-'));
    try {
      const run = spawnSync('npx', ['tsx', 'bench/run.ts', '--quick', '--duration', '1', '--warmup', '0', '--rounds', '2', '--http-floor', '--admin-url', adminUrl!, '--out', out], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 590_000,
        env: { ...process.env, LOG_LEVEL: 'warn' },
      });
      expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
      const [file] = readdirSync(out).filter((f) => f.endsWith('-quick.json'));
      expect(file).toBeDefined();
      const report = JSON.parse(readFileSync(join(out, file!), 'utf8')) as BenchReport;
      expect(report.settings.quick).toBe(true);
      expect(String(report.software.serverNode)).toMatch(/^v22\./);
      expect(report.software.postgraphile5).toMatch(/^5\./);
      expect(report.operations.map((o) => o.number)).toEqual([1, 2, 3]);
      for (const op of report.operations) {
        expect(op.api?.load?.requests, op.id).toBeGreaterThan(0);
        expect(op.api?.load?.errors, op.id).toBe(0);
        expect(op.api?.load?.non2xx, op.id).toBe(0);
        expect(op.raw?.sql, op.id).toContain('-- statement 1');
        expect(op.ratios.apiToRawP50, op.id).toBeGreaterThan(0);
        expect(op.rounds, op.id).toHaveLength(2);
        // The bare HTTP server over the same statements answered every request.
        expect(op.httpFloor?.load?.requests, op.id).toBeGreaterThan(0);
        expect(op.httpFloor?.load?.errors, op.id).toBe(0);
        expect(op.httpFloor?.load?.non2xx, op.id).toBe(0);
        expect(op.ratios.httpFloorToRawP50, op.id).toBeGreaterThan(0);
      }
      for (const op of report.operations.filter((o) => o.number !== 1)) {
        // Every server in each round, the order reversed in the second.
        expect(op.rounds?.map((r) => r.order), op.id).toEqual([
          ['api', 'raw', 'httpFloor', 'postgraphile5'],
          ['postgraphile5', 'httpFloor', 'raw', 'api'],
        ]);
        expect(op.postgraphile5?.check.ok, `${op.id}: ${op.postgraphile5?.check.detail}`).toBe(true);
        expect(op.postgraphile5?.statements[0]?.text, op.id).toMatch(/select/i);
        expect(op.postgraphile5?.load?.requests, op.id).toBeGreaterThan(0);
        expect(op.postgraphile5?.load?.non2xx, op.id).toBe(0);
        expect(op.ratios.apiToPostgraphile5Rps, op.id).toBeGreaterThan(0);
      }
      expect(report.targets.map((t) => t.id)).toEqual(expect.arrayContaining(['throughput-vs-postgraphile5-op2', 'throughput-vs-postgraphile5-op3', 'api-peak-rss']));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
