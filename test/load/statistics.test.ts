import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram } from '../../support/load/histogram';
import { ArrivalSchedule } from '../../support/load/schedule';
import { PerSecondSeries } from '../../support/load/series';
import { loadSettingsFromEnv, GUIDE_LOAD_SETTINGS } from '../../support/load/settings';

const within = (actual: number, expected: number, tolerance: number): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected} ± ${tolerance}, got ${actual}`);

describe('LatencyHistogram', () => {
  it('gives percentiles of a uniform 1..1000 ms distribution to 0.1%', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms += 1) histogram.recordMs(ms);
    const summary = histogram.summary();
    assert.equal(summary.count, 1000);
    within(summary.avg, 500.5, 0.001);
    within(summary.p50, 500, 0.5);
    within(summary.p95, 950, 1);
    within(summary.p99, 990, 1);
    assert.equal(summary.min, 1);
    assert.equal(summary.max, 1000);
  });

  it('keeps sub-millisecond resolution and clamps negative latencies to zero', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(0.25);
    histogram.recordMs(-3);
    const summary = histogram.summary();
    assert.equal(summary.min, 0);
    assert.equal(summary.max, 0.25);
    within(summary.avg, 0.125, 0.001);
  });

  it('shows a 1% tail in p99 but not in p95', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 990; i += 1) histogram.recordMs(2);
    for (let i = 0; i < 10; i += 1) histogram.recordMs(1000);
    within(histogram.percentileMs(95), 2, 0.01);
    within(histogram.percentileMs(99.5), 1000, 1);
  });

  it('resets to an empty summary', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(5);
    histogram.reset();
    assert.deepEqual(histogram.summary(), { count: 0, min: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });
  });

  it('records values beyond its initial range (a latency of two hours)', () => {
    const histogram = new LatencyHistogram();
    histogram.recordMs(7_200_000);
    within(histogram.summary().max, 7_200_000, 1);
  });
});

describe('PerSecondSeries', () => {
  it('buckets by completion second and keeps empty seconds as zero points', () => {
    const series = new PerSecondSeries(1000);
    series.record(1100, 5, true);
    series.record(1900, 7, false);
    series.record(4200, 9, true);
    const points = series.snapshot(4500);
    assert.deepEqual(points.map((p) => [p.second, p.completed, p.failed]), [[0, 2, 1], [1, 0, 0], [2, 0, 0], [3, 1, 0]]);
    within(points[0].max, 7, 0.01);
  });
});

describe('ArrivalSchedule', () => {
  it('spaces requests evenly at a constant rate', () => {
    const schedule = new ArrivalSchedule(20, 60_000);
    assert.equal(schedule.total, 1200);
    assert.equal(schedule.offsetMs(0), 0);
    within(schedule.offsetMs(1), 50, 1e-9);
    within(schedule.offsetMs(1199), 59_950, 1e-6);
  });

  it('ramps the rate up linearly: half the requests of the ramp period', () => {
    const schedule = new ArrivalSchedule(100, 10_000, 4_000);
    assert.equal(schedule.total, 200 + 600); // 100/s * 4 s / 2, then 100/s * 6 s
    for (let k = 1; k < schedule.total; k += 1) assert.ok(schedule.offsetMs(k) > schedule.offsetMs(k - 1));
    assert.ok(schedule.offsetMs(schedule.total - 1) < 10_000);
    assert.ok(schedule.offsetMs(10) > 10 * 10, 'slower than the full rate during the ramp');
  });

  it('rejects a rate, duration or ramp that cannot work', () => {
    assert.throws(() => new ArrivalSchedule(0, 1000), /arrival rate: got 0/);
    assert.throws(() => new ArrivalSchedule(10, 1000, 2000), /ramp-up: got 2000 ms/);
  });
});

describe('load settings', () => {
  it('defaults to the guide (50 users, 300000 ms, 60000 ms ramp-up)', () => {
    assert.deepEqual(loadSettingsFromEnv({}), GUIDE_LOAD_SETTINGS);
    assert.deepEqual(GUIDE_LOAD_SETTINGS, { users: 50, durationMs: 300_000, rampUpMs: 60_000, thinkTimeMs: 0 });
  });

  it('reads LOAD_TEST_* and names a bad value', () => {
    assert.deepEqual(loadSettingsFromEnv({ LOAD_TEST_USERS: '10', LOAD_TEST_DURATION: '60000', LOAD_TEST_RAMPUP: '0', LOAD_TEST_THINK_TIME: '250' }), {
      users: 10,
      durationMs: 60_000,
      rampUpMs: 0,
      thinkTimeMs: 250,
    });
    assert.throws(() => loadSettingsFromEnv({ LOAD_TEST_USERS: 'ten' }), /^Error: LOAD_TEST_USERS: got "ten", expected an integer >= 1$/);
  });
});
