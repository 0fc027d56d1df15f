/** All SQL of terminasi: receiving programs, referrals and follow-ups. */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.js';

export interface ReceivingProgramRow {
  code: string;
  name: string;
  agency: string;
  kind: string;
  source: string;
  description: string;
  [key: string]: unknown;
}

export interface ReferralRow {
  id: number;
  graduation_id: number;
  program_code: string;
  status: string;
  referred_on: string;
  accepted_on: string | null;
  enrolled_on: string | null;
  declined_on: string | null;
  decline_reason: string | null;
  created_by: string;
  [key: string]: unknown;
}

export interface FollowUpRow {
  id: number;
  graduation_id: number;
  months_after: number;
  checked_on: string;
  still_out_of_poverty: boolean;
  returned_to_assistance: boolean;
  recorded_by: string;
  note: string;
  [key: string]: unknown;
}

export const listReceivingPrograms = (db: Queryable) => db.query<ReceivingProgramRow>(sql`SELECT * FROM receiving_programs ORDER BY code`);

export async function receivingProgram(db: Queryable, code: string) {
  const [row] = await db.query<ReceivingProgramRow>(sql`SELECT * FROM receiving_programs WHERE code = ${code}`);
  return row ?? null;
}

/** Referrals of graduations the caller already scoped (callers pass ids they may read). */
export const referralsByGraduationIds = (db: Queryable, ids: readonly number[]) =>
  db.query<ReferralRow>(sql`SELECT * FROM referrals WHERE graduation_id = ANY(${sql.param([...ids])}::int[]) ORDER BY graduation_id, id`);

export const followUpsByGraduationIds = (db: Queryable, ids: readonly number[]) =>
  db.query<FollowUpRow>(sql`SELECT * FROM graduation_follow_ups WHERE graduation_id = ANY(${sql.param([...ids])}::int[]) ORDER BY graduation_id, months_after`);

export async function referralForUpdate(db: Queryable, id: number) {
  const [row] = await db.query<ReferralRow>(sql`SELECT * FROM referrals WHERE id = ${id} FOR UPDATE`);
  return row ?? null;
}

export async function insertReferral(db: Queryable, r: { graduationId: number; programCode: string; referredOn: string; createdBy: string }) {
  const [row] = await db.query<ReferralRow>(sql`INSERT INTO referrals (graduation_id, program_code, referred_on, created_by)
    VALUES (${r.graduationId}, ${r.programCode}, ${r.referredOn}, ${r.createdBy}) RETURNING *`);
  return row!;
}

export async function updateReferralStatus(db: Queryable, id: number, status: string, on: string, declineReason: string | null) {
  const [row] = await db.query<ReferralRow>(sql`UPDATE referrals SET status = ${status},
      accepted_on = CASE WHEN ${status} = 'ACCEPTED' THEN ${on}::date ELSE accepted_on END,
      enrolled_on = CASE WHEN ${status} = 'ENROLLED' THEN ${on}::date ELSE enrolled_on END,
      declined_on = CASE WHEN ${status} = 'DECLINED' THEN ${on}::date ELSE declined_on END,
      decline_reason = CASE WHEN ${status} = 'DECLINED' THEN ${declineReason} ELSE decline_reason END,
      updated_at = now()
    WHERE id = ${id} RETURNING *`);
  return row!;
}

export async function insertFollowUp(db: Queryable, f: { graduationId: number; monthsAfter: number; checkedOn: string; stillOutOfPoverty: boolean; returnedToAssistance: boolean; recordedBy: string; note: string }) {
  const [row] = await db.query<FollowUpRow>(sql`INSERT INTO graduation_follow_ups (graduation_id, months_after, checked_on, still_out_of_poverty, returned_to_assistance, recorded_by, note)
    VALUES (${f.graduationId}, ${f.monthsAfter}, ${f.checkedOn}, ${f.stillOutOfPoverty}, ${f.returnedToAssistance}, ${f.recordedBy}, ${f.note}) RETURNING *`);
  return row!;
}
