import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readVariable, VARIABLE_NAMES, VARIABLES, type Variable } from '@novacron-spec/variables';
import { ConfigError, loadConfig } from '../../support/config';
import { OptionError, parseOptions } from '../../reference/options';

const fail = (message: string) => new Error(message);
const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** Every variable once: its default is valid, a wrong value is refused in one line, and the README documents it. */
describe('every variable has one definition, shared by the suite and the reference', () => {
  for (const name of VARIABLE_NAMES) {
    const variable = VARIABLES[name] as Variable<unknown>;
    it(name, () => {
      if (variable.default !== undefined) {
        assert.doesNotThrow(() => readVariable({}, name, fail), `${name}'s default "${variable.default}" is refused by its own rule`);
      } else {
        assert.equal(readVariable({}, name, fail), undefined, `${name} has no default, so unset means "not given"`);
      }
      assert.deepEqual(readVariable({ [name]: '   ' }, name, fail), readVariable({}, name, fail), `${name}: blank means unset`);
      if (variable.refused !== null) {
        assert.throws(
          () => readVariable({ [name]: variable.refused! }, name, fail),
          (error: Error) => {
            assert.match(error.message, new RegExp(`^${name}="[^"\n]*" is not valid: expected [^\n]+$`));
            if (variable.secret) assert.ok(!error.message.includes(variable.refused!), `${name} is a secret, yet its value is in "${error.message}"`);
            return true;
          },
        );
      }
      if (variable.readBy !== 'internal') {
        assert.ok(readme.includes(`| \`${name}\``) || readme.includes(`/ \`${name}\``), `${name} is not in the README's tables of variables`);
      }
    });
  }
});

describe('a variable read by both is read the same way by both', () => {
  const both = VARIABLE_NAMES.filter((name) => VARIABLES[name].readBy === 'both' && VARIABLES[name].refused !== null);

  it('each refuses the same wrong value with the same sentence', () => {
    for (const name of both) {
      const env = { [name]: VARIABLES[name].refused! };
      const suite = catchMessage(() => loadConfig(env, '/nonexistent', { onWarning: () => undefined }), ConfigError);
      const reference = catchMessage(() => parseOptions(env), OptionError);
      assert.equal(suite, reference, `${name}: the suite and the reference disagree`);
    }
  });

  it('each has the same default on both sides (the log level, the services, no faults)', () => {
    const suite = loadConfig({}, '/nonexistent', { onWarning: () => undefined });
    const reference = parseOptions({});
    assert.deepEqual(
      { log: suite.logLevel, db: suite.dbUrl, redis: suite.redisUrl, faults: suite.faults },
      { log: reference.logLevel, db: reference.databaseUrl, redis: reference.redisUrl, faults: reference.faults },
    );
  });

  it('a schema name is refused alike whichever variable carries it (upper case included)', () => {
    const suite = catchMessage(() => loadConfig({ NOVACRON_DB_SCHEMA: 'NovaCron' }, '/nonexistent', { onWarning: () => undefined }), ConfigError);
    const reference = catchMessage(() => parseOptions({ NOVACRON_REF_SCHEMA: 'NovaCron' }), OptionError);
    assert.equal(suite.replace('NOVACRON_DB_SCHEMA', 'X'), reference.replace('NOVACRON_REF_SCHEMA', 'X'));
  });
});

function catchMessage(action: () => unknown, kind: new (...args: never[]) => Error): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the value was accepted');
}
