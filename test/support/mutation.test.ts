import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compactIncrementalFile, MUTATION_DOMAINS, strykerConfig, summarize } from '../../scripts/mutation';

const ROOT = join(__dirname, '..', '..');

describe('mutation testing', () => {
  it('names feature files that exist for every domain', () => {
    for (const [name, domain] of Object.entries(MUTATION_DOMAINS)) {
      for (const feature of domain.features) assert.ok(existsSync(join(ROOT, feature)), `${name}: ${feature} does not exist`);
      assert.ok(domain.mutate.some((glob) => !glob.startsWith('!')), `${name} mutates nothing`);
    }
  });

  it('runs the features through the command runner, each run with a reports folder of its own, incrementally', () => {
    const config = strykerConfig('network', MUTATION_DOMAINS.network, { concurrency: 2, force: false });
    assert.equal(config.testRunner, 'command');
    assert.equal(config.coverageAnalysis, 'off');
    assert.equal(config.incremental, true);
    assert.equal(config.incrementalFile, 'mutation/network.incremental.json');
    const { command } = config.commandRunner as { command: string };
    assert.match(command, /^NOVACRON_TEST_MODE=ci NOVACRON_REPORTS_DIR=reports\/run-\$\$ npm run cucumber --silent -- features\/system\/backend\/network-isolation\.feature/);
    assert.deepEqual(config.mutate, MUTATION_DOMAINS.network.mutate);
  });

  it('counts a report into the score of docs/MUTATION.md, lists the survivors and does not count a run that could not run as a kill', () => {
    const mutant = (id: string, status: string, line: number) => ({ id, mutatorName: 'EqualityOperator', replacement: 'a !== b', status, location: { start: { line, column: 1 } } });
    const report = {
      files: {
        'reference/network/cidr.ts': { mutants: [mutant('1', 'Killed', 3), mutant('2', 'Survived', 7), mutant('3', 'Timeout', 9)] },
        'reference/network/fabric.ts': {
          mutants: [mutant('4', 'Killed', 1), mutant('5', 'CompileError', 2), { ...mutant('6', 'Killed', 4), statusReason: 'novacron-spec: reports/run-1/ is being written by another run (pid 7)' }],
        },
      },
    } as unknown as Parameters<typeof summarize>[1];
    const summary = summarize('network', report, { date: '2026-12-03', commit: 'abc1234', seconds: 60 });
    assert.deepEqual(
      { mutants: summary.mutants, killed: summary.killed, survived: summary.survived, timedOut: summary.timedOut, errors: summary.errors, unrun: summary.unrun, score: summary.score },
      { mutants: 6, killed: 2, survived: 1, timedOut: 1, errors: 1, unrun: 1, score: 75 },
    );
    assert.deepEqual(summary.survivors, ['reference/network/cidr.ts:7 EqualityOperator -> a !== b']);
  });

  it('keeps only the telling lines of each reason in the committed incremental state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'novacron-incremental-'));
    try {
      const file = join(dir, 'state.json');
      const reason = ['[env] reference: http://127.0.0.1:1', '...F', '   ✖ Then the VM is running', '       Error: the VM stayed in provisioning', 'cleanup'].join('\n');
      writeFileSync(file, JSON.stringify({ schemaVersion: '2', files: { 'a.ts': { mutants: [{ id: '1', status: 'Killed', statusReason: reason }] } } }));
      compactIncrementalFile(file);
      const state = JSON.parse(readFileSync(file, 'utf8')) as { schemaVersion: string; files: Record<string, { mutants: { statusReason: string }[] }> };
      assert.equal(state.schemaVersion, '2');
      assert.equal(state.files['a.ts'].mutants[0].statusReason, '   ✖ Then the VM is running\n       Error: the VM stayed in provisioning');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
