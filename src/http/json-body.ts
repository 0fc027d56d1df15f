/**
 * Reading a JSON request body without Express, as `express.json({ limit })` (body-parser) reads
 * it for the routes Express serves: refused with 413 beyond the limit (from Content-Length before
 * reading when it says so), strict JSON (an object or an array; an empty body is `{}`), 400 when
 * it does not parse. The refusals' messages are shared with the Express error handler
 * (server/app.ts) so that both say the same.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRefusal = 'too-large' | 'not-json';

export class BodyError extends Error {
  constructor(
    readonly refusal: BodyRefusal,
    readonly status: 400 | 413,
  ) {
    super(refusal);
  }
}

/** What a client is told when its body is refused (`limitText` as configured, e.g. `1mb`). */
export function bodyRefusalMessage(refusal: BodyRefusal, limitText: string): string {
  return refusal === 'too-large'
    ? `Request body larger than ${limitText}.`
    : 'Request body is not valid JSON: send {"query": "...", "variables": {...}} with Content-Type: application/json.';
}

/** The body of `req` parsed as JSON; rejects with a BodyError (or the stream's error). */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(new BodyError('too-large', 413));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const fail = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limitBytes) {
        // As body-parser does: stop reading; the response (413) ends the exchange.
        req.pause();
        fail(new BodyError('too-large', 413));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)).toString('utf8');
      try {
        resolve(parseStrict(text));
      } catch {
        reject(new BodyError('not-json', 400));
      }
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', fail);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', fail);
  });
}

/** body-parser's `strict`: only objects and arrays; whitespace alone is an empty object. */
function parseStrict(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
  return JSON.parse(text);
}
