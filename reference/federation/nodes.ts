import { SCHEDULER_NODES } from '../core/vms/service';
import type { NodeCapacity } from './resources';

/** What one node of the simulated hypervisor offers. */
export const NODE_CAPACITY = Object.freeze({ cpu: 64, memory_mb: 262_144 });

/** The local cluster's nodes: the hypervisor's scheduler nodes, each with NODE_CAPACITY. */
export function hypervisorNodes(): NodeCapacity[] {
  return SCHEDULER_NODES.map((id) => ({ id, ...NODE_CAPACITY }));
}

/** VM states that hold their share of a node (a stopped or failed VM releases it). */
export const HOLDS_RESOURCES: ReadonlySet<string> = new Set(['creating', 'provisioning', 'running', 'paused', 'migrating']);
