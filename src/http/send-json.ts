/**
 * A JSON response written with node:http alone, as Express's `res.status(n).json(body)` writes it
 * (same Content-Type, exact Content-Length), so that refusals read the same on the routes Express
 * serves and on the GraphQL route, which it does not (server/graphql-route.ts).
 */
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}
