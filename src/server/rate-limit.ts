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
 * request passes (logged): an outage of the counter store must not take the API down with it.
 */
import type express from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { createClient } from 'redis';
import { principalOf } from '../auth/http-auth.js';
import type { Config } from '../config/config.js';
import { StartupError } from '../db/startup-error.js';
import type { Logger } from '../logging/logger.js';

export type Budget = 'graphql' | 'map';

export interface RateLimits {
  /** Before authentication: counts by client IP. */
  perIp(budget: Budget): RateLimitRequestHandler;
  /** After authentication: counts by the token's subject. */
  perUser(budget: Budget): RateLimitRequestHandler;
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;
const IP_FACTOR = 4;

type RedisClient = ReturnType<typeof createClient>;

export type { RedisClient };

/** Connects to Redis or fails start-up with one actionable line; `purpose` says what it holds. */
export async function connectRedis(url: string, log: Logger, purpose = 'the rate-limit counters'): Promise<RedisClient> {
  const client = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) } });
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

export async function createRateLimits(limits: Config['httpLimits'], log: Logger): Promise<RateLimits> {
  const config = limits.rateLimitStore;
  const redis = config.kind === 'redis' ? await connectRedis(config.url, log) : null;
  // One store per limiter: express-rate-limit refuses a store shared by two limiters.
  const storeFor = (name: string): Store | undefined =>
    redis && config.kind === 'redis'
      ? new RedisStore({ prefix: `${config.prefix}${name}:`, sendCommand: (...args: string[]) => redis.sendCommand(args) as Promise<RedisReply> })
      : undefined;

  const perMinute: Record<Budget, number> = { graphql: limits.rateLimitPerMinute, map: limits.mapRateLimitPerMinute };
  const what: Record<Budget, string> = { graphql: 'GraphQL requests', map: 'OGC API and tile requests' };

  const limiter = (budget: Budget, scope: 'ip' | 'user', limit: number, keyGenerator: (req: express.Request, res: express.Response) => string) =>
    rateLimit({
      windowMs: WINDOW_MS,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: `${budget}-${scope}`,
      keyGenerator,
      ...(redis ? { store: storeFor(`${budget}:${scope}`) } : {}),
      passOnStoreError: true,
      handler: (_req, res) => {
        res.status(429).json({
          errors: [
            {
              message: `Rate limit of ${limit} ${what[budget]} per minute ${scope === 'ip' ? 'from this address' : 'for this token'} exceeded; retry after the time in the RateLimit header.`,
              extensions: { code: 'RATE_LIMITED', budget, limitPerMinute: limit },
            },
          ],
        });
      },
    });

  const handlers = {
    ip: {
      graphql: limiter('graphql', 'ip', perMinute.graphql * IP_FACTOR, (req) => ipKeyGenerator(req.ip ?? '')),
      map: limiter('map', 'ip', perMinute.map * IP_FACTOR, (req) => ipKeyGenerator(req.ip ?? '')),
    },
    user: {
      graphql: limiter('graphql', 'user', perMinute.graphql, (_req, res) => `user:${principalOf(res).subject}`),
      map: limiter('map', 'user', perMinute.map, (_req, res) => `user:${principalOf(res).subject}`),
    },
  };

  return {
    perIp: (budget) => handlers.ip[budget],
    perUser: (budget) => handlers.user[budget],
    async close() {
      if (redis?.isOpen) await redis.quit().catch(() => redis.destroy());
    },
  };
}
