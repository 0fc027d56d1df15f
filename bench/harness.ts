/**
 * The benchmark's two phases, independent of how the servers run (child processes for
 * `npm run bench`, an in-process app for the smoke test):
 *
 * 1. capture: each operation is sent once to warm up, then a few times alone through a server
 *    whose SQL is recorded (statements per request, the exact SQL text and parameters, and the
 *    order they depend on), with a small and a large page where the operation has one;
 * 2. measure: for each available operation, the API under load, the captured SQL replayed
 *    through node-postgres at the same concurrency (the floor), PostGraphile v4 and 5, back to
 *    back, in rounds with the order reversed every other round, so that changes in the machine's
 *    background load hit all sides alike.
 */
import type { Database } from '../src/db/database.js';
import { httpLoad, type LoadResult, type LoadSettings, median, medianOfRounds, planFromCapture, type PlannedStatement, REWARM_SECONDS, sqlLoad } from './load.js';
import { type BenchPrincipal, type HttpCall, isMissingFromSchema, type Operation, type ResponseCheck } from './operations.js';
import type { CapturedStatement, StatementSource } from './pg-wire-proxy.js';

export interface HttpTarget {
  baseUrl: string;
  headers: Record<string, string>;
  /** Headers (the bearer token) of each bench principal a call may be sent as (`HttpCall.principal`). */
  principalHeaders?: Partial<Record<BenchPrincipal, Record<string, string>>>;
}

export interface CaptureTarget extends HttpTarget {
  statements: StatementSource;
}

export interface RecordedStatement {
  text: string;
  params: unknown[];
  /** Indices (in this list) of the statements it waited for. */
  after: number[];
  /** Connection through the proxy (statements of one transaction share it). */
  connection: number;
  /** Sent as a named (prepared) statement. */
  prepared: boolean;
  /** From the Execute/Query message to ReadyForQuery, ms, in the (unloaded) capture. */
  ms: number | null;
}

export interface SideCapture {
  check: ResponseCheck;
  /** The request as sent. */
  request: { method: string; path: string; graphql?: HttpCall['graphql'] };
  statementsPerRequest: number;
  /** Statement counts of the repeated captures (they should agree). */
  repeats: number[];
  statements: RecordedStatement[];
  pageSizes?: { smallSize: number; largeSize: number; smallStatements: number; largeStatements: number; constant: boolean };
  responseBytes: number;
}

export interface OperationCapture {
  id: string;
  available: boolean;
  /** Why it is not available or not measured. */
  note?: string;
  api?: SideCapture;
  postgraphile?: SideCapture;
  postgraphile5?: SideCapture;
}

export interface SendResult {
  status: number;
  body: unknown;
  bytes: number;
}

export function requestSpec(target: HttpTarget, call: HttpCall) {
  const own = call.principal ? target.principalHeaders?.[call.principal] : undefined;
  // Sending a principal's request with another token would measure another scope: refuse.
  if (call.principal && !own) throw new Error(`${call.method} ${call.path} is sent as ${call.principal}, but the target holds no token for it (HttpTarget.principalHeaders)`);
  const headers: Record<string, string> = { ...target.headers, ...own };
  if (call.graphql) headers['content-type'] = 'application/json';
  return {
    method: call.method,
    url: `${target.baseUrl}${call.path}`,
    headers,
    body: call.graphql ? JSON.stringify(call.graphql) : undefined,
  };
}

export async function send(target: HttpTarget, call: HttpCall): Promise<SendResult> {
  const spec = requestSpec(target, call);
  const response = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body, signal: AbortSignal.timeout(60_000) });
  const buffer = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = buffer;
  if (/json/.test(type)) {
    try {
      body = JSON.parse(buffer.toString('utf8'));
    } catch {
      body = buffer.toString('utf8');
    }
  }
  return { status: response.status, body, bytes: buffer.byteLength };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `call` alone and returns the statements the server sent for it. */
async function captureOnce(target: CaptureTarget, call: HttpCall): Promise<{ result: SendResult; statements: CapturedStatement[] }> {
  target.statements.start();
  const result = await send(target, call);
  // Statements issued after the response (none expected) would still be counted.
  await pause(30);
  return { result, statements: target.statements.stop() };
}

const REPEATS = 3;

function record(statements: CapturedStatement[]): RecordedStatement[] {
  return planFromCapture(statements).map((s, i) => ({
    ms: statements[i]?.endedAt != null ? Math.round(((statements[i]?.endedAt ?? 0) - (statements[i]?.startedAt ?? 0)) * 100) / 100 : null,
    text: s.text,
    params: s.params.map((p) => (Buffer.isBuffer(p) ? { binaryBase64: p.toString('base64') } : p)),
    after: s.after,
    connection: s.connection,
    prepared: s.prepared,
  }));
}

async function captureSide(target: CaptureTarget, call: HttpCall, check: (status: number, body: unknown) => ResponseCheck, pageSizes: Operation['pageSizes']) {
  const first = await send(target, call);
  const checked = check(first.status, first.body);
  const repeats: number[] = [];
  let last: CapturedStatement[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const { statements } = await captureOnce(target, call);
    repeats.push(statements.length);
    last = statements;
  }
  let sizes: SideCapture['pageSizes'];
  if (pageSizes) {
    const small = (await captureOnce(target, pageSizes.small)).statements.length;
    const large = (await captureOnce(target, pageSizes.large)).statements.length;
    sizes = { smallSize: pageSizes.smallSize, largeSize: pageSizes.largeSize, smallStatements: small, largeStatements: large, constant: small === large };
  }
  const side: SideCapture = {
    check: checked,
    request: { method: call.method, path: call.path, graphql: call.graphql },
    statementsPerRequest: last.length,
    repeats,
    statements: record(last),
    pageSizes: sizes,
    responseBytes: first.bytes,
  };
  return { side, first, plan: planFromCapture(last) };
}

export interface CaptureResult {
  capture: OperationCapture;
  /** The API's statements, ready to replay. */
  plan: PlannedStatement[] | null;
  /** The operation as `prepare` completed it (the request to send under load). */
  prepared?: Operation;
}

/** Phase 1 for the API: availability, response check and SQL of every operation. */
export async function captureApi(operations: readonly Operation[], target: CaptureTarget, log: (line: string) => void): Promise<Map<string, CaptureResult>> {
  const out = new Map<string, CaptureResult>();
  for (const original of operations) {
    let op = original;
    if (op.prepare) {
      const prepared = await op.prepare((call) => send(target, call));
      if ('unavailable' in prepared) {
        log(`  (${op.number}) ${op.id}: not available in this version of the API (${prepared.unavailable})`);
        out.set(op.id, { capture: { id: op.id, available: false, note: `not available in this version of the API: ${prepared.unavailable}` }, plan: null });
        continue;
      }
      if ('failed' in prepared) {
        log(`  (${op.number}) ${op.id}: ${prepared.failed}`);
        out.set(op.id, { capture: { id: op.id, available: true, note: prepared.failed }, plan: null });
        continue;
      }
      op = { ...op, api: prepared.api };
      out.set(op.id, { capture: { id: op.id, available: true }, plan: null, prepared: op });
    }
    const probe = await send(target, op.api);
    if (op.optional && (probe.status === 404 || isMissingFromSchema(probe.body))) {
      log(`  (${op.number}) ${op.id}: not available in this version of the API (${probe.status === 404 ? `404 on ${op.api.path}` : 'not in the schema'})`);
      out.set(op.id, { capture: { id: op.id, available: false, note: 'not available in this version of the API' }, plan: null });
      continue;
    }
    const { side, plan } = await captureSide(target, op.api, op.checkApi, op.pageSizes);
    log(`  (${op.number}) ${op.id}: ${side.check.detail}; ${side.statementsPerRequest} SQL statements per request${side.pageSizes ? ` (page ${side.pageSizes.smallSize}: ${side.pageSizes.smallStatements}, page ${side.pageSizes.largeSize}: ${side.pageSizes.largeStatements})` : ''}`);
    const note = side.check.ok ? undefined : `response check failed: ${side.check.detail}`;
    out.set(op.id, { capture: { id: op.id, available: true, note, api: side }, plan, prepared: op.prepare ? op : undefined });
  }
  return out;
}

/** A baseline server: PostGraphile v4 or PostGraphile 5. */
export type Baseline = 'postgraphile' | 'postgraphile5';

export const BASELINE_NAMES: Record<Baseline, string> = { postgraphile: 'PostGraphile v4', postgraphile5: 'PostGraphile 5' };

function baselineCall(op: Operation, which: Baseline) {
  return which === 'postgraphile' ? { call: op.postgraphile, check: op.checkPostgraphile } : { call: op.postgraphile5, check: op.checkPostgraphile5 };
}

/** Phase 1 for a PostGraphile baseline (operations it serves). */
export async function capturePostgraphile(
  operations: readonly Operation[],
  target: CaptureTarget,
  captures: Map<string, CaptureResult>,
  log: (line: string) => void,
  which: Baseline = 'postgraphile',
): Promise<void> {
  for (const op of operations) {
    const entry = captures.get(op.id);
    const { call, check } = baselineCall(op, which);
    if (!call || !check || !entry?.capture.available) continue;
    const { side } = await captureSide(target, call, check, undefined);
    log(`  (${op.number}) ${op.id} on ${BASELINE_NAMES[which]}: ${side.check.detail}; ${side.statementsPerRequest} SQL statements per request`);
    entry.capture[which] = side;
  }
}

/** What the hooks measure around one load run (all optional). */
export interface RunExtras {
  /** Peak VmRSS of the server sampled during the run, KiB. */
  rssKiB?: number | null;
  /** pg_stat_database.xact_commit delta / requests (statements per request for autocommit statements). */
  xactPerRequest?: number | null;
  /** CPU time of the server process (API, PostGraphile) or of the replaying client (raw) per request, ms. */
  cpuMsPerRequest?: number | null;
  /** CPU time of the PostgreSQL backends serving the run per request, ms. */
  dbCpuMsPerRequest?: number | null;
}

/**
 * The sides of a measurement. `httpFloor`: a bare `node:http` server replaying the operation's
 * captured SQL (http-floor-server.ts), what any HTTP service over the same SQL costs at least.
 */
export type Side = 'api' | 'raw' | 'httpFloor' | Baseline;

export const SIDE_NAMES: Record<Side, string> = { api: 'API', raw: 'raw SQL', httpFloor: 'HTTP floor', ...BASELINE_NAMES };

/** The header the HTTP floor picks the operation's statements by (http-floor-server.ts). */
export const HTTP_FLOOR_OPERATION_HEADER = 'x-bench-operation';

export interface OperationMeasurement {
  id: string;
  api?: LoadResult;
  raw?: LoadResult & { firstError: string | null };
  httpFloor?: LoadResult;
  postgraphile?: LoadResult;
  postgraphile5?: LoadResult;
  /** Each side's figures over its rounds (medians; `rounds` keeps every round when there were several). */
  extras: Partial<Record<Side, RunExtras>>;
  rounds?: OperationRounds;
}

export interface MeasureHooks {
  /** Called before and after each load run (warm-up included). */
  beforeLoad?(side: Side): Promise<void>;
  afterLoad?(side: Side, result: LoadResult): Promise<RunExtras>;
}

/** One round of one side: its load and what the hooks measured around it. */
export interface RoundMeasurement {
  load: LoadResult;
  extras: RunExtras;
}

export interface OperationRounds {
  /** Each side's rounds, in round order. */
  sides: Partial<Record<Side, RoundMeasurement[]>>;
  /** The order the sides ran in, per round. */
  order: Side[][];
}

const medianOf = (values: readonly (number | null | undefined)[]) => {
  const m = median(values.filter((v): v is number => typeof v === 'number'));
  return Number.isFinite(m) ? Math.round(m * 100) / 100 : null;
};

/** One side's extras over its rounds: medians per request, the peak of the memory peaks. */
function combineExtras(rounds: readonly RoundMeasurement[]): RunExtras {
  const peaks = rounds.map((r) => r.extras.rssKiB).filter((v): v is number => typeof v === 'number');
  return {
    rssKiB: peaks.length ? Math.max(...peaks) : null,
    xactPerRequest: medianOf(rounds.map((r) => r.extras.xactPerRequest)),
    cpuMsPerRequest: medianOf(rounds.map((r) => r.extras.cpuMsPerRequest)),
    dbCpuMsPerRequest: medianOf(rounds.map((r) => r.extras.dbCpuMsPerRequest)),
  };
}

/**
 * Phase 2: API, raw SQL and PostGraphile under the same load, operation by operation.
 *
 * With `settings.rounds` > 1 the sides take turns: round 1 in the order API, raw, HTTP floor,
 * PostGraphile v4, PostGraphile 5 (those that run); round 2 the reverse; and so on. The host's speed drifts over minutes on a shared
 * machine (`{ __typename }` cost 0.46 to 1.06 ms of CPU within ten minutes on 2026-12-06); with one
 * window per side, the side that ran in the slow minute lost, and a ratio of two sides measured
 * the drift as much as the servers. Alternating puts every side in the same stretch of time, and
 * the median of its rounds (`medianOfRounds`) drops one round caught by a burst.
 */
export async function measure(
  operations: readonly Operation[],
  captures: Map<string, CaptureResult>,
  targets: { api: HttpTarget; postgraphile?: HttpTarget | null; postgraphile5?: HttpTarget | null; raw: Database | null; httpFloor?: HttpTarget | null },
  settings: LoadSettings,
  log: (line: string) => void,
  hooks: MeasureHooks = {},
): Promise<OperationMeasurement[]> {
  const out: OperationMeasurement[] = [];
  const fmt = (r: LoadResult) => `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.requestsPerSecond} req/s${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''}`;
  const cpu = (side: Side, e: RunExtras | undefined) =>
    e?.cpuMsPerRequest != null ? `; CPU/request: ${e.cpuMsPerRequest} ms ${side === 'raw' ? 'client' : 'server'}, ${e.dbCpuMsPerRequest ?? '?'} ms PostgreSQL` : '';
  const label = (side: Side) => SIDE_NAMES[side].padEnd(16);
  const rounds = Math.max(1, settings.rounds ?? 1);
  for (const listed of operations) {
    const entry = captures.get(listed.id);
    if (!entry?.capture.available || !entry.capture.api?.check.ok) continue;
    const op = entry.prepared ?? listed;
    const opSettings = op.connections ? { ...settings, connections: op.connections } : settings;
    log(`  (${op.number}) ${op.id}`);

    // Each side that can run this operation, and how to load it once.
    const runners: Array<{ side: Side; run: (s: LoadSettings) => Promise<LoadResult> }> = [{ side: 'api', run: (s) => httpLoad(requestSpec(targets.api, op.api), s) }];
    const { raw } = targets;
    const plan = entry.plan;
    if (raw && plan && !op.writes) runners.push({ side: 'raw', run: (s) => sqlLoad(raw, plan, s) });
    const floor = targets.httpFloor;
    if (floor && plan && !op.writes) {
      // The API's request (its size and method) to a server that ignores it and replays the plan.
      const apiRequest = requestSpec(targets.api, op.api);
      const spec = { method: apiRequest.method, url: `${floor.baseUrl}/`, headers: { ...floor.headers, [HTTP_FLOOR_OPERATION_HEADER]: op.id }, body: apiRequest.body };
      runners.push({ side: 'httpFloor', run: (s) => httpLoad(spec, s) });
    }
    for (const which of ['postgraphile', 'postgraphile5'] as const) {
      const target = targets[which];
      const { call } = baselineCall(op, which);
      if (target && call && entry.capture[which]?.check.ok) runners.push({ side: which, run: (s) => httpLoad(requestSpec(target, call), s) });
    }

    const perSide: Partial<Record<Side, RoundMeasurement[]>> = {};
    const order: Side[][] = [];
    for (let r = 0; r < rounds; r++) {
      const turn = r % 2 === 0 ? runners : [...runners].reverse();
      order.push(turn.map((t) => t.side));
      const roundSettings = r === 0 ? opSettings : { ...opSettings, warmupSeconds: Math.min(opSettings.warmupSeconds, REWARM_SECONDS) };
      for (const { side, run } of turn) {
        await hooks.beforeLoad?.(side);
        const load = await run(roundSettings);
        const extras = (await hooks.afterLoad?.(side, load)) ?? {};
        (perSide[side] ??= []).push({ load, extras });
        const firstError = 'firstError' in load && load.firstError ? ` (first error: ${String(load.firstError)})` : '';
        log(`      ${rounds > 1 ? `[${r + 1}/${rounds}] ` : ''}${label(side)} ${fmt(load)}${firstError}${cpu(side, extras)}`);
      }
    }

    const m: OperationMeasurement = { id: op.id, extras: {} };
    for (const { side } of runners) {
      const measured = perSide[side] ?? [];
      if (!measured.length) continue;
      m.extras[side] = combineExtras(measured);
      if (side === 'raw') {
        const loads = measured.map((x) => x.load as LoadResult & { firstError: string | null });
        m.raw = { ...medianOfRounds(loads), firstError: loads.find((l) => l.firstError)?.firstError ?? null };
      } else m[side] = medianOfRounds(measured.map((x) => x.load));
    }
    if (rounds > 1) {
      m.rounds = { sides: perSide, order };
      const sides = runners.map((t) => t.side);
      log(`      median of ${rounds}: ${sides.map((side) => `${side} ${m[side] ? fmt(m[side]) : '-'}`).join(' | ')}`);
    }
    out.push(m);
  }
  return out;
}
