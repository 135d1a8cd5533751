import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DB_URL, dropTestData, REDIS_URL } from '../reference/helpers';

const ROOT = join(__dirname, '..', '..');
const SCENARIOS = [
  'features/system/backend/vm-lifecycle.feature',
  '--name',
  'The complete create, start, stop and delete cycle|A volume is created, attached to a machine and detached again',
  'features/system/backend/storage.feature',
];

/** The environment of a child: this process's, without what node:test hands its own test files. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith('NODE_TEST')) delete env[key];
  return env;
}

/** `npm run reference`'s command with the given faults, on a port, schema and key prefix of its own. */
async function startReference(schema: string, faults: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', 'reference/main.ts'], {
    cwd: ROOT,
    env: childEnv({ DB_URL, REDIS_URL, NOVACRON_REF_PORT: '0', NOVACRON_REF_SCHEMA: schema, NOVACRON_REF_REDIS_PREFIX: `test:clean:${schema}:`, NOVACRON_FAULTS: faults }),
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the reference did not start within 30 s: ${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the reference exited with ${code}: ${output}`)));
  });
  return { url, process: child };
}

function runSuite(url: string, reportsDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', 'scripts/cucumber.ts', ...SCENARIOS], {
      cwd: ROOT,
      env: childEnv({ NOVACRON_API_URL: url, NOVACRON_REPORTS_DIR: reportsDir, NOVACRON_TEST_MODE: 'ci', NOVACRON_TEST_PARALLEL: 'false' }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Runs the scenarios against a reference started on its own and returns what the conformance report says was left behind. */
async function leftBehindBy(faults: string): Promise<{ left: Record<string, string[]>; code: number | null; output: string }> {
  const schema = `t_clean_${randomBytes(4).toString('hex')}`;
  const reportsDir = mkdtempSync(join(tmpdir(), 'novacron-clean-'));
  const reference = await startReference(schema, faults);
  try {
    const run = await runSuite(reference.url, reportsDir);
    const conformance = JSON.parse(readFileSync(join(reportsDir, 'conformance.json'), 'utf8')) as { left_behind?: Record<string, string[]> };
    assert.ok(conformance.left_behind, `the run against ${reference.url} took no inventory of what it left:\n${run.output}`);
    return { left: conformance.left_behind, ...run };
  } finally {
    reference.process.kill('SIGTERM');
    await new Promise((resolve) => reference.process.once('exit', resolve));
    await dropTestData(schema, `test:clean:${schema}:`);
    rmSync(reportsDir, { recursive: true, force: true });
  }
}

// What the inventory finds, and how a left-behind resource is named, is unit-tested in
// test/support/leftovers.test.ts; here a real run shows its scenarios clean up after themselves.
describe('a run against a target of its own', { timeout: 120_000 }, () => {
  it('leaves no VM, user or volume of its scenarios behind', async () => {
    const { left, code, output } = await leftBehindBy('');
    assert.equal(code, 0, output);
    assert.match(output, /^2 passed, 0 failed$/m, `the two scenarios did not both run and pass:\n${output}`);
    assert.deepEqual(left, {}, output);
  });
});
