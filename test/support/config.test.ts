import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VARIABLE_NAMES, VARIABLES } from '@novacron-spec/variables';
import { ConfigError, describeConfig, loadConfig, parseEnvFile, type Config } from '../../support/config';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A directory without (or with the given) .env.test, so the repository's own never leaks in. */
function workDir(envFile?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'novacron-config-'));
  dirs.push(dir);
  if (envFile !== undefined) writeFileSync(join(dir, '.env.test'), envFile);
  return dir;
}

const emptyDir = workDir();

function load(env: Record<string, string | undefined>, cwd = emptyDir): Config {
  return loadConfig(env, cwd, { onWarning: () => undefined });
}

function rejects(env: Record<string, string>, message: string, cwd = emptyDir): void {
  assert.throws(
    () => load(env, cwd),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.message, message);
      assert.ok(!error.message.includes('\n'), 'the message is one line');
      return true;
    },
  );
}

describe('loadConfig defaults', () => {
  it('gives every variable its documented default', () => {
    const config = load({});
    assert.deepEqual(
      { ...config },
      {
        mode: 'integration',
        apiUrl: undefined,
        targetKind: 'embedded',
        uiUrl: undefined,
        browserPath: undefined,
        pythonPath: undefined,
        dbUrl: 'postgresql://postgres:postgres@localhost:5432/novacron_test',
        redisUrl: 'redis://localhost:6379',
        useDocker: false,
        parallel: true,
        coverage: false,
        debug: false,
        timeoutMs: 300000,
        startupTimeoutMs: 25000,
        loadUsers: 50,
        loadDurationMs: 300000,
        loadRampUpMs: 60000,
        loadThinkTimeMs: 0,
        logLevel: 'info',
        workers: 2,
        contractMode: 'strict',
        faults: [],
        adminUsername: 'admin',
        adminPassword: 'novacron-admin',
        modelRuns: 15,
        modelSteps: 60,
        modelReplay: undefined,
        dbSchema: 'novacron',
        redisPrefix: '',
        referenceTimings: undefined,
        referenceEntry: undefined,
        reportsDir: join(emptyDir, 'reports'),
        ciRetries: 1,
        envFile: undefined,
        warnings: [],
      },
    );
  });

  it('is frozen, down to its lists', () => {
    const config = load({ NOVACRON_FAULTS: 'a,b' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.faults));
    assert.throws(() => ((config as { workers: number }).workers = 3), TypeError);
  });

  it('treats an empty or blank value as unset', () => {
    const config = load({ LOAD_TEST_USERS: '', NOVACRON_API_URL: '  ', NOVACRON_TEST_DEBUG: '' });
    assert.equal(config.loadUsers, 50);
    assert.equal(config.apiUrl, undefined);
    assert.equal(config.debug, false);
  });
});

describe('loadConfig valid values', () => {
  const cases: Array<[string, string, keyof Config, unknown]> = [
    ['NOVACRON_TEST_MODE', 'ci', 'mode', 'ci'],
    ['NOVACRON_API_URL', 'http://localhost:8091/', 'apiUrl', 'http://localhost:8091'],
    ['NOVACRON_API_URL', 'https://novacron.example.test/api//', 'apiUrl', 'https://novacron.example.test/api'],
    ['NOVACRON_UI_URL', 'http://localhost:8093', 'uiUrl', 'http://localhost:8093'],
    ['DB_URL', 'postgres://u:p@db:5433/other', 'dbUrl', 'postgres://u:p@db:5433/other'],
    ['REDIS_URL', 'rediss://:secret@cache:6380/2', 'redisUrl', 'rediss://:secret@cache:6380/2'],
    ['NOVACRON_USE_DOCKER', 'YES', 'useDocker', true],
    ['NOVACRON_TEST_PARALLEL', '0', 'parallel', false],
    ['NOVACRON_TEST_COVERAGE', '1', 'coverage', true],
    ['NOVACRON_TEST_DEBUG', 'True', 'debug', true],
    ['NOVACRON_TEST_TIMEOUT', '600000', 'timeoutMs', 600000],
    ['NOVACRON_STARTUP_TIMEOUT', '1500', 'startupTimeoutMs', 1500],
    ['LOAD_TEST_USERS', '10000', 'loadUsers', 10000],
    ['LOAD_TEST_DURATION', '600000', 'loadDurationMs', 600000],
    ['LOAD_TEST_RAMPUP', '0', 'loadRampUpMs', 0],
    ['LOAD_TEST_THINK_TIME', '250', 'loadThinkTimeMs', 250],
    ['NOVACRON_LOG_LEVEL', 'warn', 'logLevel', 'warn'],
    ['NOVACRON_TEST_WORKERS', '64', 'workers', 64],
    ['NOVACRON_CONTRACT', 'off', 'contractMode', 'off'],
    ['NOVACRON_FAULTS', ' autoscaler-ignores-threshold , viewer-may-delete,, ', 'faults', ['autoscaler-ignores-threshold', 'viewer-may-delete']],
    ['NOVACRON_FAULTS', 'none', 'faults', []],
    ['NOVACRON_ADMIN_USERNAME', 'root-admin', 'adminUsername', 'root-admin'],
    ['NOVACRON_ADMIN_PASSWORD', 's3cret password', 'adminPassword', 's3cret password'],
    ['NOVACRON_DB_SCHEMA', 'novacron_run_ab12', 'dbSchema', 'novacron_run_ab12'],
    ['NOVACRON_REDIS_PREFIX', 'novacron:run:ab12:', 'redisPrefix', 'novacron:run:ab12:'],
    ['NOVACRON_REF_TIMINGS', 'provision_step=20,heartbeat=30', 'referenceTimings', 'provision_step=20,heartbeat=30'],
    ['NOVACRON_REPORTS_DIR', '/tmp/novacron-reports', 'reportsDir', '/tmp/novacron-reports'],
    ['NOVACRON_RETRY', '0', 'ciRetries', 0],
    ['NOVACRON_RETRY', '2', 'ciRetries', 2],
  ];
  for (const [name, value, field, expected] of cases) {
    it(`${name}="${value}" gives ${String(field)} = ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(load({ [name]: value })[field], expected);
    });
  }

  it('accepts every boolean spelling, case-insensitively', () => {
    for (const [value, expected] of [['true', true], ['TRUE', true], ['1', true], ['yes', true], ['Yes', true], ['false', false], ['FALSE', false], ['0', false], ['no', false], ['NO', false]] as const) {
      assert.equal(load({ NOVACRON_USE_DOCKER: value }).useDocker, expected, value);
    }
  });

  it('an API URL means an external target', () => {
    assert.equal(load({ NOVACRON_API_URL: 'http://localhost:8090' }).targetKind, 'external');
  });

  it('NOVACRON_TEST_DEBUG=true implies the debug log level', () => {
    assert.equal(load({ NOVACRON_TEST_DEBUG: 'true', NOVACRON_LOG_LEVEL: 'warn' }).logLevel, 'debug');
    assert.equal(load({ NOVACRON_TEST_DEBUG: 'false', NOVACRON_LOG_LEVEL: 'warn' }).logLevel, 'warn');
  });

  it('an unset ramp-up never outlasts a shortened test', () => {
    assert.equal(load({ LOAD_TEST_DURATION: '30000' }).loadRampUpMs, 30000);
    assert.equal(load({ LOAD_TEST_DURATION: '30000', LOAD_TEST_RAMPUP: '30000' }).loadRampUpMs, 30000);
  });

  it('faults are allowed with the URL of an embedded reference handed over by the run wrapper', () => {
    const config = load({ NOVACRON_API_URL: 'http://127.0.0.1:43121', NOVACRON_TARGET_KIND: 'embedded', NOVACRON_FAULTS: 'viewer-may-delete' });
    assert.equal(config.targetKind, 'embedded');
    assert.deepEqual(config.faults, ['viewer-may-delete']);
  });
});

describe('loadConfig invalid values: one line naming the variable, the value and what is expected', () => {
  const cases: Array<[string, string, string]> = [
    ['NOVACRON_TEST_MODE', 'unit', 'NOVACRON_TEST_MODE="unit" is not valid: expected one of integration, ci'],
    ['NOVACRON_API_URL', 'localhost:8090', 'NOVACRON_API_URL="localhost:8090" is not valid: expected an http or https URL such as http://localhost:8090'],
    ['NOVACRON_API_URL', 'ftp://localhost', 'NOVACRON_API_URL="ftp://localhost" is not valid: expected an http or https URL such as http://localhost:8090'],
    ['NOVACRON_API_URL', 'http://localhost:8090/?x=1', 'NOVACRON_API_URL="http://localhost:8090/?x=1" is not valid: expected an http or https URL such as http://localhost:8090'],
    ['NOVACRON_UI_URL', 'not a url', 'NOVACRON_UI_URL="not a url" is not valid: expected an http or https URL such as http://localhost:8090'],
    [
      'DB_URL',
      'mysql://root:hunter2@localhost/novacron',
      'DB_URL="mysql://root:***@localhost/novacron" is not valid: expected a postgresql or postgres URL such as postgresql://postgres:postgres@localhost:5432/novacron_test',
    ],
    [
      'DB_URL',
      'postgresql://localhost:5432',
      'DB_URL="postgresql://localhost:5432" is not valid: expected a postgresql or postgres URL such as postgresql://postgres:postgres@localhost:5432/novacron_test',
    ],
    ['REDIS_URL', 'http://localhost:6379', 'REDIS_URL="http://localhost:6379" is not valid: expected a redis or rediss URL such as redis://localhost:6379'],
    ['REDIS_URL', 'redis://localhost:6379/zero', 'REDIS_URL="redis://localhost:6379/zero" is not valid: expected a redis or rediss URL such as redis://localhost:6379'],
    ['NOVACRON_USE_DOCKER', 'maybe', 'NOVACRON_USE_DOCKER="maybe" is not valid: expected true or false (also 1/0, yes/no)'],
    ['NOVACRON_TEST_PARALLEL', 'on', 'NOVACRON_TEST_PARALLEL="on" is not valid: expected true or false (also 1/0, yes/no)'],
    ['NOVACRON_TEST_COVERAGE', '2', 'NOVACRON_TEST_COVERAGE="2" is not valid: expected true or false (also 1/0, yes/no)'],
    ['NOVACRON_TEST_DEBUG', 'y', 'NOVACRON_TEST_DEBUG="y" is not valid: expected true or false (also 1/0, yes/no)'],
    ['NOVACRON_TEST_TIMEOUT', '0', 'NOVACRON_TEST_TIMEOUT="0" is not valid: expected a whole number of milliseconds from 1 to 2147483647'],
    ['NOVACRON_TEST_TIMEOUT', '5m', 'NOVACRON_TEST_TIMEOUT="5m" is not valid: expected a whole number of milliseconds from 1 to 2147483647'],
    ['NOVACRON_TEST_TIMEOUT', '3000000000', 'NOVACRON_TEST_TIMEOUT="3000000000" is not valid: expected a whole number of milliseconds from 1 to 2147483647'],
    ['NOVACRON_STARTUP_TIMEOUT', '-1', 'NOVACRON_STARTUP_TIMEOUT="-1" is not valid: expected a whole number of milliseconds from 1 to 2147483647'],
    ['NOVACRON_RETRY', 'once', 'NOVACRON_RETRY="once" is not valid: expected a whole number from 0 to 10'],
    ['LOAD_TEST_USERS', 'abc', 'LOAD_TEST_USERS="abc" is not valid: expected a whole number from 1 to 10000'],
    ['LOAD_TEST_USERS', '0', 'LOAD_TEST_USERS="0" is not valid: expected a whole number from 1 to 10000'],
    ['LOAD_TEST_USERS', '10001', 'LOAD_TEST_USERS="10001" is not valid: expected a whole number from 1 to 10000'],
    ['LOAD_TEST_USERS', '1.5', 'LOAD_TEST_USERS="1.5" is not valid: expected a whole number from 1 to 10000'],
    ['LOAD_TEST_DURATION', '1e5', 'LOAD_TEST_DURATION="1e5" is not valid: expected a whole number of milliseconds from 1 to 2147483647'],
    ['LOAD_TEST_RAMPUP', '-5', 'LOAD_TEST_RAMPUP="-5" is not valid: expected a whole number of milliseconds from 0 to 2147483647'],
    ['LOAD_TEST_RAMPUP', '400000', 'LOAD_TEST_RAMPUP="400000" is not valid: expected at most LOAD_TEST_DURATION (300000 ms), since the ramp-up is part of the test duration'],
    ['LOAD_TEST_THINK_TIME', '-1', 'LOAD_TEST_THINK_TIME="-1" is not valid: expected a whole number of milliseconds from 0 to 2147483647'],
    ['NOVACRON_LOG_LEVEL', 'verbose', 'NOVACRON_LOG_LEVEL="verbose" is not valid: expected one of error, warn, info, debug'],
    ['NOVACRON_TEST_WORKERS', '65', 'NOVACRON_TEST_WORKERS="65" is not valid: expected a whole number from 1 to 64'],
    ['NOVACRON_TEST_WORKERS', '0', 'NOVACRON_TEST_WORKERS="0" is not valid: expected a whole number from 1 to 64'],
    ['NOVACRON_CONTRACT', 'lenient', 'NOVACRON_CONTRACT="lenient" is not valid: expected one of strict, warn, off'],
    ['NOVACRON_TARGET_KIND', 'remote', 'NOVACRON_TARGET_KIND="remote" is not valid: expected one of embedded, external'],
    ['NOVACRON_REFERENCE_ENTRY', '/nowhere/main.js', 'NOVACRON_REFERENCE_ENTRY="/nowhere/main.js" is not valid: expected an existing .js or .ts file: the reference entry to start'],
    ['NOVACRON_REFERENCE_ENTRY', 'package.json', 'NOVACRON_REFERENCE_ENTRY="package.json" is not valid: expected an existing .js or .ts file: the reference entry to start'],
    [
      'NOVACRON_DB_SCHEMA',
      'my-schema',
      'NOVACRON_DB_SCHEMA="my-schema" is not valid: expected a PostgreSQL schema name: lower-case letters, digits and _, not starting with a digit, at most 63 characters',
    ],
  ];
  for (const [name, value, message] of cases) {
    it(`${name}="${value}"`, () => rejects({ [name]: value }, message));
  }

  it('refuses faults together with an external target', () => {
    rejects(
      { NOVACRON_API_URL: 'http://localhost:8090/', NOVACRON_FAULTS: 'viewer-may-delete, stopped-vm-reports-running' },
      'NOVACRON_FAULTS="viewer-may-delete,stopped-vm-reports-running" cannot be used with NOVACRON_API_URL="http://localhost:8090": faults only apply to the embedded reference (unset one of them)',
    );
  });

  it('an external target kind needs its URL', () => {
    rejects({ NOVACRON_TARGET_KIND: 'external' }, 'NOVACRON_TARGET_KIND="external" is not valid: expected NOVACRON_API_URL to name the external target (or leave both unset)');
  });

  it('never prints a password in a message', () => {
    assert.throws(() => load({ REDIS_URL: 'redis://:topsecret@localhost:6379/x' }), (error: Error) => !error.message.includes('topsecret'));
  });
});

describe('.env.test', () => {
  it('is read from the working directory, with comments, export, quotes and inline comments', () => {
    const dir = workDir(
      [
        '# a comment',
        '',
        'LOAD_TEST_USERS=10',
        'export NOVACRON_TEST_WORKERS = 4',
        "NOVACRON_ADMIN_PASSWORD='p#ss word'",
        'NOVACRON_REDIS_PREFIX="novacron:\\"x\\":"',
        'NOVACRON_LOG_LEVEL=warn # quieter',
        'DB_URL=postgresql://postgres:postgres@localhost:5433/novacron_test',
      ].join('\n'),
    );
    const config = load({}, dir);
    assert.equal(config.loadUsers, 10);
    assert.equal(config.workers, 4);
    assert.equal(config.adminPassword, 'p#ss word');
    assert.equal(config.redisPrefix, 'novacron:"x":');
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.dbUrl, 'postgresql://postgres:postgres@localhost:5433/novacron_test');
    assert.equal(config.envFile, join(dir, '.env.test'));
  });

  it('loses to real environment variables', () => {
    const dir = workDir('LOAD_TEST_USERS=10\nNOVACRON_CONTRACT=warn\n');
    const config = load({ LOAD_TEST_USERS: '20' }, dir);
    assert.equal(config.loadUsers, 20);
    assert.equal(config.contractMode, 'warn');
  });

  it('values are validated like variables', () => {
    rejects({}, 'LOAD_TEST_USERS="lots" is not valid: expected a whole number from 1 to 10000', workDir('LOAD_TEST_USERS=lots\n'));
  });

  it('a malformed line is one line naming the file and the line', () => {
    rejects({}, '.env.test line 2 "this is not an assignment" is not valid: expected KEY=VALUE', workDir('A=1\nthis is not an assignment\n'));
    rejects({}, '.env.test line 1 "B=\'open" is not valid: expected a closing quote', workDir("B='open\n"));
  });

  it('parseEnvFile keeps = inside values and handles CRLF', () => {
    assert.deepEqual(parseEnvFile('A=x=y\r\nB="a\\nb"\r\n'), { A: 'x=y', B: 'a\nb' });
  });

  it('.env.test.example documents every variable with its default', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.test.example'), 'utf8');
    const firstOccurrence: Record<string, string> = {};
    for (const match of example.matchAll(/^# ([A-Z_]+)=(.*)$/gm)) firstOccurrence[match[1]!] ??= match[2]!;
    const suiteVariables = VARIABLE_NAMES.filter((name) => VARIABLES[name].readBy === 'suite' || VARIABLES[name].readBy === 'both');
    for (const name of suiteVariables) assert.ok(name in firstOccurrence, `${name} is missing from .env.test.example`);
    // A variable without a default shows an example value instead.
    const defaults = Object.fromEntries(Object.entries(firstOccurrence).filter(([name]) => VARIABLES[name as keyof typeof VARIABLES]?.default !== undefined));
    assert.deepEqual({ ...load(defaults) }, { ...load({}) });
  });
});

describe('typo guard', () => {
  it('warns about an unknown NOVACRON_* variable, naming the closest known one, without failing', () => {
    const warnings: string[] = [];
    const config = loadConfig({ NOVACRON_TEST_WORKER: '4', NOVACRON_STARTUP_TIMOUT: '10', OTHER_THING: 'x' }, emptyDir, { onWarning: (line) => warnings.push(line) });
    const expected = [
      'warning: NOVACRON_STARTUP_TIMOUT is not a NovaCron Spec variable and is ignored; did you mean NOVACRON_STARTUP_TIMEOUT?',
      'warning: NOVACRON_TEST_WORKER is not a NovaCron Spec variable and is ignored; did you mean NOVACRON_TEST_WORKERS?',
    ];
    assert.deepEqual(warnings, expected);
    assert.deepEqual(config.warnings, expected);
    assert.equal(config.workers, 2);
  });

  it('knows the reference variables and the wrapper hand-over', () => {
    const config = load({ NOVACRON_REF_SIMULATION: 'off', NOVACRON_REF_PORT: '0', NOVACRON_TARGET_KIND: 'embedded' });
    assert.deepEqual(config.warnings, []);
  });
});

describe('describeConfig', () => {
  it('summarizes the run without any password', () => {
    const config = load({
      DB_URL: 'postgresql://app:db-pass-1@db:5432/novacron_test',
      REDIS_URL: 'redis://:redis-pass-2@cache:6379',
      NOVACRON_ADMIN_PASSWORD: 'admin-pass-3',
      NOVACRON_API_URL: 'https://user:api-pass-4@novacron.test',
    });
    const summary = describeConfig(config);
    const text = JSON.stringify(summary);
    for (const secret of ['db-pass-1', 'redis-pass-2', 'admin-pass-3', 'api-pass-4']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.equal(summary.database, 'postgresql://app:***@db:5432/novacron_test');
    assert.equal(summary.redis, 'redis://:***@cache:6379');
    assert.equal(summary.target, 'https://user:***@novacron.test');
    assert.equal(summary.faults, 'none');
    assert.equal(summary.adminUsername, 'admin');
  });
});

describe('model-based check settings', () => {
  it('reads a seed alone, or a seed with the path and replay path of a shrunk sequence', () => {
    assert.deepEqual(load({ NOVACRON_SEED: '-1172560961' }).modelReplay, { seed: -1172560961 });
    assert.deepEqual(load({ NOVACRON_SEED: '722495228/0:1:0:0/CABAAABAAAZI:qq' }).modelReplay, { seed: 722495228, path: '0:1:0:0', replayPath: 'CABAAABAAAZI:qq' });
  });

  it('refuses a seed that no model check printed, naming the variable', () => {
    for (const value of ['abc', '1.5', '99999999999', '12/x/y']) {
      assert.throws(() => load({ NOVACRON_SEED: value }), (error: Error) => error instanceof ConfigError && error.message.startsWith(`NOVACRON_SEED="${value}" is not valid`));
    }
  });

  it('runs fewer and shorter sequences in ci mode unless told otherwise', () => {
    assert.deepEqual([load({ NOVACRON_TEST_MODE: 'ci' }).modelRuns, load({ NOVACRON_TEST_MODE: 'ci' }).modelSteps], [5, 40]);
    assert.deepEqual([load({ NOVACRON_MODEL_RUNS: '3', NOVACRON_MODEL_STEPS: '7' }).modelRuns, load({ NOVACRON_MODEL_STEPS: '7' }).modelSteps], [3, 7]);
    assert.throws(() => load({ NOVACRON_MODEL_RUNS: '0' }), /NOVACRON_MODEL_RUNS="0" is not valid/);
  });
});
