import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportFiles } from '../../support/report/files';
import { readReport, report, runFixtureSuite, type Outcome } from './fixture-runs';

const root = mkdtempSync(join(tmpdir(), 'novacron-flaky-'));
after(() => rmSync(root, { recursive: true, force: true }));
const FLAKY = 'A check that fails only on its first attempt';

describe('a scenario that fails only on its first attempt', () => {
  const retried = join(root, 'retried');
  const notRetried = join(root, 'not-retried');
  let retriedRun: Outcome;
  let reportRun: Outcome;
  let notRetriedReport: Outcome;
  before(async () => {
    // --retry 1 is what the ci profile passes by default; --retry 0 what it passes with NOVACRON_RETRY=0 (test/ci/profiles.test.ts).
    [retriedRun] = await Promise.all([runFixtureSuite(retried, ['--retry', '1']), runFixtureSuite(notRetried, ['--retry', '0'])]);
    [reportRun, notRetriedReport] = await Promise.all([report(retried), report(notRetried)]);
  });

  it('passes on its retry and is counted as passed and as flaky in results.json', () => {
    const run = readReport(retried);
    assert.deepEqual(run.summary.tests, { total: 6, passed: 5, failed: 1, skipped: 0, flaky: 1 });
    assert.deepEqual(
      run.flaky.map(({ name, uri, line, attempts }) => ({ name, uri, line, attempts })),
      [{ name: FLAKY, uri: 'features/beta.feature', line: 4, attempts: 2 }],
    );
    assert.match(run.flaky[0]!.first_error, /^Error: the first attempt fails/);
    // The scenario that failed on both attempts is failed, not flaky.
    assert.equal(run.results[0]!.tests.find((test) => test.name === 'A check that fails')?.status, 'failed');
  });

  it('is named on a line printed just before the closing line, which counts it as passed', () => {
    assert.equal(retriedRun.code, 1, 'the run still fails for its failing scenario');
    const lines = reportRun.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(-2), [`1 flaky (passed only on a retry): features/beta.feature:4 ${FLAKY}`, '5 passed, 1 failed']);
  });

  it('is listed in the job summary and in the HTML report', () => {
    const markdown = readFileSync(reportFiles(retried).markdown, 'utf8');
    assert.match(markdown, /^## NovaCron Spec: 5 passed, 1 failed \(1 flaky\)$/m);
    const flakySection = markdown.split('### Flaky scenarios (passed only on a retry)')[1]!.split('###')[0]!;
    assert.ok(flakySection.includes(`| Beta: ${FLAKY} | \`features/beta.feature:4\` | Error: the first attempt fails |`), flakySection);
    const html = readFileSync(reportFiles(retried).html, 'utf8');
    assert.match(html, /5 passed \(1 flaky\), 1 failed/);
    assert.match(html, new RegExp(`Flaky \\(passed only on a retry\\)</td>\\s*<td class="meta-data-data">Beta: ${FLAKY} \\(features/beta.feature:4, 2 attempts`));
  });

  it('fails, and nothing is flaky, without retries', () => {
    const run = readReport(notRetried);
    assert.deepEqual(run.summary.tests, { total: 6, passed: 4, failed: 2, skipped: 0, flaky: 0 });
    assert.deepEqual(notRetriedReport.stdout.trim().split('\n').slice(-2), [`reports: ${reportFiles(notRetried).html}, ${reportFiles(notRetried).json}, ${reportFiles(notRetried).junit}, ${reportFiles(notRetried).markdown}`, '4 passed, 2 failed']);
    assert.match(readFileSync(reportFiles(notRetried).markdown, 'utf8'), /### Flaky scenarios \(passed only on a retry\)\n\nNone\./);
  });
});
