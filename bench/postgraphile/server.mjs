// PostGraphile v4 baseline for `npm run bench` (see bench/README.md). Serves schema `public` of
// DATABASE_URL at http://127.0.0.1:PORT/graphql with the PostGIS types (@graphile/postgis), the
// connection filter and its PostGIS operators (for the bbox), and the simplify inflector.
// Production-style options: no GraphiQL, no watch, no query log, no mutations, no extended errors.
//
//   DATABASE_URL=postgres://... PORT=5678 PG_POOL_SIZE=10 node bench/postgraphile/server.mjs
//
// Prints "postgraphile listening on <port>" once it accepts requests.
import http from 'node:http';
import postgraphileModule from 'postgraphile';
import postgisModule from '@graphile/postgis';
import connectionFilterModule from 'postgraphile-plugin-connection-filter';
import postgisFilterPlugin from 'postgraphile-plugin-connection-filter-postgis';
import simplifyInflectorModule from '@graphile-contrib/pg-simplify-inflector';

// These are CommonJS packages; take the plugin from `default` when it is there.
const unwrap = (m) => (m && typeof m === 'object' && 'default' in m ? m.default : m);
const { postgraphile } = postgraphileModule;

const url = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? 0);
const poolSize = Number(process.env.PG_POOL_SIZE ?? 10);
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}

const middleware = postgraphile({ connectionString: url, max: poolSize }, 'public', {
  appendPlugins: [unwrap(postgisModule), unwrap(connectionFilterModule), unwrap(postgisFilterPlugin), unwrap(simplifyInflectorModule)],
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  disableDefaultMutations: true,
  graphiql: false,
  watchPg: false,
  disableQueryLog: true,
  extendedErrors: [],
  showErrorStack: false,
  enableQueryBatching: false,
  retryOnInitFail: false,
});

const server = http.createServer(middleware);
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`postgraphile listening on ${typeof address === 'object' && address ? address.port : port}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
