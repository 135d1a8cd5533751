import type { CapacityReport } from './capacity';
import { ERROR_KINDS } from './errors';
import { formatMs, formatPercent, formatRate } from './format';
import type { ResourceReport } from './resources';
import type { LoadResult } from './result';
import type { SeriesPoint } from './series';
import { barChart, columnChart, COLORS, escapeXml, lineChart, type ReferenceLine } from './svg';
import type { WebSocketLoadResult } from './websocket';

export interface LoadReportInput {
  title: string;
  result?: LoadResult;
  resources?: ResourceReport;
  capacity?: CapacityReport;
  websocket?: WebSocketLoadResult;
  /** the scenario's limits, drawn as dashed lines */
  limits?: { p95Ms?: number; p99Ms?: number; avgMs?: number };
}

export interface NamedChart {
  name: string;
  svg: string;
}

const MAX_POINTS = 240;

/** Merges neighbouring seconds so long runs stay readable: rates averaged, percentiles maxed. */
export function downsample(points: SeriesPoint[], maxPoints = MAX_POINTS): Array<SeriesPoint & { seconds: number }> {
  const width = Math.max(1, Math.ceil(points.length / maxPoints));
  const groups: Array<SeriesPoint & { seconds: number }> = [];
  for (let start = 0; start < points.length; start += width) {
    const group = points.slice(start, start + width);
    groups.push({
      second: group[0].second,
      seconds: group.length,
      completed: group.reduce((sum, p) => sum + p.completed, 0) / group.length,
      failed: group.reduce((sum, p) => sum + p.failed, 0) / group.length,
      p50: Math.max(...group.map((p) => p.p50)),
      p95: Math.max(...group.map((p) => p.p95)),
      p99: Math.max(...group.map((p) => p.p99)),
      max: Math.max(...group.map((p) => p.max)),
    });
  }
  return groups;
}

function latencyCharts(result: LoadResult, limits: LoadReportInput['limits'] = {}): NamedChart[] {
  const references: ReferenceLine[] = [];
  if (limits.p95Ms !== undefined) references.push({ value: limits.p95Ms, label: `p95 limit ${formatMs(limits.p95Ms)}` });
  if (limits.p99Ms !== undefined) references.push({ value: limits.p99Ms, label: `p99 limit ${formatMs(limits.p99Ms)}` });
  if (limits.avgMs !== undefined) references.push({ value: limits.avgMs, label: `average limit ${formatMs(limits.avgMs)}` });
  const { latency } = result;
  const percentiles = barChart({
    title: `Response time percentiles (${latency.count} requests)`,
    unit: 'ms',
    bars: [
      { label: 'average', value: latency.avg, color: COLORS.neutral },
      { label: 'p50', value: latency.p50, color: COLORS.p50 },
      { label: 'p95', value: latency.p95, color: COLORS.p95 },
      { label: 'p99', value: latency.p99, color: COLORS.p99 },
      { label: 'max', value: latency.max, color: COLORS.max },
    ],
    references,
  });
  const points = downsample(result.series);
  const perSecond = points.length > 0 && points[0].seconds > 1 ? ` (${points[0].seconds} s buckets)` : '';
  const throughput = columnChart({
    title: `Throughput over time${perSecond}`,
    xLabel: 'seconds since start',
    yLabel: 'requests / second',
    columns: points.map((p) => ({ x: p.second, parts: [{ value: p.completed - p.failed, color: COLORS.ok }, { value: p.failed, color: COLORS.failed }] })),
    legend: [
      { name: 'succeeded', color: COLORS.ok },
      { name: 'failed', color: COLORS.failed },
    ],
    references: result.targetRate ? [{ value: result.targetRate, label: `target ${formatRate(result.targetRate)}/s`, color: COLORS.neutral }] : [],
  });
  const overTime = lineChart({
    title: `Response time over time${perSecond}`,
    xLabel: 'seconds since start',
    yLabel: 'ms',
    series: [
      { name: 'p50', color: COLORS.p50, points: points.map((p) => [p.second, p.p50]) },
      { name: 'p95', color: COLORS.p95, points: points.map((p) => [p.second, p.p95]) },
      { name: 'p99', color: COLORS.p99, points: points.map((p) => [p.second, p.p99]) },
    ],
    references,
  });
  const charts = [
    { name: 'latency-percentiles', svg: percentiles },
    { name: 'throughput-over-time', svg: throughput },
    { name: 'latency-over-time', svg: overTime },
  ];
  if (result.groups) {
    const palette = [COLORS.p50, COLORS.p95, COLORS.p99, COLORS.ok, COLORS.neutral, COLORS.max];
    charts.push({
      name: 'latency-by-group',
      svg: barChart({
        title: 'p95 response time by group',
        unit: 'ms',
        bars: Object.entries(result.groups).map(([name, group], index) => ({ label: name, value: group.latency.p95, color: palette[index % palette.length] })),
        references: references.filter((line) => line.label.startsWith('p95')),
      }),
    });
  }
  return charts;
}

function resourceCharts(report: ResourceReport): NamedChart[] {
  if (!report.available) return [];
  return [
    {
      name: 'target-cpu',
      svg: lineChart({
        title: `Target CPU (whole window ${report.cpuPercent.toFixed(1)}% of one core)`,
        xLabel: 'seconds since start',
        yLabel: '% of one core',
        series: [{ name: 'CPU per second', color: COLORS.p95, points: report.series.map((p) => [p.second, p.cpuPercent]) }],
        references: [{ value: report.cpuPercent, label: `window ${report.cpuPercent.toFixed(1)}%`, color: COLORS.neutral }],
      }),
    },
    {
      name: 'target-memory',
      svg: lineChart({
        title: `Target memory (peak ${report.peakRssMb.toFixed(1)} MB)`,
        xLabel: 'seconds since start',
        yLabel: 'RSS, MB',
        series: [{ name: 'RSS', color: COLORS.p50, points: report.series.map((p) => [p.second, p.rssMb]) }],
        references: [{ value: report.peakRssMb, label: `peak ${report.peakRssMb.toFixed(1)} MB`, color: COLORS.neutral }],
      }),
    },
  ];
}

function capacityCharts(report: CapacityReport): NamedChart[] {
  const steps = report.steps.map((step) => ({ c: step.concurrency, rps: step.result.successThroughput, p99: step.result.latency.p99, errors: 100 * (1 - step.result.successRate) }));
  return [
    {
      name: 'capacity-throughput',
      svg: lineChart({
        title: `Throughput by concurrency (sustainable: ${report.maxSustainableConcurrency} concurrent)`,
        xLabel: 'concurrent requests',
        yLabel: 'requests / second',
        markers: true,
        series: [{ name: 'successful req/s', color: COLORS.ok, points: steps.map((s) => [s.c, s.rps]) }],
      }),
    },
    {
      name: 'capacity-p99',
      svg: lineChart({
        title: 'p99 response time by concurrency',
        xLabel: 'concurrent requests',
        yLabel: 'ms',
        markers: true,
        series: [{ name: 'p99', color: COLORS.p99, points: steps.map((s) => [s.c, s.p99]) }],
        references: [{ value: report.limits.maxP99Ms, label: `limit ${formatMs(report.limits.maxP99Ms)}` }],
      }),
    },
  ];
}

function websocketCharts(result: WebSocketLoadResult): NamedChart[] {
  const connect = result.connect.connectTime;
  const charts: NamedChart[] = [
    {
      name: 'websocket-connect-time',
      svg: barChart({
        title: `WebSocket connect time (${result.connect.connected}/${result.connect.attempted} connected)`,
        unit: 'ms',
        bars: [
          { label: 'p50', value: connect.p50, color: COLORS.p50 },
          { label: 'p95', value: connect.p95, color: COLORS.p95 },
          { label: 'p99', value: connect.p99, color: COLORS.p99 },
          { label: 'max', value: connect.max, color: COLORS.max },
        ],
      }),
    },
  ];
  result.deliveries.forEach((delivery, index) => {
    charts.push({
      name: `websocket-delivery-${index + 1}`,
      svg: barChart({
        title: `"${delivery.event}" delivered to ${delivery.received}/${delivery.expected} connections`,
        unit: 'ms',
        bars: [
          { label: 'p50', value: delivery.latency.p50, color: COLORS.p50 },
          { label: 'p95', value: delivery.latency.p95, color: COLORS.p95 },
          { label: 'p99', value: delivery.latency.p99, color: COLORS.p99 },
          { label: 'max', value: delivery.latency.max, color: COLORS.max },
        ],
      }),
    });
  });
  return charts;
}

/** Every chart of a load scenario as standalone SVG documents (attachable as image/svg+xml). */
export function renderLoadCharts(input: LoadReportInput): NamedChart[] {
  return [
    ...(input.result ? latencyCharts(input.result, input.limits) : []),
    ...(input.resources ? resourceCharts(input.resources) : []),
    ...(input.capacity ? capacityCharts(input.capacity) : []),
    ...(input.websocket ? websocketCharts(input.websocket) : []),
  ];
}

function keyFigures(input: LoadReportInput): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const result = input.result;
  if (result) {
    const errors = ERROR_KINDS.filter((kind) => result.errors[kind] > 0).map((kind) => `${kind} ${result.errors[kind]}`);
    rows.push(
      ['Requests', `${result.requests} (${result.model} model, ${result.model === 'open' ? `${result.targetRate} req/s intended` : `${result.concurrency} concurrent`})`],
      ['Success rate', formatPercent(result.successRate, 2)],
      ['Throughput', `${formatRate(result.successThroughput)} req/s over ${(result.durationMs / 1000).toFixed(1)} s`],
      ['Response time', `avg ${formatMs(result.latency.avg)} · p50 ${formatMs(result.latency.p50)} · p95 ${formatMs(result.latency.p95)} · p99 ${formatMs(result.latency.p99)} · max ${formatMs(result.latency.max)}`],
      ['Errors', errors.length ? errors.join(', ') : 'none'],
    );
  }
  const resources = input.resources;
  if (resources) {
    rows.push(['Target resources', resources.available ? `CPU ${resources.cpuPercent.toFixed(1)}% of one core over ${resources.windowSeconds.toFixed(0)} s · peak RSS ${resources.peakRssMb.toFixed(1)} MB` : `unavailable: ${resources.reason}`]);
  }
  if (input.capacity) {
    rows.push(['Capacity', `${input.capacity.maxSustainableConcurrency} concurrent, ${formatRate(input.capacity.maxSustainableThroughput)} req/s within the limits`]);
  }
  if (input.websocket) {
    const ws = input.websocket;
    rows.push(['WebSocket', `${ws.connect.connected}/${ws.connect.attempted} connected (p95 ${formatMs(ws.connect.connectTime.p95)}) · ${ws.messagesReceived} messages · ${ws.unexpectedCloses} unexpected closes`]);
  }
  return rows;
}

/** A self-contained HTML fragment (inline SVG, inline styles) to attach as text/html. */
export function renderLoadReportHtml(input: LoadReportInput): string {
  const rows = keyFigures(input)
    .map(([name, value]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;color:#424242">${escapeXml(name)}</th><td style="padding:2px 0">${escapeXml(value)}</td></tr>`)
    .join('');
  const charts = renderLoadCharts(input)
    .map((chart) => `<figure style="margin:8px 8px 8px 0;display:inline-block" data-chart="${chart.name}">${chart.svg}</figure>`)
    .join('');
  return `<section style="font-family:Helvetica,Arial,sans-serif;font-size:13px"><h3 style="margin:4px 0">${escapeXml(input.title)}</h3><table style="border-collapse:collapse;margin-bottom:6px">${rows}</table><div>${charts}</div></section>`;
}
