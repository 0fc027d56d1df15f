/**
 * Named (prepared) statements on PostgreSQL for the statements marked `planStable`: each
 * connection keeps the ones it ran most recently prepared, so a repeated request is bound and
 * executed without being parsed and planned again.
 *
 * Why: sent unnamed, every statement is parsed and planned on every request. Named, PostgreSQL
 * plans it with the parameters' values for its first five executions and then, when a generic
 * plan costs no more than those custom plans did, keeps the generic plan (`plan_cache_mode =
 * auto`); until then, and for statements that keep custom plans, parse and analysis are saved.
 * Measured on the benchmark's statements (bench/README.md, 2026-12-06): the op-2 page 1.27–1.31
 * → 0.79–0.84 ms (pgbench), op 1 17–24 → 7–9 ms at 1,000,000 households, and a regional
 * planner's first page, whose planning cost 0.14 ms more than the national one's (0.5 ms under
 * ten connections), costs the same once named (PostgreSQL keeps custom plans for it: a `LIMIT $n`
 * is costed at a tenth of the rows in a generic plan).
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
 * The design follows @dataplan/pg (PostGraphile 5) with node-postgres:
 *
 * - a least-recently-used map per connection from statement text to name, bounded by
 *   `PG_PREPARED_STATEMENTS` (0 turns preparing off, e.g. behind PgBouncer in transaction mode,
 *   where consecutive statements may reach different server connections);
 * - the statements that fall out are deallocated on that connection (`DEALLOCATE`) the next time
 *   it is held for one statement outside a transaction, so a server connection holds about the
 *   bound, however many different texts GraphQL selections produce. Never inside a transaction:
 *   a failing DEALLOCATE would abort it, and a statement queued behind one could run after the
 *   ROLLBACK;
 * - names are never reused on a connection (`kt_<n>`, counting up), so a name still known to the
 *   server can never meet a different text.
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
 * may be prepared (see the module comment), when `stable` (a source's own rule, e.g.
 * `householdPagePlanStable`); returns it. Only the statement passed to `query` counts, not
 * fragments inside it.
 */
export function planStable(statement: SQL, stable = true): SQL {
  if (stable) PLAN_STABLE.add(statement);
  return statement;
}

export function isPlanStable(statement: SQL | string): boolean {
  return typeof statement !== 'string' && PLAN_STABLE.has(statement);
}

/** Per connection, as PostGraphile 5's `DATAPLAN_PG_PREPARED_STATEMENT_CACHE_SIZE` default. */
export const DEFAULT_PREPARED_STATEMENTS_PER_CONNECTION = 100;

/** Longer texts (bulk statements) are not prepared: they would hold server memory for one use. */
export const MAX_PREPARED_TEXT_CHARS = 100_000;

interface ConnectionStatements {
  /** Statement text → name, least recently used first (a Map keeps insertion order). */
  names: Map<string, string>;
  next: number;
  /** Names that fell out of `names`, still prepared on the server until `deallocateEvicted`. */
  evicted: string[];
}

/** node-postgres's record of the statements a connection has parsed (as @dataplan/pg uses it). */
function parsedStatements(client: pg.ClientBase): Record<string, string> | undefined {
  return (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
}

/**
 * A table a prepared statement reads changed its columns after it was prepared (SQLSTATE 0A000,
 * "cached plan must not change result type", raised by RevalidateCachedQuery; the routine, not
 * the message, which lc_messages may translate), or the server no longer knows the name (26000).
 */
function needsNewPreparation(error: unknown): boolean {
  const { code, routine } = (error ?? {}) as { code?: unknown; routine?: unknown };
  return (code === '0A000' && routine === 'RevalidateCachedQuery') || code === '26000';
}

export class PreparedStatements {
  private readonly connections = new WeakMap<pg.ClientBase, ConnectionStatements>();

  constructor(readonly perConnection: number) {}

  /**
   * The query to send on `client`: named when the statement is worth preparing. A statement that
   * falls out of the connection's bound waits in its `evicted` list for `deallocateEvicted`.
   */
  queryFor(client: pg.ClientBase, text: string, values: unknown[], stable: boolean): pg.QueryConfig {
    if (!stable || this.perConnection <= 0 || values.length === 0 || text.length > MAX_PREPARED_TEXT_CHARS) return { text, values };
    let state = this.connections.get(client);
    if (!state) {
      state = { names: new Map(), next: 0, evicted: [] };
      this.connections.set(client, state);
    }
    const known = state.names.get(text);
    if (known !== undefined) {
      state.names.delete(text);
      state.names.set(text, known);
      return { name: known, text, values };
    }
    if (state.names.size >= this.perConnection) {
      const [oldestText, oldestName] = state.names.entries().next().value as [string, string];
      state.names.delete(oldestText);
      state.evicted.push(oldestName);
    }
    const name = `kt_${state.next++}`;
    state.names.set(text, name);
    return { name, text, values };
  }

  /**
   * After `query` failed on `client`: a name PostgreSQL never parsed (the Parse itself failed: a
   * syntax error, a lock timeout) is forgotten, so that the text is prepared afresh next time; so
   * is one whose plan PostgreSQL refused (`needsNewPreparation`). True when sending the statement
   * again may succeed (the second case).
   */
  afterFailure(error: unknown, client: pg.ClientBase, query: pg.QueryConfig): boolean {
    const state = this.connections.get(client);
    if (!query.name || !state || state.names.get(query.text) !== query.name) return false;
    const parsed = parsedStatements(client);
    if (parsed?.[query.name] === undefined) {
      state.names.delete(query.text);
      return false;
    }
    if (!needsNewPreparation(error)) return false;
    state.names.delete(query.text);
    if ((error as { code?: unknown }).code === '26000') delete parsed[query.name];
    else state.evicted.push(query.name);
    return true;
  }

  /**
   * Deallocates the connection's evicted statements, in one round trip, then node-postgres forgets
   * them too (until the server has, it would still bind to them instead of parsing). Only on a
   * connection held alone and outside a transaction: inside one, a failing DEALLOCATE would abort
   * the transaction, and a statement queued behind it could run after the ROLLBACK. Names that
   * were never parsed are only dropped. A connection that refuses keeps them: names are never
   * reused, so a statement left prepared costs server memory until the connection closes, and the
   * failure itself reaches the next statement.
   */
  async deallocateEvicted(client: pg.ClientBase): Promise<void> {
    const state = this.connections.get(client);
    if (!state || state.evicted.length === 0) return;
    const parsed = parsedStatements(client);
    const names = state.evicted.splice(0).filter((name) => parsed?.[name] !== undefined);
    if (names.length === 0) return;
    try {
      await client.query(names.map((name) => `DEALLOCATE ${name}`).join('; '));
      for (const name of names) delete parsed![name];
    } catch {
      // See above.
    }
  }
}
