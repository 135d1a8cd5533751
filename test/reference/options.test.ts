import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_CATALOG, FaultSet, parseFaultNames } from '../../reference/faults';
import { DEFAULT_TIMINGS, OptionError, parseOptions } from '../../reference/options';

/** The error thrown by parsing `env`, checked to be one line naming the variable and the value. */
function errorFor(env: Record<string, string>, variable: string, value: string): string {
  let message: string | undefined;
  try {
    parseOptions(env);
  } catch (error) {
    assert.ok(error instanceof OptionError, `expected an OptionError, got ${String(error)}`);
    message = error.message;
  }
  assert.ok(message, `${variable}=${value} was accepted`);
  assert.ok(!message.includes('\n'), `the message is not one line: ${message}`);
  assert.ok(message.startsWith(`${variable}="${value}"`), `the message does not name ${variable} and its value: ${message}`);
  assert.match(message, /expected /);
  return message;
}

describe('reference options', () => {
  it('defaults follow the README (one definition with the suite: @novacron-spec/variables)', () => {
    const options = parseOptions({});
    assert.equal(options.port, 8090);
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.databaseUrl, 'postgresql://postgres:postgres@localhost:5432/novacron_test');
    assert.equal(options.schema, 'novacron');
    assert.equal(options.redisUrl, 'redis://localhost:6379');
    assert.equal(options.redisPrefix, '');
    assert.deepEqual(options.faults, []);
    assert.equal(options.simulation, true);
    assert.equal(options.adminPassword, 'novacron-admin');
    assert.deepEqual(options.rateLimit, { requests: 100_000, windowSeconds: 60 });
    assert.equal(options.logLevel, 'info');
    assert.equal(options.timings.provision_step, 50);
    assert.deepEqual({ ...options.timings }, { ...DEFAULT_TIMINGS });
    assert.ok(options.jwtSecret.length >= 32, 'a random JWT secret is generated');
    assert.notEqual(parseOptions({}).jwtSecret, options.jwtSecret, 'the JWT secret is random per start');
  });

  it('reads every variable', () => {
    const options = parseOptions({
      NOVACRON_REF_PORT: '0',
      NOVACRON_REF_HOST: '0.0.0.0',
      DB_URL: 'postgres://u:p@db:5433/other',
      NOVACRON_REF_SCHEMA: 'run_42',
      REDIS_URL: 'redis://cache:6380/2',
      NOVACRON_REF_REDIS_PREFIX: 'run42:',
      NOVACRON_FAULTS: 'vm-stuck-provisioning, password-leak',
      NOVACRON_REF_TIMINGS: 'provision_step=5, heartbeat=10',
      NOVACRON_REF_SIMULATION: 'off',
      NOVACRON_REF_ADMIN_PASSWORD: 'another-secret',
      NOVACRON_REF_RATE_LIMIT: '10/1',
      NOVACRON_LOG_LEVEL: 'DEBUG',
      NOVACRON_REF_JWT_SECRET: 'a-shared-secret-of-some-length',
    });
    assert.equal(options.port, 0);
    assert.equal(options.host, '0.0.0.0');
    assert.equal(options.databaseUrl, 'postgres://u:p@db:5433/other');
    assert.equal(options.schema, 'run_42');
    assert.equal(options.redisUrl, 'redis://cache:6380/2');
    assert.equal(options.redisPrefix, 'run42:');
    assert.deepEqual(options.faults, ['vm-stuck-provisioning', 'password-leak']);
    assert.equal(options.timings.provision_step, 5);
    assert.equal(options.timings.heartbeat, 10);
    assert.equal(options.timings.election_timeout_min, DEFAULT_TIMINGS.election_timeout_min);
    assert.equal(options.simulation, false);
    assert.equal(options.adminPassword, 'another-secret');
    assert.deepEqual(options.rateLimit, { requests: 10, windowSeconds: 1 });
    assert.equal(options.logLevel, 'debug');
    assert.equal(options.jwtSecret, 'a-shared-secret-of-some-length');
  });

  it('treats empty values as unset and "none" as no faults', () => {
    const options = parseOptions({ NOVACRON_REF_PORT: ' ', NOVACRON_FAULTS: 'none', NOVACRON_REF_TIMINGS: '' });
    assert.equal(options.port, 8090);
    assert.deepEqual(options.faults, []);
  });

  it('rejects bad values with one line naming the variable, the value and the expectation', () => {
    assert.match(errorFor({ NOVACRON_REF_PORT: '70000' }, 'NOVACRON_REF_PORT', '70000'), /from 0 to 65535/);
    errorFor({ NOVACRON_REF_PORT: 'http' }, 'NOVACRON_REF_PORT', 'http');
    errorFor({ NOVACRON_REF_HOST: 'local host' }, 'NOVACRON_REF_HOST', 'local host');
    assert.match(errorFor({ DB_URL: 'mysql://localhost/db' }, 'DB_URL', 'mysql://localhost/db'), /postgresql or postgres URL/);
    errorFor({ NOVACRON_REF_SCHEMA: 'Bad-Schema' }, 'NOVACRON_REF_SCHEMA', 'Bad-Schema');
    errorFor({ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', 'localhost:6379');
    errorFor({ NOVACRON_REF_REDIS_PREFIX: 'has space' }, 'NOVACRON_REF_REDIS_PREFIX', 'has space');
    errorFor({ NOVACRON_REF_SIMULATION: 'maybe' }, 'NOVACRON_REF_SIMULATION', 'maybe');
    assert.match(errorFor({ NOVACRON_REF_RATE_LIMIT: '100' }, 'NOVACRON_REF_RATE_LIMIT', '100'), /<requests>\/<seconds>/);
    errorFor({ NOVACRON_REF_RATE_LIMIT: '0/60' }, 'NOVACRON_REF_RATE_LIMIT', '0/60');
    errorFor({ NOVACRON_LOG_LEVEL: 'loud' }, 'NOVACRON_LOG_LEVEL', 'loud');
  });

  it('never prints a password in an error', () => {
    const message = errorFor({ DB_URL: 'mysql://user:hunter2@localhost/db' }, 'DB_URL', 'mysql://user:***@localhost/db');
    assert.ok(!message.includes('hunter2'));
    assert.ok(!errorFor({ NOVACRON_REF_ADMIN_PASSWORD: 'short' }, 'NOVACRON_REF_ADMIN_PASSWORD', '(hidden)').includes('short'));
  });

  it('lists the known faults when one is unknown', () => {
    const message = errorFor({ NOVACRON_FAULTS: 'vm-stuck-provisioning,no-such-fault' }, 'NOVACRON_FAULTS', 'vm-stuck-provisioning,no-such-fault');
    assert.match(message, /unknown fault no-such-fault/);
    for (const fault of FAULT_CATALOG) assert.ok(message.includes(fault.name), `the message does not list ${fault.name}`);
  });

  it('lists the known timings when one is unknown, and checks their values', () => {
    const message = errorFor({ NOVACRON_REF_TIMINGS: 'provision_step=10,warp_speed=1' }, 'NOVACRON_REF_TIMINGS', 'provision_step=10,warp_speed=1');
    assert.match(message, /got "warp_speed"/);
    for (const name of Object.keys(DEFAULT_TIMINGS)) assert.ok(message.includes(name), `the message does not list ${name}`);
    assert.match(errorFor({ NOVACRON_REF_TIMINGS: 'provision_step=fast' }, 'NOVACRON_REF_TIMINGS', 'provision_step=fast'), /whole number of milliseconds/);
    errorFor({ NOVACRON_REF_TIMINGS: 'provision_step' }, 'NOVACRON_REF_TIMINGS', 'provision_step');
    assert.match(errorFor({ NOVACRON_REF_TIMINGS: 'health_cache=5000' }, 'NOVACRON_REF_TIMINGS', 'health_cache=5000'), /from 0 to 1000/);
    errorFor(
      { NOVACRON_REF_TIMINGS: 'election_timeout_min=400' },
      'NOVACRON_REF_TIMINGS',
      'election_timeout_min=400,election_timeout_max=300',
    );
  });

  it('validates overrides given in code like their variables, and lets them win', () => {
    const options = parseOptions({ NOVACRON_REF_PORT: '9000', NOVACRON_REF_TIMINGS: 'provision_step=7' }, {
      port: 0,
      timings: { heartbeat: 3 },
      faults: ['password-leak'],
      simulation: false,
    });
    assert.equal(options.port, 0);
    assert.equal(options.timings.provision_step, 7);
    assert.equal(options.timings.heartbeat, 3);
    assert.deepEqual(options.faults, ['password-leak']);
    assert.equal(options.simulation, false);
    assert.throws(() => parseOptions({}, { port: -1 }), /^OptionError: NOVACRON_REF_PORT="-1" is not valid/);
    assert.throws(() => parseOptions({}, { faults: ['bogus'] }), /NOVACRON_FAULTS="bogus"/);
    assert.throws(() => parseOptions({}, { timings: { nonsense: 1 } as never }), /NOVACRON_REF_TIMINGS="nonsense=1"/);
    assert.deepEqual(parseOptions({ NOVACRON_FAULTS: 'password-leak' }, { faults: [] }).faults, []);
  });
});

describe('fault catalog', () => {
  it('parses fault lists and rejects unknown names', () => {
    assert.deepEqual(parseFaultNames(''), []);
    assert.deepEqual(parseFaultNames('NONE'), []);
    assert.deepEqual(parseFaultNames('password-leak,password-leak'), ['password-leak']);
    assert.throws(() => parseFaultNames('nope'), /unknown fault nope; known faults: /);
  });

  it('answers has() for active faults and refuses names it does not know', () => {
    const faults = new FaultSet(['password-leak']);
    assert.equal(faults.has('password-leak'), true);
    assert.equal(faults.has('vm-stuck-provisioning'), false);
    assert.throws(() => faults.has('pasword-leak'), /not in the fault catalog/);
  });

  it('describes every fault and names the scenarios it breaks', () => {
    for (const fault of FAULT_CATALOG) {
      assert.match(fault.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(fault.description.length > 20, `${fault.name} needs a description`);
      assert.ok(fault.scenarios.length > 0, `${fault.name} names no scenario`);
    }
  });
});
