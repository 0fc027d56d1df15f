/**
 * Named (prepared) statements on PostgreSQL for the statements marked `planStable`: each
 * connection keeps the ones it ran most recently prepared, so a repeated request is bound and
 * executed without being parsed and planned again.
 *
 * Why: sent unnamed, every statement is parsed and planned on every request. Named, PostgreSQL
 * plans it with the parameters' values for its first five executions and then, when a generic
 * plan costs no more than those custom plans did, keeps the generic plan (`plan_cache_mode =
 * auto`). Measured on the benchmark's statements (bench/README.md, 2026-12-06): the op-2 page
 * 1.27–1.31 → 0.79–0.84 ms (pgbench), op 1 7.1–8.6 → 4.5–4.8 ms, and a regional planner's first
 * page planned 0.14 ms slower than the national one, which the cached plan takes away.
 *
 * Only statements marked `planStable` are named, because the generic plan is chosen once, from the
 * first executions' costs, and then serves every parameter value. For a statement whose best plan
 * depends on its values that is a trap, measured on 1,000,000 households: the FeatureCollection
 * of a box (`ST_Intersects … ORDER BY id LIMIT`), prepared and run six times on a village-sized
 * box, then took 2.5–3.8 s for a box over Java where unnamed it takes 0.17–0.24 s (the generic
 * plan walks the id index and filters). Boxes, polygons, PAS, desil and other filters of varying
 * selectivity stay unnamed; a statement qualifies when every value it can take leads to the same
 * index (an insert; a page of one village or region in id order).
 *
 * The design is the one @dataplan/pg (PostGraphile 5) uses with node-postgres:
 *
 * - a least-recently-used map per connection from statement text to name, bounded by
 *   `PG_PREPARED_STATEMENTS` (0 turns preparing off, e.g. behind PgBouncer in transaction mode,
 *   where consecutive statements may reach different server connections);
 * - the statement that falls out is deallocated on that connection (`DEALLOCATE`), so a server
 *   connection never holds more than the bound, however many different texts GraphQL selections
 *   produce;
 * - names are never reused on a connection (`kt_<n>`, counting up), so a statement still queued
 *   when its name is evicted cannot meet a different text of the same name.
 *
 * Only statements with parameters are named (a statement without any is sent with the simple
 * protocol, which is what lets migrations run several statements in one text). Texts longer than
 * `MAX_PREPARED_TEXT_CHARS` are one-off bulk statements and stay unnamed.
 *
 * The embedded database (PGlite) has no named statements in its API; it keeps parsing each one,
 * which changes speed only, not results.
 */
import type { SQL } from 'drizzle-orm';
import type pg from 'pg';

const PLAN_STABLE = new WeakSet<SQL>();

/**
 * Marks a statement whose best plan is the same for every value of its parameters, so that it
 * may be prepared (see the module comment); returns it. Only the statement passed to `query`
 * counts, not fragments inside it.
 */
export function planStable(statement: SQL): SQL {
  PLAN_STABLE.add(statement);
  return statement;
}

export function isPlanStable(statement: SQL | string): boolean {
  return typeof statement !== 'string' && PLAN_STABLE.has(statement);
}

/** Per connection, as PostGraphile 5's `DATAPLAN_PG_PREPARED_STATEMENT_CACHE_SIZE` default. */
export const DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION = 100;

/** Longer texts (bulk statements) are not prepared: they would hold server memory for one use. */
export const MAX_PREPARED_TEXT_CHARS = 100_000;

/**
 * SQLSTATE 0A000 with this message: a table a prepared statement reads changed its columns
 * (DDL after the statement was prepared). The statement must be prepared again.
 */
const RESULT_TYPE_CHANGED = /cached plan must not change result type/;

interface ConnectionStatements {
  /** Statement text → name, least recently used first (a Map keeps insertion order). */
  names: Map<string, string>;
  next: number;
}

/** node-postgres's record of the statements a connection has parsed (as @dataplan/pg uses it). */
interface ParsedStatements {
  connection?: { parsedStatements?: Record<string, string> };
}

export class PreparedStatements {
  private readonly connections = new WeakMap<pg.ClientBase, ConnectionStatements>();

  constructor(readonly perConnection: number) {}

  /**
   * The query to send on `client`: named when the statement is worth preparing. `evicted` is a
   * statement that fell out of the connection's bound: deallocate it first (`deallocate`).
   */
  queryFor(client: pg.ClientBase, text: string, values: unknown[], stable: boolean): { query: pg.QueryConfig; evicted: string | null } {
    if (!stable || this.perConnection <= 0 || values.length === 0 || text.length > MAX_PREPARED_TEXT_CHARS) return { query: { text, values }, evicted: null };
    let state = this.connections.get(client);
    if (!state) {
      state = { names: new Map(), next: 0 };
      this.connections.set(client, state);
    }
    const known = state.names.get(text);
    if (known !== undefined) {
      state.names.delete(text);
      state.names.set(text, known);
      return { query: { name: known, text, values }, evicted: null };
    }
    let evicted: string | null = null;
    if (state.names.size >= this.perConnection) {
      const [oldestText, oldestName] = state.names.entries().next().value as [string, string];
      state.names.delete(oldestText);
      evicted = oldestName;
    }
    const name = `kt_${state.next++}`;
    state.names.set(text, name);
    return { query: { name, text, values }, evicted };
  }

  /**
   * Forgets `text` on `client` after PostgreSQL refused its prepared plan because a table changed
   * (see RESULT_TYPE_CHANGED). Returns the name to deallocate, or null for any other error.
   */
  forgetAfter(error: unknown, client: pg.ClientBase, text: string): string | null {
    const state = this.connections.get(client);
    const name = state?.names.get(text);
    if (!state || name === undefined || !(error instanceof Error) || !RESULT_TYPE_CHANGED.test(error.message)) return null;
    state.names.delete(text);
    return name;
  }

  /**
   * Deallocates `name` on `client`, then node-postgres forgets it too (until the server has, it
   * would still bind to it instead of parsing). A connection that is failing or in an aborted
   * transaction refuses: names are never reused, so a statement left prepared only costs server
   * memory until the connection closes, and the failure itself reaches the next statement.
   */
  async deallocate(client: pg.ClientBase, name: string): Promise<void> {
    try {
      await client.query(`DEALLOCATE ${name}`);
      const parsed = (client as unknown as ParsedStatements).connection?.parsedStatements;
      if (parsed) delete parsed[name];
    } catch {
      // See above.
    }
  }
}
