import { join } from 'node:path';

/** Where one run's reports go, under its reports folder (NOVACRON_REPORTS_DIR, `reports` by default). */
export interface ReportFiles {
  readonly dir: string;
  readonly messages: string;
  readonly cucumberJson: string;
  readonly usage: string;
  readonly json: string;
  readonly junit: string;
  readonly html: string;
  /** The run in Markdown: totals, failures, flaky scenarios, key metrics (a CI job summary). */
  readonly markdown: string;
  /** The living documentation: every feature with its latest status (npm run docs). */
  readonly docs: string;
  /** The reports folder of a dry run, so that one never overwrites the last real run's reports. */
  readonly dryRun: string;
  /** Per-worker endpoint figures, merged into the JSON report. */
  readonly workers: string;
  readonly faults: string;
  /** The conformance report (its schema: contract/conformance.schema.json). */
  readonly conformance: string;
  /** The conformance report's page of the HTML report. */
  readonly conformanceHtml: string;
  /** What the run found out at start about the target (support/discovery.ts). */
  readonly discovery: string;
  /** What a run against a target of its own left behind there (support/leftovers.ts). */
  readonly leftovers: string;
  /** Held by the run that writes the folder (see ./lock.ts). */
  readonly lock: string;
}

export function reportFiles(dir: string): ReportFiles {
  return {
    dir,
    messages: join(dir, 'messages.ndjson'),
    cucumberJson: join(dir, 'cucumber.json'),
    usage: join(dir, 'usage.json'),
    json: join(dir, 'json', 'results.json'),
    junit: join(dir, 'junit', 'results.xml'),
    html: join(dir, 'html', 'index.html'),
    markdown: join(dir, 'summary.md'),
    docs: join(dir, 'docs', 'index.html'),
    dryRun: join(dir, 'dry-run'),
    workers: join(dir, 'workers'),
    faults: join(dir, 'faults'),
    conformance: join(dir, 'conformance.json'),
    conformanceHtml: join(dir, 'html', 'conformance.html'),
    discovery: join(dir, 'target.json'),
    leftovers: join(dir, 'leftovers.json'),
    lock: join(dir, '.run.lock'),
  };
}

/** Options of cucumber's `junit` formatter, for a run and for the merge of several runs alike. */
export const JUNIT_OPTIONS = { suiteName: 'NovaCron Spec' } as const;

/** The files cucumber's formatters write for every run (cucumber.js), as `[formatter, file]`. */
export function reportFormats(files: ReportFiles): [string, string][] {
  return [
    ['message', files.messages],
    ['json', files.cucumberJson],
    ['junit', files.junit],
    ['usage-json', files.usage],
  ];
}

const DRY_RUN_FLAGS = ['--dry-run', '-d'];

/** Whether these cucumber-js arguments ask for a dry run (no scenario runs, nothing is provisioned). */
export function isDryRun(argv: readonly string[] = process.argv): boolean {
  return argv.some((arg) => DRY_RUN_FLAGS.includes(arg));
}
