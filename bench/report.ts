/**
 * The results: one JSON document per run (bench/results/<date>-<households>.json), ratios, the
 * target verdicts and a plain-text table for stdout.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadResult, type LoadSettings, median, REWARM_SECONDS } from './load.js';
import type { Fixtures, Operation } from './operations.js';
import type { CaptureResult, OperationMeasurement, RunExtras, Side, SideCapture } from './harness.js';

export const STATEMENT_COUNTING =
  'Statements per request are counted by a PostgreSQL wire-protocol proxy (bench/pg-wire-proxy.ts) placed between a separate capture instance of each server and PostgreSQL: every Execute (extended protocol) and every Query message (simple protocol) is one statement. ' +
  'The operation is sent alone three times and the last capture is kept; the SQL text and parameters recorded there are exactly what the raw-SQL baseline replays. ' +
  'As a cross-check on the timed (unproxied) servers, pg_stat_database.xact_commit of the benchmark database is read before and after each timed run and divided by the requests sent: for the API every statement is its own transaction, so this equals statements per request (up to the few requests in flight when autocannon stops); for PostGraphile it counts transactions.';

export interface OperationReport {
  id: string;
  number: number;
  title: string;
  available: boolean;
  note?: string;
  writes?: boolean;
  api?: SideCapture & { load?: LoadResult; resources?: Resources };
  raw?: { sql: string; note: string; load?: LoadResult & { firstError: string | null }; resources?: Resources };
  /** The bare HTTP server over the same statements (`--http-floor`), when it ran. */
  httpFloor?: { load?: LoadResult; resources?: Resources };
  postgraphile?: SideCapture & { load?: LoadResult; resources?: Resources };
  /** PostGraphile 5 (Grafast), run beside v4 on the same database and the API's Node. */
  postgraphile5?: SideCapture & { load?: LoadResult; resources?: Resources };
  ratios: {
    /** API p50 / raw SQL p50 (lower is better; target ≤ 1.5 on ops 2 and 3). */
    apiToRawP50: number | null;
    apiToRawP99: number | null;
    /** API req/s / PostGraphile req/s (higher is better; target ≥ 1, ≥ 2 on op 3). */
    apiToPostgraphileRps: number | null;
    apiToPostgraphileP50: number | null;
    /** API req/s / PostGraphile 5 req/s (higher is better; targets ≥ 1.5 on op 2, ≥ 2 on op 3). */
    apiToPostgraphile5Rps: number | null;
    apiToPostgraphile5P50: number | null;
    /** HTTP floor p50 / raw SQL p50: what any HTTP service over this SQL adds (--http-floor). */
    httpFloorToRawP50: number | null;
    /** API p50 / HTTP floor p50: the API's own share. */
    apiToHttpFloorP50: number | null;
  };
  /**
   * With several rounds (settings.rounds): every round's figures per side, and the ratios of the
   * sides within each round. The side's figures above are the medians of these; the spread of
   * the per-round ratios is the run's own measure of the host's noise.
   */
  rounds?: RoundReport[];
}

export interface RoundReport {
  order: Side[];
  sides: Partial<
    Record<
      Side,
      { p50Ms: number; p99Ms: number; requestsPerSecond: number; cpuMsPerRequest: number | null; dbCpuMsPerRequest: number | null; xactPerRequest: number | null; rssDuringMiB: number | null }
    >
  >;
  /** The ratios of OperationReport['ratios'], between the sides of this round. */
  ratios: OperationReport['ratios'];
}

function roundReports(m: OperationMeasurement | undefined): RoundReport[] | undefined {
  if (!m?.rounds) return undefined;
  const { sides, order } = m.rounds;
  return order.map((turn, i) => {
    const at = (side: Side) => sides[side]?.[i];
    const summary: RoundReport['sides'] = {};
    const loads: Partial<Record<Side, LoadResult>> = {};
    for (const side of turn) {
      const r = at(side);
      if (!r) continue;
      loads[side] = r.load;
      summary[side] = {
        p50Ms: r.load.latencyMs.p50,
        p99Ms: r.load.latencyMs.p99,
        requestsPerSecond: r.load.requestsPerSecond,
        cpuMsPerRequest: r.extras.cpuMsPerRequest ?? null,
        dbCpuMsPerRequest: r.extras.dbCpuMsPerRequest ?? null,
        xactPerRequest: r.extras.xactPerRequest ?? null,
        rssDuringMiB: mib(r.extras.rssKiB),
      };
    }
    return { order: turn, sides: summary, ratios: sideRatios(loads) };
  });
}

function sideRatios(s: Partial<Record<Side, LoadResult>>): OperationReport['ratios'] {
  return {
    apiToRawP50: ratio(s.api?.latencyMs.p50, s.raw?.latencyMs.p50),
    apiToRawP99: ratio(s.api?.latencyMs.p99, s.raw?.latencyMs.p99),
    apiToPostgraphileRps: ratio(s.api?.requestsPerSecond, s.postgraphile?.requestsPerSecond),
    apiToPostgraphileP50: ratio(s.api?.latencyMs.p50, s.postgraphile?.latencyMs.p50),
    apiToPostgraphile5Rps: ratio(s.api?.requestsPerSecond, s.postgraphile5?.requestsPerSecond),
    apiToPostgraphile5P50: ratio(s.api?.latencyMs.p50, s.postgraphile5?.latencyMs.p50),
    httpFloorToRawP50: ratio(s.httpFloor?.latencyMs.p50, s.raw?.latencyMs.p50),
    apiToHttpFloorP50: ratio(s.api?.latencyMs.p50, s.httpFloor?.latencyMs.p50),
  };
}

/**
 * An operation's ratios. With rounds, each is the median of the rounds' ratios: the two sides of
 * one round ran minutes apart at most, so their quotient cancels the host's drift, which the
 * quotient of the two sides' medians (possibly from different rounds) does not. It can therefore
 * differ a little from the quotient of the p50s shown beside it.
 */
function operationRatios(m: OperationMeasurement | undefined, rounds: readonly RoundReport[] | undefined): OperationReport['ratios'] {
  const overall = sideRatios({ api: m?.api, raw: m?.raw, httpFloor: m?.httpFloor, postgraphile: m?.postgraphile, postgraphile5: m?.postgraphile5 });
  if (!rounds || rounds.length < 2) return overall;
  const keys = Object.keys(overall) as (keyof OperationReport['ratios'])[];
  return Object.fromEntries(
    keys.map((key) => {
      const values = rounds.map((r) => r.ratios[key]).filter((v): v is number => v !== null);
      return [key, values.length ? Math.round(median(values) * 100) / 100 : overall[key]];
    }),
  ) as OperationReport['ratios'];
}

/** "1.91–2.10" from the rounds' values of one ratio; empty without rounds. */
export function roundSpread(rounds: readonly RoundReport[] | undefined, pick: (r: RoundReport) => number | null): string {
  const values = (rounds ?? []).map(pick).filter((v): v is number => v !== null);
  if (values.length < 2) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** Resources used during one load run (see RunExtras); memory in MiB. */
export interface Resources {
  rssDuringMiB: number | null;
  xactPerRequest: number | null;
  cpuMsPerRequest: number | null;
  dbCpuMsPerRequest: number | null;
}

function resources(e: RunExtras | undefined): Resources | undefined {
  if (!e) return undefined;
  return { rssDuringMiB: mib(e.rssKiB), xactPerRequest: e.xactPerRequest ?? null, cpuMsPerRequest: e.cpuMsPerRequest ?? null, dbCpuMsPerRequest: e.dbCpuMsPerRequest ?? null };
}

export interface TargetVerdict {
  id: string;
  description: string;
  verdict: 'met' | 'missed' | 'not evaluated';
  detail: string;
}

export interface BenchReport {
  kind: 'kampung-terpadu-bench';
  version: 1;
  mode: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  machine: Record<string, unknown>;
  software: Record<string, unknown>;
  settings: LoadSettings & Record<string, unknown>;
  dataset: Record<string, unknown> | null;
  fixtures: Fixtures;
  statementCounting: string;
  servers: Record<string, unknown>;
  operations: OperationReport[];
  memory: { apiPeakRssMiB: number | null; postgraphilePeakRssMiB: number | null; postgraphile5PeakRssMiB?: number | null; note: string };
  targets: TargetVerdict[];
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100;
const mib = (kib: number | null | undefined) => (kib === null || kib === undefined || !Number.isFinite(kib) ? null : Math.round(kib / 102.4) / 10);

/** SQL of a recorded request as one readable text: statements in order, each with its parameters. */
export function sqlText(side: SideCapture | undefined): string {
  if (!side) return '';
  return side.statements
    .map((s, i) => `-- statement ${i + 1}${s.after.length ? ` (after ${s.after.map((j) => j + 1).join(', ')})` : ''}${s.ms !== null ? `, ${s.ms} ms alone` : ''}; parameters: ${JSON.stringify(s.params)}\n${s.text.trim()};`)
    .join('\n\n');
}

export function buildOperationReports(operations: readonly Operation[], captures: Map<string, CaptureResult>, measurements: readonly OperationMeasurement[]): OperationReport[] {
  return operations.map((op) => {
    const capture = captures.get(op.id)?.capture;
    const m = measurements.find((x) => x.id === op.id);
    const rounds = roundReports(m);
    const api = capture?.api ? { ...capture.api, load: m?.api, resources: resources(m?.extras.api) } : undefined;
    const postgraphile = capture?.postgraphile ? { ...capture.postgraphile, load: m?.postgraphile, resources: resources(m?.extras.postgraphile) } : undefined;
    const postgraphile5 = capture?.postgraphile5 ? { ...capture.postgraphile5, load: m?.postgraphile5, resources: resources(m?.extras.postgraphile5) } : undefined;
    return {
      id: op.id,
      number: op.number,
      title: op.title,
      available: capture?.available ?? false,
      note: capture?.note,
      writes: op.writes,
      api,
      raw: capture?.api
        ? {
            sql: sqlText(capture.api),
            note: op.writes
              ? 'not replayed: the operation writes'
              : 'the API capture above, replayed through node-postgres (pool of the same size) with each statement waiting for the statements that had finished before it started',
            load: m?.raw,
            resources: resources(m?.extras.raw),
          }
        : undefined,
      httpFloor: m?.httpFloor ? { load: m.httpFloor, resources: resources(m.extras.httpFloor) } : undefined,
      postgraphile,
      postgraphile5,
      ratios: operationRatios(m, rounds),
      rounds,
    };
  });
}

/** The most recent full results file for another dataset size, for the 200k → 1M growth target. */
export function findPreviousReport(dir: string, households: number): BenchReport | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => new RegExp(`-${households}\\.json$`).test(f))
    .sort();
  const last = files[files.length - 1];
  if (!last) return null;
  try {
    const report = JSON.parse(readFileSync(join(dir, last), 'utf8')) as BenchReport;
    return report.kind === 'kampung-terpadu-bench' && report.mode === 'full' ? report : null;
  } catch {
    return null;
  }
}

/** Issue #19's bound on API p50 / raw SQL p50, per operation number (op 3 keeps issue #7's 1.5). */
export const RAW_P50_BOUNDS: Record<number, number> = { 1: 1.3, 2: 1.3, 3: 1.5, 4: 1.3, 6: 1.3, 7: 1.3 };
/** Ops whose p50 at the larger size of a run (1M) must stay within GROWTH_BOUND × their p50 at the smaller (200k). */
export const GROWTH_OPS = [1, 2, 3, 6, 7];
export const GROWTH_BOUND = 1.5;
/** Op 8 (issue #19): a regional planner's first page p50 ≤ this × the national planner's, at every size. */
export const REGIONAL_P50_BOUND = 1.5;
/** API peak RSS bound during the benchmark, MiB (issue #19). */
export const API_RSS_BOUND_MIB = 250;

/** The per-round range of a ratio for a verdict's detail, when the operation ran in several rounds. */
const perRound = (rounds: readonly RoundReport[] | undefined, pick: (r: RoundReport) => number | null) => {
  const spread = roundSpread(rounds, pick);
  return spread ? ` (the median of ${rounds?.length} rounds' ratios, each between sides of one round: ${spread}×; the p50s and rates shown are each side's medians)` : '';
};

export function evaluateTargets(operations: readonly OperationReport[], households: number, other: BenchReport | null, apiPeakRssMiB: number | null = null): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const verdict = (ok: boolean | null): TargetVerdict['verdict'] => (ok === null ? 'not evaluated' : ok ? 'met' : 'missed');

  // Per measured operation (op 6 has two tiles): API p50 against the raw replay of its own SQL.
  for (const n of Object.keys(RAW_P50_BOUNDS).map(Number)) {
    const ops = operations.filter((o) => o.number === n);
    const bound = RAW_P50_BOUNDS[n] ?? 1.5;
    // Ops 2 and 3 are always listed (the smoke test and the README read their verdicts).
    if (ops.length === 0 && n !== 2 && n !== 3) continue;
    for (const op of ops.length ? ops : [undefined]) {
      const r = op?.ratios.apiToRawP50 ?? null;
      verdicts.push({
        id: `api-p50-vs-raw-op${n}${ops.length > 1 ? `-${op?.id}` : ''}`,
        description: `op ${n}${ops.length > 1 ? ` ${op?.id}` : ''}: API p50 ≤ ${bound} × raw SQL p50`,
        verdict: verdict(r === null ? null : r <= bound),
        detail:
          r === null
            ? 'not measured'
            : `API ${op?.api?.load?.latencyMs.p50} ms vs raw ${op?.raw?.load?.latencyMs.p50} ms = ${r}×${perRound(op?.rounds, (x) => x.ratios.apiToRawP50)}` +
              (op?.ratios.httpFloorToRawP50 != null ? `; a bare HTTP server over the same SQL: ${op.httpFloor?.load?.latencyMs.p50} ms = ${op.ratios.httpFloorToRawP50}× raw${perRound(op.rounds, (x) => x.ratios.httpFloorToRawP50)}` : ''),
      });
    }
  }

  for (const op of operations.filter((o) => o.postgraphile)) {
    const need = op.number === 3 ? 2 : 1;
    const r = op.ratios.apiToPostgraphileRps;
    verdicts.push({
      id: `throughput-vs-postgraphile-op${op.number}`,
      description: `op ${op.number}: API req/s ≥ ${need === 1 ? '' : `${need} × `}PostGraphile v4 req/s`,
      verdict: verdict(r === null ? null : r >= need),
      detail: r === null ? 'not measured' : `API ${op.api?.load?.requestsPerSecond} req/s vs PostGraphile v4 ${op.postgraphile?.load?.requestsPerSecond} req/s = ${r}×${perRound(op.rounds, (x) => x.ratios.apiToPostgraphileRps)}`,
    });
  }
  for (const op of operations.filter((o) => o.postgraphile5)) {
    const need = op.number === 3 ? 2 : 1.5;
    const r = op.ratios.apiToPostgraphile5Rps;
    verdicts.push({
      id: `throughput-vs-postgraphile5-op${op.number}`,
      description: `op ${op.number}: API req/s ≥ ${need} × PostGraphile 5 req/s`,
      verdict: verdict(r === null ? null : r >= need),
      detail: r === null ? 'not measured' : `API ${op.api?.load?.requestsPerSecond} req/s vs PostGraphile 5 ${op.postgraphile5?.load?.requestsPerSecond} req/s = ${r}×${perRound(op.rounds, (x) => x.ratios.apiToPostgraphile5Rps)}`,
    });
  }

  // Op 8: both sides in the same run and size, so the machine's load hits them alike.
  const national = operations.find((o) => o.id === 'planner-first-page-national');
  for (const op of operations.filter((o) => o.number === 8 && o !== national)) {
    const r = ratio(op.api?.load?.latencyMs.p50, national?.api?.load?.latencyMs.p50);
    verdicts.push({
      id: `regional-vs-national-${op.id}`,
      description: `op 8 ${op.id}: API p50 ≤ ${REGIONAL_P50_BOUND} × the national planner's first page p50`,
      verdict: verdict(r === null ? null : r <= REGIONAL_P50_BOUND),
      detail:
        r !== null
          ? `${op.api?.load?.latencyMs.p50} ms vs national ${national?.api?.load?.latencyMs.p50} ms = ${r}×`
          : !national?.api?.load
            ? 'needs planner-first-page-national measured in the same run'
            : `not measured (${op.api?.load ? 'no successful request' : 'no load run'})`,
    });
  }

  const paged = operations.filter((o) => o.api?.pageSizes);
  const notConstant = paged.filter((o) => !o.api?.pageSizes?.constant);
  verdicts.push({
    id: 'statements-constant-in-page-size',
    description: 'SQL statements per request do not grow with the page size',
    verdict: paged.length === 0 ? 'not evaluated' : notConstant.length === 0 ? 'met' : 'missed',
    detail: paged
      .map((o) => {
        const p = o.api?.pageSizes;
        return `op ${o.number} ${o.id}: ${p?.smallStatements} at ${p?.smallSize}, ${p?.largeStatements} at ${p?.largeSize}`;
      })
      .join('; '),
  });

  verdicts.push({
    id: 'api-peak-rss',
    description: `API peak RSS during the benchmark ≤ ${API_RSS_BOUND_MIB} MiB`,
    verdict: verdict(apiPeakRssMiB === null ? null : apiPeakRssMiB <= API_RSS_BOUND_MIB),
    detail: apiPeakRssMiB === null ? 'not measured (in-process API)' : `VmHWM ${apiPeakRssMiB} MiB`,
  });

  // Growth is judged only against the other size measured in the same run (`npm run bench --
  // --households 200000,1000000`, or 1000000,10000000): runs from different days on a shared
  // machine say nothing. The larger size's p50 over the smaller's.
  const otherHouseholds = typeof other?.settings.households === 'number' ? other.settings.households : null;
  const fmt = (h: number) => h.toLocaleString('en');
  for (const n of GROWTH_OPS) {
    const op = operations.find((o) => o.number === n);
    if (!op && n > 2) continue;
    const otherOp = other?.operations.find((o) => o.number === n && o.id === op?.id);
    const sizes = otherHouseholds !== null && otherHouseholds !== households ? [Math.min(households, otherHouseholds), Math.max(households, otherHouseholds)] : null;
    const p50At = (h: number) => (h === households ? op?.api?.load?.latencyMs.p50 : otherOp?.api?.load?.latencyMs.p50);
    const small = sizes ? p50At(sizes[0]!) : undefined;
    const large = sizes ? p50At(sizes[1]!) : undefined;
    const growth = ratio(large, small);
    verdicts.push({
      id: `scaling-op${n}`,
      description: sizes
        ? `op ${n}: API p50 at ${fmt(sizes[1]!)} households ≤ ${GROWTH_BOUND} × at ${fmt(sizes[0]!)} (same run)`
        : `op ${n}: API p50 at the larger size ≤ ${GROWTH_BOUND} × at the smaller (same run)`,
      verdict: verdict(growth === null ? null : growth <= GROWTH_BOUND),
      detail:
        growth === null || !sizes
          ? 'needs two sizes in one run, e.g. npm run bench -- --households 200000,1000000'
          : `${small} ms at ${fmt(sizes[0]!)} → ${large} ms at ${fmt(sizes[1]!)} = ${growth}× (same run; the other size started ${other?.startedAt})`,
    });
  }
  return verdicts;
}

/** The HTTP floor's rows (--http-floor): raw, floor and API side by side, for each operation that had it. */
function httpFloorRows(report: BenchReport): string[][] {
  const n = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
  const rows = [['op', 'raw p50', 'floor p50', 'API p50', 'floor/raw', 'per round', 'API/raw', 'API/floor', 'CPU ms/request: raw client / floor / API']];
  for (const op of report.operations.filter((o) => o.httpFloor?.load)) {
    rows.push([
      `${op.number} ${op.id}`,
      n(op.raw?.load?.latencyMs.p50),
      n(op.httpFloor?.load?.latencyMs.p50),
      n(op.api?.load?.latencyMs.p50),
      n(op.ratios.httpFloorToRawP50),
      roundSpread(op.rounds, (x) => x.ratios.httpFloorToRawP50) || '–',
      n(op.ratios.apiToRawP50),
      n(op.ratios.apiToHttpFloorP50),
      `${n(op.raw?.resources?.cpuMsPerRequest)} / ${n(op.httpFloor?.resources?.cpuMsPerRequest)} / ${n(op.api?.resources?.cpuMsPerRequest)}`,
    ]);
  }
  return rows.length > 1 ? rows : [];
}

const ROUNDS_NOTE = 'Each side\'s figures are the medians of its rounds; each ratio is the median of the rounds\' ratios (the sides of one round side by side), "per round" their range.';

const HTTP_FLOOR_NOTE =
  'HTTP floor: a bare node:http server (bench/http-floor-server.ts) replaying the same captured statements through the same pool and answering their rows, with nothing of the API; what any HTTP service over this SQL costs at least on this machine.';

function pad(cells: string[][]): string {
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length))) ?? [];
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const s = report.settings;
  lines.push(
    `Kampung Terpadu benchmark (${report.mode}), ${report.startedAt.slice(0, 10)}: ${Number(s.households ?? report.fixtures.households).toLocaleString('en')} households, ` +
      `${s.connections} connections, ${(s.rounds ?? 1) > 1 ? `${s.rounds} rounds per operation (sides alternating; medians), ${s.warmupSeconds} s warm-up (${Math.min(s.warmupSeconds, REWARM_SECONDS)} s in later rounds) + ${s.durationSeconds} s per round` : `${s.warmupSeconds} s warm-up + ${s.durationSeconds} s per run`}`,
  );
  lines.push('');
  const header = ['op', 'API p50', 'p99', 'req/s', 'raw p50', 'p99', 'req/s', 'PGL p50', 'req/s', 'PG5 p50', 'req/s', 'API/raw p50', 'per round', 'API/PGL req/s', 'per round', 'API/PG5 req/s', 'per round', 'SQL API', 'PGL', 'PG5'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const op of report.operations) {
    const label = `${op.number} ${op.id}`;
    if (!op.available || !op.api?.load) {
      rows.push([label, op.available ? 'not measured' : 'not available', ...header.slice(2).map(() => '')]);
      if (op.available) notes.push(`op ${op.number} ${op.id}: ${op.note ?? 'not measured'}`);
      continue;
    }
    const a = op.api.load;
    const r = op.raw?.load;
    const p = op.postgraphile?.load;
    const p5 = op.postgraphile5?.load;
    rows.push([
      label,
      num(a.latencyMs.p50),
      num(a.latencyMs.p99),
      num(a.requestsPerSecond, 1),
      num(r?.latencyMs.p50),
      num(r?.latencyMs.p99),
      num(r?.requestsPerSecond, 1),
      num(p?.latencyMs.p50),
      num(p?.requestsPerSecond, 1),
      num(p5?.latencyMs.p50),
      num(p5?.requestsPerSecond, 1),
      num(op.ratios.apiToRawP50),
      roundSpread(op.rounds, (x) => x.ratios.apiToRawP50) || '–',
      num(op.ratios.apiToPostgraphileRps),
      roundSpread(op.rounds, (x) => x.ratios.apiToPostgraphileRps) || '–',
      num(op.ratios.apiToPostgraphile5Rps),
      roundSpread(op.rounds, (x) => x.ratios.apiToPostgraphile5Rps) || '–',
      String(op.api.statementsPerRequest),
      op.postgraphile ? String(op.postgraphile.statementsPerRequest) : '–',
      op.postgraphile5 ? String(op.postgraphile5.statementsPerRequest) : '–',
    ]);
  }
  lines.push(pad(rows));
  for (const note of notes) lines.push(`! ${note}`);
  const floor = httpFloorRows(report);
  if (floor.length) {
    lines.push('');
    lines.push(pad(floor));
    lines.push(HTTP_FLOOR_NOTE);
  }
  lines.push('');
  lines.push('Latencies in ms (exact per request; p50/p99 by nearest rank). raw = the API\'s own SQL through node-postgres; PGL = PostGraphile v4; PG5 = PostGraphile 5. SQL = statements per request.');
  if ((s.rounds ?? 1) > 1) lines.push(ROUNDS_NOTE);
  lines.push(
    `Peak RSS (VmHWM): API ${num(report.memory.apiPeakRssMiB, 1)} MiB, PostGraphile v4 ${num(report.memory.postgraphilePeakRssMiB, 1)} MiB, PostGraphile 5 ${num(report.memory.postgraphile5PeakRssMiB, 1)} MiB.`,
  );
  const bad = (l: LoadResult | undefined) => Boolean(l && (l.errors || l.non2xx));
  const failures = report.operations.filter((o) => bad(o.api?.load) || bad(o.postgraphile?.load) || bad(o.postgraphile5?.load));
  for (const op of failures) {
    lines.push(
      `! op ${op.number}: API ${op.api?.load?.errors ?? 0} errors / ${op.api?.load?.non2xx ?? 0} non-2xx; PostGraphile v4 ${op.postgraphile?.load?.errors ?? 0} / ${op.postgraphile?.load?.non2xx ?? 0}; PostGraphile 5 ${op.postgraphile5?.load?.errors ?? 0} / ${op.postgraphile5?.load?.non2xx ?? 0}`,
    );
  }
  lines.push('');
  lines.push('Targets:');
  for (const t of report.targets) lines.push(`  [${t.verdict === 'met' ? 'MET' : t.verdict === 'missed' ? 'MISSED' : '—'}] ${t.description}: ${t.detail}`);
  return lines.join('\n');
}

export interface ReportInput {
  mode: BenchReport['mode'];
  startedAt: Date;
  machine: Record<string, unknown>;
  software: Record<string, unknown>;
  settings: BenchReport['settings'];
  dataset: Record<string, unknown> | null;
  fixtures: Fixtures;
  servers: Record<string, unknown>;
  operations: readonly Operation[];
  captures: Map<string, CaptureResult>;
  measurements: readonly OperationMeasurement[];
  memory: { apiPeakKiB: number | null; postgraphilePeakKiB: number | null; postgraphile5PeakKiB?: number | null };
  /** Results of the other dataset size in the same run, for the growth target. */
  other: BenchReport | null;
}

export function assembleReport(input: ReportInput): BenchReport {
  const operations = buildOperationReports(input.operations, input.captures, input.measurements);
  return {
    kind: 'kampung-terpadu-bench',
    version: 1,
    mode: input.mode,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: input.machine,
    software: input.software,
    settings: input.settings,
    dataset: input.dataset,
    fixtures: input.fixtures,
    statementCounting: STATEMENT_COUNTING,
    servers: input.servers,
    operations,
    memory: {
      apiPeakRssMiB: mib(input.memory.apiPeakKiB),
      postgraphilePeakRssMiB: mib(input.memory.postgraphilePeakKiB),
      postgraphile5PeakRssMiB: mib(input.memory.postgraphile5PeakKiB ?? null),
      note: 'VmHWM of the timed server process (/proc/<pid>/status) read at the end of the run: its peak resident set since start, start-up included. Per operation, rssDuringMiB is the largest VmRSS sampled every 250 ms during that operation (over all of its rounds).',
    },
    targets: evaluateTargets(operations, Number(input.settings.households ?? input.fixtures.households), input.other, mib(input.memory.apiPeakKiB)),
  };
}

/** The report as Markdown tables (for bench/README.md): `npx tsx bench/markdown.ts <results.json>`. */
export function formatMarkdown(report: BenchReport): string {
  const out: string[] = [];
  const n = (v: number | null | undefined, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d }));
  const spread = (op: OperationReport, pick: (r: RoundReport) => number | null) => roundSpread(op.rounds, pick) || '–';
  const rounds = Number(report.settings.rounds ?? 1);
  if (rounds > 1) {
    out.push(`${rounds} rounds per operation, the sides alternating. ${ROUNDS_NOTE}`);
    out.push('');
  }
  const header = ['op', 'API p50', 'API p99', 'API req/s', 'raw p50', 'raw p99', 'raw req/s', 'PGL p50', 'PGL req/s', 'PG5 p50', 'PG5 req/s', 'API/raw p50', 'per round', 'API/PGL req/s', 'per round', 'API/PG5 req/s', 'per round', 'SQL/req API', 'PGL', 'PG5'];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|---|${header.slice(1).map(() => '--:').join('|')}|`);
  for (const op of report.operations) {
    const a = op.api?.load;
    const r = op.raw?.load;
    const p = op.postgraphile?.load;
    const p5 = op.postgraphile5?.load;
    if (!op.available || !a) {
      out.push(`| ${op.number} ${op.id} | ${op.available ? `not measured: ${op.note ?? ''}` : 'not available'} |${'|'.repeat(header.length - 2)}`);
      continue;
    }
    out.push(
      `| ${op.number} ${op.id} | ${n(a.latencyMs.p50)} | ${n(a.latencyMs.p99)} | ${n(a.requestsPerSecond)} | ${n(r?.latencyMs.p50)} | ${n(r?.latencyMs.p99)} | ${n(r?.requestsPerSecond)} | ` +
        `${n(p?.latencyMs.p50)} | ${n(p?.requestsPerSecond)} | ${n(p5?.latencyMs.p50)} | ${n(p5?.requestsPerSecond)} | ${n(op.ratios.apiToRawP50, 2)} | ${spread(op, (x) => x.ratios.apiToRawP50)} | ` +
        `${n(op.ratios.apiToPostgraphileRps, 2)} | ${spread(op, (x) => x.ratios.apiToPostgraphileRps)} | ${n(op.ratios.apiToPostgraphile5Rps, 2)} | ${spread(op, (x) => x.ratios.apiToPostgraphile5Rps)} | ` +
        `${op.api?.statementsPerRequest ?? '–'} | ${op.postgraphile?.statementsPerRequest ?? '–'} | ${op.postgraphile5?.statementsPerRequest ?? '–'} |`,
    );
  }
  const floor = httpFloorRows(report);
  if (floor.length) {
    out.push('');
    out.push(`| ${floor[0]?.join(' | ')} |`);
    out.push(`|---|${floor[0]?.slice(1).map(() => '--:').join('|')}|`);
    for (const row of floor.slice(1)) out.push(`| ${row.join(' | ')} |`);
    out.push('');
    out.push(HTTP_FLOOR_NOTE);
  }
  out.push('');
  out.push('CPU time per request (ms) and memory during the run:');
  out.push('');
  out.push('| op | API process | PostgreSQL for API | raw client | PostgreSQL for raw | PGL process | PostgreSQL for PGL | PG5 process | PostgreSQL for PG5 | API RSS MiB | PGL RSS MiB | PG5 RSS MiB | bytes/response API | PGL | PG5 |');
  out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const op of report.operations) {
    if (!op.api?.load) continue;
    const a = op.api.resources;
    const r = op.raw?.resources;
    const p = op.postgraphile?.resources;
    const p5 = op.postgraphile5?.resources;
    out.push(
      `| ${op.number} ${op.id} | ${n(a?.cpuMsPerRequest)} | ${n(a?.dbCpuMsPerRequest)} | ${n(r?.cpuMsPerRequest)} | ${n(r?.dbCpuMsPerRequest)} | ${n(p?.cpuMsPerRequest)} | ${n(p?.dbCpuMsPerRequest)} | ${n(p5?.cpuMsPerRequest)} | ${n(p5?.dbCpuMsPerRequest)} | ` +
        `${n(a?.rssDuringMiB, 0)} | ${n(p?.rssDuringMiB, 0)} | ${n(p5?.rssDuringMiB, 0)} | ${n(op.api.load.bytesPerResponse, 0)} | ${n(op.postgraphile?.load?.bytesPerResponse, 0)} | ${n(op.postgraphile5?.load?.bytesPerResponse, 0)} |`,
    );
  }
  out.push('');
  out.push(`Peak RSS (VmHWM, whole run): API ${n(report.memory.apiPeakRssMiB)} MiB, PostGraphile v4 ${n(report.memory.postgraphilePeakRssMiB)} MiB, PostGraphile 5 ${n(report.memory.postgraphile5PeakRssMiB)} MiB.`);
  out.push('');
  out.push('| target | verdict | detail |');
  out.push('|---|---|---|');
  for (const t of report.targets) out.push(`| ${t.description} | **${t.verdict}** | ${t.detail} |`);
  return out.join('\n');
}
