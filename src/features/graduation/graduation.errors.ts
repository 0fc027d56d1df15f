/**
 * Database invariants (partial unique indexes, checks, transition triggers) surface as CONFLICT
 * with the rule that was broken, so a concurrent second proposal or an illegal status change is
 * refused by the database and explained to the client, with nothing written.
 */
import { AppError, ErrorCode } from '../../errors/errors.js';

const EXPLAIN: Record<string, string> = {
  graduations_one_open: 'the household already has an open (proposed or approved) graduation',
  graduations_four_eyes: 'the approver must not be the proposer',
  graduations_transition: 'that status change is not allowed (PROPOSED → APPROVED | REJECTED; APPROVED → RETURNED)',
  referrals_transition: 'that status change is not allowed (REFERRED → ACCEPTED → ENROLLED; REFERRED | ACCEPTED → DECLINED)',
  referrals_one_per_program: 'the graduation is already referred to that program',
  referrals_graduated: 'referrals are made for approved graduations only',
  referrals_dates: 'dates must follow each other (referred ≤ accepted ≤ enrolled)',
  graduation_follow_ups_once: 'that follow-up is already recorded',
  program_memberships_one_open: 'the household already has an open membership of that program',
  program_memberships_end: 'a membership cannot end before it started',
};

export function asConflict(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e && (e.code === '23505' || e.code === '23514')) {
    const constraint = e.constraint ?? Object.keys(EXPLAIN).find((c) => e.message?.includes(c)) ?? 'unknown';
    return new AppError(ErrorCode.CONFLICT, `Refused: ${EXPLAIN[constraint] ?? e.message ?? 'a database rule was broken'}.`, { constraint });
  }
  return error;
}

/** Runs `work`, turning broken database rules into CONFLICT. */
export async function withConflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asConflict(error);
  }
}
