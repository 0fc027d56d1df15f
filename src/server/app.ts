/**
 * Builds the HTTP application: GraphQL at /graphql and a health check at /health. Used by
 * main.ts and by the tests, which drive the same pipeline.
 */
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { createLoaders, type RequestContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { createSchema } from '../graphql/schema.js';
import type { Logger } from '../logging/logger.js';

export interface App {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  contextFor(): RequestContext;
  stop(): Promise<void>;
}

/** Request bodies larger than this are refused (413) before parsing. */
const MAX_BODY = '1mb';

export async function createApp(config: Config, db: Database, log: Logger): Promise<App> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<RequestContext>({
    schema: await createSchema(),
    formatError: createErrorFormatter(log),
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();

  const contextFor = (): RequestContext => {
    const requestId = randomUUID();
    return { db, log: log.child({ requestId }), requestId, loaders: createLoaders(db) };
  };

  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    res.json({ name: 'Kampung Terpadu', graphql: '/graphql', health: '/health' });
  });
  app.get('/health', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: db.kind });
    } catch {
      res.status(503).json({ status: 'unavailable', database: db.kind });
    }
  });
  app.use('/graphql', express.json({ limit: MAX_BODY }), expressMiddleware(apollo, { context: async () => contextFor() }));
  // Body-parser failures (malformed JSON, oversized body) would otherwise get express's HTML
  // page with a stack trace. Answer in GraphQL's error shape, without internals.
  app.use((error: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message =
      error.type === 'entity.too.large'
        ? `Request body larger than ${MAX_BODY}.`
        : error.type === 'entity.parse.failed'
          ? 'Request body is not valid JSON: send {"query": "...", "variables": {...}} with Content-Type: application/json.'
          : status === 500
            ? 'Internal error.'
            : 'Bad request.';
    if (status === 500) log.error({ err: error }, 'unhandled HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  return {
    httpServer,
    apollo,
    contextFor,
    async stop() {
      await apollo.stop();
    },
  };
}
