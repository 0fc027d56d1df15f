/**
 * Every setting the configuration reads is documented where an operator looks: a row in the
 * README's settings table and a line in .env.example (docker compose passes that file). A new
 * setting without both fails here rather than surprising a deployment.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../src/config/config.js';

const readme = readFileSync('README.md', 'utf8');
const envExample = readFileSync('.env.example', 'utf8');

describe('configuration documentation', () => {
  it('reads a plausible number of settings', () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(30);
  });

  it('lists every setting in the README table and in .env.example', () => {
    const missing = SETTING_NAMES.flatMap((name) => [
      ...(readme.includes(`| \`${name}\``) || new RegExp(`^\\|[^\\n]*\`${name}\``, 'm').test(readme) ? [] : [`README.md: ${name}`]),
      ...(new RegExp(`^#? ?${name}=`, 'm').test(envExample) ? [] : [`.env.example: ${name}`]),
    ]);
    expect(missing).toEqual([]);
  });
});
