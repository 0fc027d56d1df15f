/**
 * Writes schema.graphql (sorted) from the type-graphql resolvers; with --check, fails when the
 * committed file differs instead of writing it (CI's drift check).
 */
import { projectPath } from '../config/paths.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { createSchema } from './schema.js';

const path = projectPath('schema.graphql');
const printed = `${printSchema(await createSchema())}\n`;
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    committed = '';
  }
  if (committed !== printed) {
    console.error('schema.graphql is out of date with the resolvers: run `npm run schema:emit` and commit it.');
    process.exit(1);
  }
  console.log('schema.graphql: no drift');
} else {
  writeFileSync(path, printed);
  console.log(`wrote ${path}`);
}
