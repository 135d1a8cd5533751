import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type * as messages from '@cucumber/messages';
import { mutationRows } from '../../support/report/generate';
import { runMarkdown } from '../../support/report/markdown';
import { buildReport, closingLine, closingLines, scenarioStatuses } from '../../support/report/summary';
import { METRICS_KEY } from '../../support/metrics';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** A minimal message stream: two features, three scenarios, one retried, one failing, metrics attached. */
function stream(): messages.Envelope[] {
  const envelopes: Partial<messages.Envelope>[] = [
    { testRunStarted: { timestamp: at(1000) } as messages.TestRunStarted },
    { gherkinDocument: { uri: 'a.feature', feature: { name: 'Feature A', children: [{ scenario: { id: 's1', location: { line: 4 }, examples: [] } }] } } as unknown as messages.GherkinDocument },
    { gherkinDocument: { uri: 'b.feature', feature: { name: 'Feature B', children: [{ scenario: { id: 's2', location: { line: 7 }, examples: [] } }, { scenario: { id: 's3', location: { line: 9 }, examples: [] } }] } } as unknown as messages.GherkinDocument },
    { pickle: { id: 'p1', uri: 'a.feature', name: 'passes', astNodeIds: ['s1'], tags: [{ name: '@smoke', astNodeId: 't' }] } as unknown as messages.Pickle },
    { pickle: { id: 'p2', uri: 'b.feature', name: 'flaky', astNodeIds: ['s2'], tags: [] } as unknown as messages.Pickle },
    { pickle: { id: 'p3', uri: 'b.feature', name: 'fails', astNodeIds: ['s3'], tags: [] } as unknown as messages.Pickle },
    { testCase: { id: 'c1', pickleId: 'p1' } as messages.TestCase },
    { testCase: { id: 'c2', pickleId: 'p2' } as messages.TestCase },
    { testCase: { id: 'c3', pickleId: 'p3' } as messages.TestCase },
  ];
  const run = (started: string, testCaseId: string, attempt: number, from: number, to: number, status: string, willBeRetried = false, message?: string) => {
    envelopes.push({ testCaseStarted: { id: started, testCaseId, attempt, timestamp: at(from) } as messages.TestCaseStarted });
    envelopes.push({ testStepFinished: { testCaseStartedId: started, testStepResult: { status, message, duration: { seconds: 0, nanos: 0 } } } as unknown as messages.TestStepFinished });
    envelopes.push({ testCaseFinished: { testCaseStartedId: started, timestamp: at(to), willBeRetried } as messages.TestCaseFinished });
  };
  run('r1', 'c1', 0, 1000, 1200, 'PASSED');
  envelopes.push({ attachment: { testCaseStartedId: 'r1', mediaType: 'application/json', body: JSON.stringify({ [METRICS_KEY]: { 'leader-election-time': { value: 300, unit: 'ms' } }, details: {} }) } as messages.Attachment });
  run('r2', 'c2', 0, 1200, 1300, 'FAILED', true, 'first try failed');
  run('r3', 'c2', 1, 1300, 1400, 'PASSED');
  envelopes.push({ attachment: { testCaseStartedId: 'r3', mediaType: 'application/json', body: JSON.stringify({ [METRICS_KEY]: { 'leader-election-time': { value: 500, unit: 'ms' } } }) } as messages.Attachment });
  run('r4', 'c3', 0, 1400, 1900, 'FAILED', false, 'expected 3, got 2');
  envelopes.push({ testRunFinished: { timestamp: at(2000), success: false } as messages.TestRunFinished });
  return envelopes as messages.Envelope[];
}

describe('the JSON report', () => {
  const report = buildReport(stream(), { target: 'test' });

  it('has the guide structure with suites per feature and tests per scenario', () => {
    assert.deepEqual(Object.keys(report), ['summary', 'results', 'flaky', 'metrics', 'environment']);
    assert.deepEqual(report.summary.suites, { total: 2, successful: 1, failed: 1 });
    assert.deepEqual(report.summary.tests, { total: 3, passed: 2, failed: 1, skipped: 0, flaky: 1 });
    assert.equal(report.summary.duration.total, 1000);
    assert.equal(report.summary.duration.average, Math.round((200 + 100 + 500) / 3));
  });

  it('counts a retried scenario once, by its final attempt', () => {
    const flaky = report.results[1].tests.find((t) => t.name === 'flaky');
    assert.equal(flaky?.status, 'passed');
    assert.equal(flaky?.attempts, 2);
  });

  it('lists a scenario that passed only on a retry as flaky, with its first error, and counts it as passed', () => {
    assert.deepEqual(report.flaky, [{ name: 'flaky', feature: 'Feature B', uri: 'b.feature', line: 7, attempts: 2, first_error: 'first try failed' }]);
    assert.deepEqual(
      report.results.flatMap((suite) => suite.tests).map((test) => [test.name, test.flaky]),
      [['passes', false], ['flaky', true], ['fails', false]],
    );
    assert.deepEqual(closingLines(report), ['1 flaky (passed only on a retry): b.feature:7 flaky', '2 passed, 1 failed']);
  });

  it('does not call a scenario that failed on every attempt flaky', () => {
    const envelopes = stream().map((envelope) =>
      envelope.testStepFinished?.testCaseStartedId === 'r3' ? { testStepFinished: { ...envelope.testStepFinished, testStepResult: { ...envelope.testStepFinished.testStepResult, status: 'FAILED' } } } : envelope,
    ) as messages.Envelope[];
    const retriedAndFailed = buildReport(envelopes, {});
    assert.deepEqual(retriedAndFailed.flaky, []);
    assert.deepEqual(closingLines(retriedAndFailed), ['1 passed, 2 failed']);
  });

  it('tells fault verification that a flaky scenario did not pass every time', () => {
    assert.deepEqual([...scenarioStatuses(stream())], [['passes', 'passed'], ['flaky', 'failed'], ['fails', 'failed']]);
  });

  it('judges an outline by the examples that ran: one not applicable here counts only when none ran', () => {
    const outline = (statuses: string[]) => {
      const envelopes = stream().filter((envelope) => !envelope.testRunFinished);
      statuses.forEach((status, i) => {
        envelopes.push({ pickle: { id: `o${i}`, uri: 'a.feature', name: 'outline', astNodeIds: ['s1'], tags: [] } as unknown as messages.Pickle });
        envelopes.push({ testCase: { id: `oc${i}`, pickleId: `o${i}` } as messages.TestCase });
        envelopes.push({ testCaseStarted: { id: `or${i}`, testCaseId: `oc${i}`, attempt: 0, timestamp: at(3000 + i) } as messages.TestCaseStarted });
        envelopes.push({ testStepFinished: { testCaseStartedId: `or${i}`, testStepResult: { status, duration: { seconds: 0, nanos: 0 } } } as unknown as messages.TestStepFinished });
        envelopes.push({ testCaseFinished: { testCaseStartedId: `or${i}`, timestamp: at(3001 + i), willBeRetried: false } as messages.TestCaseFinished });
      });
      return scenarioStatuses(envelopes).get('outline');
    };
    assert.equal(outline(['PASSED', 'SKIPPED', 'PASSED']), 'passed');
    assert.equal(outline(['SKIPPED', 'PASSED']), 'passed');
    assert.equal(outline(['SKIPPED', 'FAILED', 'PASSED']), 'failed');
    assert.equal(outline(['PASSED', 'FAILED', 'SKIPPED']), 'failed');
    assert.equal(outline(['SKIPPED', 'SKIPPED']), 'skipped');
  });

  it('keeps the failure message, line and tags of each scenario', () => {
    const failing = report.results[1].tests.find((t) => t.name === 'fails');
    assert.equal(failing?.error, 'expected 3, got 2');
    assert.equal(failing?.line, 9);
    assert.deepEqual(report.results[0].tests[0].tags, ['@smoke']);
  });

  it('gathers scenario metrics, and averages a metric several scenarios recorded', () => {
    assert.deepEqual(report.results[0].tests[0].metrics, { 'leader-election-time': { value: 300, unit: 'ms' } });
    assert.equal(report.metrics['leader-election-time'], 400);
  });

  it('closes with the scenario counts CI reads', () => {
    assert.equal(closingLine(report), '2 passed, 1 failed');
  });
});

describe('the job summary in Markdown', () => {
  const report = buildReport(stream(), { target: 'test' });

  it('gives the totals, each failed scenario with the first line of its error, and the flaky ones', () => {
    const markdown = runMarkdown(report, undefined);
    assert.match(markdown, /^## NovaCron Spec: 2 passed, 1 failed \(1 flaky\)\n/);
    assert.match(markdown, /\| 3 \| 2 \| 1 \| 0 \| 1 \| 2 \| 1 \| 1\.0 s \|/);
    assert.match(markdown, /### Failed scenarios\n\n\| Scenario \| Where \| First error line \|\n\|---\|---\|---\|\n\| Feature B: fails \| `b.feature:9` \| expected 3, got 2 \|\n/);
    assert.match(markdown, /### Flaky scenarios \(passed only on a retry\)\n\n.*\n.*\n\| Feature B: flaky \| `b.feature:7` \| first try failed \|\n/);
  });

  it('gives the key metrics with their units, and the conformance table when there is one', () => {
    assert.match(runMarkdown(report, undefined), /\| leader-election-time \| 400 ms \|/);
    assert.match(runMarkdown(report, undefined), /### Conformance\n\n_This run has no conformance report._/);
    assert.match(runMarkdown(report, '| capability | verdict |'), /### Conformance\n\n\| capability \| verdict \|/);
  });
});

describe('the mutation scores in the HTML report', () => {
  it('gives one row per measured domain, linking to its page, and none without measurements', () => {
    const dir = mkdtempSync(join(tmpdir(), 'novacron-mutation-rows-'));
    try {
      assert.deepEqual(mutationRows(dir), []);
      mkdirSync(join(dir, 'mutation', 'vms'), { recursive: true });
      mkdirSync(join(dir, 'mutation', 'network'), { recursive: true });
      writeFileSync(join(dir, 'mutation', 'vms', 'summary.json'), JSON.stringify({ score: 97.5, mutants: 684, survived: 17, date: '2026-12-03', commit: 'abc1234' }));
      assert.deepEqual(mutationRows(dir), [
        { label: 'Mutation score: vms', value: '<a href="../mutation/vms/index.html">97.5%</a> of 684 mutants, 17 survived (2026-12-03, abc1234)' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
