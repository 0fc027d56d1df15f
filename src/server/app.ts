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
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ResponseSplices, stringifyResult } from '../graphql/raw-json.js';
import { setCursorSecret } from '../graphql/pagination.js';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { PersonalReads } from '../audit/personal-reads.js';
import { authenticate, principalOf } from '../auth/http-auth.js';
import { createTokenVerifier } from '../auth/jwt.js';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { ReplicaOptions } from '../db/replicas.js';
import { databaseUnavailable, ErrorCode, isDatabaseUnavailable } from '../errors/errors.js';
import { createLoaders, type RequestContext } from '../graphql/context.js';
import { applyHttpStatus, createErrorFormatter } from '../graphql/format-error.js';
import { createLimits } from '../graphql/limits.js';
import { createSchema } from '../graphql/schema.js';
import { createOgcRouter } from '../features/ogc/index.js';
import { createTilesRouter } from '../features/tiles/index.js';
import type { Logger } from '../logging/logger.js';
import { createWebAppRouter } from './web-app.js';
import { createGraphqlIdeRouter } from './graphql-ide.js';
import { createRateLimits } from './rate-limit.js';
import { createReadRouting, type ReadRouting } from './read-routing.js';
import { graphqlHttpHandler } from './graphql-http.js';
import { createGraphqlRoute, type GraphqlRoute } from './graphql-route.js';
import { bodyRefusalMessage } from '../http/json-body.js';
import { createImportRouter, type ImportWorker, startImportWorker } from '../features/imports/index.js';
import { type AgeRollupRefresher, startAgeRollupRefresher } from '../features/households/index.js';

export interface App {
  httpServer: http.Server;
  express: express.Express;
  apollo: ApolloServer<RequestContext>;
  /** A request context for this principal, as /graphql builds it (tests use it directly). */
  contextFor(principal: Principal): RequestContext;
  /** Where reads go (replicas when configured) and its counters. */
  readRouting: ReadRouting;
  /** JSON POSTs to /graphql, served without Express (graphql-route.ts). */
  graphqlRoute: GraphqlRoute;
  /** The import job worker of this process (polls the queue unless IMPORT_WORKER_POLL_MS is 0). */
  importWorker: ImportWorker;
  /** The age roll-up refresh of this process (at start and every AGE_ROLLUP_REFRESH_MS unless 0). */
  ageRollups: AgeRollupRefresher;
  stop(): Promise<void>;
}

/** Request bodies larger than this (1 MiB) are refused (413) before parsing, on both GraphQL routes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export async function createApp(config: Config, db: Database, log: Logger): Promise<App> {
  setCursorSecret(config.cursors.secret);
  const app = express();
  // JSON POSTs to /graphql are served without Express (graphql-route.ts); everything else by it.
  let graphqlRoute: GraphqlRoute | null = null;
  const httpServer = http.createServer((req, res) => {
    if (graphqlRoute?.accepts(req)) graphqlRoute.serve(req, res);
    else app(req, res);
  });
  const limits = createLimits(config.graphql);
  // Lag-tolerant reads to the replicas, when configured (read-routing.ts); `reads` is `db` otherwise.
  const routing = await createReadRouting(db, { config: config.readRouting, pool: replicaPool(config.database) }, log);
  const reads = routing.database;
  const apollo = new ApolloServer<RequestContext>({
    schema: await createSchema(),
    formatError: createErrorFormatter(log),
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // main.ts owns SIGINT/SIGTERM and stops everything in order within a bounded grace period.
    // Apollo's own handlers would call stop() beside it and then re-raise the signal, which
    // arrived as a "second signal" (exit 1) and left the drain waiting its full 10 s.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // PostGIS-built GeoJSON is spliced into the response as text (graphql/raw-json.ts).
    stringifyResult,
    plugins: [
      // No cache hints are set; the default cache-control plugin wrapped every field resolver
      // (15% of CPU on 1,000 households, bench/README.md).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      responseSplicePlugin(),
      ...(limits.plugins as ApolloServerPlugin<RequestContext>[]),
      personalReadAuditPlugin(log, db),
      routing.plugin,
    ],
  });
  await apollo.start();

  const contextFor = (principal: Principal): RequestContext => {
    const requestId = randomUUID();
    let requestLog: Logger | undefined;
    return {
      db: reads,
      // Made when something logs: most requests never do, and a pino child per request was ~1% of
      // an authenticated `{ __typename }`.
      get log() {
        return (requestLog ??= log.child({ requestId }));
      },
      requestId,
      loaders: createLoaders(reads, principal),
      principal,
      kAnonymity: config.privacy.kAnonymity,
      graduationTargetPerYear: config.graduation.targetPerPendampingPerYear,
      execution: config.execution,
      personalReads: new PersonalReads(principal),
      splices: new ResponseSplices(),
    };
  };

  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // One instance of each, used by Express and by the GraphQL route (graphql-route.ts).
  const securityHeaders = helmet({
    // The API serves JSON, GeoJSON and tiles, never HTML with scripts: the strictest policy fits.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: config.httpLimits.corsOrigins.length ? 'cross-origin' : 'same-origin' },
  });
  const corsPolicy = cors({
    origin: config.httpLimits.corsOrigins.length ? config.httpLimits.corsOrigins : false,
    allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
    exposedHeaders: ['ETag', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
  app.use(securityHeaders);
  app.use(corsPolicy);

  app.get('/', (_req, res) => {
    res.json({
      name: 'Kampung Terpadu',
      graphql: '/graphql',
      ogcApiFeatures: '/ogc',
      vectorTiles: { villages: '/tiles/villages.json', households: '/tiles/households.json', packageItems: '/tiles/package-items.json' },
      health: '/health',
      webApp: '/app/',
      ...(config.graphql.ide ? { graphqlIde: '/graphiql' } : {}),
      authentication: 'Authorization: Bearer <JWT> on every route except / and /health',
    });
  });
  // The web app is public HTML/JS with its own CSP; its data comes from the routes below with a token.
  app.use('/app', createWebAppRouter(config, log));

  // Separate budgets for GraphQL and for map clients (OGC API, tiles): see rate-limit.ts.
  const rateLimits = await createRateLimits(config.httpLimits, log);
  // 503 only when the database is down. Rate limits whose Redis is away say so (`redis-unavailable`:
  // requests pass uncounted, see rate-limit.ts) without taking the process out of a load balancer.
  app.get('/health', async (_req, res) => {
    const rateLimitStore = rateLimits.store();
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: db.kind, rateLimits: rateLimitStore });
    } catch {
      res.status(503).json({ status: 'unavailable', database: db.kind, rateLimits: rateLimitStore });
    }
  });
  const verifyToken = createTokenVerifier(config.auth);
  const verify = authenticate(verifyToken);
  const requireAuth = (budget: 'graphql' | 'map') => [rateLimits.perIp(budget), verify, rateLimits.perUser(budget)];

  if (config.graphql.ide) {
    app.use('/graphiql', createGraphqlIdeRouter());
    // A browser opening /graphql (no token, asks for HTML) is sent to the IDE instead of a JSON 401.
    app.get('/graphql', (req, res, next) => {
      if (!req.headers.authorization && req.accepts(['json', 'html']) === 'html' && !req.query.query) return res.redirect(302, '/graphiql');
      next();
    });
  }
  // What the GraphQL route (graphql-route.ts) does not take: GET, preflight, other bodies.
  app.use('/graphql', requireAuth('graphql'), express.json({ limit: MAX_BODY_BYTES }), (_req: express.Request, res: express.Response, next: express.NextFunction) => routing.inGraphqlScope(principalOf(res).subject, next), graphqlHttpHandler(apollo, (_req, res) => contextFor(principalOf(res))));
  const route = createGraphqlRoute({
    apollo,
    contextFor,
    headers: [securityHeaders, corsPolicy],
    rateLimits,
    verify: verifyToken,
    routing,
    maxBodyBytes: MAX_BODY_BYTES,
    log,
  });
  graphqlRoute = route;
  // ADMIN file uploads for imports (larger than GraphQL's limits): the GraphQL budget and token rules.
  app.use('/imports', requireAuth('graphql'), createImportRouter({ db, log, maxBytes: config.imports.uploadMaxBytes }));
  app.use('/ogc', requireAuth('map'), routing.readRoute, createOgcRouter({ db: reads, log, kAnonymity: config.privacy.kAnonymity, graduationTargetPerYear: config.graduation.targetPerPendampingPerYear, publicBaseUrl: config.http.publicBaseUrl }));
  app.use('/tiles', requireAuth('map'), routing.readRoute, createTilesRouter({ db: reads, log, kAnonymity: config.privacy.kAnonymity, graduationTargetPerYear: config.graduation.targetPerPendampingPerYear, publicBaseUrl: config.http.publicBaseUrl }));

  // Unknown paths: the same JSON error shape as everything else, not express's HTML page.
  app.use((req, res) => {
    res.status(404).json({ errors: [{ message: `No resource at ${req.method} ${req.path.slice(0, 200)}; see / for the routes (/graphql, /ogc, /tiles, /health).`, extensions: { code: ErrorCode.NOT_FOUND } }] });
  });

  // Body-parser failures (malformed JSON, oversized body) would otherwise get express's HTML
  // page with a stack trace. Answer in GraphQL's error shape, without internals.
  app.use((error: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const message =
      error.type === 'entity.too.large'
        ? bodyRefusalMessage('too-large', MAX_BODY_BYTES)
        : error.type === 'entity.parse.failed'
          ? bodyRefusalMessage('not-json', MAX_BODY_BYTES)
          : status === 500
            ? 'Internal error.'
            : 'Bad request.';
    if (status === 500) log.error({ err: error }, 'unhandled HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  const importWorker = startImportWorker(db, log, config.imports.workerPollMs, {
    statementTimeoutMs: config.imports.statementTimeoutMs,
    workMemMb: config.imports.workMemMb,
    // An import's creator reads its own writes on the replicas too (read-routing.ts).
    onWritten: (subject) => routing.recordWrite(subject),
  });
  // On the primary: it writes. After migrations and the seed (main.ts runs both before this).
  const ageRollups = startAgeRollupRefresher(db, log, config.ageRollups.refreshMs);
  return {
    httpServer,
    express: app,
    apollo,
    contextFor,
    readRouting: routing,
    graphqlRoute: route,
    importWorker,
    ageRollups,
    async stop() {
      await importWorker.stop();
      await ageRollups.stop();
      await apollo.stop();
      await rateLimits.close();
      await routing.close();
    },
  };
}

/** Each replica's pool is sized, timed and prepares statements as the primary's. */
function replicaPool(database: Config['database']): ReplicaOptions {
  const { statementTimeoutMs } = database;
  return database.kind === 'postgres' ? { poolSize: database.poolSize, statementTimeoutMs, preparedStatementsPerConnection: database.preparedStatementsPerConnection } : { poolSize: 1, statementTimeoutMs };
}

/** Puts the JSON texts resolvers answered for whole sub-trees in place (graphql/raw-json.ts). */
function responseSplicePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind === 'single') contextValue.splices.applyTo(response.body.singleResult.data);
        },
      };
    },
  };
}

/**
 * Writes the request's personal-data reads to the audit log before the response leaves. If the
 * audit record cannot be written, the data is not sent: an unaudited read must not happen.
 */
function personalReadAuditPlugin(log: Logger, primary: Database): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          try {
            // Audit records go to the primary (contextValue.db may read from a replica).
            await contextValue.personalReads.flush(primary, contextValue.requestId);
          } catch (err) {
            const errorId = randomUUID();
            log.error({ err, errorId }, 'personal-data read audit failed; response withheld');
            if (response.body.kind === 'single') {
              response.body.singleResult = isDatabaseUnavailable(err)
                ? { errors: [{ message: databaseUnavailable().message, extensions: { ...databaseUnavailable().extensions } }] }
                : { errors: [{ message: `Internal error; quote id ${errorId} when reporting it.`, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId } }] };
            }
          }
          // Last, so the status reflects the result actually sent (see applyHttpStatus).
          applyHttpStatus(response);
        },
      };
    },
  };
}
