import { Field, InputType, Int } from 'type-graphql';
import { NearInput } from '../villages/index.js';
import { Livelihood, Pas } from './household.enums.js';

@InputType({ description: 'Household filter; all given conditions must hold (AND).' })
export class HouseholdFilter {
  @Field(() => [Pas], { nullable: true, description: 'Households carrying at least one of these PAS tags.' })
  pasAny?: Pas[];

  @Field(() => [Pas], { nullable: true, description: 'Households carrying all of these PAS tags.' })
  pasAll?: Pas[];

  @Field(() => Int, { nullable: true, description: 'Lowest desil, 1–10.' })
  desilMin?: number;

  @Field(() => Int, { nullable: true, description: 'Highest desil, 1–10.' })
  desilMax?: number;

  @Field(() => Boolean, { nullable: true, description: 'Only RTLH (true) or only layak huni (false) houses.' })
  isRtlh?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'With (true) or without (false) a member aged 60+.' })
  hasElderly?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'With (true) or without (false) a member under 18.' })
  hasChild?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'With (true) or without (false) a member with a disability.' })
  hasDisabled?: boolean;

  @Field(() => [Livelihood], { nullable: true, description: 'Any of these livelihoods.' })
  livelihoods?: Livelihood[];

  @Field(() => Boolean, { nullable: true, description: 'Only mustahik (true) or non-mustahik (false) households.' })
  isMustahik?: boolean;

  @Field(() => NearInput, { nullable: true, description: 'Households within radiusMeters (geodesic) of the point.' })
  near?: NearInput;
}
