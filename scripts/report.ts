// Rebuilds reports/json/results.json and reports/html/ from the last run (npm run report).
import { closingLine, generateReports, REPORT_FILES } from '../support/report/generate';

generateReports()
  .then((report) => {
    console.log(`reports: ${REPORT_FILES.html}, ${REPORT_FILES.json}, ${REPORT_FILES.junit}`);
    console.log(closingLine(report));
  })
  .catch((error: Error) => {
    console.error(`novacron-spec report: ${error.message}`);
    process.exit(2);
  });
