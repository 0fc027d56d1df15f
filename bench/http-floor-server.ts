/**
 * The HTTP floor of `npm run bench -- --http-floor`: a bare `node:http` server that answers every
 * request (any method and path, body read and ignored) by replaying one request's captured
 * statements through the product's own pool — the same driver, pool size and named statements as
 * the API — and writing the values of their rows as they are: strings and bytea unescaped, other
 * values as JSON, one after another. Not a document anyone could read, but the bytes a response
 * over these rows carries at least: the JSON text the API's statements build (household pages,
 * OGC pages) and the tiles go out as the API sends them, where a `JSON.stringify` of the rows
 * would escape them again (11 % more bytes for op 7, and the work). What any HTTP service over
 * this SQL costs at least; nothing of the API: no router, authentication, rate limit, GraphQL or
 * audit of its own (the API's audit insert is one of the replayed statements).
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

/** Every value of every row of every statement, as the bytes or text it is (see above). */
function answerChunks(results: unknown[]): Array<string | Buffer> {
  const chunks: Array<string | Buffer> = [];
  for (const rows of results) {
    if (!Array.isArray(rows)) continue; // a transaction's statements answer nothing
    for (const row of rows as Record<string, unknown>[]) {
      for (const value of Object.values(row)) chunks.push(Buffer.isBuffer(value) || typeof value === 'string' ? value : JSON.stringify(value ?? null));
    }
  }
  return chunks;
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
      (results) => {
        const chunks = answerChunks(results);
        let bytes = 0;
        for (const chunk of chunks) bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.byteLength;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
        // As the API's writePieces: the pieces leave together, none joined into one string first.
        res.cork();
        for (const chunk of chunks) res.write(chunk);
        res.end();
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
