/**
 * Helpers for the tests that compare a connection's two page paths (the page built as JSON text
 * by PostgreSQL, and the resolvers): tests/graphql/households-page.test.ts and villages-page.test.ts.
 * A query marks the end of each `nodes { … }` selection with `#NODES_END`; the resolved variant adds
 * a field there that only the resolvers serve, which forces that path.
 */
import { expect } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import type { TestApi } from './graphql.js';

/** The compiled and the resolver-forced variants of `query`. */
export function pageVariants(query: string, resolverOnlyField: string): { compiled: string; resolved: string } {
  return { compiled: query.replaceAll('#NODES_END', ''), resolved: query.replaceAll('#NODES_END', resolverOnlyField) };
}

/** `value` without any property named `key`, at every depth (removes the resolver-only field). */
export function withoutKey(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKey(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key).map(([k, v]) => [k, withoutKey(v, key)]));
  }
  return value;
}

/** Cursors are sealed with a random IV: compare what they open to by using them, not their text. */
export function withoutCursors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCursors);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'endCursor' ? (v === null ? null : 'cursor') : withoutCursors(v)]));
  }
  return value;
}

/** Runs both variants as `as`, counting statements, after checking neither answered with errors. */
export async function runBothPaths(
  api: TestApi,
  pair: { compiled: string; resolved: string },
  variables: Record<string, unknown>,
  as: Principal | undefined,
) {
  const compiled = await api.countStatements(pair.compiled, variables, as);
  const resolved = await api.countStatements(pair.resolved, variables, as);
  expect(compiled.result.errors).toBeUndefined();
  expect(resolved.result.errors).toBeUndefined();
  return { compiled, resolved };
}
