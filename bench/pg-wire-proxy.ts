/**
 * A statement-counting PostgreSQL proxy. A server under test is pointed at it (its DATABASE_URL
 * names the proxy's port) and every byte is forwarded unchanged to the real server, while the
 * client→server stream is parsed for the messages that run SQL:
 *
 * - `Q` (simple query): one statement, text as sent;
 * - `P` (Parse) + `B` (Bind) + `E` (Execute): one statement per Execute, with the text of the
 *   parsed (unnamed or named) statement and the Bind parameters (text format as strings, binary
 *   format as Buffers).
 *
 * The server→client stream is parsed for `Z` (ReadyForQuery) to time each statement's end, so
 * the recorded statements keep their dependency order: a statement that started after another
 * ended may depend on it, statements that overlapped did not. The replay in `sql-load.ts` uses
 * exactly this.
 *
 * The proxy sits only in the capture phase (a separate server process); timed runs connect to
 * PostgreSQL directly, so the proxy adds nothing to the measured latencies.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface CapturedStatement {
  /** SQL text as the client sent it. */
  text: string;
  /**
   * Bind parameters: string (text format), Buffer (binary format) or null; empty for `Q`. (The
   * in-process recorder stores the JavaScript values handed to the driver instead.)
   */
  params: unknown[];
  /** `Q` (simple query protocol) or `E` (extended protocol Execute). */
  protocol: 'Q' | 'E';
  /** Executed as a named (prepared) statement: the replay prepares it too. */
  prepared: boolean;
  /** Client connection number (1, 2, …) through the proxy. */
  connection: number;
  /** performance.now() when the Execute/Query arrived, and when ReadyForQuery came back. */
  startedAt: number;
  endedAt: number | null;
}

export interface StatementSource {
  /** Starts recording (clears what was recorded before). */
  start(): void;
  /** Stops recording and returns the statements recorded since `start`. */
  stop(): CapturedStatement[];
}

export interface PgWireProxy extends StatementSource {
  readonly port: number;
  /** Statements seen since the proxy started, whether recording or not. */
  readonly totalStatements: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Splits a byte stream into protocol messages (1 type byte + int32 length incl. itself). */
class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Untyped messages still expected (startup, SSL request) and bytes to skip (SSL answer). */
  constructor(
    private untyped: number,
    private readonly onMessage: (type: string, body: Buffer) => void,
    private readonly onUntyped: (body: Buffer) => void = () => undefined,
  ) {}

  skipBytes = 0;

  expectUntyped(): void {
    this.untyped += 1;
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, this.buffer.length);
        this.buffer = this.buffer.subarray(n);
        this.skipBytes -= n;
        if (this.skipBytes > 0) return;
      }
      if (this.untyped > 0) {
        if (this.buffer.length < 4) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const body = this.buffer.subarray(4, length);
        this.buffer = this.buffer.subarray(length);
        this.untyped -= 1;
        this.onUntyped(body);
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.buffer[0] ?? 0);
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      this.onMessage(type, body);
    }
  }
}

function cString(body: Buffer, offset: number): [string, number] {
  const end = body.indexOf(0, offset);
  return [body.toString('utf8', offset, end), end + 1];
}

function parseBind(body: Buffer): { statement: string; params: (string | Buffer | null)[] } {
  const [, afterPortal] = cString(body, 0);
  const [statement, afterStatement] = cString(body, afterPortal);
  let offset = afterStatement;
  const formatCount = body.readInt16BE(offset);
  offset += 2;
  const formats: number[] = [];
  for (let i = 0; i < formatCount; i++) {
    formats.push(body.readInt16BE(offset));
    offset += 2;
  }
  const paramCount = body.readInt16BE(offset);
  offset += 2;
  const params: (string | Buffer | null)[] = [];
  for (let i = 0; i < paramCount; i++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) {
      params.push(null);
      continue;
    }
    const format = formatCount === 0 ? 0 : formatCount === 1 ? formats[0] : formats[i];
    const bytes = body.subarray(offset, offset + length);
    params.push(format === 1 ? Buffer.from(bytes) : bytes.toString('utf8'));
    offset += length;
  }
  return { statement, params };
}

export async function startPgWireProxy(target: { host: string; port: number }): Promise<PgWireProxy> {
  let recording = false;
  let recorded: CapturedStatement[] = [];
  let total = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const connection = ++connections;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const named = new Map<string, string>();
    let unnamedText = '';
    let bound: { text: string; params: (string | Buffer | null)[]; prepared: boolean } | null = null;
    const pending: CapturedStatement[] = [];

    const fromServer = new MessageReader(0, (type) => {
      if (type === 'Z') {
        const statement = pending.shift();
        if (statement) statement.endedAt = performance.now();
      }
    });
    const record = (statement: CapturedStatement) => {
      total += 1;
      pending.push(statement);
      if (recording) recorded.push(statement);
    };
    const fromClient = new MessageReader(
      1,
      (type, body) => {
        if (type === 'P') {
          const [name, offset] = cString(body, 0);
          const [text] = cString(body, offset);
          if (name) named.set(name, text);
          else unnamedText = text;
        } else if (type === 'B') {
          const { statement, params } = parseBind(body);
          bound = { text: statement ? (named.get(statement) ?? `<unknown prepared statement ${statement}>`) : unnamedText, params, prepared: statement !== '' };
        } else if (type === 'E') {
          record({ text: bound?.text ?? unnamedText, params: bound?.params ?? [], protocol: 'E', prepared: bound?.prepared ?? false, connection, startedAt: performance.now(), endedAt: null });
        } else if (type === 'Q') {
          const [text] = cString(body, 0);
          record({ text, params: [], protocol: 'Q', prepared: false, connection, startedAt: performance.now(), endedAt: null });
        } else if (type === 'C') {
          // Close of a prepared statement: forget its text.
          if (body[0] === 0x53) named.delete(cString(body, 1)[0]);
        }
      },
      (body) => {
        const code = body.length >= 4 ? body.readInt32BE(0) : 0;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          // The server answers with one untyped byte ('N' or 'S'); then the real startup follows.
          fromServer.skipBytes += 1;
          fromClient.expectUntyped();
        }
      },
    );

    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk);
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get totalStatements() {
      return total;
    },
    start() {
      recorded = [];
      recording = true;
    },
    stop() {
      recording = false;
      const out = recorded;
      recorded = [];
      return out;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
