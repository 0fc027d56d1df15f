import { defineConfig } from 'vitest/config';

// Every suite runs against a real PostGIS: the embedded PGlite by default, or PostgreSQL when
// TEST_DATABASE_URL is set (see tests/support/global-setup.ts). Suites share one prepared,
// seeded template and each gets its own copy, so the slow parts (initdb, CREATE EXTENSION
// postgis, loading 91,599 regions) are paid once per run.
export default defineConfig({
  // One copy of graphql-js: type-graphql's ESM build and our code must share the same
  // GraphQLScalarType class (graphql ships both .mjs and .js entry points).
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
