import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compactIncrementalFile, MUTATION_DOMAINS, reportName, strykerConfig, summarize } from '../../scripts/mutation';
import { launchFailure, pathsOf, scenarioId } from '../../scripts/mutation-runner';

const ROOT = join(__dirname, '..', '..');

describe('mutation testing', () => {
  it('names feature files that exist for every domain', () => {
    for (const [name, domain] of Object.entries(MUTATION_DOMAINS)) {
      for (const feature of domain.features) assert.ok(existsSync(join(ROOT, feature)), `${name}: ${feature} does not exist`);
      assert.ok(domain.mutate.some((glob) => !glob.startsWith('!')), `${name} mutates nothing`);
    }
  });

  it('runs the scenarios in Stryker\'s workers with the project\'s runner, choosing them by what each reaches, incrementally', () => {
    const config = strykerConfig('network', MUTATION_DOMAINS.network, { concurrency: 2, force: false });
    assert.equal(config.testRunner, 'novacron-cucumber');
    assert.equal(config.coverageAnalysis, 'perTest');
    assert.deepEqual(config.plugins, [join(ROOT, 'scripts', 'mutation-runner.mjs')]);
    assert.equal(config.incremental, true);
    assert.equal(config.incrementalFile, 'mutation/network.incremental.json');
    assert.deepEqual(config.mutate, MUTATION_DOMAINS.network.mutate);
  });

  it('tests only the given lines again, into a folder of their own, leaving the domain\'s incremental state alone', () => {
    const lines = ['reference/autoscaling/group.ts:60-127'];
    const config = strykerConfig('autoscaling', MUTATION_DOMAINS.autoscaling, { concurrency: 2, force: false, lines });
    assert.deepEqual(config.mutate, lines);
    assert.equal(config.incremental, false);
    assert.deepEqual(config.jsonReporter, { fileName: 'reports/mutation/autoscaling-lines/mutation.json' });
    assert.equal(reportName('autoscaling', []), 'autoscaling');
  });

  it('names each scenario by its line and runs exactly the scenarios it names, one path per file', () => {
    const ids = [scenarioId('features/a.feature', 24), scenarioId('features/b.feature', 7), scenarioId('features/a.feature', 12), scenarioId('features/a.feature', 24)];
    assert.deepEqual(pathsOf(ids), ['features/a.feature:12:24', 'features/b.feature:7']);
  });

  it('takes a reference that did not start for a noticed mutant, and a database that did not answer for no verdict', () => {
    assert.deepEqual(launchFailure(['[env] reference: starting\n', 'novacron-spec: the reference exited with code 1 before it was ready: TypeError: x\n']), {
      tests: [],
      refused: 'the reference exited with code 1 before it was ready: TypeError: x',
    });
    assert.deepEqual(launchFailure(['novacron-spec: PostgreSQL at localhost:5432 did not answer\n']), { tests: [], error: 'PostgreSQL at localhost:5432 did not answer' });
  });

  it('counts a report into the score of docs/MUTATION.md, lists the survivors and leaves mutants without a verdict out of the score', () => {
    const mutant = (id: string, status: string, line: number) => ({ id, mutatorName: 'EqualityOperator', replacement: 'a !== b', status, location: { start: { line, column: 1 } } });
    const report = {
      files: {
        'reference/network/cidr.ts': { mutants: [mutant('1', 'Killed', 3), mutant('2', 'Survived', 7), mutant('3', 'Timeout', 9)] },
        'reference/network/fabric.ts': {
          mutants: [mutant('4', 'Killed', 1), mutant('5', 'CompileError', 2), mutant('6', 'RuntimeError', 4)],
        },
      },
    } as unknown as Parameters<typeof summarize>[1];
    const summary = summarize('network', report, { date: '2026-12-03', commit: 'abc1234', seconds: 60 });
    assert.deepEqual(
      { mutants: summary.mutants, killed: summary.killed, survived: summary.survived, timedOut: summary.timedOut, errors: summary.errors, score: summary.score },
      { mutants: 6, killed: 2, survived: 1, timedOut: 1, errors: 2, score: 75 },
    );
    assert.deepEqual(summary.survivors, ['reference/network/cidr.ts:7 EqualityOperator -> a !== b']);
  });

  it('keeps only the first lines of each reason in the committed incremental state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'novacron-incremental-'));
    try {
      const file = join(dir, 'state.json');
      const reason = ['FAILED: the VM stayed in provisioning', '  at waitFor', '  at step', '  at run'].join('\n');
      writeFileSync(file, JSON.stringify({ schemaVersion: '2', files: { 'a.ts': { mutants: [{ id: '1', status: 'Killed', statusReason: reason }] } } }));
      compactIncrementalFile(file);
      const state = JSON.parse(readFileSync(file, 'utf8')) as { schemaVersion: string; files: Record<string, { mutants: { statusReason: string }[] }> };
      assert.equal(state.schemaVersion, '2');
      assert.equal(state.files['a.ts'].mutants[0].statusReason, 'FAILED: the VM stayed in provisioning\n  at waitFor\n  at step');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
