/**
 * The two load generators, measured the same way: a closed loop with a fixed number of
 * concurrent clients for a fixed duration after a warm-up, every request's latency kept exactly
 * (performance.now / hrtime, not autocannon's whole-millisecond histogram) and reduced to the
 * same percentiles.
 *
 * - `httpLoad`: autocannon against a URL (the API, PostGraphile).
 * - `sqlLoad`: the captured SQL of one request replayed through node-postgres (the floor): each
 *   statement waits for exactly the statements that had finished before it started in the
 *   capture, so the API's own parallelism (DataLoaders, COUNT beside the page) is kept.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { Database, Queryable } from '../src/db/database.js';
import type { CapturedStatement } from './pg-wire-proxy.js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  /** Completed requests in the timed window (after warm-up). */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  /** Transport errors and timeouts (HTTP) or failed statements (SQL). */
  errors: number;
  /** HTTP responses that were not 2xx (always 0 for SQL). */
  non2xx: number;
  /** Mean response size in bytes (HTTP only). */
  bytesPerResponse: number | null;
  /** Responses of any status in warm-up and timed run together. */
  totalResponses: number;
  /**
   * Requests sent in warm-up and timed run together, including those still in flight when the
   * run stopped (the server finishes them): the divisor of the per-request CPU and xact figures.
   */
  sentRequests: number;
}

export interface LoadSettings {
  connections: number;
  /** Timed window, seconds. */
  durationSeconds: number;
  /** Warm-up before the timed window, seconds (same connections; results discarded). */
  warmupSeconds: number;
  /** Stop each run after this many requests even if time is left (smoke runs only). */
  maxRequests?: number;
  /**
   * Rounds per operation (default 1): the sides take turns, each round a warm-up and a timed
   * window, and a side's figures are the medians of its rounds (see `medianOfRounds`).
   */
  rounds?: number;
}

/** Warm-up of every round after the first, seconds: the process is warm by then, its pool open. */
export const REWARM_SECONDS = 1;

/** Median of the finite values (a round with no completed request has NaN percentiles); NaN if none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/**
 * One side's rounds as one result. Each latency percentile and the request rate are the median
 * of the rounds' values, not the percentile of all requests pooled: on a shared host one slow
 * round (another process on the cores) then moves the figure not at all, where pooled it would
 * move it by its share of the requests. Counts (requests, errors, responses) and seconds are
 * summed, so `requests / seconds` is the mean rate, not `requestsPerSecond` (the median). A round
 * without a completed request (NaN percentiles) is left out of the medians.
 */
export function medianOfRounds<T extends LoadResult>(rounds: readonly T[]): T {
  const [first] = rounds;
  if (!first) throw new Error('medianOfRounds: no rounds');
  if (rounds.length === 1) return first;
  const sum = (pick: (r: LoadResult) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const med = (pick: (r: LoadResult) => number) => round(median(rounds.map(pick)));
  const sizes = rounds.map((r) => r.bytesPerResponse).filter((b): b is number => b !== null);
  const maxes = rounds.map((r) => r.latencyMs.max).filter((v) => Number.isFinite(v));
  return {
    ...first,
    requests: sum((r) => r.requests),
    seconds: round(sum((r) => r.seconds)),
    requestsPerSecond: med((r) => r.requestsPerSecond),
    latencyMs: {
      p50: med((r) => r.latencyMs.p50),
      p90: med((r) => r.latencyMs.p90),
      p99: med((r) => r.latencyMs.p99),
      mean: med((r) => r.latencyMs.mean),
      max: maxes.length ? Math.max(...maxes) : Number.NaN,
    },
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    bytesPerResponse: sizes.length ? Math.round(median(sizes)) : null,
    totalResponses: sum((r) => r.totalResponses),
    sentRequests: sum((r) => r.sentRequests),
  };
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(latencies: number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const mean = latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
    max: round(sorted.length ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN),
  };
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

async function autocannonOnce(spec: HttpRequestSpec, settings: LoadSettings, seconds: number, latencies: number[] | null) {
  let bytes = 0;
  let responses = 0;
  let done: (result: autocannon.Result) => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: spec.url,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      connections: settings.connections,
      pipelining: 1,
      duration: seconds,
      amount: settings.maxRequests,
      timeout: 30,
    },
    (error: unknown, result: autocannon.Result) => (error ? failed(error) : done(result)),
  );
  instance.on('response', (_client, statusCode, resBytes, responseTime) => {
    responses += 1;
    if (latencies && statusCode >= 200 && statusCode < 300) {
      latencies.push(responseTime);
      bytes += resBytes;
    }
  });
  const result = await finished;
  return { result, bytes, responses };
}

const sent = (result: autocannon.Result) => (result.requests as { sent?: number }).sent ?? 0;

/** autocannon with a warm-up run first; latencies from every 2xx response of the timed run. */
export async function httpLoad(spec: HttpRequestSpec, settings: LoadSettings): Promise<LoadResult> {
  const warmup = settings.warmupSeconds > 0 ? await autocannonOnce(spec, settings, settings.warmupSeconds, null) : null;
  const latencies: number[] = [];
  const { result, bytes, responses } = await autocannonOnce(spec, settings, settings.durationSeconds, latencies);
  const seconds = result.duration;
  return {
    requests: latencies.length,
    seconds,
    requestsPerSecond: round(latencies.length / seconds, 1),
    latencyMs: summarize(latencies),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerResponse: latencies.length ? Math.round(bytes / latencies.length) : null,
    totalResponses: responses + (warmup?.responses ?? 0),
    sentRequests: sent(result) + (warmup ? sent(warmup.result) : 0),
  };
}

export interface PlannedStatement {
  text: string;
  params: unknown[];
  /** Indices of the statements this one waits for (they had ended before it started). */
  after: number[];
  /** Connection it was sent on (statements of one transaction share it). */
  connection: number;
  /** The API sent it as a named statement: the replay does too (src/db/prepared-statements.ts). */
  prepared: boolean;
}

/** One request's statements with their dependencies, from a capture of that request. */
export function planFromCapture(statements: readonly CapturedStatement[]): PlannedStatement[] {
  return statements.map((s, i) => ({
    text: s.text,
    params: s.params,
    after: statements.flatMap((other, j) => (j !== i && other.endedAt !== null && other.endedAt <= s.startedAt ? [j] : [])),
    connection: s.connection,
    prepared: s.prepared,
  }));
}

const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const END = /^\s*(COMMIT|ROLLBACK|END)\b/i;

/**
 * Runs one request's statements, each as soon as the statements it waits for are done. A
 * transaction of the capture (BEGIN … COMMIT on one connection) is replayed as one transaction on
 * one pooled connection. Resolves to each statement's rows (undefined for a transaction's).
 */
export async function runPlan(db: Queryable & { transaction?: Database['transaction'] }, plan: readonly PlannedStatement[]): Promise<unknown[]> {
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < plan.length; i++) {
    const statement = plan[i] as PlannedStatement;
    const waitFor = Promise.all(statement.after.map((j) => done[j]));
    if (BEGIN.test(statement.text) && db.transaction) {
      const members = [i];
      for (let k = i + 1; k < plan.length; k++) {
        if ((plan[k] as PlannedStatement).connection !== statement.connection) continue;
        members.push(k);
        if (END.test((plan[k] as PlannedStatement).text)) break;
      }
      const inner = members.slice(1).filter((k) => !END.test((plan[k] as PlannedStatement).text));
      const transaction = waitFor.then(() =>
        db.transaction!(async (tx) => {
          for (const k of inner) await tx.query((plan[k] as PlannedStatement).text, (plan[k] as PlannedStatement).params, { planStable: (plan[k] as PlannedStatement).prepared });
        }),
      );
      for (const k of members) done[k] = transaction;
      continue;
    }
    if (done[i]) continue; // part of a transaction started above
    done[i] = waitFor.then(() => db.query(statement.text, statement.params, { planStable: statement.prepared }));
  }
  return Promise.all(done);
}

/** Closed loop: `connections` workers each repeat `work` until the deadline. */
async function closedLoop(connections: number, seconds: number, maxRequests: number, work: () => Promise<void>, latencies: number[] | null) {
  const deadline = performance.now() + seconds * 1000;
  let started = 0;
  let completed = 0;
  let errors = 0;
  let firstError: unknown = null;
  const t = performance.now();
  const worker = async () => {
    while (performance.now() < deadline && started < maxRequests) {
      started += 1;
      const t0 = performance.now();
      try {
        await work();
        completed += 1;
        latencies?.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { completed, errors, firstError, seconds: (performance.now() - t) / 1000 };
}

/** The captured SQL replayed through `db` (a node-postgres pool of `connections`). */
export async function sqlLoad(db: Queryable & { transaction?: Database['transaction'] }, plan: readonly PlannedStatement[], settings: LoadSettings): Promise<LoadResult & { firstError: string | null }> {
  const max = settings.maxRequests ?? Number.POSITIVE_INFINITY;
  const work = async () => void (await runPlan(db, plan));
  const warmup = settings.warmupSeconds > 0 ? await closedLoop(settings.connections, settings.warmupSeconds, max, work, null) : null;
  const latencies: number[] = [];
  const run = await closedLoop(settings.connections, settings.durationSeconds, max, work, latencies);
  return {
    requests: latencies.length,
    seconds: round(run.seconds, 2),
    requestsPerSecond: round(latencies.length / run.seconds, 1),
    latencyMs: summarize(latencies),
    errors: run.errors,
    non2xx: 0,
    bytesPerResponse: null,
    totalResponses: run.completed + run.errors + (warmup ? warmup.completed + warmup.errors : 0),
    sentRequests: run.completed + run.errors + (warmup ? warmup.completed + warmup.errors : 0),
    firstError: run.firstError === null ? null : String(run.firstError instanceof Error ? run.firstError.message : run.firstError),
  };
}
