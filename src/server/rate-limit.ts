/**
 * Rate limits, by budget. GraphQL requests and map requests (OGC API pages and vector tiles) are
 * counted separately: map clients send many small, cheap requests — GDAL reads 10 features per
 * request unless told otherwise, a map pan loads a dozen tiles per layer — and must not use up
 * (or be stopped by) the GraphQL budget. Each budget has two limits: per IP before
 * authentication (4× the token limit, so junk tokens cannot open a bucket each) and per verified
 * user after it (users behind one NAT do not share a bucket).
 *
 * Counters live in Redis when REDIS_URL is set, so every API process behind a load balancer
 * charges the same bucket; otherwise in this process's memory. If Redis fails at request time the
 * request passes: an outage of the counter store must not take the API down with it. "Fails"
 * includes "does not answer": commands are not queued while the client is reconnecting and each
 * has a deadline (connectRedis), because with node-redis's defaults every request waited for
 * Redis to come back. The outage is logged when it starts and when counting resumes, with the
 * number of requests that passed uncounted, not once per request.
 *
 * The counting is written here over express-rate-limit's store interface (its MemoryStore,
 * rate-limit-redis's RedisStore) rather than through its Express middleware, because the GraphQL
 * route is served without Express (server/graphql-route.ts): one limiter charges both, with the
 * same buckets and the same headers (IETF draft 8 `RateLimit` and `RateLimit-Policy`, as
 * express-rate-limit's `standardHeaders: 'draft-8'` wrote them).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { createClient } from 'redis';
import { principalOf } from '../auth/http-auth.js';
import type { Config } from '../config/config.js';
import { StartupError } from '../db/startup-error.js';
import { sendJson } from '../http/send-json.js';
import type { Logger } from '../logging/logger.js';

export type Budget = 'graphql' | 'map';

export interface RateLimits {
  /** Before authentication: counts by client IP (Express routes). */
  perIp(budget: Budget): RequestHandler;
  /** After authentication: counts by the token's subject (Express routes). */
  perUser(budget: Budget): RequestHandler;
  /**
   * The same two charges outside Express. Each answers 429 itself and resolves false when the
   * bucket is exhausted; true when the request may go on.
   */
  chargeIp(budget: Budget, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  chargeUser(budget: Budget, subject: string, res: ServerResponse): Promise<boolean>;
  /** Where the counters are: in memory, in Redis, or in a Redis that does not answer now (requests pass uncounted). */
  store(): 'memory' | 'redis' | 'redis-unavailable';
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;
const WINDOW_SECONDS = WINDOW_MS / 1000;
const IP_FACTOR = 4;

type RedisClient = ReturnType<typeof createClient>;

export type { RedisClient };

/**
 * Longest wait for one Redis command on a request's path. A local or same-zone Redis answers in
 * well under a millisecond; a Redis that accepts the connection but does not answer (a network
 * partition, a stopped process whose socket stays open) would otherwise hold every request until
 * TCP gave up, minutes later.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * Connects to Redis or fails start-up with one actionable line; `purpose` says what it holds.
 *
 * The client refuses commands at once while it is disconnected (`disableOfflineQueue`) and gives
 * each command REDIS_COMMAND_TIMEOUT_MS: by default node-redis queues commands until it has
 * reconnected, so a Redis outage held every GraphQL request (measured: no answer within 8 s, and
 * each answered only when Redis came back). The callers treat a refused command as "no answer"
 * (rate limits pass, read-your-writes reads the primary) and reconnection goes on in the background.
 */
export async function connectRedis(url: string, log: Logger, purpose = 'the rate-limit counters'): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) },
  });
  // node-redis emits 'error' on every failed reconnect; unhandled, it would crash the process.
  let lastError = '';
  client.on('error', (error: Error) => {
    if (error.message !== lastError) log.warn({ err: error, purpose }, `Redis error (${purpose})`);
    lastError = error.message;
  });
  client.on('ready', () => {
    lastError = '';
  });
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
  } catch (error) {
    client.destroy();
    const safeUrl = url.replace(/\/\/[^@/]*@/, '//');
    throw new StartupError(`Cannot reach Redis at ${safeUrl} for ${purpose} (${(error as Error).message}): start Redis, fix REDIS_URL, or unset it to keep them in memory.`);
  }
  return client;
}

/**
 * Closes a client made by connectRedis: QUIT when Redis answers, else drops the socket and stops
 * reconnecting (QUIT waited for a Redis that was down, and shutdown with it).
 */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (!redis.isOpen) return;
  if (!redis.isReady) {
    redis.destroy();
    return;
  }
  await redis.quit().catch(() => redis.destroy());
}

/** The client's address as Express reports it with `trust proxy` off (server/app.ts): the socket's peer. */
function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

/**
 * One bucket per key and window. `name` is the draft-8 policy name (`graphql-ip`, `map-user`…).
 */
class Limiter {
  /** Draft-8 partition keys by bucket key: a SHA-256 per request was measurable, and keys repeat. */
  private readonly partitionKeys = new Map<string, string>();

  constructor(
    private readonly name: string,
    private readonly limit: number,
    private readonly store: Store,
    private readonly refusal: { message: string; extensions: Record<string, unknown> },
    private readonly log: Logger,
  ) {
    // MemoryStore and RedisStore read only `windowMs` of the middleware options they were made for.
    void Promise.resolve(store.init?.({ windowMs: WINDOW_MS } as Options)).catch((error: unknown) => log.error({ err: error, limiter: name }, 'rate-limit store failed to initialise'));
    if (store instanceof RedisStore) this.watchScript(store);
  }

  /** Since when the store fails, and how many requests passed uncounted since; null while it counts. */
  private outage: { since: number; uncounted: number } | null = null;
  /** Whether the RedisStore's increment script is known to have failed to load (see reloadScript). */
  private scriptFailed = false;

  async charge(key: string, res: ServerResponse): Promise<boolean> {
    let totalHits: number;
    let resetTime: Date | undefined;
    try {
      ({ totalHits, resetTime } = await this.store.increment(key));
    } catch (error) {
      this.storeFailed(error);
      return true;
    }
    if (this.outage) {
      this.log.warn({ limiter: this.name, uncounted: this.outage.uncounted, outageMs: Date.now() - this.outage.since }, 'rate-limit store counting again');
      this.outage = null;
    }
    if (res.headersSent) return !res.destroyed && totalHits <= this.limit;
    const resetSeconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : WINDOW_SECONDS;
    res.appendHeader('RateLimit', `"${this.name}"; r=${Math.max(this.limit - totalHits, 0)}; t=${resetSeconds}`);
    res.appendHeader('RateLimit-Policy', `"${this.name}"; q=${this.limit}; w=${WINDOW_SECONDS}; pk=:${this.partitionKey(key)}:`);
    if (totalHits <= this.limit) return true;
    res.setHeader('Retry-After', String(resetSeconds));
    sendJson(res, 429, { errors: [this.refusal] });
    return false;
  }

  /** As express-rate-limit derives it: base64 of the first 12 hex digits of the key's SHA-256. */
  private partitionKey(key: string): string {
    let pk = this.partitionKeys.get(key);
    if (pk === undefined) {
      pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
      if (this.partitionKeys.size >= 10_000) this.partitionKeys.clear();
      this.partitionKeys.set(key, pk);
    }
    return pk;
  }

  /** One log line per outage (a log line per request would flood the log at full request rate). */
  private storeFailed(error: unknown): void {
    if (this.outage) this.outage.uncounted += 1;
    else {
      this.outage = { since: Date.now(), uncounted: 1 };
      this.log.error({ err: error, limiter: this.name }, 'rate-limit store failed; requests pass uncounted until it answers again');
    }
    if (this.scriptFailed && this.store instanceof RedisStore) this.reloadScript(this.store);
  }

  /**
   * rate-limit-redis loads its increment script once, at `init`, and keeps the promise: if that
   * SCRIPT LOAD failed (Redis restarting as the API started, a dropped connection), every later
   * increment re-throws the same rejection — it only reloads after a NOSCRIPT reply — and the
   * limiter passed every request uncounted until the process restarted. So a failed load is
   * noticed here and the script is loaded again on the next failing request.
   */
  private watchScript(store: RedisStore): void {
    const loading = store.incrementScriptSha;
    loading.then(
      () => {
        if (store.incrementScriptSha === loading) this.scriptFailed = false;
      },
      () => {
        if (store.incrementScriptSha === loading) this.scriptFailed = true;
      },
    );
  }

  private reloadScript(store: RedisStore): void {
    this.scriptFailed = false;
    store.incrementScriptSha = store.loadIncrementScript();
    this.watchScript(store);
  }

  close(): void {
    (this.store as { shutdown?: () => void }).shutdown?.();
  }
}

export async function createRateLimits(limits: Config['httpLimits'], log: Logger): Promise<RateLimits> {
  const config = limits.rateLimitStore;
  const redis = config.kind === 'redis' ? await connectRedis(config.url, log) : null;
  const storeFor = (name: string): Store =>
    redis && config.kind === 'redis'
      ? new RedisStore({ prefix: `${config.prefix}${name}:`, sendCommand: (...args: string[]) => redis.sendCommand(args) as Promise<RedisReply> })
      : new MemoryStore();

  const perMinute: Record<Budget, number> = { graphql: limits.rateLimitPerMinute, map: limits.mapRateLimitPerMinute };
  const what: Record<Budget, string> = { graphql: 'GraphQL requests', map: 'OGC API and tile requests' };

  const limiter = (budget: Budget, scope: 'ip' | 'user', limit: number) =>
    new Limiter(
      `${budget}-${scope}`,
      limit,
      storeFor(`${budget}:${scope}`),
      {
        message: `Rate limit of ${limit} ${what[budget]} per minute ${scope === 'ip' ? 'from this address' : 'for this token'} exceeded; retry after the time in the RateLimit header.`,
        extensions: { code: 'RATE_LIMITED', budget, limitPerMinute: limit },
      },
      log,
    );

  const limiters = {
    ip: { graphql: limiter('graphql', 'ip', perMinute.graphql * IP_FACTOR), map: limiter('map', 'ip', perMinute.map * IP_FACTOR) },
    user: { graphql: limiter('graphql', 'user', perMinute.graphql), map: limiter('map', 'user', perMinute.map) },
  };
  const chargeIp = (budget: Budget, req: IncomingMessage, res: ServerResponse) => limiters.ip[budget].charge(ipKeyGenerator(clientAddress(req)), res);
  const chargeUser = (budget: Budget, subject: string, res: ServerResponse) => limiters.user[budget].charge(`user:${subject}`, res);
  const middleware =
    (charge: (req: Request, res: Response) => Promise<boolean>): RequestHandler =>
    (req, res, next) => {
      charge(req, res).then((allowed) => allowed && next(), next);
    };

  return {
    perIp: (budget) => middleware((req, res) => chargeIp(budget, req, res)),
    perUser: (budget) => middleware((_req, res) => chargeUser(budget, principalOf(res).subject, res)),
    chargeIp,
    chargeUser,
    store: () => (redis === null ? 'memory' : redis.isReady ? 'redis' : 'redis-unavailable'),
    async close() {
      for (const scope of Object.values(limiters)) for (const l of Object.values(scope)) l.close();
      if (redis) await closeRedis(redis);
    },
  };
}
