/**
 * Read routing across a primary and its streaming replicas (DATABASE_REPLICA_URLS).
 *
 * Which statement goes where:
 * - reads of a GraphQL *query* operation, of the OGC API and of vector tiles (lists, pages,
 *   FeatureCollections, tiles: reads that tolerate the replica's lag of a few milliseconds)
 *   go to a replica, chosen round-robin;
 * - everything else goes to the primary: mutations, every `transaction()`, COPY, and the
 *   personal-data audit records. A write that a read request sends through `query` (an audit
 *   insert) is refused by the replica itself (SQLSTATE 25006, read-only transaction) and sent
 *   to the primary: no write can land on a replica, and none is lost.
 *
 * Read-your-writes: after a request that wrote (a mutation, or any transaction) the primary's
 * WAL position `pg_current_wal_lsn()` is remembered for the principal (token subject) — in Redis
 * when REDIS_URL is set, so that every API process behind the load balancer knows it; in memory
 * otherwise. It is stored before the response leaves, so the client cannot ask again before it
 * is known. A later read by that principal goes to a replica only once the replica's
 * `pg_last_wal_replay_lsn()` has reached that position; it waits for that at most
 * READ_YOUR_WRITES_WAIT_MS (polling), then reads from the primary instead. When Redis cannot keep
 * the position (down, restarting), the response is held until every replica has replayed the write
 * (at most UNSHARED_WRITE_WAIT_MS), so that no process can read it stale once Redis is back.
 *
 * Why positions and not "primary for N seconds after a write": the comparison is exact (a
 * replica that has replayed the position shows the write, whatever its lag), it keeps the
 * principal on replicas as soon as they have caught up (normally within milliseconds), and a
 * replica that falls far behind costs its readers the bounded wait and then the primary, never a
 * stale answer. Other principals' writes are not waited for: their reads may lag, which is what
 * "tolerates lag" means for lists, tiles and pages.
 *
 * A replica that does not answer (connection refused, timeout) is skipped for a few seconds and
 * the read goes to the primary: losing a replica costs capacity, not requests. One that stops
 * answering without refusing (a frozen host, a network partition) is found by a heartbeat within
 * about 1.5 s; the reads waiting on it then go to the primary too (src/db/replicas.ts).
 *
 * With no replicas (always on the embedded database) `database` is the primary itself and the
 * middleware and plugin do nothing: one code path.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { principalOf } from '../auth/http-auth.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { RequestContext } from '../graphql/context.js';
import { closeReplicas, compareLsn, currentWalLsn, hasReplayed, isReplicaDown, openReplicas, REPLICA_RETRY_AFTER_MS, type Replica, type ReplicaOptions, startHeartbeat } from '../db/replicas.js';
import type { Logger } from '../logging/logger.js';
import { closeRedis, connectRedis, type RedisClient } from './rate-limit.js';

/** Where a principal's last write position is kept. */
export interface LastWriteStore {
  get(subject: string): Promise<string | null>;
  /** Keeps the larger of the stored and the given position, for `ttlMs`. */
  remember(subject: string, lsn: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export function memoryLastWriteStore(now: () => number = Date.now): LastWriteStore {
  const entries = new Map<string, { lsn: string; expiresAt: number }>();
  return {
    async get(subject) {
      const entry = entries.get(subject);
      if (!entry) return null;
      if (entry.expiresAt <= now()) {
        entries.delete(subject);
        return null;
      }
      return entry.lsn;
    },
    async remember(subject, lsn, ttlMs) {
      const current = entries.get(subject);
      const keep = current && current.expiresAt > now() && compareLsn(current.lsn, lsn) > 0 ? current.lsn : lsn;
      entries.set(subject, { lsn: keep, expiresAt: now() + ttlMs });
      if (entries.size > 100_000) for (const [key, value] of entries) if (value.expiresAt <= now()) entries.delete(key);
    },
    async close() {},
  };
}

/**
 * Keeps the larger position atomically: two API processes recording writes of one principal at
 * once must not replace a later position with an earlier one. LSN "X/Y" = X * 2^32 + Y (hex).
 */
const REMEMBER_MAX_LSN = `
local function pos(s) local hi, lo = string.match(s, '^(%x+)/(%x+)$'); return tonumber(hi, 16) * 4294967296 + tonumber(lo, 16) end
local current = redis.call('GET', KEYS[1])
if (not current) or pos(ARGV[1]) > pos(current) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

export function redisLastWriteStore(redis: RedisClient, prefix: string): LastWriteStore {
  return {
    async get(subject) {
      return (await redis.get(`${prefix}${subject}`)) ?? null;
    },
    async remember(subject, lsn, ttlMs) {
      await redis.eval(REMEMBER_MAX_LSN, { keys: [`${prefix}${subject}`], arguments: [lsn, String(Math.round(ttlMs))] });
    },
    async close() {
      await closeRedis(redis);
    },
  };
}

/** Counters of routing decisions since start (tests, the scale-out script's log). */
export interface RoutingStats {
  replicaReads: number;
  /** Reads sent to the primary because no replica had replayed the principal's write in time. */
  primaryAfterWait: number;
  /** Reads sent to the primary because the replica did not answer. */
  primaryReplicaDown: number;
  /** Writes in read requests that the replica refused and the primary took (audit records). */
  writesRedirected: number;
  writesRecorded: number;
  /** Write positions the store could not keep (Redis unreachable): see recordWrite. */
  writesUnshared: number;
  /** Of those, writes every replica had replayed before the response left. */
  unsharedReplayed: number;
}

export interface ReadRouting {
  /** Reads to the request's chosen reader, writes and transactions to the primary. */
  readonly database: Database;
  readonly replicas: readonly Replica[];
  /** After authentication on GET routes that tolerate lag (OGC API, tiles): picks the reader. */
  readonly readRoute: RequestHandler;
  /**
   * Runs a /graphql request's work (after authentication and body parsing) in the principal's
   * routing scope; the plugin picks the reader per operation.
   */
  inGraphqlScope<T>(subject: string, work: () => T): T;
  readonly plugin: ApolloServerPlugin<RequestContext>;
  /** Remembers the principal's last write position (called after a request that wrote). */
  recordWrite(subject: string): Promise<void>;
  stats(): RoutingStats;
  close(): Promise<void>;
}

interface Scope {
  subject: string;
  reader: Replica | null;
  /** The request ran a transaction or a mutation: record its write position. */
  wrote: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const POLL_MS = 10;
/**
 * How long a write whose position the store could not keep holds its response while the replicas
 * replay it (recordWrite). Longer than a reader's wait: it is paid only while Redis is down.
 */
export const UNSHARED_WRITE_WAIT_MS = 1_000;

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError, depth++) {
    if ('code' in e && typeof (e as { code: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code)) return (e as { code: string }).code;
  }
  return undefined;
}

export interface ReadRoutingOptions {
  config: Config['readRouting'];
  /** Pool size, statement timeout and named statements of each replica: those of the primary. */
  pool: ReplicaOptions;
  /** For tests: an already opened store instead of the configured one. */
  store?: LastWriteStore;
}

export async function createReadRouting(primary: Database, options: ReadRoutingOptions, log: Logger): Promise<ReadRouting> {
  const { config } = options;
  const stats: RoutingStats = { replicaReads: 0, primaryAfterWait: 0, primaryReplicaDown: 0, writesRedirected: 0, writesRecorded: 0, writesUnshared: 0, unsharedReplayed: 0 };
  const passThrough: RequestHandler = (_req, _res, next) => next();

  if (config.replicaUrls.length === 0 || primary.kind !== 'postgres') {
    return {
      database: primary,
      replicas: [],
      readRoute: passThrough,
      inGraphqlScope: (_subject, work) => work(),
      plugin: {},
      async recordWrite() {},
      stats: () => ({ ...stats }),
      async close() {},
    };
  }

  const replicas = await openReplicas(config.replicaUrls, options.pool);
  const store =
    options.store ?? (config.store.kind === 'redis' ? redisLastWriteStore(await connectRedis(config.store.url, log, 'read-your-writes positions'), config.store.prefix) : memoryLastWriteStore());
  // Positions the shared store could not keep, for this process's own reads (see recordWrite).
  const unshared = memoryLastWriteStore();
  const ttlMs = config.ttlSeconds * 1000;
  const scopes = new AsyncLocalStorage<Scope>();
  log.info({ replicas: replicas.map((r) => r.name), store: config.store.kind, waitMs: config.waitMs }, 'read routing: lag-tolerant reads go to the replicas');

  let next = 0;
  const candidates = () => {
    const now = Date.now();
    const up = replicas.filter((r) => r.isUp(now));
    if (up.length === 0) return [];
    next = (next + 1) % up.length;
    return [...up.slice(next), ...up.slice(0, next)];
  };
  const markDown = (replica: Replica, error: unknown, failWaiting = false) => {
    if (replica.markDown(error, failWaiting)) log.warn({ replica: replica.name, err: error }, `read replica unavailable; reads go to the primary for ${REPLICA_RETRY_AFTER_MS / 1000} s`);
  };
  // A missed heartbeat: the replica stopped as a whole, so the reads waiting on it go to the primary.
  const heartbeats = replicas.map((replica, i) => startHeartbeat(config.replicaUrls[i] as string, (error) => markDown(replica, error, true)));
  const closeReplicasAndHeartbeats = async () => {
    await Promise.all(heartbeats.map((h) => h.stop()));
    await closeReplicas(replicas);
  };

  /** The replica this principal may read from now, or null for the primary. */
  const chooseReader = async (subject: string): Promise<Replica | null> => {
    const order = candidates();
    if (order.length === 0) {
      stats.primaryReplicaDown += 1;
      return null;
    }
    let lsn: string | null;
    try {
      lsn = await store.get(subject);
    } catch (error) {
      // Without the position, the replica might not show the principal's write: primary.
      log.warn({ err: error }, 'read-your-writes store unavailable; reading from the primary');
      return null;
    }
    // Only after Redis failed a write's position is there anything here: no await on every read.
    const local = stats.writesUnshared > 0 ? await unshared.get(subject) : null;
    if (local && (!lsn || compareLsn(local, lsn) > 0)) lsn = local;
    if (!lsn) return order[0] ?? null;
    const deadline = Date.now() + config.waitMs;
    for (;;) {
      let answered = false;
      for (const replica of order) {
        if (!replica.isUp()) continue;
        try {
          if (await replica.whileUp(hasReplayed(replica.db, lsn))) return replica;
          answered = true;
        } catch (error) {
          if (isReplicaDown(error)) markDown(replica, error);
          else throw error;
        }
      }
      if (!answered) {
        stats.primaryReplicaDown += 1;
        return null;
      }
      if (Date.now() >= deadline) {
        stats.primaryAfterWait += 1;
        return null;
      }
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  };

  /**
   * Whether every replica has replayed `lsn`, polling until `waitMs` has passed: the replicas are
   * asked in parallel, and no answer is awaited past the deadline (a replica that accepts and
   * never answers, or a connection cut without a reset, would otherwise hold the response of a
   * committed write). A replica marked down, or that does not answer, cannot confirm.
   */
  const replayedEverywhere = async (lsn: string, waitMs: number): Promise<boolean> => {
    const deadline = Date.now() + waitMs;
    const within = <T>(work: Promise<T>, ms: number, otherwise: T) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([work, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(otherwise), ms)))]).finally(() => clearTimeout(timer));
    };
    const unreachable = replicas.some((r) => !r.isUp());
    let pending = replicas.filter((r) => r.isUp());
    for (;;) {
      const left = deadline - Date.now();
      if (pending.length > 0 && left > 0) {
        const answers = await Promise.all(pending.map((r) => within(hasReplayed(r.db, lsn).catch(() => false), left, false)));
        pending = pending.filter((_, i) => !answers[i]);
      }
      if (pending.length === 0) return !unreachable;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  };

  /**
   * Remembers the primary's position after a write. When the store cannot keep it (Redis down or
   * restarting), no other process would know to wait for this write, and the principal's next read
   * through one of them could miss it on a lagging replica, also after Redis is back. So the
   * response is held until every replica has replayed the write (normally milliseconds; at most
   * UNSHARED_WRITE_WAIT_MS): after that no replica can show a state without it. The position is
   * also kept in this process's memory for its own reads. A warning names what is left: a replica
   * that had not replayed it in time, or did not answer, may still serve an older state to this
   * principal through another process until it catches up.
   */
  const recordWrite = async (subject: string) => {
    const lsn = await currentWalLsn(primary);
    try {
      await store.remember(subject, lsn, ttlMs);
      stats.writesRecorded += 1;
      return;
    } catch (error) {
      stats.writesUnshared += 1;
      await unshared.remember(subject, lsn, ttlMs);
      if (await replayedEverywhere(lsn, UNSHARED_WRITE_WAIT_MS)) {
        stats.unsharedReplayed += 1;
        log.warn({ err: error }, 'read-your-writes store unavailable; the write was replayed by every replica before the response');
      } else {
        log.warn({ err: error, waitedMs: UNSHARED_WRITE_WAIT_MS },
          'read-your-writes store unavailable and a replica had not replayed the write in time: another API process may serve this principal an older state until it catches up');
      }
    }
  };

  const database: Database = {
    kind: 'postgres',
    async query(statement, params, options) {
      const scope = scopes.getStore();
      const reader = scope?.reader;
      if (!reader) return primary.query(statement, params, options);
      try {
        const rows = await reader.whileUp(reader.db.query(statement, params, options));
        stats.replicaReads += 1;
        return rows as never;
      } catch (error) {
        if (sqlState(error) === '25006') {
          // A write in a read request (an audit record): the replica refused it, the primary takes it.
          stats.writesRedirected += 1;
          scope.wrote = true;
          return primary.query(statement, params, options);
        }
        if (isReplicaDown(error)) {
          markDown(reader, error);
          stats.primaryReplicaDown += 1;
          scope.reader = null;
          return primary.query(statement, params, options);
        }
        throw error;
      }
    },
    copy: (table, columns, lines) => primary.copy(table, columns, lines),
    transaction(work) {
      const scope = scopes.getStore();
      if (scope) scope.wrote = true;
      return primary.transaction(work);
    },
    get statementCount() {
      return replicas.reduce((n, r) => n + r.db.statementCount, primary.statementCount);
    },
    refreshTypes: () => primary.refreshTypes(),
    // The primary belongs to whoever opened it (main.ts, the tests); the replicas to this router.
    close: closeReplicasAndHeartbeats,
  };

  const readRoute: RequestHandler = async (_req, res, next) => {
    const subject = principalOf(res).subject;
    const scope: Scope = { subject, reader: await chooseReader(subject), wrote: false };
    // After the response: a request that wrote (rare on these routes) still records its position.
    res.once('finish', () => {
      if (scope.wrote) void recordWrite(subject).catch((error: unknown) => log.warn({ err: error }, 'could not record the write position'));
    });
    scopes.run(scope, next);
  };

  // Body parsing (a stream) loses the async context, so the scope opens after it.
  const inGraphqlScope = <T>(subject: string, work: () => T): T => scopes.run({ subject, reader: null, wrote: false }, work);

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          const scope = scopes.getStore();
          if (!scope) return;
          if (operation?.operation === 'query') scope.reader = await chooseReader(scope.subject);
          else scope.wrote = true;
        },
        async willSendResponse() {
          const scope = scopes.getStore();
          if (!scope) return;
          // Anything after this (the personal-data audit) goes to the primary.
          scope.reader = null;
          if (!scope.wrote) return;
          try {
            await recordWrite(scope.subject);
          } catch (error) {
            // The primary did not give its position (it went away after the write committed).
            // The write itself is committed; only the routing hint is missing. The principal's
            // next read may lag behind it by the replica's delay.
            log.warn({ err: error }, 'could not record the write position for read-your-writes');
          }
        },
      };
    },
  };

  return {
    database,
    replicas,
    readRoute,
    inGraphqlScope,
    plugin,
    recordWrite,
    stats: () => ({ ...stats }),
    async close() {
      await closeReplicasAndHeartbeats();
      await store.close();
    },
  };
}
