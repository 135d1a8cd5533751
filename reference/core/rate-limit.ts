import type { Redis } from 'ioredis';
import { HttpError } from '../http/errors';
import type { ApiRequest, Router } from '../http/router';
import type { Logger } from '../log';
import type { ReferenceContext, ReferenceModule } from '../module';
import type { Timers } from '../timers';
import type { Components } from './components';

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
  readonly window: number;
  /** The shared count Redis last reported for this key (all instances). */
  shared: number;
  /** This instance's requests not yet added in Redis. */
  pending: number;
}

/**
 * Fixed-window counters per client and window, shared through Redis
 * (`<prefix>ratelimit:<client>:<window>`, expiring with the window) without a Redis round trip per
 * request: each request is counted in memory at once (so one instance enforces its limit exactly),
 * and the increments are added to Redis in one pipelined batch every RATE_LIMIT_FLUSH_MS, which
 * also brings back the other instances' counts. While Redis is unreachable the increments wait.
 */
export class RateCounters {
  private readonly counters = new Map<string, Counter>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(
    private readonly deps: { redis: Redis; components: Components; timers: Timers; log: Logger; windowSeconds: number },
  ) {
    const redis = deps.redis as RedisWithRateCommand;
    if (typeof redis.novacronRateIncrement !== 'function') {
      redis.defineCommand('novacronRateIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    }
  }

  /** Counts one request and returns the requests of this window so far, this one included. */
  hit(key: string, window: number): number {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { key, window, shared: 0, pending: 0 };
      this.counters.set(key, counter);
    }
    counter.pending++;
    this.flushTimer ??= this.deps.timers.timeout(RATE_LIMIT_FLUSH_MS, () => this.flush(), 'the rate limit flush');
    return counter.shared + counter.pending;
  }

  /** Adds the pending increments to Redis; forgets counters of past windows once nothing is pending. */
  async flush(now = Date.now()): Promise<void> {
    this.flushTimer = undefined;
    if (this.flushing) {
      this.flushTimer = this.deps.timers.timeout(RATE_LIMIT_FLUSH_MS, () => this.flush(), 'the rate limit flush');
      return;
    }
    const { windowSeconds, components, redis, log } = this.deps;
    const currentWindow = Math.floor(now / 1000 / windowSeconds);
    const batch = [...this.counters.values()].filter((counter) => counter.pending > 0);
    for (const counter of this.counters.values()) {
      if (counter.pending === 0 && counter.window < currentWindow) this.counters.delete(counter.key);
    }
    if (batch.length === 0 || components.isFailed('redis')) {
      if (batch.length > 0) this.flushTimer = this.deps.timers.timeout(RATE_LIMIT_FLUSH_MS * 4, () => this.flush(), 'the rate limit flush');
      return;
    }
    this.flushing = true;
    try {
      await Promise.all(
        batch.map(async (counter) => {
          const increment = counter.pending;
          try {
            counter.shared = await (redis as RedisWithRateCommand).novacronRateIncrement(counter.key, increment, windowSeconds + 1);
            counter.pending -= increment;
          } catch (error) {
            log.debug(`adding ${increment} to the rate limit counter ${counter.key} failed: ${(error as Error).message}`);
          }
        }),
      );
    } finally {
      this.flushing = false;
    }
    if (batch.some((counter) => counter.pending > 0)) {
      this.flushTimer ??= this.deps.timers.timeout(RATE_LIMIT_FLUSH_MS, () => this.flush(), 'the rate limit flush');
    }
  }
}

/**
 * Rate limits on every `/api/v1` request, per client (the user of a valid token, else the IP
 * address). Answers carry X-RateLimit-Limit/-Remaining/-Reset; past the limit, 429 with Retry-After.
 */
export function createRateLimitModule(): ReferenceModule {
  let counters: RateCounters | undefined;
  return {
    name: 'rate-limit',
    register(router: Router, ctx: ReferenceContext) {
      const { requests: limit, windowSeconds } = ctx.options.rateLimit;
      const limitHeader = String(limit);
      const withHeaders = !ctx.faults.has('rate-limit-headers-missing');
      counters = new RateCounters({ redis: ctx.redis, components: ctx.components, timers: ctx.timers, log: ctx.log, windowSeconds });
      const live = counters;

      router.before('/api/v1/', (request: ApiRequest) => {
        const auth = ctx.auth.authenticate(request);
        const client = 'principal' in auth ? `user:${auth.principal.userId}` : `ip:${request.clientIp}`;
        const nowSeconds = Date.now() / 1000;
        const window = Math.floor(nowSeconds / windowSeconds);
        const reset = (window + 1) * windowSeconds;
        const used = live.hit(ctx.redisKey(`ratelimit:${client}:${window}`), window);
        if (withHeaders) {
          const response = request.response;
          response.setHeader('X-RateLimit-Limit', limitHeader);
          response.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - used)));
          response.setHeader('X-RateLimit-Reset', String(reset));
        }
        if (used > limit) {
          const retryAfter = String(Math.max(1, Math.ceil(reset - nowSeconds)));
          throw new HttpError(429, `rate limit of ${limit} requests per ${windowSeconds} s exceeded; retry in ${retryAfter} s`, undefined, {
            headers: { 'Retry-After': retryAfter },
          });
        }
      });
    },
    async stop() {
      await counters?.flush();
    },
  };
}
