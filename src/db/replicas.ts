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
 * without an answer past its limit, or a missed heartbeat (startHeartbeat).
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
   * Skips the replica from now for REPLICA_RETRY_AFTER_MS, and fails every read still waiting on
   * it with ReplicaUnavailableError, so that its request reads the primary instead of waiting for
   * a replica that stopped answering. Returns whether it was up until now (to log once).
   */
  markDown(reason: unknown): boolean {
    const wasUp = this.isUp();
    this.downUntil = Date.now() + REPLICA_RETRY_AFTER_MS;
    if (this.waiting.size > 0) {
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
 * within about 1.5 s, reads waiting on it move to the primary, and it stays skipped while the
 * heartbeat goes unanswered.
 *
 * One question at a time: a late answer is waited for, not abandoned, so a frozen connection is
 * not multiplied by the beats; when the replica answers again, so does that connection. Its own
 * connection, not the pool's: a pool busy with long reads must not look like a dead replica.
 */
export function startHeartbeat(url: string, missed: (error: Error) => void): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let askedAt: number | null = null;
  let stopped = false;
  const drop = (c: pg.Client) => void c.end().catch(() => undefined);
  const ask = async () => {
    if (!client) {
      const fresh = new pg.Client({ connectionString: url, connectionTimeoutMillis: REPLICA_HEARTBEAT_TIMEOUT_MS });
      // A socket error between two beats must not be an unhandled 'error' event; the next beat's query fails instead.
      fresh.on('error', () => undefined);
      client = fresh;
      await fresh.connect();
    }
    await client.query('SELECT 1');
  };
  const beat = () => {
    if (stopped) return;
    if (askedAt !== null) {
      const lateMs = Date.now() - askedAt;
      if (lateMs >= REPLICA_HEARTBEAT_TIMEOUT_MS) missed(new ReplicaUnavailableError(`no answer to the heartbeat for ${lateMs} ms`));
      return;
    }
    askedAt = Date.now();
    ask().then(
      () => {
        askedAt = null;
      },
      (error: unknown) => {
        askedAt = null;
        const failed = client;
        client = null;
        if (failed) drop(failed);
        if (!stopped) missed(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
  const timer = setInterval(beat, REPLICA_HEARTBEAT_INTERVAL_MS);
  timer.unref();
  beat();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      const open = client;
      client = null;
      // Not awaited without bound: ending a connection to a frozen replica never completes.
      if (open) await Promise.race([open.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, REPLICA_HEARTBEAT_TIMEOUT_MS).unref())]);
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
