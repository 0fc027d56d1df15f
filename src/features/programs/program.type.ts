import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { MembershipRow } from './program.queries.js';

@ObjectType({ description: 'A social-assistance program a KPM (keluarga penerima manfaat) can receive: PKH, Sembako/BPNT, PBI-JK, ATENSI … (data, not a fixed list).' })
export class SocialProgram {
  @Field(() => String, { description: 'Program code, e.g. PKH.' })
  code!: string;

  @Field(() => String, { description: 'Program name.' })
  name!: string;

  @Field(() => String, { description: 'Who runs it.' })
  provider!: string;

  @Field(() => Int, { nullable: true, description: 'Highest desil the program admits (PKH 4, Sembako and PBI 5); null when not desil-based.' })
  maxDesil!: number | null;

  @Field(() => String, { description: 'Where the threshold comes from.' })
  source!: string;

  @Field(() => String, { description: 'What the program gives.' })
  description!: string;
}

@ObjectType({ description: "A household's membership of a social-assistance program, kept as history (ending it sets endedOn; nothing is deleted)." })
export class ProgramMembership {
  @Field(() => ID, { description: 'Id.' })
  id!: string;

  @Field(() => ID, { description: 'The household (KPM).' })
  householdId!: string;

  @Field(() => String, { description: 'Program code (see socialPrograms).' })
  programCode!: string;

  @Field(() => String, { description: 'Member since (YYYY-MM-DD).' })
  since!: string;

  @Field(() => String, { description: 'Registry extract the membership was read from (e.g. "DTSEN 2025-Q3"), or RETURN_TO_ASSISTANCE when reopened after a graduation.' })
  registrySnapshot!: string;

  @Field(() => String, { nullable: true, description: 'When it ended (YYYY-MM-DD); null while open.' })
  endedOn!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it ended: GRADUATED, NO_LONGER_ELIGIBLE, …' })
  endReason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The approved graduation that ended it.' })
  graduationId!: string | null;
}

export const toMembership = (m: MembershipRow): ProgramMembership =>
  Object.assign(new ProgramMembership(), {
    id: String(m.id),
    householdId: String(m.household_id),
    programCode: m.program_code,
    since: m.since,
    registrySnapshot: m.registry_snapshot,
    endedOn: m.ended_on,
    endReason: m.end_reason,
    graduationId: m.graduation_id === null ? null : String(m.graduation_id),
  });
