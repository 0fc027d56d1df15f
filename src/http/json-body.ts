/**
 * Reading a JSON request body without Express, as `express.json({ limit })` (body-parser) reads
 * it for the routes Express serves: refused with 413 beyond the limit (from Content-Length before
 * reading when it says so), strict JSON (an object or an array; an empty body is `{}`, a request
 * without a body has none), a leading byte-order mark ignored, 400 when it does not parse. The
 * refusals' messages are shared with the Express error handler (server/app.ts) so that both say
 * the same.
 */
import type { IncomingMessage } from 'node:http';

const MIB = 1024 * 1024;

export type BodyRefusal = 'too-large' | 'not-json' | 'aborted';

export class BodyError extends Error {
  constructor(
    readonly refusal: BodyRefusal,
    readonly status: 400 | 413,
  ) {
    super(refusal);
  }
}

/** What a client is told when its body is refused; the limit in bytes reads as body-parser's `1mb`. */
export function bodyRefusalMessage(refusal: BodyRefusal, limitBytes: number): string {
  switch (refusal) {
    case 'too-large':
      return `Request body larger than ${limitBytes % MIB === 0 ? `${limitBytes / MIB}mb` : `${limitBytes} bytes`}.`;
    case 'not-json':
      return 'Request body is not valid JSON: send {"query": "...", "variables": {...}} with Content-Type: application/json.';
    case 'aborted':
      return 'Bad request.';
  }
}

/**
 * The body of `req` parsed as JSON, or undefined when the request has no body (neither
 * Content-Length nor Transfer-Encoding); rejects with a BodyError. Beyond the limit the rest of
 * the body is read and dropped, as body-parser did, so the connection is not left half-read (the
 * caller's 413 also closes it).
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const length = req.headers['content-length'];
  if (length === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(undefined);
  if (Number(length) > limitBytes) return Promise.reject(new BodyError('too-large', 413));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (work: () => void) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      work();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      settle(() => {
        chunks.length = 0;
        req.resume();
        reject(new BodyError('too-large', 413));
      });
    };
    const onEnd = () =>
      settle(() => {
        try {
          resolve(parseStrict((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)).toString('utf8')));
        } catch {
          reject(new BodyError('not-json', 400));
        }
      });
    // The client went away before the body ended (Node also emits 'error', ECONNRESET "aborted").
    const onClose = () => settle(() => reject(new BodyError('aborted', 400)));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    // Kept for the life of the request: an 'error' without a listener would crash the process.
    req.on('error', onClose);
  });
}

/** JSON's whitespace (space, tab, LF, CR), which body-parser's strict check skips; not every Unicode space. */
const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** body-parser's `strict`: only objects and arrays; an empty body is an empty object. */
function parseStrict(text: string): unknown {
  // iconv-lite (body-parser's decoder) drops a leading byte-order mark.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.length === 0) return {};
  let at = 0;
  while (at < json.length && JSON_WHITESPACE.has(json[at]!)) at += 1;
  const first = json[at];
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or array');
  return JSON.parse(json);
}
