import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { describeConfig, getConfig } from '../config';
import { mergeEndpointFigures, type WorkerFigures } from './endpoints';
import type { Discovery } from '../discovery';
import { buildConformance, conformanceHtml, conformanceTableMarkdown, suiteIdentity, type ConformanceReport } from './conformance';
import { reportFiles, type ReportFiles } from './files';
import { runMarkdown } from './markdown';
import { buildReport, closingLines, firstLine, type RunReport } from './summary';

/** The reports of this checkout's runs (NOVACRON_REPORTS_DIR). */
export function runReportFiles(): ReportFiles {
  return reportFiles(getConfig().reportsDir);
}

/** Clears the previous run's outputs so a report never mixes two runs or shows a stale one. */
export function prepareReportsDir(files: ReportFiles = runReportFiles()): void {
  for (const file of [files.messages, files.cucumberJson, files.usage, files.json, files.junit, files.markdown, files.conformance, files.discovery, files.leftovers]) rmSync(file, { force: true });
  rmSync(files.workers, { recursive: true, force: true });
  mkdirSync(files.workers, { recursive: true });
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

/** Every worker's API figures, merged into one set per endpoint, and the contract warnings. */
function endpointFigures(files: ReportFiles): Record<string, unknown> {
  if (!existsSync(files.workers)) return {};
  const workers = readdirSync(files.workers)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(files.workers, file), 'utf8')) as WorkerFigures);
  return { endpoints: mergeEndpointFigures(workers), contract_warnings: workers.flatMap((worker) => worker.contract_warnings) };
}

function environmentSection(envelopes: messages.Envelope[]): Record<string, unknown> {
  const meta = envelopes.find((e) => e.meta)?.meta;
  let config: Record<string, unknown> = {};
  try {
    config = describeConfig(getConfig());
  } catch (error) {
    config = { error: (error as Error).message };
  }
  return {
    target: typeof config.target === 'string' ? config.target : 'unknown (the configuration is not valid)',
    cucumber: meta?.implementation.version,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    ci: meta?.ci?.name ?? (process.env.CI ? 'yes' : undefined),
    generated_at: new Date().toISOString(),
    config,
  };
}

/** Writes json/results.json, summary.md and html/ from the last run's message stream and cucumber json. */
export async function generateReports(files: ReportFiles = runReportFiles()): Promise<RunReport> {
  const envelopes = readMessages(files.messages);
  const report = buildReport(envelopes, environmentSection(envelopes));
  Object.assign(report.metrics, endpointFigures(files));
  mkdirSync(dirname(files.json), { recursive: true });
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  const conformance = buildConformance(report, readDiscovery(files), suiteIdentity(), new Date(), readLeftovers(files));
  writeFileSync(files.conformance, `${JSON.stringify(conformance, null, 2)}\n`);
  writeFileSync(files.markdown, runMarkdown(report, conformanceTableMarkdown(files)));
  if (existsSync(files.cucumberJson) && readFileSync(files.cucumberJson, 'utf8').trim().startsWith('[')) {
    await writeHtml(report, files, conformance);
  }
  return report;
}

/** What a run against a target of its own left there; undefined when it was not checked. */
function readLeftovers(files: ReportFiles): Record<string, string[]> | undefined {
  return existsSync(files.leftovers) ? (JSON.parse(readFileSync(files.leftovers, 'utf8')) as Record<string, string[]>) : undefined;
}

/** What the run's coordinator found out about the target at start; undefined for a run from before discovery. */
export function readDiscovery(files: ReportFiles): Discovery | undefined {
  return existsSync(files.discovery) ? (JSON.parse(readFileSync(files.discovery, 'utf8')) as Discovery) : undefined;
}

async function writeHtml(report: RunReport, files: ReportFiles, conformance: ConformanceReport): Promise<void> {
  const jsonDir = join(files.dir, '.html-input');
  rmSync(jsonDir, { recursive: true, force: true });
  mkdirSync(jsonDir, { recursive: true });
  writeFileSync(join(jsonDir, 'cucumber.json'), readFileSync(files.cucumberJson));
  const { generate } = await import('multiple-cucumber-html-reporter');
  const env = report.environment as { target: string; node: string; platform: string; cucumber?: string };
  const { tests, duration } = report.summary;
  generate({
    jsonDir,
    reportPath: dirname(files.html),
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
        { label: 'Conformance', value: `<a href="conformance.html">${conformance.verdict}</a>: ${conformance.summary.passed} passed, ${conformance.summary.failed} failed, ${conformance.summary.not_applicable} not applicable, ${conformance.summary.not_implemented} not implemented` },
        { label: 'Scenarios', value: `${tests.passed} passed${tests.flaky ? ` (${tests.flaky} flaky)` : ''}, ${tests.failed} failed${tests.skipped ? `, ${tests.skipped} skipped` : ''}` },
        ...flakyRows(report),
        { label: 'Duration', value: `${(duration.total / 1000).toFixed(1)} s` },
        { label: 'Node', value: env.node },
        ...Object.entries(report.metrics)
          .filter(([, value]) => typeof value === 'number')
          .map(([name, value]) => ({ label: name, value: String(value) })),
        ...mutationRows(files.dir),
      ],
    },
  });
  rmSync(jsonDir, { recursive: true, force: true });
  writeFileSync(files.conformanceHtml, conformanceHtml(conformance));
}

/** One row per scenario that passed only on a retry (the cucumber JSON the page is built from shows only the last attempt). */
export function flakyRows(report: RunReport): { label: string; value: string }[] {
  return report.flaky.map((test) => ({
    label: 'Flaky (passed only on a retry)',
    value: escapeHtml(`${test.feature}: ${test.name} (${test.uri}:${test.line}, ${test.attempts} attempts; first attempt: ${firstLine(test.first_error)})`),
  }));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * One row per domain that `npm run mutation` measured into this reports folder: its score and a
 * link to Stryker's page of every mutant.
 */
export function mutationRows(reportsDir: string): { label: string; value: string }[] {
  const root = join(reportsDir, 'mutation');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((domain) => existsSync(join(root, domain, 'summary.json')))
    .sort()
    .map((domain) => {
      const summary = JSON.parse(readFileSync(join(root, domain, 'summary.json'), 'utf8')) as { score: number; mutants: number; survived: number; date: string; commit: string };
      return {
        label: `Mutation score: ${domain}`,
        value: `<a href="../mutation/${domain}/index.html">${summary.score}%</a> of ${summary.mutants} mutants, ${summary.survived} survived (${summary.date}, ${summary.commit})`,
      };
    });
}

export { closingLines };
