import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DB_URL, dropTestData, REDIS_URL, sleep, TestReference } from './helpers';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run reference`'s command; `whenReady` runs once the listening line is printed. */
function runCli(env: Record<string, string>, whenReady?: (url: string, stop: (signal: NodeJS.Signals) => void) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', 'reference/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DB_URL, REDIS_URL, ...env },
    });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^NovaCron reference listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match && !ready && whenReady) {
        ready = true;
        whenReady(match[1], (signal) => child.kill(signal)).catch((error: unknown) => {
          child.kill('SIGKILL');
          reject(error);
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('the reference process (npm run reference)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints exactly its URL, answers /health and exits 0 on ${signal}`, async () => {
      const schema = `t_cli_${randomBytes(4).toString('hex')}`;
      const prefix = `test:cli:${schema}:`;
      try {
        const run = await runCli({ NOVACRON_REF_PORT: '0', NOVACRON_REF_SCHEMA: schema, NOVACRON_REF_REDIS_PREFIX: prefix }, async (url, stop) => {
          const health = await fetch(`${url}/health`);
          assert.equal(health.status, 200);
          assert.equal(((await health.json()) as { status: string }).status, 'healthy');
          stop(signal);
        });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^NovaCron reference listening on http:\/\/127\.0\.0\.1:\d+\n$/);
        const notInfo = run.stderr.split('\n').filter((line) => line !== '' && !/^\S+ novacron-reference info: /.test(line));
        assert.deepEqual(notInfo, [], 'the reference starts with a warning or an error');
      } finally {
        await dropTestData(schema, prefix);
      }
    });
  }

  it('logs each request to stderr at NOVACRON_LOG_LEVEL=debug', async () => {
    const schema = `t_cli_${randomBytes(4).toString('hex')}`;
    const prefix = `test:cli:${schema}:`;
    try {
      const run = await runCli({ NOVACRON_REF_PORT: '0', NOVACRON_REF_SCHEMA: schema, NOVACRON_REF_REDIS_PREFIX: prefix, NOVACRON_LOG_LEVEL: 'debug' }, async (url, stop) => {
        await fetch(`${url}/health`);
        stop('SIGTERM');
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /debug: GET \/health -> 200/);
      assert.equal(run.stdout.split('\n').filter(Boolean).length, 1, 'only the listening line goes to stdout');
    } finally {
      await dropTestData(schema, prefix);
    }
  });

  for (const [label, env, expected] of [
    ['a bad option', { NOVACRON_REF_PORT: 'eighty' }, /^novacron reference: NOVACRON_REF_PORT="eighty" is not valid: expected a whole number from 0 to 65535\n$/],
    ['an unknown fault', { NOVACRON_FAULTS: 'gremlins' }, /^novacron reference: NOVACRON_FAULTS="gremlins" is not valid: .*known faults: ([a-z0-9-]+, )*vm-stuck-provisioning, .*\n$/],
    ['an unreachable PostgreSQL', { DB_URL: 'postgresql://postgres@127.0.0.1:1/none' }, /^novacron reference: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/none: .*ECONNREFUSED.*\n$/],
    ['an unreachable Redis', { REDIS_URL: 'redis://127.0.0.1:1' }, /^novacron reference: cannot connect to Redis at 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/],
  ] as [string, Record<string, string>, RegExp][]) {
    it(`exits 1 with one line on stderr for ${label}`, async () => {
      const run = await runCli({ ...env, NOVACRON_REF_PORT: env.NOVACRON_REF_PORT ?? '0' });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, expected);
    });
  }
});

describe('the reference in process (startReference)', () => {
  it('releases its sockets and timers when it closes, and closing twice is harmless', async () => {
    const resources = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'FSReqCallback');
    const before = resources().length;
    const ref = await TestReference.start('lifecycle');
    const token = await ref.adminToken();
    await ref.createVm(token, { name: 'lifecycle-1' });
    assert.ok(resources().length > before);
    await ref.close();
    await ref.reference.close();
    await sleep(50);
    assert.deepEqual(resources().slice(before), [], 'resources left after close');
  });

  it('refuses to start on a port that is taken, with a clear error', async () => {
    const first = await TestReference.start('port');
    try {
      await assert.rejects(TestReference.start('port-2', { port: first.reference.port }), /port \d+ on 127\.0\.0\.1 is already in use/);
    } finally {
      await first.close();
    }
  });
});
