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
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return refuse(res, 'Authorization header must be "Bearer <token>".');
    try {
      res.locals.principal = await verify(match[1]);
      next();
    } catch (error) {
      if (error instanceof AppError) return refuse(res, error.message);
      next(error);
    }
  };
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
