/**
 * Bearer-token verification (jose): HS256 with the configured secret, or RS256/ES256 against an
 * identity provider's JWKS. Every failure becomes UNAUTHENTICATED with a message that says which
 * check failed, never the token itself.
 */
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config/config.js';
import { AppError, ErrorCode } from '../errors/errors.js';
import { type Claims, claimsSchema, type Principal, principalFromClaims } from './principal.js';

export const unauthenticated = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message);

export type TokenVerifier = (token: string) => Promise<Principal>;

export interface TokenVerifierOptions {
  /** Milliseconds since the epoch; tests move it. Used for the tokens' `exp`/`nbf` and for the cache. */
  now?: () => number;
  /** Verified tokens kept, or false for none. */
  cache?: { ttlMs: number; maxEntries: number } | false;
}

/**
 * Verified tokens are kept for 60 s (never past their `exp`): HS256 verification, claim parsing
 * and the principal cost measurable CPU on every request of a busy client, which sends the same
 * token each time. There is no revocation list to honour (a token is valid until `exp`; the
 * lifetime cap bounds it), so a cached principal is exactly what verifying again would give
 * until then — except after a JWKS key rotation or a JWT_SECRET change without a restart, which
 * a cached token survives for at most the TTL.
 */
export const TOKEN_CACHE = { ttlMs: 60_000, maxEntries: 10_000 } as const;

export function createTokenVerifier(auth: Config['auth'], options: TokenVerifierOptions = {}): TokenVerifier {
  const now = options.now ?? Date.now;
  const verify = tokenVerification(auth, now);
  const cacheOptions = options.cache ?? TOKEN_CACHE;
  if (cacheOptions === false) return async (token) => (await verify(token)).principal;
  const cache = new VerifiedTokenCache(cacheOptions.ttlMs, cacheOptions.maxEntries, now);
  return async (token) => {
    const cached = cache.get(token);
    if (cached) return cached;
    // Only successes are kept: a tampered or expired token is a different string or fails here, every time.
    const { principal, expiresAtMs } = await verify(token);
    return cache.set(token, principal, expiresAtMs);
  };
}

/**
 * Principals by token string, each until min(verified + TTL, the token's `exp`); at most
 * `maxEntries`, the oldest evicted first. Principals are frozen: every request holding a cached
 * one shares it, so none may change it.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; validUntilMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {
    if (!(ttlMs > 0) || !Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`token cache needs ttlMs > 0 and maxEntries ≥ 1; got ${ttlMs}, ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    // `exp` is exclusive, as jose checks it: a token is refused from its `exp` second on.
    if (this.now() >= entry.validUntilMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /** Keeps `principal` (frozen) for `token`, and returns the frozen one. */
  set(token: string, principal: Principal, expiresAtMs: number): Principal {
    const frozen = freezePrincipal(principal);
    const validUntilMs = Math.min(this.now() + this.ttlMs, expiresAtMs);
    this.entries.delete(token);
    if (validUntilMs <= this.now()) return frozen;
    this.entries.set(token, { principal: frozen, validUntilMs });
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return frozen;
  }
}

function freezePrincipal(principal: Principal): Principal {
  return Object.freeze({
    ...principal,
    regionCodes: principal.regionCodes === null ? null : Object.freeze([...principal.regionCodes]),
    villageCodes: Object.freeze([...principal.villageCodes]),
  }) as Principal;
}

/** Verifies a token (signature, issuer, audience, `exp`, lifetime cap, claims) at the time `now` gives. */
function tokenVerification(auth: Config['auth'], now: () => number) {
  const secret = auth.secret ? new TextEncoder().encode(auth.secret) : null;
  const jwks: JWTVerifyGetKey | null = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : null;
  return async (token: string): Promise<{ principal: Principal; expiresAtMs: number }> => {
    let payload: Record<string, unknown>;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
      // `exp` is required: a token without one would never expire (issue 13, class 8).
      const options = { issuer: auth.issuer, audience: auth.audience, requiredClaims: ['exp'], currentDate: new Date(now()) };
      if (header.alg === 'HS256') {
        if (!secret) throw unauthenticated('HS256 tokens are not accepted here: this server verifies tokens with its identity provider (JWKS).');
        payload = (await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload;
      } else if (header.alg === 'RS256' || header.alg === 'ES256') {
        if (!jwks) throw unauthenticated(`${header.alg} tokens are not accepted here: no JWKS URL is configured.`);
        payload = (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload;
      } else {
        throw unauthenticated(`Token algorithm ${JSON.stringify(header.alg ?? null)} is not accepted; use HS256, RS256 or ES256.`);
      }
    } catch (error) {
      throw describe(error);
    }
    const exp = checkLifetime(payload, auth.maxLifetimeSeconds, now);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated(`Token claims are invalid: ${claims.error.issues.map((i) => i.message).join('; ')}.`);
    return { principal: principalFromClaims(claims.data), expiresAtMs: exp * 1000 };
  };
}

/**
 * Caps how long any token lives: exp − iat (or exp − now when `iat` is absent) may not exceed
 * JWT_MAX_LIFETIME_SECONDS, so a long-lived token minted elsewhere is refused, not trusted.
 */
function checkLifetime(payload: Record<string, unknown>, maxSeconds: number, now: () => number): number {
  const exp = payload.exp;
  if (typeof exp !== 'number') throw unauthenticated('Token claim "exp" is missing: tokens must expire.');
  const from = typeof payload.iat === 'number' ? payload.iat : Math.floor(now() / 1000);
  if (exp - from > maxSeconds) {
    throw unauthenticated(`Token lifetime is ${exp - from} s; at most ${maxSeconds} s (JWT_MAX_LIFETIME_SECONDS) is accepted. Request a shorter-lived token.`);
  }
  return exp;
}

function describe(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return unauthenticated(`Token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}; request a new one.`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('Token signature is invalid: it was not signed by a key this server trusts.');
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') return unauthenticated(`Token claim "${error.claim}" is missing: tokens must carry it (and expire).`);
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(`Token claim "${error.claim}" is invalid: ${error.reason === 'check_failed' ? 'it does not match this server' : error.reason}.`);
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated('Token was signed by a key the identity provider does not publish.');
  if (error instanceof errors.JOSEError) return unauthenticated(`Token is not a valid JWT (${error.code}).`);
  return unauthenticated('Token is not a valid JWT: expected three base64url parts separated by dots.');
}

/**
 * Signs an HS256 token with the configured secret (local use, tests and the demo). `expiresIn`
 * beyond JWT_MAX_LIFETIME_SECONDS is refused here too, so no tool mints tokens the server rejects.
 */
export async function mintToken(auth: Config['auth'], claims: Claims, expiresIn: string | number = '8h'): Promise<string> {
  if (!auth.secret) throw new Error('minting needs JWT_SECRET (this server is configured for JWKS only)');
  const { sub, ...rest } = claimsSchema.parse(claims);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(lifetimeCheckedExp(expiresIn, auth.maxLifetimeSeconds))
    .sign(new TextEncoder().encode(auth.secret));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Absolute `exp` for a lifetime like '8h', '30m', '600s' or a number of seconds, within the cap. */
function lifetimeCheckedExp(expiresIn: string | number, maxSeconds: number): number {
  let seconds: number;
  if (typeof expiresIn === 'number') seconds = expiresIn;
  else {
    const match = /^(\d+)\s*([smhd]?)$/.exec(expiresIn.trim());
    if (!match) throw new Error(`expiresIn must look like 8h, 30m, 600s or 1d; got ${JSON.stringify(expiresIn)}`);
    seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
  }
  if (!(seconds > 0) || seconds > maxSeconds) throw new Error(`token lifetime must be 1 to ${maxSeconds} seconds (JWT_MAX_LIFETIME_SECONDS); got ${seconds}`);
  return Math.floor(Date.now() / 1000) + seconds;
}
