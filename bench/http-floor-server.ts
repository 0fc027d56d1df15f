/**
 * The HTTP floor of bench/http-floor.ts: a bare `node:http` server that answers every request
 * (any method and path, body read and ignored) by replaying one request's captured statements
 * (FLOOR_PLAN, a JSON file of PlannedStatement) through the product's own pool — the same
 * driver, pool size and named statements as the API — and writing their rows as one
 * `JSON.stringify`. What any HTTP service over this SQL costs at least; nothing of the API.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { openPostgres } from '../src/db/database.js';
import { runPlan, type PlannedStatement } from './load.js';

const plan = JSON.parse(readFileSync(process.env.FLOOR_PLAN ?? '', 'utf8')) as PlannedStatement[];
const db = await openPostgres({
  url: process.env.DATABASE_URL ?? '',
  poolSize: Number(process.env.PG_POOL_SIZE ?? 10),
  statementTimeoutMs: 60_000,
  preparedStatementsPerConnection: Number(process.env.PG_PREPARED_STATEMENTS ?? 100),
});

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    runPlan(db, plan).then(
      (rows) => {
        const body = JSON.stringify({ data: rows });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
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
