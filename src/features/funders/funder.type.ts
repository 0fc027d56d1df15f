import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A kind of funder (ministry, zakat agency, regional government, foundation, NGO, company CSR, other): data, not a fixed list.' })
export class FunderKindInfo {
  @Field(() => String, { description: 'Kind code, e.g. FOUNDATION.' })
  code!: string;

  @Field(() => String, { description: 'Name (Indonesian).' })
  name!: string;

  @Field(() => String, { description: 'What the kind covers.' })
  description!: string;
}

@ObjectType({ description: "A funder's pot of money with its own rules: BAZNAS zakat pays only mustahik (UU 23/2011), BAZNAS infak/sedekah is not restricted." })
export class Fund {
  @Field(() => String, { description: 'Fund code, e.g. BAZNAS_ZAKAT.' })
  code!: string;

  @Field(() => String, { description: 'The funder it belongs to.' })
  funderCode!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => Boolean, { description: 'Pays only households the funder verified as mustahik (and never a facility).' })
  requiresMustahik!: boolean;

  @Field(() => Boolean, { description: "The funder's default fund (used when an item names the funder only; a facility takes the funder's first unrestricted fund)." })
  isDefault!: boolean;

  @Field(() => String, { description: 'Law or policy behind the rule.' })
  legalBasis!: string;

  @Field(() => String, { description: 'Description.' })
  description!: string;
}

@InputType({ description: 'A fund of a funder (ADMIN).' })
export class FundInput {
  @Field(() => String, { description: 'Code: 2–40 capital letters, digits or underscores.' })
  code!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Pays only mustahik (zakat).' })
  requiresMustahik!: boolean;

  @Field(() => String, { defaultValue: '', description: 'Law or policy behind the rule.' })
  legalBasis!: string;

  @Field(() => String, { defaultValue: '', description: 'Description.' })
  description!: string;
}

@InputType({ description: 'A new funder (ADMIN): a ministry, zakat agency, regional government, foundation, NGO or company.' })
export class FunderInput {
  @Field(() => String, { description: 'Code: 2–40 capital letters, digits or underscores, e.g. YPP_SCTV.' })
  code!: string;

  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => String, { description: 'Kind code (see funderKinds).' })
  kind!: string;

  @Field(() => String, { defaultValue: '', description: 'What the funder does.' })
  description!: string;

  @Field(() => [FundInput], { defaultValue: [], description: 'Its funds; the first is the default. None = one general fund with the funder’s code.' })
  funds!: FundInput[];

  @Field(() => [String], { defaultValue: [], description: 'Catalog interventions this funder may pay for (added to their funder lists).' })
  interventionCodes!: string[];
}

@ObjectType({ description: "A funder's own verification of a household's mustahik status: who, when, on what basis. The newest one decides." })
export class MustahikVerification {
  @Field(() => ID, { description: 'Verification id.' })
  id!: string;

  @Field(() => ID, { description: 'The household.' })
  householdId!: string;

  @Field(() => String, { description: 'The funder that verified (e.g. BAZNAS).' })
  funderCode!: string;

  @Field(() => Boolean, { description: 'Verified as mustahik (entitled to zakat).' })
  isMustahik!: boolean;

  @Field(() => String, { description: 'Basis, in the funder’s words (asnaf: FAKIR, MISKIN, …; or why not).' })
  basis!: string;

  @Field(() => String, { description: 'Who verified (token subject).' })
  verifiedBy!: string;

  @Field(() => String, { description: 'Date of the verification, YYYY-MM-DD.' })
  verifiedOn!: string;

  @Field(() => String, { description: 'When it was recorded, ISO 8601.' })
  createdAt!: string;
}
