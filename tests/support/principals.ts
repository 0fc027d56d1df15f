/** Principals for each role, as the token verifier would produce them, for the access tests. */
import type { Principal } from '../../src/auth/principal.js';

export const TEST_VILLAGE = '33.74.02.1008'; // Tanjung Mas, Kota Semarang

export const principals = {
  admin: { subject: 'admin@test', role: 'ADMIN', organisation: 'Kemensos', funder: null, regionCodes: null, villageCodes: [] },
  planner: { subject: 'planner@test', role: 'PLANNER', organisation: 'Kemensos', funder: null, regionCodes: null, villageCodes: [] },
  /** Planner of Kota Semarang only. */
  plannerSemarang: { subject: 'planner-smg@test', role: 'PLANNER', organisation: 'Dinsos Kota Semarang', funder: null, regionCodes: ['33.74'], villageCodes: [] },
  /** Planner of Jawa Barat: Tanjung Mas is outside. */
  plannerJabar: { subject: 'planner-jabar@test', role: 'PLANNER', organisation: 'Dinsos Jawa Barat', funder: null, regionCodes: ['32'], villageCodes: [] },
  pendamping: { subject: 'pendamping@test', role: 'PENDAMPING', organisation: 'PKH Semarang', funder: null, regionCodes: null, villageCodes: [TEST_VILLAGE] },
  partner: { subject: 'baznas@test', role: 'PARTNER', organisation: 'BAZNAS RI', funder: 'BAZNAS', regionCodes: null, villageCodes: [] },
  viewer: { subject: 'dashboard@test', role: 'VIEWER', organisation: 'Kemensos', funder: null, regionCodes: null, villageCodes: [] },
} satisfies Record<string, Principal>;

export type PrincipalName = keyof typeof principals;
