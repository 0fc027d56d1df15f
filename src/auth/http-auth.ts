/**
 * Express side of authentication: reads `Authorization: Bearer <jwt>`, verifies it once per
 * request, and leaves the principal in `res.locals.principal`. GraphQL, OGC API and tile routes
 * all mount this same middleware, so no path is reachable without a verified principal.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/errors.js';
import type { TokenVerifier } from './jwt.js';
import type { Principal } from './principal.js';

export function authenticate(verify: TokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) {
      return refuse(res, 'Authentication required: send "Authorization: Bearer <token>" (see README, "Tokens and roles").');
    }
    const token = bearerToken(header);
    if (!token) return refuse(res, 'Authorization header must be "Bearer <token>" (or HTTP Basic with the token as the password).');
    try {
      res.locals.principal = await verify(token);
      next();
    } catch (error) {
      if (error instanceof AppError) return refuse(res, error.message);
      next(error);
    }
  };
}

/**
 * The JWT from `Bearer <jwt>`, or from HTTP Basic with the JWT as the password (any user name):
 * QGIS 3.22 LTR (Debian 12) has no way to send a custom header, but its "Basic" authentication
 * config sends Basic credentials on every request. The token is verified the same way.
 */
function bearerToken(header: string): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return decoded.includes(':') && password ? password : null;
}

function refuse(res: Response, message: string) {
  res.setHeader('WWW-Authenticate', 'Bearer realm="kampung-terpadu"');
  res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf called on a route without authenticate()');
  return principal;
}
