import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FederationError } from '../../reference/federation/errors';
import { inventoryOf, MIGRATION_PHASES, MigrationEngine, type MigratableVm } from '../../reference/federation/migration';

function refused(action: () => unknown, kind: FederationError['kind'], message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof FederationError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  });
}

describe('live migration', () => {
  let time: number;
  let vms: MigratableVm[];
  let engine: MigrationEngine;
  const nodes = [
    { id: 'node-1', cpu: 8, memory_mb: 16384 },
    { id: 'node-2', cpu: 8, memory_mb: 16384 },
    { id: 'node-3', cpu: 2, memory_mb: 2048 },
  ];

  beforeEach(() => {
    time = 1_000_000;
    vms = [
      { id: 'vm-a', node_id: 'node-1', state: 'running', cpu_shares: 2, memory_mb: 2048 },
      { id: 'vm-b', node_id: 'node-3', state: 'running', cpu_shares: 1, memory_mb: 1024 },
      { id: 'vm-off', node_id: 'node-1', state: 'stopped', cpu_shares: 1, memory_mb: 512 },
    ];
    let next = 0;
    engine = new MigrationEngine({
      inventory: inventoryOf(() => nodes, () => vms),
      now: () => time,
      newId: (prefix) => `${prefix}-${++next}`,
      timings: { prepareMs: 10, precopyMsPerGb: 50, stopAndCopyMs: 10, switchoverMs: 10 },
    });
  });

  it('is accepted with an id and walks through every phase to the target', () => {
    const started = engine.start(vms[0], 'node-2');
    assert.deepEqual([started.id, started.status, started.phase, started.progress], ['mig-1', 'in_progress', 'preparing', 0]);
    const seen = new Set<string>();
    const progress: number[] = [];
    for (let step = 0; step < 200 && engine.get(started.id).status === 'in_progress'; step++) {
      time += 3;
      engine.advance();
      for (const due of engine.due()) engine.complete(due.id);
      const current = engine.get(started.id);
      seen.add(current.phase);
      progress.push(current.progress);
    }
    const done = engine.get(started.id);
    assert.deepEqual([done.status, done.phase, done.progress, done.target_node_id], ['completed', 'completed', 100, 'node-2']);
    assert.deepEqual([...seen], [...MIGRATION_PHASES], 'every phase is observable');
    assert.deepEqual(done.phases.map((p) => p.phase), [...MIGRATION_PHASES]);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), 'progress never goes back');
    assert.ok(progress.some((p) => p > 0 && p < 100), 'intermediate progress is reported');
    assert.ok(Date.parse(done.completed_at as string) >= 1_000_000 + 10 + 100 + 10 + 10, `completed at ${done.completed_at}, before the switchover ended`);
  });

  it('takes longer on a capped link and validates the cap', () => {
    const capped = engine.start(vms[0], 'node-2', 2500);
    assert.equal(capped.max_bandwidth_mbps, 2500);
    time += 4 * 130 - 1;
    assert.equal(engine.get(capped.id).phase, 'switchover');
    assert.deepEqual(engine.due(), []);
    time += 1;
    assert.deepEqual(engine.due().map((m) => m.id), [capped.id]);
    refused(() => engine.start(vms[1], 'node-2', 50), 'invalid', /max_bandwidth_mbps 50 is invalid: expected an integer from 100 to 100000/);
  });

  it('reports every skipped phase when the clock jumps', () => {
    const { id } = engine.start(vms[0], 'node-2');
    time += 1000;
    const transitions = engine.advance();
    assert.deepEqual(transitions.map((t) => t.to_phase), ['pre-copy', 'stop-and-copy', 'switchover']);
    assert.deepEqual([engine.get(id).status, engine.get(id).progress], ['in_progress', 99], 'not completed before the VM moved');
    assert.deepEqual(engine.due().map((m) => m.id), [id]);
    assert.equal(engine.complete(id).to_phase, 'completed');
    assert.deepEqual([engine.get(id).status, engine.get(id).progress], ['completed', 100]);
    assert.deepEqual(engine.due(), []);
  });

  it('hands every phase change to advance even when a read saw it first', () => {
    const { id } = engine.start(vms[0], 'node-2');
    time += 1000;
    assert.equal(engine.get(id).phase, 'switchover');
    assert.deepEqual(engine.advance().map((t) => t.to_phase), ['pre-copy', 'stop-and-copy', 'switchover']);
    assert.deepEqual(engine.advance(), []);
  });

  it('keeps the VM reachable in every phase, answered by the source then the target', () => {
    const { id } = engine.start(vms[0], 'node-2');
    const answers = new Map<string, string>();
    for (let step = 0; step < 100 && engine.get(id).status === 'in_progress'; step++) {
      if (engine.due().length > 0) {
        engine.complete(id);
        vms[0] = { ...vms[0], node_id: 'node-2' };
        break;
      }
      const answer = engine.probe(vms[0]);
      assert.equal(answer.reachable, true, `unreachable in ${answer.phase}`);
      answers.set(answer.phase as string, answer.node_id as string);
      time += 2;
    }
    assert.deepEqual(Object.fromEntries(answers), { preparing: 'node-1', 'pre-copy': 'node-1', 'stop-and-copy': 'node-1', switchover: 'node-2' });
    assert.deepEqual(engine.probe(vms[0]), { vm_id: 'vm-a', reachable: true, node_id: 'node-2', phase: null, migration_id: null });
    assert.equal(engine.probe(vms[1]).node_id, 'node-3');
    assert.equal(engine.probe(vms[2]).reachable, false, 'a stopped VM does not answer');
  });

  it('refuses an unknown node, a full node, the same node and a VM that is not running', () => {
    refused(() => engine.start(vms[0], 'node-9'), 'invalid', /target_node_id "node-9" is not a known node: expected one of node-1, node-2, node-3/);
    refused(() => engine.start(vms[0], 'node-3'), 'insufficient_capacity', /node node-3 has 1 CPU and 1024 MB free; VM vm-a needs 2 CPUs and 2048 MB/);
    refused(() => engine.start(vms[0], 'node-1'), 'conflict', /already runs on node-1/);
    refused(() => engine.start(vms[2], 'node-2'), 'conflict', /cannot migrate a VM that is stopped/);
    refused(() => engine.start(vms[0], ''), 'invalid', /target_node_id "" is invalid/);
    assert.deepEqual(engine.list(), []);
  });

  it('reserves the target while migrating and refuses a second migration of the same VM', () => {
    const first = engine.start(vms[0], 'node-2');
    refused(() => engine.start(vms[0], 'node-2'), 'conflict', /already migrating to node-2 \(mig-1\)/);
    assert.deepEqual(engine.freeOn(nodes[1]), { cpu: 6, memory_mb: 14336 });
    const big = { id: 'vm-big', node_id: 'node-1', state: 'running', cpu_shares: 6, memory_mb: 15000 };
    refused(() => engine.start(big, 'node-2'), 'insufficient_capacity', /node-2 has 6 CPUs and 14336 MB free/);
    engine.cancelFor(first.vm_id);
    assert.equal(engine.get(first.id).status, 'cancelled');
    assert.deepEqual(engine.freeOn(nodes[1]), { cpu: 8, memory_mb: 16384 });
  });
});
