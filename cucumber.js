// Cucumber profiles. `npm run cucumber -- --profile smoke` (or any tag expression) picks one;
// the environment (embedded NovaCron or NOVACRON_API_URL) is provisioned once per run by the plugin.
const path = require('node:path');
require('ts-node').register({ transpileOnly: true });
const { getConfig, ConfigError } = require('./support/config');
const { isDryRun, JUNIT_OPTIONS, reportFiles, reportFormats } = require('./support/report/files');

function configOrExit() {
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`novacron-spec: ${error.message}\n`);
    process.exit(2);
  }
}

const config = configOrExit();
const runReports = reportFiles(config.reportsDir);
// A dry run (steps:check, npm run docs) writes its reports beside the last real run's, never over them.
const reports = isDryRun() ? reportFiles(runReports.dryRun) : runReports;
const interactive = process.stdout.isTTY && !process.env.CI;

const base = {
  requireModule: ['ts-node/register/transpile-only'],
  require: ['support/world.ts', 'support/hooks.ts', 'support/parameter-types.ts', 'steps/**/*.ts'],
  // No `paths`: cucumber adds profile paths to the ones on the command line, so a feature named
  // there would run beside every other; without them its default is features/**/*.feature.
  plugin: ['./support/cucumber-plugin.cjs'],
  parallel: config.parallel ? config.workers : 0,
  strict: true,
  format: [
    interactive ? 'progress-bar' : 'progress',
    ...reportFormats(reports),
  ],
  formatOptions: {
    snippetInterface: 'async-await',
    junit: JUNIT_OPTIONS,
  },
};

const tagged = (tags) => ({ ...base, tags });

module.exports = {
  default: base,
  smoke: tagged('@smoke'),
  system: tagged('@system'),
  'mle-star': tagged('@mle-star'),
  performance: tagged('@performance'),
  debug: { ...base, parallel: 0, format: ['pretty', ...base.format.slice(1)] },
  // CI: a failed scenario runs again (NOVACRON_RETRY times, 1 by default); one that passes only on a
  // retry counts as passed and is reported as flaky.
  ci: { ...base, retry: config.ciRetries, format: ['summary', ...base.format.slice(1)] },
  // Used by scripts/verify-faults.ts: results only, to a file of its own, so runs can overlap.
  verify: {
    ...base,
    parallel: process.env.NOVACRON_FAULTS ? 0 : base.parallel,
    format: [['message', process.env.NOVACRON_VERIFY_MESSAGES || path.join(reports.faults, 'run.ndjson')]],
  },
};
