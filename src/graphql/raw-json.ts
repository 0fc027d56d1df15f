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

type ResponsePath = readonly (string | number)[];

/**
 * Sub-trees of a response that a resolver answered as one JSON text built by PostgreSQL (the
 * households page, household.page.ts). graphql-js completes such a list as `[]` — it does no work
 * per item — and the text is put at its path in the result before it is sent
 * (`applyTo`, called by the server's `willSendResponse`), where `stringifyResult` splices it in.
 * Per request, in the context: a splice never crosses requests.
 */
export class ResponseSplices {
  private readonly splices: { path: ResponsePath; json: RawJson }[] = [];

  /** Puts `text` (a JSON value) at `path` (response keys from the root) when the response is sent. */
  add(path: ResponsePath, text: string): void {
    this.splices.push({ path, json: new RawJson(text) });
  }

  /**
   * Puts each text at its path in `data`. A path whose parent is missing or null (an error nulled
   * that part of the result) is skipped: the error is what the client gets there.
   */
  applyTo(data: Record<string, unknown> | null | undefined): void {
    for (const { path, json } of this.splices) {
      let parent: unknown = data;
      for (const key of path.slice(0, -1)) {
        parent = parent !== null && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[key] : undefined;
      }
      const last = path[path.length - 1];
      if (parent === null || typeof parent !== 'object' || last === undefined || !(last in parent)) continue;
      (parent as Record<string | number, unknown>)[last] = json;
    }
  }
}
