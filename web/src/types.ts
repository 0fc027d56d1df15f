/** Shapes of the GraphQL results the app reads (see queries.ts). Counts are null when suppressed. */
export type Role = 'ADMIN' | 'PLANNER' | 'PENDAMPING' | 'PARTNER' | 'VIEWER';
export type PackageStatus = 'DRAFT' | 'ASSESSED' | 'PLANNED' | 'APPROVED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';

export interface PriorityScore { score: number; components: { name: string; points: number; value: number; weight: number }[] }
export interface NeedStatistics {
  households: number | null; householdsDesil1To2: number | null; rtlhHouseholds: number | null; vulnerableHouseholds: number | null;
  fisherShare: number | null; householdsWithElderly: number | null; householdsWithDisabled: number | null;
  householdsByPas: { pas: string; households: number | null }[];
}
export interface VillageSummary {
  code: string; name: string; kind: string; regency: { name: string }; district: { name: string }; coastal: { isCoastal: boolean } | null;
  needStatistics: NeedStatistics; priority: PriorityScore | null;
}
export interface ExistingFacility { id: string; kind: string; name: string; lonLat: [number, number]; accessible: boolean; serves: string[] }
export interface Village extends VillageSummary {
  hasBoundary: boolean; areaKm2: number | null; boundary: GeoJSON.MultiPolygon | null; centroid: GeoJSON.Point | null; existingFacilities: ExistingFacility[];
}
export interface Funder { code: string; name: string; kind: string; requiresMustahik: boolean }
export interface Intervention {
  code: string; nameId: string; nameEn: string; category: string; target: 'HOUSEHOLD' | 'PERSON' | 'FACILITY'; funderCode: string;
  unitCostIdr: number; serves: string | null; isActive: boolean; isHousing: boolean;
}
export interface Household {
  id: string; registryId: string; villageCode: string; desil: number; livelihood: string; memberCount: number; hasElderly: boolean; hasChild: boolean;
  hasDisabled: boolean; isMustahik: boolean; receivesPkh: boolean; receivesBpnt: boolean; pas: string[];
  identity: { headName: string; address: string; headNikMasked: string | null; familyCardNumberMasked: string | null };
  rtlh: { isRtlh: boolean; ruleCode: string; reasons: { criterion: string; explanation: string }[] };
  houseCondition: { floorAreaM2: number; floorAreaPerPersonM2: number; occupants: number; hasOwnToilet: boolean; hasElectricity: boolean };
  members: { id: number; relation: string; sex: string; age: number; disability: string | null; isElderly: boolean; isChild: boolean }[];
}
export interface Eligibility {
  eligible: boolean; eligibleMemberIds: number[];
  intervention: { code: string; nameId: string; nameEn: string; target: string; funderCode: string; unitCostIdr: number };
  parts: { label: string; fact: string; expected: string; actual: string; passed: boolean }[];
}
export interface PackageItem {
  id: string; interventionCode: string; category: string; funderCode: string; quantity: number; unitCostIdr: number; costIdr: number;
  householdId: string | null; memberId: number | null; serves: string | null; location: GeoJSON.Point | null; progress: string; origin: string;
  startedOn: string | null; doneOn: string | null; eligibilityOverrideReason: string | null;
  /** Funding shares: who pays (a PARTNER records progress on items its funder has a share of). */
  funding: { funderCode: string }[];
}
export interface FunderBudget { funderCode: string; budgetIdr: number; /** Null where counts are protected (docs/privacy.md "Money"). */ allocatedIdr: number | null; remainingIdr: number | null; overBudgetReason?: string | null }
export interface Coverage {
  radiusMeters: number; householdsInNeed: number | null; householdsServed: number | null; unservedHouseholdIds: string[];
  access: { serves: string; targetHouseholds: number | null; withinReachBefore: number | null; withinReachAfter: number | null }[];
  byFunder: FunderBudget[];
}
export interface Package {
  id: string; name: string; villageCode: string; status: PackageStatus; version: number; totalCostIdr: number | null; createdAt: string; createdBy: string;
  updatedAt: string; budgets: FunderBudget[]; items: PackageItem[]; coverage: Coverage;
}
export interface PackageSummary {
  id: string; name: string; villageCode: string; status: PackageStatus; version: number; totalCostIdr: number | null; updatedAt: string;
  items: { id: string; progress: string; category: string }[];
}
export interface AuditEntry { id: string; action: string; actor: string; role: string; at: string }
export interface GridCell { cell: GeoJSON.Polygon; households: number | null; householdsDesil1To2: number | null; rtlhHouseholds: number | null; suppressed: boolean }
export interface GraduationTarget {
  key: string; caseload: number | null; graduated: number | null; /** Null where the village's counts are protected (a caseload share in disguise). */ target: number | null; proposed: number | null; referred: number | null; accepted: number | null;
  enrolled: number | null; declined: number | null; returned: number | null; pendamping: number;
}
export interface GraduationTargets { year: number; protectedCounts: boolean; rows: GraduationTarget[] }
export interface PendampingCaseload { subject: string; name: string; organisation: string | null; caseload: number; targetPerYear: number; villageCodes: string[] }
export interface Caseload { perPendamping: { year: number; rows: GraduationTarget[] }; pendamping: PendampingCaseload[]; graduationReadinessList: { total: number; ready: number } }
export interface TimelinePhase { phase: string; plannedStart: string; plannedEnd: string; actualStart: string | null; actualEnd: string | null; overdue: boolean }
export interface TimelineItem {
  itemId: string; interventionCode: string; category: string; funderCode: string; plannedStart: string; plannedEnd: string;
  startedOn: string | null; doneOn: string | null; progress: string; overdue: boolean;
}
export interface PackageTimeline { packageId: string; status: string; today: string; phases: TimelinePhase[]; items: TimelineItem[] }
export interface FunderSignoff { funderCode: string; decision: 'SIGNED' | 'REFUSED' | null; reason: string | null; subject: string | null; at: string | null }
export interface PackageApproval { draftedBy: string | null; approvedBy: string | null; approvedAt: string | null; signoffs: FunderSignoff[] }
