/**
 * The figures of the scenario's latest load and how they reach the reader: the console summary,
 * the scenario's metrics and the charts attached to the report.
 */
import { formatLoadSummary, formatResourceSummary, renderLoadReportHtml, type LoadReportInput, type LoadResult } from '../../load';
import type { NovaWorld } from '../../world';

interface LoadFigures {
  /** the latest load's result, read by the thresholds */
  result?: LoadResult;
}

function figures(world: NovaWorld): LoadFigures {
  return world.domain('performance', (): LoadFigures => ({}));
}

/** Keeps `result` as the scenario's latest load, the one the thresholds judge. */
export function keepLoadResult(world: NovaWorld, result: LoadResult): void {
  figures(world).result = result;
}

/** The result of the scenario's latest load; fails when no load has run. */
export function latestLoadResult(world: NovaWorld): LoadResult {
  const result = figures(world).result;
  if (!result) throw new Error('no load has run in this scenario yet');
  return result;
}

/** Prints a line of progress or of figures on the console and in the scenario's log. */
export function announce(world: NovaWorld, text: string): void {
  process.stderr.write(`${text}\n`);
  world.log(text);
}

/** Prints the summary, records the key figures and attaches the charts to the report. */
export function publishLoad(world: NovaWorld, title: string, unit: string, extra: Omit<LoadReportInput, 'title'> = {}): void {
  const result = extra.result ?? figures(world).result;
  const lines: string[] = [];
  if (result) {
    lines.push(formatLoadSummary(result, { title, unit }));
    const { metrics } = world;
    metrics.record('load-requests', result.requests, 'requests');
    metrics.record('load-success-rate', 100 * result.successRate, '%');
    metrics.record('load-duration', Math.round(result.durationMs));
    metrics.record('load-throughput', result.successThroughput, `${unit}/s`);
    metrics.record('load-avg', result.latency.avg);
    metrics.record('load-p50', result.latency.p50);
    metrics.record('load-p95', result.latency.p95);
    metrics.record('load-p99', result.latency.p99);
    metrics.record('load-max', result.latency.max);
    metrics.detail('load', result);
  }
  if (extra.resources) {
    lines.push(formatResourceSummary(extra.resources, 'Control plane resources'));
    world.metrics.detail('resources', extra.resources);
    if (extra.resources.available) {
      world.metrics.record('target-cpu', extra.resources.cpuPercent, '% of one core');
      world.metrics.record('target-peak-rss', extra.resources.peakRssMb, 'MB');
      world.metrics.record('target-rss-growth', extra.resources.rssGrowthMb, 'MB');
    }
  }
  if (lines.length > 0) announce(world, lines.join('\n'));
  world.attach(renderLoadReportHtml({ title, ...extra, ...(result ? { result } : {}) }), 'text/html');
}

/** The named percentile of a latency summary (50, 90, 95, 99, or 100 for the maximum). */
export function percentileOf(latency: LoadResult['latency'], percentile: number): number {
  const known: Record<number, number> = { 50: latency.p50, 90: latency.p90, 95: latency.p95, 99: latency.p99, 100: latency.max };
  const value = known[percentile];
  if (value === undefined) throw new Error(`percentile: got ${percentile}, expected one of 50, 90, 95, 99`);
  return value;
}
