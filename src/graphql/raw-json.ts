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
const MARK_JSON = JSON.stringify(MARK).slice(1, -1).replace(/\\/g, '\\\\');
/** Placeholder of a text spliced by `stringifyResult`. */
const PLACEHOLDER = new RegExp(`"${MARK_JSON}(\\d+)"`, 'g');
/** Placeholder of a text a request writes in pieces (`ResponseSplices.bodyPieces`); the capture is its index. */
const PIECES_PLACEHOLDER = new RegExp(`"${MARK_JSON}p(\\d+)"`);

let sink: string[] | null = null;

export class RawJson {
  /**
   * @param pieces the JSON text, whole or in pieces that join to it. A FeatureCollection of 5,000
   * households is 1.9 MB: as one string V8 allocates it in its large-object space, which only a
   * full garbage collection frees, and the API's resident memory grew by hundreds of MiB under
   * load (bench/README.md, op 3). In pieces of ~80 kB it stays in the young generation.
   * @param deferred set by `ResponseSplices.deferred`: the pieces are written to the socket one
   * after another instead of being joined into the body.
   */
  constructor(
    text: string | readonly string[],
    private readonly deferred: number | null = null,
  ) {
    this.pieces = typeof text === 'string' ? [text] : text;
  }

  readonly pieces: readonly string[];

  toJSON(): unknown {
    if (sink) return this.deferred === null ? `${MARK}${sink.push(this.pieces.join('')) - 1}` : `${MARK}p${this.deferred}`;
    return JSON.parse(this.pieces.join(''));
  }
}

/**
 * `JSON.stringify` for a GraphQL response, splicing raw JSON texts in place. Deferred texts
 * (`ResponseSplices.deferred`) stay placeholders here: the server's GraphQL middleware
 * (server/graphql-http.ts) writes them from the request's `ResponseSplices`.
 */
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
  private readonly written: RawJson[] = [];

  /**
   * A JSON value in pieces that the response writes one after another, never joined into one
   * string (see RawJson). Only for responses that leave through the server's GraphQL middleware,
   * which calls `bodyPieces`; outside it (executeOperation) the value serialises as parsed JSON.
   */
  deferred(pieces: readonly string[]): RawJson {
    const json = new RawJson(pieces, this.written.length);
    this.written.push(json);
    return json;
  }

  /**
   * The response body `json` (from `stringifyResult`) as the pieces to write, in order: the text
   * around each deferred placeholder and the deferred value's own pieces in its place.
   */
  bodyPieces(json: string): string[] {
    if (this.written.length === 0) return [json];
    const out: string[] = [];
    let rest = json;
    for (let match = PIECES_PLACEHOLDER.exec(rest); match; match = PIECES_PLACEHOLDER.exec(rest)) {
      out.push(rest.slice(0, match.index), ...this.written[Number(match[1])]!.pieces);
      rest = rest.slice(match.index + match[0].length);
    }
    out.push(rest);
    return out.filter((piece) => piece.length > 0);
  }

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
