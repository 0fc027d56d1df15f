/**
 * The package-item rules of the GIS paths (OGC `facilities` and `package-items`, the
 * `package-items` tiles) come from the access policy; this module only names them for the
 * feature's queries. tests/ogc/package-scope.test.ts keeps the SQL form in agreement with
 * `policy.canReadPackagesOf` for every role.
 */
import type { SQL } from 'drizzle-orm';
import { policy } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';

export const packageVillageScope = (principal: Principal, villageCode: SQL): SQL => policy.packageVillageScope(principal, villageCode);
export const packageItemScope = (principal: Principal): SQL => policy.packageItemScope(principal);
