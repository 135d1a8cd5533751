/** What the scenario's latest load must meet, whatever it was: success and failure rates, response times, throughput, target rate. */
import assert from 'node:assert/strict';
import type { NovaWorld } from '../../world';
import { latestLoadResult, percentileOf } from './load-figures';

export function expectSuccessRate(world: NovaWorld, atLeast: number): void {
  const result = latestLoadResult(world);
  assert.ok(
    result.successRate >= atLeast,
    `${(100 * result.successRate).toFixed(2)}% of ${result.requests} requests succeeded, expected at least ${(100 * atLeast).toFixed(2)}%: ${JSON.stringify(result.errors)} ${JSON.stringify(result.errorSamples)}`,
  );
}

export function expectFailureRate(world: NovaWorld, atMost: number): void {
  const result = latestLoadResult(world);
  const failed = 1 - result.successRate;
  assert.ok(failed <= atMost, `${(100 * failed).toFixed(2)}% of ${result.requests} requests failed, expected at most ${(100 * atMost).toFixed(2)}%: ${JSON.stringify(result.errorSamples)}`);
}

export function expectPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  const value = percentileOf(latestLoadResult(world).latency, percentile);
  assert.ok(value < limitMs, `the ${percentile}th percentile response time was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export function expectAverageBelow(world: NovaWorld, limitMs: number): void {
  const { avg } = latestLoadResult(world).latency;
  assert.ok(avg < limitMs, `the average response time was ${avg.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export function expectThroughputAtLeast(world: NovaWorld, perSecond: number): void {
  const result = latestLoadResult(world);
  assert.ok(result.successThroughput >= perSecond, `the throughput was ${result.successThroughput.toFixed(1)} requests per second, expected at least ${perSecond}`);
}

export function expectTargetRateAchieved(world: NovaWorld, share: number): void {
  const result = latestLoadResult(world);
  const target = result.targetRate ?? 0;
  assert.ok(target > 0, 'the last load had no target rate (it was not an open-model load)');
  const achieved = result.successThroughput / target;
  assert.ok(achieved >= share, `${(100 * achieved).toFixed(1)}% of the target rate of ${target} requests per second was achieved, expected at least ${(100 * share).toFixed(0)}%`);
}
