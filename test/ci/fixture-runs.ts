import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JUNIT_OPTIONS, reportFiles, reportFormats } from '../../support/report/files';
import type { RunReport } from '../../support/report/summary';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'runs');
const CUCUMBER = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Runs the fixture suite (test/fixtures/runs: passing, failing, measuring and flaky scenarios) with
 * cucumber-js, writing the suite's own report formats into `reportsDir`, as one run of the suite does.
 */
export function runFixtureSuite(reportsDir: string, cucumberArgs: string[] = []): Promise<Outcome> {
  const formats = reportFormats(reportFiles(reportsDir)).flatMap(([format, file]) => ['--format', `${format}:${file}`]);
  return run(
    [CUCUMBER, '--require-module', 'ts-node/register/transpile-only', '--require', 'steps.ts', ...formats, '--format-options', JSON.stringify({ junit: JUNIT_OPTIONS }), ...cucumberArgs],
    { cwd: FIXTURE },
  );
}

/** `npm run report` (with these arguments) for the reports folder `reportsDir`. */
export function report(reportsDir: string, args: string[] = []): Promise<Outcome> {
  return run(['--require', 'ts-node/register/transpile-only', join(ROOT, 'scripts', 'report.ts'), ...args], { cwd: ROOT, env: { NOVACRON_REPORTS_DIR: reportsDir } });
}

export function readReport(reportsDir: string): RunReport {
  return JSON.parse(readFileSync(reportFiles(reportsDir).json, 'utf8')) as RunReport;
}
