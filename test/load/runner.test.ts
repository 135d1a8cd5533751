import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationBreakdown } from '../../support/load/breakdown';
import { LoadFailure } from '../../support/load/errors';
import { LoadTestRunner } from '../../support/load/runner';

const quiet = { progress: false } as const;

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked, as in a long GC pause of the generator's host
  }
}

/** A fake server with one connection: requests are served one at a time, 1 ms each; it freezes once. */
function serialServer(stallAtMs: number, stallMs: number): () => Promise<{ status: number }> {
  const startedAt = performance.now();
  let queue = Promise.resolve();
  let stalled = false;
  return () => {
    const served = queue.then(async () => {
      if (!stalled && performance.now() - startedAt >= stallAtMs) {
        stalled = true;
        await sleep(stallMs);
      }
      await sleep(1);
    });
    queue = served;
    return served.then(() => ({ status: 200 }));
  };
}

describe('closed model', () => {
  it('handles every request once with at most `concurrency` in flight', async () => {
    const runner = new LoadTestRunner();
    const seen: number[] = [];
    const handlerMs: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const result = await runner.executeConcurrentRequests(
      Array.from({ length: 100 }, (_, i) => i),
      async (item) => {
        const began = performance.now();
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await sleep(2);
        seen.push(item);
        inFlight -= 1;
        handlerMs.push(performance.now() - began);
      },
      { concurrency: 10, ...quiet },
    );
    assert.equal(peak, 10);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(result.requests, 100);
    assert.equal(result.succeeded, 100);
    assert.equal(result.successRate, 1);
    // each latency spans its handler's whole run (a 2 ms timer may fire a little early, so measure it);
    // the histogram keeps 3 significant digits
    const medianHandlerMs = [...handlerMs].sort((a, b) => a - b)[49];
    assert.ok(result.latency.p50 >= medianHandlerMs * 0.999, `p50 ${result.latency.p50}, median handler time ${medianHandlerMs}`);
    assert.ok(result.throughput > 0);
  });

  it('counts failures by kind: thrown errors and HTTP statuses', async () => {
    const outcomes = [
      () => Promise.resolve({ status: 201 }),
      () => Promise.resolve({ status: 404 }),
      () => Promise.resolve({ statusCode: 503 }),
      () => Promise.reject(new LoadFailure('timeout', 'took too long')),
      () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
      () => Promise.reject(new Error('boom')),
    ];
    const result = await new LoadTestRunner().executeConcurrentRequests(outcomes, (outcome) => outcome(), { concurrency: 2, ...quiet });
    assert.deepEqual(result.errors, { timeout: 1, connection: 1, '4xx': 1, '5xx': 1, other: 1 });
    assert.equal(result.succeeded, 1);
    assert.equal(result.failed, 5);
    assert.deepEqual(result.errorSamples['4xx'], ['HTTP 404']);
    assert.deepEqual(result.errorSamples.connection, ['connect ECONNREFUSED 127.0.0.1:1']);
  });

  it('starts workers over the ramp-up and pauses each one for the think time', async () => {
    const starts: number[] = [];
    const t0 = performance.now();
    const result = await new LoadTestRunner().runClosed(
      async ({ worker }) => {
        if (starts[worker] === undefined) starts[worker] = performance.now() - t0;
      },
      { concurrency: 4, rampUpMs: 400, thinkTimeMs: 50, durationMs: 700, ...quiet },
    );
    assert.ok(starts[0] < 100, `worker 0 starts at once (${starts[0]})`);
    assert.ok(starts[3] >= 290, `worker 3 starts after 3/4 of the ramp (${starts[3]})`);
    // without think time this would be tens of thousands of requests
    assert.ok(result.requests <= 4 * (700 / 50) + 4, `requests ${result.requests}`);
    assert.ok(result.latency.max < 50, `think time (50 ms) is not latency: max ${result.latency.max}`);
  });

  it('stops handing out requests at the end of the duration', async () => {
    const t0 = performance.now();
    const result = await new LoadTestRunner().runClosed(() => sleep(5), { concurrency: 3, durationMs: 300, ...quiet });
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 300 && elapsed < 600, `elapsed ${elapsed}`);
    assert.ok(result.requests > 30 && result.requests <= 3 * 61, `requests ${result.requests} (3 workers, at least 5 ms each, for 300 ms)`);
  });

  it('rejects an impossible concurrency', () => {
    assert.throws(() => new LoadTestRunner().runClosed(async () => {}, { concurrency: 0, durationMs: 10 }), /^Error: concurrency: got 0, expected a positive integer$/);
  });
});

describe('open model', () => {
  it('sends at the intended rate', async () => {
    const result = await new LoadTestRunner().runOpen(() => sleep(1), { ratePerSecond: 200, durationMs: 1000, ...quiet });
    assert.equal(result.requests, 200);
    assert.equal(result.succeeded, 200);
    assert.ok(result.successThroughput > 180 && result.successThroughput < 220, `throughput ${result.successThroughput}`);
    assert.ok(result.latency.p50 < 100, `p50 ${result.latency.p50}`);
  });

  it('sees a stall of the serving side that the closed model hides (coordinated omission)', async () => {
    const open = await new LoadTestRunner().runOpen(serialServer(1000, 500), { ratePerSecond: 100, durationMs: 3000, ...quiet });
    const closed = await new LoadTestRunner().runClosed(serialServer(1000, 500), { concurrency: 1, durationMs: 3000, ...quiet });
    // 50 of 300 requests were due during the 500 ms stall: they waited 0-500 ms
    assert.ok(open.latency.p95 >= 250, `open p95 ${open.latency.p95}`);
    assert.ok(open.latency.p99 >= 400, `open p99 ${open.latency.p99}`);
    // one closed-model request waited 500 ms, among a thousand or more fast ones
    assert.ok(closed.latency.max >= 490, `closed max ${closed.latency.max}`);
    assert.ok(closed.latency.p99 < 200, `closed p99 ${closed.latency.p99}`);
  });

  it('counts from the intended send time, so a stalled generator cannot hide the stall', async () => {
    setTimeout(() => busyWait(400), 500);
    const result = await new LoadTestRunner().runOpen(() => sleep(1), { ratePerSecond: 100, durationMs: 1500, ...quiet });
    // about 40 requests were due during the blocked 400 ms and sent late: latency up to 400 ms
    assert.ok(result.latency.p99 >= 300, `p99 ${result.latency.p99}`);
    assert.ok(result.maxSendLagMs !== undefined && result.maxSendLagMs >= 300, `send lag ${result.maxSendLagMs}`);
    assert.ok(result.latency.p50 < 150, `p50 ${result.latency.p50}`);
  });

  it('does not send beyond maxInFlight and counts those requests as failed', async () => {
    const result = await new LoadTestRunner().runOpen(() => sleep(300), { ratePerSecond: 100, durationMs: 200, maxInFlight: 5, ...quiet });
    assert.equal(result.requests, 20);
    assert.equal(result.succeeded, 5);
    assert.equal(result.errors.other, 15);
    assert.equal(result.latency.count, 5, 'a request that was never sent has no latency');
  });
});

describe('groups', () => {
  it('gives per-group figures when the run names groups', async () => {
    const endpoints = ['vm list', 'health', 'metrics'];
    const result = await new LoadTestRunner().runClosed(async ({ index }) => ({ status: index % 3 === 2 ? 500 : 200 }), {
      concurrency: 3,
      totalRequests: 30,
      groupOf: ({ index }) => endpoints[index % 3],
      progress: false,
    });
    assert.deepEqual(Object.keys(result.groups ?? {}), endpoints);
    assert.equal(result.groups?.health.requests, 10);
    assert.equal(result.groups?.health.successRate, 1);
    assert.equal(result.groups?.metrics.successRate, 0);
  });
});

describe('operation breakdown', () => {
  it('times the operations inside a journey by name, counting failures by kind', async () => {
    const breakdown = new OperationBreakdown();
    await breakdown.time('create', async () => ({ status: 201 }));
    await breakdown.time('stop', async () => ({ status: 409 }));
    await assert.rejects(breakdown.time('delete', () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))), /socket hang up/);
    const results = breakdown.results();
    assert.equal(results.create.successRate, 1);
    assert.equal(results.stop.errors['4xx'], 1);
    assert.deepEqual(results.stop.errorSamples, ['stop: HTTP 409']);
    assert.equal(results.delete.errors.connection, 1);
    assert.equal(results.delete.latency.count, 1);
  });
});
