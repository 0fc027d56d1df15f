import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ItemProgress } from '../packages/package.type.js';

export enum SignoffDecision {
  SIGNED = 'SIGNED',
  REFUSED = 'REFUSED',
}
registerEnumType(SignoffDecision, { name: 'SignoffDecision', description: "A funder's decision on the items it funds in an approved package." });

@ObjectType({ description: 'A package after an execution step: its status and the version to send next.' })
export class PackageState {
  @Field(() => ID) id!: string;
  @Field(() => String) status!: string;
  @Field(() => Int) version!: number;
}

@InputType({ description: 'Evidence of progress: a photo (JPEG, PNG, WebP) or a PDF, stored with its SHA-256; the type is judged from the content.' })
export class EvidenceInput {
  @Field(() => String, { description: 'The file, base64 (RFC 4648). At most EVIDENCE_MAX_BYTES (default 5 MiB) decoded.' }) contentBase64!: string;
}

@InputType({ description: 'Planned phase ends of a package (YYYY-MM-DD).' })
export class PhaseScheduleInput {
  @Field(() => String) assessmentEnd!: string;
  @Field(() => String) planningEnd!: string;
  @Field(() => String) implementationEnd!: string;
}

@InputType({ description: 'Planned start and end of one item (YYYY-MM-DD).' })
export class ItemScheduleInput {
  @Field(() => ID) itemId!: string;
  @Field(() => String) plannedStart!: string;
  @Field(() => String) plannedEnd!: string;
}

@ObjectType({ description: 'One phase of the timeline: planned and actual dates (actual from the workflow transitions).' })
export class TimelinePhase {
  @Field(() => String, { description: 'ASSESSMENT, PLANNING or IMPLEMENTATION.' }) phase!: string;
  @Field(() => String) plannedStart!: string;
  @Field(() => String) plannedEnd!: string;
  @Field(() => String, { nullable: true }) actualStart!: string | null;
  @Field(() => String, { nullable: true }) actualEnd!: string | null;
  @Field(() => Boolean, { description: 'Planned end passed without the phase having ended.' }) overdue!: boolean;
}

@ObjectType({ description: 'One item on the timeline (no household: the timeline carries no personal data).' })
export class TimelineItem {
  @Field(() => ID) itemId!: string;
  @Field(() => String) interventionCode!: string;
  @Field(() => String) category!: string;
  @Field(() => String, { description: 'Lead funder.' }) funderCode!: string;
  @Field(() => ItemProgress) progress!: string;
  @Field(() => String) plannedStart!: string;
  @Field(() => String) plannedEnd!: string;
  @Field(() => String, { nullable: true }) startedOn!: string | null;
  @Field(() => String, { nullable: true }) doneOn!: string | null;
  @Field(() => Boolean, { description: 'Planned end passed and not DONE.' }) overdue!: boolean;
}

@ObjectType({ description: 'The timeline of a package for a Gantt view: phases and items, planned against actual.' })
export class PackageTimeline {
  @Field(() => ID) packageId!: string;
  @Field(() => String) status!: string;
  @Field(() => String, { description: 'The day overdue flags are judged against (UTC).' }) today!: string;
  @Field(() => [TimelinePhase]) phases!: TimelinePhase[];
  @Field(() => [TimelineItem]) items!: TimelineItem[];
}

@ObjectType({ description: "A funder's sign-off on the current approval (decision null: not yet)." })
export class FunderSignoff {
  @Field(() => String) funderCode!: string;
  @Field(() => SignoffDecision, { nullable: true }) decision!: SignoffDecision | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'Who signed (token subject).' }) subject!: string | null;
  @Field(() => String, { nullable: true }) at!: string | null;
}

@ObjectType({ description: 'The current approval of a package (four eyes) and the funders’ sign-offs on it.' })
export class PackageApproval {
  @Field(() => String, { nullable: true }) draftedBy!: string | null;
  @Field(() => String, { nullable: true }) approvedBy!: string | null;
  @Field(() => String, { nullable: true }) approvedAt!: string | null;
  @Field(() => [FunderSignoff]) signoffs!: FunderSignoff[];
}

@ObjectType({ description: 'Households served (an item DONE) with one PAS; null = suppressed (1 … k−1).' })
export class ServedByPas {
  @Field(() => String) pas!: string;
  @Field(() => Int, { nullable: true }) households!: number | null;
}

@ObjectType({ description: 'What a package changed. Counts are protected (null = 1 … k−1, else rounded to k) for roles that see aggregates only (exact = false).' })
export class PackageOutcome {
  @Field(() => ID) packageId!: string;
  @Field(() => Boolean) exact!: boolean;
  @Field(() => Int, { nullable: true }) housingItems!: number | null;
  @Field(() => Int, { nullable: true, description: 'Housing items with a post-works verification.' }) housesVerified!: number | null;
  @Field(() => Int, { nullable: true, description: 'Verified houses no longer RTLH.' }) housesMadeFit!: number | null;
  @Field(() => Int, { nullable: true }) facilities!: number | null;
  @Field(() => Int, { nullable: true, description: 'Facilities DONE (in use).' }) facilitiesInUse!: number | null;
  @Field(() => Int, { nullable: true }) businessItems!: number | null;
  @Field(() => Int, { nullable: true, description: 'Economic-empowerment items with at least one follow-up check recorded.' }) businessesChecked!: number | null;
  @Field(() => Int, { nullable: true, description: 'Of those, running at the latest check.' }) businessesRunning!: number | null;
  @Field(() => Int, { nullable: true, description: 'Households with at least one item DONE.' }) householdsServed!: number | null;
  @Field(() => [ServedByPas], { description: 'Sensitive PAS only for roles with exact counts.' }) servedByPas!: ServedByPas[];
}

@ObjectType({ description: 'A follow-up check of an economic-empowerment item.' })
export class OutcomeCheck {
  @Field(() => ID) itemId!: string;
  @Field(() => Int) monthsAfter!: number;
  @Field(() => String) dueOn!: string;
  @Field(() => String) checkedOn!: string;
  @Field(() => Boolean) businessRunning!: boolean;
}

@ObjectType({ description: 'Items of approved, in-progress and completed packages per category, funder and progress (protected counts).' })
export class ExecutionAggregate {
  @Field(() => String) category!: string;
  @Field(() => String) funderCode!: string;
  @Field(() => ItemProgress) progress!: string;
  @Field(() => Int, { nullable: true }) items!: number | null;
  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Funded amount (Rp) of those items; null when the count is suppressed.' }) costIdr!: number | null;
  @Field(() => Int) packages!: number;
}


@ObjectType({ description: 'The assessment gate of a package: target households (of its household and person items) and those not yet assessed.' })
export class AssessmentStatus {
  @Field(() => Int) targetHouseholds!: number;
  @Field(() => Int) assessed!: number;
  @Field(() => Int, { description: 'Assessed households ASSESSED needs (EXECUTION_ASSESSED_SHARE of the target, rounded up).' }) required!: number;
  @Field(() => [ID]) missingHouseholdIds!: string[];
}

@ObjectType({ description: 'One field progress record. Of a household item it is personal data: only the planner, the village’s pendamping, the partner for its own items and ADMIN read it.' })
export class ProgressRecord {
  @Field(() => ID) id!: string;
  @Field(() => ItemProgress) progress!: string;
  @Field(() => String) on!: string;
  @Field(() => String) note!: string;
  @Field(() => [Number], { nullable: true, description: '[longitude, latitude] where it was recorded.' }) locationWgs84!: number[] | null;
  @Field(() => String) recordedBy!: string;
  @Field(() => String) recorderRole!: string;
  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the evidence.' }) evidenceSha256!: string | null;
  @Field(() => String, { nullable: true, description: 'MIME type sniffed from the content.' }) evidenceMime!: string | null;
  @Field(() => Int, { nullable: true }) evidenceBytes!: number | null;
  @Field(() => String, { nullable: true, description: 'The evidence, base64.' }) evidenceBase64!: string | null;
}
