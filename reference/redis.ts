import IORedis, { type Redis } from 'ioredis';
import { describeUrl } from './db';
import type { Logger } from './log';

/**
 * An ioredis client that fails fast: the first connection must succeed (else one-line error),
 * later outages make commands fail at once (no offline queue) while it reconnects in the
 * background. Commands issued in the same tick share one round trip (auto-pipelining).
 */
export async function connectRedis(url: string, log: Logger, role = 'commands'): Promise<Redis> {
  let connectedOnce = false;
  let reportedOutage = false;
  const redis = new IORedis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 2_000,
    connectionName: `novacron-reference-${role}`,
    retryStrategy: (attempt) => (connectedOnce ? Math.min(attempt * 200, 2_000) : null),
  });
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    if (!connectedOnce) firstError ??= error;
    if (!connectedOnce || reportedOutage) return;
    reportedOutage = true;
    log.warn(`Redis (${role}) is unreachable, reconnecting: ${error.message}`);
  });
  redis.on('ready', () => {
    if (reportedOutage) log.warn(`Redis (${role}) is reachable again`);
    reportedOutage = false;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = (firstError ?? (error as Error)).message.split('\n')[0];
    throw new Error(`cannot connect to Redis at ${describeUrl(url)}: ${reason}`);
  }
  connectedOnce = true;
  return redis;
}

/** Closes gracefully, or drops the connection when Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(() => reject(new Error('quit timed out')), 1_000).unref())]);
  } catch {
    redis.disconnect();
  }
}

/** Errors ioredis raises while Redis cannot be reached (as opposed to a failed command). */
export function isRedisUnavailable(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'MaxRetriesPerRequestError') return true;
  return /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET/.test(message ?? '');
}
