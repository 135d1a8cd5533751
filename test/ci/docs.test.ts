import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as messages from '@cucumber/messages';
import { writeLivingDocs } from '../../support/report/docs';
import { reportFiles } from '../../support/report/files';
import { buildReport } from '../../support/report/summary';
import { runFixtureSuite } from './fixture-runs';

const root = mkdtempSync(join(tmpdir(), 'novacron-docs-'));
after(() => rmSync(root, { recursive: true, force: true }));
const lastRun = reportFiles(join(root, 'reports'));
const dryRun = reportFiles(lastRun.dryRun);

/** The scenarios the page shows, with their status, read from the messages embedded in it. */
function shownScenarios(): string[] {
  const html = readFileSync(lastRun.docs, 'utf8');
  const embedded = html.match(/window\.CUCUMBER_MESSAGES = (\[.*\]);\n<\/script>/s)?.[1];
  assert.ok(embedded, 'the page embeds its messages');
  // The page writes `<` as the JavaScript escape \x3C, which JSON spells \u003C.
  const report = buildReport(JSON.parse(embedded.replace(/\\x3C/g, '\\u003C')) as messages.Envelope[], {});
  return report.results.flatMap((suite) => suite.tests.map((test) => `${test.uri}:${test.line} ${test.status}`)).sort();
}

describe('the living documentation', () => {
  before(async () => {
    // The last run ran one feature; the dry run lists every scenario of the suite.
    await runFixtureSuite(lastRun.dir, ['--retry', '1', 'features/beta.feature']);
    await runFixtureSuite(dryRun.dir, ['--dry-run']);
  });

  it('shows every scenario of every feature once, with its status in the last run when it ran there', async () => {
    const docs = await writeLivingDocs(lastRun, dryRun.messages);
    assert.match(docs.statusesFrom, /^the last run/);
    assert.deepEqual(shownScenarios(), [
      'features/alpha.feature:17 skipped',
      'features/alpha.feature:18 skipped',
      'features/alpha.feature:4 skipped',
      'features/alpha.feature:7 skipped',
      'features/beta.feature:4 passed',
      'features/beta.feature:9 passed',
    ]);
    assert.match(readFileSync(lastRun.docs, 'utf8'), /<title>NovaCron Spec: living documentation<\/title>/);
  });

  it('shows no status from a last run whose features have changed since', async () => {
    const changed = readFileSync(lastRun.messages, 'utf8').replace('Feature: Beta', 'Feature: Beta, renamed');
    writeFileSync(lastRun.messages, changed);
    const docs = await writeLivingDocs(lastRun, dryRun.messages);
    assert.match(docs.statusesFrom, /^none: the features changed since the last run \(.*features\/beta\.feature differs/);
    assert.ok(shownScenarios().every((scenario) => scenario.endsWith(' skipped')));
  });
});
