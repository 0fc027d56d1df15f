/**
 * Bearer token for the API. The API requires a JWT once `src/auth/` is in place; the benchmark
 * then signs an ADMIN token (ADMIN reads every household, so the operations return the same rows
 * as PostGraphile) with the same HS256 secret it gives the server. Before that lands, requests are
 * sent without a token. The module is looked up at run time so that the benchmark builds against
 * either version of the API.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config.js';

/** HS256 secret given to the API child process (at least 32 characters). */
export const BENCH_JWT_SECRET = 'kampung-terpadu-benchmark-secret-not-for-deployment';

export const BENCH_CLAIMS = { sub: 'bench@kampung-terpadu', role: 'ADMIN', org: 'benchmark' } as const;

export interface BenchToken {
  token: string | null;
  /** Where the token came from, or why there is none. */
  source: string;
}

type MintToken = (auth: unknown, claims: Record<string, unknown>, expiresIn?: string) => Promise<string>;

/** Signs a token with `claims` for a server configured by `env`, when the API has a token minter. */
export async function mintBenchToken(repoRoot: string, env: Record<string, string | undefined>, claims: Record<string, unknown>): Promise<BenchToken> {
  for (const file of ['src/auth/token.ts', 'src/auth/jwt.ts']) {
    const path = join(repoRoot, file);
    if (!existsSync(path)) continue;
    const module = (await import(pathToFileURL(path).href)) as { mintToken?: MintToken };
    if (typeof module.mintToken !== 'function') continue;
    const config = loadConfig(env) as unknown as { auth?: unknown };
    if (!config.auth) continue;
    const token = await module.mintToken(config.auth, { ...claims }, '12h');
    return { token, source: `${file} mintToken, role ${String(claims.role)}` };
  }
  return { token: null, source: 'the API has no token minter (src/auth/token.ts or src/auth/jwt.ts): requests carry no Authorization header' };
}

/** Signs an ADMIN token for a server configured by `env`, when the API has a token minter. */
export function mintAdminToken(repoRoot: string, env: Record<string, string | undefined>): Promise<BenchToken> {
  return mintBenchToken(repoRoot, env, BENCH_CLAIMS);
}

export function authHeaders(token: BenchToken): Record<string, string> {
  return token.token ? { authorization: `Bearer ${token.token}` } : {};
}
