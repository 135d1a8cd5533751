import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { loadConfig, type Config } from '../../support/config';
import { planPostgres, planRedis, planTarget, TestEnvironment, waitForTarget, type DockerFacts, type ServiceFacts } from '../../support/environment';
import { probeDocker, findExecutable, freePort, probePostgres, probeRedis, describeProblem } from '../../support/environment/probes';
import { launchReference, referenceEnv } from '../../support/environment/reference-process';
import { deleteKeysWithPrefix } from '../../support/environment/redis';

// The PostgreSQL and Redis of the machine (those CI starts too); every test uses names of its own.
const LOCAL_PG = 'postgresql://postgres:postgres@127.0.0.1:5432';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';
const REPO_ROOT = join(__dirname, '..', '..');
const NO_DOCKER = { DOCKER_HOST: 'unix:///nonexistent/novacron-test/docker.sock' };

const work = mkdtempSync(join(tmpdir(), 'novacron-env-test-'));
const createdDatabases: string[] = [];
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await withPg(`${LOCAL_PG}/postgres`, async (client) => {
    for (const name of createdDatabases) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

/**
 * Stands in for reference/main.ts: prints the same ready line. FAKE_REF_MODE: ready (default),
 * crash (exits with stderr lines), silent (never ready), stubborn (ignores SIGTERM).
 * With FAKE_REF_PG (path of the pg module) it creates its schema and a table, like the reference.
 */
const FAKE_REFERENCE = `'use strict';
const http = require('node:http');
const mode = process.env.FAKE_REF_MODE || 'ready';
const shown = ['DB_URL', 'REDIS_URL', 'NOVACRON_REF_PORT', 'NOVACRON_REF_HOST', 'NOVACRON_REF_SCHEMA', 'NOVACRON_REF_REDIS_PREFIX',
  'NOVACRON_FAULTS', 'NOVACRON_REF_TIMINGS', 'NOVACRON_LOG_LEVEL', 'NOVACRON_REF_ADMIN_PASSWORD', 'NODE_V8_COVERAGE', 'NOVACRON_API_URL'];
if (mode === 'crash') {
  console.error('connecting to the database');
  console.error('fatal: the database refused the connection');
  process.exit(3);
} else if (mode === 'silent') {
  console.error('starting slowly');
  setInterval(() => {}, 1000);
} else {
  main().catch((error) => { console.error(error.stack); process.exit(1); });
}
async function main() {
  if (process.env.FAKE_REF_PG) {
    const { Client } = require(process.env.FAKE_REF_PG);
    const client = new Client({ connectionString: process.env.DB_URL });
    await client.connect();
    const schema = process.env.NOVACRON_REF_SCHEMA;
    await client.query('CREATE SCHEMA IF NOT EXISTS "' + schema + '"');
    await client.query('CREATE TABLE IF NOT EXISTS "' + schema + '".vms (id text primary key)');
    await client.end();
  }
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ pid: process.pid, env: Object.fromEntries(shown.map((name) => [name, process.env[name]])) }));
  });
  server.listen(0, '127.0.0.1', () => {
    console.error('fake reference ready');
    console.log('NovaCron reference listening on http://127.0.0.1:' + server.address().port);
  });
  process.on('SIGTERM', () => {
    if (mode === 'stubborn') return console.error('ignoring SIGTERM');
    server.close();
    process.exit(0);
  });
}
`;

let fakeCount = 0;
/** A fresh copy of the fake, so a test can look for its own processes by path. */
function fakeReference(): string {
  const path = join(work, `fake-reference-${++fakeCount}.js`);
  writeFileSync(path, FAKE_REFERENCE);
  return path;
}

/** PIDs of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    })
    .map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function health(url: string): Promise<{ pid: number; env: Record<string, string | undefined> }> {
  const response = await fetch(`${url}/health`);
  return (await response.json()) as { pid: number; env: Record<string, string | undefined> };
}

async function withPg<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function schemaExists(url: string, schema: string): Promise<boolean> {
  return withPg(url, async (client) => (await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).rowCount === 1);
}

async function databaseExists(name: string): Promise<boolean> {
  return withPg(`${LOCAL_PG}/postgres`, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

function uniqueDatabase(): string {
  const name = `novacron_envtest_${randomBytes(4).toString('hex')}`;
  createdDatabases.push(name);
  return name;
}

async function closedPort(): Promise<number> {
  return freePort();
}

function config(env: Record<string, string>): Config {
  return loadConfig({ NOVACRON_STARTUP_TIMEOUT: '15000', ...env }, work, { onWarning: () => undefined });
}

function environment(cfg: Config, extra: { entry?: string; env?: NodeJS.ProcessEnv; lines?: string[]; stopGraceMs?: number } = {}): TestEnvironment {
  return new TestEnvironment(cfg, {
    referenceEntry: extra.entry ?? fakeReference(),
    logDir: join(work, 'reports'),
    log: (line) => extra.lines?.push(line),
    env: { ...process.env, ...NO_DOCKER, FAKE_REF_PG: require.resolve('pg'), ...extra.env },
    stopGraceMs: extra.stopGraceMs,
  });
}

// -----------------------------------------------------------------------------------------------

describe('decisions (pure)', () => {
  const noDocker: DockerFacts = { requested: false, answers: false, endpoint: 'unix:///var/run/docker.sock', problem: 'ENOENT' };
  const dockerUp: DockerFacts = { requested: false, answers: true, endpoint: 'unix:///var/run/docker.sock' };
  const dockerAskedButDown: DockerFacts = { ...noDocker, requested: true };
  const answering = (docker: DockerFacts): ServiceFacts => ({ url: 'postgresql://postgres:***@localhost:5432/novacron_test', urlAnswers: true, docker });
  const silent = (docker: DockerFacts, url = 'postgresql://postgres:***@localhost:5432/novacron_test'): ServiceFacts => ({
    url,
    urlAnswers: false,
    urlProblem: 'ECONNREFUSED',
    docker,
  });

  it('an API URL is tested as it is; none means provisioning', () => {
    assert.deepEqual(planTarget('http://localhost:8090'), { kind: 'external', url: 'http://localhost:8090' });
    assert.deepEqual(planTarget(undefined), { kind: 'provision' });
  });

  it('PostgreSQL: the URL when it answers, whatever Docker does', () => {
    for (const docker of [noDocker, dockerUp, dockerAskedButDown]) assert.deepEqual(planPostgres(answering(docker)), { source: 'url' });
  });

  it('PostgreSQL: a container when Docker answers (asked for or not)', () => {
    assert.deepEqual(planPostgres(silent(dockerUp)), { source: 'container' });
    assert.deepEqual(planPostgres(silent({ ...dockerUp, requested: true })), { source: 'container' });
  });

  it('PostgreSQL without Docker: embedded PostgreSQL', () => {
    assert.deepEqual(planPostgres(silent(noDocker)), { source: 'embedded' });
  });

  it('PostgreSQL: Docker asked for but absent is an error, not a silent fallback', () => {
    const plan = planPostgres(silent(dockerAskedButDown));
    assert.equal(plan.source, 'unavailable');
    assert.equal(
      plan.source === 'unavailable' && plan.reason,
      'NOVACRON_USE_DOCKER=true but no Docker engine answers at unix:///var/run/docker.sock (ENOENT), so PostgreSQL cannot be started in a container ' +
        '(DB_URL=postgresql://postgres:***@localhost:5432/novacron_test does not answer either: ECONNREFUSED); start Docker or set DOCKER_HOST, ' +
        'point DB_URL at a running PostgreSQL, or set NOVACRON_USE_DOCKER=false to let the suite start PostgreSQL itself',
    );
  });

  it('Redis: URL, then container, then redis-server from PATH, then one clear message', () => {
    const url = 'redis://localhost:6379';
    assert.deepEqual(planRedis({ ...answering(noDocker), url, redisServerPath: undefined }), { source: 'url' });
    assert.deepEqual(planRedis({ ...silent(dockerUp, url), redisServerPath: '/usr/bin/redis-server' }), { source: 'container' });
    assert.deepEqual(planRedis({ ...silent(noDocker, url), redisServerPath: '/usr/bin/redis-server' }), { source: 'binary', path: '/usr/bin/redis-server' });
    const none = planRedis({ ...silent(noDocker, url), redisServerPath: undefined });
    assert.equal(
      none.source === 'unavailable' && none.reason,
      'Redis is not available: REDIS_URL=redis://localhost:6379 does not answer (ECONNREFUSED), no redis-server is on PATH and no Docker engine answers; ' +
        'set REDIS_URL to a running Redis, install redis-server (e.g. apt-get install redis-server), or start Docker',
    );
    const asked = planRedis({ ...silent(dockerAskedButDown, url), redisServerPath: '/usr/bin/redis-server' });
    assert.equal(asked.source, 'unavailable', 'Docker asked for: no fallback to redis-server');
    assert.match(asked.source === 'unavailable' ? asked.reason : '', /^NOVACRON_USE_DOCKER=true but no Docker engine answers/);
  });
});

describe('probes', () => {
  it('Docker: a missing socket answers no, quickly', async () => {
    const started = Date.now();
    const probe = await probeDocker({ DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` });
    assert.deepEqual(probe, { answers: false, endpoint: `unix://${join(work, 'no-docker.sock')}`, problem: 'ENOENT' });
    assert.ok(Date.now() - started < 1000);
  });

  it('Docker: an engine answering GET /_ping answers yes', async () => {
    const socket = join(work, 'fake-docker.sock');
    const engine = http.createServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : 'no'));
    await new Promise<void>((resolve) => engine.listen(socket, resolve));
    try {
      assert.deepEqual(await probeDocker({ DOCKER_HOST: `unix://${socket}` }), { answers: true, endpoint: `unix://${socket}` });
    } finally {
      engine.close();
    }
  });

  it('Docker: a closed TCP DOCKER_HOST answers no', async () => {
    const port = await closedPort();
    const probe = await probeDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    assert.equal(probe.answers, false);
    assert.equal(probe.problem, 'ECONNREFUSED');
  });

  it('Docker: without DOCKER_HOST the usual sockets are tried', async () => {
    const probe = await probeDocker({ XDG_RUNTIME_DIR: join(work, 'run') });
    assert.match(probe.endpoint, /^unix:\/\/\/var\/run\/docker\.sock or unix:\/\/.*\/run\/docker\.sock/);
  });

  it('findExecutable finds executable files on PATH only', () => {
    const dir = mkdtempSync(join(work, 'bin-'));
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    writeFileSync(join(dir, 'data'), 'x');
    assert.equal(findExecutable('tool', `/nonexistent:${dir}`), join(dir, 'tool'));
    assert.equal(findExecutable('data', dir), undefined);
    assert.equal(findExecutable('tool', ''), undefined);
  });

  it('PostgreSQL: a missing database is told apart from a missing server', async () => {
    const missing = await probePostgres(`${LOCAL_PG}/novacron_envtest_never_created`);
    assert.deepEqual(missing, { ok: false, databaseMissing: true, problem: 'database novacron_envtest_never_created does not exist' });
    const closed = await probePostgres(`postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/x`);
    assert.deepEqual(closed, { ok: false, problem: 'ECONNREFUSED' });
  });

  it('Redis: PING, or why not', async () => {
    assert.deepEqual(await probeRedis(LOCAL_REDIS), { ok: true });
    assert.deepEqual(await probeRedis(`redis://127.0.0.1:${await closedPort()}`), { ok: false, problem: 'ECONNREFUSED' });
  });

  it('deleting a run\'s Redis keys matches the prefix literally, glob characters included', async () => {
    const base = `novacron:envtest:${randomBytes(4).toString('hex')}`;
    const client = new IORedis(LOCAL_REDIS);
    try {
      await client.mset(`${base}:[a]*:1`, 'run', `${base}:[a]*:2`, 'run', `${base}:a:1`, 'other', `${base}:ab:1`, 'other');
      assert.equal(await deleteKeysWithPrefix(LOCAL_REDIS, `${base}:[a]*:`), 2);
      assert.deepEqual((await client.keys(`${base}:*`)).sort(), [`${base}:a:1`, `${base}:ab:1`]);
      await assert.rejects(deleteKeysWithPrefix(LOCAL_REDIS, ''), /refusing to delete Redis keys without a prefix/);
    } finally {
      await client.del(`${base}:a:1`, `${base}:ab:1`);
      client.disconnect();
    }
  });

  it('describeProblem prefers the errno code', () => {
    assert.equal(describeProblem(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(describeProblem(new Error('first line\nsecond line')), 'first line');
  });
});

describe('waiting for an external target', () => {
  it('fails within its deadline against a closed port, in one line naming URL, attempts, last error and variable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    await assert.rejects(waitForTarget(url, { timeoutMs: 1200 }), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^the NovaCron API at ${url} did not answer GET /health within 1200 ms \\(\\d+ attempts, last error: ECONNREFUSED\\); start it, or change NOVACRON_API_URL \\(or NOVACRON_STARTUP_TIMEOUT\\)$`),
      );
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1100 && elapsed < 2500, `took ${elapsed} ms`);
  });

  it('never hangs on a server that accepts but does not answer', async () => {
    const sockets: import('node:net').Socket[] = [];
    const mute = http.createServer(() => undefined);
    mute.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(mute.address() as import('node:net').AddressInfo).port}`;
    const started = Date.now();
    try {
      await assert.rejects(waitForTarget(url, { timeoutMs: 1000, probeTimeoutMs: 300 }), /last error: no answer within \d+ ms/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      mute.close();
    }
  });

  it('any HTTP answer, even 503, means the target is up', async () => {
    const unhealthy = http.createServer((_req, res) => res.writeHead(503).end('{"status":"unhealthy"}'));
    await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(unhealthy.address() as import('node:net').AddressInfo).port}`;
    try {
      const signalListeners = process.listenerCount('SIGINT');
      const env = environment(config({ NOVACRON_API_URL: `${url}/` }));
      const resolved = await env.setup();
      assert.equal(resolved.apiUrl, url);
      assert.deepEqual(env.toEnv(), {
        NOVACRON_API_URL: url,
        DB_URL: 'postgresql://postgres:postgres@localhost:5432/novacron_test',
        REDIS_URL: 'redis://localhost:6379',
        NOVACRON_DB_SCHEMA: 'novacron',
        NOVACRON_REDIS_PREFIX: '',
        NOVACRON_TARGET_KIND: 'external',
      });
      assert.equal(process.listenerCount('SIGINT'), signalListeners, 'nothing started, nothing to guard');
      await env.cleanup();
    } finally {
      unhealthy.close();
    }
  });

  it('TestEnvironment.setup() with an unreachable NOVACRON_API_URL fails with that line', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const env = environment(config({ NOVACRON_API_URL: url, NOVACRON_STARTUP_TIMEOUT: '800' }));
    await assert.rejects(env.setup(), (error: Error) => error.message.startsWith(`the NovaCron API at ${url} did not answer`) && !error.message.includes('\n'));
    await env.cleanup();
  });
});

describe('the reference launcher', () => {
  const launch = (entry: string, mode: string, startupTimeoutMs = 10_000, extra: { stopGraceMs?: number; signal?: AbortSignal } = {}) =>
    launchReference({
      repoRoot: REPO_ROOT,
      entry,
      env: { ...process.env, FAKE_REF_MODE: mode, NOVACRON_REF_SCHEMA: 'novacron_run_launcher' },
      startupTimeoutMs,
      logFile: join(work, 'launcher', `${mode}.log`),
      ...extra,
    });

  it('resolves with the URL of the ready line, keeps stderr in the log, stops on SIGTERM', async () => {
    const reference = await launch(fakeReference(), 'ready');
    assert.match(reference.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(readFileSync(`/proc/${reference.pid}/cmdline`, 'utf8'), /ts-node/, 'a compiled .js entry runs with plain node');
    const answer = await health(reference.url);
    assert.equal(answer.pid, reference.pid);
    await reference.stop();
    assert.equal(isAlive(reference.pid), false);
    await reference.stop(); // again: nothing left to do
    assert.match(readFileSync(join(work, 'launcher', 'ready.log'), 'utf8'), /fake reference ready/);
  });

  it('fails with its last stderr lines when it exits before it is ready', async () => {
    const entry = fakeReference();
    await assert.rejects(launch(entry, 'crash'), (error: Error) => {
      assert.equal(
        error.message,
        `the embedded reference (${entry}) exited with code 3 before it was ready; its last stderr lines:\n` +
          '  | connecting to the database\n  | fatal: the database refused the connection',
      );
      return true;
    });
  });

  it('gives up at the startup deadline and leaves no process behind', async () => {
    const entry = fakeReference();
    const started = Date.now();
    // Long enough for the fake to write its first line even when the machine is busy.
    await assert.rejects(launch(entry, 'silent', 4000), /did not report ready within 4000 ms \(NOVACRON_STARTUP_TIMEOUT\); its last stderr lines:\n {2}\| starting slowly$/);
    assert.ok(Date.now() - started < 7000, `took ${Date.now() - started} ms`);
    assert.deepEqual(processesMentioning(entry), []);
  });

  it('kills a reference that ignores SIGTERM after the grace period', async () => {
    const reference = await launch(fakeReference(), 'stubborn', 10_000, { stopGraceMs: 300 });
    const started = Date.now();
    await reference.stop();
    assert.equal(isAlive(reference.pid), false);
    assert.ok(Date.now() - started < 3000);
  });

  it('a start can be cancelled', async () => {
    const entry = fakeReference();
    const abort = new AbortController();
    const launching = launch(entry, 'silent', 10_000, { signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await assert.rejects(launching, /start was cancelled/);
    assert.deepEqual(processesMentioning(entry), []);
  });

  it('says so when the entry script does not exist', async () => {
    await assert.rejects(launch(join(work, 'missing', 'main.ts'), 'ready'), /does not exist \(set NOVACRON_API_URL to test a running NovaCron instead\)$/);
  });

  it('passes the run, faults, timings, log level, admin password and coverage to the reference', () => {
    const cfg = config({ NOVACRON_FAULTS: 'a,b', NOVACRON_REF_TIMINGS: 'heartbeat=30', NOVACRON_TEST_DEBUG: 'true', NOVACRON_TEST_COVERAGE: 'true', NOVACRON_ADMIN_PASSWORD: 'long-password' });
    const env = referenceEnv(cfg, { dbUrl: 'postgresql://x@h/db', redisUrl: 'redis://h:1', schema: 'novacron_run_1', redisPrefix: 'novacron:run:1:', repoRoot: '/repo' }, { PATH: '/bin', NOVACRON_API_URL: 'http://stale' });
    assert.deepEqual(env, {
      PATH: '/bin',
      DB_URL: 'postgresql://x@h/db',
      REDIS_URL: 'redis://h:1',
      NOVACRON_REF_PORT: '0',
      NOVACRON_REF_HOST: '127.0.0.1',
      NOVACRON_REF_SCHEMA: 'novacron_run_1',
      NOVACRON_REF_REDIS_PREFIX: 'novacron:run:1:',
      NOVACRON_FAULTS: 'a,b',
      NOVACRON_REF_TIMINGS: 'heartbeat=30',
      NOVACRON_LOG_LEVEL: 'debug',
      NOVACRON_REF_ADMIN_PASSWORD: 'long-password',
      NODE_V8_COVERAGE: '/repo/coverage/tmp',
    });
    const plain = referenceEnv(config({}), { dbUrl: 'd', redisUrl: 'r', schema: 's', redisPrefix: 'p', repoRoot: '/repo' }, { NOVACRON_REF_TIMINGS: 'stale=1' });
    assert.equal(plain.NOVACRON_FAULTS, 'none');
    assert.equal('NOVACRON_REF_TIMINGS' in plain, false);
    assert.equal('NODE_V8_COVERAGE' in plain, false);
  });
});

describe('TestEnvironment against real services', { timeout: 120_000 }, () => {
  let redis: IORedis;
  before(() => {
    redis = new IORedis(LOCAL_REDIS);
  });
  after(() => redis.disconnect());

  it('creates a missing database, gives the run its own schema and prefix, removes them at cleanup (idempotent)', async () => {
    const database = uniqueDatabase();
    const dbUrl = `${LOCAL_PG}/${database}`;
    const lines: string[] = [];
    const signalListeners = process.listenerCount('SIGINT');
    const env = environment(config({ DB_URL: dbUrl, REDIS_URL: LOCAL_REDIS, NOVACRON_FAULTS: 'some-fault' }), { lines });

    const resolved = await env.setup();
    assert.equal(await databaseExists(database), true);
    assert.deepEqual({ postgres: resolved.postgres, redis: resolved.redis, targetKind: resolved.targetKind }, { postgres: 'url', redis: 'url', targetKind: 'embedded' });
    assert.match(resolved.dbSchema, /^novacron_run_[0-9a-f]{8}$/);
    assert.equal(resolved.redisPrefix, `novacron:run:${resolved.dbSchema.slice('novacron_run_'.length)}:`);
    assert.equal(await schemaExists(dbUrl, resolved.dbSchema), true);
    assert.equal(process.listenerCount('SIGINT'), signalListeners + 1, 'interrupts are guarded while services run');
    assert.deepEqual(lines.slice(0, 3), [
      `PostgreSQL: created database ${database}`,
      `PostgreSQL: using postgresql://postgres:***@127.0.0.1:5432/${database}`,
      'Redis: using redis://127.0.0.1:6379',
    ]);
    assert.equal(lines[3], `reference: ${resolved.apiUrl} (schema ${resolved.dbSchema}, Redis prefix ${resolved.redisPrefix})`);

    const answer = await health(resolved.apiUrl);
    assert.equal(answer.env.NOVACRON_REF_SCHEMA, resolved.dbSchema);
    assert.equal(answer.env.NOVACRON_FAULTS, 'some-fault');
    assert.equal(answer.env.DB_URL, dbUrl);

    // What workers receive: they connect, and their config describes the same environment.
    const handedOver = loadConfig({ NOVACRON_FAULTS: 'some-fault', ...env.toEnv() }, work, { onWarning: () => undefined });
    assert.deepEqual(
      { apiUrl: handedOver.apiUrl, targetKind: handedOver.targetKind, dbUrl: handedOver.dbUrl, dbSchema: handedOver.dbSchema, redisPrefix: handedOver.redisPrefix },
      { apiUrl: resolved.apiUrl, targetKind: 'embedded', dbUrl, dbSchema: resolved.dbSchema, redisPrefix: resolved.redisPrefix },
    );
    await env.waitForServices(['api-server', 'database', 'redis']);

    const otherKey = `novacron:envtest:${randomBytes(4).toString('hex')}`;
    await redis.set(`${resolved.redisPrefix}token:1`, 'x');
    await redis.set(`${resolved.redisPrefix}rate[1]*`, 'x');
    await redis.set(otherKey, 'kept');
    try {
      const first = env.cleanup();
      const second = env.cleanup();
      assert.equal(first, second, 'one cleanup, however often it is asked for');
      await first;
      await env.cleanup();
      assert.equal(isAlive(answer.pid), false, 'reference stopped');
      assert.equal(await schemaExists(dbUrl, resolved.dbSchema), false, 'schema dropped');
      assert.deepEqual(await redis.keys(`novacron:run:${resolved.dbSchema.slice('novacron_run_'.length)}:*`), [], 'run keys deleted');
      assert.equal(await redis.get(otherKey), 'kept', 'other keys untouched');
      assert.deepEqual(lines.slice(4), ['cleanup: stopped reference', `cleanup: deleted Redis keys ${resolved.redisPrefix}*`, `cleanup: dropped schema ${resolved.dbSchema}`]);
      assert.equal(process.listenerCount('SIGINT'), signalListeners, 'handlers removed');
      await assert.rejects(env.setup(), /already cleaned up/);
    } finally {
      await redis.del(otherKey);
    }
  });

  it('starts redis-server on a free port when REDIS_URL does not answer, and stops it', async () => {
    const lines: string[] = [];
    const env = environment(config({ DB_URL: `${LOCAL_PG}/${uniqueDatabase()}`, REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }), { lines });
    try {
      const resolved = await env.setup();
      assert.equal(resolved.redis, 'binary');
      assert.match(resolved.redisUrl, /^redis:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(resolved.redisUrl, LOCAL_REDIS);
      assert.deepEqual(await probeRedis(resolved.redisUrl), { ok: true });
      assert.ok(lines.some((line) => /^Redis: redis:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\); starting .*redis-server$/.test(line)), lines.join('\n'));
      await env.cleanup();
      assert.equal((await probeRedis(resolved.redisUrl)).ok, false, 'redis-server stopped');
      assert.ok(lines.includes('cleanup: stopped redis-server'));
    } finally {
      await env.cleanup();
    }
  });

  it('starts embedded PostgreSQL when DB_URL does not answer and no Docker engine does', async () => {
    const lines: string[] = [];
    const env = environment(config({ DB_URL: `postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/novacron_test`, REDIS_URL: LOCAL_REDIS }), { lines });
    try {
      const resolved = await env.setup();
      assert.equal(resolved.postgres, 'embedded');
      assert.match(resolved.dbUrl, /^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/novacron_test$/);
      assert.equal(await schemaExists(resolved.dbUrl, resolved.dbSchema), true);
      assert.ok(lines.some((line) => line.startsWith('Docker: no engine answers at unix:///nonexistent/novacron-test/docker.sock')), lines.join('\n'));
      await env.cleanup();
      assert.equal((await probePostgres(resolved.dbUrl)).ok, false, 'embedded PostgreSQL stopped');
    } finally {
      await env.cleanup();
    }
  });

  it('NOVACRON_USE_DOCKER=true without an engine fails before starting anything', async () => {
    const lines: string[] = [];
    const env = environment(
      config({ NOVACRON_USE_DOCKER: 'true', DB_URL: `${LOCAL_PG}/novacron_test`, REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }),
      { lines },
    );
    await assert.rejects(env.setup(), (error: Error) => {
      assert.match(error.message, /^NOVACRON_USE_DOCKER=true but no Docker engine answers at unix:\/\/\/nonexistent\/novacron-test\/docker\.sock \(ENOENT\), so Redis cannot be started in a container/);
      return true;
    });
    assert.ok(!lines.some((line) => line.startsWith('cleanup:')), `nothing was started: ${lines.join(' | ')}`);
    await env.cleanup();
  });

  it('waitForServices names what did not answer', async () => {
    const env = environment(config({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, NOVACRON_STARTUP_TIMEOUT: '600' }));
    await assert.rejects(env.waitForServices(['redis']), /^EnvironmentError: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 600 ms \(\d+ attempts, last error: ECONNREFUSED\); start it or change REDIS_URL$/);
    await assert.rejects(env.waitForServices(['cache' as 'redis']), /unknown service "cache": expected one of api-server, database, redis/);
    await assert.rejects(env.waitForServices(['api-server']), /set NOVACRON_API_URL or await setup\(\) first/);
  });
});

describe('an interrupted run stops what it started', { timeout: 60_000 }, () => {
  const drivers: Array<ReturnType<typeof spawn>> = [];
  after(() => drivers.forEach((driver) => driver.exitCode === null && driver.signalCode === null && driver.kill('SIGKILL')));

  /** Runs a process that sets up an environment with the fake reference, reports it, then waits or crashes. */
  async function runDriver(then: 'wait' | 'crash'): Promise<{ child: ReturnType<typeof spawn>; resolved: { apiUrl: string; dbUrl: string; dbSchema: string } }> {
    const driver = join(work, `driver-${then}.ts`);
    writeFileSync(
      driver,
      `import { loadConfig } from ${JSON.stringify(join(REPO_ROOT, 'support', 'config'))};
import { TestEnvironment } from ${JSON.stringify(join(REPO_ROOT, 'support', 'environment'))};
const env = new TestEnvironment(loadConfig({ DB_URL: process.env.DRIVER_DB_URL, REDIS_URL: ${JSON.stringify(LOCAL_REDIS)} }, ${JSON.stringify(work)}), {
  referenceEntry: process.env.DRIVER_ENTRY, logDir: ${JSON.stringify(join(work, 'driver-reports'))}, log: () => undefined,
});
env.setup().then((resolved) => {
  process.stdout.write(JSON.stringify(resolved) + '\\n');
  if (${JSON.stringify(then)} === 'crash') setTimeout(() => { throw new Error('driver crashed on purpose'); }, 1000);
  else setInterval(() => undefined, 1000);
});
`,
    );
    const database = uniqueDatabase();
    const child = spawn(process.execPath, ['--require', require.resolve('ts-node/register/transpile-only'), driver], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...NO_DOCKER, DRIVER_DB_URL: `${LOCAL_PG}/${database}`, DRIVER_ENTRY: fakeReference(), FAKE_REF_PG: require.resolve('pg') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    drivers.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`driver exited with ${code} before setup: ${stderr}`)));
    });
    return { child, resolved: JSON.parse(firstLine) };
  }

  function exitOf(child: ReturnType<typeof spawn>): Promise<number | null | 'still running'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  it('SIGTERM: reference stopped, schema dropped, exit code 143', async () => {
    const { child, resolved } = await runDriver('wait');
    const { pid } = await health(resolved.apiUrl);
    assert.equal(await schemaExists(resolved.dbUrl, resolved.dbSchema), true);
    const exit = exitOf(child);
    child.kill('SIGTERM');
    assert.equal(await exit, 143);
    assert.equal(isAlive(pid), false);
    assert.equal(await schemaExists(resolved.dbUrl, resolved.dbSchema), false);
  });

  it('an uncaught error: reference stopped, exit code 1', async () => {
    const { child, resolved } = await runDriver('crash');
    const { pid } = await health(resolved.apiUrl);
    assert.equal(await exitOf(child), 1);
    assert.equal(isAlive(pid), false);
    assert.equal(await schemaExists(resolved.dbUrl, resolved.dbSchema), false);
  });
});
