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
      const options = { issuer: auth.issuer, audience: auth.audience };
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
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated(`Token claims are invalid: ${claims.error.issues.map((i) => i.message).join('; ')}.`);
    return principalFromClaims(claims.data);
  };
}

function describe(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return unauthenticated(`Token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}; request a new one.`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('Token signature is invalid: it was not signed by a key this server trusts.');
  if (error instanceof errors.JWTClaimValidationFailed) return unauthenticated(`Token claim "${error.claim}" is invalid: ${error.reason === 'check_failed' ? 'it does not match this server' : error.reason}.`);
  if (error instanceof errors.JWKSNoMatchingKey) return unauthenticated('Token was signed by a key the identity provider does not publish.');
  if (error instanceof errors.JOSEError) return unauthenticated(`Token is not a valid JWT (${error.code}).`);
  return unauthenticated('Token is not a valid JWT: expected three base64url parts separated by dots.');
}

/** Signs an HS256 token with the configured secret (local use, tests and the demo). */
export async function mintToken(auth: Config['auth'], claims: Claims, expiresIn = '8h'): Promise<string> {
  if (!auth.secret) throw new Error('minting needs JWT_SECRET (this server is configured for JWKS only)');
  const { sub, ...rest } = claimsSchema.parse(claims);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(auth.secret));
}
