/**
 * Decides what a client sees of an error. Errors we raised on purpose (AppError) and GraphQL's
 * own validation errors pass through; anything else — SQL errors, bugs — is replaced by a
 * generic message with an id, and logged in full under that id. Messages from the database can
 * quote the values of other rows, so they must never reach a client.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from '../errors/errors.js';
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
