import { ERROR_KINDS } from './errors';
import { formatPercent, formatRate } from './format';
import type { ResourceReport } from './resources';
import type { LoadResult } from './result';

const ms = (value: number): string => `${value.toFixed(2)}ms`;

export interface SummaryOptions {
  /** heading, e.g. "VM Creation Results" (default: the run's label) */
  title?: string;
  /** what one request is, plural, for the throughput line, e.g. "VMs" (default "requests") */
  unit?: string;
}

/** The end-of-run summary in the source guide's style ("📊 VM Creation Results: ..."). */
export function formatLoadSummary(result: LoadResult, options: SummaryOptions = {}): string {
  const unit = options.unit ?? 'requests';
  const failedKinds = ERROR_KINDS.filter((kind) => result.errors[kind] > 0).map((kind) => `${kind}: ${result.errors[kind]}`);
  const lines = [
    `📊 ${options.title ?? result.label}:`,
    `  - Total time: ${ms(result.durationMs)}`,
    `  - Requests: ${result.requests} (${result.model} model, ${result.model === 'open' ? `${result.targetRate} req/s intended` : `${result.concurrency} concurrent`})`,
    `  - Success rate: ${formatPercent(result.successRate, 2)}`,
    `  - Average response time: ${ms(result.latency.avg)}`,
    `  - Percentiles: p50 ${ms(result.latency.p50)}, p95 ${ms(result.latency.p95)}, p99 ${ms(result.latency.p99)}, max ${ms(result.latency.max)}`,
    `  - Throughput: ${formatRate(result.successThroughput)} ${unit}/second`,
  ];
  if (result.model === 'open' && result.targetRate) {
    lines.push(`  - Achieved rate: ${formatPercent(result.successThroughput / result.targetRate)} of ${result.targetRate} ${unit}/second (largest send delay ${ms(result.maxSendLagMs ?? 0)})`);
  }
  if (result.groups) {
    lines.push('  - By group:');
    for (const [name, group] of Object.entries(result.groups)) {
      lines.push(`      ${name}: ${group.requests} times, success ${formatPercent(group.successRate, 2)}, avg ${ms(group.latency.avg)}, p95 ${ms(group.latency.p95)}, p99 ${ms(group.latency.p99)}`);
    }
  }
  lines.push(`  - Errors: ${failedKinds.length === 0 ? 'none' : `${result.failed} (${failedKinds.join(', ')})`}`);
  for (const kind of ERROR_KINDS) {
    for (const sample of result.errorSamples[kind] ?? []) lines.push(`      ${kind}: ${sample}`);
  }
  return lines.join('\n');
}

export function formatResourceSummary(report: ResourceReport, title = 'Target resources'): string {
  if (!report.available) return `🖥️  ${title}: unavailable (${report.reason})`;
  const ofHost = report.cpuPercentOfHost === undefined ? '' : ` (${report.cpuPercentOfHost.toFixed(1)}% of the host)`;
  const memory = report.peakMemoryPercentOfHost === undefined ? '' : ` (${report.peakMemoryPercentOfHost.toFixed(2)}% of host memory)`;
  return [
    `🖥️  ${title} (${report.source}, ${report.windowSeconds.toFixed(1)} s):`,
    `  - CPU over the window: ${report.cpuPercent.toFixed(1)}% of one core${ofHost}; highest 1 s sample ${report.peakCpuPercent.toFixed(0)}%`,
    `  - Peak memory (RSS): ${report.peakRssMb.toFixed(1)} MB${memory}; grew ${report.rssGrowthMb.toFixed(1)} MB over the window`,
  ].join('\n');
}
