import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { findCapacity } from '../../support/load/capacity';
import { downsample, renderLoadCharts, renderLoadReportHtml } from '../../support/load/chart';
import { ProgressReporter } from '../../support/load/progress';
import type { LoadResult } from '../../support/load/result';
import { LoadTestRunner } from '../../support/load/runner';
import { formatLoadSummary, formatResourceSummary } from '../../support/load/summary';
import { niceScale } from '../../support/load/svg';

function sampleResult(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    label: 'VM creation',
    model: 'closed',
    concurrency: 20,
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 45234.5,
    requests: 100,
    succeeded: 98,
    failed: 2,
    successRate: 0.98,
    throughput: 2.21,
    successThroughput: 2.1666,
    latency: { count: 100, min: 100, avg: 2150.75, p50: 2000, p90: 3000, p95: 3500, p99: 4900, max: 5000 },
    errors: { timeout: 0, connection: 0, '4xx': 2, '5xx': 0, other: 0 },
    errorSamples: { '4xx': ['HTTP 409'] },
    series: [
      { second: 0, completed: 3, failed: 0, p50: 1900, p95: 2100, p99: 2100, max: 2100 },
      { second: 1, completed: 2, failed: 1, p50: 2000, p95: 3500, p99: 3500, max: 3500 },
    ],
    ...overrides,
  };
}

describe('summary', () => {
  it('prints the guide-style block with percentiles and errors by kind', () => {
    const text = formatLoadSummary(sampleResult(), { title: 'VM Creation Results', unit: 'VMs' });
    assert.match(text, /^📊 VM Creation Results:\n {2}- Total time: 45234\.50ms\n/);
    assert.match(text, /- Success rate: 98\.00%/);
    assert.match(text, /- Average response time: 2150\.75ms/);
    assert.match(text, /- Percentiles: p50 2000\.00ms, p95 3500\.00ms, p99 4900\.00ms, max 5000\.00ms/);
    assert.match(text, /- Throughput: 2\.17 VMs\/second/);
    assert.match(text, /- Errors: 2 \(4xx: 2\)\n {6}4xx: HTTP 409$/);
  });

  it('prints the achieved share of the intended rate for the open model', () => {
    const text = formatLoadSummary(sampleResult({ model: 'open', targetRate: 20, successThroughput: 19 }));
    assert.match(text, /- Achieved rate: 95\.0% of 20 requests\/second/);
  });

  it('prints resources, or why there are none', () => {
    assert.match(formatResourceSummary({ available: false, source: 'x', reason: 'no metrics endpoint' }), /unavailable \(no metrics endpoint\)/);
    const text = formatResourceSummary({ available: true, source: '/proc/1', windowSeconds: 60, cpuPercent: 12.34, cpuPercentOfHost: 6.17, peakCpuPercent: 30, peakRssMb: 85.25, rssGrowthMb: 1.5, peakMemoryPercentOfHost: 0.35, series: [] });
    assert.match(text, /CPU over the window: 12\.3% of one core \(6\.2% of the host\)/);
    assert.match(text, /Peak memory \(RSS\): 85\.3 MB \(0\.35% of host memory\); grew 1\.5 MB over the window/);
  });
});

describe('progress', () => {
  it('writes one line per interval with the rate since the previous line', () => {
    const reporter = new ProgressReporter(() => ({ label: 'x', elapsedMs: 0, completed: 0, failed: 0, inFlight: 0, p95Ms: 0 }), { stream: new PassThrough() });
    reporter.line({ label: 'Sustained load', elapsedMs: 10_000, completed: 200, failed: 0, inFlight: 1, p95Ms: 3.25, plannedMs: 60_000 });
    const line = reporter.line({ label: 'Sustained load', elapsedMs: 20_000, completed: 400, failed: 4, inFlight: 2, p95Ms: 3.25, plannedMs: 60_000 });
    assert.equal(line, '⏳ Sustained load  20s/60s  400 requests  20.0 req/s  p95 3.3ms  errors 4 (1.0%)  in flight 2');
  });

  it('prints every 10 s when the stream is not a terminal', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const reporter = new ProgressReporter(() => ({ label: 'x', elapsedMs: 0, completed: 0, failed: 0, inFlight: 0, p95Ms: 0 }), { stream, pipeSeconds: 0.05 });
    reporter.start();
    await new Promise((resolve) => setTimeout(resolve, 180));
    reporter.stop();
    assert.ok(chunks.length >= 2 && chunks.length <= 4, `lines ${chunks.length}`);
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    // 3 s on a terminal, 10 s otherwise: the interval is derived from the stream
    assert.equal((new ProgressReporter(() => ({ label: 'x', elapsedMs: 0, completed: 0, failed: 0, inFlight: 0, p95Ms: 0 }), { stream: tty }) as unknown as { everyMs: number }).everyMs, 3000);
    assert.equal((new ProgressReporter(() => ({ label: 'x', elapsedMs: 0, completed: 0, failed: 0, inFlight: 0, p95Ms: 0 }), { stream: new PassThrough() }) as unknown as { everyMs: number }).everyMs, 10_000);
  });
});

describe('charts', () => {
  it('renders self-contained SVG charts: percentiles, throughput and latency over time', () => {
    const charts = renderLoadCharts({ title: 'VM creation', result: sampleResult({ targetRate: 20, model: 'open' }), limits: { p95Ms: 2000 } });
    assert.deepEqual(charts.map((chart) => chart.name), ['latency-percentiles', 'throughput-over-time', 'latency-over-time']);
    for (const { svg } of charts) {
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /<\/svg>$/);
      assert.doesNotMatch(svg, /<script|href=|NaN|Infinity/);
    }
    assert.match(charts[0].svg, /p95 limit 2\.00s|p95 limit 2000ms/);
    assert.match(charts[1].svg, /target 20\.0\/s/);
    assert.match(charts[2].svg, /<polyline/);
  });

  it('renders an HTML fragment with key figures, escaping the title', () => {
    const html = renderLoadReportHtml({ title: 'Load <dashboard>', result: sampleResult() });
    assert.match(html, /^<section/);
    assert.match(html, /Load &lt;dashboard&gt;/);
    assert.match(html, /Success rate<\/th><td[^>]*>98\.00%/);
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
  });

  it('renders an empty run without NaN', () => {
    const empty = sampleResult({ requests: 0, series: [], latency: { count: 0, min: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 } });
    for (const { svg } of renderLoadCharts({ title: 'empty', result: empty })) assert.doesNotMatch(svg, /NaN|Infinity/);
  });

  it('merges long series into at most 240 points, keeping the worst percentiles', () => {
    const points = Array.from({ length: 600 }, (_, second) => ({ second, completed: 10, failed: second === 301 ? 10 : 0, p50: 1, p95: 2, p99: second === 301 ? 900 : 3, max: 4 }));
    const merged = downsample(points);
    assert.equal(merged.length, 200);
    assert.equal(merged[0].seconds, 3);
    assert.equal(merged[100].p99, 900);
    assert.equal(merged[100].completed, 10);
  });

  it('picks nice axis steps', () => {
    assert.deepEqual(niceScale(87), { max: 100, step: 20 });
    assert.deepEqual(niceScale(0.42), { max: 0.5, step: 0.1 });
  });
});

describe('capacity search', () => {
  /** A runner whose results are scripted: p99 of 10 ms per concurrent request, errors from 64 on. */
  const scripted = {
    runClosed: async (_operation: unknown, options: { concurrency: number; label?: string }): Promise<LoadResult> =>
      sampleResult({
        label: options.label ?? '',
        concurrency: options.concurrency,
        successRate: options.concurrency >= 64 ? 0.9 : 1,
        successThroughput: 100 * Math.min(options.concurrency, 8),
        latency: { count: 100, min: 1, avg: 5, p50: 5, p90: 8, p95: 9, p99: 10 * options.concurrency, max: 11 * options.concurrency },
      }),
  };

  it('raises concurrency until p99 crosses the limit and reports the last step within it', async () => {
    const seen: number[] = [];
    const report = await findCapacity(scripted, async () => undefined, {
      steps: [1, 2, 4, 8, 16, 32],
      stepDurationMs: 1000,
      limits: { maxErrorRate: 0.05, maxP99Ms: 60 },
      onStep: (step) => seen.push(step.concurrency),
    });
    assert.deepEqual(seen, [1, 2, 4, 8], 'stops at the first step over the limits');
    assert.equal(report.maxSustainableConcurrency, 4);
    assert.equal(report.limitReachedAt, 8);
    assert.equal(report.steps[3].breach, 'p99 80.0 ms above 60 ms');
    assert.equal(report.maxSustainableThroughput, 400);
  });

  it('stops on the error rate too, and reports when no step crossed the limits', async () => {
    const errors = await findCapacity(scripted, async () => undefined, { steps: [16, 64], stepDurationMs: 1000, limits: { maxErrorRate: 0.05, maxP99Ms: 10_000 } });
    assert.equal(errors.steps[1].breach, 'error rate 10.0% above 5.0% (4xx 2, e.g. "HTTP 409")');
    assert.equal(errors.maxSustainableConcurrency, 16);
    const none = await findCapacity(scripted, async () => undefined, { steps: [1, 2], stepDurationMs: 1000, limits: { maxErrorRate: 0.05, maxP99Ms: 10_000 } });
    assert.equal(none.limitReachedAt, undefined);
    assert.equal(none.maxSustainableConcurrency, 2);
  });

  it('runs each step as a closed-model load of its concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const report = await findCapacity(
      new LoadTestRunner(),
      async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
      },
      { steps: [3, 6], stepDurationMs: 100, limits: { maxErrorRate: 0, maxP99Ms: 10_000 } },
    );
    assert.deepEqual(report.steps.map((step) => step.result.concurrency), [3, 6]);
    assert.equal(peak, 6);
  });

  it('rejects steps that do not increase', async () => {
    await assert.rejects(findCapacity(scripted, async () => undefined, { steps: [4, 2], stepDurationMs: 1, limits: { maxErrorRate: 0, maxP99Ms: 1 } }), /^Error: capacity steps: got \[4, 2\], expected increasing positive integers$/);
  });
});
