import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { describeConfig, loadConfig } from '../config';
import { buildReport, closingLine, type RunReport } from './summary';

export const REPORTS_DIR = join(__dirname, '..', '..', 'reports');
export const REPORT_FILES = {
  messages: join(REPORTS_DIR, 'messages.ndjson'),
  cucumberJson: join(REPORTS_DIR, 'cucumber.json'),
  json: join(REPORTS_DIR, 'json', 'results.json'),
  junit: join(REPORTS_DIR, 'junit', 'results.xml'),
  html: join(REPORTS_DIR, 'html', 'index.html'),
  workers: join(REPORTS_DIR, 'workers'),
};

/** Clears the previous run's outputs so a report never mixes two runs or shows a stale one. */
export function prepareReportsDir(): void {
  for (const file of [REPORT_FILES.messages, REPORT_FILES.cucumberJson, REPORT_FILES.json, REPORT_FILES.junit]) rmSync(file, { force: true });
  rmSync(REPORT_FILES.workers, { recursive: true, force: true });
  mkdirSync(REPORT_FILES.workers, { recursive: true });
}

/** The message stream; a line cut short by an interrupted run is left out, not fatal. */
export function readMessages(path: string): messages.Envelope[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run the suite first (npm test)`);
  const envelopes: messages.Envelope[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      envelopes.push(JSON.parse(line) as messages.Envelope);
    } catch {
      process.stderr.write(`novacron-spec: left out a damaged line of ${path} (was the run interrupted?)\n`);
    }
  }
  return envelopes;
}

function endpointFigures(): Record<string, unknown> {
  if (!existsSync(REPORT_FILES.workers)) return {};
  const endpoints: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const file of readdirSync(REPORT_FILES.workers).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(join(REPORT_FILES.workers, file), 'utf8')) as { endpoints: Record<string, unknown>; contract_warnings: string[] };
    endpoints[file.replace(/^endpoints-|\.json$/g, '')] = data.endpoints;
    warnings.push(...data.contract_warnings);
  }
  return { endpoints_by_worker: endpoints, contract_warnings: warnings };
}

function environmentSection(envelopes: messages.Envelope[]): Record<string, unknown> {
  const meta = envelopes.find((e) => e.meta)?.meta;
  let config: Record<string, unknown> = {};
  try {
    config = describeConfig(loadConfig());
  } catch (error) {
    config = { error: (error as Error).message };
  }
  return {
    target: process.env.NOVACRON_API_URL ?? 'embedded NovaCron reference',
    cucumber: meta?.implementation.version,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    ci: meta?.ci?.name ?? (process.env.CI ? 'yes' : undefined),
    generated_at: new Date().toISOString(),
    config,
  };
}

/** Writes reports/json/results.json and reports/html from the last run's message stream and cucumber json. */
export async function generateReports(): Promise<RunReport> {
  const envelopes = readMessages(REPORT_FILES.messages);
  const report = buildReport(envelopes, environmentSection(envelopes));
  Object.assign(report.metrics, endpointFigures());
  mkdirSync(join(REPORTS_DIR, 'json'), { recursive: true });
  writeFileSync(REPORT_FILES.json, `${JSON.stringify(report, null, 2)}\n`);
  if (existsSync(REPORT_FILES.cucumberJson) && readFileSync(REPORT_FILES.cucumberJson, 'utf8').trim().startsWith('[')) {
    await writeHtml(report);
  }
  return report;
}

async function writeHtml(report: RunReport): Promise<void> {
  const jsonDir = join(REPORTS_DIR, '.html-input');
  rmSync(jsonDir, { recursive: true, force: true });
  mkdirSync(jsonDir, { recursive: true });
  writeFileSync(join(jsonDir, 'cucumber.json'), readFileSync(REPORT_FILES.cucumberJson));
  const { generate } = await import('multiple-cucumber-html-reporter');
  const env = report.environment as { target: string; node: string; platform: string; cucumber?: string };
  const { tests, duration } = report.summary;
  generate({
    jsonDir,
    reportPath: join(REPORTS_DIR, 'html'),
    reportName: 'NovaCron Spec',
    pageTitle: 'NovaCron Spec report',
    displayDuration: true,
    displayReportTime: true,
    disableLog: true,
    metadata: { platform: { name: process.platform, version: env.platform }, device: env.target, browser: { name: 'api', version: env.cucumber ?? '' } },
    customData: {
      title: 'Run',
      data: [
        { label: 'Target', value: env.target },
        { label: 'Scenarios', value: `${tests.passed} passed, ${tests.failed} failed${tests.skipped ? `, ${tests.skipped} skipped` : ''}` },
        { label: 'Duration', value: `${(duration.total / 1000).toFixed(1)} s` },
        { label: 'Node', value: env.node },
        ...Object.entries(report.metrics)
          .filter(([, value]) => typeof value === 'number')
          .map(([name, value]) => ({ label: name, value: String(value) })),
      ],
    },
  });
  rmSync(jsonDir, { recursive: true, force: true });
}

export { closingLine };
