import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { EndpointMetrics } from '../../support/api-client';
import { mergeEndpointFigures } from '../../support/report/endpoints';
import { reportFiles } from '../../support/report/files';
import { claimReports, ReportsBusyError } from '../../support/report/lock';

const root = mkdtempSync(join(tmpdir(), 'novacron-reports-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('claiming the reports folder', () => {
  it('lets one run at a time write it, names the holder to the second, and frees it on release', () => {
    const files = reportFiles(join(root, 'one'));
    const release = claimReports(files, 'npm run cucumber -- --tags @performance');
    const holder = JSON.parse(readFileSync(files.lock, 'utf8')) as { pid: number; command: string };
    assert.equal(holder.pid, process.pid);
    // Another process (pid 4242, alive) tries the same folder.
    writeFileSync(files.lock, JSON.stringify({ pid: 4242, started_at: '2026-11-26T10:00:00.000Z', command: 'npm run cucumber -- --tags @performance' }));
    assert.throws(
      () => claimReports(files, 'npm test', (pid) => pid === 4242),
      (error: unknown) =>
        error instanceof ReportsBusyError &&
        /is being written by another run \(pid 4242, started 2026-11-26T10:00:00.000Z: npm run cucumber -- --tags @performance\).*NOVACRON_REPORTS_DIR=<folder>/.test(error.message),
    );
    assert.equal(JSON.parse(readFileSync(files.lock, 'utf8')).pid, 4242, 'a refused claim leaves the holder in place');
    release();
    assert.ok(existsSync(files.lock), 'a release does not remove a claim that is not its own');
    rmSync(files.lock);
    claimReports(files, 'npm test')();
    assert.ok(!existsSync(files.lock));
  });

  it('takes over a claim whose run no longer exists, or that cannot be read', () => {
    const files = reportFiles(join(root, 'two'));
    claimReports(files, 'first')();
    writeFileSync(files.lock, JSON.stringify({ pid: 999_999, started_at: 'x', command: 'killed run' }));
    const release = claimReports(files, 'second', () => false);
    assert.equal(JSON.parse(readFileSync(files.lock, 'utf8')).command, 'second');
    release();
    writeFileSync(files.lock, 'not json');
    claimReports(files, 'third', () => true)();
    assert.ok(!existsSync(files.lock));
  });
});

describe('a cucumber-js started directly', () => {
  it('is refused before its formatters write anything while another run holds the folder', async () => {
    const files = reportFiles(join(root, 'direct'));
    const release = claimReports(files, 'npm test');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, NOVACRON_REPORTS_DIR: files.dir };
      delete env.NOVACRON_REPORTS_CLAIMED;
      const cucumber = join(__dirname, '../../node_modules/@cucumber/cucumber/bin/cucumber.js');
      const run = await promisify(execFile)(process.execPath, [cucumber, '--tags', '@smoke'], { cwd: join(__dirname, '../..'), env }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`being written by another run \\(pid ${process.pid}, started .*: npm test\\)`));
      assert.ok(!existsSync(files.messages), 'the refused run wrote its message stream');
    } finally {
      release();
    }
  });
});

describe('claiming the reports folder from several processes at once', () => {
  it('gives an abandoned claim to one run at a time', async () => {
    const files = reportFiles(join(root, 'race'));
    mkdirSync(files.dir, { recursive: true });
    const claimant = join(root, 'claimant.ts');
    writeFileSync(
      claimant,
      `const { claimReports, ReportsBusyError } = require(${JSON.stringify(join(__dirname, '../../support/report/lock'))});
const { reportFiles } = require(${JSON.stringify(join(__dirname, '../../support/report/files'))});
const { appendFileSync, existsSync, writeFileSync } = require('node:fs');
const [dir, log, ready, go] = process.argv.slice(2);
writeFileSync(ready, '');
while (!existsSync(go));
try {
  // A slow liveness check widens the window in which two runs can both see the abandoned claim.
  const slowlyAlive = (pid) => {
    const until = Date.now() + 50;
    while (Date.now() < until);
    try { process.kill(pid, 0); return true; } catch { return false; }
  };
  const release = claimReports(reportFiles(dir), 'claimant', slowlyAlive);
  const from = performance.timeOrigin + performance.now();
  const until = Date.now() + 300;
  while (Date.now() < until);
  appendFileSync(log, JSON.stringify({ from, to: performance.timeOrigin + performance.now() }) + '\\n');
  release();
} catch (error) {
  if (!(error instanceof ReportsBusyError)) throw error;
}
`,
    );
    const log = join(root, 'holders.ndjson');
    for (let round = 0; round < 3; round++) {
      writeFileSync(files.lock, JSON.stringify({ pid: 999_999_999, started_at: 'x', command: 'killed run' }));
      // Every claimant is started and waiting before any of them may claim.
      const go = join(root, `go-${round}`);
      const ready = Array.from({ length: 4 }, (_, i) => join(root, `ready-${round}-${i}`));
      const runs = ready.map((readyFile) =>
        promisify(execFile)(process.execPath, ['--require', 'ts-node/register/transpile-only', claimant, files.dir, log, readyFile, go]),
      );
      const deadline = Date.now() + 30_000;
      while (!ready.every((file) => existsSync(file))) {
        if (Date.now() > deadline) throw new Error('the claimants did not start within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      writeFileSync(go, '');
      await Promise.all(runs);
    }
    const holds = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { from: number; to: number });
    assert.ok(holds.length >= 3, `${holds.length} claims in 3 rounds`);
    holds.sort((a, b) => a.from - b.from);
    for (let i = 1; i < holds.length; i++) assert.ok(holds[i].from >= holds[i - 1].to, `two runs held the folder at once: ${JSON.stringify(holds)}`);
  });
});

describe('endpoint figures across workers', () => {
  it('merges every worker into one histogram per endpoint, adding up the errors', () => {
    const first = new EndpointMetrics();
    const second = new EndpointMetrics();
    for (let i = 1; i <= 90; i++) first.record('GET /api/v1/vms', 10, false);
    for (let i = 1; i <= 10; i++) second.record('GET /api/v1/vms', 1000, i <= 2);
    second.record('POST /api/v1/vms', 50, true);
    const merged = mergeEndpointFigures([
      { endpoints: JSON.parse(JSON.stringify(first.figures())), contract_warnings: [] },
      { endpoints: JSON.parse(JSON.stringify(second.figures())), contract_warnings: ['w'] },
    ]);
    assert.deepEqual(Object.keys(merged), ['GET /api/v1/vms', 'POST /api/v1/vms']);
    const list = merged['GET /api/v1/vms'];
    assert.equal(list.count, 100);
    assert.equal(list.errors, 2);
    assert.ok(Math.abs(list.p50_ms - 10) < 0.1, `p50 ${list.p50_ms}`);
    // 10 of 100 requests took a second: the merged p95 sees them, neither worker's alone would say so.
    assert.ok(Math.abs(list.p95_ms - 1000) < 1, `p95 ${list.p95_ms}`);
    assert.equal(list.max_ms, 1000);
    assert.deepEqual(merged['POST /api/v1/vms'], { count: 1, errors: 1, p50_ms: 50, p95_ms: 50, p99_ms: 50, max_ms: 50 });
  });
});
