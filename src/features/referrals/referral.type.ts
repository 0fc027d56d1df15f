import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { REFERRAL_STATUSES } from '../../db/schema.js';

export const ReferralStatus = Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, s])) as { [K in (typeof REFERRAL_STATUSES)[number]]: K };
export type ReferralStatus = keyof typeof ReferralStatus;
registerEnumType(ReferralStatus, { name: 'ReferralStatus', description: 'Terminasi referral status: REFERRED → ACCEPTED → ENROLLED, or DECLINED (with a reason) from REFERRED or ACCEPTED.' });

@ObjectType({ description: "A receiving program of another ministry or agency for terminasi (capital, mentoring, market access), as data." })
export class ReceivingProgram {
  @Field(() => String) code!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'The ministry or agency running it.' }) agency!: string;
  @Field(() => String, { description: 'CAPITAL, MENTORING, MARKET_ACCESS, …' }) kind!: string;
  @Field(() => String, { description: 'Where the entry comes from; terms not encoded are said so.' }) source!: string;
  @Field(() => String) description!: string;
}

@ObjectType({ description: 'A referral of a graduated household to a receiving program, with its status and dates.' })
export class Referral {
  @Field(() => ID) id!: string;
  @Field(() => ID) graduationId!: string;
  @Field(() => String, { description: 'Receiving program code.' }) programCode!: string;
  @Field(() => ReferralStatus) status!: ReferralStatus;
  @Field(() => String, { description: 'YYYY-MM-DD' }) referredOn!: string;
  @Field(() => String, { nullable: true }) acceptedOn!: string | null;
  @Field(() => String, { nullable: true }) enrolledOn!: string | null;
  @Field(() => String, { nullable: true }) declinedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the program or the household declined.' }) declineReason!: string | null;
  @Field(() => String, { description: 'Who made the referral (token subject).' }) createdBy!: string;
}

@ObjectType({ description: 'Follow-up 6 or 12 months after graduation: still out of poverty, or back on assistance (recorded, not hidden).' })
export class FollowUp {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: '6 or 12.' }) monthsAfter!: number;
  @Field(() => String) checkedOn!: string;
  @Field(() => Boolean) stillOutOfPoverty!: boolean;
  @Field(() => Boolean) returnedToAssistance!: boolean;
  @Field(() => String) recordedBy!: string;
  @Field(() => String) note!: string;
}

@InputType({ description: 'Refer an APPROVED graduation to a receiving program.' })
export class ReferralInput {
  @Field(() => ID) graduationId!: string;
  @Field(() => String, { description: 'A receivingPrograms code.' }) programCode!: string;
  @Field(() => String, { description: 'YYYY-MM-DD, on or after the graduation date.' }) referredOn!: string;
}

@InputType({ description: 'Move a referral on: ACCEPTED, ENROLLED, or DECLINED with declineReason.' })
export class ReferralUpdateInput {
  @Field(() => ID) referralId!: string;
  @Field(() => ReferralStatus) status!: ReferralStatus;
  @Field(() => String, { description: 'Date of the change, YYYY-MM-DD.' }) on!: string;
  @Field(() => String, { nullable: true }) declineReason?: string | null;
}

@InputType({ description: 'A 6- or 12-month follow-up of an APPROVED graduation.' })
export class FollowUpInput {
  @Field(() => ID) graduationId!: string;
  @Field(() => Int, { description: '6 or 12.' }) monthsAfter!: number;
  @Field(() => String, { description: 'YYYY-MM-DD' }) checkedOn!: string;
  @Field(() => Boolean) stillOutOfPoverty!: boolean;
  @Field(() => Boolean, { description: 'The household is back on social assistance: the graduation becomes RETURNED and its memberships reopen.' }) returnedToAssistance!: boolean;
  @Field(() => String, { nullable: true, description: 'Required when returnedToAssistance.' }) note?: string | null;
}
