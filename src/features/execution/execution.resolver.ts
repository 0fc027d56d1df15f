import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context.js';
import { AssessmentInput } from '../assessments/index.js';
import { ItemProgress } from '../packages/index.js';
import {
  assessmentStatus,
  progressRecords,
  checkOutcome,
  executionDashboard,
  packageOutcome,
  readablePackage,
  recordProgress,
  setSchedule,
  signOff,
  signoffsOf,
  timelines,
  verifyHousingItem,
} from './execution.service.js';
import { packageState } from './execution.queries.js';
import {
  AssessmentStatus,
  EvidenceInput,
  ExecutionAggregate,
  ItemScheduleInput,
  OutcomeCheck,
  PackageApproval,
  PackageOutcome,
  PackageState,
  PackageTimeline,
  PhaseScheduleInput,
  ProgressRecord,
  SignoffDecision,
} from './execution.type.js';

const VERSION_DOC = 'The package version you read; a stale one is refused with CONFLICT and changes nothing.';

async function stateOf(ctx: RequestContext, packageId: number): Promise<PackageState> {
  const row = await packageState(ctx.db, packageId);
  return Object.assign(new PackageState(), { id: String(row.id), status: row.status, version: row.version });
}

@Resolver()
export class ExecutionResolver {
  @Query(() => PackageTimeline, { description: 'The timeline of a package for a Gantt view: planned phases (defaults: two weeks of assessment, two of planning, two months of implementation) and items, against actual dates, with overdue flags. No personal data.' })
  async packageTimeline(@Arg('packageId', () => ID) packageId: string, @Ctx() ctx: RequestContext): Promise<PackageTimeline> {
    const pkg = await readablePackage(ctx, packageId);
    return (await timelines(ctx.db, ctx, [pkg.id]))[0]! as PackageTimeline;
  }

  @Query(() => AssessmentStatus, { description: 'The assessment gate of a package: how many of its target households are assessed, how many ASSESSED needs, and which are missing. PLANNER, PENDAMPING, ADMIN.' })
  async packageAssessmentStatus(@Arg('packageId', () => ID) packageId: string, @Ctx() ctx: RequestContext): Promise<AssessmentStatus> {
    return assessmentStatus(ctx, packageId);
  }

  @Query(() => [ProgressRecord], { description: 'Field progress records of one item with their evidence. Personal data for household items: PLANNER of the region, the village’s PENDAMPING, the PARTNER for items it funds, ADMIN; VIEWER never.' })
  async itemProgressRecords(@Arg('packageId', () => ID) packageId: string, @Arg('itemId', () => ID) itemId: string, @Ctx() ctx: RequestContext): Promise<ProgressRecord[]> {
    return (await progressRecords(ctx, packageId, itemId)).map((r) => ({
      id: String(r.id), progress: r.progress, on: r.on_date, note: r.note, locationWgs84: r.lon === null || r.lat === null ? null : [r.lon, r.lat],
      recordedBy: r.recorded_by, recorderRole: r.recorder_role, evidenceSha256: r.evidence_sha256, evidenceMime: r.evidence_mime, evidenceBytes: r.evidence_bytes, evidenceBase64: r.evidence_base64,
    }));
  }

  @Query(() => PackageApproval, { description: 'Who drafted and who approved the package (four eyes), and each funder’s sign-off on that approval.' })
  async packageApproval(@Arg('packageId', () => ID) packageId: string, @Ctx() ctx: RequestContext): Promise<PackageApproval> {
    const pkg = await readablePackage(ctx, packageId);
    const { approval, funders } = await signoffsOf(ctx, pkg.id);
    return {
      draftedBy: approval?.drafted_by ?? null,
      approvedBy: approval?.approved_by ?? null,
      approvedAt: approval?.approved_at ?? null,
      signoffs: funders.map((f) => ({ funderCode: f.funder_code, decision: f.decision as SignoffDecision | null, reason: f.reason, subject: f.subject, at: f.at })),
    };
  }

  @Query(() => PackageOutcome, { description: 'What the package changed: houses made fit, households served per PAS, facilities in use, businesses running. Protected counts for aggregate-only roles.' })
  async packageOutcome(@Arg('packageId', () => ID) packageId: string, @Ctx() ctx: RequestContext): Promise<PackageOutcome> {
    return packageOutcome(ctx, packageId);
  }

  @Query(() => [ExecutionAggregate], { description: 'Dashboard: items of approved, in-progress and completed packages per category, funder and progress, protected for roles that see aggregates only. Optionally within a region (code prefix).' })
  async executionDashboard(@Arg('regionCode', () => String, { nullable: true }) regionCode: string | null, @Ctx() ctx: RequestContext): Promise<ExecutionAggregate[]> {
    return executionDashboard(ctx, regionCode ?? null);
  }

  @Mutation(() => PackageState, { description: `A funder signs off on (or refuses, with a reason) the items it funds in an APPROVED package, with its PARTNER token. A refusal sends the package back to PLANNED. ${VERSION_DOC}` })
  async signOffPackage(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('decision', () => SignoffDecision) decision: SignoffDecision,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PackageState> {
    return stateOf(ctx, await signOff(ctx, packageId, version, decision, reason ?? null));
  }

  @Mutation(() => PackageState, {
    description: `Field progress of one item by the village's pendamping, the partner for items it funds, or a planner: status, date (default today; not before the package, not in the future), note, GPS point inside the village (required in the field) and evidence. Releases instalments (the first on start, the rest when DONE). A housing item is DONE only after verifyHousingItem. ${VERSION_DOC}`,
  })
  async recordItemProgress(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('progress', () => ItemProgress) progress: ItemProgress,
    @Arg('on', () => String, { nullable: true }) on: string | null,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Arg('locationWgs84', () => [Number], { nullable: true, description: '[longitude, latitude] where the progress was recorded.' }) locationWgs84: number[] | null,
    @Arg('evidence', () => EvidenceInput, { nullable: true }) evidence: EvidenceInput | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PackageState> {
    return stateOf(ctx, await recordProgress(ctx, { packageId, version, itemId, progress, on: on ?? null, note: note ?? null, locationWgs84: locationWgs84 ?? null, evidence: evidence ?? null }));
  }

  @Mutation(() => PackageState, {
    description: `Post-works verification of a housing item, in one transaction: records the assessment of the repaired house given inline (\`assessment\`, as recordAssessment: house condition, RTLH verdict) or links one recorded earlier (\`assessmentId\`) — exactly one of the two — marks the household as having had housing aid and re-derives the village statistics. ${VERSION_DOC}`,
  })
  async verifyHousingItem(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('assessmentId', () => ID, { nullable: true, description: 'An assessment of the repaired house recorded earlier (recordAssessment). Not with `assessment`.' }) assessmentId: string | null,
    @Arg('assessment', () => AssessmentInput, { nullable: true, description: 'The post-works assessment, recorded in the verification\'s transaction. Not with `assessmentId`.' }) assessment: AssessmentInput | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PackageState> {
    return stateOf(ctx, await verifyHousingItem(ctx, packageId, version, itemId, assessmentId ?? null, assessment ?? null));
  }

  @Mutation(() => OutcomeCheck, { description: 'Records a follow-up check (3, 6 or 12 months after DONE) of an economic-empowerment item: is the business running.' })
  async recordOutcomeCheck(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('monthsAfter', () => Int) monthsAfter: number,
    @Arg('checkedOn', () => String) checkedOn: string,
    @Arg('businessRunning', () => Boolean) businessRunning: boolean,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<OutcomeCheck> {
    const r = await checkOutcome(ctx, packageId, itemId, monthsAfter, checkedOn, businessRunning, note ?? null);
    return { ...r, itemId: String(r.itemId) };
  }

  @Mutation(() => PackageState, { description: `Planned phase ends and item dates of a package (PLANNER). ${VERSION_DOC}` })
  async setPackageSchedule(
    @Arg('packageId', () => ID) packageId: string,
    @Arg('version', () => Int, { description: VERSION_DOC }) version: number,
    @Arg('phases', () => PhaseScheduleInput) phases: PhaseScheduleInput,
    @Arg('items', () => [ItemScheduleInput], { defaultValue: [] }) items: ItemScheduleInput[],
    @Ctx() ctx: RequestContext,
  ): Promise<PackageState> {
    return stateOf(ctx, await setSchedule(ctx, packageId, version, phases, items));
  }
}
