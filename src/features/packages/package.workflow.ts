/** The package workflow as data: which status may follow which, and what each status allows. */
import { AppError, ErrorCode } from '../../errors/errors.js';
import { PACKAGE_TRANSITIONS } from './package.transitions.js';
import type { PackageStatus } from './package.type.js';

export const TRANSITIONS: Record<PackageStatus, readonly PackageStatus[]> = PACKAGE_TRANSITIONS;

/** Statuses in which items and budgets may change. */
export const EDITABLE: PackageStatus[] = ['DRAFT', 'ASSESSED', 'PLANNED'];

export function assertTransition(from: PackageStatus, to: PackageStatus): void {
  if (TRANSITIONS[from].includes(to)) return;
  const allowed = TRANSITIONS[from];
  throw new AppError(
    ErrorCode.CONFLICT,
    `A ${from} package cannot become ${to}; ${allowed.length ? `from ${from} it can become ${allowed.join(' or ')}` : `${from} is final`}.`,
    { argument: 'to', from, to, allowed },
  );
}

export function assertEditable(status: PackageStatus, what: string): void {
  if (EDITABLE.includes(status)) return;
  const hint = status === 'APPROVED' ? ' Move it back to PLANNED first (transitionPackage to: PLANNED).' : '';
  throw new AppError(ErrorCode.CONFLICT, `${what}: the package is ${status}; items and budgets change only while it is DRAFT, ASSESSED or PLANNED.${hint}`, { status });
}
