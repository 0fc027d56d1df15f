import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { REFERRAL_STATUSES } from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';
import type { FollowUpRow, ReferralRow } from './referral.queries.js';

export const ReferralStatus = enumOf(REFERRAL_STATUSES);
export type ReferralStatus = keyof typeof ReferralStatus;
registerEnumType(ReferralStatus, { name: 'ReferralStatus', description: 'Terminasi referral status: REFERRED → ACCEPTED → ENROLLED, or DECLINED (with a reason) from REFERRED or ACCEPTED.' });

@ObjectType({ description: "A receiving program of another ministry or agency for terminasi (capital, mentoring, market access), as data." })
export class ReceivingProgram {
  @Field(() => String, { description: 'Code.' }) code!: string;
  @Field(() => String, { description: 'Name.' }) name!: string;
  @Field(() => String, { description: 'The ministry or agency running it.' }) agency!: string;
  @Field(() => String, { description: 'CAPITAL, MENTORING, MARKET_ACCESS, …' }) kind!: string;
  @Field(() => String, { description: 'Where the entry comes from; terms not encoded are said so.' }) source!: string;
  @Field(() => String, { description: 'Description.' }) description!: string;
}

@ObjectType({ description: 'A referral of a graduated household to a receiving program, with its status and dates.' })
export class Referral {
  @Field(() => ID, { description: 'Id.' }) id!: string;
  @Field(() => ID, { description: 'Graduation id.' }) graduationId!: string;
  @Field(() => String, { description: 'Receiving program code.' }) programCode!: string;
  @Field(() => ReferralStatus, { description: 'Status.' }) status!: ReferralStatus;
  @Field(() => String, { description: 'YYYY-MM-DD' }) referredOn!: string;
  @Field(() => String, { nullable: true, description: 'Accepted on (YYYY-MM-DD).' }) acceptedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Enrolled on (YYYY-MM-DD).' }) enrolledOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Declined on (YYYY-MM-DD).' }) declinedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the program or the household declined.' }) declineReason!: string | null;
  @Field(() => String, { description: 'Who made the referral (token subject).' }) createdBy!: string;
}

@ObjectType({ description: 'Follow-up 6 or 12 months after graduation: still out of poverty, or back on assistance (recorded, not hidden).' })
export class FollowUp {
  @Field(() => ID, { description: 'Id.' }) id!: string;
  @Field(() => Int, { description: '6 or 12.' }) monthsAfter!: number;
  @Field(() => String, { description: 'Checked on (YYYY-MM-DD).' }) checkedOn!: string;
  @Field(() => Boolean, { description: 'Still out of poverty.' }) stillOutOfPoverty!: boolean;
  @Field(() => Boolean, { description: 'Returned to assistance.' }) returnedToAssistance!: boolean;
  @Field(() => String, { description: 'Recorded by.' }) recordedBy!: string;
  @Field(() => String, { description: 'Note.' }) note!: string;
}

@InputType({ description: 'Refer an APPROVED graduation to a receiving program.' })
export class ReferralInput {
  @Field(() => ID, { description: 'Graduation id.' }) graduationId!: string;
  @Field(() => String, { description: 'A receivingPrograms code.' }) programCode!: string;
  @Field(() => String, { description: 'YYYY-MM-DD, on or after the graduation date.' }) referredOn!: string;
}

@InputType({ description: 'Move a referral on: ACCEPTED, ENROLLED, or DECLINED with declineReason.' })
export class ReferralUpdateInput {
  @Field(() => ID, { description: 'Referral id.' }) referralId!: string;
  @Field(() => ReferralStatus, { description: 'Status.' }) status!: ReferralStatus;
  @Field(() => String, { description: 'Date of the change, YYYY-MM-DD.' }) on!: string;
  @Field(() => String, { nullable: true, description: 'Decline reason.' }) declineReason?: string | null;
}

@InputType({ description: 'A 6- or 12-month follow-up of an APPROVED graduation.' })
export class FollowUpInput {
  @Field(() => ID, { description: 'Graduation id.' }) graduationId!: string;
  @Field(() => Int, { description: '6 or 12.' }) monthsAfter!: number;
  @Field(() => String, { description: 'YYYY-MM-DD' }) checkedOn!: string;
  @Field(() => Boolean, { description: 'Still out of poverty.' }) stillOutOfPoverty!: boolean;
  @Field(() => Boolean, { description: 'The household is back on social assistance: the graduation becomes RETURNED and its memberships reopen.' }) returnedToAssistance!: boolean;
  @Field(() => String, { nullable: true, description: 'Required when returnedToAssistance.' }) note?: string | null;
}

export const toReferral = (r: ReferralRow): Referral =>
  Object.assign(new Referral(), {
    id: String(r.id),
    graduationId: String(r.graduation_id),
    programCode: r.program_code,
    status: r.status,
    referredOn: r.referred_on,
    acceptedOn: r.accepted_on,
    enrolledOn: r.enrolled_on,
    declinedOn: r.declined_on,
    declineReason: r.decline_reason,
    createdBy: r.created_by,
  });

export const toFollowUp = (f: FollowUpRow): FollowUp =>
  Object.assign(new FollowUp(), { id: String(f.id), monthsAfter: f.months_after, checkedOn: f.checked_on, stillOutOfPoverty: f.still_out_of_poverty, returnedToAssistance: f.returned_to_assistance, recordedBy: f.recorded_by, note: f.note });
