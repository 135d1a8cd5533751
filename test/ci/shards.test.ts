import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EndpointMetrics } from '../../support/api-client';
import { reportFiles } from '../../support/report/files';
import type { WorkerFigures } from '../../support/report/endpoints';
import type { RunReport } from '../../support/report/summary';
import { readReport, report, runFixtureSuite, type Outcome } from './fixture-runs';

const root = mkdtempSync(join(tmpdir(), 'novacron-shards-'));
after(() => rmSync(root, { recursive: true, force: true }));
const whole = join(root, 'whole');
const shards = [join(root, 'shard-1'), join(root, 'shard-2')];
const merged = join(root, 'merged');

const scenarios = (run: RunReport) =>
  run.results.flatMap((suite) => suite.tests.map((test) => `${test.uri}:${test.line} ${test.name}: ${test.status} after ${test.attempts} attempt(s)${test.flaky ? ', flaky' : ''}`)).sort();

function workerFigures(dir: string, calls: number): void {
  const metrics = new EndpointMetrics();
  for (let i = 0; i < calls; i++) metrics.record('GET /api/v1/vms', 10 + i, i === 0);
  const figures: WorkerFigures = { endpoints: JSON.parse(JSON.stringify(metrics.figures())) as WorkerFigures['endpoints'], contract_warnings: [] };
  mkdirSync(reportFiles(dir).workers, { recursive: true });
  writeFileSync(join(reportFiles(dir).workers, 'worker-0.json'), JSON.stringify(figures));
}

describe('two shards merged into one report', () => {
  let mergeRun: Outcome;
  before(async () => {
    await runFixtureSuite(whole, ['--retry', '1']);
    await Promise.all(shards.map((dir, index) => runFixtureSuite(dir, ['--retry', '1', '--shard', `${index + 1}/2`])));
    workerFigures(shards[0]!, 3);
    workerFigures(shards[1]!, 5);
    assert.equal((await report(whole)).code, 0);
    mergeRun = await report(merged, ['--merge', ...shards]);
  });

  it('each shard ran a part of the suite', () => {
    assert.equal(mergeRun.code, 0, mergeRun.stderr);
    for (const dir of shards) {
      const lines = readFileSync(reportFiles(dir).messages, 'utf8').split('\n');
      assert.ok(lines.some((line) => line.startsWith('{"testCase"')), `${dir} ran no scenario`);
    }
  });

  it('gives the same counts, scenarios and scenario metrics as one run of the whole suite', () => {
    const one = readReport(whole);
    const combined = readReport(merged);
    assert.deepEqual(combined.summary.tests, one.summary.tests);
    assert.deepEqual(combined.summary.tests, { total: 6, passed: 5, failed: 1, skipped: 0, flaky: 1 });
    assert.deepEqual(combined.summary.suites, one.summary.suites);
    assert.deepEqual(scenarios(combined), scenarios(one));
    assert.deepEqual(combined.flaky.map(({ first_error: _error, ...test }) => test), one.flaky.map(({ first_error: _error, ...test }) => test));
    assert.equal(combined.metrics['leader-election-time'], one.metrics['leader-election-time']);
  });

  it('merges every shard\'s API figures', () => {
    const endpoints = readReport(merged).metrics.endpoints as Record<string, { count: number; errors: number }>;
    assert.deepEqual(endpoints['GET /api/v1/vms'] && [endpoints['GET /api/v1/vms'].count, endpoints['GET /api/v1/vms'].errors], [8, 2]);
  });

  it('writes one JUnit, cucumber JSON and HTML report of every scenario, as for one run', () => {
    const testsuite = (dir: string) => readFileSync(reportFiles(dir).junit, 'utf8').match(/<testsuite [^>]*tests="(\d+)"[^>]*failures="(\d+)"/)?.slice(1);
    assert.deepEqual(testsuite(merged), testsuite(whole));
    const junitNames = (dir: string) => [...readFileSync(reportFiles(dir).junit, 'utf8').matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]}: ${m[2]}`).sort();
    assert.deepEqual(junitNames(merged), junitNames(whole));
    const features = (dir: string) =>
      (JSON.parse(readFileSync(reportFiles(dir).cucumberJson, 'utf8')) as { uri: string; elements: { name: string }[] }[])
        .map((feature) => `${feature.uri}: ${feature.elements.map((element) => element.name).sort().join(', ')}`)
        .sort();
    assert.deepEqual(features(merged), features(whole));
    assert.ok(existsSync(reportFiles(merged).html));
  });

  it('refuses a folder without a message stream, or one shard given twice, in one line naming it', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const missing = await report(join(root, 'refused'), ['--merge', shards[0]!, empty]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `novacron-spec report: --merge ${empty}: no message stream (${join(empty, 'messages.ndjson')}): expected the reports folder of a run of the suite`);
    const twice = await report(join(root, 'refused'), ['--merge', shards[0]!, shards[0]!]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr.trim(), /^novacron-spec report: the scenario ".*" \(features\/.*\.feature\) ran in both .*shard-1 and .*shard-1: expected each reports folder to be a different shard of one run$/);
    const nothing = await report(join(root, 'refused'), ['--merge']);
    assert.match(nothing.stderr, /--merge: expected the reports folders of the runs to merge/);
  });
});
