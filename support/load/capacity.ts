import type { LoadResult } from './result';
import type { LoadOperation, LoadTestRunner } from './runner';

export interface CapacityLimits {
  /** a step fails when more than this fraction of its requests fail (0-1) */
  maxErrorRate: number;
  /** a step fails when its 99th percentile is above this */
  maxP99Ms: number;
}

export interface CapacityStep {
  concurrency: number;
  result: LoadResult;
  withinLimits: boolean;
  /** why the step is over the limits */
  breach?: string;
}

export interface CapacityReport {
  limits: CapacityLimits;
  steps: CapacityStep[];
  /** the highest concurrency whose step stayed within the limits (0 when none did) */
  maxSustainableConcurrency: number;
  /** the highest successful throughput among the steps within the limits, requests per second */
  maxSustainableThroughput: number;
  /** the first concurrency over the limits, when one was reached */
  limitReachedAt?: number;
}

export interface CapacityOptions {
  /** concurrency of each step, increasing, e.g. [5, 10, 20, 40, 80] */
  steps: number[];
  stepDurationMs: number;
  limits: CapacityLimits;
  label?: string;
  /** called after each step, e.g. to print a line */
  onStep?: (step: CapacityStep) => void;
}

export function breachOf(result: LoadResult, limits: CapacityLimits): string | undefined {
  const errorRate = 1 - result.successRate;
  if (errorRate > limits.maxErrorRate) return `error rate ${(errorRate * 100).toFixed(1)}% above ${(limits.maxErrorRate * 100).toFixed(1)}%${errorKinds(result)}`;
  if (result.latency.p99 > limits.maxP99Ms) return `p99 ${result.latency.p99.toFixed(1)} ms above ${limits.maxP99Ms} ms`;
  return undefined;
}

/** ` (4xx 5210, e.g. "..."; timeout 3)`: what the failed requests were. */
function errorKinds(result: LoadResult): string {
  const kinds = (Object.entries(result.errors) as [keyof LoadResult['errors'], number][]).filter(([, count]) => count > 0);
  if (kinds.length === 0) return '';
  return ` (${kinds.map(([kind, count]) => `${kind} ${count}${result.errorSamples[kind]?.[0] ? `, e.g. "${result.errorSamples[kind]?.[0]}"` : ''}`).join('; ')})`;
}

/**
 * Raises the concurrency step by step (closed model) until a step crosses the error-rate or p99
 * limit, and reports the highest concurrency and throughput that stayed within them.
 */
export async function findCapacity(runner: Pick<LoadTestRunner, 'runClosed'>, operation: LoadOperation, options: CapacityOptions): Promise<CapacityReport> {
  if (options.steps.length === 0) throw new Error('capacity steps: got an empty list, expected increasing concurrencies');
  options.steps.forEach((concurrency, index) => {
    if (!Number.isInteger(concurrency) || concurrency < 1 || (index > 0 && concurrency <= options.steps[index - 1])) {
      throw new Error(`capacity steps: got [${options.steps.join(', ')}], expected increasing positive integers`);
    }
  });
  const steps: CapacityStep[] = [];
  for (const concurrency of options.steps) {
    const result = await runner.runClosed(operation, {
      concurrency,
      durationMs: options.stepDurationMs,
      label: `${options.label ?? 'capacity'} at ${concurrency} concurrent`,
      progress: false,
    });
    const breach = breachOf(result, options.limits);
    const step: CapacityStep = { concurrency, result, withinLimits: breach === undefined, ...(breach ? { breach } : {}) };
    steps.push(step);
    options.onStep?.(step);
    if (breach) break;
  }
  const sustainable = steps.filter((step) => step.withinLimits);
  const best = sustainable[sustainable.length - 1];
  const reached = steps.find((step) => !step.withinLimits);
  return {
    limits: options.limits,
    steps,
    maxSustainableConcurrency: best?.concurrency ?? 0,
    maxSustainableThroughput: best ? Math.max(...sustainable.map((step) => step.result.successThroughput)) : 0,
    ...(reached ? { limitReachedAt: reached.concurrency } : {}),
  };
}
