import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FederationError } from '../../reference/federation/errors';
import { Federation } from '../../reference/federation/federation';
import type { FederationEvent } from '../../reference/federation/model';

function sequentialIds(): (prefix: string) => string {
  let next = 0;
  return (prefix) => `${prefix}-${++next}`;
}

function refused(action: () => unknown, kind: FederationError['kind'], message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof FederationError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  });
}

describe('federation', () => {
  let time: number;
  let events: FederationEvent[];
  let federation: Federation;
  let east: string;
  let west: string;
  const tick = (ms: number) => {
    time += ms;
    federation.advance();
  };

  beforeEach(() => {
    time = Date.UTC(2025, 0, 1);
    events = [];
    federation = new Federation({
      local: { name: 'home', region: 'eu-central', nodes: [{ cpu: 8, memory_mb: 16384 }] },
      now: () => time,
      newId: sequentialIds(),
      timings: { provisionMs: 100, replicationDelayMs: 20 },
      onEvent: (event) => events.push(event),
    });
    east = federation.registerPeer({ name: 'east', region: 'us-east', nodes: [{ cpu: 4, memory_mb: 8192 }, { cpu: 4, memory_mb: 8192 }] }).id;
    west = federation.registerPeer({ name: 'west', region: 'us-west', nodes: [{ cpu: 16, memory_mb: 65536 }] }).id;
  });

  it('lists every member with its status, capacity and VM count', () => {
    const members = federation.listMembers();
    assert.deepEqual(members.map((m) => [m.name, m.local, m.status, m.vm_count]), [
      ['home', true, 'reachable', 0],
      ['east', false, 'reachable', 0],
      ['west', false, 'reachable', 0],
    ]);
    assert.deepEqual(members[1].capacity, { cpu: 8, memory_mb: 16384 });
    assert.deepEqual(members[1].nodes.map((n) => n.id), ['east-node-1', 'east-node-2']);
  });

  it('places a VM requested through one member on another and provisions it there', () => {
    const vm = federation.requestVm(federation.localId, { name: 'web', cpu_shares: 2, memory_mb: 4096 });
    assert.equal(vm.origin_cluster_id, federation.localId);
    assert.equal(vm.cluster_id, west, 'the peer with the most free memory');
    assert.equal(vm.state, 'provisioning');
    assert.equal(vm.version, 1);
    tick(100);
    assert.equal(federation.getVm(west, vm.id).state, 'running');
    assert.equal(federation.getVm(west, vm.id).version, 2);
    assert.equal(federation.memberStatus(west).vm_count, 1);
    assert.deepEqual(federation.memberStatus(west).allocated, { cpu: 2, memory_mb: 4096 });
    assert.ok(events.some((e) => e.type === 'federation.vm_placed'));
  });

  it('prefers a member in the requester\'s region', () => {
    const north = federation.registerPeer({ name: 'north', region: 'us-east', nodes: [{ cpu: 2, memory_mb: 2048 }] }).id;
    assert.equal(federation.requestVm(east, { name: 'near', memory_mb: 1024 }).cluster_id, north);
    assert.equal(federation.requestVm(east, { name: 'far', memory_mb: 2048 }).cluster_id, west, 'no room left in the region');
  });

  it('honours an explicit target and refuses one without room', () => {
    const vm = federation.requestVm(west, { name: 'db', cpu_shares: 4, memory_mb: 8192, target_cluster: 'east' });
    assert.equal(vm.cluster_id, east);
    assert.equal(vm.node_id, 'east-node-1');
    assert.equal(federation.requestVm(west, { name: 'db2', cpu_shares: 4, memory_mb: 8192, target_cluster: east }).node_id, 'east-node-2');
    refused(() => federation.requestVm(west, { name: 'db3', cpu_shares: 1, target_cluster: 'east' }), 'insufficient_capacity', /cluster "east" has no node with 1 CPU and 512 MB free/);
    refused(() => federation.requestVm(west, { name: 'x', target_cluster: 'nowhere' }), 'not_found', /cluster nowhere is not a member/);
  });

  it('replicates every version to every peer and converges', () => {
    const vm = federation.requestVm(east, { name: 'api', cpu_shares: 1, memory_mb: 1024 });
    const versions = () => federation.replicas(vm.id).map((r) => r.version);
    assert.deepEqual(versions(), [null, null, 1], 'only the owner (west) has it before the replication delay');
    refused(() => federation.getVm(federation.localId, vm.id), 'not_found', /not found on cluster "home"/);
    tick(20);
    assert.deepEqual(versions(), [1, 1, 1]);
    tick(80);
    assert.deepEqual(versions(), [1, 1, 2]);
    tick(20);
    assert.deepEqual(versions(), [2, 2, 2]);
    assert.equal(federation.getVm(federation.localId, vm.id).state, 'running');
  });

  it('refuses requests to an unreachable member clearly while the others keep working', () => {
    const vm = federation.requestVm(federation.localId, { name: 'early', target_cluster: 'east' });
    tick(150);
    federation.setReachable(east, false);
    refused(() => federation.requestVm(east, { name: 'a' }), 'unavailable', /cluster "east" is unreachable \(last seen 2025-01-01T00:00:00\.150Z\)/);
    refused(() => federation.requestVm(federation.localId, { name: 'b', target_cluster: 'east' }), 'unavailable', /"east" is unreachable/);
    refused(() => federation.getVm(east, vm.id), 'unavailable', /unreachable/);
    refused(() => federation.deleteVm(vm.id), 'unavailable', /unreachable/);
    const placed = federation.requestVm(federation.localId, { name: 'c' });
    assert.equal(placed.cluster_id, west, 'automatic placement skips the unreachable member');
    tick(500);
    const status = federation.memberStatus(east);
    assert.deepEqual([status.status, status.vm_count, status.last_seen], ['unreachable', 1, '2025-01-01T00:00:00.150Z']);
    assert.equal(federation.memberStatus(west).last_seen, new Date(time).toISOString());
    assert.ok(status.replication_backlog > 0);
  });

  it('catches up an unreachable member once it is back', () => {
    federation.setReachable(east, false);
    const vm = federation.requestVm(federation.localId, { name: 'late', target_cluster: 'west' });
    tick(200);
    tick(20);
    assert.deepEqual(federation.replicas(vm.id).map((r) => r.version), [2, null, 2]);
    federation.setReachable(east, true);
    tick(20);
    assert.deepEqual(federation.replicas(vm.id).map((r) => r.version), [2, 2, 2]);
    assert.equal(federation.memberStatus(east).replication_backlog, 0);
  });

  it('provisions on an owner that comes back and deletes with a replicated tombstone', () => {
    const vm = federation.requestVm(federation.localId, { name: 'svc', target_cluster: 'east' });
    federation.setReachable(east, false);
    tick(300);
    assert.equal(federation.replicas(vm.id)[1].state, 'provisioning');
    federation.setReachable(east, true);
    assert.equal(federation.getVm(east, vm.id).state, 'running');
    const deleted = federation.deleteVm(vm.id);
    assert.equal(deleted.state, 'deleted');
    tick(20);
    refused(() => federation.getVm(west, vm.id), 'not_found', /not found/);
    assert.equal(federation.memberStatus(east).vm_count, 0);
    federation.requestVm(federation.localId, { name: 'svc' });
  });

  it('validates requests and membership', () => {
    refused(() => federation.requestVm(federation.localId, { name: 'Bad' }), 'invalid', /name "Bad" is invalid/);
    refused(() => federation.requestVm(federation.localId, { name: 'ok', cpu_shares: 0 }), 'invalid', /cpu_shares 0 is invalid/);
    refused(() => federation.requestVm(federation.localId, { name: 'huge', cpu_shares: 64 }), 'insufficient_capacity', /no reachable member other than "home"/);
    federation.requestVm(federation.localId, { name: 'dup' });
    refused(() => federation.requestVm(federation.localId, { name: 'dup' }), 'conflict', /already exists/);
    refused(() => federation.registerPeer({ name: 'east' }), 'conflict', /already a member/);
    refused(() => federation.registerPeer({ name: 'n', nodes: [{ cpu: 0, memory_mb: 1024 }] }), 'invalid', /nodes\[0\]\.cpu 0 is invalid/);
    refused(() => federation.setReachable(federation.localId, false), 'conflict', /cannot be made unreachable/);
    refused(() => federation.removePeer(federation.localId), 'conflict', /cannot leave/);
  });

  it('removes an empty peer and refuses one that still runs VMs', () => {
    const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
    refused(() => federation.removePeer(east), 'conflict', /still runs 1 federated VM/);
    federation.deleteVm(vm.id);
    federation.removePeer(east);
    assert.deepEqual(federation.listMembers().map((m) => m.name), ['home', 'west']);
  });

  it('restores a snapshot and resumes replication', () => {
    const vm = federation.requestVm(federation.localId, { name: 'x', target_cluster: 'east' });
    const copy = new Federation({ local: { name: 'ignored' }, now: () => time, timings: { provisionMs: 100, replicationDelayMs: 20 } });
    copy.restore(federation.snapshot());
    time += 100;
    copy.advance();
    time += 20;
    copy.advance();
    assert.deepEqual(copy.replicas(vm.id).map((r) => r.version), [2, 2, 2]);
  });
});
