/**
 * The SQL a request sends, for the snapshot tests: the statements the app's `Database` runs
 * directly (bench/in-process-capture.ts `recordStatements`) and those it runs inside a transaction
 * (mutations), which that recorder does not see because a transaction hands out its own queryable.
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { recordStatements } from '../../bench/in-process-capture.js';
import type { Database, Queryable } from '../../src/db/database.js';

const dialect = new PgDialect();

export interface StatementRecorder {
  start(): void;
  /** The SQL texts sent since start(), in the order they were sent. */
  stop(): string[];
  restore(): void;
}

export function recordAllStatements(db: Database): StatementRecorder {
  const direct = recordStatements(db);
  let inTransactions: string[] = [];
  let recording = false;
  const target = db as { transaction: Database['transaction'] };
  const original = db.transaction;
  target.transaction = function transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return original.call(db, (tx: Queryable) =>
      work({
        query(statement: SQL | string, params?: unknown[]) {
          if (recording) inTransactions.push(typeof statement === 'string' ? statement : dialect.sqlToQuery(statement).sql);
          return tx.query(statement, params);
        },
        copy(table, columns, lines) {
          if (recording) inTransactions.push(`COPY ${table} (${columns.join(', ')}) FROM STDIN`);
          return tx.copy(table, columns, lines);
        },
      }),
    ) as Promise<T>;
  };
  return {
    start() {
      inTransactions = [];
      recording = true;
      direct.start();
    },
    stop() {
      recording = false;
      const texts = [...direct.stop().map((s) => s.text), ...inTransactions];
      inTransactions = [];
      return texts;
    },
    restore() {
      target.transaction = original;
      direct.restore();
    },
  };
}
