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
import { isDatabaseUnavailable } from '../errors/errors.js';
import { openPostgres, type Database, type Queryable } from './database.js';

export interface Replica {
  /** host:port/database, without credentials (logs, health). */
  readonly name: string;
  readonly db: Database;
  /** Until when (epoch ms) the replica is skipped after a connection failure. */
  downUntil: number;
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
    urls.map(async (url) => ({
      name: describe(url),
      db: await openPostgres({ url, poolSize: options.poolSize, statementTimeoutMs: options.statementTimeoutMs, preparedStatementsPerConnection: options.preparedStatementsPerConnection, connectionTimeoutMs: REPLICA_CONNECT_TIMEOUT_MS }),
      downUntil: 0,
    })),
  );
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

/** A replica connection failure (as opposed to an error in the statement). */
export const isReplicaDown = (error: unknown) => isDatabaseUnavailable(error);

export async function closeReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(replicas.map((r) => r.db.close().catch(() => undefined)));
}
