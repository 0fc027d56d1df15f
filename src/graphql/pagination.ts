/**
 * Cursor pagination shared by every connection (Relay style).
 *
 * Cursors are sealed: base64url of `version (1 byte) | IV (12) | AES-256-GCM ciphertext | tag (16)`
 * over a JSON array holding the sort key of the last row seen (e.g. `[42]` for households ordered
 * by id). Sealing matters because sort keys can be derived from counts a principal may only see
 * protected (issue 13, class 1): a client can neither read the key nor forge one to bisect it.
 * Pages are fetched by keyset ("after this key"), never by OFFSET, so page 1,000 costs what page
 * 1 costs.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { isStorableText } from './input.js';
import { badInput } from '../errors/errors.js';

const CURSOR_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

// Per-process random key until the app is configured (tests that build pages without an app);
// createApp calls setCursorSecret with config.cursors.secret.
let cursorKey: Buffer = randomBytes(32);

/** Sets the sealing key from configuration (any length; hashed to the 32 bytes AES-256 needs). */
export function setCursorSecret(secret: string): void {
  cursorKey = createHash('sha256').update(`kampung-terpadu cursor v${CURSOR_VERSION}\0`).update(secret).digest();
}

/** Seals any JSON value into an opaque, integrity-protected token (also used by OGC paging). */
export function sealToken(value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cursorKey, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([CURSOR_VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The value sealed by sealToken, or undefined for anything tampered, forged or malformed. */
export function openToken(token: string): unknown {
  if (token.length > 4096) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 1 + IV_BYTES + TAG_BYTES + 1 || raw[0] !== CURSOR_VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', cursorKey, raw.subarray(1, 1 + IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest `first` accepted; larger values are refused with BAD_USER_INPUT naming the cap. */
export const MAX_PAGE_SIZE = 1000;

export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return sealToken(key);
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
  const key = openToken(cursor);
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => !fitsShape(v, shape[i]!))) {
    throw badInput(argument, 'is not a cursor of this connection issued by this server (cursors are sealed; a changed, forged or expired-key cursor is refused); pass the endCursor of a previous page unchanged.', {
      received: cursor.length > 200 ? `${cursor.slice(0, 200)}…` : cursor,
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
