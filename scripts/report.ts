// npm run report: rebuilds the reports of the last run (NOVACRON_REPORTS_DIR) from its message stream.
// npm run report -- --merge <folder>...: first merges the reports folders of several runs (the shards
// of a CI run) into it, so that every report covers them all as if they had been one run.
import { conformanceText, readConformance } from '../support/report/conformance';
import { closingLines, generateReports, prepareReportsDir, runReportFiles } from '../support/report/generate';
import { claimReports } from '../support/report/lock';
import { mergeReportFolders } from '../support/report/merge';

function mergedFolders(args: string[]): string[] | undefined {
  if (args.length === 0) return undefined;
  if (args[0] !== '--merge') throw new Error(`unknown argument "${args[0]}": expected no argument, or --merge <folder> <folder>...`);
  return args.slice(1);
}

async function main(args: string[]): Promise<void> {
  const files = runReportFiles();
  const merge = mergedFolders(args);
  const release = merge ? claimReports(files, ['npm run report --', ...args].join(' ')) : () => undefined;
  try {
    if (merge) {
      prepareReportsDir(files);
      for (const warning of mergeReportFolders(merge, files)) console.error(`novacron-spec report: ${warning}`);
      console.log(`merged ${merge.length} runs into ${files.dir}`);
    }
    const report = await generateReports(files);
    const conformance = readConformance(files);
    if (conformance) console.log(`${conformanceText(conformance)}\n`);
    console.log(`reports: ${files.html}, ${files.json}, ${files.junit}, ${files.markdown}`);
    for (const line of closingLines(report)) console.log(line);
  } finally {
    release();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`novacron-spec report: ${error.message}`);
  process.exit(2);
});
