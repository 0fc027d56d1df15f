// @ts-check
// ESLint flat config. Deliberately not type-aware (no parserOptions.project): `npm run lint`
// must stay fast; `npm run typecheck` (tsc) is the type-level gate.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Files that may read the environment: the config module validates it once, for everyone. */
const ENV_READERS = ['src/config/config.ts', 'tests/**', 'bench/**', 'scripts/**'];
/** Files that may talk to a database driver directly. */
const DRIVER_USERS = ['src/db/**', 'tests/**'];
const RESOLVERS = ['src/**/*.resolver.ts'];

// Reason: configuration is read in exactly one place (src/config/config.ts), validated with zod
// and passed around as a typed `Config`; a stray `process.env.X` bypasses validation and defaults.
const ENV_MESSAGE = 'Read configuration from the Config object (src/config/config.ts), not process.env.';
const noProcessEnv = {
  'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
  'no-restricted-syntax': [
    'error',
    {
      // `import { env } from 'node:process'` is process.env under another name.
      selector: "ImportDeclaration[source.value=/^(node:)?process$/] ImportSpecifier[imported.name='env']",
      message: ENV_MESSAGE,
    },
    {
      // `globalThis.process.env`
      selector: "MemberExpression[property.name='env'][object.type='MemberExpression'][object.property.name='process']",
      message: ENV_MESSAGE,
    },
  ],
};

// Reason: database access goes through src/db (one connection/pool, statement timeouts, the
// embedded-vs-PostgreSQL switch); drivers imported elsewhere would bypass all of that.
const driverImports = {
  regex: '^(pg|pg-[\\w.-]+|@electric-sql/pglite(-[\\w.-]+)?)(/.*)?$',
  message: 'Database drivers are only used inside src/db/**: go through the helpers in src/db/database.ts.',
};
// Reason: resolvers stay thin; SQL lives in `*.queries.ts` next to them, where it can be reviewed
// and tested on its own.
const sqlInResolvers = {
  paths: [
    {
      name: 'drizzle-orm',
      importNames: ['sql'],
      message: 'Resolvers stay thin: put SQL in the feature\'s *.queries.ts and call it from here.',
    },
  ],
  patterns: [
    {
      group: ['drizzle-orm/*'],
      importNames: ['sql'],
      message: 'Resolvers stay thin: put SQL in the feature\'s *.queries.ts and call it from here.',
    },
  ],
};

// Reason: shared plumbing (db, graphql, errors, geo, logging, config) is what features are built
// on; if it imported a feature, features could no longer be changed or removed on their own and
// import cycles would follow. The composition roots (src/graphql/schema.ts, context.ts) are the
// one place that wires features in.
// The access policy (src/auth) and the audit log (src/audit) are plumbing too: every feature calls them.
const PLUMBING = ['src/db/**', 'src/graphql/**', 'src/errors/**', 'src/geo/**', 'src/logging/**', 'src/config/**', 'src/auth/**', 'src/audit/**'];
const COMPOSITION_ROOTS = ['src/graphql/schema.ts', 'src/graphql/context.ts'];
const noFeatureImports = {
  group: ['**/features/**'],
  message: 'Shared plumbing never imports a feature (features depend on plumbing, not the reverse); wire features in src/graphql/schema.ts or context.ts.',
};
// Reason: resolvers only translate GraphQL arguments and shape results; database access belongs in
// the feature's *.queries.ts, where scope and protection are applied once for every surface.
const dbInResolvers = {
  group: ['**/db/**'],
  message: 'Resolvers never touch the database layer: call the feature\'s *.queries.ts / *.service.ts.',
};
// Reason: every feature is used by others (and by the server and seeders) only through its public
// module (index.ts), so a feature's one source (e.g. the protected village, household and
// package-item sources) cannot be bypassed by importing its internals, and a feature's files can
// change without touching its users. The composition roots register resolvers and loaders by file.
// package.transitions is the one exception: a data-only table the web app bundles (web/src/roles.ts);
// the public module would pull the server's SQL into the page.
const PUBLIC_MODULE_MESSAGE = 'Use another feature through its public module (../<feature>/index.js), not its internal files; export what you need from that index.ts.';
// From outside src/features (server, seeders, web): any path through features/<name>/ but index.
const viaPublicModules = {
  regex: '(^|/)features/[^/]+/(?!index(\\.js)?$|package\\.transitions(\\.js)?$)[^/]+$',
  message: PUBLIC_MODULE_MESSAGE,
};
// From inside a feature: a sibling feature is `../<name>/<file>`; only `../<name>/index.js` may be used.
const viaSiblingPublicModules = {
  regex: '^\\.\\./[^./][^/]*/(?!index(\\.js)?$)[^/]+$',
  message: PUBLIC_MODULE_MESSAGE,
};
const FEATURES = ['src/features/**'];

/**
 * `no-restricted-imports` options are replaced, not merged, when several config objects match a
 * file, so each file group below gets the complete list of restrictions that applies to it.
 * @param {{ drivers: boolean, sqlImport: boolean, features?: boolean, db?: boolean, root?: boolean, inFeature?: boolean }} which
 */
function restrictedImports({ drivers, sqlImport, features = false, db = false, root = false, inFeature = false }) {
  const paths = [...(sqlImport ? sqlInResolvers.paths : [])];
  const patterns = [
    ...(drivers ? [driverImports] : []),
    ...(sqlImport ? sqlInResolvers.patterns : []),
    ...(features ? [noFeatureImports] : root ? [] : [viaPublicModules]),
    ...(inFeature ? [viaSiblingPublicModules] : []),
    ...(db ? [dbInResolvers] : []),
  ];
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default defineConfig(
  {
    // Generated output, data and caches: nothing here is hand-written TypeScript.
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'drizzle/**',
      '.data/**',
      'coverage/**',
      'bench/results/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // Node 20 globals for the few plain .js files (TypeScript files get no-undef disabled by
      // typescript-eslint, since tsc checks that better).
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      // Reason: `_`-prefixed parameters document "required by the signature, intentionally
      // unused" (type-graphql resolvers' parent/args, express handlers, callbacks).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // --- process.env: everywhere except the config module, tests, benchmarks and scripts ---
  { files: ['**/*.{ts,mts,cts,js,mjs,cjs}'], ignores: ENV_READERS, rules: noProcessEnv },

  // --- imports: each file group gets its full set of restrictions (see restrictedImports) ---
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    ignores: [...DRIVER_USERS, ...RESOLVERS],
    rules: restrictedImports({ drivers: true, sqlImport: false }),
  },
  { files: RESOLVERS, rules: restrictedImports({ drivers: true, sqlImport: true, db: true }) },
  { files: FEATURES, ignores: RESOLVERS, rules: restrictedImports({ drivers: true, sqlImport: false, inFeature: true }) },
  { files: FEATURES.map((f) => `${f}/*.resolver.ts`), rules: restrictedImports({ drivers: true, sqlImport: true, db: true, inFeature: true }) },
  { files: PLUMBING, ignores: [...COMPOSITION_ROOTS, 'src/db/**'], rules: restrictedImports({ drivers: true, sqlImport: false, features: true }) },
  // Reason: an import rule cannot see `ctx.db.transaction(...)`; a resolver that opens one holds
  // writes, checks and the audit record where they cannot be reused or reviewed with the SQL.
  {
    files: RESOLVERS,
    rules: {
      // Flat config replaces a rule's options per file: keep the process.env selectors too.
      'no-restricted-syntax': [
        ...noProcessEnv['no-restricted-syntax'],
        {
          selector: "CallExpression[callee.property.name='transaction']",
          message: 'Resolvers never open transactions: put the write and its audit record in the feature\'s *.service.ts (or *.mutations.ts).',
        },
      ],
    },
  },
  // The composition roots register every feature's resolvers and loaders by file.
  { files: COMPOSITION_ROOTS, rules: restrictedImports({ drivers: true, sqlImport: false, root: true }) },
  // src/db talks to the drivers, but never to features.
  { files: ['src/db/**'], rules: restrictedImports({ drivers: false, sqlImport: false, features: true }) },

  // --- tests read untyped GraphQL responses; typing every response shape would add noise, not safety ---
  { files: ['tests/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
