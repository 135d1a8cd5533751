import type { EndpointSummary } from '../api-client';
import { closingLine, firstLine, type RunReport, type ScenarioResult } from './summary';

/** Rows a table of scenarios shows at most: a CI job summary is read by people, and GitHub caps its size. */
const MAX_ROWS = 50;
const MAX_CELL = 300;

/**
 * The run in Markdown, for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY) or a merge request:
 * the totals, each failed scenario with the first line of its error, the flaky scenarios, the key
 * metrics and the conformance table (`conformance`: undefined while there is none).
 */
export function runMarkdown(report: RunReport, conformance: string | undefined): string {
  const { tests, suites, duration } = report.summary;
  const tested = report.results.flatMap((suite) => suite.tests);
  const failed = tested.filter((test) => test.status !== 'passed' && test.status !== 'skipped');
  return [
    `## NovaCron Spec: ${closingLine(report)}${tests.flaky ? ` (${tests.flaky} flaky)` : ''}`,
    '',
    '| Scenarios | Passed | Failed | Skipped | Flaky | Features | Features failed | Duration |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${tests.total} | ${tests.passed} | ${tests.failed} | ${tests.skipped} | ${tests.flaky} | ${suites.total} | ${suites.failed} | ${formatDuration(duration.total)} |`,
    '',
    '### Failed scenarios',
    '',
    ...scenarioTable(
      failed.map((test) => ({ test, note: test.error ? firstLine(test.error) : test.status })),
      'First error line',
    ),
    '### Flaky scenarios (passed only on a retry)',
    '',
    ...scenarioTable(
      report.flaky.map((flaky) => ({ test: flaky, note: firstLine(flaky.first_error) })),
      'The first attempt failed with',
    ),
    '### Key metrics',
    '',
    ...metricsTable(report, tested),
    ...endpointsTable(report.metrics.endpoints as Record<string, EndpointSummary> | undefined),
    '### Conformance',
    '',
    conformance ?? '_This run has no conformance report._',
    '',
  ].join('\n');
}

function scenarioTable(rows: { test: Pick<ScenarioResult, 'feature' | 'name' | 'uri' | 'line'>; note: string }[], noteTitle: string): string[] {
  if (rows.length === 0) return ['None.', ''];
  return [
    `| Scenario | Where | ${noteTitle} |`,
    '|---|---|---|',
    ...rows.slice(0, MAX_ROWS).map(({ test, note }) => `| ${cell(`${test.feature}: ${test.name}`)} | \`${test.uri}:${test.line}\` | ${cell(note)} |`),
    ...(rows.length > MAX_ROWS ? ['', `And ${rows.length - MAX_ROWS} more: see results.json.`] : []),
    '',
  ];
}

/** Every figure the scenarios measured (averaged over the scenarios that measured it), with its unit. */
function metricsTable(report: RunReport, tested: ScenarioResult[]): string[] {
  const figures = Object.entries(report.metrics).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  if (figures.length === 0) return ['No scenario measured a figure.', ''];
  const unitOf = (name: string) => tested.find((test) => test.metrics[name])?.metrics[name]?.unit ?? '';
  return ['| Metric | Value |', '|---|---:|', ...figures.map(([name, value]) => `| ${cell(name)} | ${value} ${cell(unitOf(name))} |`), ''];
}

/** The API calls of the run: the endpoints with the slowest 95th percentile first. */
function endpointsTable(endpoints: Record<string, EndpointSummary> | undefined): string[] {
  const entries = Object.entries(endpoints ?? {}).sort(([, a], [, b]) => b.p95_ms - a.p95_ms);
  if (entries.length === 0) return [];
  const calls = entries.reduce((sum, [, figures]) => sum + figures.count, 0);
  const errors = entries.reduce((sum, [, figures]) => sum + figures.errors, 0);
  return [
    `${calls} API calls to ${entries.length} endpoints, ${errors} answered with an error. The slowest:`,
    '',
    '| Endpoint | Calls | Errors | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...entries.slice(0, 10).map(([name, f]) => `| \`${cell(name)}\` | ${f.count} | ${f.errors} | ${f.p50_ms} | ${f.p95_ms} | ${f.p99_ms} | ${f.max_ms} |`),
    '',
  ];
}

function cell(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
  return oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL - 1)}…` : oneLine;
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
