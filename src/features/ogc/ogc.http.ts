/**
 * HTTP plumbing shared by the OGC API and the tile routes: the exception body, the mapping from
 * application errors to status codes, and a per-request context.
 *
 * Errors are answered in the OGC API exception shape `{ code, description }` (plus `parameter`
 * for a bad query parameter). Anything that is not an `HttpError` or an `AppError` is an internal
 * error: it is logged with an id and the client gets only that id, never SQL, a stack or a driver
 * message.
 */
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { principalOf } from '../../auth/http-auth.js';
import type { Principal } from '../../auth/principal.js';
import type { Database } from '../../db/database.js';
import { AppError, DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, ErrorCode, isDatabaseUnavailable } from '../../errors/errors.js';
import type { Logger } from '../../logging/logger.js';

/** What the GIS routers need from the application. */
export interface GisDeps {
  db: Database;
  log: Logger;
  /** Smallest non-zero count an aggregate may show to roles that see only aggregates (config.privacy.kAnonymity). */
  kAnonymity: number;
  /** Yearly graduations expected of a pendamping without their own target (config GRADUATION_TARGET_PER_PENDAMPING_PER_YEAR). */
  graduationTargetPerYear: number;
  /** PUBLIC_BASE_URL: the origin clients reach the API at (behind a TLS proxy); null = from the request. */
  publicBaseUrl?: string | null;
}

export interface GisRequest {
  principal: Principal;
  requestId: string;
  log: Logger;
  /** Scheme, host and mount path of this router, e.g. `http://localhost:4000/ogc`: links must be absolute (GDAL resolves "/x" against the landing page, not the host). */
  base: string;
  /** The query string as sent, decoded (repeated names keep every value). */
  query: URLSearchParams;
}

/** An error answered as-is: a status, an exception code and a description for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    /** The query parameter at fault, for 400s. */
    readonly parameter?: string,
  ) {
    super(description);
    this.name = 'HttpError';
  }
}

export const badParameter = (parameter: string, description: string) =>
  new HttpError(400, 'InvalidParameterValue', `${parameter}: ${description}`, parameter);

export const notFoundError = (description: string) => new HttpError(404, 'NotFound', description);

export const forbiddenError = (description: string) => new HttpError(403, 'Forbidden', description);

const STATUS_OF_APP_ERROR: Partial<Record<ErrorCode, [number, string]>> = {
  [ErrorCode.BAD_USER_INPUT]: [400, 'InvalidParameterValue'],
  [ErrorCode.INVALID_GEOMETRY]: [400, 'InvalidParameterValue'],
  [ErrorCode.FORBIDDEN]: [403, 'Forbidden'],
  [ErrorCode.NOT_FOUND]: [404, 'NotFound'],
  [ErrorCode.UNAUTHENTICATED]: [401, 'Unauthorized'],
  [ErrorCode.CONFLICT]: [409, 'Conflict'],
  [ErrorCode.DATABASE_UNAVAILABLE]: [503, 'ServiceUnavailable'],
};

/** Sends `error` in the exception shape; internal errors are logged and masked. */
export function sendError(res: Response, log: Logger, thrown: unknown): void {
  let error = thrown;
  if (res.headersSent) {
    log.error({ err: error }, 'error after the response started');
    res.destroy();
    return;
  }
  res.removeHeader('ETag');
  res.removeHeader('Cache-Control');
  if (error instanceof HttpError) {
    res.status(error.status).json({ code: error.code, description: error.description, ...(error.parameter ? { parameter: error.parameter } : {}) });
    return;
  }
  if (!(error instanceof AppError) && !(error instanceof HttpError) && isDatabaseUnavailable(error)) error = databaseUnavailable();
  if (error instanceof AppError) {
    if (error.code === ErrorCode.DATABASE_UNAVAILABLE) res.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    const mapped = STATUS_OF_APP_ERROR[error.code];
    if (mapped) {
      const argument = typeof error.extensions.argument === 'string' ? error.extensions.argument : undefined;
      res.status(mapped[0]).json({ code: mapped[1], description: error.message, ...(argument ? { parameter: argument } : {}) });
      return;
    }
  }
  const errorId = randomUUID();
  log.error({ err: error, errorId }, 'GIS request failed');
  res.status(500).json({ code: 'InternalServerError', description: `Internal error; quote id ${errorId} when reporting it.`, errorId });
}

/**
 * Wraps a route: builds the request context (principal from `authenticate`, request id, logger,
 * absolute base URL) and turns every thrown error into an exception response.
 */
export function gisRoute(deps: GisDeps, handler: (req: Request, res: Response, ctx: GisRequest) => Promise<void>) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const requestId = randomUUID();
    const log = deps.log.child({ requestId });
    try {
      const ctx: GisRequest = {
        principal: principalOf(res),
        requestId,
        log,
        base: `${deps.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`}${req.baseUrl}`,
        query: new URL(req.originalUrl, 'http://query.invalid').searchParams,
      };
      // The request-wide input check of GraphQL (graphql/input.ts), for query parameters.
      for (const [name, value] of ctx.query) {
        if (value.length > 2000 || value.includes('\u0000')) throw badParameter(name, `must be at most 2000 characters of text without NUL (U+0000); got ${value.length} characters.`);
      }
      await handler(req, res, ctx);
    } catch (error) {
      sendError(res, log, error);
    }
  };
}
