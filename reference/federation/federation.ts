import { randomUUID } from 'node:crypto';
import { FederationError } from './errors';
import { FEDERATION_FAULTS, type FederationFaultFlags } from './faults';
import type { ClusterMember, FederatedVm, FederationEvent, FederationSnapshot, MemberStatus, ReplicaView } from './model';
import { describeResources, fits, subtract, total, type NodeCapacity, type Resources } from './resources';
import { validateMemberInput, validateVmRequest, type MemberInput, type VmRequestInput } from './validation';

export interface FederationTimings {
  /** How long a peer takes to provision a placed VM. */
  provisionMs: number;
  /** How long a record change takes to reach a reachable peer. */
  replicationDelayMs: number;
}

export interface FederationOptions {
  local: MemberInput;
  now?: () => number;
  newId?: (prefix: string) => string;
  timings?: Partial<FederationTimings>;
  onEvent?: (event: FederationEvent) => void;
  /** Defects to simulate (reference/federation/faults.ts). */
  faults?: FederationFaultFlags;
}

export const DEFAULT_FEDERATION_TIMINGS: FederationTimings = { provisionMs: 100, replicationDelayMs: 30 };

interface Member {
  info: ClusterMember;
  reachable: boolean;
  lastSeen: number;
  /** This member's copy of every VM record it has heard of. */
  replica: Map<string, FederatedVm>;
}

interface PendingDelivery {
  to: string;
  record: FederatedVm;
  dueAt: number;
}

/**
 * A federation of clusters: the local one and simulated peers. VMs requested through one member
 * are placed on another; the owner's record is replicated to every peer with a version per record;
 * an unreachable member refuses requests while the others keep working, and catches up once back.
 */
export class Federation {
  private readonly members = new Map<string, Member>();
  private readonly pending: PendingDelivery[] = [];
  private readonly provisioning = new Map<string, number>();
  private readonly now: () => number;
  private readonly newId: (prefix: string) => string;
  private readonly timings: FederationTimings;
  private readonly onEvent: (event: FederationEvent) => void;
  private readonly faults: FederationFaultFlags;
  private local: string;

  constructor(options: FederationOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? ((prefix) => `${prefix}-${randomUUID()}`);
    this.timings = { ...DEFAULT_FEDERATION_TIMINGS, ...options.timings };
    this.onEvent = options.onEvent ?? (() => undefined);
    this.faults = options.faults ?? FEDERATION_FAULTS.none;
    this.local = this.addMember(options.local, true).id;
  }

  /** The id of the cluster this control plane runs. */
  get localId(): string {
    return this.local;
  }

  // ---- membership -----------------------------------------------------------------------------

  registerPeer(input: MemberInput): MemberStatus {
    const member = this.addMember(input, false);
    this.onEvent({ type: 'federation.member_joined', data: { cluster_id: member.id, name: member.name } });
    // A new peer receives the records the federation already holds.
    for (const owner of this.faults.newMemberMissesRecords ? [] : this.members.values()) {
      for (const record of owner.replica.values()) {
        if (record.cluster_id === owner.info.id) this.enqueue(member.id, record);
      }
    }
    return this.memberStatus(member.id);
  }

  removePeer(id: string): void {
    const member = this.member(id);
    if (member.info.local) throw new FederationError('conflict', `the local cluster "${member.info.name}" cannot leave its own federation`);
    const placed = this.ownedRecords(member).filter((vm) => vm.state !== 'deleted');
    if (placed.length > 0 && !this.faults.memberLeavesWithVms) {
      throw new FederationError('conflict', `cluster "${member.info.name}" still runs ${placed.length} federated VM(s): delete them first`);
    }
    this.members.delete(id);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.to !== id));
    this.onEvent({ type: 'federation.member_left', data: { cluster_id: id, name: member.info.name } });
  }

  listMembers(): MemberStatus[] {
    const ids = this.faults.statusOmitsPeers ? [this.local] : [...this.members.keys()];
    return ids.map((id) => this.memberStatus(id));
  }

  memberStatus(id: string): MemberStatus {
    const member = this.member(id);
    const owned = this.ownedRecords(member).filter((vm) => vm.state !== 'deleted');
    return {
      ...cloneMember(member.info),
      status: member.reachable ? 'reachable' : 'unreachable',
      reachable: member.reachable,
      last_seen: new Date(member.lastSeen).toISOString(),
      vm_count: owned.length,
      allocated: total(owned.map(demandOf)),
      replica_count: [...member.replica.values()].filter((vm) => vm.state !== 'deleted').length,
      replication_backlog: this.pending.filter((p) => p.to === id).length,
    };
  }

  /** Simulation: the member stops (or resumes) answering. */
  setReachable(id: string, reachable: boolean): MemberStatus {
    const member = this.member(id);
    if (member.info.local && !reachable) {
      throw new FederationError('conflict', `the local cluster "${member.info.name}" cannot be made unreachable from itself`);
    }
    if (member.reachable !== reachable) {
      member.reachable = reachable;
      if (reachable) member.lastSeen = this.now();
      this.onEvent({
        type: reachable ? 'federation.member_reachable' : 'federation.member_unreachable',
        data: { cluster_id: id, name: member.info.name },
      });
      if (reachable) this.advance();
    }
    return this.memberStatus(id);
  }

  // ---- federated VMs --------------------------------------------------------------------------

  /** A VM requested through `viaId`, placed on another member (or the named target). */
  requestVm(viaId: string, input: VmRequestInput): FederatedVm {
    const via = this.reachableMember(viaId);
    const request = validateVmRequest(input);
    const demand = { cpu: request.cpu_shares, memory_mb: request.memory_mb };
    if (this.allRecords().some((vm) => vm.name === request.name && vm.state !== 'deleted')) {
      throw new FederationError('conflict', `a federated VM named "${request.name}" already exists`, 'name');
    }
    const owner = this.faults.placesOnRequester
      ? via
      : request.target_cluster === undefined
        ? this.choosePlacement(via, demand)
        : this.checkTarget(request.target_cluster, demand);
    const node = this.chooseNode(owner, demand) as NodeCapacity;
    const at = this.timestamp();
    const record: FederatedVm = {
      id: this.newId('vm'),
      name: request.name,
      cpu_shares: request.cpu_shares,
      memory_mb: request.memory_mb,
      origin_cluster_id: via.info.id,
      cluster_id: owner.info.id,
      node_id: node.id,
      state: 'provisioning',
      version: 1,
      created_at: at,
      updated_at: at,
    };
    this.write(owner, record);
    this.provisioning.set(record.id, this.now() + this.timings.provisionMs);
    this.onEvent({
      type: 'federation.vm_placed',
      data: { vm_id: record.id, name: record.name, origin_cluster_id: via.info.id, cluster_id: owner.info.id, node_id: node.id },
    });
    return { ...record };
  }

  /** The record as the member `viaId` knows it. */
  getVm(viaId: string, vmId: string): FederatedVm {
    const via = this.reachableMember(viaId);
    const record = via.replica.get(vmId);
    if (!record || record.state === 'deleted') {
      throw new FederationError('not_found', `VM ${vmId} not found on cluster "${via.info.name}"`);
    }
    return { ...record };
  }

  listVms(viaId: string): FederatedVm[] {
    const via = this.reachableMember(viaId);
    return [...via.replica.values()].filter((vm) => vm.state !== 'deleted').map((vm) => ({ ...vm }));
  }

  /** The authoritative record, as its owner holds it (whether or not the owner is reachable). */
  recordOf(vmId: string): FederatedVm {
    const record = this.allRecords().find((vm) => vm.id === vmId);
    if (!record) throw new FederationError('not_found', `VM ${vmId} not found in the federation`);
    return { ...record };
  }

  /** Every member's version of a record, to check convergence. */
  replicas(vmId: string): ReplicaView[] {
    if (!this.allRecords().some((vm) => vm.id === vmId)) throw new FederationError('not_found', `VM ${vmId} not found in the federation`);
    return [...this.members.values()].map((member) => {
      const record = member.replica.get(vmId);
      return {
        cluster_id: member.info.id,
        cluster_name: member.info.name,
        reachable: member.reachable,
        version: record?.version ?? null,
        state: record?.state ?? null,
      };
    });
  }

  /** Deletes a VM on the member that owns it; refused while that member is unreachable. */
  deleteVm(vmId: string): FederatedVm {
    const record = this.allRecords().find((vm) => vm.id === vmId && vm.state !== 'deleted');
    if (!record) throw new FederationError('not_found', `VM ${vmId} not found in the federation`);
    const owner = this.reachableMember(record.cluster_id);
    this.provisioning.delete(vmId);
    return this.change(owner, owner.replica.get(vmId) as FederatedVm, 'deleted');
  }

  // ---- time -----------------------------------------------------------------------------------

  /** Heartbeats, provisioning and replication up to now; the module calls it on a short timer. */
  advance(): void {
    const now = this.now();
    for (const member of this.members.values()) if (member.reachable) member.lastSeen = now;
    for (const [vmId, dueAt] of [...this.provisioning]) {
      if (dueAt > now) continue;
      const record = this.allRecords().find((vm) => vm.id === vmId);
      const owner = record && this.members.get(record.cluster_id);
      if (owner && !owner.reachable) continue; // an unreachable owner finishes once it is back
      this.provisioning.delete(vmId);
      if (record && owner && record.state === 'provisioning') this.change(owner, record, 'running');
    }
    if (this.faults.dropsUpdatesForUnreachable) {
      const lost = this.pending.filter((p) => p.dueAt <= now && !this.members.get(p.to)?.reachable);
      for (const delivery of lost) this.pending.splice(this.pending.indexOf(delivery), 1);
    }
    const due = this.pending.filter((p) => p.dueAt <= now && this.members.get(p.to)?.reachable);
    for (const delivery of due) {
      this.pending.splice(this.pending.indexOf(delivery), 1);
      this.deliver(delivery);
    }
  }

  // ---- persistence ----------------------------------------------------------------------------

  snapshot(): FederationSnapshot {
    const members = [...this.members.values()].map((m) => ({ ...cloneMember(m.info), reachable: m.reachable, last_seen: new Date(m.lastSeen).toISOString() }));
    const replicas = Object.fromEntries([...this.members.values()].map((m) => [m.info.id, [...m.replica.values()].map((vm) => ({ ...vm }))]));
    return { members, replicas };
  }

  /** Loads persisted state; replication and provisioning left unfinished resume from now. */
  restore(snapshot: FederationSnapshot): void {
    this.members.clear();
    this.pending.length = 0;
    this.provisioning.clear();
    for (const stored of snapshot.members) {
      const { reachable, last_seen, ...info } = stored;
      if (info.local) this.local = info.id;
      const replica = new Map((snapshot.replicas[info.id] ?? []).map((vm) => [vm.id, { ...vm }]));
      this.members.set(info.id, { info: cloneMember(info), reachable, lastSeen: Date.parse(last_seen), replica });
    }
    for (const owner of this.members.values()) {
      for (const record of this.ownedRecords(owner)) {
        if (record.state === 'provisioning') this.provisioning.set(record.id, this.now() + this.timings.provisionMs);
        for (const peer of this.members.values()) {
          if (peer !== owner && (peer.replica.get(record.id)?.version ?? 0) < record.version) this.enqueue(peer.info.id, record);
        }
      }
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  private addMember(input: MemberInput, local: boolean): ClusterMember {
    const valid = validateMemberInput(input);
    const existing = [...this.members.values()].find((m) => m.info.name === valid.name);
    if (existing) throw new FederationError('conflict', `a cluster named "${valid.name}" is already a member (${existing.info.id})`, 'name');
    const info: ClusterMember = {
      id: this.newId('cls'),
      ...valid,
      local,
      capacity: total(valid.nodes),
      joined_at: this.timestamp(),
    };
    this.members.set(info.id, { info, reachable: true, lastSeen: this.now(), replica: new Map() });
    return cloneMember(info);
  }

  private member(idOrName: string): Member {
    const member = this.members.get(idOrName) ?? [...this.members.values()].find((m) => m.info.name === idOrName);
    if (!member) throw new FederationError('not_found', `cluster ${idOrName} is not a member of the federation`);
    return member;
  }

  private reachableMember(idOrName: string): Member {
    const member = this.member(idOrName);
    const outage = this.faults.outageStopsAll && [...this.members.values()].some((m) => !m.reachable);
    if ((!member.reachable && !this.faults.acceptsUnreachable) || outage) {
      throw new FederationError(
        'unavailable',
        `cluster "${member.info.name}" is unreachable (last seen ${new Date(member.lastSeen).toISOString()}); the other members keep working`,
      );
    }
    return member;
  }

  private free(member: Member): Resources {
    return subtract(member.info.capacity, total(this.ownedRecords(member).filter((vm) => vm.state !== 'deleted').map(demandOf)));
  }

  private chooseNode(member: Member, demand: Resources): NodeCapacity | undefined {
    const live = this.ownedRecords(member).filter((vm) => vm.state !== 'deleted');
    return member.info.nodes.find((node) => fits(demand, subtract(node, total(live.filter((vm) => vm.node_id === node.id).map(demandOf)))));
  }

  /**
   * A reachable member other than the requester with a node that has room: one in the requester's
   * region first (region affinity), then the one with the most free memory, then by name.
   */
  private choosePlacement(via: Member, demand: Resources): Member {
    const sameRegion = (m: Member) => (m.info.region === via.info.region ? 0 : 1);
    const candidates = [...this.members.values()]
      .filter((m) => m !== via && m.reachable && this.chooseNode(m, demand) !== undefined)
      .sort(
        (a, b) =>
          sameRegion(a) - sameRegion(b) || this.free(b).memory_mb - this.free(a).memory_mb || a.info.name.localeCompare(b.info.name),
      );
    if (candidates.length === 0) {
      throw new FederationError(
        'insufficient_capacity',
        `no reachable member other than "${via.info.name}" has a node with ${describeResources(demand)} free`,
      );
    }
    return candidates[0];
  }

  private checkTarget(target: string, demand: Resources): Member {
    const member = this.member(target);
    this.reachableMember(member.info.id);
    if (!this.chooseNode(member, demand)) {
      throw new FederationError(
        'insufficient_capacity',
        `cluster "${member.info.name}" has no node with ${describeResources(demand)} free (${describeResources(this.free(member))} free in total)`,
        'target_cluster',
      );
    }
    return member;
  }

  private change(owner: Member, current: FederatedVm, state: FederatedVm['state']): FederatedVm {
    const next = { ...current, state, version: current.version + 1, updated_at: this.timestamp() };
    this.write(owner, next);
    this.onEvent({
      type: 'federation.vm_state_changed',
      data: { vm_id: next.id, name: next.name, cluster_id: owner.info.id, from_state: current.state, to_state: state, version: next.version },
    });
    return { ...next };
  }

  /** The owner applies a change and queues it for every other member. */
  private write(owner: Member, record: FederatedVm): void {
    owner.replica.set(record.id, { ...record });
    for (const member of this.members.values()) {
      if (member === owner) continue;
      if (this.faults.replicationSkipsPeers && member.info.id !== record.origin_cluster_id) continue;
      this.enqueue(member.info.id, record);
    }
  }

  private enqueue(to: string, record: FederatedVm): void {
    this.pending.push({ to, record: { ...record }, dueAt: this.now() + this.timings.replicationDelayMs });
  }

  /** Applies a replicated record unless the member already holds a newer version (idempotent, order-proof). */
  private deliver(delivery: PendingDelivery): void {
    const member = this.members.get(delivery.to);
    if (!member) return;
    const held = member.replica.get(delivery.record.id);
    if (held && held.version >= delivery.record.version) return;
    member.replica.set(delivery.record.id, { ...delivery.record });
    this.onEvent({
      type: 'federation.vm_replicated',
      data: { vm_id: delivery.record.id, cluster_id: delivery.to, version: delivery.record.version },
    });
  }

  private ownedRecords(member: Member): FederatedVm[] {
    return [...member.replica.values()].filter((vm) => vm.cluster_id === member.info.id);
  }

  /** Authoritative records: each from the member that owns it. */
  private allRecords(): FederatedVm[] {
    return [...this.members.values()].flatMap((member) => this.ownedRecords(member));
  }

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }
}

function demandOf(vm: FederatedVm): Resources {
  return { cpu: vm.cpu_shares, memory_mb: vm.memory_mb };
}

function cloneMember(info: ClusterMember): ClusterMember {
  return { ...info, nodes: info.nodes.map((n) => ({ ...n })), capacity: { ...info.capacity } };
}
