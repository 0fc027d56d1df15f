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
