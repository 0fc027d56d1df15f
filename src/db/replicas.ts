/**
 * PostgreSQL streaming read replicas (DATABASE_REPLICA_URLS): one node-postgres pool each, and
 * the two positions in the write-ahead log that read-your-writes compares (see
 * src/server/read-routing.ts):
 *
 * - on the primary, `pg_current_wal_lsn()` read after a request's writes have committed: every
 *   commit of that request lies at or before it;
 * - on a replica, `pg_last_wal_replay_lsn()`: everything up to it is visible to its queries.
 *
 * A replica whose replay position has reached the write's position shows that write. Comparing
 * positions is exact and costs one query without table access; a time-based rule ("primary for
 * N seconds after a write") would be either too long (load on the primary) or too short (a
 * replica that lags more than N seconds serves stale rows).
 *
 * The embedded database has no replicas: with none configured, nothing here runs.
 */
import { URL as NodeURL } from 'node:url';
import pg from 'pg';
import { isDatabaseUnavailable } from '../errors/errors.js';
import { openPostgres, type Database, type Queryable } from './database.js';

/** A read on a replica that was found not to answer while the read waited (see Replica.whileUp). */
export class ReplicaUnavailableError extends Error {
  override readonly name = 'ReplicaUnavailableError';
}

/**
 * One replica: its pool, and whether reads may go to it. A replica is skipped for
 * REPLICA_RETRY_AFTER_MS after any sign that it does not answer: a failed connection, a statement
 * without an answer past its limit, or a missed heartbeat (startHeartbeat), which also moves the
 * reads waiting on it to the primary.
 */
export class Replica {
  /** Until when (epoch ms) the replica is skipped. */
  downUntil = 0;
  /** Rejecters of the reads waiting on this replica now: a replica marked down fails them over at once. */
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(
    /** host:port/database, without credentials (logs, health). */
    readonly name: string,
    readonly db: Database,
  ) {}

  isUp(now = Date.now()): boolean {
    return this.downUntil <= now;
  }

  /**
   * Skips the replica from now for REPLICA_RETRY_AFTER_MS. With `failWaiting` (the heartbeat went
   * unanswered: the replica as a whole stopped), also fails every read still waiting on it with
   * ReplicaUnavailableError, so that its request reads the primary instead of waiting for it. Not
   * for one statement's failure (a terminated backend, one connection cut): the other reads on
   * the replica may be fine and would be sent to the primary a second time for nothing. Returns
   * whether it was up until now (to log once).
   */
  markDown(reason: unknown, failWaiting = false): boolean {
    const wasUp = this.isUp();
    this.downUntil = Date.now() + REPLICA_RETRY_AFTER_MS;
    if (failWaiting && this.waiting.size > 0) {
      const error = new ReplicaUnavailableError(`read replica ${this.name} stopped answering`, { cause: reason });
      for (const fail of this.waiting) fail(error);
      this.waiting.clear();
    }
    return wasUp;
  }

  /**
   * `work` (a read on this replica), or ReplicaUnavailableError as soon as the replica is marked
   * down before it settles. The abandoned statement ends with its connection: the pool's
   * client-side limit (REPLICA_ANSWER_GRACE_MS past the statement timeout) discards it. A set of
   * rejecters, not a race against one long-lived promise: that would keep a reaction for every
   * read ever made until the replica next went down.
   */
  whileUp<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      work.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}

export interface ReplicaOptions {
  poolSize: number;
  statementTimeoutMs: number;
  /** Named statements per connection, as on the primary (prepared-statements.ts). */
  preparedStatementsPerConnection?: number;
}

/** After a replica failed to answer, reads skip it for this long before trying it again. */
export const REPLICA_RETRY_AFTER_MS = 5_000;
/**
 * A replica that does not accept a connection within this time is skipped: the read goes to the
 * primary instead of waiting the primary's 10 s connection timeout.
 */
export const REPLICA_CONNECT_TIMEOUT_MS = 1_000;
/**
 * A statement on a replica that has had no answer this long after its statement timeout is
 * abandoned and its connection discarded (node-postgres's client-side query_timeout). PostgreSQL
 * itself ends a slow statement at the statement timeout and says so; no answer at all by then
 * means the replica or the network to it has stopped, and the pool slot would otherwise stay
 * taken until the kernel gives the connection up (about 15 minutes on Linux).
 */
export const REPLICA_ANSWER_GRACE_MS = 1_000;
/** How often each API process asks each replica `SELECT 1` (startHeartbeat). */
export const REPLICA_HEARTBEAT_INTERVAL_MS = 500;
/** A heartbeat answer later than this marks the replica down. */
export const REPLICA_HEARTBEAT_TIMEOUT_MS = 1_000;
/** A heartbeat question unanswered this long closes its connection; the next beat opens another. */
export const REPLICA_HEARTBEAT_RECONNECT_MS = 10_000;

function describe(url: string): string {
  try {
    const u = new NodeURL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'replica';
  }
}

/** Opens a pool per replica URL. Pools connect on first use, so a replica that is down does not stop start-up. */
export async function openReplicas(urls: readonly string[], options: ReplicaOptions): Promise<Replica[]> {
  return Promise.all(
    urls.map(
      async (url) =>
        new Replica(
          describe(url),
          await openPostgres({
            url,
            poolSize: options.poolSize,
            statementTimeoutMs: options.statementTimeoutMs,
            preparedStatementsPerConnection: options.preparedStatementsPerConnection,
            connectionTimeoutMs: REPLICA_CONNECT_TIMEOUT_MS,
            answerTimeoutMs: options.statementTimeoutMs + REPLICA_ANSWER_GRACE_MS,
          }),
        ),
    ),
  );
}

/**
 * Asks the replica `SELECT 1` every REPLICA_HEARTBEAT_INTERVAL_MS on a connection of its own, and
 * calls `missed` when an answer is REPLICA_HEARTBEAT_TIMEOUT_MS late or the connection fails.
 *
 * Why: a replica that stops answering without closing its connections (a frozen host or virtual
 * machine, a network partition that sends no reset) refuses nothing. Without the heartbeat, every
 * read sent to it would wait for the pool's client-side limit (the statement timeout and
 * REPLICA_ANSWER_GRACE_MS, 16 s by default) before going to the primary, and reads would be sent
 * to it again each time its REPLICA_RETRY_AFTER_MS ran out. With it, the replica is marked down
 * at most about 1.5 s after it stopped (the next question, then a second without its answer),
 * reads waiting on it move to the primary, and it stays skipped while the heartbeat goes
 * unanswered.
 *
 * One question at a time: a late answer is waited for, not abandoned, so a frozen connection is
 * not multiplied by the beats; when the replica answers again, so does that connection. A question
 * unanswered for REPLICA_HEARTBEAT_RECONNECT_MS closes its connection and the next beat opens a
 * new one: a replica replaced behind the same address, or a connection the network dropped
 * without a reset, would otherwise keep the heartbeat waiting until the kernel gives up (about
 * 15 minutes). Its own connection, not the pool's: a pool busy with long reads must not look like
 * a dead replica.
 */
export function startHeartbeat(
  url: string,
  missed: (error: Error) => void,
  /** For tests: shorter periods than the constants. */
  timing: { intervalMs?: number; timeoutMs?: number; reconnectMs?: number } = {},
): { stop(): Promise<void> } {
  const { intervalMs = REPLICA_HEARTBEAT_INTERVAL_MS, timeoutMs = REPLICA_HEARTBEAT_TIMEOUT_MS, reconnectMs = REPLICA_HEARTBEAT_RECONNECT_MS } = timing;
  let client: pg.Client | null = null;
  let askedAt: number | null = null;
  let stopped = false;
  const ask = async () => {
    let connection = client;
    if (!connection) {
      connection = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
      // A socket error between two beats must not be an unhandled 'error' event; the next beat's query fails instead.
      connection.on('error', () => undefined);
      client = connection;
      await connection.connect();
    }
    await connection.query('SELECT 1');
  };
  const verdict = (asked: number) => {
    if (stopped || askedAt !== asked) return;
    const lateMs = Date.now() - asked;
    if (lateMs < timeoutMs) return;
    missed(new ReplicaUnavailableError(`no answer to the heartbeat for ${lateMs} ms`));
    // With a query waiting, end() destroys the socket (node-postgres) and the question fails.
    if (lateMs >= reconnectMs) void client?.end().catch(() => undefined);
  };
  const beat = () => {
    if (stopped) return;
    if (askedAt !== null) {
      // After the poll phase, not now: when this process itself was stalled (garbage collection,
      // a long response), the answer may be waiting unread on the socket. Read first, then judge.
      setImmediate(verdict, askedAt);
      return;
    }
    const asked = Date.now();
    askedAt = asked;
    ask().then(
      () => {
        if (askedAt === asked) askedAt = null;
      },
      (error: unknown) => {
        if (askedAt === asked) askedAt = null;
        const failed = client;
        client = null;
        if (failed) void failed.end().catch(() => undefined);
        if (!stopped) missed(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  beat();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      const open = client;
      client = null;
      if (!open) return;
      // A goodbye to a frozen replica is never answered: after a second the socket is destroyed,
      // else it would keep the process alive.
      const ended = await Promise.race([open.end().then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]);
      if (!ended) (open as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    },
  };
}

/** The primary's current WAL position (text form "16/B374D848"), read after a request's writes. */
export async function currentWalLsn(primary: Queryable): Promise<string> {
  const [row] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  if (!row?.lsn) throw new Error('pg_current_wal_lsn() returned no position');
  return row.lsn;
}

/**
 * Whether the replica has replayed the WAL up to `lsn`. False when it is not a replica any more
 * (pg_last_wal_replay_lsn() is NULL outside recovery) — the caller then reads from the primary.
 */
export async function hasReplayed(replica: Queryable, lsn: string): Promise<boolean> {
  const [row] = await replica.query<{ ok: boolean | null }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
  return row?.ok === true;
}

/** Orders two LSNs in text form ("X/Y", both hexadecimal): negative, zero or positive. */
export function compareLsn(a: string, b: string): number {
  const value = (lsn: string) => {
    const [hi, lo] = lsn.split('/');
    return (BigInt(`0x${hi ?? '0'}`) << 32n) + BigInt(`0x${lo ?? '0'}`);
  };
  const d = value(a) - value(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** A replica connection failure or a replica that stopped answering (as opposed to an error in the statement). */
export const isReplicaDown = (error: unknown) => error instanceof ReplicaUnavailableError || isDatabaseUnavailable(error);

export async function closeReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(replicas.map((r) => r.db.close().catch(() => undefined)));
}
