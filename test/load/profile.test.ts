import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brokenThresholds, checkThreshold, describeExecutor, runProfile, scaleProfile, validateProfile, type LoadProfile } from '../../support/load/profile';
import type { LoadResult } from '../../support/load/result';
import { LoadTestRunner } from '../../support/load/runner';
import { ArrivalSchedule, StagedArrivals, StagedUsers } from '../../support/load/schedule';
import { LOAD_PROFILES, stagesFromTable, userLoadProfile } from '../../support/tasks/load-profiles';

const offsets = (schedule: { total: number; offsetMs(k: number): number }): number[] => Array.from({ length: schedule.total }, (_, k) => schedule.offsetMs(k));
const close = (actual: number[], expected: number[]): void => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, k) => assert.ok(Math.abs(value - (expected[k] ?? NaN)) < 1e-6, `request ${k}: ${value} vs ${expected[k]}`));
};

describe('staged arrivals (ramping arrival rate)', () => {
  it('is the constant-rate schedule when the rate never moves', () => {
    close(offsets(new StagedArrivals(20, [{ durationMs: 3000, target: 20 }])), offsets(new ArrivalSchedule(20, 3000)));
  });

  it("is the open model's ramp-up when the rate rises from 0 and then holds", () => {
    close(offsets(new StagedArrivals(0, [{ durationMs: 1000, target: 50 }, { durationMs: 2000, target: 50 }])), offsets(new ArrivalSchedule(50, 3000, 1000)));
  });

  it('plans the integral of the rate over rising, holding and falling stages, in order and inside the run', () => {
    const schedule = new StagedArrivals(5, [{ durationMs: 20_000, target: 40 }, { durationMs: 20_000, target: 40 }, { durationMs: 10_000, target: 5 }]);
    assert.equal(schedule.total, (5 + 40) / 2 * 20 + 40 * 20 + (40 + 5) / 2 * 10);
    const all = offsets(schedule);
    all.forEach((offset, k) => assert.ok(offset >= (all[k - 1] ?? 0) && offset < 50_000, `request ${k} at ${offset}`));
    // the rate at the peak: 40 requests in any second of the holding stage
    assert.equal(all.filter((offset) => offset >= 25_000 && offset < 26_000).length, 40);
    // the falling stage sends fewer requests in its last second than in its first
    assert.ok(all.filter((o) => o >= 49_000).length < all.filter((o) => o >= 40_000 && o < 41_000).length);
  });

  it('refuses stages that send nothing or last no time, naming the stage', () => {
    assert.throws(() => new StagedArrivals(0, [{ durationMs: 1000, target: 0 }]), /^Error: ramping arrival rate: its stages send no request/);
    assert.throws(() => new StagedArrivals(1, [{ durationMs: 0, target: 5 }]), /^Error: ramping arrival rate: stage 1 lasts 0 ms, expected a positive number of ms$/);
  });
});

describe('staged users (ramping users)', () => {
  it("starts user i at i x ramp-up / users, as the closed model's ramp-up does", () => {
    const users = new StagedUsers(0, [{ durationMs: 10_000, target: 50 }, { durationMs: 20_000, target: 50 }]);
    assert.equal(users.maxUsers, 50);
    for (const i of [0, 1, 7, 49]) assert.ok(Math.abs((users.nextStartMs(i, 0) ?? NaN) - (i * 10_000) / 50) < 1e-9, `user ${i}`);
    assert.equal(users.isActive(49, 15_000), true);
  });

  it('lets users go as the number falls, and brings them back when it rises again', () => {
    const users = new StagedUsers(10, [{ durationMs: 1000, target: 10 }, { durationMs: 1000, target: 0 }, { durationMs: 1000, target: 10 }]);
    assert.equal(users.isActive(9, 500), true);
    assert.equal(users.isActive(9, 1200), false);
    assert.equal(users.isActive(0, 1950), true);
    assert.equal(users.nextStartMs(9, 1200), 2900);
    assert.equal(users.nextStartMs(9, 2950), 2950);
    assert.equal(users.nextStartMs(0, 3000), undefined);
  });
});

const fast = (): Promise<{ status: number }> => sleep(1).then(() => ({ status: 200 }));

function profile(executor: LoadProfile['executor']): LoadProfile {
  return {
    name: 'test-profile',
    description: 'a test',
    executor,
    requests: [
      { name: 'list', path: '/list' },
      { name: 'one', path: '/things/{thing}' },
    ],
    thresholds: [{ metric: 'failure-rate', atMost: 0 }],
  };
}

describe('runProfile: the engine runs any profile', () => {
  const run = (executor: LoadProfile['executor']) => {
    const paths: string[] = [];
    return runProfile(new LoadTestRunner(), profile(executor), {
      progress: false,
      bind: (name, index) => `${name}-${index}`,
      send: (request) => {
        paths.push(request.path);
        return fast();
      },
    }).then((result) => ({ result, paths }));
  };

  it('constant users: every iteration once, requests taken in turn, placeholders filled, one group per request', async () => {
    const { result, paths } = await run({ kind: 'constant-users', users: 3, iterations: 6 });
    assert.equal(result.requests, 6);
    assert.deepEqual([...paths].sort(), ['/list', '/list', '/list', '/things/thing-0', '/things/thing-1', '/things/thing-2']);
    assert.deepEqual(Object.keys(result.groups ?? {}).sort(), ['list', 'one']);
    assert.deepEqual(brokenThresholds(result, [{ metric: 'failure-rate', atMost: 0 }]), []);
  });

  it('constant arrival rate: the open model at the stated rate', async () => {
    const { result } = await run({ kind: 'constant-arrival-rate', rate: 100, durationMs: 500 });
    assert.equal(result.model, 'open');
    assert.equal(result.requests, 50);
    assert.equal(result.targetRate, 100);
  });

  it('ramping arrival rate: the open model on the stages, planned rate their average', async () => {
    const { result } = await run({ kind: 'ramping-arrival-rate', startRate: 0, stages: [{ durationMs: 400, target: 100 }, { durationMs: 200, target: 100 }] });
    assert.equal(result.model, 'open');
    assert.equal(result.requests, 40);
    assert.ok(Math.abs((result.targetRate ?? 0) - 40 / 0.6) < 1e-9);
  });

  it('ramping users: the closed model, never more users than planned, stopping at the end of the stages', async () => {
    const started = performance.now();
    const { result } = await run({ kind: 'ramping-users', startUsers: 1, stages: [{ durationMs: 300, target: 4 }] });
    assert.equal(result.model, 'closed');
    assert.equal(result.concurrency, 4);
    assert.ok(result.requests > 20, `${result.requests} requests`);
    assert.ok(performance.now() - started < 600);
  });

  it('refuses a profile that cannot run, in one line naming it and the field', () => {
    assert.throws(() => validateProfile(profile({ kind: 'constant-users', users: 0, iterations: 5 })), /^Error: load profile "test-profile": users is 0, expected a positive integer$/);
    assert.throws(() => validateProfile(profile({ kind: 'constant-users', users: 2 })), /constant-users needs iterations or durationMs, got neither$/);
    assert.throws(() => validateProfile({ ...profile({ kind: 'constant-arrival-rate', rate: 5, durationMs: 10 }), requests: [] }), /it has no requests/);
    assert.throws(() => validateProfile(profile({ kind: 'ramping-users', startUsers: 0, stages: [] })), /^Error: load profile "test-profile": ramping users: got no stages, expected at least one$/);
  });
});

describe('thresholds', () => {
  const result = { requests: 200, successRate: 0.97, successThroughput: 45, targetRate: 50, latency: { avg: 120, p50: 80, p90: 300, p95: 900, p99: 2500, max: 3000 } } as unknown as LoadResult;
  it('say what they measured and what was expected', () => {
    assert.deepEqual(
      brokenThresholds(result, [
        { metric: 'latency', stat: 'p95', belowMs: 2000 },
        { metric: 'latency', stat: 'p99', belowMs: 2000 },
        { metric: 'failure-rate', atMost: 0.01 },
        { metric: 'throughput', atLeast: 50 },
        { metric: 'planned-rate-achieved', atLeast: 0.9 },
      ]),
      [
        'the 99th percentile response time was 2500.0 ms, expected below 2000 ms',
        '3.00% of 200 requests failed, expected at most 1.00%',
        'the throughput was 45.0 requests per second, expected at least 50',
      ],
    );
    assert.equal(checkThreshold({ ...result, targetRate: undefined }, { metric: 'planned-rate-achieved', atLeast: 0.5 }).holds, false);
  });
});

describe('the suite profiles', () => {
  it('are all valid, kebab-case and named by their key', () => {
    for (const [name, value] of Object.entries(LOAD_PROFILES)) assert.equal(validateProfile(value).name, name);
    assert.deepEqual(Object.keys(LOAD_PROFILES).sort(), ['dashboard-spike', 'dashboard-staged-traffic', 'dashboard-staged-users', 'dashboard-sustained', 'dashboard-users', 'dashboard-views']);
  });

  it("export the spike at the figures of the feature's table", () => {
    const feature = readFileSync(join(__dirname, '..', '..', 'features', 'performance', 'traffic-shapes.feature'), 'utf8').split('\n');
    const from = feature.findIndex((line) => line.includes('Scenario: A sudden spike'));
    const table = feature.slice(from + 2).filter((_, i, rest) => rest.slice(0, i + 1).every((line) => line.trim().startsWith('|')));
    const [header, ...rows] = table.map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    const { start, stages } = stagesFromTable(rows.map((row) => Object.fromEntries(row.map((cell, i) => [header[i], cell]))));
    assert.equal(stages.length, 5);
    assert.deepEqual(LOAD_PROFILES['dashboard-spike']!.executor, { kind: 'ramping-arrival-rate', startRate: start, stages });
  });

  it('state the configured user load as users ramping up, then holding', () => {
    assert.deepEqual(userLoadProfile(50, 300_000, 60_000, 0).executor, { kind: 'ramping-users', startUsers: 0, stages: [{ durationMs: 60_000, target: 50 }, { durationMs: 240_000, target: 50 }], thinkTimeMs: 0 });
    assert.deepEqual(userLoadProfile(5, 10_000, 0, 100).executor, { kind: 'ramping-users', startUsers: 5, stages: [{ durationMs: 10_000, target: 5 }], thinkTimeMs: 100 });
    assert.equal(describeExecutor(userLoadProfile(50, 300_000, 60_000, 0).executor), '0 -> 50 users over 60 s, 50 users for 240 s');
  });

  it('are shortened stage by stage', () => {
    const scaled = scaleProfile(LOAD_PROFILES['dashboard-staged-traffic']!, 0.25);
    assert.equal(describeExecutor(scaled.executor), '5 -> 40 requests per second over 5 s, 40 requests per second for 5 s, 40 -> 5 requests per second over 2.5 s');
  });

  it("read a feature's table of stages, refusing a stage that does not start where the last one ended", () => {
    assert.deepEqual(stagesFromTable([{ from: '5', to: '40', over: '20 seconds' }, { from: '40', to: '40', over: '1 minute' }]), { start: 5, stages: [{ durationMs: 20_000, target: 40 }, { durationMs: 60_000, target: 40 }] });
    assert.throws(() => stagesFromTable([{ from: '5', to: '40', over: '20 seconds' }, { from: '30', to: '40', over: '20 seconds' }]), /^Error: stage 2 starts from 30, but stage 1 ended at 40$/);
    assert.throws(() => stagesFromTable([{ from: '5', to: '40', over: 'a while' }]), /^Error: stage 1: "over" is "a while", expected a duration such as "20 seconds"$/);
  });
});
