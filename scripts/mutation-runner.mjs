// StrykerJS loads its plugins with import(): this registers ts-node and hands it the runner.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('ts-node').register({ transpileOnly: true });
const { NovacronCucumberRunner } = require('./mutation-runner.ts');

export const strykerPlugins = [{ kind: 'TestRunner', name: 'novacron-cucumber', injectableClass: NovacronCucumberRunner }];
