// Cucumber coordinator plugin: provisions the environment once per run (before any worker starts)
// and stops what it started when the run ends. Workers inherit the resolved environment variables.
// A cucumber-js started directly also claims the reports folder here (the npm scripts already have).
require('ts-node').register({ transpileOnly: true });
const { claimReportsForRun, provisionForRun } = require('./provision');

module.exports = {
  type: 'plugin',
  coordinator: async ({ operation, environment }) => {
    if (operation !== 'runCucumber') return undefined;
    const log = (line) => environment.stderr.write(`${line}\n`);
    claimReportsForRun(process.env, log);
    // The context holds a copy of the environment; workers are forked with process.env itself.
    return provisionForRun(process.env, log);
  },
};
