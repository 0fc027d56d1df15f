/**
 * Decides what a client sees of an error. Errors we raised on purpose (AppError) and GraphQL's
 * own validation errors pass through; anything else — SQL errors, bugs — is replaced by a
 * generic message with an id, and logged in full under that id. Messages from the database can
 * quote the values of other rows, so they must never reach a client.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GraphQLResponse } from '@apollo/server';
import { AppError, DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, ErrorCode, isDatabaseUnavailable } from '../errors/errors.js';
import type { Logger } from '../logging/logger.js';

/** Ours, or GraphQL's own (parse, validation, variable coercion): safe to show as is. */
function isSafe(error: unknown): boolean {
  if (error instanceof AppError) return true;
  if (!(error instanceof GraphQLError)) return false;
  return !error.originalError || isSafe(error.originalError);
}

export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isSafe(original) || isSafe(error)) return formatted;
    // An outage is not a bug: say so with its own code (503, Retry-After) so clients retry.
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: original, path: formatted.path }, 'database unavailable');
      const unavailable = databaseUnavailable();
      return { message: unavailable.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: unavailable.extensions };
    }
    const errorId = randomUUID();
    log.error({ errorId, err: original, path: formatted.path }, 'internal error');
    return {
      message: `Internal error; quote id ${errorId} when reporting it.`,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}

/** Errors that mean "your request was refused before running": HTTP 400, not 500. */
const REFUSED = new Set<string>(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', ErrorCode.BAD_USER_INPUT, 'BAD_REQUEST']);

/**
 * The HTTP status of a GraphQL response, from its (formatted) errors: 503 with Retry-After when
 * the database was unavailable, 400 when the request was refused before anything ran.
 * Called last, after every hook that may still replace the result.
 */
export function applyHttpStatus(response: GraphQLResponse): void {
  if (response.body.kind !== 'single') return;
  const { data, errors } = response.body.singleResult;
  if (!errors?.length) return;
  if (errors.some((e) => e.extensions?.code === ErrorCode.DATABASE_UNAVAILABLE)) {
    response.http.status = 503;
    response.http.headers.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return;
  }
  if (data == null && errors.every((e) => REFUSED.has(String(e.extensions?.code)))) response.http.status = 400;
}
