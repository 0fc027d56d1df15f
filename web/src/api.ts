/**
 * The session and the one way to the API. The token is kept in this module's memory only (not in
 * storage, cookies or URLs): it leaves the page only as the Authorization header of /graphql and
 * /tiles requests. Its claims are decoded (not verified: the API verifies) to know the role, so
 * the page offers only what the API would allow; the API still enforces every rule.
 */
import type { Role } from './types';

export interface Claims { sub: string; role: Role; org?: string; funder?: string; regions?: '*' | string[]; villages?: string[]; exp?: number }

export class ApiError extends Error {
  constructor(message: string, readonly code: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

let token: string | null = null;
let claims: Claims | null = null;
const expiredListeners: ((message: string) => void)[] = [];

export function decodeClaims(raw: string): Claims {
  const part = raw.split('.')[1];
  if (!part) throw new Error('not a JWT (expected three dot-separated parts)');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  const parsed = JSON.parse(json) as Claims;
  if (!parsed.role) throw new Error('the token carries no role claim');
  return parsed;
}

export const session = {
  signIn(raw: string): Claims {
    const trimmed = raw.trim().replace(/^(Authorization:\s*)?Bearer\s+/i, '');
    claims = decodeClaims(trimmed);
    token = trimmed;
    return claims;
  },
  signOut(): void {
    token = null;
    claims = null;
  },
  get claims(): Claims | null {
    return claims;
  },
  /** Headers for a same-origin API request (MapLibre's transformRequest uses them for tiles). */
  authHeaders(): Record<string, string> {
    return token ? { Authorization: `Bearer ${token}` } : {};
  },
  onExpired(listener: (message: string) => void): void {
    expiredListeners.push(listener);
  },
  /** A 401 from any route: the token expired or was refused; the API's message says why. */
  expired(message: string): void {
    // Requests in flight when the token expired all fail; the first one's reason is the one shown.
    if (token === null) return;
    token = null;
    claims = null;
    for (const listener of expiredListeners) listener(message);
  },
};

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  if (!session.claims) throw new ApiError('Not signed in.', 'UNAUTHENTICATED');
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...session.authHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, 'NETWORK');
  }
  const first = body.errors?.[0];
  if (response.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
    const message = first?.message ?? 'Authentication required.';
    session.expired(message);
    throw new ApiError(message, 'UNAUTHENTICATED');
  }
  if (first) throw new ApiError(first.message, String(first.extensions?.code ?? 'ERROR'), first.extensions ?? {});
  if (!body.data) throw new ApiError(`HTTP ${response.status} without data`, 'NETWORK');
  return body.data;
}
