/**
 * The GraphQL HTTP endpoint: Apollo Server's request pipeline, written out here instead of
 * `@as-integrations/express5` so that the response can leave in pieces. A FeatureCollection of
 * 5,000 households (1.9 MB) comes from PostgreSQL as 25 rows of ~80 kB and goes to the socket as
 * those 25 pieces (graphql/raw-json.ts, `ResponseSplices.deferred`). Joined into one body it was
 * copied three times more (the spliced string, Express's Buffer and pg-protocol's message buffer
 * grown by doubling), each copy over V8's 128 kB large-object threshold, and the API's resident
 * memory grew to ~400 MiB under op 3 of the benchmark.
 *
 * Everything else is what the integration did: the request's headers, method, query string and
 * parsed body go to `executeHTTPGraphQLRequest`; its status, headers and body come back. Two
 * callers: the GraphQL route outside Express for JSON POSTs (server/graphql-route.ts), and the
 * Express route for everything else at /graphql (GET, preflight, other content types).
 */
import { type ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { RequestContext } from '../graphql/context.js';
import { writePieces } from '../http/write-pieces.js';

/** Runs one GraphQL request through Apollo and writes its response to `res`. */
export async function respondGraphql(apollo: ApolloServer<RequestContext>, req: IncomingMessage, body: unknown, res: ServerResponse, contextFor: () => RequestContext): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const queryAt = url.indexOf('?');
  const request: HTTPGraphQLRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    headers,
    search: queryAt >= 0 ? url.slice(queryAt) : '',
    body,
  };
  // The context is built here, not inside Apollo, so its splices can be written below.
  const built: { context?: RequestContext } = {};
  const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context: async () => (built.context = contextFor()) });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    const pieces = built.context ? built.context.splices.bodyPieces(response.body.string) : [response.body.string];
    await writePieces(res, pieces);
    return;
  }
  // Incremental delivery (@defer/@stream, multipart/mixed): chunks as they come.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The Express handler: the body as express.json parsed it. */
export function graphqlHttpHandler(apollo: ApolloServer<RequestContext>, contextFor: (req: Request, res: Response) => RequestContext): RequestHandler {
  apollo.assertStarted('graphqlHttpHandler()');
  return async (req, res, next) => {
    try {
      await respondGraphql(apollo, req, req.body, res, () => contextFor(req, res));
    } catch (error) {
      next(error);
    }
  };
}
