/** Runs GraphQL operations through the real Apollo pipeline (schema, resolvers, error formatting). */
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import { mintToken } from '../../src/auth/jwt.js';
import type { Claims, Principal } from '../../src/auth/principal.js';
import { principals } from './principals.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
}

export interface TestApi {
  database: TestDatabase;
  app: App;
  /** Runs an operation as a principal (default ADMIN). */
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<GraphQLResult<T>>;
  /** Runs the operation and returns how many SQL statements it sent. */
  countStatements(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<{ statements: number; result: GraphQLResult<Record<string, any>> }>;
  /** A signed bearer token with these claims (HS256, the test configuration's secret). */
  token(claims: Claims, expiresIn?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `env` adds configuration variables to the test defaults, e.g. the benchmark's lifted rate limits
 * (its load would otherwise meet the per-token budget, sooner the faster the database).
 */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const database = await openTestDatabase(inject('template'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const log = createLogger(config);
  const app = await createApp(config, database.db, log);
  const query = async <T>(q: string, variables?: Record<string, unknown>, as: Principal = principals.admin): Promise<GraphQLResult<T>> => {
    const response = await app.apollo.executeOperation({ query: q, variables }, { contextValue: app.contextFor(as) });
    if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
    // What a client receives: the result as JSON (raw GeoJSON texts become objects here).
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<T>;
  };
  return {
    database,
    app,
    query,
    async countStatements(q, variables, as) {
      const before = database.db.statementCount;
      const result = await query<Record<string, any>>(q, variables, as);
      return { statements: database.db.statementCount - before, result };
    },
    token: (claims, expiresIn) => mintToken(config.auth, claims, expiresIn),
    async close() {
      await app.stop();
      await database.dispose();
    },
  };
}
