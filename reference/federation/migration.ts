import { randomUUID } from 'node:crypto';
import { FederationError } from './errors';
import { MIGRATION_FAULTS, type MigrationFaultFlags } from './faults';
import { add, describeResources, fits, subtract, total, type NodeCapacity, type Resources } from './resources';

/** The phases of a live (pre-copy) migration, in order. */
export const MIGRATION_PHASES = ['preparing', 'pre-copy', 'stop-and-copy', 'switchover', 'completed'] as const;
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];
type ActivePhase = Exclude<MigrationPhase, 'completed'>;

export interface MigrationTimings {
  prepareMs: number;
  /** Pre-copy time per GB of VM memory (at least one GB is copied). */
  precopyMsPerGb: number;
  stopAndCopyMs: number;
  switchoverMs: number;
}

export const DEFAULT_MIGRATION_TIMINGS: MigrationTimings = { prepareMs: 60, precopyMsPerGb: 60, stopAndCopyMs: 60, switchoverMs: 60 };

/** The link a migration uses unless capped; the timings above are the phase durations at this rate. */
export const DEFAULT_BANDWIDTH_MBPS = 10_000;
export const MIN_BANDWIDTH_MBPS = 100;

/** Where each phase ends on the 0-100 progress scale. */
const PROGRESS_AT_END: Record<ActivePhase, number> = { preparing: 5, 'pre-copy': 85, 'stop-and-copy': 95, switchover: 100 };

/** The VM as migration sees it (the hypervisor owns the full record). */
export interface MigratableVm {
  id: string;
  node_id: string;
  state: string;
  cpu_shares: number;
  memory_mb: number;
}

export interface Migration {
  id: string;
  vm_id: string;
  source_node_id: string;
  target_node_id: string;
  status: 'in_progress' | 'completed' | 'cancelled';
  phase: MigrationPhase;
  /** 0-100 */
  progress: number;
  cpu_shares: number;
  memory_mb: number;
  /** The link's cap for this migration; every phase takes longer on a slower link. */
  max_bandwidth_mbps: number;
  started_at: string;
  completed_at: string | null;
  /** When each phase began, in order. */
  phases: Array<{ phase: MigrationPhase; started_at: string }>;
}

export interface MigrationTransition {
  migration: Migration;
  from_phase: MigrationPhase;
  to_phase: MigrationPhase;
}

export interface ProbeAnswer {
  vm_id: string;
  reachable: boolean;
  /** The node answering for the VM. */
  node_id: string | null;
  phase: MigrationPhase | null;
  migration_id: string | null;
}

/** Nodes and what the VMs placed on them use; the hypervisor supplies it. */
export interface NodeInventory {
  nodes(): NodeCapacity[];
  /** Resources used on a node by the VMs placed there. */
  used(nodeId: string): Resources;
}

/** An inventory over a fixed node list and whatever VMs the caller currently places on them. */
export function inventoryOf(
  nodes: () => NodeCapacity[],
  placements: () => Iterable<{ node_id: string; cpu_shares: number; memory_mb: number }>,
): NodeInventory {
  return {
    nodes,
    used: (nodeId) =>
      total([...placements()].filter((vm) => vm.node_id === nodeId).map((vm) => ({ cpu: vm.cpu_shares, memory_mb: vm.memory_mb }))),
  };
}

export interface MigrationOptions {
  inventory: NodeInventory;
  now?: () => number;
  newId?: (prefix: string) => string;
  timings?: Partial<MigrationTimings>;
  /** Defects to simulate (reference/federation/faults.ts). */
  faults?: MigrationFaultFlags;
}

interface Plan {
  migration: Migration;
  /** Absolute start time (ms) of each active phase, and the end of the last. */
  starts: Record<ActivePhase, number>;
  endsAt: number;
}

/**
 * Live migration of running VMs between nodes: refused for an unknown node or one without room,
 * otherwise accepted with an id and driven through its phases by time; the target's room is
 * reserved while it runs, and the VM answers probes in every phase.
 */
export class MigrationEngine {
  private readonly plans = new Map<string, Plan>();
  /** Phase changes seen (by any read) and not yet handed out by `advance`. */
  private readonly transitions: MigrationTransition[] = [];
  private readonly inventory: NodeInventory;
  private readonly now: () => number;
  private readonly newId: (prefix: string) => string;
  private readonly timings: MigrationTimings;
  private readonly faults: MigrationFaultFlags;

  constructor(options: MigrationOptions) {
    this.inventory = options.inventory;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? ((prefix) => `${prefix}-${randomUUID()}`);
    this.timings = { ...DEFAULT_MIGRATION_TIMINGS, ...options.timings };
    this.faults = options.faults ?? MIGRATION_FAULTS.none;
  }

  start(vm: MigratableVm, targetNodeId: unknown, maxBandwidthMbps: unknown = DEFAULT_BANDWIDTH_MBPS): Migration {
    if (typeof targetNodeId !== 'string' || targetNodeId === '') {
      throw new FederationError('invalid', `target_node_id ${JSON.stringify(targetNodeId)} is invalid: expected the id of a node`, 'target_node_id');
    }
    const bandwidth = maxBandwidthMbps ?? DEFAULT_BANDWIDTH_MBPS;
    if (typeof bandwidth !== 'number' || !Number.isInteger(bandwidth) || bandwidth < MIN_BANDWIDTH_MBPS || bandwidth > DEFAULT_BANDWIDTH_MBPS * 10) {
      throw new FederationError(
        'invalid',
        `max_bandwidth_mbps ${JSON.stringify(bandwidth)} is invalid: expected an integer from ${MIN_BANDWIDTH_MBPS} to ${DEFAULT_BANDWIDTH_MBPS * 10}`,
        'max_bandwidth_mbps',
      );
    }
    const nodes = this.inventory.nodes();
    const target = nodes.find((node) => node.id === targetNodeId) ?? (this.faults.acceptsUnknownNode ? { id: targetNodeId, cpu: 0, memory_mb: 0 } : undefined);
    if (!target) {
      throw new FederationError(
        'invalid',
        `target_node_id "${targetNodeId}" is not a known node: expected one of ${nodes.map((n) => n.id).join(', ')}`,
        'target_node_id',
      );
    }
    const active = this.activeFor(vm.id);
    if (active && !this.faults.concurrentBothAccepted) throw new FederationError('conflict', `VM ${vm.id} is already migrating to ${active.target_node_id} (${active.id})`);
    if (vm.state !== 'running') {
      throw new FederationError('conflict', `cannot migrate a VM that is ${vm.state}: only running VMs migrate live`);
    }
    if (vm.node_id === target.id) throw new FederationError('conflict', `VM ${vm.id} already runs on ${target.id}`);
    const demand = { cpu: vm.cpu_shares, memory_mb: vm.memory_mb };
    const free = this.freeOn(target);
    const unchecked = this.faults.ignoresNodeCapacity || (this.faults.acceptsUnknownNode && !nodes.includes(target));
    if (!fits(demand, free) && !unchecked) {
      throw new FederationError(
        'insufficient_capacity',
        `node ${target.id} has ${describeResources(free)} free; VM ${vm.id} needs ${describeResources(demand)}`,
        'target_node_id',
      );
    }
    const plan = this.plan(vm, target.id, bandwidth);
    this.plans.set(plan.migration.id, plan);
    return cloneMigration(plan.migration);
  }

  get(id: string): Migration {
    const plan = this.plans.get(id);
    if (!plan) throw new FederationError('not_found', `migration ${id} not found`);
    this.refresh(plan);
    return cloneMigration(plan.migration);
  }

  list(vmId?: string): Migration[] {
    return [...this.plans.values()]
      .filter((plan) => vmId === undefined || plan.migration.vm_id === vmId)
      .map((plan) => (this.refresh(plan), cloneMigration(plan.migration)));
  }

  activeFor(vmId: string): Migration | undefined {
    return this.list(vmId).find((m) => m.status === 'in_progress');
  }

  /** The VM went away (deleted) mid-migration: its migration stops where it is and frees the target. */
  cancelFor(vmId: string): Migration | undefined {
    const plan = [...this.plans.values()].find((p) => p.migration.vm_id === vmId && p.migration.status === 'in_progress');
    if (!plan) return undefined;
    plan.migration.status = 'cancelled';
    plan.migration.completed_at = iso(this.now());
    return cloneMigration(plan.migration);
  }

  /** Loads persisted migrations; one cut short by a restart counts as cancelled (the VM stayed on its source). */
  restore(migrations: readonly Migration[]): Migration[] {
    const cancelled: Migration[] = [];
    for (const stored of migrations) {
      const migration = cloneMigration(stored);
      if (migration.status === 'in_progress') {
        migration.status = 'cancelled';
        migration.completed_at = iso(this.now());
        cancelled.push(cloneMigration(migration));
      }
      const at = Date.parse(migration.started_at);
      this.plans.set(migration.id, {
        migration,
        starts: { preparing: at, 'pre-copy': at, 'stop-and-copy': at, switchover: at },
        endsAt: at,
      });
    }
    return cancelled;
  }

  /** Moves every migration to the phase the clock says it is in; returns the phase changes since the last call. */
  advance(): MigrationTransition[] {
    for (const plan of this.plans.values()) this.refresh(plan);
    return this.transitions.splice(0, this.transitions.length);
  }

  /** Migrations whose switchover is over: the VM can be moved to the target, then `complete` called. */
  due(): Migration[] {
    const now = this.now();
    return [...this.plans.values()]
      .filter((plan) => plan.migration.status === 'in_progress' && now >= plan.endsAt)
      .map((plan) => (this.refresh(plan), cloneMigration(plan.migration)));
  }

  /** The VM runs on the target now: the migration is completed. */
  complete(id: string): MigrationTransition {
    const plan = this.plans.get(id);
    if (!plan || plan.migration.status !== 'in_progress') throw new FederationError('conflict', `migration ${id} is not in progress`);
    this.refresh(plan);
    const { migration } = plan;
    const from = migration.phase;
    const at = iso(Math.max(this.now(), plan.endsAt));
    Object.assign(migration, { status: 'completed', phase: 'completed', progress: 100, completed_at: at });
    migration.phases.push({ phase: 'completed', started_at: at });
    return { migration: cloneMigration(migration), from_phase: from, to_phase: 'completed' };
  }

  /** Does the VM answer right now, and which node answers? */
  probe(vm: MigratableVm): ProbeAnswer {
    const migration = this.activeFor(vm.id);
    if (!migration) {
      const reachable = vm.state === 'running';
      return { vm_id: vm.id, reachable, node_id: reachable ? vm.node_id : null, phase: null, migration_id: null };
    }
    // Pre-copy keeps the VM on its source; the source answers until the switchover hands over.
    const answering = migration.phase === 'switchover' ? migration.target_node_id : migration.source_node_id;
    if (this.faults.unreachableDuringSwitchover && migration.phase === 'switchover') {
      return { vm_id: vm.id, reachable: false, node_id: null, phase: migration.phase, migration_id: migration.id };
    }
    return { vm_id: vm.id, reachable: true, node_id: answering, phase: migration.phase, migration_id: migration.id };
  }

  /** Room left on a node: its capacity minus placed VMs and the migrations heading to it. */
  freeOn(node: NodeCapacity): Resources {
    const reserved = total(
      [...this.plans.values()]
        .map((plan) => plan.migration)
        .filter((m) => m.status === 'in_progress' && m.target_node_id === node.id)
        .map((m) => ({ cpu: m.cpu_shares, memory_mb: m.memory_mb })),
    );
    const free = subtract(node, add(this.inventory.used(node.id), reserved));
    return { cpu: Math.max(0, free.cpu), memory_mb: Math.max(0, free.memory_mb) };
  }

  private plan(vm: MigratableVm, targetNodeId: string, bandwidthMbps: number): Plan {
    const t = this.faults.skipsPhases ? { prepareMs: 0, precopyMsPerGb: 0, stopAndCopyMs: 0, switchoverMs: 0 } : this.timings;
    const slower = DEFAULT_BANDWIDTH_MBPS / bandwidthMbps;
    const started = this.now();
    const prepareMs = t.prepareMs * slower;
    const precopyMs = t.precopyMsPerGb * Math.max(1, vm.memory_mb / 1024) * slower;
    const stopAndCopyMs = t.stopAndCopyMs * slower;
    const starts: Record<ActivePhase, number> = {
      preparing: started,
      'pre-copy': started + prepareMs,
      'stop-and-copy': started + prepareMs + precopyMs,
      switchover: started + prepareMs + precopyMs + stopAndCopyMs,
    };
    const migration: Migration = {
      id: this.newId('mig'),
      vm_id: vm.id,
      source_node_id: vm.node_id,
      target_node_id: targetNodeId,
      status: 'in_progress',
      phase: 'preparing',
      progress: 0,
      cpu_shares: vm.cpu_shares,
      memory_mb: vm.memory_mb,
      max_bandwidth_mbps: bandwidthMbps,
      started_at: iso(started),
      completed_at: null,
      phases: [{ phase: 'preparing', started_at: iso(started) }],
    };
    return { migration, starts, endsAt: starts.switchover + t.switchoverMs * slower };
  }

  /**
   * Moves the migration to the phase the clock says it is in. Past the end of the switchover it
   * stays at switchover (99%) until `complete` confirms the VM runs on the target, so nobody reads
   * "completed" while the VM is not there yet.
   */
  private refresh(plan: Plan): void {
    const { migration } = plan;
    if (migration.status !== 'in_progress') return;
    const now = this.now();
    const reached: ActivePhase = now >= plan.endsAt ? 'switchover' : activePhaseAt(plan, now);
    const transitions: MigrationTransition[] = [];
    // Walk every phase between the last seen and the current one, so none is skipped in the history.
    for (let i = MIGRATION_PHASES.indexOf(migration.phase) + 1; i <= MIGRATION_PHASES.indexOf(reached); i++) {
      const phase = MIGRATION_PHASES[i] as ActivePhase;
      transitions.push({ migration, from_phase: migration.phase, to_phase: phase });
      migration.phase = phase;
      migration.phases.push({ phase, started_at: iso(plan.starts[phase]) });
    }
    migration.progress = now >= plan.endsAt ? 99 : progressAt(plan, reached, now);
    this.transitions.push(...transitions.map((t) => ({ ...t, migration: cloneMigration(migration) })));
  }
}

function activePhaseAt(plan: Plan, now: number): ActivePhase {
  const active = (MIGRATION_PHASES.slice(0, -1) as ActivePhase[]).filter((phase) => plan.starts[phase] <= now);
  return active[active.length - 1] ?? 'preparing';
}

function progressAt(plan: Plan, phase: ActivePhase, now: number): number {
  const order = MIGRATION_PHASES.slice(0, -1) as ActivePhase[];
  const index = order.indexOf(phase);
  const begin = index === 0 ? 0 : PROGRESS_AT_END[order[index - 1]];
  const end = PROGRESS_AT_END[phase];
  const phaseEnd = index === order.length - 1 ? plan.endsAt : plan.starts[order[index + 1]];
  const fraction = Math.min(1, Math.max(0, (now - plan.starts[phase]) / Math.max(1, phaseEnd - plan.starts[phase])));
  return Math.min(99, Math.floor(begin + (end - begin) * fraction));
}

function cloneMigration(migration: Migration): Migration {
  return { ...migration, phases: migration.phases.map((p) => ({ ...p })) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
