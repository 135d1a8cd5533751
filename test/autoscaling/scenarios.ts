import { Autoscaler, type MemberMetrics, type MemberVms, type ScalingDecision, type ScalingGroup } from '../../reference/autoscaling/autoscaler';
import type { AUTOSCALING_SCENARIOS } from '../../reference/autoscaling/faults';
import { parseGroupConfig } from '../../reference/autoscaling/group';
import { SimulatedVmLoad } from '../../reference/autoscaling/vm-load';

/**
 * The autoscaling scenarios of the feature file on a manual clock, ticking every
 * `intervalMs` like the reference's autoscaler loop; each returns the expectations it found broken.
 */

export const DEFAULT_INTERVAL_MS = 200;
export const DEFAULT_COOLDOWN_SECONDS = 1;

/** Member VMs in memory: created instantly, metrics from the simulated load. */
export class FakeVms implements MemberVms {
  readonly load = new SimulatedVmLoad();
  readonly alive = new Set<string>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  private sequence = 0;

  async create(_group: ScalingGroup, name: string): Promise<string> {
    const id = `vm-${++this.sequence}-${name}`;
    this.alive.add(id);
    this.created.push(id);
    return id;
  }

  async delete(vmId: string): Promise<void> {
    this.alive.delete(vmId);
    this.deleted.push(vmId);
  }

  exists(vmId: string): boolean {
    return !this.deleted.includes(vmId);
  }

  metrics(vmId: string, group: ScalingGroup): MemberMetrics | undefined {
    return this.alive.has(vmId) ? this.load.loadOf(vmId, group.id) : undefined;
  }
}

export class AutoscalingHarness {
  clock = 1_700_000_000_000;
  readonly vms = new FakeVms();
  readonly decisions: ScalingDecision[] = [];
  readonly failures: string[] = [];
  readonly figures: Record<string, number> = {};
  readonly autoscaler: Autoscaler;
  /** Offset of the first tick, so scenarios do not always start in phase with the loop. */
  private nextTick: number;

  constructor(
    faults: readonly string[] = [],
    readonly intervalMs = DEFAULT_INTERVAL_MS,
    phaseMs = 0,
  ) {
    this.nextTick = this.clock + phaseMs;
    this.autoscaler = new Autoscaler({
      members: this.vms,
      now: () => this.clock,
      faults: new Set(faults),
      onDecision: (decision) => void this.decisions.push(decision),
    });
  }

  async createGroup(input: Record<string, unknown>): Promise<ScalingGroup> {
    return this.autoscaler.createGroup(parseGroupConfig({ name: 'web', ...input }, DEFAULT_COOLDOWN_SECONDS));
  }

  setLoad(group: ScalingGroup, cpu: number, memory = 30): void {
    this.vms.load.setGroupLoad(group.id, group.members, { cpu_usage: cpu, memory_usage: memory });
  }

  /** Lets `ms` pass, ticking the autoscaler on its interval. */
  async advance(ms: number): Promise<void> {
    const until = this.clock + ms;
    while (this.nextTick <= until) {
      this.clock = this.nextTick;
      await this.autoscaler.tick();
      this.nextTick += this.intervalMs;
    }
    this.clock = until;
  }

  /** Advances until a decision beyond the first `known` exists; answers the wait in ms, or undefined. */
  async untilDecision(known: number, limitMs: number): Promise<number | undefined> {
    const start = this.clock;
    while (this.decisions.length <= known) {
      if (this.clock - start >= limitMs) return undefined;
      await this.advance(10);
    }
    return this.clock - start;
  }

  expect(ok: boolean, failure: string): boolean {
    if (!ok) this.failures.push(failure);
    return ok;
  }

  /** Checks that a group's size stays put for `ms`. */
  async staysAt(group: ScalingGroup, size: number, ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      await this.advance(100);
      if (!this.expect(group.members.length === size, `the group has ${group.members.length} members, expected it to stay at ${size}`)) return;
    }
  }
}

export interface AutoscalingRun {
  failures: string[];
  figures: Record<string, number>;
  decisions: ScalingDecision[];
}

export type AutoscalingScenario = (faults?: readonly string[], phaseMs?: number) => Promise<AutoscalingRun>;
export type AutoscalingScenarioName = (typeof AUTOSCALING_SCENARIOS)[keyof typeof AUTOSCALING_SCENARIOS];

async function run(faults: readonly string[] | undefined, phaseMs: number | undefined, body: (h: AutoscalingHarness) => Promise<void>): Promise<AutoscalingRun> {
  const h = new AutoscalingHarness(faults, DEFAULT_INTERVAL_MS, phaseMs ?? 0);
  try {
    await body(h);
  } catch (error) {
    h.failures.push(`error: ${(error as Error).message}`);
  }
  return { failures: h.failures, figures: h.figures, decisions: h.decisions };
}

async function growsWithin2s(h: AutoscalingHarness, group: ScalingGroup, metric: 'cpu' | 'memory'): Promise<void> {
  await h.advance(1500);
  h.expect(h.decisions.length === 0, 'the group scaled before any load');
  if (metric === 'cpu') h.setLoad(group, 90, 40);
  else h.setLoad(group, 50, 92);
  const waited = await h.untilDecision(0, 2000);
  if (!h.expect(waited !== undefined, 'no scaling decision within 2 s of crossing the threshold')) return;
  h.figures['autoscaling-trigger-time'] = waited!;
  const [decision] = h.decisions;
  h.expect(decision.action === 'scale-up' && decision.metric === metric, `the decision was ${decision.action} on ${decision.metric}`);
  h.expect(group.members.length === 2 && group.members.includes(decision.vm_id), 'the group did not gain the decided member');
}

export const scenarios: Record<AutoscalingScenarioName, AutoscalingScenario> = {
  'Sustained high CPU grows the group': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 3, cooldown_seconds: 1 });
      await growsWithin2s(h, group, 'cpu');
    }),

  'Sustained memory pressure grows the group': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 3, cooldown_seconds: 1 });
      await growsWithin2s(h, group, 'memory');
    }),

  'Sustained low load shrinks the group to its minimum and no further': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 2, max_size: 4, desired_size: 4, evaluation_window_seconds: 0.5, cooldown_seconds: 0.5 });
      h.setLoad(group, 40, 40);
      await h.advance(1000);
      h.setLoad(group, 5, 20);
      const start = h.clock;
      while (group.members.length > 2 && h.clock - start < 5000) await h.advance(100);
      h.expect(group.members.length === 2, `the idle group has ${group.members.length} members after 5 s, expected its minimum 2`);
      await h.staysAt(group, 2, 3000);
      h.expect(h.decisions.length === 2 && h.decisions.every((d) => d.action === 'scale-down'), `decisions: ${h.decisions.map((d) => d.action).join(', ')}`);
    }),

  'The group never grows past its maximum': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 2, evaluation_window_seconds: 0.5, cooldown_seconds: 0.5 });
      h.setLoad(group, 95, 40);
      const start = h.clock;
      while (group.members.length < 2 && h.clock - start < 3000) await h.advance(100);
      h.expect(group.members.length === 2, 'the loaded group did not reach its maximum');
      await h.staysAt(group, 2, 3000);
    }),

  'Load between the thresholds leaves the group alone': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 3, desired_size: 2, evaluation_window_seconds: 0.5, cooldown_seconds: 0.5 });
      h.setLoad(group, 50, 50);
      await h.staysAt(group, 2, 4000);
      h.expect(h.decisions.length === 0, `the group made ${h.decisions.length} decision(s)`);
    }),

  'No second decision inside the cooldown': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 5, evaluation_window_seconds: 0.5, cooldown_seconds: 3 });
      await h.advance(600);
      h.setLoad(group, 90, 40);
      if (!h.expect((await h.untilDecision(0, 2000)) !== undefined, 'no first decision')) return;
      const first = Date.parse(h.decisions[0].decided_at);
      await h.advance(4000);
      const second = h.decisions[1];
      h.expect(second !== undefined, 'no second decision once the cooldown was over');
      if (second) h.expect(Date.parse(second.decided_at) - first >= 3000, `a second decision came ${Date.parse(second.decided_at) - first} ms after the first, inside the 3 s cooldown`);
    }),

  'A spike shorter than the evaluation window does not scale the group': (faults, phase) =>
    run(faults, phase, async (h) => {
      const group = await h.createGroup({ min_size: 1, max_size: 3, evaluation_window_seconds: 2, cooldown_seconds: 1 });
      h.setLoad(group, 40, 40);
      await h.advance(2500);
      h.setLoad(group, 95, 40);
      await h.advance(400);
      h.setLoad(group, 40, 40);
      await h.staysAt(group, 1, 3000);
    }),
};
