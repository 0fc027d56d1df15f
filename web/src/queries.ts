/**
 * Every GraphQL document the app sends, in one module, written against schema.graphql as it is
 * today. Other branches are changing parts of the API: adjust the documents here and the shapes
 * in types.ts, nothing else talks to /graphql directly.
 */

import { VILLAGE_CAPABILITIES } from './roles';

const PRIORITY = `priority { score components { name points value weight } }`;
const NEED = `needStatistics { households householdsDesil1To2 rtlhHouseholds vulnerableHouseholds fisherShare householdsWithElderly householdsWithDisabled
  householdsByPas { pas households } }`;

export const VILLAGE_SCORES = `query VillageScores($filter: VillageFilter, $after: String) {
  villages(orderBy: PRIORITY, first: 1000, filter: $filter, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { code priority { score } } } }`;

export const VILLAGE_RANKING = `query VillageRanking($filter: VillageFilter, $first: Int) {
  villages(orderBy: PRIORITY, first: $first, filter: $filter) {
    totalCount nodes { code name kind regency { name } district { name } coastal { isCoastal } ${NEED} ${PRIORITY} } } }`;

// What the API allows in this village comes with the village (viewer.villageCapabilities, see roles.ts).
export const VILLAGE = `query Village($code: String!) {
  village(code: $code) { code name kind regency { name } district { name } hasBoundary areaKm2 coastal { isCoastal }
    boundary(zoom: 16) centroid ${NEED} ${PRIORITY} existingFacilities { id kind name lonLat accessible serves } }
  viewer { ${VILLAGE_CAPABILITIES} } }`;

export const CATALOG = `query Catalog { funders { code name kind requiresMustahik }
  interventions { code nameId nameEn category target funderCode unitCostIdr serves isActive isHousing } }`;

export const HOUSEHOLD = `query Household($id: ID!) { household(id: $id) {
  id registryId villageCode desil livelihood memberCount hasElderly hasChild hasDisabled isMustahik receivesPkh receivesBpnt pas
  identity { headName address headNikMasked familyCardNumberMasked }
  rtlh { isRtlh ruleCode reasons { criterion explanation } }
  houseCondition { floorAreaM2 floorAreaPerPersonM2 occupants hasOwnToilet hasElectricity }
  members { id relation sex age disability isElderly isChild } } }`;

export const ELIGIBILITY = `query Eligibility($householdId: ID!) { eligibility(householdId: $householdId) {
  eligible eligibleMemberIds intervention { code nameId nameEn target funderCode unitCostIdr }
  parts { label fact expected actual passed } } }`;

export const GRID = `query Grid($villageCode: String!) { householdGrid(villageCode: $villageCode) { cell households householdsDesil1To2 rtlhHouseholds suppressed } }`;

const ITEM = `id interventionCode category funderCode quantity unitCostIdr costIdr householdId memberId serves location progress origin
  startedOn doneOn eligibilityOverrideReason funding { funderCode }`;
const PACKAGE_FIELDS = `id name villageCode status version totalCostIdr createdAt createdBy updatedAt
  budgets { funderCode budgetIdr allocatedIdr remainingIdr overBudgetReason } items { ${ITEM} }`;
export const COVERAGE_FIELDS = `coverage(radiusMeters: $radius) { radiusMeters householdsInNeed householdsServed unservedHouseholdIds
  access { serves targetHouseholds withinReachBefore withinReachAfter } byFunder { funderCode budgetIdr allocatedIdr remainingIdr } }`;

// A village has a handful of packages; one page of 200 holds them all (packages is a connection).
export const PACKAGES = `query Packages($villageCode: String) { packages(villageCode: $villageCode, first: 200) { nodes {
  id name villageCode status version totalCostIdr updatedAt items { id progress category } } } }`;

export const PACKAGE = `query Package($id: ID!, $radius: Int!) { package(id: $id) { ${PACKAGE_FIELDS} ${COVERAGE_FIELDS} } }`;
export const PACKAGE_UNSERVED = `query Unserved($id: ID!) { package(id: $id) { id unservedFeatureCollection } }`;
export const PACKAGE_AUDIT = `query PackageAudit($id: ID!) { package(id: $id) { id audit { id action actor role at } } }`;

export const PROPOSE = `mutation Propose($villageCode: String!, $name: String!, $budgets: [BudgetInput!]!) {
  proposePackage(villageCode: $villageCode, name: $name, budgets: $budgets) { id version } }`;

export const ADD_ITEM = `mutation AddItem($packageId: ID!, $version: Int!, $item: PackageItemInput!) {
  addPackageItem(packageId: $packageId, version: $version, item: $item) { id version } }`;

export const REMOVE_ITEM = `mutation RemoveItem($packageId: ID!, $version: Int!, $itemId: ID!) {
  removePackageItem(packageId: $packageId, version: $version, itemId: $itemId) { id version } }`;

export const TRANSITION = `mutation Transition($packageId: ID!, $version: Int!, $to: PackageStatus!, $reason: String) {
  transitionPackage(packageId: $packageId, version: $version, to: $to, reason: $reason) { id version status } }`;

export const SET_BUDGET = `mutation SetBudget($packageId: ID!, $version: Int!, $budget: BudgetInput!, $overBudgetReason: String) {
  setPackageBudget(packageId: $packageId, version: $version, budget: $budget, overBudgetReason: $overBudgetReason) { id version } }`;

const TARGET_ROW = `key caseload graduated target proposed referred accepted enrolled declined returned pendamping`;
/** Graduation figures of one village: protected counts for aggregate-only roles (the API decides). */
export const GRADUATION_TARGETS = `query GraduationTargets($code: String!) {
  graduationTargets(groupBy: VILLAGE, regionCode: $code) { year protectedCounts rows { ${TARGET_ROW} } } }`;
/** Only sent when viewer.readsCaseloadRecords: per-pendamping rows, caseloads and the readiness counts (no household fields asked). */
export const CASELOAD = `query Caseload($code: String!) {
  perPendamping: graduationTargets(groupBy: PENDAMPING, regionCode: $code) { year rows { ${TARGET_ROW} } }
  pendamping(villageCode: $code) { subject name organisation caseload targetPerYear villageCodes }
  graduationReadinessList(villageCode: $code, limit: 1) { total ready } }`;

/** Planned phases and items against actual dates (issue 15's API): no personal data, so every role that reads the package asks it. */
export const PACKAGE_TIMELINE = `query PackageTimeline($id: ID!) { packageTimeline(packageId: $id) { packageId status today
  phases { phase plannedStart plannedEnd actualStart actualEnd overdue }
  items { itemId interventionCode category funderCode plannedStart plannedEnd startedOn doneOn progress overdue } } }`;
/** Four eyes and the funders' sign-offs on the current approval; the API decides what it returns to the role. */
export const PACKAGE_APPROVAL = `query PackageApproval($id: ID!) { packageApproval(packageId: $id) { draftedBy approvedBy approvedAt
  signoffs { funderCode decision reason subject at } } }`;
export const SIGN_OFF = `mutation SignOff($packageId: ID!, $version: Int!, $decision: SignoffDecision!, $reason: String) {
  signOffPackage(packageId: $packageId, version: $version, decision: $decision, reason: $reason) { id version status } }`;
/** Field progress of one item (issue 15): the API checks role, funder, date, the point against the boundary and the evidence. */
export const RECORD_PROGRESS = `mutation RecordProgress($packageId: ID!, $version: Int!, $itemId: ID!, $progress: ItemProgress!, $on: String, $note: String,
  $locationWgs84: [Float!], $evidence: EvidenceInput) {
  recordItemProgress(packageId: $packageId, version: $version, itemId: $itemId, progress: $progress, on: $on, note: $note, locationWgs84: $locationWgs84, evidence: $evidence) { id version } }`;
