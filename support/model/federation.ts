import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiClient } from '../api-client';
import type { NovaWorld } from '../world';
import { body, pick, readAllPages, refusedAs, untilAgrees } from './common';
import { modelSettings, runModelCheck, type ModelCheck } from './runner';

/**
 * The federation model, written from the contract (contract/domains/federation.yaml): peers join
 * with their nodes; a VM requested through one member is placed on the named target, or on a
 * reachable member other than the requester with room on one node, in the requester's region
 * first, then the one with the most free memory, then by name; it answers `provisioning` at
 * version 1 and its owner makes it `running` (version 2); a deletion is version 3. The owner
 * replicates every version to every member; an unreachable member refuses requests through or to
 * it, keeps what it held, counts what it missed, and catches up once back. A peer that runs
 * federated VMs may not leave.
 *
 * After every operation (and the replication it starts) every view is compared with the model:
 * each member's details and figures, every page of the member list, the federation status, each
 * member's list of the records it holds and each record read through it, and each record's
 * replicas (which version each member holds).
 */

/** Replication and provisioning are asynchronous: how long the views get to agree with the model. */
const CONVERGE_WITHIN_MS = 3_000;
const STATES = ['provisioning', 'running', 'deleted'] as const;
type VmState = (typeof STATES)[number];

interface Node {
  id: string;
  cpu: number;
  memory_mb: number;
}

interface Resources {
  cpu: number;
  memory_mb: number;
}

interface Member {
  id: string;
  name: string;
  region: string;
  endpoint: string;
  local: boolean;
  nodes: Node[];
  capacity: Resources;
  joined_at: string;
  status: 'reachable' | 'unreachable';
  reachable: boolean;
  last_seen: string;
  vm_count: number;
  allocated: Resources;
  replica_count: number;
  replication_backlog: number;
}

interface FederatedVm {
  id: string;
  name: string;
  cpu_shares: number;
  memory_mb: number;
  origin_cluster_id: string;
  cluster_id: string;
  node_id: string;
  state: VmState;
  version: number;
  created_at: string;
  updated_at: string;
}

interface Replicas {
  vm_id: string;
  cluster_id: string;
  version: number;
  converged: boolean;
  items: { cluster_id: string; cluster_name: string; reachable: boolean; version: number | null; state: VmState | null }[];
}

interface ModelMember {
  id: string;
  name: string;
  region: string;
  nodes: Node[];
  local: boolean;
  /** Not the sequence's own (the local cluster, other runs' peers): read once, never changed by the sequence. */
  foreign: boolean;
  reachable: boolean;
  joined_at: string;
  /** The version of each record this member holds. */
  held: Map<string, number>;
}

interface ModelVm {
  id: string;
  name: string;
  cpu_shares: number;
  memory_mb: number;
  origin: string;
  owner: string;
  node_id: string;
  /** 1 provisioning, 2 running, 3 deleted. */
  version: number;
  created_at: string;
}

export interface FederationModel {
  members: ModelMember[];
  removed: ModelMember[];
  vms: ModelVm[];
  /** Deleted VMs whose owner left: no member answers for them any more. */
  forgotten: ModelVm[];
  issued: number;
}

export interface FederationSystem {
  world: NovaWorld;
  api: ApiClient;
  admin: ApiClient;
  /** Every peer and VM of the sequence is named with it. */
  prefix: string;
  /** The sequence's two regions. */
  regions: readonly [string, string];
}

type FederationCommand = fc.AsyncCommand<FederationModel, FederationSystem>;

const stateOf = (version: number): VmState => STATES[Math.min(version, 3) - 1];
const live = (vm: ModelVm) => vm.version < 3;
const ours = (model: FederationModel) => model.members.filter((member) => !member.foreign);
const local = (model: FederationModel) => model.members.find((member) => member.local) as ModelMember;
const nameOf = (model: FederationModel, id: string) => [...model.members, ...model.removed].find((member) => member.id === id)?.name ?? id;

/** Where the model's VMs use each node of a member. */
function used(model: FederationModel, member: ModelMember, nodeId?: string): Resources {
  const vms = model.vms.filter((vm) => live(vm) && vm.owner === member.id && (nodeId === undefined || vm.node_id === nodeId));
  return { cpu: vms.reduce((sum, vm) => sum + vm.cpu_shares, 0), memory_mb: vms.reduce((sum, vm) => sum + vm.memory_mb, 0) };
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
const capacityOf = (member: { nodes: Node[] }): Resources => ({ cpu: member.nodes.reduce((s, n) => s + n.cpu, 0), memory_mb: member.nodes.reduce((s, n) => s + n.memory_mb, 0) });

/** The nodes of a member with room for the demand. */
function nodesWithRoom(model: FederationModel, member: ModelMember, demand: Resources): Node[] {
  return member.nodes.filter((node) => {
    const taken = used(model, member, node.id);
    return demand.cpu <= node.cpu - taken.cpu && demand.memory_mb <= node.memory_mb - taken.memory_mb;
  });
}

/** The contract's placement: reachable, not the requester, room on a node; same region first, most free memory, name. */
function placement(model: FederationModel, via: ModelMember, demand: Resources): ModelMember | undefined {
  const free = (member: ModelMember) => capacityOf(member).memory_mb - used(model, member).memory_mb;
  return model.members
    .filter((member) => member !== via && member.reachable && nodesWithRoom(model, member, demand).length > 0)
    .sort((a, b) => Number(a.region !== via.region) - Number(b.region !== via.region) || free(b) - free(a) || a.name.localeCompare(b.name))[0];
}

// ---- what is drawn ------------------------------------------------------------------------------

interface PeerSpec {
  region: 0 | 1;
  nodes: Resources[];
}

const peerSpecArb: fc.Arbitrary<PeerSpec> = fc.record({
  region: fc.constantFrom<0 | 1>(0, 1),
  nodes: fc.array(fc.record({ cpu: fc.integer({ min: 2, max: 4 }), memory_mb: fc.constantFrom(1024, 2048, 3072) }), { minLength: 1, maxLength: 2 }),
});

interface VmSpec {
  cpu_shares: number;
  memory_mb: number;
}

const demandOf = (spec: VmSpec): Resources => ({ cpu: spec.cpu_shares, memory_mb: spec.memory_mb });

const vmSpecArb: fc.Arbitrary<VmSpec> = fc.record({ cpu_shares: fc.integer({ min: 1, max: 2 }), memory_mb: fc.constantFrom(512, 1024, 2048) });

/** Which member a request goes through or to: an index into the model's members (the local cluster among them). */
type Target = { auto: true } | { member: number };

const INVALID_PEERS: readonly { what: string; field: string; body: (name: string) => Record<string, unknown> }[] = [
  { what: 'no name', field: 'name', body: () => ({ region: 'x' }) },
  { what: 'an upper-case name', field: 'name', body: (name) => ({ name: name.toUpperCase() }) },
  { what: 'a region with a space', field: 'region', body: (name) => ({ name, region: 'two words' }) },
  { what: 'no nodes', field: 'nodes', body: (name) => ({ name, nodes: [] }) },
  { what: 'a node of 256 MB', field: 'nodes[0].memory_mb', body: (name) => ({ name, nodes: [{ cpu: 1, memory_mb: 256 }] }) },
  { what: 'a node without CPU', field: 'nodes[0].cpu', body: (name) => ({ name, nodes: [{ cpu: 0, memory_mb: 1024 }] }) },
];

const INVALID_VMS: readonly { what: string; field: string; body: (name: string) => Record<string, unknown> }[] = [
  { what: 'no name', field: 'name', body: () => ({ cpu_shares: 1 }) },
  { what: 'a name starting with a digit', field: 'name', body: (name) => ({ name: `1${name}` }) },
  { what: 'no CPU', field: 'cpu_shares', body: (name) => ({ name, cpu_shares: 0 }) },
  { what: '100 MB of memory', field: 'memory_mb', body: (name) => ({ name, memory_mb: 100 }) },
];

// ---- the commands ---------------------------------------------------------------------------------

/** A name without the sequence's prefix ("peer 2", "vm 3"), the same whenever the sequence is replayed. */
function label(real: FederationSystem, name: string): string {
  return name.startsWith(real.prefix) ? name.slice(real.prefix.length).replace('-', ' ') : name;
}

class RegisterPeer implements FederationCommand {
  private name: string | undefined;
  constructor(readonly spec: PeerSpec) {}
  check = (model: Readonly<FederationModel>) => ours(model as FederationModel).length < 5;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    model.issued += 1;
    const name = `${real.prefix}peer-${model.issued}`;
    this.name = label(real, name);
    const region = real.regions[this.spec.region];
    const response = await real.admin.post<Member>('/api/v1/federation/members', { name, region, nodes: this.spec.nodes });
    if (response.status === 201) removePeerAfterScenario(real, response.data);
    assert.equal(response.status, 201, `registering ${name} was answered ${response.status} ${body(response)}`);
    const member = response.data;
    assert.deepEqual(
      { name: member.name, region: member.region, local: member.local, nodes: member.nodes.map(({ cpu, memory_mb }) => ({ cpu, memory_mb })), reachable: member.reachable },
      { name, region, local: false, nodes: this.spec.nodes.map(({ cpu, memory_mb }) => ({ cpu, memory_mb })), reachable: true },
      `the answer to registering ${name} differs from what was asked for`,
    );
    assert.equal(new Set(member.nodes.map((node) => node.id)).size, member.nodes.length, `${name} was given two nodes of the same id: ${body(response)}`);
    // A new member receives every record the federation holds.
    model.members.push({ id: member.id, name, region, nodes: member.nodes, local: false, foreign: false, reachable: true, joined_at: member.joined_at, held: new Map() });
    await checkEveryView(model, real);
  }
  toString = () => `register ${this.name ?? 'a peer'} in region ${this.spec.region + 1} with ${this.spec.nodes.map((n) => `${n.cpu} CPU/${n.memory_mb} MB`).join(' + ')}`;
}

class RegisterInvalid implements FederationCommand {
  constructor(readonly invalid: number) {}
  check = () => true;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const { what, field, body: invalid } = INVALID_PEERS[this.invalid % INVALID_PEERS.length];
    const response = await real.admin.post<Member>('/api/v1/federation/members', invalid(`${real.prefix}bad`));
    if (response.status === 201) removePeerAfterScenario(real, response.data);
    const refusal = refusedAs(response, 400, `a peer with ${what}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(field), `the refusal of a peer with ${what} names ${JSON.stringify(named)}, not "${field}"`);
    await checkEveryView(model, real);
  }
  toString = () => `register a peer with ${INVALID_PEERS[this.invalid % INVALID_PEERS.length].what}`;
}

class RegisterTakenName implements FederationCommand {
  private target: string | undefined;
  constructor(readonly index: number) {}
  check = (model: Readonly<FederationModel>) => ours(model as FederationModel).length > 0;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const existing = pick(ours(model), this.index) as ModelMember;
    this.target = label(real, existing.name);
    const response = await real.admin.post<Member>('/api/v1/federation/members', { name: existing.name, region: real.regions[0] });
    if (response.status === 201) removePeerAfterScenario(real, response.data);
    refusedAs(response, 409, `a second peer named ${existing.name}`);
    await checkEveryView(model, real);
  }
  toString = () => `register the name of ${this.target ?? `peer #${this.index}`}`;
}

/** The refusals the model allows for a request; several causes at once may be answered by any of them. */
interface Refusal {
  status: number;
  reason?: string;
  why: string;
}

class RequestVm implements FederationCommand {
  private described: string | undefined;
  constructor(readonly via: number, readonly target: Target, readonly spec: VmSpec, readonly reuse: number | undefined) {}
  check = () => true;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const candidates = [local(model), ...ours(model)];
    const via = pick(candidates, this.via) as ModelMember;
    const target = 'auto' in this.target ? undefined : (pick(candidates, this.target.member) as ModelMember);
    const taken = this.reuse === undefined ? undefined : pick(model.vms.filter(live), this.reuse);
    const name = taken ? taken.name : `${real.prefix}vm-${++model.issued}`;
    this.described = `${taken ? `the name of ${label(real, name)}` : label(real, name)} (${this.spec.cpu_shares} CPU, ${this.spec.memory_mb} MB) through ${label(real, via.name)}${target ? ` on ${label(real, target.name)}` : ''}`;

    const refusals: Refusal[] = [];
    if (!via.reachable) refusals.push({ status: 503, reason: 'unavailable', why: `${via.name} is unreachable` });
    if (taken) refusals.push({ status: 409, reason: 'conflict', why: `${name} is taken` });
    let owner: ModelMember | undefined;
    if (target) {
      if (!target.reachable) refusals.push({ status: 503, reason: 'unavailable', why: `${target.name} is unreachable` });
      else if (nodesWithRoom(model, target, demandOf(this.spec)).length === 0) refusals.push({ status: 409, reason: 'insufficient_capacity', why: `${target.name} has no node with room` });
      owner = target;
    } else {
      owner = placement(model, via, demandOf(this.spec));
      if (!owner) refusals.push({ status: 409, reason: 'insufficient_capacity', why: `no member other than ${via.name} has room` });
    }

    const response = await real.api.post<FederatedVm>(`/api/v1/federation/members/${via.id}/vms`, { name, ...this.spec, ...(target ? { target_cluster: target.id } : {}) });
    if (response.status === 201) deleteVmAfterScenario(real, response.data);
    if (refusals.length > 0) {
      const reason = (response.data as { reason?: string }).reason;
      const matching = refusals.find((refusal) => refusal.status === response.status && refusal.reason === reason) ?? refusals.find((refusal) => refusal.status === response.status);
      assert.ok(matching, `requesting ${this.described} was answered ${response.status} ${body(response)}, expected a refusal because ${refusals.map((r) => r.why).join(', or because ')}`);
      refusedAs(response, matching.status, `requesting ${this.described}`, matching.reason);
    } else {
      const placedOn = owner as ModelMember;
      assert.equal(response.status, 201, `requesting ${this.described} was answered ${response.status} ${body(response)}`);
      const vm = response.data;
      assert.deepEqual(
        { name: vm.name, cpu_shares: vm.cpu_shares, memory_mb: vm.memory_mb, origin: nameOf(model, vm.origin_cluster_id), owner: nameOf(model, vm.cluster_id), state: vm.state, version: vm.version },
        { name, ...this.spec, origin: via.name, owner: placedOn.name, state: 'provisioning', version: 1 },
        `requesting ${this.described} answered a VM other than the model's (placed by: named target, else the requester's region, the most free memory, the name)`,
      );
      const room = nodesWithRoom(model, placedOn, demandOf(this.spec)).map((node) => node.id);
      assert.ok(room.includes(vm.node_id), `${name} was placed on the node ${vm.node_id} of ${placedOn.name}, which has no room for it (room on: ${room.join(', ') || 'none'})`);
      model.vms.push({ id: vm.id, name, ...this.spec, origin: via.id, owner: placedOn.id, node_id: vm.node_id, version: 2, created_at: vm.created_at });
    }
    await checkEveryView(model, real);
  }
  toString = () => `request ${this.described ?? 'a VM'}`;
}

class RequestInvalidVm implements FederationCommand {
  constructor(readonly invalid: number) {}
  check = () => true;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const { what, field, body: invalid } = INVALID_VMS[this.invalid % INVALID_VMS.length];
    const response = await real.api.post<FederatedVm>(`/api/v1/federation/members/${local(model).id}/vms`, invalid(`${real.prefix}bad`));
    if (response.status === 201) deleteVmAfterScenario(real, response.data);
    const refusal = refusedAs(response, 400, `a federated VM with ${what}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(field), `the refusal of a federated VM with ${what} names ${JSON.stringify(named)}, not "${field}"`);
    await checkEveryView(model, real);
  }
  toString = () => `request a VM with ${INVALID_VMS[this.invalid % INVALID_VMS.length].what}`;
}

/** The live VMs, or the deleted ones (those whose owner left included). */
function candidates(model: FederationModel, deleted: boolean): ModelVm[] {
  return deleted ? [...model.vms.filter((vm) => !live(vm)), ...model.forgotten] : model.vms.filter(live);
}

class DeleteVm implements FederationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly ofDeleted: boolean) {}
  check = (model: Readonly<FederationModel>) => candidates(model as FederationModel, this.ofDeleted).length > 0;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const vm = pick(candidates(model, this.ofDeleted), this.index) as ModelVm;
    const owner = [...model.members, ...model.removed].find((member) => member.id === vm.owner) as ModelMember;
    this.target = `${label(real, vm.name)} (on ${label(real, owner.name)}${owner.reachable ? '' : ', unreachable'})`;
    const response = await real.api.delete(`/api/v1/federation/vms/${vm.id}`, { retries: 0 });
    if (this.ofDeleted) refusedAs(response, 404, `deleting ${vm.name} again`);
    else if (!owner.reachable) refusedAs(response, 503, `deleting ${vm.name} while its owner ${owner.name} is unreachable`, 'unavailable');
    else {
      assert.equal(response.status, 200, `deleting ${vm.name} was answered ${response.status} ${body(response)}`);
      assert.deepEqual(response.data, { id: vm.id, status: 'deleted' }, `deleting ${vm.name} answered ${body(response)}`);
      vm.version = 3;
    }
    await checkEveryView(model, real);
  }
  toString = () => `delete ${this.ofDeleted ? 'deleted ' : ''}${this.target ?? `VM #${this.index}`}`;
}

class SetReachable implements FederationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly reachable: boolean) {}
  check = () => true;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const member = pick([local(model), ...ours(model)], this.index) as ModelMember;
    this.target = label(real, member.name);
    const response = await real.admin.post<Member>(`/api/v1/simulation/federation/members/${member.id}/${this.reachable ? 'reachable' : 'unreachable'}`);
    if (member.local && !this.reachable) refusedAs(response, 409, 'making the local cluster unreachable from itself');
    else {
      assert.equal(response.status, 200, `making ${member.name} ${this.reachable ? '' : 'un'}reachable was answered ${response.status} ${body(response)}`);
      assert.equal(response.data.reachable, this.reachable, `making ${member.name} ${this.reachable ? '' : 'un'}reachable answered ${body(response)}`);
      member.reachable = this.reachable;
    }
    await checkEveryView(model, real);
  }
  toString = () => `make ${this.target ?? `member #${this.index}`} ${this.reachable ? 'reachable' : 'unreachable'}`;
}

class RemovePeer implements FederationCommand {
  private target: string | undefined;
  constructor(readonly index: number) {}
  check = () => true;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const member = pick([local(model), ...ours(model)], this.index) as ModelMember;
    const runs = model.vms.filter((vm) => live(vm) && vm.owner === member.id).length;
    this.target = `${label(real, member.name)} (runs ${runs})`;
    const response = await real.admin.delete(`/api/v1/federation/members/${member.id}`);
    if (member.local) refusedAs(response, 409, 'removing the local cluster from its own federation');
    else if (runs > 0) refusedAs(response, 409, `removing ${member.name}, which runs ${runs} federated VMs`);
    else {
      assert.equal(response.status, 200, `removing ${member.name} was answered ${response.status} ${body(response)}`);
      model.members.splice(model.members.indexOf(member), 1);
      model.removed.push(member);
      model.forgotten.push(...model.vms.filter((vm) => vm.owner === member.id));
      model.vms = model.vms.filter((vm) => vm.owner !== member.id);
    }
    await checkEveryView(model, real);
  }
  toString = () => `remove ${this.target ?? `member #${this.index}`}`;
}

type RemovedOperation = 'read' | 'request a VM through' | 'remove';

class TouchRemoved implements FederationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly operation: RemovedOperation) {}
  check = (model: Readonly<FederationModel>) => model.removed.length > 0;
  async run(model: FederationModel, real: FederationSystem): Promise<void> {
    const member = pick(model.removed, this.index) as ModelMember;
    this.target = label(real, member.name);
    const path = `/api/v1/federation/members/${member.id}`;
    const response =
      this.operation === 'read'
        ? await real.api.get(path, { retries: 0 })
        : this.operation === 'remove'
          ? await real.admin.delete(path)
          : await real.api.post<FederatedVm>(`${path}/vms`, { name: `${real.prefix}ghost`, cpu_shares: 1, memory_mb: 512 });
    if (response.status === 201) deleteVmAfterScenario(real, response.data as FederatedVm);
    refusedAs(response, 404, `asking to ${this.operation} ${member.name} after it left`);
    await checkEveryView(model, real);
  }
  toString = () => `${this.operation} removed ${this.target ?? `peer #${this.index}`}`;
}

// ---- every view against the model ----------------------------------------------------------------

function removePeerAfterScenario(real: FederationSystem, { id, name }: { id: string; name: string }): void {
  real.world.ledger.add(`peer cluster ${name} (${id})`, async () => {
    const admin = await real.world.suite.admin();
    await admin.post(`/api/v1/simulation/federation/members/${id}/reachable`);
    const removed = await admin.delete(`/api/v1/federation/members/${id}`);
    if (removed.status !== 200 && removed.status !== 404) throw new Error(`removing it answered ${removed.status}`);
  });
}

function deleteVmAfterScenario(real: FederationSystem, { id, name }: { id: string; name: string }): void {
  real.world.ledger.add(`federated machine ${name} (${id})`, async () => {
    const deleted = await (await real.world.suite.admin()).delete(`/api/v1/federation/vms/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
}

/** Replication: every reachable member holds the latest version of every record; an unreachable one keeps what it held. */
function replicate(model: FederationModel): void {
  for (const member of model.members) {
    if (!member.reachable) continue;
    for (const vm of model.vms) member.held.set(vm.id, vm.version);
  }
}

function recordExpected(vm: ModelVm, version = vm.version): Omit<FederatedVm, 'updated_at'> {
  return { id: vm.id, name: vm.name, cpu_shares: vm.cpu_shares, memory_mb: vm.memory_mb, origin_cluster_id: vm.origin, cluster_id: vm.owner, node_id: vm.node_id, state: stateOf(version), version, created_at: vm.created_at };
}

function recordSeen(vm: FederatedVm): Omit<FederatedVm, 'updated_at'> {
  const { updated_at: _updated, ...rest } = vm;
  return rest;
}

type MemberFigures = Pick<Member, 'id' | 'name' | 'region' | 'local' | 'nodes' | 'capacity' | 'joined_at' | 'status' | 'reachable' | 'vm_count' | 'allocated' | 'replication_backlog'>;

function memberExpected(model: FederationModel, member: ModelMember): MemberFigures {
  const owned = model.vms.filter((vm) => live(vm) && vm.owner === member.id);
  // Every version written since the member last heard: one update each.
  const backlog = model.vms.filter((vm) => vm.owner !== member.id).reduce((sum, vm) => sum + vm.version - (member.held.get(vm.id) ?? 0), 0);
  return {
    id: member.id,
    name: member.name,
    region: member.region,
    local: member.local,
    nodes: member.nodes,
    capacity: capacityOf(member),
    joined_at: member.joined_at,
    status: member.reachable ? 'reachable' : 'unreachable',
    reachable: member.reachable,
    vm_count: owned.length,
    allocated: used(model, member),
    replication_backlog: member.reachable ? 0 : backlog,
  };
}

function memberSeen(member: Member): MemberFigures {
  const { id, name, region, local: isLocal, nodes, capacity, joined_at, status, reachable, vm_count, allocated, replication_backlog } = member;
  return { id, name, region, local: isLocal, nodes, capacity, joined_at, status, reachable, vm_count, allocated, replication_backlog };
}

async function expectMembers(model: FederationModel, real: FederationSystem): Promise<Map<string, Member>> {
  const details = new Map<string, Member>();
  for (const member of ours(model)) {
    const response = await real.api.get<Member>(`/api/v1/federation/members/${member.id}`, { retries: 0 });
    assert.equal(response.status, 200, `reading ${member.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(memberSeen(response.data), memberExpected(model, member), `the details of ${member.name} differ from what was done to it`);
    details.set(member.id, response.data);
  }
  for (const member of model.removed) {
    const response = await real.api.get(`/api/v1/federation/members/${member.id}`, { retries: 0 });
    assert.equal(response.status, 404, `${member.name} left the federation, but reading it was answered ${response.status} ${body(response)}`);
  }
  const pageSize = 1 + (model.issued % 3);
  const { items, totals } = await readAllPages<Member>(real.api, '/api/v1/federation/members', {}, pageSize, 'the list of the members');
  for (const total of totals) assert.equal(total, items.length, `the list of the members gives a total of ${total}, but ${items.length} members are on its pages (${pageSize} a page)`);
  const listed = items.filter((member) => member.name.startsWith(real.prefix)).map(memberSeen).sort(byId);
  assert.deepEqual(listed, ours(model).map((member) => memberExpected(model, member)).sort(byId), `the list of the members, read ${pageSize} a page, differs from the sequence's peers`);
  assert.ok(items.some((member) => member.id === local(model).id && member.local), 'the list of the members does not hold the local cluster');

  const status = await real.api.get<{ status: string; local_cluster_id: string; reachable_members: number; unreachable_members: number; members: Member[] }>('/api/v1/federation/status', { retries: 0 });
  assert.equal(status.status, 200, `reading the federation status was answered ${status.status}`);
  const everyone = status.data.members;
  const away = everyone.filter((member) => !member.reachable).length;
  assert.deepEqual(
    { local: status.data.local_cluster_id, reachable: status.data.reachable_members, unreachable: status.data.unreachable_members, status: status.data.status },
    { local: local(model).id, reachable: everyone.length - away, unreachable: away, status: away === 0 ? 'healthy' : 'degraded' },
    'the federation status does not sum up the members it lists',
  );
  assert.deepEqual(everyone.filter((member) => member.name.startsWith(real.prefix)).map(memberSeen).sort(byId), ours(model).map((member) => memberExpected(model, member)).sort(byId), "the federation status differs from the sequence's peers");
  return details;
}

/** Each reachable member lists and reads exactly the live records at the versions it holds; an unreachable one refuses. */
async function expectRecords(model: FederationModel, real: FederationSystem, details: Map<string, Member>): Promise<void> {
  for (const member of [local(model), ...ours(model)]) {
    const path = `/api/v1/federation/members/${member.id}/vms`;
    if (!member.reachable) {
      refusedAs(await real.api.get(path, { retries: 0 }), 503, `listing the records held by ${member.name} while it is unreachable`, 'unavailable');
      continue;
    }
    const pageSize = 1 + (model.vms.length % 4);
    const { items, totals } = await readAllPages<FederatedVm>(real.api, path, {}, pageSize, `the records held by ${member.name}`);
    for (const total of totals) assert.equal(total, items.length, `the records held by ${member.name} give a total of ${total}, but ${items.length} are on its pages`);
    const seen = items.filter((vm) => vm.name.startsWith(real.prefix)).map(recordSeen).sort(byId);
    const expected = model.vms.filter(live).map((vm) => recordExpected(vm)).sort(byId);
    assert.deepEqual(seen, expected, `the records held by ${member.name}, read ${pageSize} a page, differ from the federation's live VMs`);
    const figures = details.get(member.id);
    if (figures) assert.equal(figures.replica_count, items.length, `${member.name} counts ${figures.replica_count} records it holds, but lists ${items.length}`);
    for (const vm of model.vms) {
      const response = await real.api.get<FederatedVm>(`${path}/${vm.id}`, { retries: 0 });
      if (live(vm)) {
        assert.equal(response.status, 200, `reading ${vm.name} through ${member.name} was answered ${response.status} ${body(response)}`);
        assert.deepEqual(recordSeen(response.data), recordExpected(vm), `${vm.name}, read through ${member.name}, differs from its owner's latest version`);
      } else {
        refusedAs(response, 404, `reading the deleted ${vm.name} through ${member.name}`);
      }
    }
  }
}

/** Which version each member holds of each record, and whether they all agree with the owner. */
async function expectReplicas(model: FederationModel, real: FederationSystem): Promise<void> {
  for (const vm of model.forgotten) {
    refusedAs(await real.api.get(`/api/v1/federation/vms/${vm.id}/replicas`, { retries: 0 }), 404, `reading the replicas of ${vm.name}, whose owner left`);
  }
  for (const vm of model.vms) {
    const response = await real.api.get<Replicas>(`/api/v1/federation/vms/${vm.id}/replicas`, { retries: 0 });
    assert.equal(response.status, 200, `reading the replicas of ${vm.name} was answered ${response.status} ${body(response)}`);
    const { cluster_id, version, converged, items } = response.data;
    assert.deepEqual({ cluster_id, version }, { cluster_id: vm.owner, version: vm.version }, `the replicas of ${vm.name} name another owner or version`);
    assert.equal(converged, items.every((item) => item.version === version), `the replicas of ${vm.name} say converged is ${converged}, but the members hold versions ${items.map((i) => i.version).join(', ')} of ${version}`);
    const mine = items.filter((item) => ours(model).some((member) => member.id === item.cluster_id) || item.cluster_id === local(model).id);
    const expected = [local(model), ...ours(model)].map((member) => {
      const held = member.held.get(vm.id) ?? null;
      return { cluster_id: member.id, cluster_name: member.name, reachable: member.reachable, version: held, state: held === null ? null : stateOf(held) };
    });
    const byCluster = (a: { cluster_id: string }, b: { cluster_id: string }) => a.cluster_id.localeCompare(b.cluster_id);
    assert.deepEqual([...mine].sort(byCluster), expected.sort(byCluster), `which version of ${vm.name} each member holds differs from what was replicated to it`);
  }
}

/** Every view agrees with the model once replication and provisioning have run their course. */
export async function checkEveryView(model: FederationModel, real: FederationSystem): Promise<void> {
  replicate(model);
  await untilAgrees(async () => {
    const details = await expectMembers(model, real);
    await expectRecords(model, real, details);
    await expectReplicas(model, real);
  }, CONVERGE_WITHIN_MS);
}

// ---- the check ------------------------------------------------------------------------------------

const indexArb = fc.nat({ max: 50 });
const targetArb: fc.Arbitrary<Target> = fc.oneof(fc.constant<Target>({ auto: true }), indexArb.map((member): Target => ({ member })));

export const FEDERATION_COMMANDS: fc.Arbitrary<FederationCommand>[] = [
  peerSpecArb.map((spec) => new RegisterPeer(spec)),
  peerSpecArb.map((spec) => new RegisterPeer(spec)),
  fc.nat({ max: INVALID_PEERS.length - 1 }).map((invalid) => new RegisterInvalid(invalid)),
  indexArb.map((index) => new RegisterTakenName(index)),
  fc.tuple(indexArb, targetArb, vmSpecArb).map(([via, target, spec]) => new RequestVm(via, target, spec, undefined)),
  fc.tuple(indexArb, targetArb, vmSpecArb).map(([via, target, spec]) => new RequestVm(via, target, spec, undefined)),
  fc.tuple(indexArb, targetArb, vmSpecArb, indexArb).map(([via, target, spec, reuse]) => new RequestVm(via, target, spec, reuse)),
  fc.nat({ max: INVALID_VMS.length - 1 }).map((invalid) => new RequestInvalidVm(invalid)),
  fc.tuple(indexArb, fc.boolean()).map(([index, ofDeleted]) => new DeleteVm(index, ofDeleted)),
  fc.tuple(indexArb, fc.boolean()).map(([index, reachable]) => new SetReachable(index, reachable)),
  indexArb.map((index) => new RemovePeer(index)),
  fc.tuple(indexArb, fc.constantFrom<RemovedOperation>('read', 'request a VM through', 'remove')).map(([index, operation]) => new TouchRemoved(index, operation)),
];

/** Every kind of operation: what every run checks before the random sequences. Member 0 is the local cluster. */
function federationTour(): FederationCommand[] {
  const small = (cpu: number, memory_mb: number) => ({ cpu, memory_mb });
  return [
    new RegisterPeer({ region: 0, nodes: [small(2, 2048)] }),
    new RegisterPeer({ region: 0, nodes: [small(4, 3072), small(2, 1024)] }),
    new RegisterPeer({ region: 1, nodes: [small(2, 1024)] }),
    ...INVALID_PEERS.map((_, i) => new RegisterInvalid(i)),
    new RegisterTakenName(0),
    // Through peer 1 without a target: peer 2 shares its region and has room.
    new RequestVm(1, { auto: true }, { cpu_shares: 1, memory_mb: 2048 }, undefined),
    // Through peer 2: peer 1 shares its region and has room again.
    new RequestVm(2, { auto: true }, { cpu_shares: 2, memory_mb: 2048 }, undefined),
    new RequestVm(0, { member: 3 }, { cpu_shares: 1, memory_mb: 1024 }, undefined),
    new RequestVm(0, { member: 3 }, { cpu_shares: 1, memory_mb: 512 }, undefined),
    new RequestVm(0, { member: 2 }, { cpu_shares: 1, memory_mb: 512 }, 0),
    ...INVALID_VMS.map((_, i) => new RequestInvalidVm(i)),
    new SetReachable(2, false),
    new RequestVm(2, { member: 1 }, { cpu_shares: 1, memory_mb: 512 }, undefined),
    new RequestVm(0, { member: 2 }, { cpu_shares: 1, memory_mb: 512 }, undefined),
    // On the local cluster while peer 2 is away: peer 2 misses its versions.
    new RequestVm(1, { member: 0 }, { cpu_shares: 1, memory_mb: 512 }, undefined),
    // A peer that joins late receives every record already held.
    new RegisterPeer({ region: 1, nodes: [small(2, 1024)] }),
    new DeleteVm(1, false),
    new DeleteVm(0, false),
    new SetReachable(0, false),
    new RemovePeer(0),
    new RemovePeer(3),
    new SetReachable(2, true),
    new DeleteVm(0, true),
    new DeleteVm(0, false),
    new RemovePeer(2),
    new TouchRemoved(0, 'read'),
    new TouchRemoved(0, 'request a VM through'),
    new TouchRemoved(0, 'remove'),
  ];
}

export function federationModelCheck(world: NovaWorld): ModelCheck<FederationModel, FederationSystem> {
  let sequence = 0;
  return {
    domain: 'federation members and their machines',
    commands: FEDERATION_COMMANDS,
    tour: federationTour,
    async setup() {
      sequence += 1;
      const admin = await world.suite.admin();
      const real: FederationSystem = { world, api: world.actor.api, admin, prefix: `f${world.runId}s${sequence}-`, regions: [`fa${world.runId}s${sequence}`, `fb${world.runId}s${sequence}`] };
      const { items } = await readAllPages<Member>(admin, '/api/v1/federation/members', {}, 500, 'the members before the sequence');
      const members = items.map(
        (member): ModelMember => ({ id: member.id, name: member.name, region: member.region, nodes: member.nodes, local: member.local, foreign: true, reachable: member.reachable, joined_at: member.joined_at, held: new Map() }),
      );
      assert.ok(members.some((member) => member.local), 'the federation has no local cluster');
      // Room already taken on other members is theirs: the model counts only the sequence's VMs, so
      // other members' nodes are shrunk by what they already run.
      for (const member of members) {
        const taken = items.find((item) => item.id === member.id)?.allocated ?? { cpu: 0, memory_mb: 0 };
        if (taken.cpu > 0 || taken.memory_mb > 0) member.nodes = member.nodes.map((node) => ({ ...node, cpu: Math.max(0, node.cpu - taken.cpu), memory_mb: Math.max(0, node.memory_mb - taken.memory_mb) }));
      }
      return { model: { members, removed: [], vms: [], forgotten: [], issued: 0 }, real };
    },
    async teardown(real) {
      const admin = real.admin;
      const { items } = await readAllPages<Member>(admin, '/api/v1/federation/members', {}, 500, 'the members after the sequence');
      const peers = items.filter((member) => member.name.startsWith(real.prefix));
      for (const peer of peers) await admin.post(`/api/v1/simulation/federation/members/${peer.id}/reachable`);
      const localId = items.find((member) => member.local)?.id;
      if (localId) {
        const { items: records } = await readAllPages<FederatedVm>(admin, `/api/v1/federation/members/${localId}/vms`, {}, 500, 'the records after the sequence');
        for (const vm of records.filter((record) => record.name.startsWith(real.prefix))) await admin.delete(`/api/v1/federation/vms/${vm.id}`);
      }
      for (const peer of peers) await admin.delete(`/api/v1/federation/members/${peer.id}`);
    },
  };
}

/** Each operation waits for replication to settle and reads every view of every member: sequences are a third as long. */
export async function checkFederationModel(world: NovaWorld): Promise<void> {
  const settings = modelSettings(world);
  await runModelCheck(world, federationModelCheck(world), { ...settings, maxCommands: Math.ceil(settings.maxCommands / 3) });
}

