import { spawn } from 'node:child_process';
import IORedis from 'ioredis';
import { describeProblem, freePort, probeRedis, REDIS_PROBE_TIMEOUT_MS, retryUntil } from './probes';
import type { ProvidedService } from './service';
import { EnvironmentError } from './target';

const CONTAINER_IMAGE = 'redis:7-alpine';

/** A private redis-server on a free loopback port, without persistence. */
export async function startRedisServer(binary: string, startupTimeoutMs: number, signal?: AbortSignal): Promise<ProvidedService> {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => void output.push(...chunk.toString().split('\n').filter(Boolean).slice(-10));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      output.push(describeProblem(error));
      exited = true;
      resolve();
    });
  });

  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(timer);
  };
  const ready = await retryUntil(
    async (remaining) => {
      if (exited) return { ok: false, problem: 'it exited', giveUp: true };
      if (signal?.aborted) return { ok: false, problem: 'the start was cancelled', giveUp: true };
      return probeRedis(url, Math.min(REDIS_PROBE_TIMEOUT_MS, remaining));
    },
    startupTimeoutMs,
    50,
  );
  if (!ready.ok) {
    await stop();
    throw new EnvironmentError(
      `redis-server (${binary}) did not start on port ${port}: ${ready.lastProblem}; last output: ${output.slice(-3).join(' | ') || 'none'}`,
    );
  }
  return {
    url,
    started: {
      label: 'redis-server',
      stop,
      killNow: () => {
        if (!exited) child.kill('SIGKILL');
      },
    },
  };
}

/** redis:7-alpine through testcontainers (imported only here: it needs a Docker engine). */
export async function startRedisContainer(): Promise<ProvidedService> {
  try {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer(CONTAINER_IMAGE).start();
    return {
      url: container.getConnectionUrl(),
      started: { label: `Redis container (${CONTAINER_IMAGE})`, stop: async () => void (await container.stop()) },
    };
  } catch (error) {
    throw new EnvironmentError(`the Redis container (${CONTAINER_IMAGE}) could not be started: ${describeProblem(error)}`);
  }
}

/** Deletes every key that starts with `prefix` (SCAN + UNLINK); returns how many. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (prefix === '') throw new EnvironmentError('refusing to delete Redis keys without a prefix (that would be every key)');
  const client = new IORedis(url, { lazyConnect: true, connectTimeout: 2000, commandTimeout: 10_000, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    client.disconnect();
  }
}

/** Escapes Redis glob characters so a prefix matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);
}
