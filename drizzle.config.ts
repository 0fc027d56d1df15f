import { defineConfig } from 'drizzle-kit';

// Only `generate` and `check` are used: migrations are applied by the application itself
// (src/db/migrate.ts) so that the embedded database and PostgreSQL share one path.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  strict: true,
});
