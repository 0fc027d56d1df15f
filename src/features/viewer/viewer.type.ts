import { Field, ObjectType } from 'type-graphql';
import { TargetGrouping } from '../graduation/index.js';

@ObjectType({ description: 'What the API allows you in one village, from the same policy functions that enforce it.' })
export class VillageCapabilities {
  @Field(() => String, { description: 'The village asked about (PP.KK.CC.DDDD).' }) villageCode!: string;
  @Field(() => Boolean, { description: 'Create and edit packages here (PLANNER of the region, ADMIN).' }) canPlan!: boolean;
  @Field(() => Boolean, { description: 'Record assessments here.' }) canAssess!: boolean;
  @Field(() => Boolean, { description: "Read this village's packages." }) canReadPackages!: boolean;
  @Field(() => Boolean, { description: "Read a package's audit log here." }) canReadAudit!: boolean;
  @Field(() => Boolean, { description: "Record field progress on this village's package items (recordItemProgress); a PARTNER only on items progressFunderCode pays a share of." }) canRecordProgress!: boolean;
  @Field(() => String, { nullable: true, description: 'When set, you record progress only on items this funder pays a share of (your funder as a PARTNER); null = every item, where canRecordProgress.' }) progressFunderCode!: string | null;
  @Field(() => Boolean, { description: 'Your progress records need the GPS point where they were taken (field roles: PENDAMPING, PARTNER).' }) progressNeedsLocation!: boolean;
  @Field(() => Boolean, { description: 'Aggregates about this village are exact for you (otherwise protected: null below k, rounded to k).' }) exactAggregates!: boolean;
}

@ObjectType({ description: 'Who you are to the API and what it allows you, so a client can offer only what would be accepted. Derived from the policy; the API still enforces every rule.' })
export class Viewer {
  @Field(() => String, { description: 'Token subject.' }) subject!: string;
  @Field(() => String, { description: 'ADMIN, PLANNER, PENDAMPING, PARTNER or VIEWER.' }) role!: string;
  @Field(() => String, { nullable: true, description: 'Organisation you act for (token claim org).' }) organisation!: string | null;
  @Field(() => Boolean, { description: 'Household records (points, the household panel); false = the protected grid and aggregates only.' }) readsHouseholdRecords!: boolean;
  @Field(() => [String], { description: 'PAS codes you may see and filter on.' }) visiblePas!: string[];
  @Field(() => Boolean, { description: 'KPM lifecycle records (readiness lists, graduations, pendamping caseloads); false = graduationTargets aggregates only.' }) readsCaseloadRecords!: boolean;
  @Field(() => [TargetGrouping], { description: 'Groupings graduationTargets accepts from you.' }) graduationTargetGroupings!: TargetGrouping[];
  @Field(() => Boolean, { description: 'Counts you receive outside your own scope are protected (null below k, rounded to k).' }) protectedAggregates!: boolean;
}
