/**
 * POST /graphql with a JSON body, served by node:http without Express.
 *
 * Why: Express's per-request work (its request and response prototypes set twice for a mounted
 * application, the router's layer walk, body-parser's content negotiation) and express-rate-limit's
 * per-request bookkeeping were most of what an authenticated `{ __typename }` cost: 0.50–0.59 ms of
 * CPU per request against 0.18 ms with the same Apollo pipeline behind this route (bench/README.md,
 * 2026-12-06, eighth session). Every GraphQL request paid it, and the benchmark's operations
 * answered from one statement (the villages and households pages) missed their bound by about
 * that much.
 *
 * What it does is what the Express route did, in the same order and with the same parts: the
 * security headers and CORS policy (the same helmet and cors middleware instances), the GraphQL
 * budget's per-IP limit, the token (`authenticateRequest`), the per-user limit, the body
 * (`readJsonBody`, 1 MB), the read-routing scope, then Apollo (`respondGraphql`). Requests it
 * does not take (GET, CORS preflight, other content types or encodings, charsets other than
 * UTF-8) go to Express, whose /graphql route has the same steps and body-parser's full content
 * handling.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { authenticateRequest } from '../auth/http-auth.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Principal } from '../auth/principal.js';
import type { RequestContext } from '../graphql/context.js';
import { BodyError, bodyRefusalMessage, readJsonBody } from '../http/json-body.js';
import { sendJson } from '../http/send-json.js';
import type { Logger } from '../logging/logger.js';
import { respondGraphql } from './graphql-http.js';
import type { RateLimits } from './rate-limit.js';
import type { ReadRouting } from './read-routing.js';

/** A Connect-style middleware that works on node's request and response (helmet, cors). */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface GraphqlRouteOptions {
  apollo: ApolloServer<RequestContext>;
  contextFor(principal: Principal): RequestContext;
  /** Run first, as on every Express route: security headers, then the CORS policy. */
  headers: readonly NodeMiddleware[];
  rateLimits: RateLimits;
  verify: TokenVerifier;
  routing: Pick<ReadRouting, 'inGraphqlScope'>;
  maxBodyBytes: number;
  log: Logger;
}

export interface GraphqlRoute {
  /** Whether this route serves `req` (else Express does). */
  accepts(req: IncomingMessage): boolean;
  serve(req: IncomingMessage, res: ServerResponse): void;
}

const PATH = /^\/graphql\/?(?:\?|$)/;

/** `application/json`, with no parameter but a UTF-8 charset (what body-parser reads without conversion). */
function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';');
  if (type!.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((p) => {
    const [name, value] = p.split('=').map((s) => s.trim().toLowerCase());
    return name === 'charset' && (value === 'utf-8' || value === '"utf-8"');
  });
}

export function createGraphqlRoute(options: GraphqlRouteOptions): GraphqlRoute {
  const { apollo, contextFor, headers, rateLimits, verify, routing, maxBodyBytes, log } = options;
  apollo.assertStarted('createGraphqlRoute()');

  const runMiddleware = (middleware: NodeMiddleware, req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const middleware of headers) await runMiddleware(middleware, req, res);
    if (!(await rateLimits.chargeIp('graphql', req, res))) return;
    const principal = await authenticateRequest(req.headers.authorization, verify, res);
    if (!principal) return;
    if (!(await rateLimits.chargeUser('graphql', principal.subject, res))) return;
    let body: unknown;
    try {
      body = await readJsonBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // A client that went away is not an error of ours: nothing to log, nobody to answer.
      if (error.refusal === 'aborted' && (req.destroyed || res.destroyed)) return;
      // Over the limit the connection is not reused: the rest of the body may still be arriving.
      if (error.refusal === 'too-large') res.setHeader('Connection', 'close');
      sendJson(res, error.status, { errors: [{ message: bodyRefusalMessage(error.refusal, maxBodyBytes), extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    await routing.inGraphqlScope(principal.subject, () => respondGraphql(apollo, req, body, res, () => contextFor(principal)));
  }

  return {
    accepts: (req) =>
      req.method === 'POST' &&
      PATH.test(req.url ?? '') &&
      isPlainJson(req.headers['content-type']) &&
      (req.headers['content-encoding'] === undefined || req.headers['content-encoding'].toLowerCase() === 'identity'),
    serve(req, res) {
      serve(req, res).catch((error: unknown) => {
        // As the Express error handler answers an unexpected error: no internals, logged.
        log.error({ err: error }, 'unhandled HTTP error');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendJson(res, 500, { errors: [{ message: 'Internal error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      });
    },
  };
}
