import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IMPORT_KINDS, IMPORT_STATUSES } from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';

export const ImportKindEnum = enumOf(IMPORT_KINDS);
registerEnumType(ImportKindEnum, {
  name: 'ImportKind',
  description: 'What an import loads (docs/import.md).',
  valuesConfig: {
    REGISTRY: { description: 'A registry (DTSEN) extract: files "households" and "members" (CSV).' },
    BOUNDARIES: { description: 'Village boundaries: one GeoJSON FeatureCollection ("file"), properties.kode = Kemendagri code.' },
    FACILITIES: { description: 'Existing public facilities: one CSV ("file").' },
  },
});
export const ImportStatusEnum = enumOf(IMPORT_STATUSES);
registerEnumType(ImportStatusEnum, {
  name: 'ImportStatus',
  description: 'QUEUED → RUNNING → DONE (the report says whether anything was written) or FAILED (an unexpected error; nothing was written).',
});
export const ImportModeEnum = enumOf(['FULL', 'INCREMENTAL'] as const);
registerEnumType(ImportModeEnum, {
  name: 'ImportMode',
  description: 'Registry snapshots: FULL marks households of the covered villages that the file does not list inactive; INCREMENTAL touches only listed ones.',
});

@InputType({ description: 'One uploaded file of an import, as text (UTF-8). Larger files than the request limit (1 MB) go through the CLI.' })
export class ImportFileInput {
  @Field(() => String, { description: 'Its role: "households" and "members" for REGISTRY, "file" otherwise.' })
  role!: string;

  @Field(() => String, { description: 'File name, used in the report (e.g. households.csv).' })
  name!: string;

  @Field(() => String, { description: 'The file content.' })
  content!: string;
}

@ObjectType({ description: 'A background import (a row of the PostgreSQL job queue). Poll importJob(id) until DONE or FAILED.' })
export class ImportJob {
  @Field(() => ID, { description: 'Job id.' })
  id!: string;

  @Field(() => ImportKindEnum, { description: 'What it imports.' })
  kind!: string;

  @Field(() => ImportStatusEnum, { description: 'Where it is.' })
  status!: string;

  @Field(() => Boolean, { description: 'A dry run: validated and executed, then rolled back.' })
  dryRun!: boolean;

  @Field(() => String, { nullable: true, description: 'While RUNNING: PARSING (files, checks without the database), CHECKING (database checks), WRITING or DERIVING (roll-ups, village statistics); null otherwise. Stored on the job row while it runs, so any API process sees it. On the embedded database only PARSING and CHECKING are seen (the import transaction holds its only connection).' })
  stage!: string | null;

  @Field(() => Int, { description: 'Rows that passed the checks run so far (once ended: rows without a finding).' })
  validatedRows!: number;

  @Field(() => Int, { description: 'Rows written so far while RUNNING (each write step is set-based: households, then members); all rows once the job ends (the report says whether they were written).' })
  progressRows!: number;

  @Field(() => Int, { description: 'Rows in the uploaded files (data lines or features), known once the job starts.' })
  totalRows!: number;

  @Field(() => Float, { description: '(validatedRows + progressRows) / (2 × totalRows) × 100 while running; 100 once DONE; 0 while queued.' })
  percent!: number;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The result report once DONE: rows, issues (file, line, column, value, expected), skippedRows, changes, details, written.' })
  report!: unknown;

  @Field(() => String, { nullable: true, description: 'Why a FAILED job failed.' })
  error!: string | null;

  @Field(() => String, { description: 'Who started it.' })
  createdBy!: string;

  @Field(() => String, { description: 'When it was queued (ISO 8601).' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'When a worker claimed it.' })
  startedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'When it ended.' })
  finishedAt!: string | null;
}
