// npm run docs: the living documentation for product stakeholders, <reports>/docs/index.html: every
// feature and scenario with its status in the last run (a dry run lists them all), searchable, one
// file that opens in a browser without a server.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { reportFiles } from '../support/report/files';
import { writeLivingDocs } from '../support/report/docs';
import { runReportFiles } from '../support/report/generate';
import { claimReports } from '../support/report/lock';

const ROOT = join(__dirname, '..');
const CUCUMBER_BIN = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

async function main(): Promise<number> {
  const files = runReportFiles();
  const release = claimReports(files, 'npm run docs');
  try {
    // The profile writes a dry run's reports to <reports>/dry-run, never over the last run's.
    const dryRun = spawnSync(process.execPath, [CUCUMBER_BIN, '--dry-run', '--format', 'summary'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (dryRun.status !== 0) {
      console.error('novacron-spec docs: the dry run of every feature failed (npm run steps:check says why)');
      return 1;
    }
    const docs = await writeLivingDocs(files, reportFiles(files.dryRun).messages);
    console.log(`living documentation: ${files.docs}`);
    console.log(`statuses: ${docs.statusesFrom}`);
    return 0;
  } finally {
    release();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(`novacron-spec docs: ${error.message}`);
    process.exit(2);
  });
