/**
 * What the signed-in user may do, as the API says (the `viewer` query and, per village,
 * `viewer.villageCapabilities`): the page keeps no copy of the role rules. This decides what to
 * *offer*, never what to *hide*: the API leaves out or refuses everything a role may not see, and
 * the page shows what it receives. The workflow table is the API's own module, bundled.
 */
import { PACKAGE_TRANSITIONS } from '../../src/features/packages/package.transitions';
import type { PackageStatus, Role } from './types';

/** The API's own workflow table (src/features/packages/package.transitions.ts), bundled into the page. */
export const NEXT_STATUSES: Record<PackageStatus, readonly PackageStatus[]> = PACKAGE_TRANSITIONS;

export const VIEWER = `query Viewer { viewer { subject role organisation readsHouseholdRecords visiblePas readsCaseloadRecords graduationTargetGroupings protectedAggregates } }`;
export const VILLAGE_CAPABILITIES = `villageCapabilities(villageCode: $code) { villageCode canPlan canAssess canReadPackages canReadAudit exactAggregates
  canRecordProgress progressFunderCode progressNeedsLocation }`;

export interface ViewerAnswer {
  subject: string; role: Role; organisation: string | null; readsHouseholdRecords: boolean; visiblePas: string[];
  readsCaseloadRecords: boolean; graduationTargetGroupings: string[]; protectedAggregates: boolean;
}
export interface VillageCapabilities {
  villageCode: string; canPlan: boolean; canAssess: boolean; canReadPackages: boolean; canReadAudit: boolean; exactAggregates: boolean;
  canRecordProgress: boolean; progressFunderCode: string | null; progressNeedsLocation: boolean;
}
/** Where the API takes this user's progress records: every item (funderCode null) or one funder's items; with or without a GPS point. */
export interface ProgressScope { funderCode: string | null; needsLocation: boolean }

export interface Capabilities {
  role: Role;
  /** Household records (points, panel); otherwise the protected grid. */
  readHouseholds: boolean;
  /** PAS the role may see and filter on. */
  visiblePas: string[];
  /** Readiness lists, graduations, pendamping caseloads; otherwise graduationTargets aggregates only. */
  readsCaseload: boolean;
  /** graduationTargets groupings the API accepts from this user. */
  targetGroupings: string[];
  /** Create and edit packages of this village (answered by the API when the village was opened). */
  canPlan(villageCode: string): boolean;
  /** The package audit log of this village. */
  canReadAudit(villageCode: string): boolean;
  /** recordItemProgress in this village, as the API answered (null: not offered). */
  progressScope(villageCode: string): ProgressScope | null;
  /** Remembers the API's answer for a village. */
  setVillage(village: VillageCapabilities | null): void;
}

export function capabilities(viewer: ViewerAnswer): Capabilities {
  let village: VillageCapabilities | null = null;
  const here = (code: string) => (village?.villageCode === code ? village : null);
  return {
    role: viewer.role,
    readHouseholds: viewer.readsHouseholdRecords,
    visiblePas: viewer.visiblePas,
    readsCaseload: viewer.readsCaseloadRecords,
    targetGroupings: viewer.graduationTargetGroupings,
    canPlan: (code) => here(code)?.canPlan ?? false,
    canReadAudit: (code) => here(code)?.canReadAudit ?? false,
    progressScope: (code) => {
      const v = here(code);
      return v?.canRecordProgress ? { funderCode: v.progressFunderCode, needsLocation: v.progressNeedsLocation } : null;
    },
    setVillage(v) {
      village = v;
    },
  };
}
