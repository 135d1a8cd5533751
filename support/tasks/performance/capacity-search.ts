/** The scalability limits: concurrency raised step by step until a stated service limit breaks, and the maximum sustained within the limits. */
import assert from 'node:assert/strict';
import { breachOf, findCapacity, LoadTestRunner, renderLoadReportHtml, type CapacityLimits, type CapacityReport } from '../../load';
import type { NovaWorld } from '../../world';
import { dashboardRequests } from '../load-profiles';
import { effectiveDurationMs } from './durations';
import { loadClient, withClient } from './load-client';
import { announce } from './load-figures';
import { createLoadAccounts } from './load-fixtures';

/**
 * The stress load is spread over this many accounts so that it measures capacity, not the per-client
 * rate limit: at the reference's default of 100,000 requests a minute per client, 32 accounts carry
 * over 50,000 requests a second for a minute.
 */
const STRESS_ACCOUNTS = 32;

interface CapacityState {
  limits?: CapacityLimits;
  /** The steps the capacity search was asked to take, and how long each was to last. */
  plan?: { steps: number[]; stepDurationMs: number };
  capacity?: CapacityReport;
}

function search(world: NovaWorld): CapacityState {
  return world.domain('performance-capacity', (): CapacityState => ({}));
}

export function setServiceLimits(world: NovaWorld, maxErrorRate: number, maxP99Ms: number): void {
  search(world).limits = { maxErrorRate, maxP99Ms };
}

export async function raiseConcurrency(world: NovaWorld, from: number, to: number, statedStepMs: number): Promise<void> {
  const state = search(world);
  const limits = state.limits;
  if (!limits) throw new Error('no service limits were stated: add "Given the service limits are: ..."');
  if (!(from >= 1 && to >= from)) throw new Error(`concurrency steps: got ${from} to ${to}, expected 1 <= from <= to`);
  const steps: number[] = [];
  for (let concurrency = from; concurrency <= to; concurrency *= 2) steps.push(concurrency);
  const stepDurationMs = effectiveDurationMs(world, statedStepMs);
  state.plan = { steps, stepDurationMs };
  const tokens = await createLoadAccounts(world, STRESS_ACCOUNTS);
  announce(world, `🔄 Raising concurrent requests to the virtual machine list through ${steps.join(', ')}, ${stepDurationMs / 1000} s per step...`);
  const listPath = dashboardRequests(['virtual machine list'])[0].path;
  state.capacity = await withClient(loadClient(world, to, null), (client) =>
    findCapacity(
      new LoadTestRunner(),
      ({ index }) => client.send({ path: listPath, headers: { authorization: `Bearer ${tokens[index % tokens.length]}` } }),
      {
        steps,
        stepDurationMs,
        limits,
        label: 'VM list',
        onStep: (step) =>
          announce(
            world,
            `  ${String(step.concurrency).padStart(4)} concurrent: ${step.result.successThroughput.toFixed(0)} req/s, p99 ${step.result.latency.p99.toFixed(1)} ms, ${(100 * (1 - step.result.successRate)).toFixed(2)}% failed${step.breach ? ` - over the limits: ${step.breach}` : ''}`,
          ),
      },
    ),
  );
}

/**
 * The maximum sustainable concurrency and throughput are recorded, and they follow from the steps
 * that ran: the planned steps in order, each measured for its whole duration, the search stopped at
 * the first step over the limits (and only there), each verdict agrees with the step's own figures,
 * and the maximum is the last step within the limits and the best throughput among those steps.
 */
export function reportCapacity(world: NovaWorld): void {
  const { capacity, plan } = search(world);
  if (!capacity || !plan) throw new Error('no capacity search has run in this scenario');
  const ran = capacity.steps.map((step) => step.concurrency);
  assert.deepEqual(ran, plan.steps.slice(0, ran.length), `the capacity search ran the steps ${ran.join(', ')}, not the planned ${plan.steps.join(', ')}`);
  for (const step of capacity.steps) {
    const { result } = step;
    assert.ok(result.requests > 0, `the step at ${step.concurrency} concurrent requests sent nothing`);
    assert.ok(result.durationMs >= 0.9 * plan.stepDurationMs, `the step at ${step.concurrency} concurrent requests lasted ${result.durationMs.toFixed(0)} ms, not the ${plan.stepDurationMs} ms planned`);
    assert.equal(step.breach, breachOf(result, capacity.limits), `the verdict on the step at ${step.concurrency} concurrent requests does not follow from its figures`);
    assert.equal(step.withinLimits, step.breach === undefined, `the step at ${step.concurrency} concurrent requests is both over and within the limits`);
  }
  const over = capacity.steps.findIndex((step) => !step.withinLimits);
  if (over >= 0) assert.equal(over, capacity.steps.length - 1, `the capacity search went on after the limits were crossed at ${capacity.steps[over].concurrency}`);
  else assert.equal(ran.length, plan.steps.length, `the capacity search stopped at ${ran[ran.length - 1]} although no step crossed the limits`);
  assert.equal(capacity.limitReachedAt, over >= 0 ? capacity.steps[over].concurrency : undefined, 'the capacity search names another step as the one that crossed the limits');
  const within = capacity.steps.filter((step) => step.withinLimits);
  assert.equal(capacity.maxSustainableConcurrency, within.length > 0 ? within[within.length - 1].concurrency : 0, 'the maximum sustainable concurrency is not the last step within the limits');
  assert.equal(
    capacity.maxSustainableThroughput,
    within.length > 0 ? Math.max(...within.map((step) => step.result.successThroughput)) : 0,
    'the maximum sustainable throughput is not the best throughput of the steps within the limits',
  );
  if (within.length > 0) assert.ok(capacity.maxSustainableThroughput > 0, 'steps stayed within the limits but none answered a request');
  world.metrics.record('max-sustainable-concurrency', capacity.maxSustainableConcurrency, 'concurrent requests');
  world.metrics.record('max-sustainable-throughput', capacity.maxSustainableThroughput, 'requests/s');
  world.metrics.detail('capacity', capacity);
  const reached = capacity.limitReachedAt === undefined ? `no step crossed the limits up to ${capacity.steps[capacity.steps.length - 1].concurrency}` : `the limits were crossed at ${capacity.limitReachedAt}`;
  announce(world, `📈 Maximum sustainable: ${capacity.maxSustainableConcurrency} concurrent requests, ${capacity.maxSustainableThroughput.toFixed(0)} requests/s (${reached})`);
  world.attach(renderLoadReportHtml({ title: 'Scalability limits', capacity, limits: { p99Ms: capacity.limits.maxP99Ms } }), 'text/html');
}

export function expectSustainedConcurrency(world: NovaWorld, atLeast: number): void {
  const { capacity } = search(world);
  if (!capacity) throw new Error('no capacity search has run in this scenario');
  assert.ok(
    capacity.maxSustainableConcurrency >= atLeast,
    `only ${capacity.maxSustainableConcurrency} concurrent requests were sustained within the limits (crossed at ${capacity.limitReachedAt}: ${capacity.steps.find((s) => s.breach)?.breach}), expected at least ${atLeast}`,
  );
}
