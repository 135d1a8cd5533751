/**
 * Auto-scaling under load, timed: how soon a busy group decides to grow, how soon its new machine
 * runs, how soon it shrinks back once idle. The group, its load, its decisions and its size are
 * the autoscaling tasks' own verbs (../autoscaling); this module adds the timings, recorded as metrics.
 */
import assert from 'node:assert/strict';
import type { NovaWorld } from '../../world';
import { createGroup, decisions, resizePath, setLoad, waitForSize, type ScalingDecision } from '../autoscaling';
import { eventually } from '../expect';
import type { Vm } from '../vms';
import { announce } from './load-figures';
import { waitUntilRunning } from './load-fixtures';

/** The scenario's one group, by its alias among the autoscaling tasks' groups. */
const GROUP = 'tier';

export type LoadedResource = 'processor' | 'memory';

interface ScalingUnderLoad {
  created: boolean;
  /** when the latest load was sent (`performance.now()`) */
  loadSentAt?: number;
  /** how many decisions the group had made before the latest load */
  decisionsBefore: number;
  decision?: ScalingDecision;
  timings: Record<string, number>;
}

const IDLE = { cpu_usage: 5, memory_usage: 20 };

function scaling(world: NovaWorld): ScalingUnderLoad {
  return world.domain('performance-scaling', (): ScalingUnderLoad => ({ created: false, decisionsBefore: 0, timings: {} }));
}

/** The alias of the scenario's group; fails with the step that creates it when there is none. */
function scalingGroup(world: NovaWorld): string {
  if (!scaling(world).created) throw new Error('no scaling group exists in this scenario: add "Given a scaling group of 2 machines that may grow to 4"');
  return GROUP;
}

export async function createScalingGroup(world: NovaWorld, size: number, maxSize: number): Promise<void> {
  await createGroup(world, GROUP, { min_size: size, desired_size: size, max_size: maxSize });
  scaling(world).created = true;
  const { group } = await waitForSize(world, GROUP, size, { withinMs: 10_000, what: `the group having ${size} members` });
  await waitUntilRunning(world, group.members, 10_000);
}

async function setGroupLoad(world: NovaWorld, load: { cpu_usage: number; memory_usage: number }): Promise<void> {
  const state = scaling(world);
  const alias = scalingGroup(world);
  state.decisionsBefore = (await decisions(world, alias)).length;
  state.loadSentAt = await setLoad(world, alias, load);
  announce(world, `🔥 Group load set to CPU ${load.cpu_usage}%, memory ${load.memory_usage}%`);
}

export async function loadGroup(world: NovaWorld, resource: LoadedResource, percent: number): Promise<void> {
  await setGroupLoad(world, resource === 'processor' ? { ...IDLE, cpu_usage: percent } : { ...IDLE, memory_usage: percent });
}

export async function idleGroup(world: NovaWorld): Promise<void> {
  await setGroupLoad(world, IDLE);
}

function sinceLoadMs(world: NovaWorld): number {
  const sentAt = scaling(world).loadSentAt;
  if (sentAt === undefined) throw new Error('no load was applied to the group');
  return performance.now() - sentAt;
}

export async function expectScaleUp(world: NovaWorld, resource: LoadedResource, withinMs: number): Promise<void> {
  const state = scaling(world);
  const { value } = await eventually(() => decisions(world, scalingGroup(world)), (list) => list.slice(state.decisionsBefore).some((d) => d.action === 'scale-up'), {
    timeoutMs: withinMs,
    intervalMs: 25,
    what: `a scale-up decision after the ${resource} load`,
  });
  const responseMs = sinceLoadMs(world);
  const decision = value.slice(state.decisionsBefore).find((d) => d.action === 'scale-up')!;
  state.decision = decision;
  state.timings['scale-up-response'] = responseMs;
  world.metrics.record('scale-up-response', Math.round(responseMs));
  const metric = resource === 'processor' ? 'cpu' : 'memory';
  assert.equal(decision.metric, metric, `the group scaled up because of its ${decision.metric}, not its ${metric}`);
  announce(world, `✅ Scale-up decided ${responseMs.toFixed(0)} ms after the ${resource} load (${decision.from_size} -> ${decision.to_size} machines)`);
}

export async function expectNewMachineRunning(world: NovaWorld, withinMs: number): Promise<void> {
  const state = scaling(world);
  const decision = state.decision;
  if (!decision) throw new Error('the group has not scaled up');
  const started = performance.now();
  await eventually(
    async () => {
      const response = await world.actor.api.get<Vm>(`/api/v1/vms/${decision.vm_id}`);
      return response.status === 200 ? response.data.state : `HTTP ${response.status}`;
    },
    (vmState) => vmState === 'running',
    { timeoutMs: withinMs, intervalMs: 25, what: `the new machine ${decision.vm_id} running` },
  );
  const readyMs = performance.now() - started;
  state.timings['new-machine-ready'] = readyMs;
  world.metrics.record('new-machine-ready', Math.round(readyMs));
  announce(world, `✅ The new machine was running ${readyMs.toFixed(0)} ms after the decision was seen (${sinceLoadMs(world).toFixed(0)} ms after the load)`);
}

export async function expectShrinkBack(world: NovaWorld, size: number, withinMs: number): Promise<void> {
  const state = scaling(world);
  const alias = scalingGroup(world);
  const { elapsedMs } = await waitForSize(world, alias, size, { withinMs, intervalMs: 50, what: `the group shrinking back to ${size} machines once idle` });
  // Scale-ups may still come while the evaluation window drains; from the first scale-down on, the
  // group must shrink one machine at a time, each decision starting where the one before it ended.
  const made = await decisions(world, alias);
  const firstDown = made.findIndex((d, index) => index >= state.decisionsBefore && d.action === 'scale-down');
  assert.ok(firstDown >= 0, `the group reached ${size} machines without any scale-down decision since the load fell`);
  const peak = firstDown > 0 ? made[firstDown - 1].to_size : made[firstDown].from_size;
  const judged = resizePath(made.slice(firstDown), peak, size, 'shrink');
  if ('problem' in judged) assert.fail(`the group reached ${size} machines once idle, but ${judged.problem}`);
  const scaleDowns = judged.path;
  const shrinkMs = sinceLoadMs(world);
  world.metrics.record('scale-down-complete', Math.round(shrinkMs));
  world.metrics.detail('autoscaling', { timings: state.timings, scaleDowns: scaleDowns.length });
  announce(world, `✅ Load decrease detected: ${scaleDowns.length} scale-down decision(s), back to ${size} machines ${shrinkMs.toFixed(0)} ms after the load fell (seen after ${elapsedMs.toFixed(0)} ms of watching)`);
}
