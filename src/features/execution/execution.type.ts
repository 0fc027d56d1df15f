import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ItemProgress } from '../packages/index.js';

export enum SignoffDecision {
  SIGNED = 'SIGNED',
  REFUSED = 'REFUSED',
}
registerEnumType(SignoffDecision, { name: 'SignoffDecision', description: "A funder's decision on the items it funds in an approved package." });

@ObjectType({ description: 'A package after an execution step: its status and the version to send next.' })
export class PackageState {
  @Field(() => ID, { description: 'Id.' }) id!: string;
  @Field(() => String, { description: 'Package status.' }) status!: string;
  @Field(() => Int, { description: 'Package version to send with the next change.' }) version!: number;
}

@InputType({ description: 'Evidence of progress: a photo (JPEG, PNG, WebP) or a PDF, stored with its SHA-256; the type is judged from the content.' })
export class EvidenceInput {
  @Field(() => String, { description: 'The file, base64 (RFC 4648). At most EVIDENCE_MAX_BYTES (default 5 MiB) decoded.' }) contentBase64!: string;
}

@InputType({ description: 'Planned phase ends of a package (YYYY-MM-DD).' })
export class PhaseScheduleInput {
  @Field(() => String, { description: 'End of the assessment phase, YYYY-MM-DD.' }) assessmentEnd!: string;
  @Field(() => String, { description: 'End of the planning phase, YYYY-MM-DD.' }) planningEnd!: string;
  @Field(() => String, { description: 'End of the implementation phase, YYYY-MM-DD.' }) implementationEnd!: string;
}

@InputType({ description: 'Planned start and end of one item (YYYY-MM-DD).' })
export class ItemScheduleInput {
  @Field(() => ID, { description: 'Package item id.' }) itemId!: string;
  @Field(() => String, { description: 'Planned start, YYYY-MM-DD.' }) plannedStart!: string;
  @Field(() => String, { description: 'Planned end, YYYY-MM-DD.' }) plannedEnd!: string;
}

@ObjectType({ description: 'One phase of the timeline: planned and actual dates (actual from the workflow transitions).' })
export class TimelinePhase {
  @Field(() => String, { description: 'ASSESSMENT, PLANNING or IMPLEMENTATION.' }) phase!: string;
  @Field(() => String, { description: 'Planned start, YYYY-MM-DD.' }) plannedStart!: string;
  @Field(() => String, { description: 'Planned end, YYYY-MM-DD.' }) plannedEnd!: string;
  @Field(() => String, { nullable: true, description: 'Actual start.' }) actualStart!: string | null;
  @Field(() => String, { nullable: true, description: 'Actual end (from the workflow transitions).' }) actualEnd!: string | null;
  @Field(() => Boolean, { description: 'Planned end passed without the phase having ended.' }) overdue!: boolean;
}

@ObjectType({ description: 'One item on the timeline (no household: the timeline carries no personal data).' })
export class TimelineItem {
  @Field(() => ID, { description: 'Package item id.' }) itemId!: string;
  @Field(() => String, { description: 'Catalog intervention.' }) interventionCode!: string;
  @Field(() => String, { description: 'Intervention category.' }) category!: string;
  @Field(() => String, { description: 'Lead funder.' }) funderCode!: string;
  @Field(() => ItemProgress, { description: 'Implementation progress.' }) progress!: string;
  @Field(() => String, { description: 'Planned start, YYYY-MM-DD.' }) plannedStart!: string;
  @Field(() => String, { description: 'Planned end, YYYY-MM-DD.' }) plannedEnd!: string;
  @Field(() => String, { nullable: true, description: 'Day the work started.' }) startedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Day the item was DONE.' }) doneOn!: string | null;
  @Field(() => Boolean, { description: 'Planned end passed and not DONE.' }) overdue!: boolean;
}

@ObjectType({ description: 'The timeline of a package for a Gantt view: phases and items, planned against actual.' })
export class PackageTimeline {
  @Field(() => ID, { description: 'Package id.' }) packageId!: string;
  @Field(() => String, { description: 'Package status.' }) status!: string;
  @Field(() => String, { description: 'The day overdue flags are judged against (UTC).' }) today!: string;
  @Field(() => [TimelinePhase], { description: 'The three phases.' }) phases!: TimelinePhase[];
  @Field(() => [TimelineItem], { description: 'Items (protected count; null = suppressed).' }) items!: TimelineItem[];
}

@ObjectType({ description: "A funder's sign-off on the current approval (decision null: not yet)." })
export class FunderSignoff {
  @Field(() => String, { description: 'Funder code.' }) funderCode!: string;
  @Field(() => SignoffDecision, { nullable: true, description: 'SIGNED or REFUSED; null = not yet.' }) decision!: SignoffDecision | null;
  @Field(() => String, { nullable: true, description: 'Reason of a refusal.' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'Who signed (token subject).' }) subject!: string | null;
  @Field(() => String, { nullable: true, description: 'When it was recorded (ISO 8601).' }) at!: string | null;
}

@ObjectType({ description: 'The current approval of a package (four eyes) and the funders’ sign-offs on it.' })
export class PackageApproval {
  @Field(() => String, { nullable: true, description: 'Token subject of the drafter (who created the package).' }) draftedBy!: string | null;
  @Field(() => String, { nullable: true, description: 'Token subject of the approver.' }) approvedBy!: string | null;
  @Field(() => String, { nullable: true, description: 'When it was approved (ISO 8601).' }) approvedAt!: string | null;
  @Field(() => [FunderSignoff], { description: 'One entry per funder paying a share of any item.' }) signoffs!: FunderSignoff[];
}

@ObjectType({ description: 'Households served (an item DONE) with one PAS; null = suppressed (1 … k−1).' })
export class ServedByPas {
  @Field(() => String, { description: 'PAS code.' }) pas!: string;
  @Field(() => Int, { nullable: true, description: 'Households (protected count; null = suppressed).' }) households!: number | null;
}

@ObjectType({ description: 'What a package changed. Counts are protected (null = 1 … k−1, else rounded to k) for roles that see aggregates only (exact = false).' })
export class PackageOutcome {
  @Field(() => ID, { description: 'Package id.' }) packageId!: string;
  @Field(() => Boolean, { description: 'Whether the counts are exact (false: protected).' }) exact!: boolean;
  @Field(() => Int, { nullable: true, description: 'Housing items.' }) housingItems!: number | null;
  @Field(() => Int, { nullable: true, description: 'Housing items with a post-works verification.' }) housesVerified!: number | null;
  @Field(() => Int, { nullable: true, description: 'Verified houses no longer RTLH.' }) housesMadeFit!: number | null;
  @Field(() => Int, { nullable: true, description: 'Facility items.' }) facilities!: number | null;
  @Field(() => Int, { nullable: true, description: 'Facilities DONE (in use).' }) facilitiesInUse!: number | null;
  @Field(() => Int, { nullable: true, description: 'Economic-empowerment items.' }) businessItems!: number | null;
  @Field(() => Int, { nullable: true, description: 'Economic-empowerment items with at least one follow-up check recorded.' }) businessesChecked!: number | null;
  @Field(() => Int, { nullable: true, description: 'Of those, running at the latest check.' }) businessesRunning!: number | null;
  @Field(() => Int, { nullable: true, description: 'Households with at least one item DONE.' }) householdsServed!: number | null;
  @Field(() => [ServedByPas], { description: 'Sensitive PAS only for roles with exact counts.' }) servedByPas!: ServedByPas[];
}

@ObjectType({ description: 'A follow-up check of an economic-empowerment item.' })
export class OutcomeCheck {
  @Field(() => ID, { description: 'Package item id.' }) itemId!: string;
  @Field(() => Int, { description: 'Months after the item was DONE: 3, 6 or 12.' }) monthsAfter!: number;
  @Field(() => String, { description: 'Day the check is due, YYYY-MM-DD.' }) dueOn!: string;
  @Field(() => String, { description: 'Day of the check, YYYY-MM-DD.' }) checkedOn!: string;
  @Field(() => Boolean, { description: 'Whether the business was running at the check.' }) businessRunning!: boolean;
}

@ObjectType({ description: 'Items of approved, in-progress and completed packages per category, funder and progress (protected counts).' })
export class ExecutionAggregate {
  @Field(() => String, { description: 'Intervention category.' }) category!: string;
  @Field(() => String, { description: 'Funder code.' }) funderCode!: string;
  @Field(() => ItemProgress, { description: 'Implementation progress.' }) progress!: string;
  @Field(() => Int, { nullable: true, description: 'Items (protected count; null = suppressed).' }) items!: number | null;
  @Field(() => GraphQLSafeInt, { nullable: true, description: 'Funded amount (Rp) of those items; null when the count is suppressed.' }) costIdr!: number | null;
  @Field(() => Int, { description: 'Packages the items belong to.' }) packages!: number;
}


@ObjectType({ description: 'The assessment gate of a package: target households (of its household and person items) and those not yet assessed.' })
export class AssessmentStatus {
  @Field(() => Int, { description: 'Households served by the package’s household and person items.' }) targetHouseholds!: number;
  @Field(() => Int, { description: 'Target households with an assessment.' }) assessed!: number;
  @Field(() => Int, { description: 'Assessed households ASSESSED needs (EXECUTION_ASSESSED_SHARE of the target, rounded up).' }) required!: number;
  @Field(() => [ID], { description: 'Target households without an assessment.' }) missingHouseholdIds!: string[];
}

@ObjectType({ description: 'One field progress record. Of a household item it is personal data: only the planner, the village’s pendamping, the partner for its own items and ADMIN read it.' })
export class ProgressRecord {
  @Field(() => ID, { description: 'Id.' }) id!: string;
  @Field(() => ItemProgress, { description: 'Implementation progress.' }) progress!: string;
  @Field(() => String, { description: 'Date of the progress, YYYY-MM-DD.' }) on!: string;
  @Field(() => String, { description: 'Note of the field worker.' }) note!: string;
  @Field(() => [Number], { nullable: true, description: '[longitude, latitude] where it was recorded.' }) locationWgs84!: number[] | null;
  @Field(() => String, { description: 'Token subject of who recorded it.' }) recordedBy!: string;
  @Field(() => String, { description: 'Role of who recorded it.' }) recorderRole!: string;
  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the evidence.' }) evidenceSha256!: string | null;
  @Field(() => String, { nullable: true, description: 'MIME type sniffed from the content.' }) evidenceMime!: string | null;
  @Field(() => Int, { nullable: true, description: 'Size of the evidence in bytes.' }) evidenceBytes!: number | null;
  @Field(() => String, { nullable: true, description: 'The evidence, base64.' }) evidenceBase64!: string | null;
}
