import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_HEAP_GROWING_PERCENT, loadConfig } from '../../src/config/config.js';
import { applyHeapPolicy, heapFlags } from '../../src/server/heap-policy.js';

const load = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });

describe('HEAP_GROWING_PERCENT', () => {
  it('defaults to 50% and is applied as V8 flag at start; 0 leaves V8 its own policy', () => {
    expect(load().heap.growingPercent).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(heapFlags(load().heap)).toEqual([`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`]);
    expect(heapFlags(load({ HEAP_GROWING_PERCENT: '0' }).heap)).toEqual([]);
    const set: string[] = [];
    expect(applyHeapPolicy(load({ HEAP_GROWING_PERCENT: '120' }).heap, (flag) => set.push(flag))).toEqual(['--heap-growing-percent=120']);
    expect(set).toEqual(['--heap-growing-percent=120']);
  });

  it('refuses a value that is not a whole percentage, naming the setting', () => {
    for (const bad of ['-1', '12.5', 'fifty', '5000']) {
      expect(() => load({ HEAP_GROWING_PERCENT: bad })).toThrow(ConfigError);
      expect(() => load({ HEAP_GROWING_PERCENT: bad })).toThrow(/HEAP_GROWING_PERCENT/);
    }
  });

  it('names a flag this Node.js accepts (a Node upgrade that drops it fails here, not silently)', () => {
    expect(execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' })).toContain('--heap-growing-percent');
    // Accepted after start too, as main.ts sets it: for a flag it does not know V8 writes
    // "Error: unrecognized flag …" to stderr (the control below).
    const setAfterStart = (flag: string) => spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString('${flag}'); console.error('set')`], { encoding: 'utf8' }).stderr;
    expect(setAfterStart('--heap-growing-percent=50')).toBe('set\n');
    expect(setAfterStart('--no-such-heap-flag=50')).toMatch(/unrecognized flag/);
  });
});
