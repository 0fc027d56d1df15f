/**
 * Writes a response body that is already in pieces (GraphQL FeatureCollections and pages,
 * OGC API feature pages): the pieces are not joined into one string or Buffer, which at 1.9 MB
 * would be copied again over V8's 128 kB large-object threshold (bench/README.md, 2026-12-06).
 * Content-Length is exact; the writes are corked so that small pieces leave together, and when
 * the socket's buffer is full the rest waits for it to drain (or for the client to go away).
 */
import type { ServerResponse } from 'node:http';

export async function writePieces(res: ServerResponse, pieces: readonly string[]): Promise<void> {
  let bytes = 0;
  for (const piece of pieces) bytes += Buffer.byteLength(piece, 'utf8');
  res.setHeader('Content-Length', bytes);
  res.cork();
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece, 'utf8')) {
      res.uncork();
      await drainedOrClosed(res);
      res.cork();
    }
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
