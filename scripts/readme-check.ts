/**
 * `npm run readme:check [-- http://localhost:4000]`: runs every README example against a running
 * server with the default demo data and compares the printed outputs value by value (the test
 * suite compares their shape only, on its smaller demo). The server must use the development
 * secret or JWT_SECRET must be set here too, and its database must be fresh: the package
 * walkthrough creates packages 1 and 2. Prints each example's result; exits 1 on any mismatch.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '../src/auth/jwt.js';
import type { Claims } from '../src/auth/principal.js';
import { loadConfig } from '../src/config/config.js';
import { extractExamples, runExample } from '../tests/readme/readme-examples.js';

const origin = process.argv[2] ?? 'http://localhost:4000';
const config = loadConfig();
const scratchDir = join('node_modules', '.cache', `readme-check-${process.pid}`);
mkdirSync(scratchDir, { recursive: true });
let failed = 0;
try {
  for (const example of extractExamples(readFileSync('README.md', 'utf8'))) {
    const label = `README line ${example.line} (${example.kind})`;
    if (example.skip) {
      console.log(`- ${label}: not run (${example.skip})`);
      continue;
    }
    const problems = await runExample(example, { origin, mode: 'exact', scratchDir, token: (claims) => mintToken(config.auth, claims as Claims, '1h') });
    if (problems.length) failed += 1;
    console.log(problems.length ? `✗ ${label}\n  ${problems.join('\n  ')}` : `✓ ${label}`);
  }
} finally {
  rmSync(scratchDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
