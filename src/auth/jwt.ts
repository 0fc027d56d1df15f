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

export function createTokenVerifier(auth: Config['auth']): TokenVerifier {
  const secret = auth.secret ? new TextEncoder().encode(auth.secret) : null;
  const jwks: JWTVerifyGetKey | null = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : null;
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
      // `exp` is required: a token without one would never expire (issue 13, class 8).
      const options = { issuer: auth.issuer, audience: auth.audience, requiredClaims: ['exp'] };
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
    checkLifetime(payload, auth.maxLifetimeSeconds);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated(`Token claims are invalid: ${claims.error.issues.map((i) => i.message).join('; ')}.`);
    return principalFromClaims(claims.data);
  };
}

/**
 * Caps how long any token lives: exp − iat (or exp − now when `iat` is absent) may not exceed
 * JWT_MAX_LIFETIME_SECONDS, so a long-lived token minted elsewhere is refused, not trusted.
 */
function checkLifetime(payload: Record<string, unknown>, maxSeconds: number): void {
  const exp = payload.exp;
  if (typeof exp !== 'number') throw unauthenticated('Token claim "exp" is missing: tokens must expire.');
  const from = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
  if (exp - from > maxSeconds) {
    throw unauthenticated(`Token lifetime is ${exp - from} s; at most ${maxSeconds} s (JWT_MAX_LIFETIME_SECONDS) is accepted. Request a shorter-lived token.`);
  }
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
