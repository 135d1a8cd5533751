// Cucumber coordinator plugin: reads the configuration and provisions the environment once per run (before any worker starts)
// and stops what it started when the run ends. Workers inherit the resolved environment variables.
// A cucumber-js started directly also claims the reports folder here (the npm scripts already have).
require('ts-node').register({ transpileOnly: true });
const { reloadConfig } = require('./config');
const { claimReportsForRun, provisionForRun } = require('./provision');

module.exports = {
  type: 'plugin',
  coordinator: async ({ operation, environment }) => {
    if (operation !== 'runCucumber') return undefined;
    const log = (line) => environment.stderr.write(`${line}\n`);
    // The run's configuration, parsed once here; the support code of this process reads it with
    // getConfig, each worker parses the resolved environment it is forked with once.
    const config = reloadConfig();
    claimReportsForRun(config, process.env, log);
    // The context holds a copy of the environment; workers are forked with process.env itself.
    return provisionForRun(config, process.env, log);
  },
};
