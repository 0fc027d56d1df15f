/**
 * The closed list of error codes a client can see, attached by one base class. Anything thrown
 * that is not an `AppError` (or a GraphQL validation error) is masked before it reaches a client
 * and logged with an id the client can quote (see `graphql/format-error.ts`).
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INVALID_GEOMETRY: 'INVALID_GEOMETRY',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The database cannot be reached right now (outage, restart, failover): retry later; HTTP 503. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorDetails {
  /** The argument or input path at fault, e.g. `filter.bboxWgs84`. */
  argument?: string;
  [key: string]: unknown;
}

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: AppErrorDetails = {},
  ) {
    super(message, { extensions: { code, ...details } });
    this.name = 'AppError';
  }
}

export const badInput = (argument: string, message: string, details: AppErrorDetails = {}) =>
  new AppError(ErrorCode.BAD_USER_INPUT, `${argument}: ${message}`, { argument, ...details });

export const invalidGeometry = (argument: string, message: string, details: AppErrorDetails = {}) =>
  new AppError(ErrorCode.INVALID_GEOMETRY, `${argument}: ${message}`, { argument, ...details });

export const notFound = (what: string, key: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(key)} does not exist.`, { key });

/** Seconds a client is told to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = () =>
  new AppError(ErrorCode.DATABASE_UNAVAILABLE, `The database is unavailable; nothing was changed by this request. Retry after ${DATABASE_RETRY_AFTER_SECONDS} s.`, {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });

/**
 * SQLSTATE classes and node/pg messages that mean "the connection or server is gone", not "the
 * statement is wrong": 08 connection exception, 57P01–57P03 shutdown/crash/starting up, 53300
 * too many connections. pg reports a dropped socket without a SQLSTATE, by message, and so a
 * statement that had no answer within its client-side limit ("Query read timeout", set on read
 * replicas only: src/db/replicas.ts).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);
const UNAVAILABLE_MESSAGE = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end|terminating connection|Query read timeout/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return e.code === ErrorCode.DATABASE_UNAVAILABLE;
    const code = 'code' in e ? String((e as { code: unknown }).code) : '';
    if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)) return true;
    if (e instanceof Error && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/**
 * Raised by the database's own invariant triggers (RAISE … USING ERRCODE = 'KT409'): a rule that
 * concurrency could break was refused by the database. The message is ours and safe to show. A
 * trigger that refuses one column's value says so with `COLUMN = 'household_id'`, which the API
 * names as the argument (`householdId`).
 */
export const INVARIANT_SQLSTATE = 'KT409';

/**
 * Maps a database error that is the client's business to a coded AppError: our invariant
 * triggers and unique violations become CONFLICT. Unique-violation details quote other rows'
 * values, so only the constraint name (mapped to an argument by the caller) is shown.
 */
export function conflictFromDatabase(error: unknown, argumentOfConstraint: Record<string, string> = {}): AppError | null {
  if (!error || typeof error !== 'object' || !('code' in error)) return null;
  const { code, message, constraint, column } = error as { code: unknown; message?: string; constraint?: string; column?: string };
  if (code === INVARIANT_SQLSTATE) {
    return new AppError(ErrorCode.CONFLICT, String(message), column ? { argument: column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) } : {});
  }
  if (code === '23505') {
    const argument = constraint ? argumentOfConstraint[constraint] : undefined;
    return new AppError(ErrorCode.CONFLICT, `${argument ?? 'The record'} already exists (unique${constraint ? ` ${constraint}` : ''}); another request may have created it at the same moment. Reload and retry.`, argument ? { argument } : {});
  }
  return null;
}
