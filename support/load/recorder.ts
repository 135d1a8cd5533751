import { emptyErrorCounts, type ErrorCounts, type ErrorKind } from './errors';
import { LatencyHistogram } from './histogram';
import type { GroupResult, LoadModel, LoadResult } from './result';
import { PerSecondSeries, type SeriesPoint } from './series';

const SAMPLES_PER_KIND = 3;
const MAX_GROUPS = 50;

class GroupStats {
  readonly histogram = new LatencyHistogram();
  succeeded = 0;
  failed = 0;
}

export interface LiveSnapshot {
  label: string;
  elapsedMs: number;
  completed: number;
  failed: number;
  inFlight: number;
  p95Ms: number;
  /** planned length of the run, when known */
  plannedMs?: number;
  plannedRequests?: number;
}

export interface RecorderMeta {
  label: string;
  model: LoadModel;
  concurrency?: number;
  targetRate?: number;
}

/** Collects the outcome of every request of one run: histogram, per-second series, errors. */
export class LoadRecorder {
  readonly startedAtMs: number;
  private readonly startedAtIso = new Date().toISOString();
  private readonly histogram = new LatencyHistogram();
  private readonly series: PerSecondSeries;
  private readonly errors: ErrorCounts = emptyErrorCounts();
  private readonly errorSamples: Partial<Record<ErrorKind, string[]>> = {};
  private lastCompletionMs: number;
  private succeededCount = 0;
  private failedCount = 0;
  private completedCount = 0;
  private readonly groups = new Map<string, GroupStats>();
  requested = 0;
  inFlight = 0;
  maxSendLagMs = 0;

  constructor(
    private readonly meta: RecorderMeta,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.startedAtMs = this.now();
    this.lastCompletionMs = this.startedAtMs;
    this.series = new PerSecondSeries(this.startedAtMs);
  }

  clock(): number {
    return this.now();
  }

  succeed(startMs: number, endMs: number, group?: string): void {
    this.succeededCount += 1;
    this.complete(startMs, endMs, true, group);
  }

  fail(startMs: number, endMs: number, kind: ErrorKind, message: string, group?: string): void {
    this.countFailure(kind, message);
    this.complete(startMs, endMs, false, group);
  }

  /** A request that was never sent (the generator's own limit): a failure without a latency. */
  drop(kind: ErrorKind, message: string): void {
    this.countFailure(kind, message);
  }

  /** requests that were answered or failed after being sent (not the dropped ones) */
  get completed(): number {
    return this.completedCount;
  }

  live(): LiveSnapshot {
    return {
      label: this.meta.label,
      elapsedMs: this.now() - this.startedAtMs,
      completed: this.completed,
      failed: this.failedCount,
      inFlight: this.inFlight,
      p95Ms: this.histogram.percentileMs(95),
    };
  }

  seriesSnapshot(): SeriesPoint[] {
    return this.series.snapshot(this.now());
  }

  result(): LoadResult {
    const durationMs = Math.max(this.lastCompletionMs - this.startedAtMs, 0);
    const seconds = durationMs / 1000;
    const requests = Math.max(this.requested, this.succeededCount + this.failedCount);
    return {
      label: this.meta.label,
      model: this.meta.model,
      ...(this.meta.concurrency !== undefined ? { concurrency: this.meta.concurrency } : {}),
      ...(this.meta.targetRate !== undefined ? { targetRate: this.meta.targetRate } : {}),
      startedAt: this.startedAtIso,
      durationMs,
      requests,
      succeeded: this.succeededCount,
      failed: requests - this.succeededCount,
      successRate: requests === 0 ? 1 : this.succeededCount / requests,
      throughput: seconds > 0 ? this.completed / seconds : 0,
      successThroughput: seconds > 0 ? this.succeededCount / seconds : 0,
      latency: this.histogram.summary(),
      errors: { ...this.errors },
      errorSamples: structuredClone(this.errorSamples),
      ...(this.meta.model === 'open' ? { maxSendLagMs: this.maxSendLagMs } : {}),
      series: this.series.snapshot(this.lastCompletionMs),
      ...(this.groups.size > 0 ? { groups: this.groupResults() } : {}),
    };
  }

  private recordGroup(name: string, latencyMs: number, ok: boolean): void {
    let stats = this.groups.get(name);
    if (stats === undefined) {
      if (this.groups.size >= MAX_GROUPS) throw new Error(`load groups: got more than ${MAX_GROUPS} distinct names (at "${name}"), expected a few, e.g. one per endpoint`);
      stats = new GroupStats();
      this.groups.set(name, stats);
    }
    stats.histogram.recordMs(latencyMs);
    if (ok) stats.succeeded += 1;
    else stats.failed += 1;
  }

  private countFailure(kind: ErrorKind, message: string): void {
    this.failedCount += 1;
    this.errors[kind] += 1;
    const samples = (this.errorSamples[kind] ??= []);
    if (samples.length < SAMPLES_PER_KIND && !samples.includes(message)) samples.push(message);
  }

  private groupResults(): Record<string, GroupResult> {
    const groups: Record<string, GroupResult> = {};
    for (const [name, stats] of this.groups) {
      const requests = stats.succeeded + stats.failed;
      groups[name] = { requests, succeeded: stats.succeeded, successRate: requests === 0 ? 1 : stats.succeeded / requests, latency: stats.histogram.summary() };
    }
    return groups;
  }

  private complete(startMs: number, endMs: number, ok: boolean, group: string | undefined): void {
    const latencyMs = endMs - startMs;
    this.completedCount += 1;
    this.histogram.recordMs(latencyMs);
    if (group !== undefined) this.recordGroup(group, latencyMs, ok);
    this.series.record(endMs, latencyMs, ok);
    if (endMs > this.lastCompletionMs) this.lastCompletionMs = endMs;
  }
}
