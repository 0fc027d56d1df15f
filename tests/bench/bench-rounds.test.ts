/**
 * The benchmark's rounds (bench/load.ts `medianOfRounds`): a side's figures over several rounds
 * are the medians of the rounds' figures, its counts their sums, so one round caught by another
 * process on the cores does not move the result.
 */
import { describe, expect, it } from 'vitest';
import { type LoadResult, medianOfRounds } from '../../bench/load.js';

const round = (p50: number, rps: number, extra: Partial<LoadResult> = {}): LoadResult => ({
  requests: 100,
  seconds: 5,
  requestsPerSecond: rps,
  latencyMs: { p50, p90: p50 * 2, p99: p50 * 3, mean: p50 * 1.1, max: p50 * 4 },
  errors: 0,
  non2xx: 0,
  bytesPerResponse: 1000,
  totalResponses: 120,
  sentRequests: 121,
  ...extra,
});

describe('medianOfRounds', () => {
  it('returns a single round as it is', () => {
    const only = round(10, 500);
    expect(medianOfRounds([only])).toBe(only);
  });

  it('takes the median of each figure, so one slow round does not count', () => {
    const result = medianOfRounds([round(10, 500), round(95, 40, { errors: 2 }), round(12, 480)]);
    expect(result.latencyMs).toEqual({ p50: 12, p90: 24, p99: 36, mean: 13.2, max: 380 });
    expect(result.requestsPerSecond).toBe(480);
    expect(result.requests).toBe(300);
    expect(result.seconds).toBe(15);
    expect(result.errors).toBe(2);
    expect(result.totalResponses).toBe(360);
    expect(result.sentRequests).toBe(363);
  });

  it('averages the two middle rounds of an even number', () => {
    const result = medianOfRounds([round(10, 500), round(20, 300)]);
    expect(result.latencyMs.p50).toBe(15);
    expect(result.requestsPerSecond).toBe(400);
  });

  it('leaves a round without a completed request out of the medians, whatever its place', () => {
    const empty = round(Number.NaN, 0, { requests: 0 });
    for (const rounds of [
      [empty, round(10, 500), round(12, 480)],
      [round(10, 500), empty, round(12, 480)],
      [round(10, 500), round(12, 480), empty],
    ]) {
      const result = medianOfRounds(rounds);
      expect(result.latencyMs.p50).toBe(11);
      expect(result.latencyMs.max).toBe(48);
      expect(result.requests).toBe(200);
    }
  });

  it('refuses no rounds', () => {
    expect(() => medianOfRounds([])).toThrow(/no rounds/);
  });
});
