/**
 * The browser GraphQL IDE at /graphiql: GraphiQL 3 and React 18 served from node_modules, so it
 * works on networks without internet access (hosted sandboxes load from a CDN). The page itself
 * holds no data; its requests to /graphql carry the token from the IDE's Headers tab like any
 * other client. The token can be handed over in the URL fragment (`/graphiql#token=…`, which
 * browsers never send to a server): the page moves it into the Headers tab and removes it from
 * the address bar and history.
 *
 * The API's strict Content-Security-Policy (`default-src 'none'`) is relaxed here and only here,
 * to what GraphiQL needs: scripts and styles from this origin (inline styles for its editor), and
 * fetches to this origin.
 */
import express from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The files the page loads, by the name it loads them under. */
const ASSETS: Record<string, string> = {
  'react.js': join(packageDir('react'), 'umd', 'react.production.min.js'),
  'react-dom.js': join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.js': join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.css': join(packageDir('graphiql'), 'graphiql.min.css'),
};

export const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kampung Terpadu · GraphQL IDE</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the GraphQL IDE… (it needs JavaScript)</div>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script src="/graphiql/assets/start.js"></script>
</body>
</html>
`;

/** Runs in the browser (served as a file, because the page's policy allows no inline script). */
const START = `(function () {
  var STORAGE_KEY = 'graphiql:headers';
  var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  var headers = null;
  if (match) {
    headers = JSON.stringify({ Authorization: 'Bearer ' + decodeURIComponent(match[1]) }, null, 2);
    try { window.localStorage.setItem(STORAGE_KEY, headers); } catch (e) { /* private mode: the tab still has it */ }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  var defaultHeaders = JSON.stringify({ Authorization: 'Bearer <paste a token from npm start or npm run token>' }, null, 2);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: window.location.origin + '/graphql' }),
    defaultHeaders: defaultHeaders,
    headers: headers || undefined,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'headers',
    defaultQuery: '# Send the token in the Headers tab below, then run (Ctrl-Enter).\\n{\\n  village(code: "33.74.02.1008") {\\n    name\\n    areaKm2\\n  }\\n}\\n'
  }));
})();
`;

export function createGraphqlIdeRouter(): express.Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', IDE_CONTENT_SECURITY_POLICY);
    next();
  });
  router.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/assets/start.js', (_req, res) => {
    res.type('application/javascript').send(START);
  });
  router.get('/assets/:name', (req, res, next) => {
    const file = ASSETS[req.params.name];
    if (!file) return next();
    res.sendFile(file, { maxAge: '1d' });
  });
  return router;
}
