// Runs cucumber-js with the given arguments, then writes the run's reports and the closing line.
// The environment (services and the embedded reference, or the NOVACRON_API_URL target) is
// provisioned by the cucumber plugin in support/cucumber-plugin.cjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, getConfig } from '../support/config';
import { conformanceText, readConformance } from '../support/report/conformance';
import { reportFiles, type ReportFiles } from '../support/report/files';
import { closingLines, generateReports, prepareReportsDir } from '../support/report/generate';
import { claimReports, REPORTS_CLAIMED, ReportsBusyError } from '../support/report/lock';

const ROOT = join(__dirname, '..');
const CUCUMBER_BIN = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const NO_SCENARIOS = ['--dry-run', '-d', '--help', '-h', '--version', '-v', '--i18n-languages', '--i18n-keywords'];

async function main(args: string[]): Promise<number> {
  let files: ReportFiles;
  try {
    files = reportFiles(getConfig().reportsDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`novacron-spec: ${error.message}`);
    return 2;
  }
  if (args.some((arg) => NO_SCENARIOS.includes(arg))) return runCucumber(args, {});
  let release: () => void;
  try {
    release = claimReports(files, ['npm run cucumber --', ...args].join(' '));
  } catch (error) {
    if (!(error instanceof ReportsBusyError)) throw error;
    console.error(`novacron-spec: ${error.message}`);
    return 2;
  }
  try {
    prepareReportsDir(files);
    const code = await runCucumber(args, { NOVACRON_ENDPOINT_FIGURES: files.workers, [REPORTS_CLAIMED]: '1' });
    // Without a message stream no scenario ran (bad arguments, or the target never answered): the reason is already printed.
    if (!existsSync(files.messages)) return code;
    try {
      const report = await generateReports(files);
      const conformance = readConformance(files);
      if (conformance) console.log(`\n${conformanceText(conformance)}`);
      console.log(`\nreports: ${files.html} | ${files.json} | ${files.junit} | ${files.conformance}`);
      for (const line of closingLines(report)) console.log(line);
    } catch (error) {
      console.error(`novacron-spec: could not write the reports: ${(error as Error).message}`);
      return code === 0 ? 1 : code;
    }
    return code;
  } finally {
    release();
  }
}

function runCucumber(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [CUCUMBER_BIN, ...args], { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1))));
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(`novacron-spec: ${error.stack ?? error.message}`);
    process.exit(2);
  });
