// Rebuilds json/results.json and html/ of the reports folder from the last run (npm run report).
import { closingLine, generateReports, runReportFiles } from '../support/report/generate';

async function main(): Promise<void> {
  const files = runReportFiles();
  const report = await generateReports(files);
  console.log(`reports: ${files.html}, ${files.json}, ${files.junit}`);
  console.log(closingLine(report));
}

main().catch((error: Error) => {
  console.error(`novacron-spec report: ${error.message}`);
  process.exit(2);
});
