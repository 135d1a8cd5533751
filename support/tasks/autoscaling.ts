import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';

/** Domain verbs for autoscaling scenarios: scaling groups, simulated load on their members, decisions. */

export interface ScalingGroup {
  id: string;
  name: string;
  current_size: number;
  members: string[];
  cooldown_seconds: number;
}

export interface ScalingDecision {
  id: string;
  action: 'scale-up' | 'scale-down';
  metric: 'cpu' | 'memory';
  from_size: number;
  to_size: number;
  vm_id: string;
  decided_at: string;
}

interface Load {
  cpu_usage?: number;
  memory_usage?: number;
}

interface GroupState {
  group: ScalingGroup;
  /** Where the group was last seen settled (created, or reached a size a step expected) and how many decisions it had then. */
  settled: { size: number; decisions: number };
  load: Load;
  /** When the reference applied the latest load (its own clock). */
  loadAppliedAt?: number;
  /** Client clock when the latest load was applied. */
  loadSentAt?: number;
}

function groups(world: NovaWorld): Map<string, GroupState> {
  return world.domain('autoscaling', () => new Map<string, GroupState>());
}

function known(world: NovaWorld, alias: string): GroupState {
  const entry = groups(world).get(alias);
  if (!entry) throw new Error(`no scaling group "${alias}" was created in this scenario`);
  return entry;
}

/** The policy table of the feature, in the words a person uses, as the API's fields. */
export function policyFromTable(rows: string[][]): Record<string, number> {
  const policy: Record<string, number> = {};
  const percent = /^(\d+(?:\.\d+)?)% (CPU|memory)$/;
  const seconds = /^(\d+(?:\.\d+)?) seconds?$/;
  const fail = (what: string, value: string, expected: string): never => {
    throw new Error(`policy row "${what}" = "${value}" is not understood: expected ${expected}`);
  };
  for (const [what, value] of rows) {
    switch (what) {
      case 'size': {
        const match = /^(\d+) to (\d+) machines(?:, starting with (\d+))?$/.exec(value) ?? fail(what, value, '"<min> to <max> machines", optionally ", starting with <n>"');
        policy.min_size = Number(match[1]);
        policy.max_size = Number(match[2]);
        policy.desired_size = Number(match[3] ?? match[1]);
        break;
      }
      case 'grow above':
      case 'shrink below': {
        const direction = what === 'grow above' ? 'up' : 'down';
        for (const part of value.split(what === 'grow above' ? ' or ' : ' and ')) {
          const match = percent.exec(part) ?? fail(what, value, `"<n>% CPU" or "<n>% memory", joined by "${what === 'grow above' ? 'or' : 'and'}"`);
          policy[`${match[2].toLowerCase()}_scale_${direction}_threshold`] = Number(match[1]);
        }
        break;
      }
      case 'evaluation window':
      case 'cooldown': {
        const match = seconds.exec(value) ?? fail(what, value, '"<n> seconds"');
        policy[what === 'cooldown' ? 'cooldown_seconds' : 'evaluation_window_seconds'] = Number(match[1]);
        break;
      }
      default:
        fail(what, value, 'one of the rows size, grow above, shrink below, evaluation window, cooldown');
    }
  }
  return policy;
}

/** Creates a group under the scenario's unique form of `alias`; it and its machines are deleted after the scenario. */
export async function createGroup(world: NovaWorld, alias: string, policy: Record<string, number>): Promise<void> {
  const response = await world.actor.api.post<ScalingGroup>('/api/v1/autoscaling/groups', {
    name: world.unique(alias),
    ...policy,
    vm_template: { tags: [world.scenarioTag] },
  });
  expectStatus(response, 201, `creating scaling group "${alias}"`);
  const group = response.data;
  groups(world).set(alias, { group, settled: { size: group.current_size, decisions: 0 }, load: {} });
  deleteGroupAfterScenario(world, group);
}

/** Deletes the group (and so its machines) after the scenario, whatever its outcome (gone already is fine). */
export function deleteGroupAfterScenario(world: NovaWorld, { id, name }: { id: string; name: string }): void {
  world.ledger.add(`scaling group ${name} (${id})`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/autoscaling/groups/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
}

/** Every member of the group, present and future, reports this use from now on; answers when it was sent (`performance.now()`). */
export async function setLoad(world: NovaWorld, alias: string, load: Load): Promise<number> {
  const entry = known(world, alias);
  const sentAt = performance.now();
  const response = await (await world.suite.admin()).post<{ applied_at: string }>(`/api/v1/simulation/autoscaling/groups/${entry.group.id}/load`, load);
  expectStatus(response, 200, `loading the members of "${alias}"`);
  Object.assign(entry, { load, loadAppliedAt: Date.parse(response.data.applied_at), loadSentAt: sentAt });
  return sentAt;
}

export async function runFor(world: NovaWorld, alias: string, load: Load, seconds: number): Promise<void> {
  await setLoad(world, alias, load);
  await sleep(seconds * 1000);
}

/** A brief burst of CPU, then back to the load before it. */
export async function spike(world: NovaWorld, alias: string, cpu: number, seconds: number): Promise<void> {
  const before = known(world, alias).load;
  await setLoad(world, alias, { ...before, cpu_usage: cpu });
  await sleep(seconds * 1000);
  await setLoad(world, alias, before);
}

export async function readGroup(world: NovaWorld, alias: string): Promise<ScalingGroup> {
  const response = await world.actor.api.get<ScalingGroup>(`/api/v1/autoscaling/groups/${known(world, alias).group.id}`);
  expectStatus(response, 200, `reading scaling group "${alias}"`);
  known(world, alias).group = response.data;
  return response.data;
}

export async function decisions(world: NovaWorld, alias: string): Promise<ScalingDecision[]> {
  const response = await world.actor.api.get<{ items: ScalingDecision[] }>(`/api/v1/autoscaling/groups/${known(world, alias).group.id}/events`);
  expectStatus(response, 200, `reading the decisions of "${alias}"`);
  return response.data.items;
}

interface SizeWait {
  withinMs: number;
  /** what is awaited, for the failure */
  what: string;
  intervalMs?: number;
  /** the size the group had before the wait, the first of the sizes it went through */
  startingAt?: number;
  /** what went wrong when the group went from `last` to `current` members (the wait ends there), or undefined */
  wrongIf?: (current: number, last: number) => string | undefined;
}

/**
 * Reads the group until it has `size` members or `wrongIf` names what went wrong, failing after
 * `withinMs` with the sizes it went through; answers the group as last read, those sizes, what went
 * wrong if anything, and how long it took.
 */
export async function waitForSize(
  world: NovaWorld,
  alias: string,
  size: number,
  { withinMs, what, intervalMs = 50, startingAt, wrongIf }: SizeWait,
): Promise<{ group: ScalingGroup; sizes: number[]; wentWrong?: string; elapsedMs: number }> {
  const sizes = startingAt === undefined ? [] : [startingAt];
  let wentWrong: string | undefined;
  const { value: group, elapsedMs } = await eventually(
    async () => {
      const read = await readGroup(world, alias);
      const current = read.current_size;
      const last = sizes.length > 0 ? sizes[sizes.length - 1] : current;
      if (sizes.length === 0 || current !== last) sizes.push(current);
      wentWrong ??= wrongIf?.(current, last);
      return read;
    },
    (read) => wentWrong !== undefined || read.current_size === size,
    { timeoutMs: withinMs, intervalMs, what },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its sizes were ${sizes.join(' -> ')}`);
  });
  return { group, sizes, ...(wentWrong === undefined ? {} : { wentWrong }), elapsedMs };
}

export type Direction = 'grow' | 'shrink';

const ACTION_OF: Record<Direction, ScalingDecision['action']> = { grow: 'scale-up', shrink: 'scale-down' };

function describeDecisions(made: readonly ScalingDecision[]): string {
  return made.length === 0 ? 'none' : made.map((d) => `${d.action} ${d.from_size}->${d.to_size} (${d.metric})`).join(', ');
}

/**
 * What is wrong with the way a group went from `from` to `to` machines, judged by its decisions
 * since then (oldest first): one machine at a time, each in the direction of travel, chained from
 * `from`, up to the first decision that reached `to`. Answers the problem, or the decisions that
 * took the group there.
 */
export function resizePath(made: readonly ScalingDecision[], from: number, to: number, direction: Direction): { problem: string } | { path: ScalingDecision[] } {
  const action = ACTION_OF[direction];
  const step = direction === 'grow' ? 1 : -1;
  const reached = made.findIndex((d) => d.to_size === to);
  if (reached < 0) return { problem: `no recorded decision took it from ${from} to ${to} machines (decisions since it had ${from}: ${describeDecisions(made)})` };
  const path = made.slice(0, reached + 1);
  let size = from;
  for (const decision of path) {
    if (decision.action !== action || decision.from_size !== size || decision.to_size !== size + step) {
      return { problem: `it should ${direction} one machine at a time from ${from} to ${to}, but its decisions were: ${describeDecisions(path)}` };
    }
    size = decision.to_size;
  }
  return { path };
}

/**
 * Waits for the group to grow (or shrink) from where it last settled to `size` members, failing
 * as soon as it moves the other way or past `size`; then checks the decisions that took it there
 * (one machine at a time, each a scale-up, or each a scale-down, chained from the old size).
 * Records `autoscaling-trigger-time`: from the load being applied to the first of these
 * decisions, both by the reference's clock.
 */
export async function expectResize(world: NovaWorld, alias: string, size: number, direction: Direction, withinMs: number, because?: 'cpu' | 'memory'): Promise<void> {
  const entry = known(world, alias);
  const from = entry.settled;
  const sign = direction === 'grow' ? 1 : -1;
  if (sign * (size - from.size) <= 0) throw new Error(`"${alias}" last had ${from.size} machines: it cannot ${direction} to ${size}`);
  const { sizes, wentWrong } = await waitForSize(world, alias, size, {
    withinMs,
    what: `"${alias}" ${direction === 'grow' ? 'growing' : 'shrinking'} from ${from.size} to ${size} machines`,
    startingAt: from.size,
    wrongIf: (current, last) => {
      if (sign * (current - last) < 0) return `it went the other way`;
      if (sign * (current - size) > 0) return `it went past ${size}`;
      return undefined;
    },
  });
  assert.ok(wentWrong === undefined, `"${alias}" should ${direction} from ${from.size} to ${size} machines, but ${wentWrong}: its sizes were ${sizes.join(' -> ')}`);
  const fresh = (await decisions(world, alias)).slice(from.decisions);
  const judged = resizePath(fresh, from.size, size, direction);
  if ('problem' in judged) assert.fail(`"${alias}" reached ${size} machines, but ${judged.problem}`);
  const { path } = judged;
  if (entry.loadAppliedAt !== undefined) {
    world.metrics.record('autoscaling-trigger-time', Math.max(0, Date.parse(path[0].decided_at) - entry.loadAppliedAt));
  }
  if (because) {
    const other = path.find((d) => d.metric !== because);
    assert.ok(!other, `"${alias}" scaled because of its ${other?.metric}, not its ${because}: ${describeDecisions(path)}`);
  }
  entry.settled = { size, decisions: from.decisions + path.length };
}

export async function expectStaysAt(world: NovaWorld, alias: string, size: number, forMs: number): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < forMs) {
    const group = await readGroup(world, alias);
    assert.equal(group.current_size, size, `"${alias}" has ${group.current_size} machines, expected it to stay at ${size}`);
    await sleep(100);
  }
}

export async function expectNoDecision(world: NovaWorld, alias: string): Promise<void> {
  const made = await decisions(world, alias);
  assert.deepEqual(made.map((d) => `${d.action} ${d.from_size}->${d.to_size}`), [], `"${alias}" made scaling decisions`);
}

export async function expectOnly(world: NovaWorld, alias: string, action: ScalingDecision['action']): Promise<void> {
  const made = await decisions(world, alias);
  assert.ok(made.length > 0, `"${alias}" made no decision`);
  assert.deepEqual(made.filter((d) => d.action !== action).map((d) => `${d.action} ${d.from_size}->${d.to_size}`), [], `"${alias}" made decisions other than ${action}`);
}

/** After the first decision, nothing more is decided before the cooldown is over. */
export async function expectQuietDuringCooldown(world: NovaWorld, alias: string, seconds: number): Promise<void> {
  const [first] = await decisions(world, alias);
  assert.ok(first, `"${alias}" made no first decision`);
  const quietUntil = Date.parse(first.decided_at) + seconds * 1000;
  await sleep(Math.max(0, quietUntil - Date.now()));
  const early = (await decisions(world, alias)).filter((d) => d.id !== first.id && Date.parse(d.decided_at) < quietUntil);
  assert.deepEqual(
    early.map((d) => `${d.action} ${Date.parse(d.decided_at) - Date.parse(first.decided_at)} ms after the first`),
    [],
    `"${alias}" decided again inside its ${seconds} s cooldown`,
  );
}

export async function expectGrowsAgain(world: NovaWorld, alias: string, withinMs: number): Promise<void> {
  const [first] = await decisions(world, alias);
  const { value } = await eventually(() => decisions(world, alias), (made) => made.length >= 2, { timeoutMs: withinMs + 1000, intervalMs: 50, what: `a second decision of "${alias}"` });
  const cooldownMs = known(world, alias).group.cooldown_seconds * 1000;
  const after = Date.parse(value[1].decided_at) - Date.parse(first.decided_at) - cooldownMs;
  assert.equal(value[1].action, 'scale-up');
  assert.ok(after <= withinMs, `the second decision came ${after} ms after the cooldown, more than ${withinMs} ms`);
}

/** The decision is on the real-time stream (the scenario follows it). */
export async function expectAnnounced(world: NovaWorld, alias: string, action: ScalingDecision['action']): Promise<void> {
  const stream = world.streams[0];
  assert.ok(stream, 'no one follows the event stream: add "Given I follow the real-time event stream"');
  const entry = known(world, alias);
  const type = action === 'scale-up' ? 'autoscaling.scale_up' : 'autoscaling.scale_down';
  await stream.waitFor((m) => m.type === type && m.data.group_id === entry.group.id, 2000, `${type} of "${alias}"`);
  if (entry.loadSentAt !== undefined) world.metrics.detail('autoscaling-announced-after-ms', Math.round(performance.now() - entry.loadSentAt));
}

/** The machine added by the latest scale-up carries the decision in its history. */
export async function expectNewMachineHistory(world: NovaWorld, alias: string): Promise<void> {
  const made = await decisions(world, alias);
  const scaleUp = [...made].reverse().find((d) => d.action === 'scale-up');
  assert.ok(scaleUp, `"${alias}" made no scale-up`);
  const response = await world.actor.api.get<{ items: { type: string; action: string; details?: { decision_id?: string } }[] }>(`/api/v1/vms/${scaleUp.vm_id}/events`);
  expectStatus(response, 200, `reading the history of the machine added to "${alias}"`);
  const entry = response.data.items.find((e) => e.type === 'autoscaling' && e.action === 'scale-up' && e.details?.decision_id === scaleUp.id);
  assert.ok(entry, `the history of ${scaleUp.vm_id} does not record the scale-up: ${response.data.items.map((e) => `${e.type}/${e.action}`).join(', ')}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
