/**
 * What each role may do, mirrored from src/auth/policy.ts and src/features/packages/package.workflow.ts
 * so the page offers only what the API would allow. This decides what to *offer*, never what to
 * *hide*: the API leaves out or refuses everything a role may not see, and the page shows what it
 * receives.
 */
import type { Claims } from './api';
import { PACKAGE_TRANSITIONS } from '../../src/features/packages/package.transitions';
import type { PackageStatus, Role } from './types';

export const PAS_CODES = [
  'ANAK_RENTAN', 'DISABILITAS', 'LANSIA_TERLANTAR', 'BERPENDAPATAN_RENDAH', 'KORBAN_BENCANA', 'AFIRMASI_KHUSUS',
  'WARGA_BINAAN', 'KORBAN_KEKERASAN', 'KORBAN_NAPZA_HIV', 'BERMASALAH_SOSIAL', 'PEREMPUAN_RENTAN', 'FAKIR_MISKIN',
] as const;
/** policy.SENSITIVE_PAS_CODES: filtering on them is refused for roles that may not see them. */
const SENSITIVE_PAS = ['KORBAN_NAPZA_HIV', 'KORBAN_KEKERASAN', 'WARGA_BINAAN'];

/** The API's own workflow table (src/features/packages/package.transitions.ts), bundled into the page. */
export const NEXT_STATUSES: Record<PackageStatus, readonly PackageStatus[]> = PACKAGE_TRANSITIONS;

export interface Capabilities {
  role: Role;
  /** Household records (points, panel); VIEWER sees the protected grid instead. */
  readHouseholds: boolean;
  /** PAS the role may see and filter on. */
  visiblePas: string[];
  /** Create and edit packages of this village (policy.assertCanPlan). */
  canPlan(villageCode: string): boolean;
  /** The package audit log (policy.assertCanReadAudit). */
  canReadAudit(villageCode: string): boolean;
}

export function capabilities(claims: Claims): Capabilities {
  const role = claims.role;
  const inRegions = (code: string) => claims.regions === '*' || claims.regions === undefined || claims.regions.some((r) => code === r || code.startsWith(`${r}.`));
  const planner = (code: string) => role === 'ADMIN' || (role === 'PLANNER' && inRegions(code));
  const seesSensitive = role === 'ADMIN' || role === 'PLANNER' || role === 'PENDAMPING';
  return {
    role,
    readHouseholds: role !== 'VIEWER',
    visiblePas: PAS_CODES.filter((p) => seesSensitive || !SENSITIVE_PAS.includes(p)),
    canPlan: planner,
    canReadAudit: planner,
  };
}
