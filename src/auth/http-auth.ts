/**
 * HTTP side of authentication: reads `Authorization: Bearer <jwt>`, verifies it once per request,
 * and leaves the principal in `res.locals.principal` (Express routes) or hands it to the GraphQL
 * route. OGC API and tile routes mount `authenticate`, and GraphQL calls the same
 * `authenticateRequest`, so no path is reachable without a verified principal.
 */
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { sendJson } from '../http/send-json.js';
import { AppError } from '../errors/errors.js';
import type { TokenVerifier } from './jwt.js';
import type { Principal } from './principal.js';

export function authenticate(verify: TokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = await authenticateRequest(req.headers.authorization, verify, res);
      if (!principal) return;
      res.locals.principal = principal;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The verified principal of an `Authorization` header, or null after answering 401 (which check
 * failed, never the token). Shared by the Express routes (`authenticate`) and the GraphQL route,
 * which is served without Express (server/graphql-route.ts). Errors other than a refused token
 * (an identity provider's JWKS that cannot be fetched) are thrown.
 */
export async function authenticateRequest(header: string | undefined, verify: TokenVerifier, res: ServerResponse): Promise<Principal | null> {
  if (!header) {
    refuse(res, 'Authentication required: send "Authorization: Bearer <token>" (see README, "Tokens and roles").');
    return null;
  }
  const token = bearerToken(header);
  if (!token) {
    refuse(res, 'Authorization header must be "Bearer <token>" (or HTTP Basic with the token as the password).');
    return null;
  }
  try {
    return await verify(token);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    refuse(res, error.message);
    return null;
  }
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

function refuse(res: ServerResponse, message: string) {
  res.setHeader('WWW-Authenticate', 'Bearer realm="kampung-terpadu"');
  sendJson(res, 401, { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf called on a route without authenticate()');
  return principal;
}
