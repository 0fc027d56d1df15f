/**
 * One interface over the two databases the product runs on: the embedded PGlite (PostGIS in
 * WASM, one connection) and PostgreSQL through node-postgres (a pool). Features build SQL with
 * drizzle's `sql` tag and run it through `query`, so a query is written once and runs on both.
 *
 * Value parsing is made identical on both drivers: int8 and numeric become JS numbers (counts
 * and areas never exceed 2^53 here), `date` stays an ISO string, and enum arrays must be cast
 * to text[] in SQL (node-postgres does not know the enum array OIDs).
 */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { compileSql } from './compile-sql.js';
import { DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION, isPlanStable, PreparedStatements } from './prepared-statements.js';
import { AppError, conflictFromDatabase, databaseUnavailable, isDatabaseUnavailable } from '../errors/errors.js';

export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Prepare it (PostgreSQL keeps its plan per connection): for a text whose plan does not depend
   * on its parameters' values. SQL objects say so with `planStable(sql…)` instead.
   */
  planStable?: boolean;
}

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  query<T extends Row = Row>(statement: SQL | string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /**
   * Bulk-loads rows with COPY … FROM STDIN in text format. `lines` are already-escaped
   * tab-separated lines (see `copyLine`).
   */
  copy(table: string, columns: readonly string[], lines: Iterable<string>): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /** Runs `work` in one transaction: all of it is committed or none of it. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Number of SQL statements sent since start; tests diff it to catch N+1 queries. */
  readonly statementCount: number;
  /**
   * Re-reads the database's types after migrations created some. PGlite learns the array types
   * (enum[] and the like) once, when it opens: without this, the first start's enum-array
   * parameters are sent as "A,B" and fail with 22P02 until a restart. No-op on PostgreSQL.
   */
  refreshTypes(): Promise<void>;
  close(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

function compile(statement: SQL | string, params: unknown[] = []): { text: string; values: unknown[] } {
  if (typeof statement === 'string') return { text: statement, values: params };
  return compileSql(statement);
}

const COPY_SPECIAL = /[\\\t\n\r]/;

/** Escapes one value for COPY text format (null → \N). */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (Array.isArray(value)) return copyValue(`{${value.map((v) => String(v)).join(',')}}`);
  const text = typeof value === 'string' ? value : String(value);
  // Most values hold nothing to escape: one test instead of four replaces (5 million lines in a
  // 1,000,000-household registry import).
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * One COPY line. Built by one join, which makes one flat string: appending field by field makes a
 * rope of every piece, and the ropes of lines waiting for their chunk were most of what the
 * registry parser's garbage collection had to move (bench:import CPU profile).
 */
export function copyLine(values: readonly unknown[]): string {
  return `${values.map(copyValue).join('\t')}\n`;
}

/**
 * Joins COPY lines into chunks of about 256 KiB: pg-copy-streams sends every chunk it is given as
 * its own CopyData message and socket write, and one per line made the COPY of 407,425 members
 * take 5.3 s (bench:import, 100,000 households), most of it in per-message overhead.
 */
function* copyChunks(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= 262_144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;
}

/**
 * Turns driver errors a client can act on into coded errors at the one place every surface
 * (GraphQL, OGC, tiles) passes through: a lost connection becomes DATABASE_UNAVAILABLE (503),
 * an invariant trigger or unique violation CONFLICT. Everything else stays as it is (masked later).
 */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return Object.assign(databaseUnavailable(), { cause: error });
  return conflictFromDatabase(error) ?? error;
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

class Counter {
  statements = 0;
}

function pgliteQueryable(
  client: Pick<PGlite, 'query'>,
  counter: Counter,
): Queryable {
  return {
    async query<T extends Row>(statement: SQL | string, params?: unknown[]) {
      const { text, values } = compile(statement, params);
      counter.statements += 1;
      const result = await translated(() => client.query<T>(text, values));
      return result.rows;
    },
    async copy(table, columns, lines) {
      counter.statements += 1;
      const chunks: string[] = [];
      for (const line of lines) chunks.push(line);
      await client.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob(chunks) });
    },
  };
}

/**
 * Whether a client that failed may go back to the pool. A statement PostgreSQL refused (a
 * constraint, a timeout, bad input) leaves the connection ready for the next one, with its
 * prepared statements; a lost or failing connection, or one left inside a transaction, is
 * discarded.
 */
function keepsClient(error: unknown, client: pg.PoolClient): boolean {
  return error instanceof pg.DatabaseError && !isDatabaseUnavailable(error) && client.getTransactionStatus() === 'I';
}

/**
 * Sends one statement on `client`, named when `prepared` says so (see prepared-statements.ts).
 * `alone`: the connection is held for this statement only, outside any transaction; only then are
 * evicted statements deallocated, and a statement whose plan PostgreSQL refused after a table
 * changed is sent again once (inside a transaction the error has aborted it; the caller's retry
 * starts anew).
 */
async function send<T extends Row>(client: pg.ClientBase, prepared: PreparedStatements, text: string, values: unknown[], stable: boolean, alone: boolean, retried = false): Promise<T[]> {
  if (alone) await prepared.deallocateEvicted(client);
  const query = prepared.queryFor(client, text, values, stable);
  try {
    return (await client.query<T>(query)).rows;
  } catch (error) {
    if (prepared.afterFailure(error, client, query) && alone && !retried) return send<T>(client, prepared, text, values, stable, alone, true);
    throw error;
  }
}

/**
 * The statements of a transaction, one at a time in the order they were asked for. Features run
 * independent reads of a transaction with Promise.all (proposePackage reads seven things at
 * once); node-postgres queued them on the connection itself, which it deprecates and pg@9 will
 * refuse. Once the transaction ends (`finish`, for COMMIT or ROLLBACK), a statement asked for is
 * refused instead of running on a connection that is back in the pool, outside the transaction: a
 * sibling of a failed Promise.all that goes on after the failure would otherwise do that.
 */
class StatementQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private ended = false;

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(new Error('A statement was sent after its transaction had ended: the transaction\'s work went on after it returned or failed.'));
    return this.after(work);
  }

  /** Runs `work` (COMMIT, ROLLBACK) after every statement already asked for; refuses any later one. */
  finish<T>(work: () => Promise<T>): Promise<T> {
    this.end();
    return this.after(work);
  }

  /** Refuses any statement from now on. */
  end(): void {
    this.ended = true;
  }

  private after<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Statements on the pool (a connection each), or on a transaction's connection through its queue. */
type PgTarget = { pool: pg.Pool } | { client: pg.PoolClient; queue: StatementQueue };

function pgQueryable(target: PgTarget, counter: Counter, prepared: PreparedStatements): Queryable {
  return {
    async query<T extends Row>(statement: SQL | string, params?: unknown[], options?: QueryOptions) {
      const { text, values } = compile(statement, params);
      const stable = options?.planStable ?? isPlanStable(statement);
      counter.statements += 1;
      if ('client' in target) {
        const { client, queue } = target;
        return translated(() => queue.run(() => send<T>(client, prepared, text, values, stable, false)));
      }
      // One connection from the pool for the statement (what pool.query does), so that its
      // prepared statements are known; pool.query also discarded it after any SQL error.
      return translated(async () => {
        const connection = await target.pool.connect();
        let failure: unknown;
        try {
          return await send<T>(connection, prepared, text, values, stable, true);
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          connection.release(failure === undefined || keepsClient(failure, connection) ? undefined : failure instanceof Error ? failure : new Error(String(failure)));
        }
      });
    },
    async copy(table, columns, lines) {
      counter.statements += 1;
      const load = async (connection: pg.ClientBase) => {
        const stream = connection.query(copyFrom(copyStatement(table, columns, 'STDIN')));
        await pipeline(Readable.from(copyChunks(lines)), stream);
      };
      if ('client' in target) {
        const { client, queue } = target;
        return queue.run(() => load(client));
      }
      const connection = await target.pool.connect();
      try {
        await load(connection);
      } finally {
        connection.release();
      }
    },
  };
}

export interface EmbeddedOptions {
  dataDir: string;
  statementTimeoutMs: number;
}

export async function openEmbedded(options: EmbeddedOptions): Promise<Database> {
  const client = new PGlite(options.dataDir, {
    extensions: { postgis },
    parsers: {
      [pgliteTypes.INT8]: (v: string) => Number(v),
      [pgliteTypes.NUMERIC]: (v: string) => Number(v),
      [pgliteTypes.DATE]: (v: string) => v,
    },
  });
  await client.waitReady;
  await client.exec(`SET statement_timeout = ${Math.trunc(options.statementTimeoutMs)}`);
  const counter = new Counter();
  const base = pgliteQueryable(client, counter);
  return {
    kind: 'embedded',
    ...base,
    get statementCount() {
      return counter.statements;
    },
    async transaction(work) {
      counter.statements += 2;
      return translated(() => client.transaction((tx) => work(pgliteQueryable(tx, counter))));
    },
    async refreshTypes() {
      await client.refreshArrayTypes();
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * Parallel workers per Gather for bulk jobs (imports, the scale seed), with `SET LOCAL`: PostgreSQL's
 * default, which request connections turn off (openPostgres).
 */
export const BULK_PARALLEL_WORKERS = 2;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** How long to wait for a new connection, ms (default 10 s; read replicas use less, see replicas.ts). */
  connectionTimeoutMs?: number;
  /**
   * Named statements kept per connection (prepared-statements.ts); 0 sends every statement
   * unnamed (PgBouncer in transaction mode). Default DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION.
   */
  preparedStatementsPerConnection?: number;
  /**
   * Client-side limit on waiting for a statement's answer, ms (node-postgres's query_timeout):
   * past it the statement fails and its connection is discarded. Unset on the primary, where
   * there is nowhere else to go; set on read replicas (replicas.ts, REPLICA_ANSWER_GRACE_MS).
   */
  answerTimeoutMs?: number;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs,
    ...(options.answerTimeoutMs ? { query_timeout: options.answerTimeoutMs } : {}),
    // JIT off: the API's statements are short, and PostgreSQL's cost model turns JIT on for
    // per-household EXISTS subqueries (coverage), where compiling took ~600 ms of a 620 ms
    // statement (EXPLAIN ANALYZE on 200,000 households). Without it the statement takes ~15 ms.
    //
    // No parallel workers: each request's statement runs in its own backend. At 10M households
    // the planner gave the z14 household tile a Parallel Bitmap Heap Scan under a Gather; with ten
    // requests at once on two cores, starting workers for each doubled the tile's p50 (87.8 →
    // 180.6 ms from 1M to 10M for the same 3,113 households, against 1.23× the CPU per request;
    // bench/README.md, 2026-12-06). Requests in parallel are the API's parallelism.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  });
  // An idle client's socket error would otherwise crash the process.
  pool.on('error', () => undefined);
  // And so would one on a client that is checked out: pg-pool watches only idle clients, and a
  // FATAL message (pg_terminate_backend, shutdown) that arrives between two statements of a
  // transaction, or after pool.query's one-shot listener fired, is an 'error' event with no
  // listener. Every client therefore gets a permanent one; the failure itself still reaches the
  // request through its next statement ("not queryable"), which discards the client.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const counter = new Counter();
  const prepared = new PreparedStatements(options.preparedStatementsPerConnection ?? DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION);
  const base = pgQueryable({ pool }, counter, prepared);
  return {
    kind: 'postgres',
    ...base,
    get statementCount() {
      return counter.statements;
    },
    async transaction(work) {
      const client = await translated(() => pool.connect());
      // A checked-out client is no longer watched by the pool: without its own listener, a
      // socket error (pg_terminate_backend, server restart) is an unhandled 'error' event that
      // kills the process. With it, only this request fails; the client is then discarded
      // (release(error)) so the pool opens a fresh connection for the next one.
      let broken: unknown = null;
      const onError = (error: unknown) => {
        broken = error;
      };
      client.on('error', onError);
      const queue = new StatementQueue();
      try {
        counter.statements += 1;
        await client.query('BEGIN');
        const result = await work(pgQueryable({ client, queue }, counter, prepared));
        counter.statements += 1;
        const commit = await queue.finish(() => client.query('COMMIT'));
        // A statement that failed while `work` went on (its error swallowed, or never awaited)
        // aborted the transaction: PostgreSQL answers COMMIT with ROLLBACK and no error.
        if (commit.command === 'ROLLBACK') throw new Error('The transaction was rolled back: one of its statements failed while its work went on.');
        return result;
      } catch (error) {
        if (isDatabaseUnavailable(error)) broken ??= error;
        if (!broken) {
          // After the statements already asked for (siblings of a failed Promise.all), none after.
          await queue.finish(() => client.query('ROLLBACK')).catch((rollbackError: unknown) => {
            broken = rollbackError;
          });
        }
        throw translateDatabaseError(error);
      } finally {
        // Also when the connection was lost and neither COMMIT nor ROLLBACK was sent.
        queue.end();
        client.off('error', onError);
        client.release(broken ? (broken instanceof Error ? broken : new Error(String(broken))) : undefined);
      }
    },
    // node-postgres sends arrays as literals and never caches type OIDs: nothing to refresh.
    async refreshTypes() {},
    async close() {
      await pool.end();
    },
  };
}
