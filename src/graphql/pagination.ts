/**
 * Cursor pagination shared by every connection (Relay style).
 *
 * Cursors are opaque to clients: base64url of a JSON array holding the sort key of the last
 * row seen (e.g. `[42]` for households ordered by id, `[87.5, "33.74.02.1008"]` for villages
 * ordered by priority). Pages are fetched by keyset ("after this key"), never by OFFSET, so
 * page 1,000 costs what page 1 costs.
 */
import { isStorableText } from './input.js';
import { badInput } from '../errors/errors.js';

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest `first` accepted; larger values are refused with BAD_USER_INPUT naming the cap. */
export const MAX_PAGE_SIZE = 1000;

export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** 'integer' components are int4 keys (ids): a cursor holding 1.5 or 2^31 is refused, not sent to SQL. */
type KeyPart = 'string' | 'number' | 'integer';
const fitsShape = (v: unknown, part: KeyPart): boolean =>
  part === 'integer'
    ? Number.isInteger(v) && Math.abs(v as number) <= 2_147_483_647
    : part === 'number'
      ? typeof v === 'number' && Number.isFinite(v)
      : typeof v === 'string' && v.length <= 200 && isStorableText(v);

export function decodeCursor(cursor: string | null | undefined, argument: string, shape: readonly KeyPart[]): CursorKey | null {
  if (cursor === null || cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => !fitsShape(v, shape[i]!))) {
    throw badInput(argument, 'is not a cursor of this connection; pass the endCursor of a previous page unchanged.', {
      received: cursor,
    });
  }
  return key as CursorKey;
}

export function pageSize(first: number | null | undefined, argument = 'first', max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > max) {
    throw badInput(argument, `must be an integer from 0 to ${max} (the page-size cap); got ${first}. Page through larger results with \`after\`.`, {
      received: first,
      max,
    });
  }
  return first;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
}

/** Rows were fetched with LIMIT size + 1: the extra row only tells that another page exists. */
export function toPage<T>(rows: T[], size: number): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size };
}
