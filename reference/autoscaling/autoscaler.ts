import { randomUUID } from 'node:crypto';
import type { FaultSwitch } from '../define-faults';
import { AUTOSCALING_FAULTS, type AutoscalingFaultFlags } from './faults';
import type { ScalingGroupConfig } from './group';

export interface MemberMetrics {
  /** Percent, 0-100. */
  cpu_usage: number;
  memory_usage: number;
}

/** How the autoscaler acts on VMs: the reference's VM service in production, a fake in tests. */
export interface MemberVms {
  /** Creates a member VM and answers its id. */
  create(group: ScalingGroup, name: string): Promise<string>;
  delete(vmId: string): Promise<void>;
  /** Current use of a member, or undefined while it cannot report (not running, gone). */
  metrics(vmId: string, group: ScalingGroup): MemberMetrics | undefined;
  /** Whether the VM still exists; members deleted behind the group's back leave it. */
  exists(vmId: string): boolean;
}

export type ScalingAction = 'scale-up' | 'scale-down';

/** One decision of the autoscaler, as recorded and published. */
export interface ScalingDecision {
  id: string;
  group_id: string;
  group_name: string;
  action: ScalingAction;
  /** The metric that triggered it (scale-down needs both below, reported as cpu). */
  metric: 'cpu' | 'memory';
  threshold: number;
  average_cpu: number;
  average_memory: number;
  window_seconds: number;
  samples: number;
  from_size: number;
  to_size: number;
  /** The member created (scale-up) or removed (scale-down). */
  vm_id: string;
  reason: string;
  /** When the autoscaler decided (the member change follows). */
  decided_at: string;
  timestamp: string;
}

export interface ScalingGroup extends ScalingGroupConfig {
  id: string;
  members: string[];
  created_at: string;
  updated_at: string;
  last_scaled_at: string | null;
}

export interface AutoscalerOptions {
  members: MemberVms;
  /** Epoch milliseconds (Date.now in production; a manual clock in tests). */
  now?: () => number;
  faults?: FaultSwitch;
  /** Called after each decision took effect (the new member exists / the old one is gone). */
  onDecision?: (decision: ScalingDecision, group: ScalingGroup) => void | Promise<void>;
  /** Called whenever a group's membership or size changed (for persistence). */
  onGroupChanged?: (group: ScalingGroup) => void | Promise<void>;
  /** Reports a failed member change (the decision is then not taken). */
  onError?: (message: string, error: unknown) => void;
}

interface Sample {
  at: number;
  cpu: number;
  memory: number;
}

interface GroupState {
  group: ScalingGroup;
  samples: Sample[];
  /** First sample of the current window; a decision needs samples spanning the whole window. */
  windowStart: number | undefined;
  lastScaledAt: number | undefined;
  busy: boolean;
  nextMember: number;
  /** Only kept for the stale-metrics fault. */
  firstSample?: Sample;
  decisions: ScalingDecision[];
}

const DECISIONS_KEPT = 1000;

/**
 * Evaluates every scaling group on each tick: samples the average use of the group's members,
 * keeps the samples of the evaluation window, and when the window is full and the group is out of
 * its cooldown, grows by one member while CPU or memory stays above its scale-up threshold, or
 * shrinks by one while both stay below their scale-down thresholds, never past max or below min.
 */
export class Autoscaler {
  private readonly groups = new Map<string, GroupState>();
  private readonly faults: AutoscalingFaultFlags;
  private readonly now: () => number;

  constructor(private readonly options: AutoscalerOptions) {
    this.faults = AUTOSCALING_FAULTS.on(options.faults);
    this.now = options.now ?? Date.now;
  }

  /** Adds a group and creates its first `desired_size` members. */
  async createGroup(config: ScalingGroupConfig): Promise<ScalingGroup> {
    if (this.findByName(config.name)) throw new DuplicateGroupError(config.name);
    const at = new Date(this.now()).toISOString();
    const group: ScalingGroup = { ...config, id: `asg-${randomUUID()}`, members: [], created_at: at, updated_at: at, last_scaled_at: null };
    const state = this.track(group);
    state.busy = true;
    try {
      while (group.members.length < group.desired_size) await this.addMember(state);
      await this.options.onGroupChanged?.(group);
    } catch (error) {
      // Nothing half-made stays behind: the members created so far go with the group.
      this.groups.delete(group.id);
      for (const vmId of [...group.members].reverse()) await this.options.members.delete(vmId).catch(() => undefined);
      throw error;
    } finally {
      state.busy = false;
    }
    return group;
  }

  /**
   * Takes back a group known from before (persistence); its members are not recreated.
   * `nextMember` is the number the next member's name gets (see `nextMemberNumber`).
   */
  restoreGroup(group: ScalingGroup, nextMember = group.members.length + 1, decisions: readonly ScalingDecision[] = []): void {
    const state = this.track(group);
    state.nextMember = nextMember;
    state.decisions = decisions.slice(-DECISIONS_KEPT);
    if (group.last_scaled_at) state.lastScaledAt = Date.parse(group.last_scaled_at);
  }

  /** The number in the name of the group's next member (`web-3`), for persistence. */
  nextMemberNumber(id: string): number | undefined {
    return this.groups.get(id)?.nextMember;
  }

  group(id: string): ScalingGroup | undefined {
    return this.groups.get(id)?.group;
  }

  list(): ScalingGroup[] {
    return [...this.groups.values()].map((state) => state.group).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  findByName(name: string): ScalingGroup | undefined {
    return [...this.groups.values()].find((state) => state.group.name === name)?.group;
  }

  /** The group a VM is a member of. */
  groupOf(vmId: string): ScalingGroup | undefined {
    for (const { group } of this.groups.values()) if (group.members.includes(vmId)) return group;
    return undefined;
  }

  /** The group's decisions, oldest first. */
  decisions(id: string): ScalingDecision[] {
    return [...(this.groups.get(id)?.decisions ?? [])];
  }

  /** Removes a group and deletes its members; answers false for an unknown id. */
  async deleteGroup(id: string): Promise<boolean> {
    const state = this.groups.get(id);
    if (!state) return false;
    this.groups.delete(id);
    for (const vmId of [...state.group.members].reverse()) await this.options.members.delete(vmId);
    return true;
  }

  /** The window and cooldown state of a group, for status views. */
  evaluation(id: string): { samples: number; window_full: boolean; cooling_down: boolean; average_cpu: number | null; average_memory: number | null } | undefined {
    const state = this.groups.get(id);
    if (!state) return undefined;
    const now = this.now();
    const average = averageOf(state.samples);
    return {
      samples: state.samples.length,
      window_full: this.windowFull(state, now),
      cooling_down: this.coolingDown(state, now),
      average_cpu: average ? round(average.cpu) : null,
      average_memory: average ? round(average.memory) : null,
    };
  }

  /** One evaluation of every group (the reference calls it every `autoscaler_interval`). */
  async tick(): Promise<void> {
    await Promise.all([...this.groups.values()].map((state) => this.evaluate(state)));
  }

  private track(group: ScalingGroup): GroupState {
    const state: GroupState = { group, samples: [], windowStart: undefined, lastScaledAt: undefined, busy: false, nextMember: 1, decisions: [] };
    this.groups.set(group.id, state);
    return state;
  }

  private async evaluate(state: GroupState): Promise<void> {
    if (state.busy || !this.groups.has(state.group.id)) return;
    await this.pruneVanished(state);
    const now = this.now();
    const sample = this.sample(state, now);
    if (!sample) return;
    state.samples.push(sample);
    state.windowStart ??= sample.at;
    const windowMs = state.group.evaluation_window_seconds * 1000;
    state.samples = state.samples.filter((s) => s.at > now - windowMs);
    if (!this.faults.ignoresWindow && !this.windowFull(state, now)) return;
    if (this.coolingDown(state, now)) return;
    const basis = this.faults.ignoresWindow ? [sample] : state.samples;
    const average = averageOf(basis)!;
    const decision = this.decide(state.group, average);
    if (decision) await this.act(state, decision, average, basis.length, now);
  }

  private async pruneVanished(state: GroupState): Promise<void> {
    const present = state.group.members.filter((vmId) => this.options.members.exists(vmId));
    if (present.length === state.group.members.length) return;
    state.group.members = present;
    state.group.updated_at = new Date(this.now()).toISOString();
    await this.options.onGroupChanged?.(state.group);
  }

  private sample(state: GroupState, at: number): Sample | undefined {
    if (this.faults.staleMetrics && state.firstSample) return { ...state.firstSample, at };
    const sample = this.measure(state, at);
    state.firstSample ??= sample;
    return sample;
  }

  private measure(state: GroupState, at: number): Sample | undefined {
    let cpu = 0;
    let memory = 0;
    let reporting = 0;
    for (const vmId of state.group.members) {
      const metrics = this.options.members.metrics(vmId, state.group);
      if (!metrics) continue;
      cpu += metrics.cpu_usage;
      memory += metrics.memory_usage;
      reporting++;
    }
    return reporting === 0 ? undefined : { at, cpu: cpu / reporting, memory: memory / reporting };
  }

  private decide(group: ScalingGroup, average: { cpu: number; memory: number }): { action: ScalingAction; metric: 'cpu' | 'memory'; threshold: number } | undefined {
    const size = group.members.length;
    const roomToGrow = this.faults.exceedsMax ? size <= group.max_size : size < group.max_size;
    const roomToShrink = this.faults.belowMin ? size >= group.min_size && size > 1 : size > group.min_size;
    const cpuHigh = this.faults.ignoresThreshold || average.cpu > group.cpu_scale_up_threshold;
    const memoryHigh = !this.faults.ignoresMemory && average.memory > group.memory_scale_up_threshold;
    if (cpuHigh || memoryHigh) {
      if (!roomToGrow) return undefined;
      return cpuHigh ? { action: 'scale-up', metric: 'cpu', threshold: group.cpu_scale_up_threshold } : { action: 'scale-up', metric: 'memory', threshold: group.memory_scale_up_threshold };
    }
    const memoryLow = this.faults.ignoresMemory || average.memory < group.memory_scale_down_threshold;
    if (average.cpu < group.cpu_scale_down_threshold && memoryLow && roomToShrink && !this.faults.noScaleDown) {
      return { action: 'scale-down', metric: 'cpu', threshold: group.cpu_scale_down_threshold };
    }
    return undefined;
  }

  private async act(state: GroupState, choice: { action: ScalingAction; metric: 'cpu' | 'memory'; threshold: number }, average: { cpu: number; memory: number }, samples: number, decidedAt: number): Promise<void> {
    const { group } = state;
    const fromSize = group.members.length;
    state.busy = true;
    let vmId: string;
    try {
      vmId = choice.action === 'scale-up' ? await this.addMember(state) : await this.removeMember(state);
    } catch (error) {
      this.options.onError?.(`autoscaling group ${group.name} could not ${choice.action}`, error);
      state.busy = false;
      return;
    }
    if (!this.groups.has(group.id)) {
      // The group was deleted while the member changed: do not leave a new member behind.
      if (choice.action === 'scale-up') await this.options.members.delete(vmId).catch((error: unknown) => this.options.onError?.(`could not delete ${vmId}`, error));
      return;
    }
    if (!this.faults.noCooldown) state.lastScaledAt = decidedAt;
    state.samples = [];
    state.windowStart = undefined;
    const at = new Date(this.now()).toISOString();
    group.desired_size = group.members.length;
    group.last_scaled_at = new Date(decidedAt).toISOString();
    group.updated_at = at;
    const averageValue = choice.metric === 'cpu' || this.faults.reasonNamesCpu ? average.cpu : average.memory;
    const comparison = choice.action === 'scale-up' ? 'above' : 'below';
    const decision: ScalingDecision = {
      id: `asd-${randomUUID()}`,
      group_id: group.id,
      group_name: group.name,
      action: choice.action,
      metric: choice.metric,
      threshold: choice.threshold,
      average_cpu: round(average.cpu),
      average_memory: round(average.memory),
      window_seconds: group.evaluation_window_seconds,
      samples,
      from_size: fromSize,
      to_size: group.members.length,
      vm_id: vmId,
      reason:
        choice.action === 'scale-up'
          ? `average ${choice.metric} ${round(averageValue)}% ${comparison} ${choice.threshold}% over ${group.evaluation_window_seconds} s`
          : `average cpu ${round(average.cpu)}% and memory ${round(average.memory)}% below ${group.cpu_scale_down_threshold}% and ${group.memory_scale_down_threshold}% over ${group.evaluation_window_seconds} s`,
      decided_at: new Date(decidedAt).toISOString(),
      timestamp: at,
    };
    state.decisions.push(decision);
    if (state.decisions.length > DECISIONS_KEPT) state.decisions.shift();
    state.busy = false;
    await this.options.onGroupChanged?.(group);
    await this.options.onDecision?.(decision, group);
  }

  private async addMember(state: GroupState): Promise<string> {
    const name = `${state.group.name}-${state.nextMember++}`;
    const vmId = await this.options.members.create(state.group, name);
    state.group.members.push(vmId);
    return vmId;
  }

  /** The newest member goes first. */
  private async removeMember(state: GroupState): Promise<string> {
    const index = this.faults.scaleDownRemovesOldest ? 0 : state.group.members.length - 1;
    const vmId = state.group.members[index];
    await this.options.members.delete(vmId);
    state.group.members.splice(index, 1);
    return vmId;
  }

  private windowFull(state: GroupState, now: number): boolean {
    return state.windowStart !== undefined && now - state.windowStart >= state.group.evaluation_window_seconds * 1000;
  }

  private coolingDown(state: GroupState, now: number): boolean {
    return state.lastScaledAt !== undefined && now - state.lastScaledAt < state.group.cooldown_seconds * 1000;
  }
}

export class DuplicateGroupError extends Error {
  constructor(readonly groupName: string) {
    super(`a scaling group named ${groupName} already exists`);
    this.name = 'DuplicateGroupError';
  }
}

function averageOf(samples: readonly Sample[]): { cpu: number; memory: number } | undefined {
  if (samples.length === 0) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const sample of samples) {
    cpu += sample.cpu;
    memory += sample.memory;
  }
  return { cpu: cpu / samples.length, memory: memory / samples.length };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
