import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';
import { expectRefusal } from './refusals';

/** The federation of clusters, in the words of the feature. */

/** A member as the feature names it: the local cluster, or a peer joined in this scenario. */
export type ClusterRef = { local: true } | { peer: string };

interface Member {
  id: string;
  name: string;
  region: string;
  joined_at: string;
  local: boolean;
  status: 'reachable' | 'unreachable';
  reachable: boolean;
  last_seen: string;
  vm_count: number;
  capacity: { cpu: number; memory_mb: number };
  nodes: { id: string; cpu: number; memory_mb: number }[];
}

interface FederationStatus {
  status: 'healthy' | 'degraded';
  local_cluster_id: string;
  reachable_members: number;
  unreachable_members: number;
  members: Member[];
  generated_at: string;
}

/** The nodes each peer of a scenario is registered with. */
const PEER_NODES = [
  { cpu: 16, memory_mb: 65536 },
  { cpu: 16, memory_mb: 65536 },
];
/** How far the target's clock may be from ours when its timestamps are judged. */
const CLOCK_TOLERANCE_MS = 5000;
/** A reachable member answers heartbeats; one not heard from for this long is not reachable. */
const HEARTBEAT_LIMIT_MS = 10_000;

interface FederatedVm {
  id: string;
  name: string;
  origin_cluster_id: string;
  cluster_id: string;
  state: string;
  version: number;
}

interface Replicas {
  version: number;
  items: { cluster_id: string; version: number | null }[];
}

interface FederationState {
  localId?: string;
  peers: Map<string, Member>;
  vms: Map<string, FederatedVm>;
  status?: FederationStatus;
  /** The version of each machine's record that every reachable member held while a peer was away. */
  versionWhileAway: Map<string, number>;
}

function state(world: NovaWorld): FederationState {
  return world.domain('federation', () => ({ peers: new Map<string, Member>(), vms: new Map<string, FederatedVm>(), versionWhileAway: new Map<string, number>() }));
}

/** The local cluster and every peer this scenario joined. */
export function scenarioMembers(world: NovaWorld): ClusterRef[] {
  return [{ local: true }, ...[...state(world).peers.keys()].map((peer) => ({ peer }))];
}

export function describeCluster(ref: ClusterRef): string {
  return 'local' in ref ? 'the local cluster' : `"${ref.peer}"`;
}

async function localId(world: NovaWorld): Promise<string> {
  const known = state(world);
  if (!known.localId) {
    const response = await world.actor.api.get<FederationStatus>('/api/v1/federation/status');
    expectStatus(response, 200, 'reading the federation status');
    known.localId = response.data.local_cluster_id;
  }
  return known.localId;
}

async function clusterId(world: NovaWorld, ref: ClusterRef): Promise<string> {
  if ('local' in ref) return localId(world);
  const peer = state(world).peers.get(ref.peer);
  if (!peer) throw new Error(`no peer cluster "${ref.peer}" joined the federation in this scenario`);
  return peer.id;
}

function vmNamed(world: NovaWorld, alias: string): FederatedVm {
  const vm = state(world).vms.get(alias);
  if (!vm) throw new Error(`no federated machine "${alias}" was created in this scenario`);
  return vm;
}

/** Peers of this scenario alone (unique names, one region of their own), removed after it. */
export async function joinPeers(world: NovaWorld, aliases: string[]): Promise<void> {
  const admin = await world.suite.admin();
  const region = world.unique('region');
  for (const alias of aliases) {
    const response = await admin.post<Member>('/api/v1/federation/members', {
      name: world.unique(alias),
      region,
      nodes: PEER_NODES,
    });
    expectStatus(response, 201, `registering the peer cluster "${alias}"`);
    const member = response.data;
    state(world).peers.set(alias, member);
    world.ledger.add(`peer cluster ${member.name} (${member.id})`, async () => {
      const removed = await (await world.suite.admin()).delete(`/api/v1/federation/members/${member.id}`);
      if (removed.status !== 200 && removed.status !== 404) throw new Error(`removing it answered ${removed.status}`);
    });
  }
}

/** Requests a VM through `via`, on `target` (or wherever the federation places it); remembers it and deletes it after the scenario. */
export async function requestVm(world: NovaWorld, alias: string, via: ClusterRef, target?: ClusterRef): Promise<ApiResponse<FederatedVm>> {
  const body = { name: world.unique(alias), cpu_shares: 1, memory_mb: 1024, ...(target ? { target_cluster: await clusterId(world, target) } : {}) };
  const response = await world.actor.api.post<FederatedVm>(`/api/v1/federation/members/${await clusterId(world, via)}/vms`, body);
  world.lastResponse = response;
  if (response.status === 201) {
    const vm = response.data;
    state(world).vms.set(alias, vm);
    world.ledger.add(`federated machine ${vm.name} (${vm.id})`, async () => {
      const deleted = await (await world.suite.admin()).delete(`/api/v1/federation/vms/${vm.id}`);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
    });
  }
  return response;
}

/** The VM was placed on `target` (not where it was requested) and its owner runs it within the time. */
export async function expectRunningOn(world: NovaWorld, alias: string, target: ClusterRef, timeoutMs: number): Promise<void> {
  const created = world.lastResponse?.status === 201 ? vmNamed(world, alias) : undefined;
  assert.ok(created, `requesting "${alias}" was refused: ${world.lastResponse?.status} ${JSON.stringify(world.lastResponse?.data)}`);
  const targetId = await clusterId(world, target);
  assert.equal(created.cluster_id, targetId, `"${alias}" was placed on ${created.cluster_id}, not on ${describeCluster(target)} (${targetId})`);
  assert.notEqual(created.cluster_id, created.origin_cluster_id, `"${alias}" was placed on the cluster it was requested through`);
  const { elapsedMs } = await eventually(
    () => world.actor.api.get<FederatedVm>(`/api/v1/federation/members/${targetId}/vms/${created.id}`, { retries: 0 }),
    (response) => response.status === 200 && response.data.state === 'running',
    { timeoutMs, what: `"${alias}" running on ${describeCluster(target)}` },
  );
  world.metrics.record('federated-vm-ready-ms', Math.round(elapsedMs));
}

/** The machines `id` lists as placed on it (its own records, not its replicas of others'), all pages. */
async function placedOn(world: NovaWorld, id: string, what: string): Promise<FederatedVm[]> {
  const placed: FederatedVm[] = [];
  for (let page = 1; ; page++) {
    const response = await world.actor.api.get<{ items: FederatedVm[]; total: number }>(`/api/v1/federation/members/${id}/vms`, { params: { page, page_size: 500 } });
    expectStatus(response, 200, `listing the machines ${what} knows`);
    placed.push(...response.data.items.filter((vm) => vm.cluster_id === id));
    if (response.data.items.length === 0 || page * 500 >= response.data.total) return placed;
  }
}

/**
 * The member's `vm_count` is the number of machines it lists as placed on it. Other scenarios may
 * place machines on a shared member meanwhile, so the two are read again until they agree.
 */
async function expectCountAgrees(world: NovaWorld, id: string, what: string): Promise<FederatedVm[]> {
  const { value } = await eventually(
    async () => {
      const member = await world.actor.api.get<Member>(`/api/v1/federation/members/${id}`);
      expectStatus(member, 200, `reading ${what}`);
      return { counted: member.data.vm_count, placed: await placedOn(world, id, what) };
    },
    ({ counted, placed }) => counted === placed.length,
    { timeoutMs: 3000, intervalMs: 100, what: `${what} counting as many machines as it lists as placed on it (vm_count)` },
  );
  return value.placed;
}

export async function expectCountedOn(world: NovaWorld, alias: string, target: ClusterRef): Promise<void> {
  const targetId = await clusterId(world, target);
  const vm = vmNamed(world, alias);
  const placed = await expectCountAgrees(world, targetId, describeCluster(target));
  assert.ok(placed.some((known) => known.id === vm.id), `${describeCluster(target)} does not list "${alias}" among the machines it runs`);
}

/**
 * Reads the federation status and checks it agrees with itself: it is stamped now, its counts of
 * reachable and unreachable members and its overall status follow from the members it lists, and
 * `local_cluster_id` names its one local member.
 */
export async function readStatus(world: NovaWorld): Promise<FederationStatus> {
  const sentAt = Date.now();
  const response = await world.actor.api.get<FederationStatus>('/api/v1/federation/status');
  expectStatus(response, 200, 'reading the federation status');
  const status = response.data;
  const generatedAt = Date.parse(status.generated_at);
  assert.ok(
    Number.isFinite(generatedAt) && generatedAt >= sentAt - CLOCK_TOLERANCE_MS && generatedAt <= Date.now() + CLOCK_TOLERANCE_MS,
    `the federation status was generated at ${JSON.stringify(status.generated_at)}, not when it was asked for (${new Date(sentAt).toISOString()}, give or take ${CLOCK_TOLERANCE_MS / 1000} s)`,
  );
  const unreachable = status.members.filter((m) => m.status !== 'reachable');
  assert.deepEqual(
    { reachable_members: status.reachable_members, unreachable_members: status.unreachable_members, status: status.status },
    { reachable_members: status.members.length - unreachable.length, unreachable_members: unreachable.length, status: unreachable.length === 0 ? 'healthy' : 'degraded' },
    `the federation status does not add up: it lists ${status.members.length} members, ${unreachable.length} of them unreachable (${unreachable.map((m) => m.name).join(', ') || 'none'})`,
  );
  const local = status.members.filter((m) => m.local).map((m) => m.id);
  assert.deepEqual(local, [status.local_cluster_id], `the federation status names ${status.local_cluster_id} as the local cluster, but lists ${JSON.stringify(local)} as local`);
  state(world).status = status;
  return status;
}

function memberIn(status: FederationStatus, id: string, what: string): Member {
  const member = status.members.find((m) => m.id === id);
  assert.ok(member, `the federation status does not list ${what}: it lists ${status.members.map((m) => m.name).join(', ')}`);
  return member;
}

export async function expectListedReachable(world: NovaWorld, refs: ClusterRef[]): Promise<void> {
  const status = state(world).status ?? (await readStatus(world));
  for (const ref of refs) {
    const member = memberIn(status, await clusterId(world, ref), describeCluster(ref));
    assert.equal(member.status, 'reachable', `${describeCluster(ref)} is ${member.status}`);
  }
}

/**
 * Every member of this scenario reports itself as it is: its name and whether it is local, a
 * status that is one of the two and agrees with `reachable`, the capacity of the nodes it lists
 * (for a peer, the nodes it was registered with), a last-seen time that is recent and not in the
 * future, and a machine count equal to the machines it lists as placed on it.
 */
export async function expectMembersReport(world: NovaWorld, refs: ClusterRef[]): Promise<void> {
  const status = state(world).status ?? (await readStatus(world));
  const generatedAt = Date.parse(status.generated_at);
  for (const ref of refs) {
    const what = describeCluster(ref);
    const member = memberIn(status, await clusterId(world, ref), what);
    assert.equal(member.local, 'local' in ref, `${what} is reported as ${member.local ? '' : 'not '}local`);
    if ('peer' in ref) {
      assert.equal(member.name, world.unique(ref.peer), `${what} is reported under the name ${member.name}`);
      assert.deepEqual(
        member.nodes.map(({ cpu, memory_mb }) => ({ cpu, memory_mb })),
        PEER_NODES,
        `${what} reports other nodes than it was registered with`,
      );
    }
    assert.ok(['reachable', 'unreachable'].includes(member.status), `${what} has the status ${JSON.stringify(member.status)}, expected reachable or unreachable`);
    assert.equal(member.reachable, member.status === 'reachable', `${what} is ${member.status} but reachable=${member.reachable}`);
    assert.ok(member.nodes.length > 0, `${what} reports no nodes`);
    const nodesTotal = member.nodes.reduce((sum, node) => ({ cpu: sum.cpu + node.cpu, memory_mb: sum.memory_mb + node.memory_mb }), { cpu: 0, memory_mb: 0 });
    assert.deepEqual(member.capacity, nodesTotal, `${what} reports a capacity of ${JSON.stringify(member.capacity)}, but its nodes add up to ${JSON.stringify(nodesTotal)}`);
    const lastSeen = Date.parse(member.last_seen);
    const joinedAt = Date.parse(member.joined_at);
    assert.ok(Number.isFinite(lastSeen) && Number.isFinite(joinedAt), `${what} gives unreadable times: last seen ${JSON.stringify(member.last_seen)}, joined ${JSON.stringify(member.joined_at)}`);
    assert.ok(lastSeen >= joinedAt, `${what} was last seen ${member.last_seen}, before it joined (${member.joined_at})`);
    assert.ok(lastSeen <= generatedAt, `${what} was last seen ${member.last_seen}, after the status was generated (${status.generated_at})`);
    if (member.reachable) {
      assert.ok(generatedAt - lastSeen <= HEARTBEAT_LIMIT_MS, `${what} is reachable but was last seen ${member.last_seen}, ${generatedAt - lastSeen} ms before the status was generated`);
    }
    const placed = await expectCountAgrees(world, member.id, what);
    // Only this scenario places machines on its peers, so the status's count of a peer can be held to the list too.
    if ('peer' in ref) assert.equal(member.vm_count, placed.length, `the federation status counts ${member.vm_count} machines on ${what}, which lists ${placed.length}`);
  }
}

export async function makeUnreachable(world: NovaWorld, alias: string): Promise<void> {
  const id = await clusterId(world, { peer: alias });
  const admin = await world.suite.admin();
  const response = await admin.post<Member>(`/api/v1/simulation/federation/members/${id}/unreachable`);
  expectStatus(response, 200, `making "${alias}" unreachable`);
  world.ledger.add(`peer cluster ${alias} reachable again`, async () => {
    const back = await (await world.suite.admin()).post(`/api/v1/simulation/federation/members/${id}/reachable`);
    if (back.status !== 200 && back.status !== 404) throw new Error(`answered ${back.status}`);
  });
}

export async function makeReachable(world: NovaWorld, alias: string): Promise<void> {
  const id = await clusterId(world, { peer: alias });
  const response = await (await world.suite.admin()).post<Member>(`/api/v1/simulation/federation/members/${id}/reachable`);
  expectStatus(response, 200, `making "${alias}" reachable again`);
}

export function expectUnreachableRefusal(world: NovaWorld, alias: string): void {
  const body = expectRefusal(world, 'unavailable');
  const name = world.unique(alias);
  assert.ok((body.error ?? '').includes(name) && /unreachable/.test(body.error ?? ''), `the refusal should say that "${name}" is unreachable: "${body.error}"`);
}

/** The unreachable peer is listed as such, last seen before the scenario's other members were. */
export async function expectStatusWithUnreachable(world: NovaWorld, alias: string): Promise<void> {
  const others = scenarioMembers(world).filter((ref) => 'local' in ref || ref.peer !== alias);
  const status = await readStatus(world);
  const lost = memberIn(status, await clusterId(world, { peer: alias }), `"${alias}"`);
  assert.equal(lost.status, 'unreachable', `"${alias}" is listed as ${lost.status}`);
  for (const ref of others) {
    const member = memberIn(status, await clusterId(world, ref), describeCluster(ref));
    assert.equal(member.status, 'reachable', `${describeCluster(ref)} is listed as ${member.status}`);
    assert.ok(
      Date.parse(member.last_seen) > Date.parse(lost.last_seen),
      `${describeCluster(ref)} was last seen ${member.last_seen}, not after "${alias}" stopped answering (${lost.last_seen})`,
    );
  }
}

async function replicas(world: NovaWorld, alias: string): Promise<Replicas> {
  const response = await world.actor.api.get<Replicas>(`/api/v1/federation/vms/${vmNamed(world, alias).id}/replicas`);
  expectStatus(response, 200, `reading the replicas of "${alias}"`);
  return response.data;
}

/** Every named member holds the owner's version of the record, within the time. */
export async function expectSameVersion(world: NovaWorld, alias: string, refs: ClusterRef[], timeoutMs: number): Promise<number> {
  const ids = await Promise.all(refs.map((ref) => clusterId(world, ref)));
  const held = (r: Replicas) => ids.map((id) => r.items.find((item) => item.cluster_id === id)?.version ?? null);
  const { value, elapsedMs } = await eventually(
    () => replicas(world, alias),
    (r) => held(r).every((version) => version === r.version),
    { timeoutMs, what: `${refs.map(describeCluster).join(', ')} holding the same version of "${alias}"` },
  );
  world.metrics.record('federation-convergence-ms', Math.round(elapsedMs));
  return value.version;
}

export async function expectVersion(world: NovaWorld, alias: string, version: number): Promise<void> {
  const current = await replicas(world, alias);
  assert.equal(current.version, version, `the record of "${alias}" is at version ${current.version}, expected ${version}`);
}

/**
 * Every member of the scenario but the unreachable `peer` holds the owner's version of the record,
 * and `peer` holds none. Once the reachable members hold it, every update due to `peer` has come
 * due while it was away, so what it holds after it is back can only have been kept for it.
 */
export async function expectCaughtUpExcept(world: NovaWorld, alias: string, peer: string, timeoutMs: number): Promise<void> {
  const absentId = await clusterId(world, { peer });
  const others = scenarioMembers(world).filter((ref) => !('peer' in ref && ref.peer === peer));
  const version = await expectSameVersion(world, alias, others, timeoutMs);
  const current = await replicas(world, alias);
  assert.equal(current.version, version, `the record of "${alias}" changed from version ${version} to ${current.version} while "${peer}" was away`);
  const item = current.items.find((r) => r.cluster_id === absentId);
  assert.ok(item, `"${peer}" is not listed among the holders of "${alias}"`);
  assert.equal(item.version, null, `"${peer}" holds version ${item.version} of "${alias}" although it is unreachable`);
  state(world).versionWhileAway.set(alias, version);
}

/** The returning `peer` receives the version it missed (not a later one), as the other members hold it. */
export async function expectReceivedMissedVersion(world: NovaWorld, alias: string, peer: string, holders: ClusterRef[], timeoutMs: number): Promise<void> {
  const missed = state(world).versionWhileAway.get(alias);
  if (missed === undefined) throw new Error(`no version of "${alias}" was recorded while "${peer}" was away`);
  const version = await expectSameVersion(world, alias, holders, timeoutMs);
  assert.equal(version, missed, `"${peer}" caught up with version ${version} of "${alias}", not with version ${missed} that it missed while away`);
}
