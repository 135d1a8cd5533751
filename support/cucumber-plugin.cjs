// Cucumber coordinator plugin: provisions the environment once per run (before any worker starts)
// and stops what it started when the run ends. Workers inherit the resolved environment variables.
require('ts-node').register({ transpileOnly: true });
const { provisionForRun } = require('./provision');

module.exports = {
  type: 'plugin',
  coordinator: async ({ operation, environment }) => {
    if (operation !== 'runCucumber') return undefined;
    // The context holds a copy of the environment; workers are forked with process.env itself.
    return provisionForRun(process.env, (line) => environment.stderr.write(`${line}\n`));
  },
};
