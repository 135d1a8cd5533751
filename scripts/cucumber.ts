// Runs cucumber-js with the given arguments, then writes the run's reports and the closing line.
// The environment (services and the embedded reference, or the NOVACRON_API_URL target) is
// provisioned by the cucumber plugin in support/cucumber-plugin.cjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../support/config';
import { closingLine, generateReports, prepareReportsDir, REPORT_FILES } from '../support/report/generate';

const ROOT = join(__dirname, '..');
const CUCUMBER_BIN = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const NO_SCENARIOS = ['--dry-run', '-d', '--help', '-h', '--version', '-v', '--i18n-languages', '--i18n-keywords'];

async function main(args: string[]): Promise<number> {
  try {
    loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`novacron-spec: ${error.message}`);
    return 2;
  }
  const runsScenarios = !args.some((arg) => NO_SCENARIOS.includes(arg));
  if (runsScenarios) prepareReportsDir();
  const child = spawn(process.execPath, [CUCUMBER_BIN, ...args], { stdio: 'inherit', cwd: ROOT });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1))));
  // Without a message stream no scenario ran (bad arguments, or the target never answered): the reason is already printed.
  if (!runsScenarios || !existsSync(REPORT_FILES.messages)) return code;
  try {
    const report = await generateReports();
    console.log(`\nreports: ${REPORT_FILES.html} | ${REPORT_FILES.json} | ${REPORT_FILES.junit}`);
    console.log(closingLine(report));
  } catch (error) {
    console.error(`novacron-spec: could not write the reports: ${(error as Error).message}`);
    return code === 0 ? 1 : code;
  }
  return code;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
