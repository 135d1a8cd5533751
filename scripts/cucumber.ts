// Runs cucumber-js with the given arguments, then writes the run's reports and the closing line.
// The environment (services and the embedded reference, or the NOVACRON_API_URL target) is
// provisioned by the cucumber plugin in support/cucumber-plugin.cjs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { closingLine, generateReports, prepareReportsDir, REPORT_FILES } from '../support/report/generate';

const cucumberBin = join(__dirname, '..', 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

async function main(): Promise<number> {
  prepareReportsDir();
  const child = spawn(process.execPath, [cucumberBin, ...process.argv.slice(2)], { stdio: 'inherit', cwd: join(__dirname, '..') });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 130 : 1))));
  const ranScenarios = !process.argv.includes('--dry-run') && !process.argv.includes('--help');
  if (!ranScenarios) return code;
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

main().then((code) => process.exit(code));
