import type { Redis } from 'ioredis';
import { HttpError } from '../http/errors';
import type { ApiRequest, Router } from '../http/router';
import type { Logger } from '../log';
import type { ReferenceContext, ReferenceModule } from '../module';
import type { Timers } from '../timers';
import type { Components } from './components';
import { CORE_FAULTS } from './faults';

/** How long local increments wait before they are added to the shared counters in Redis. */
export const RATE_LIMIT_FLUSH_MS = 25;

/** INCRBY, and the window's expiry when the key is new, in one round trip. */
const INCREMENT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count`;

type RedisWithRateCommand = Redis & { novacronRateIncrement(key: string, increment: number, ttlSeconds: number): Promise<number> };

interface Counter {
  readonly key: string;
  /** When the window ends (ms since the epoch); the counter is forgotten after that. */
  readonly windowEnd: number;
  /** Expiry of the Redis key, from its first increment. */
  readonly ttlSeconds: number;
  /** The shared count Redis last reported for this key (all instances). */
  shared: number;
  /** This instance's requests not yet added in Redis. */
  pending: number;
  /** This instance's requests on their way to Redis (sent, not yet answered). */
  sending: number;
}

/** The requests of the window so far as this instance knows them. */
function used(counter: Counter): number {
  return counter.shared + counter.sending + counter.pending;
}

/** Sends `increment` of the counter's requests to Redis; counted as sending until Redis answers. */
async function send(redis: RedisWithRateCommand, counter: Counter, increment: number): Promise<void> {
  counter.pending -= increment;
  counter.sending += increment;
  try {
    // Answers may arrive out of order; the shared count only grows within a window.
    counter.shared = Math.max(counter.shared, await redis.novacronRateIncrement(counter.key, increment, counter.ttlSeconds));
  } catch (error) {
    counter.pending += increment;
    throw error;
  } finally {
    counter.sending -= increment;
  }
}

/**
 * Fixed-window counters per client and window, shared through Redis (`<prefix>ratelimit:<client>:<window start>`,
 * expiring with the window). Two ways to count a request:
 * - `hit`: counted in memory at once (so one instance enforces its limit exactly) and added to
 *   Redis in one pipelined batch every RATE_LIMIT_FLUSH_MS, which also brings back the other
 *   instances' counts: no Redis round trip per request. Used for the generous default limit.
 * - `hitNow`: INCRBY in Redis before answering, exact across instances at once. Used for users
 *   an admin gave their own limit.
 * While Redis is unreachable both count in memory and the increments wait.
 */
export class RateCounters {
  private readonly counters = new Map<string, Counter>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly deps: { redis: Redis; components: Components; timers: Timers; log: Logger }) {
    const redis = deps.redis as RedisWithRateCommand;
    if (typeof redis.novacronRateIncrement !== 'function') {
      redis.defineCommand('novacronRateIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    }
  }

  /** Counts one request and returns the requests of this window so far, this one included. */
  hit(key: string, windowEnd: number, ttlSeconds: number): number {
    const counter = this.counter(key, windowEnd, ttlSeconds);
    counter.pending++;
    this.scheduleFlush(RATE_LIMIT_FLUSH_MS);
    return used(counter);
  }

  /** Like `hit`, but the count comes from Redis, including every instance's requests up to now. */
  async hitNow(key: string, windowEnd: number, ttlSeconds: number): Promise<number> {
    const counter = this.counter(key, windowEnd, ttlSeconds);
    if (this.deps.components.isFailed('redis')) return this.hit(key, windowEnd, ttlSeconds);
    counter.pending++;
    try {
      await send(this.deps.redis as RedisWithRateCommand, counter, counter.pending);
    } catch (error) {
      this.deps.log.debug(`counting ${key} in Redis failed, counting locally: ${(error as Error).message}`);
      this.scheduleFlush(RATE_LIMIT_FLUSH_MS);
    }
    return used(counter);
  }

  /** Adds the pending increments to Redis; forgets counters of past windows once nothing is pending. */
  async flush(now = Date.now()): Promise<void> {
    this.flushTimer = undefined;
    if (this.flushing) {
      this.scheduleFlush(RATE_LIMIT_FLUSH_MS);
      return;
    }
    const { components, redis, log } = this.deps;
    const batch = [...this.counters.values()].filter((counter) => counter.pending > 0);
    for (const counter of this.counters.values()) {
      if (counter.pending === 0 && counter.sending === 0 && counter.windowEnd <= now) this.counters.delete(counter.key);
    }
    if (batch.length === 0) return;
    if (components.isFailed('redis')) {
      this.scheduleFlush(RATE_LIMIT_FLUSH_MS * 4);
      return;
    }
    this.flushing = true;
    try {
      await Promise.all(
        batch.map(async (counter) => {
          const increment = counter.pending;
          try {
            await send(redis as RedisWithRateCommand, counter, increment);
          } catch (error) {
            log.debug(`adding ${increment} to the rate limit counter ${counter.key} failed: ${(error as Error).message}`);
          }
        }),
      );
    } finally {
      this.flushing = false;
    }
    if (batch.some((counter) => counter.pending > 0)) this.scheduleFlush(RATE_LIMIT_FLUSH_MS);
  }

  private counter(key: string, windowEnd: number, ttlSeconds: number): Counter {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { key, windowEnd, ttlSeconds, shared: 0, pending: 0, sending: 0 };
      this.counters.set(key, counter);
    }
    return counter;
  }

  private scheduleFlush(ms: number): void {
    this.flushTimer ??= this.deps.timers.timeout(ms, () => this.flush(), 'the rate limit flush');
  }
}

/**
 * Rate limits on every `/api/v1` request, per client: the user of a valid token (with the limit an
 * admin set for that user, else the default), or the IP address. Answers carry
 * X-RateLimit-Limit/-Remaining/-Reset; past the limit, 429 with Retry-After.
 */
export function createRateLimitModule(): ReferenceModule {
  let counters: RateCounters | undefined;
  return {
    name: 'rate-limit',
    register(router: Router, ctx: ReferenceContext) {
      const defaults = ctx.options.rateLimit;
      const withHeaders = !CORE_FAULTS.on(ctx.faults).rateLimitHeadersMissing;
      counters = new RateCounters({ redis: ctx.redis, components: ctx.components, timers: ctx.timers, log: ctx.log });
      const live = counters;

      const answer = (request: ApiRequest, used: number, limit: number, windowSeconds: number, reset: number, nowSeconds: number): void => {
        if (withHeaders) {
          const response = request.response;
          response.setHeader('X-RateLimit-Limit', String(limit));
          response.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - used)));
          response.setHeader('X-RateLimit-Reset', String(reset));
        }
        if (used > limit) {
          const retryAfter = String(Math.max(1, Math.ceil(reset - nowSeconds)));
          throw new HttpError(429, `rate limit of ${limit} requests per ${windowSeconds} s exceeded; retry in ${retryAfter} s`, undefined, {
            headers: { 'Retry-After': retryAfter },
          });
        }
      };

      const limitsSeen = new Map<string, { own: ReturnType<typeof ownLimit>; until: number }>();
      const ownLimit = (userId: string | undefined) => (userId === undefined ? undefined : ctx.users.get(userId)?.rate_limit);
      const limitChangeWaits = CORE_FAULTS.on(ctx.faults).rateLimitChangeWaitsForNextWindow;
      const refusalsUncounted = CORE_FAULTS.on(ctx.faults).rateLimitRefusalsNotCounted;

      router.before('/api/v1/', (request: ApiRequest): Promise<void> | undefined => {
        const auth = ctx.auth.authenticate(request);
        const userId = 'principal' in auth ? auth.principal.userId : undefined;
        const nowSeconds = Date.now() / 1000;
        let own = ownLimit(userId);
        if (limitChangeWaits && userId !== undefined) {
          const seen = limitsSeen.get(userId);
          if (seen && seen.until > nowSeconds) own = seen.own;
          else {
            const window = (own ?? defaults).windowSeconds;
            limitsSeen.set(userId, { own, until: (Math.floor(nowSeconds / window) + 1) * window });
          }
        }
        const { requests: limit, windowSeconds } = own ?? defaults;
        const windowStart = Math.floor(nowSeconds / windowSeconds) * windowSeconds;
        const reset = windowStart + windowSeconds;
        const key = ctx.redisKey(`ratelimit:${userId ?? `ip:${request.clientIp}`}:${windowStart}`);
        if (own) {
          return live.hitNow(key, reset * 1000, windowSeconds + 1).then(async (used) => {
            if (refusalsUncounted && used > limit) await ctx.redis.decr(key);
            answer(request, used, limit, windowSeconds, reset, nowSeconds);
          });
        }
        answer(request, live.hit(key, reset * 1000, windowSeconds + 1), limit, windowSeconds, reset, nowSeconds);
        return undefined;
      });
    },
    async stop() {
      await counters?.flush();
    },
  };
}
