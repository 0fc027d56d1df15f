/**
 * JSON text that PostGIS already serialised (GeoJSON geometries and FeatureCollections) passes
 * through to the HTTP response without being parsed into objects and stringified again: for a
 * 5,000-household FeatureCollection that round trip was most of the API's CPU per request
 * (bench/README.md, op 3).
 *
 * A `RawJson` value in the result serialises, inside `stringifyResult`, as a placeholder that is
 * then replaced by its text. Anywhere else (`JSON.stringify` of a result outside the HTTP path,
 * such as `executeOperation` in tests) it serialises as the parsed value, so the output is the
 * same JSON either way.
 */
import { randomBytes } from 'node:crypto';

/** A per-process marker no string from the database can contain (it includes a NUL). */
const MARK = `\u0000raw-json-${randomBytes(6).toString('hex')}:`;
const PLACEHOLDER = new RegExp(`"${JSON.stringify(MARK).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g');

let sink: string[] | null = null;

export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    if (sink) return `${MARK}${sink.push(this.text) - 1}`;
    return JSON.parse(this.text);
  }
}

/** `JSON.stringify` for a GraphQL response, splicing raw JSON texts in place. */
export function stringifyResult(value: unknown): string {
  const texts: string[] = [];
  sink = texts;
  try {
    const json = JSON.stringify(value);
    return texts.length ? json.replace(PLACEHOLDER, (_, index: string) => texts[Number(index)]!) : json;
  } finally {
    sink = null;
  }
}
