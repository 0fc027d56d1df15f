/**
 * Which package status may follow which: the workflow as data. This module imports nothing, so the
 * web app (web/src/roles.ts) bundles this very table and offers exactly the steps the API allows;
 * package.workflow.ts checks it against the GraphQL PackageStatus enum.
 */
export const PACKAGE_TRANSITIONS = {
  DRAFT: ['ASSESSED', 'CANCELLED'],
  ASSESSED: ['PLANNED', 'DRAFT', 'CANCELLED'],
  PLANNED: ['APPROVED', 'ASSESSED', 'CANCELLED'],
  // Back to PLANNED is the only way to change the items of an approved package.
  APPROVED: ['IN_PROGRESS', 'PLANNED', 'CANCELLED'],
  IN_PROGRESS: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
} as const;
