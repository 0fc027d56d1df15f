/**
 * SQL text and parameters from a drizzle `sql` template, for the statements every request sends.
 *
 * drizzle's own `sqlToQuery` is general: for each chunk it tries a dozen entity checks in turn
 * (`is()` walks the prototype chain and reads symbols when `instanceof` fails), copies its
 * configuration for every nested fragment and builds a `{ sql, params }` object per chunk that
 * is merged afterwards. A plain value like `${limit}` goes through every check before it becomes
 * `$n`. Our statements are nested templates of text, values, `sql.param`, `sql.raw`, `sql.join`
 * and `sql.identifier` only; the villages page is ~1,500 chunks. For those this walks the tree
 * once, appending to one array. Anything else (a drizzle Table, Column, View, Subquery,
 * placeholder, encoder, inlined parameters) makes it hand the whole statement to drizzle, so the
 * result is drizzle's in every case: tests/db/compile-sql.test.ts compares the two.
 *
 * Measured on the op-1 villages statement (17.6 kB, 120 parameters, tsx, 5,000 runs after
 * warm-up): see bench/README.md, "Issue #19 (2026-12-06, third)".
 */
import { type SQL, Name, Param, SQL as SqlClass, StringChunk, isSQLWrapper } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();
/** drizzle's no-op encoder: a Param carrying it sends its value unchanged. */
const NOOP_ENCODER = new Param(null).encoder;

export interface CompiledSql {
  text: string;
  values: unknown[];
}

/** Thrown inside the walk when a chunk needs drizzle's general compiler. */
const UNSUPPORTED = Symbol('unsupported chunk');

export function compileSql(statement: SQL): CompiledSql {
  const parts: string[] = [];
  const values: unknown[] = [];
  try {
    walk(statement.queryChunks, inlines(statement), parts, values);
  } catch (error) {
    if (error !== UNSUPPORTED) throw error;
    return drizzleCompile(statement);
  }
  return { text: parts.join(''), values };
}

/** drizzle's own compiler (the reference: everything it supports). */
export function drizzleCompile(statement: SQL): CompiledSql {
  const compiled = dialect.sqlToQuery(statement);
  return { text: compiled.sql, values: compiled.params };
}

/** `sql.inlineParams()` was called on it (drizzle keeps the flag private). */
const inlines = (statement: SQL): boolean => (statement as unknown as { shouldInlineParams: boolean }).shouldInlineParams;

function walk(chunks: readonly unknown[], inline: boolean, parts: string[], values: unknown[]): void {
  if (inline) throw UNSUPPORTED;
  for (const chunk of chunks) {
    if (chunk instanceof StringChunk) {
      const text = chunk.value;
      parts.push(text.length === 1 ? (text[0] as string) : text.join(''));
    } else if (chunk instanceof SqlClass) {
      walk(chunk.queryChunks, inlines(chunk), parts, values);
    } else if (chunk === undefined) {
      continue;
    } else if (chunk === null || typeof chunk !== 'object') {
      // A plain value: one parameter (drizzle's last case; functions are not values).
      if (typeof chunk === 'function') throw UNSUPPORTED;
      parameter(chunk, parts, values);
    } else if (Array.isArray(chunk)) {
      // drizzle writes a JS array as a parenthesised list of its items.
      // An index loop, not forEach: drizzle visits the holes of a sparse array too (as undefined).
      parts.push('(');
      for (let i = 0; i < chunk.length; i++) {
        if (i > 0) parts.push(', ');
        walk([chunk[i]], false, parts, values);
      }
      parts.push(')');
    } else if (chunk instanceof Param) {
      if (chunk.encoder !== NOOP_ENCODER || isSQLWrapper(chunk.value)) throw UNSUPPORTED;
      parameter(chunk.value, parts, values);
    } else if (chunk instanceof Name) {
      parts.push(dialect.escapeName(chunk.value));
    } else if (Object.getPrototypeOf(chunk) === Object.prototype || chunk instanceof Date || chunk instanceof Uint8Array) {
      // Plain objects (JSON), dates and bytes are values, as in drizzle (they have no getSQL).
      if (isSQLWrapper(chunk)) throw UNSUPPORTED;
      parameter(chunk, parts, values);
    } else {
      // Table, Column, View, Subquery, Placeholder, an aliased SQL, an enum, any SQL wrapper.
      throw UNSUPPORTED;
    }
  }
}

/** `$n` in the text for the next parameter (drizzle's PgDialect.escapeParam numbers from 1). */
function parameter(value: unknown, parts: string[], values: unknown[]): void {
  values.push(value);
  parts.push(`$${values.length}`);
}
