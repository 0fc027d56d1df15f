/**
 * Statement recording for a server that runs in this process (the smoke test): wraps the
 * `query` of the app's `Database` so that every statement it sends is recorded with its SQL text,
 * parameters and timing, the same record the wire proxy makes for a child process.
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { performance } from 'node:perf_hooks';
import type { Database, QueryOptions } from '../src/db/database.js';
import { isPlanStable } from '../src/db/prepared-statements.js';
import type { CapturedStatement, StatementSource } from './pg-wire-proxy.js';

const dialect = new PgDialect();

export function recordStatements(db: Database): StatementSource & { restore(): void } {
  let recording = false;
  let recorded: CapturedStatement[] = [];
  const original = db.query;
  const target = db as { query: Database['query'] };
  target.query = async function query<T extends Record<string, unknown>>(statement: SQL | string, params?: unknown[], options?: QueryOptions): Promise<T[]> {
    const compiled = typeof statement === 'string' ? { sql: statement, params: params ?? [] } : dialect.sqlToQuery(statement);
    const prepared = options?.planStable ?? isPlanStable(statement);
    const entry: CapturedStatement = { text: compiled.sql, params: compiled.params, protocol: 'E', prepared, connection: 0, startedAt: performance.now(), endedAt: null };
    if (recording) recorded.push(entry);
    try {
      return await original.call(db, statement, params, options) as T[];
    } finally {
      entry.endedAt = performance.now();
    }
  };
  return {
    start() {
      recorded = [];
      recording = true;
    },
    stop() {
      recording = false;
      const out = recorded;
      recorded = [];
      return out;
    },
    restore() {
      target.query = original;
    },
  };
}
