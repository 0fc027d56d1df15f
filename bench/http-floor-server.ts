/**
 * The HTTP floor of `npm run bench -- --http-floor`: a bare `node:http` server that answers every
 * request (any method and path, body read and ignored) by replaying one request's captured
 * statements through the product's own pool — the same driver, pool size and named statements as
 * the API — and writing their rows as one `JSON.stringify`. What any HTTP service over this SQL
 * costs at least; nothing of the API: no router, authentication, rate limit, GraphQL or audit
 * of its own (the API's audit insert is one of the replayed statements).
 *
 * FLOOR_PLANS: a JSON file of { [operation id]: PlannedStatement[] }; the request's
 * `x-bench-operation` header (HTTP_FLOOR_OPERATION_HEADER) names the operation.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { openPostgres } from '../src/db/database.js';
import { HTTP_FLOOR_OPERATION_HEADER } from './harness.js';
import { type PlannedStatement, runPlan } from './load.js';

const plans = new Map(Object.entries(JSON.parse(readFileSync(process.env.FLOOR_PLANS ?? '', 'utf8')) as Record<string, PlannedStatement[]>));
const db = await openPostgres({
  url: process.env.DATABASE_URL ?? '',
  poolSize: Number(process.env.PG_POOL_SIZE ?? 10),
  statementTimeoutMs: 60_000,
  preparedStatementsPerConnection: Number(process.env.PG_PREPARED_STATEMENTS ?? 100),
});

/**
 * A vector tile's statement answers one row with one bytea: sent as it is, as the API sends the
 * tile (JSON.stringify would write each byte as a number, far more work than the API does).
 */
function binaryAnswer(results: unknown[]): Buffer | null {
  if (results.length !== 1 || !Array.isArray(results[0]) || results[0].length !== 1) return null;
  const values = Object.values(results[0][0] as Record<string, unknown>);
  return values.length === 1 && Buffer.isBuffer(values[0]) ? values[0] : null;
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const plan = plans.get(String(req.headers[HTTP_FLOOR_OPERATION_HEADER] ?? ''));
    if (!plan) {
      // Also the readiness probe's answer (GET / without the header): the server is up.
      res.writeHead(req.headers[HTTP_FLOOR_OPERATION_HEADER] === undefined ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(`operations: ${[...plans.keys()].join(', ')}`);
      return;
    }
    runPlan(db, plan).then(
      (rows) => {
        const tile = binaryAnswer(rows);
        const body = tile ?? JSON.stringify({ data: rows });
        res.writeHead(200, { 'content-type': tile ? 'application/vnd.mapbox-vector-tile' : 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });
});
server.on('error', (error) => {
  console.error(`HTTP floor: ${error.message}`);
  process.exit(1);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  db.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
