/**
 * Files the server reads beside its code (migrations, open data, the built web app, the schema)
 * are found from the project root: the nearest folder above this module that holds
 * `package.json`. The same answer whether the server runs from its TypeScript sources
 * (`src/config/paths.ts`, through tsx) or from the compiled build (`dist/server/src/config/paths.js`,
 * `npm run build`), so no path depends on how deep the running file sits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();

/** An absolute path inside the project, from '/'-separated parts relative to its root. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
