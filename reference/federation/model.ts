import type { NodeCapacity, Resources } from './resources';

/** Shapes of the federation domain, as the API shows them (snake_case, ISO times). */

export interface ClusterMember {
  id: string;
  name: string;
  region: string;
  endpoint: string;
  /** The cluster this control plane runs; every other member is a peer. */
  local: boolean;
  nodes: NodeCapacity[];
  capacity: Resources;
  joined_at: string;
}

export interface MemberStatus extends ClusterMember {
  status: 'reachable' | 'unreachable';
  reachable: boolean;
  last_seen: string;
  /** VMs placed on this member (as last known while it was reachable). */
  vm_count: number;
  allocated: Resources;
  /** VM records this member holds a replica of. */
  replica_count: number;
  /** Replication messages not yet delivered to this member. */
  replication_backlog: number;
}

export type FederatedVmState = 'provisioning' | 'running' | 'deleted';

export interface FederatedVm {
  id: string;
  name: string;
  cpu_shares: number;
  memory_mb: number;
  /** The member the request came through. */
  origin_cluster_id: string;
  /** The member the VM was placed on, which owns the record. */
  cluster_id: string;
  node_id: string;
  state: FederatedVmState;
  /** Incremented on every change by the owner; replicas converge on the highest version. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ReplicaView {
  cluster_id: string;
  cluster_name: string;
  reachable: boolean;
  /** null when this member holds no replica (yet). */
  version: number | null;
  state: FederatedVmState | null;
}

export type FederationEventType =
  | 'federation.member_joined'
  | 'federation.member_left'
  | 'federation.member_unreachable'
  | 'federation.member_reachable'
  | 'federation.vm_placed'
  | 'federation.vm_state_changed'
  | 'federation.vm_replicated';

export interface FederationEvent {
  type: FederationEventType;
  data: Record<string, unknown>;
}

export interface FederationSnapshot {
  members: Array<ClusterMember & { reachable: boolean; last_seen: string }>;
  /** Every member's replica of every record, keyed by member id. */
  replicas: Record<string, FederatedVm[]>;
}
