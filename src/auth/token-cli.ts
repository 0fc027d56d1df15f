/**
 * `npm run token -- --role planner [--regions 33.74,33.21 | --regions '*'] [--villages 33.74.02.1008]
 *   [--funder BAZNAS] [--org "Dinsos Kota Semarang"] [--sub user-id] [--expires 8h]`
 *
 * Mints an HS256 token with JWT_SECRET (or the development secret outside production) for local
 * use. Deployments behind an identity provider use its tokens instead (JWT_JWKS_URL).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { mintToken } from './jwt.js';
import { ROLES, type Role } from './principal.js';

const DEFAULT_SUBJECT: Record<Role, string> = {
  ADMIN: 'admin@kemensos.go.id',
  PLANNER: 'planner@kemensos.go.id',
  PENDAMPING: 'pendamping@kemensos.go.id',
  PARTNER: 'mitra@baznas.go.id',
  VIEWER: 'dashboard@kemensos.go.id',
};

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      regions: { type: 'string' },
      villages: { type: 'string' },
      funder: { type: 'string' },
      org: { type: 'string' },
      sub: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  const role = values.role?.toUpperCase() as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    console.error(`--role is required: one of ${ROLES.map((r) => r.toLowerCase()).join(', ')}`);
    process.exit(2);
  }
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  const config = loadConfig();
  const token = await mintToken(
    config.auth,
    {
      sub: values.sub ?? DEFAULT_SUBJECT[role],
      role,
      ...(values.org ? { org: values.org } : {}),
      ...(values.funder ? { funder: values.funder.toUpperCase() } : {}),
      ...(role === 'PLANNER' ? { regions: values.regions === '*' || values.regions === undefined ? '*' : (list(values.regions) ?? []) } : {}),
      ...(values.villages ? { villages: list(values.villages) } : {}),
    },
    values.expires,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
