import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { Components } from '../../reference/core/components';
import { RATE_LIMIT_FLUSH_MS, RateCounters } from '../../reference/core/rate-limit';
import type { Logger } from '../../reference/log';
import { Timers } from '../../reference/timers';
import { sleep, TestReference, withRedis } from './helpers';

const WINDOW = 86_400;

describe('rate limiting', () => {
  let ref: TestReference;
  let token: string;
  let userId: string;

  before(async () => {
    // Day-long windows: a window boundary in the middle of the test would reset the counts.
    ref = await TestReference.start('ratelimit', { rateLimit: { requests: 3, windowSeconds: WINDOW } });
    const session = await ref.login();
    token = session.token;
    userId = session.user.id;
  });

  after(async () => {
    await ref?.close();
  });

  it('counts each client per window, tells it what is left, and answers 429 with Retry-After past the limit', async () => {
    const remaining: string[] = [];
    let resets = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const answer = await ref.request('GET', '/api/v1/vms', { token });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('x-ratelimit-limit'), '3');
      remaining.push(answer.headers.get('x-ratelimit-remaining') ?? '');
      resets.add(answer.headers.get('x-ratelimit-reset') ?? '');
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    resets = new Set([...resets].filter((reset) => reset !== ''));
    const reset = Number([...resets][0]);
    assert.ok(reset % WINDOW === 0 && reset * 1000 > Date.now() && reset * 1000 <= Date.now() + WINDOW * 1000, `X-RateLimit-Reset is ${reset}`);

    const limited = await ref.request('GET', '/api/v1/vms', { token });
    assert.equal(limited.status, 429);
    assert.match(String(limited.body.error), /rate limit of 3 requests per 86400 s exceeded/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    // Retry-After is rounded up to whole seconds at the server's clock, read before ours: up to 2 s apart.
    assert.ok(retryAfter >= 1 && retryAfter <= WINDOW && Math.abs(Date.now() / 1000 + retryAfter - reset) <= 2, `Retry-After is ${retryAfter}`);
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
  });

  it('keeps the count in Redis under <prefix>ratelimit:<user id>:<window start>, expiring with the window', async () => {
    const windowStart = Math.floor(Date.now() / 1000 / WINDOW) * WINDOW;
    const key = `${ref.prefix}ratelimit:${userId}:${windowStart}`;
    const [count, ttl] = await withRedis(async (redis) => {
      // Increments reach Redis within a few flush periods.
      for (let attempt = 0; attempt < 100 && Number(await redis.get(key)) < 4; attempt++) await sleep(RATE_LIMIT_FLUSH_MS);
      return [Number(await redis.get(key)), await redis.ttl(key)];
    });
    assert.equal(count, 4, `the shared counter ${key} holds ${count}`);
    assert.ok(ttl > WINDOW - 60 && ttl <= WINDOW + 1, `the counter expires in ${ttl} s`);
  });

  it('counts anonymous callers by address, apart from signed-in users, and leaves /health and /api/auth alone', async () => {
    const anonymous = await ref.request('GET', '/api/v1/health');
    assert.equal(anonymous.status, 200);
    assert.equal(anonymous.headers.get('x-ratelimit-remaining'), '2');
    assert.equal((await ref.request('GET', '/health')).headers.get('x-ratelimit-limit'), null);
    assert.equal((await ref.request('POST', '/api/auth/login', { body: {} })).headers.get('x-ratelimit-limit'), null);
  });

  it('shares the counts between instances that use the same Redis prefix', async () => {
    // The first test left this user at 4 requests in the shared counter; the peer allows 6.
    const other = await TestReference.start('ratelimit-peer', { rateLimit: { requests: 6, windowSeconds: WINDOW } }, { schema: ref.schema, prefix: ref.prefix });
    try {
      const peerToken = (await other.login()).token;
      const first = await other.request('GET', '/api/v1/vms', { token: peerToken });
      assert.equal(first.headers.get('x-ratelimit-remaining'), '5', 'the peer counts its own request at once');
      const key = `${ref.prefix}ratelimit:${userId}:${Math.floor(Date.now() / 1000 / WINDOW) * WINDOW}`;
      await withRedis(async (redis) => {
        for (let attempt = 0; attempt < 100 && Number(await redis.get(key)) < 5; attempt++) await sleep(RATE_LIMIT_FLUSH_MS);
      });
      const second = await other.request('GET', '/api/v1/vms', { token: peerToken });
      assert.equal(second.headers.get('x-ratelimit-remaining'), '0', 'the peer ignores the requests counted by the first instance');
      assert.equal((await other.request('GET', '/api/v1/vms', { token: peerToken })).status, 429);
    } finally {
      await other.close();
    }
  });

  it("applies a user's own limit set by an admin, counted in Redis before each answer", async () => {
    const own = await TestReference.start('ratelimit-own');
    try {
      const admin = await own.adminToken();
      const operator = await own.userToken('operator', admin);
      const set = await own.request('PUT', `/api/v1/users/${operator.id}/rate-limit`, { token: admin, body: { limit: 5, window_seconds: 3600 } });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body, { user_id: operator.id, limit: 5, window_seconds: 3600 });
      const windowStart = Math.floor(Date.now() / 1000 / 3600) * 3600;
      const key = `${own.prefix}ratelimit:${operator.id}:${windowStart}`;
      const seen: [number, string | null, string | null][] = [];
      for (let i = 1; i <= 6; i++) {
        const answer = await own.request('GET', '/api/v1/vms', { token: operator.token });
        const stored = Number(await withRedis((redis) => redis.get(key)));
        assert.equal(stored, i, `after request ${i} Redis counts ${stored}`);
        seen.push([answer.status, answer.headers.get('x-ratelimit-limit'), answer.headers.get('x-ratelimit-remaining')]);
        if (i === 6) {
          const untilReset = windowStart + 3600 - Date.now() / 1000;
          assert.ok(Math.abs(Number(answer.headers.get('retry-after')) - untilReset) <= 1, 'Retry-After is the time to the window reset');
        }
      }
      assert.deepEqual(seen, [
        [200, '5', '4'],
        [200, '5', '3'],
        [200, '5', '2'],
        [200, '5', '1'],
        [200, '5', '0'],
        [429, '5', '0'],
      ]);
      assert.equal((await own.request('GET', '/api/v1/vms', { token: admin })).headers.get('x-ratelimit-limit'), '100000', 'the admin kept the default limit');
      const invalid = await own.request<{ details: { field: string }[] }>('PUT', `/api/v1/users/${operator.id}/rate-limit`, {
        token: admin,
        body: { limit: 0, window_seconds: 7200 },
      });
      assert.equal(invalid.status, 400);
      assert.deepEqual(invalid.body.details.map((detail) => detail.field), ['limit', 'window_seconds']);
      assert.equal((await own.request('PUT', '/api/v1/users/usr-unknown/rate-limit', { token: admin, body: { limit: 5, window_seconds: 60 } })).status, 404);
      const viewer = await own.userToken('viewer', admin);
      assert.equal((await own.request('PUT', `/api/v1/users/${viewer.id}/rate-limit`, { token: viewer.token, body: { limit: 5, window_seconds: 60 } })).status, 403);
    } finally {
      await own.close();
    }
  });

  it('keeps limiting in memory while Redis is failed, and writes nothing to it', async () => {
    const isolated = await TestReference.start('ratelimit-noredis', { rateLimit: { requests: 3, windowSeconds: WINDOW } });
    try {
      const session = await isolated.login();
      assert.equal((await isolated.request('POST', '/api/v1/simulation/components/redis/fail', { token: session.token })).status, 200);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await isolated.request('GET', '/api/v1/vms', { token: session.token })).status);
      assert.deepEqual(statuses, [200, 200, 429]);
      await sleep(RATE_LIMIT_FLUSH_MS * 4);
      const windowStart = Math.floor(Date.now() / 1000 / WINDOW) * WINDOW;
      const stored = await withRedis((redis) => redis.exists(`${isolated.prefix}ratelimit:${session.user.id}:${windowStart}`));
      assert.equal(stored, 0, 'the counter was written to a failed Redis');
    } finally {
      await isolated.close();
    }
  });
});

describe('rate counters', () => {
  /** A Redis whose increments answer only when the test says so. */
  function slowRedis() {
    let total = 0;
    const waiting: (() => void)[] = [];
    const redis = {
      defineCommand: () => undefined,
      novacronRateIncrement: (_key: string, increment: number) =>
        new Promise<number>((resolve) => waiting.push(() => resolve((total += increment)))),
    };
    return { redis, answerAll: () => waiting.splice(0).forEach((answer) => answer()) };
  }
  const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

  it('keeps counting the requests whose increments are on their way to Redis', async () => {
    const { redis, answerAll } = slowRedis();
    const timers = new Timers(quiet as unknown as Logger);
    const counters = new RateCounters({ redis: redis as unknown as Redis, components: new Components(), timers, log: quiet as unknown as Logger });
    try {
      const windowEnd = Date.now() + 60_000;
      for (let i = 1; i <= 3; i++) assert.equal(counters.hit('k', windowEnd, 61), i);
      const flushing = counters.flush();
      assert.equal(counters.hit('k', windowEnd, 61), 4, 'a request while the first three are being sent');
      const exact = counters.hitNow('k', windowEnd, 61);
      answerAll();
      await flushing;
      assert.equal(await exact, 5);
      assert.equal(counters.hit('k', windowEnd, 61), 6);
    } finally {
      answerAll();
      timers.stopAll();
    }
  });
});
