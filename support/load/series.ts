import { LatencyHistogram } from './histogram';

/** One second of a load run, for the throughput and latency-over-time charts. */
export interface SeriesPoint {
  /** seconds since the start of the run (the point covers [second, second + 1)) */
  second: number;
  completed: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Per-second throughput and latency, bucketed by completion time. Only the current second holds a
 * histogram; finished seconds are reduced to a few numbers, so memory grows with the run's
 * duration, never with the number of requests.
 */
export class PerSecondSeries {
  private readonly points: SeriesPoint[] = [];
  private readonly current = new LatencyHistogram();
  private currentSecond = 0;
  private completed = 0;
  private failed = 0;

  constructor(private readonly startedAtMs: number) {}

  record(nowMs: number, latencyMs: number, ok: boolean): void {
    this.advanceTo(nowMs);
    this.current.recordMs(latencyMs);
    this.completed += 1;
    if (!ok) this.failed += 1;
  }

  /** The finished points, plus the partial current second when `nowMs` is given. */
  snapshot(nowMs?: number): SeriesPoint[] {
    if (nowMs === undefined) return [...this.points];
    this.advanceTo(nowMs);
    return this.completed > 0 ? [...this.points, this.currentPoint()] : [...this.points];
  }

  private advanceTo(nowMs: number): void {
    const second = Math.max(0, Math.floor((nowMs - this.startedAtMs) / 1000));
    while (second > this.currentSecond) {
      this.points.push(this.currentPoint());
      this.current.reset();
      this.completed = 0;
      this.failed = 0;
      this.currentSecond += 1;
    }
  }

  private currentPoint(): SeriesPoint {
    const latency = this.current.summary();
    return {
      second: this.currentSecond,
      completed: this.completed,
      failed: this.failed,
      p50: latency.p50,
      p95: latency.p95,
      p99: latency.p99,
      max: latency.max,
    };
  }
}
