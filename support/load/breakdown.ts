import { classifyError, describeError, emptyErrorCounts, failureOf, type ErrorCounts } from './errors';
import { LatencyHistogram } from './histogram';
import type { GroupResult } from './result';

interface OperationStats {
  histogram: LatencyHistogram;
  succeeded: number;
  failed: number;
  errors: ErrorCounts;
  samples: string[];
}

export interface OperationResult extends GroupResult {
  errors: ErrorCounts;
  errorSamples: string[];
}

/**
 * Times the operations inside one load request (e.g. the create, stop, start and delete of a
 * lifecycle journey), per operation name: HDR latency, successes and failures by kind.
 */
export class OperationBreakdown {
  private readonly operations = new Map<string, OperationStats>();

  /** Runs `work`, timing it under `name`; a thrown error is recorded and thrown again. */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const stats = this.stats(name);
    const started = performance.now();
    try {
      const value = await work();
      const failure = failureOf(value);
      stats.histogram.recordMs(performance.now() - started);
      if (failure === null) stats.succeeded += 1;
      else this.countFailure(stats, failure.kind, `${name}: ${failure.message}`);
      return value;
    } catch (error) {
      stats.histogram.recordMs(performance.now() - started);
      this.countFailure(stats, classifyError(error), `${name}: ${describeError(error)}`);
      throw error;
    }
  }

  results(): Record<string, OperationResult> {
    const results: Record<string, OperationResult> = {};
    for (const [name, stats] of this.operations) {
      const requests = stats.succeeded + stats.failed;
      results[name] = {
        requests,
        succeeded: stats.succeeded,
        successRate: requests === 0 ? 1 : stats.succeeded / requests,
        latency: stats.histogram.summary(),
        errors: { ...stats.errors },
        errorSamples: [...stats.samples],
      };
    }
    return results;
  }

  private stats(name: string): OperationStats {
    let stats = this.operations.get(name);
    if (!stats) {
      stats = { histogram: new LatencyHistogram(), succeeded: 0, failed: 0, errors: emptyErrorCounts(), samples: [] };
      this.operations.set(name, stats);
    }
    return stats;
  }

  private countFailure(stats: OperationStats, kind: keyof ErrorCounts, message: string): void {
    stats.failed += 1;
    stats.errors[kind] += 1;
    if (stats.samples.length < 3 && !stats.samples.includes(message)) stats.samples.push(message);
  }
}
