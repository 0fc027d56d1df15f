/**
 * `npm run bench:import` end to end at a small size (PostgreSQL only: it creates its own scratch
 * database beside the suite's). The import benchmark is how issue #17's 1,000,000-household figure
 * is measured; this keeps it runnable (it once stopped at start-up when the imports module began to
 * load GraphQL types) and checks that every generated row was imported. No timing is judged.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(Boolean(adminUrl))('npm run bench:import (PostgreSQL only: needs a server the benchmark can create its database on)', () => {
  it('writes a valid extract of 300 households and imports all of it, with the time of every step', { timeout: 300_000 }, () => {
    const run = spawnSync('npx', ['tsx', 'bench/import-registry.ts', '--households', '300', '--admin-url', adminUrl!], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 290_000 });
    expect(run.status, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
    const written = /extract written: (\d+) households, (\d+) members/.exec(run.stdout);
    expect(written).not.toBeNull();
    const changes = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('{"householdsInserted"'))!) as Record<string, number>;
    expect(changes['householdsInserted']).toBe(Number(written![1]));
    expect(changes['membersInserted']).toBe(Number(written![2]));
    const steps = JSON.parse(/steps \(ms\): (\{.*\})/.exec(run.stdout)![1]!) as Record<string, number>;
    // On PostgreSQL the files are parsed while COPY stages them: one step (registry.import.ts).
    expect(Object.keys(steps)).toEqual(expect.arrayContaining(['parseAndStage', 'checkDatabase', 'households', 'members', 'pasTags']));
  });
});
