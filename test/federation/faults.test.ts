import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Federation } from '../../reference/federation/federation';
import {
  FEDERATION_MODEL_SCENARIO,
  MIGRATION_MODEL_SCENARIO,
  FEDERATION_SCENARIOS,
  MIGRATION_SCENARIOS,
  FEDERATION_FAULTS,
  MIGRATION_FAULTS,
  type FederationFaultFlags,
  type MigrationFaultFlags,
} from '../../reference/federation/faults';
import { inventoryOf, MigrationEngine } from '../../reference/federation/migration';

const FEATURES = join(__dirname, '..', '..', 'features', 'system', 'backend');

function scenarioTitles(feature: string): string[] {
  return [...readFileSync(join(FEATURES, feature), 'utf8').matchAll(/^\s*Scenario(?: Outline)?: (.+?)\s*$/gm)].map((m) => m[1]);
}

function federationWith(flags: Partial<FederationFaultFlags>) {
  let time = 0;
  let next = 0;
  const federation = new Federation({
    local: { name: 'home' },
    now: () => time,
    newId: (prefix) => `${prefix}-${++next}`,
    timings: { provisionMs: 10, replicationDelayMs: 5 },
    faults: { ...FEDERATION_FAULTS.none, ...flags },
  });
  const east = federation.registerPeer({ name: 'east' }).id;
  const west = federation.registerPeer({ name: 'west' }).id;
  const tick = (ms: number) => {
    time += ms;
    federation.advance();
  };
  return { federation, east, west, tick };
}

function engineWith(flags: Partial<MigrationFaultFlags>) {
  let time = 0;
  const vm = { id: 'vm-a', node_id: 'node-1', state: 'running', cpu_shares: 4, memory_mb: 1024 };
  const engine = new MigrationEngine({
    inventory: inventoryOf(() => [{ id: 'node-1', cpu: 8, memory_mb: 8192 }, { id: 'node-2', cpu: 2, memory_mb: 8192 }, { id: 'node-3', cpu: 8, memory_mb: 8192 }], () => [vm]),
    now: () => time,
    timings: { prepareMs: 10, precopyMsPerGb: 10, stopAndCopyMs: 10, switchoverMs: 10 },
    faults: { ...MIGRATION_FAULTS.none, ...flags },
  });
  return { engine, vm, advanceTo: (ms: number) => (time = ms) };
}

describe('federation and migration faults', () => {
  it('name only scenarios that exist in the features', () => {
    const titles = new Set([...scenarioTitles('federation.feature'), ...scenarioTitles('vm-migration.feature')].filter((title) => title !== MIGRATION_MODEL_SCENARIO));
    for (const title of [...Object.values(FEDERATION_SCENARIOS), ...Object.values(MIGRATION_SCENARIOS)]) assert.ok(titles.has(title), `no scenario "${title}"`);
    for (const fault of [...FEDERATION_FAULTS.catalog, ...MIGRATION_FAULTS.catalog]) assert.ok(fault.scenarios.length > 0, fault.name);
    assert.equal(titles.size, Object.keys(FEDERATION_SCENARIOS).length + Object.keys(MIGRATION_SCENARIOS).length, 'every scenario has a title constant');
  });

  it('name the model-based scenarios', () => {
    assert.ok(scenarioTitles('model-federation.feature').includes(FEDERATION_MODEL_SCENARIO));
    assert.ok(scenarioTitles('vm-migration.feature').includes(MIGRATION_MODEL_SCENARIO));
  });

  it('migration-concurrent-requests-both-accepted: a second migration of a migrating VM is accepted', () => {
    const clean = engineWith({});
    clean.engine.start(clean.vm, 'node-3');
    assert.throws(() => clean.engine.start(clean.vm, 'node-3'), /already migrating/);
    const faulty = engineWith({ concurrentBothAccepted: true });
    faulty.engine.start(faulty.vm, 'node-3');
    assert.equal(faulty.engine.start(faulty.vm, 'node-3').target_node_id, 'node-3');
  });

  it('federation-new-member-misses-records: a late peer holds none of the earlier records', () => {
    for (const flag of [false, true]) {
      const { federation, tick } = federationWith({ newMemberMissesRecords: flag });
      const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
      tick(20);
      const late = federation.registerPeer({ name: 'late' }).id;
      tick(20);
      const held = federation.replicas(vm.id).find((replica) => replica.cluster_id === late)?.version;
      assert.equal(held, flag ? null : 2, `with the fault ${flag ? 'on' : 'off'}`);
    }
  });

  it('federation-member-leaves-with-vms: a peer running a VM leaves, and the record with it', () => {
    for (const flag of [false, true]) {
      const { federation, east } = federationWith({ memberLeavesWithVms: flag });
      const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
      if (flag) {
        federation.removePeer(east);
        assert.throws(() => federation.recordOf(vm.id), /not found/);
      } else {
        assert.throws(() => federation.removePeer(east), /still runs 1 federated VM/);
      }
    }
  });

  it('federation-places-on-requester ignores the target', () => {
    const { federation, east } = federationWith({ placesOnRequester: true });
    assert.equal(federation.requestVm(east, { name: 'x', target_cluster: 'west' }).cluster_id, east);
  });

  it('federation-replication-skips-peers reaches only the requester', () => {
    const { federation, west, tick } = federationWith({ replicationSkipsPeers: true });
    const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
    tick(20);
    tick(20);
    const versions = Object.fromEntries(federation.replicas(vm.id).map((r) => [r.cluster_id, r.version]));
    assert.equal(versions[federation.localId], 2);
    assert.equal(versions[west], null);
  });

  it('federation-accepts-unreachable-members and federation-outage-stops-all-members', () => {
    const accepting = federationWith({ acceptsUnreachable: true });
    accepting.federation.setReachable(accepting.east, false);
    assert.equal(accepting.federation.requestVm(accepting.east, { name: 'x' }).origin_cluster_id, accepting.east);
    const stopping = federationWith({ outageStopsAll: true });
    stopping.federation.setReachable(stopping.east, false);
    assert.throws(() => stopping.federation.requestVm(stopping.west, { name: 'y', target_cluster: stopping.federation.localId }), /unreachable/);
  });

  it('federation-status-omits-peers lists the local cluster only', () => {
    const { federation } = federationWith({ statusOmitsPeers: true });
    assert.deepEqual(federation.listMembers().map((m) => m.name), ['home']);
  });

  it('federation-drops-updates-for-unreachable never catches up', () => {
    const { federation, west, tick } = federationWith({ dropsUpdatesForUnreachable: true });
    federation.setReachable(west, false);
    const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
    tick(20);
    tick(20);
    federation.setReachable(west, true);
    tick(20);
    assert.equal(federation.replicas(vm.id).find((r) => r.cluster_id === west)?.version, null);
  });

  it('migration-skips-phases is due at once; migration-unreachable-during-switchover drops the probe', () => {
    const skipping = engineWith({ skipsPhases: true });
    const jumped = skipping.engine.start(skipping.vm, 'node-3');
    assert.deepEqual(skipping.engine.due().map((m) => m.id), [jumped.id]);
    const silent = engineWith({ unreachableDuringSwitchover: true });
    silent.engine.start(silent.vm, 'node-3');
    silent.advanceTo(35);
    assert.deepEqual([silent.engine.probe(silent.vm).phase, silent.engine.probe(silent.vm).reachable], ['switchover', false]);
  });

  it('migration-ignores-node-capacity and migration-accepts-unknown-node accept what they should refuse', () => {
    const full = engineWith({ ignoresNodeCapacity: true });
    assert.equal(full.engine.start(full.vm, 'node-2').target_node_id, 'node-2');
    const unknown = engineWith({ acceptsUnknownNode: true });
    assert.equal(unknown.engine.start(unknown.vm, 'node-9').target_node_id, 'node-9');
    const clean = engineWith({});
    assert.throws(() => clean.engine.start(clean.vm, 'node-2'), /has 2 CPUs and 8192 MB free/);
  });
});
