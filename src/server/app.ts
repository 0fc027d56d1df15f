/**
 * Builds the HTTP application: GraphQL at /graphql, the public landing page and health check.
 * Used by main.ts and by the tests, which drive the same pipeline.
 *
 * Order of the middleware is the security model: security headers and CORS for everything,
 * then rate limiting, then authentication for every data route (GraphQL, OGC API, tiles), so no
 * data route exists that a request can reach without a verified principal.
 */
import 'reflect-metadata';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { stringifyResult } from '../graphql/raw-json.js';
import cors from 'cors';
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { PersonalReads } from '../audit/personal-reads.js';
import { authenticate, principalOf } from '../auth/http-auth.js';
import { createTokenVerifier } from '../auth/jwt.js';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { ErrorCode } from '../errors/errors.js';
import { createLoaders, type RequestContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { createLimits } from '../graphql/limits.js';
import { createSchema } from '../graphql/schema.js';
import { createOgcRouter } from '../features/ogc/ogc.router.js';
import { createTilesRouter } from '../features/tiles/tiles.router.js';
import type { Logger } from '../logging/logger.js';

export interface App {
  httpServer: http.Server;
  express: express.Express;
  apollo: ApolloServer<RequestContext>;
  /** A request context for this principal, as /graphql builds it (tests use it directly). */
  contextFor(principal: Principal): RequestContext;
  stop(): Promise<void>;
}

/** Request bodies larger than this are refused (413) before parsing. */
export const MAX_BODY = '1mb';

export async function createApp(config: Config, db: Database, log: Logger): Promise<App> {
  const app = express();
  const httpServer = http.createServer(app);
  const limits = createLimits(config.graphql);
  const apollo = new ApolloServer<RequestContext>({
    schema: await createSchema(),
    formatError: createErrorFormatter(log),
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // PostGIS-built GeoJSON is spliced into the response as text (graphql/raw-json.ts).
    stringifyResult,
    plugins: [
      // No cache hints are set; the default cache-control plugin wrapped every field resolver
      // (15% of CPU on 1,000 households, bench/README.md).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(limits.plugins as ApolloServerPlugin<RequestContext>[]),
      personalReadAuditPlugin(log),
    ],
  });
  await apollo.start();

  const contextFor = (principal: Principal): RequestContext => {
    const requestId = randomUUID();
    return {
      db,
      log: log.child({ requestId }),
      requestId,
      loaders: createLoaders(db, principal),
      principal,
      kAnonymity: config.privacy.kAnonymity,
      graduationTargetPerYear: config.graduation.targetPerPendampingPerYear,
      personalReads: new PersonalReads(principal),
    };
  };

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      // The API serves JSON, GeoJSON and tiles, never HTML with scripts: the strictest policy fits.
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: config.httpLimits.corsOrigins.length ? 'cross-origin' : 'same-origin' },
    }),
  );
  app.use(
    cors({
      origin: config.httpLimits.corsOrigins.length ? config.httpLimits.corsOrigins : false,
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
      exposedHeaders: ['ETag', 'RateLimit', 'RateLimit-Policy'],
      maxAge: 600,
    }),
  );

  app.get('/', (_req, res) => {
    res.json({
      name: 'Kampung Terpadu',
      graphql: '/graphql',
      ogcApiFeatures: '/ogc',
      vectorTiles: { villages: '/tiles/villages.json', households: '/tiles/households.json', packageItems: '/tiles/package-items.json' },
      health: '/health',
      authentication: 'Authorization: Bearer <JWT> on every route except / and /health',
    });
  });
  app.get('/health', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: db.kind });
    } catch {
      res.status(503).json({ status: 'unavailable', database: db.kind });
    }
  });

  // Two limits. Per IP before authentication (4× the token limit), so junk tokens cannot open a
  // bucket each; per verified user after it, so users behind one NAT do not share a bucket.
  const limited = (keyGenerator: (req: express.Request, res: express.Response) => string, limit: number) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator,
      handler: (_req, res) => {
        res.status(429).json({ errors: [{ message: `Rate limit of ${limit} requests per minute exceeded; retry after the time in the RateLimit header.`, extensions: { code: 'RATE_LIMITED' } }] });
      },
    });
  const perIp = limited((req) => ipKeyGenerator(req.ip ?? ''), config.httpLimits.rateLimitPerMinute * 4);
  const perUser = limited((_req, res) => `user:${principalOf(res).subject}`, config.httpLimits.rateLimitPerMinute);

  const verify = authenticate(createTokenVerifier(config.auth));
  const requireAuth = [perIp, verify, perUser];
  app.use('/graphql', requireAuth, express.json({ limit: MAX_BODY }), expressMiddleware(apollo, { context: async ({ res }) => contextFor(principalOf(res)) }));
  app.use('/ogc', requireAuth, createOgcRouter({ db, log, kAnonymity: config.privacy.kAnonymity, publicBaseUrl: config.http.publicBaseUrl }));
  app.use('/tiles', requireAuth, createTilesRouter({ db, log, kAnonymity: config.privacy.kAnonymity, publicBaseUrl: config.http.publicBaseUrl }));

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
    express: app,
    apollo,
    contextFor,
    async stop() {
      await apollo.stop();
    },
  };
}

/**
 * Writes the request's personal-data reads to the audit log before the response leaves. If the
 * audit record cannot be written, the data is not sent: an unaudited read must not happen.
 */
function personalReadAuditPlugin(log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          try {
            await contextValue.personalReads.flush(contextValue.db, contextValue.requestId);
          } catch (err) {
            const errorId = randomUUID();
            log.error({ err, errorId }, 'personal-data read audit failed; response withheld');
            if (response.body.kind === 'single') {
              response.body.singleResult = { errors: [{ message: `Internal error; quote id ${errorId} when reporting it.`, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId } }] };
            }
          }
        },
      };
    },
  };
}
