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

  return {
    httpServer,
    apollo,
    contextFor,
    async stop() {
      await apollo.stop();
    },
  };
}
