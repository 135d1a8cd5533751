import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sleep, type ApiClient } from '../api-client';
import { deleteGroupAfterScenario } from '../tasks/autoscaling';
import type { Vm } from '../tasks/vms';
import type { NovaWorld } from '../world';
import { EventStream } from '../ws-client';
import { body, pick, readAllPages, refusedAs, untilAgrees } from './common';
import { contractSchema, invalidBodies, invalidQueryValues, limitValues, withInvalid } from './invalid-inputs';
import { modelSettings, runModelCheck, type ModelCheck } from './runner';

/**
 * The autoscaling model, written from the contract (contract/domains/autoscaling.yaml): a group
 * starts with `desired_size` members; under a steady load it moves one member at a time towards
 * `max_size` while CPU or memory is above its scale-up threshold, towards `min_size` while both
 * are below their scale-down thresholds, and stays put in between; decisions are at least a
 * window and a cooldown apart, report the averages they acted on, and a scale-down removes the
 * newest member. Loads are drawn relative to each group's thresholds, the thresholds themselves
 * included, so every comparison is tried on both sides and on its edge.
 *
 * After every operation every view is compared with the model: each group's details, every page
 * of the list, its decisions (an append-only record, each justified by its own averages), the
 * member VMs (the machine list, their metrics and their histories), and the event stream.
 */

/** The simulation's idle use (contract: SimulatedLoadRequest), what members report before a load is set. */
const IDLE: Load = { cpu_usage: 5, memory_usage: 20 };
/** The autoscaler's evaluation interval (contract: createScalingGroup, 200 ms by default). */
const TICK_MS = 200;
/** Averages are reported to a tenth of a percent. */
const AVERAGE_TOLERANCE = 0.05 + 1e-9;
/** Time allowed beyond the policy's own pace: requests, provisioning of new members. */
const SLACK_MS = 3_000;
/** What is recorded after a decision (members' histories, the stream) may trail it this long. */
const TRAIL_MS = 2_000;
const DEFAULT_THRESHOLDS = { cpu_scale_up_threshold: 70, cpu_scale_down_threshold: 30, memory_scale_up_threshold: 80, memory_scale_down_threshold: 30 } as const;
const DEFAULT_TEMPLATE = { cpu_shares: 1, memory_mb: 512 } as const;

interface Load {
  cpu_usage: number;
  memory_usage: number;
}

interface Policy {
  min_size: number;
  max_size: number;
  cpu_scale_up_threshold: number;
  cpu_scale_down_threshold: number;
  memory_scale_up_threshold: number;
  memory_scale_down_threshold: number;
  evaluation_window_seconds: number;
  cooldown_seconds: number;
}

interface Template {
  cpu_shares: number;
  memory_mb: number;
  image: string;
  tags: string[];
}

interface Group extends Policy {
  id: string;
  name: string;
  desired_size: number;
  current_size: number;
  members: string[];
  vm_template: Template;
  created_at: string;
  updated_at: string;
  last_scaled_at: string | null;
  evaluation: { samples: number; window_full: boolean; cooling_down: boolean; average_cpu: number | null; average_memory: number | null };
}

interface Decision {
  type: string;
  id: string;
  group_id: string;
  group_name: string;
  action: 'scale-up' | 'scale-down';
  metric: 'cpu' | 'memory';
  threshold: number;
  average_cpu: number;
  average_memory: number;
  window_seconds: number;
  samples: number;
  from_size: number;
  to_size: number;
  vm_id: string;
  reason: string;
  decided_at: string;
  timestamp: string;
}

interface ModelGroup {
  id: string;
  name: string;
  policy: Policy;
  template: Template;
  created_at: string;
  /** Member VM ids, oldest first. */
  members: string[];
  /** The decisions seen so far, each checked when it first appeared. */
  decisions: Decision[];
  /** For each member, the number of decisions before it joined: its history holds every decision from there on. */
  joinedAfter: Map<string, number>;
  load: Load;
}

interface GoneGroup {
  id: string;
  name: string;
  members: string[];
}

export interface AutoscalingModel {
  live: ModelGroup[];
  gone: GoneGroup[];
  /** VMs that left a group: they must be gone. */
  goneVms: string[];
  issued: number;
}

export interface AutoscalingSystem {
  world: NovaWorld;
  api: ApiClient;
  admin: ApiClient;
  /** Every group of the sequence is named with it. */
  prefix: string;
  /** Every member VM of the sequence carries it (through the groups' templates). */
  tag: string;
  stream: EventStream;
}

type AutoscalingCommand = fc.AsyncCommand<AutoscalingModel, AutoscalingSystem>;

// ---- what is drawn ------------------------------------------------------------------------------

/** Where a load sits against a metric's thresholds; the edges are the thresholds themselves. */
type Level = 'low' | 'at-down' | 'mid' | 'at-up' | 'high';
const LEVELS: readonly Level[] = ['low', 'at-down', 'mid', 'at-up', 'high'];

interface LoadDraw {
  cpu: Level;
  memory: Level;
  /** Where in its band the figure falls, 0 to 999 thousandths. */
  cpuAt: number;
  memoryAt: number;
}

/** Thresholds are drawn 10 to 40 apart and at most 80, so every band holds whole percentages. */
function percent(level: Level, at: number, down: number, up: number): number {
  const within = (low: number, high: number) => low + Math.floor((at / 1000) * (high - low + 1));
  switch (level) {
    case 'low':
      return within(0, down - 1);
    case 'at-down':
      return down;
    case 'mid':
      return within(down + 1, up - 1);
    case 'at-up':
      return up;
    case 'high':
      return within(up + 1, 100);
  }
}

function loadFor(draw: LoadDraw, policy: Policy): Load {
  return {
    cpu_usage: percent(draw.cpu, draw.cpuAt, policy.cpu_scale_down_threshold, policy.cpu_scale_up_threshold),
    memory_usage: percent(draw.memory, draw.memoryAt, policy.memory_scale_down_threshold, policy.memory_scale_up_threshold),
  };
}

type Pressure = 'grow' | 'shrink' | 'hold';

function pressureOf(load: Load, policy: Policy): Pressure {
  if (load.cpu_usage > policy.cpu_scale_up_threshold || load.memory_usage > policy.memory_scale_up_threshold) return 'grow';
  if (load.cpu_usage < policy.cpu_scale_down_threshold && load.memory_usage < policy.memory_scale_down_threshold) return 'shrink';
  return 'hold';
}

interface GroupSpec {
  min_size: number;
  /** max_size - min_size */
  range: number;
  /** desired_size - min_size (capped by the range); undefined leaves it to the default, min_size. */
  start?: number;
  /** Undefined thresholds are left to the contract's defaults (CPU 70/30, memory 80/30). */
  cpu?: { down: number; gap: number };
  memory?: { down: number; gap: number };
  evaluation_window_seconds: number;
  cooldown_seconds: number;
  /** Undefined template figures are left to the defaults (1 CPU, 512 MB). */
  cpu_shares?: number;
  memory_mb?: number;
  image: string;
  /** Members built at the contract's lowest or highest template figures, instead of the three above. */
  limits?: 'lowest' | 'highest';
}

/** The template a group of this spec is asked for; figures left out of the request take their defaults. */
function templateOf(spec: GroupSpec, tag: string): { asked: Record<string, unknown>; built: Template } {
  if (spec.limits) {
    const template = templateAt(spec.limits, tag);
    return { asked: { ...template }, built: template };
  }
  const asked = { ...(spec.cpu_shares === undefined ? {} : { cpu_shares: spec.cpu_shares }), ...(spec.memory_mb === undefined ? {} : { memory_mb: spec.memory_mb }), image: spec.image, tags: [tag] };
  return { asked, built: { ...DEFAULT_TEMPLATE, ...asked } as Template };
}

const thresholdsArb = fc.record({ down: fc.integer({ min: 10, max: 40 }), gap: fc.integer({ min: 10, max: 40 }) });

const specArb: fc.Arbitrary<GroupSpec> = fc.record(
  {
    min_size: fc.integer({ min: 1, max: 2 }),
    range: fc.integer({ min: 0, max: 2 }),
    start: fc.integer({ min: 0, max: 2 }),
    cpu: thresholdsArb,
    memory: thresholdsArb,
    evaluation_window_seconds: fc.constantFrom(0.1, 0.2, 0.3),
    cooldown_seconds: fc.constantFrom(0, 0.1, 0.3, 0.6),
    cpu_shares: fc.integer({ min: 1, max: 2 }),
    memory_mb: fc.constantFrom(128, 256, 512),
    image: fc.constantFrom('ubuntu-24.04', 'debian-12', 'alpine-3.20'),
  },
  { requiredKeys: ['min_size', 'range', 'evaluation_window_seconds', 'cooldown_seconds', 'image'] },
);

const loadDrawArb: fc.Arbitrary<LoadDraw> = fc.record({
  cpu: fc.constantFrom(...LEVELS),
  memory: fc.constantFrom(...LEVELS),
  cpuAt: fc.integer({ min: 0, max: 999 }),
  memoryAt: fc.integer({ min: 0, max: 999 }),
});

function policyOf(spec: GroupSpec): Policy {
  return {
    min_size: spec.min_size,
    max_size: spec.min_size + spec.range,
    cpu_scale_up_threshold: spec.cpu ? spec.cpu.down + spec.cpu.gap : DEFAULT_THRESHOLDS.cpu_scale_up_threshold,
    cpu_scale_down_threshold: spec.cpu ? spec.cpu.down : DEFAULT_THRESHOLDS.cpu_scale_down_threshold,
    memory_scale_up_threshold: spec.memory ? spec.memory.down + spec.memory.gap : DEFAULT_THRESHOLDS.memory_scale_up_threshold,
    memory_scale_down_threshold: spec.memory ? spec.memory.down : DEFAULT_THRESHOLDS.memory_scale_down_threshold,
    evaluation_window_seconds: spec.evaluation_window_seconds,
    cooldown_seconds: spec.cooldown_seconds,
  };
}

function requestBody(spec: GroupSpec, name: string, tag: string): Record<string, unknown> {
  const policy = policyOf(spec);
  return {
    name,
    min_size: policy.min_size,
    max_size: policy.max_size,
    ...(spec.start === undefined ? {} : { desired_size: spec.min_size + Math.min(spec.start, spec.range) }),
    ...(spec.cpu ? { cpu_scale_up_threshold: policy.cpu_scale_up_threshold, cpu_scale_down_threshold: policy.cpu_scale_down_threshold } : {}),
    ...(spec.memory ? { memory_scale_up_threshold: policy.memory_scale_up_threshold, memory_scale_down_threshold: policy.memory_scale_down_threshold } : {}),
    evaluation_window_seconds: policy.evaluation_window_seconds,
    cooldown_seconds: policy.cooldown_seconds,
    vm_template: templateOf(spec, tag).asked,
  };
}

const describeSpec = (spec: GroupSpec) => {
  const p = policyOf(spec);
  const start = spec.start === undefined ? '' : `, starting with ${spec.min_size + Math.min(spec.start, spec.range)}`;
  const members = spec.limits ? `, members at the template's ${spec.limits} limits` : '';
  return `${p.min_size} to ${p.max_size}${start}, CPU ${p.cpu_scale_down_threshold}/${p.cpu_scale_up_threshold}, memory ${p.memory_scale_down_threshold}/${p.memory_scale_up_threshold}, window ${p.evaluation_window_seconds} s, cooldown ${p.cooldown_seconds} s${members}`;
};
const describeLoad = (draw: LoadDraw) => `CPU ${draw.cpu}, memory ${draw.memory}`;
const describeFigures = (load: Load) => `${load.cpu_usage}% CPU and ${load.memory_usage}% memory`;

/**
 * Requests the contract refuses, and the field the refusal must name: every field's limits derived
 * from its ScalingGroupCreateRequest schema (support/model/invalid-inputs.ts), the template's
 * fields included, and the rules between fields that no single field's schema states.
 */
const INVALID_BODIES: readonly { what: string; field: string; body: (name: string, tag: string) => Record<string, unknown> }[] = [
  ...invalidBodies('ScalingGroupCreateRequest').map((invalid) => ({ what: invalid.what, field: invalid.field, body: (name: string, tag: string) => withInvalid({ name, vm_template: { tags: [tag] } }, invalid) })),
  ...[
    { what: 'a maximum below the minimum', field: 'max_size', policy: { min_size: 3, max_size: 2 } },
    { what: 'a starting size above the maximum', field: 'desired_size', policy: { min_size: 1, max_size: 2, desired_size: 3 } },
    { what: 'a starting size below the minimum', field: 'desired_size', policy: { min_size: 2, max_size: 3, desired_size: 1 } },
    { what: 'a CPU scale-down threshold equal to its scale-up threshold', field: 'cpu_scale_down_threshold', policy: { cpu_scale_up_threshold: 50, cpu_scale_down_threshold: 50 } },
    { what: 'a memory scale-down threshold above its scale-up threshold', field: 'memory_scale_down_threshold', policy: { memory_scale_up_threshold: 60, memory_scale_down_threshold: 61 } },
  ].map(({ what, field, policy }) => ({ what, field, body: (name: string, tag: string) => ({ name, ...policy, vm_template: { tags: [tag] } }) })),
];

/** Loads the contract refuses (its SimulatedLoadRequest schema), sent to a group or to one member. */
const INVALID_LOADS = invalidBodies('SimulatedLoadRequest');

/** Lists of the groups the contract refuses (its query parameters). */
const INVALID_QUERIES = invalidQueryValues('/api/v1/autoscaling/groups', 'get');

/** A member template at the contract's lowest or highest limits (ScalingVmTemplate), the sequence's tag among its tags. */
function templateAt(limit: 'lowest' | 'highest', tag: string): Template {
  const schema = contractSchema('ScalingVmTemplate');
  const tags = (schema.properties as Record<string, { maxItems: number; items: { maxLength: number } }>).tags;
  const figures = Object.fromEntries(limitValues('ScalingVmTemplate').filter((value) => value.limit === limit && value.field !== 'tags').map((value) => [value.field, value.value]));
  const longTags = Array.from({ length: tags.maxItems - 1 }, (_, i) => `t${i}-`.padEnd(tags.items.maxLength, 'x'));
  return { image: 'i', ...figures, tags: limit === 'highest' ? [tag, ...longTags] : [tag] } as Template;
}

// ---- the commands ---------------------------------------------------------------------------------

/** A group's name without the sequence's prefix ("group 2"), the same whenever the sequence is replayed. */
function label(real: AutoscalingSystem, name: string): string {
  return name.startsWith(real.prefix) ? `group ${name.slice(real.prefix.length)}` : name;
}

class CreateGroup implements AutoscalingCommand {
  private name: string | undefined;
  constructor(readonly spec: GroupSpec, readonly load: LoadDraw, readonly pageSize: number) {}
  check = () => true;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    model.issued += 1;
    const name = `${real.prefix}${model.issued}`;
    this.name = label(real, name);
    const policy = policyOf(this.spec);
    const response = await real.api.post<Group>('/api/v1/autoscaling/groups', requestBody(this.spec, name, real.tag));
    if (response.status === 201) deleteGroupAfterScenario(real.world, response.data);
    assert.equal(response.status, 201, `creating ${this.name} (${describeSpec(this.spec)}) was answered ${response.status} ${body(response)}`);
    const created = response.data;
    const desired = this.spec.start === undefined ? policy.min_size : policy.min_size + Math.min(this.spec.start, this.spec.range);
    const template = templateOf(this.spec, real.tag).built;
    assert.equal(created.desired_size, desired, `${this.name} was created to start with ${created.desired_size} members, not ${desired}`);
    assert.equal(created.members.length, desired, `${this.name} was created with ${created.members.length} members, not ${desired}: ${JSON.stringify(created.members)}`);
    assert.equal(created.last_scaled_at, null, `${this.name} claims to have scaled (${created.last_scaled_at}) the moment it was created`);
    const group: ModelGroup = {
      id: created.id,
      name,
      policy,
      template,
      created_at: created.created_at,
      members: [...created.members],
      decisions: [],
      joinedAfter: new Map(created.members.map((vm) => [vm, 0])),
      load: IDLE,
    };
    assert.deepEqual(groupSeen(created), groupExpected(group), `the answer to creating ${this.name} (${describeSpec(this.spec)}) differs from what was asked for`);
    model.live.push(group);
    await applyLoad(real, group, loadFor(this.load, policy));
    await settle(real, group, IDLE);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create ${this.name ?? 'a group'} (${describeSpec(this.spec)}) under ${describeLoad(this.load)}`;
}

class RequestInvalid implements AutoscalingCommand {
  constructor(readonly invalid: number, readonly pageSize: number) {}
  check = () => true;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const { what, field, body: invalidBody } = INVALID_BODIES[this.invalid % INVALID_BODIES.length];
    const response = await real.api.post<Group>('/api/v1/autoscaling/groups', invalidBody(`${real.prefix}x`, real.tag));
    if (response.status === 201) deleteGroupAfterScenario(real.world, response.data);
    const refusal = refusedAs(response, 400, `a scaling group with ${what}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(field), `the refusal of a scaling group with ${what} names ${JSON.stringify(named)}, not "${field}"`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `request a group with ${INVALID_BODIES[this.invalid % INVALID_BODIES.length].what}`;
}

/** A load the contract refuses, for a group or one of its members: refused naming the field, and nothing changes. */
class RequestInvalidLoad implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly invalid: number, readonly onMember: boolean, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.live.length > 0;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const group = pick(model.live, this.index) as ModelGroup;
    const invalid = INVALID_LOADS[this.invalid % INVALID_LOADS.length];
    const member = this.onMember ? group.members[this.index % group.members.length] : undefined;
    this.target = `${member ? `a member of ${label(real, group.name)}` : label(real, group.name)} with ${invalid.what}`;
    const path = member ? `/api/v1/simulation/vms/${member}/load` : `/api/v1/simulation/autoscaling/groups/${group.id}/load`;
    const response = await real.admin.post(path, withInvalid({ cpu_usage: group.load.cpu_usage }, invalid));
    const refusal = refusedAs(response, 400, `loading ${this.target}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(invalid.field), `the refusal of loading ${this.target} names ${JSON.stringify(named)}, not "${invalid.field}"`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `load ${this.target ?? `group #${this.index}`} (refused)`;
}

/** A list of the groups with a query the contract refuses: refused naming the parameter. */
class ListInvalid implements AutoscalingCommand {
  constructor(readonly invalid: number, readonly pageSize: number) {}
  check = () => true;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const { what, field, value } = INVALID_QUERIES[this.invalid % INVALID_QUERIES.length];
    const refusal = refusedAs(await real.api.get('/api/v1/autoscaling/groups', { params: { [field]: String(value) }, retries: 0 }), 400, `listing the scaling groups with ${what}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(field), `the refusal of a list of the scaling groups with ${what} names ${JSON.stringify(named)}, not "${field}"`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `list the groups with ${INVALID_QUERIES[this.invalid % INVALID_QUERIES.length].what}`;
}

class RequestTakenName implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.live.length > 0;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const existing = pick(model.live, this.index) as ModelGroup;
    this.target = label(real, existing.name);
    const response = await real.api.post<Group>('/api/v1/autoscaling/groups', { name: existing.name, vm_template: { tags: [real.tag] } });
    if (response.status === 201) deleteGroupAfterScenario(real.world, response.data);
    refusedAs(response, 409, `a second scaling group named ${existing.name}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `request the name of ${this.target ?? `group #${this.index}`}`;
}

class ChangeLoad implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly load: LoadDraw, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.live.length > 0;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const group = pick(model.live, this.index) as ModelGroup;
    const before = group.load;
    const load = loadFor(this.load, group.policy);
    this.target = `${label(real, group.name)} (${describeFigures(before)} -> ${describeFigures(load)})`;
    await applyLoad(real, group, load);
    await settle(real, group, before);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `load ${this.target ?? `group #${this.index}`} at ${describeLoad(this.load)}`;
}

/** A member VM deleted behind its group's back: the group lets it go without a decision. */
class LoseMember implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly member: number, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.live.some((group) => group.members.length > group.policy.min_size);
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const candidates = model.live.filter((group) => group.members.length > group.policy.min_size);
    const group = pick(candidates, this.index) as ModelGroup;
    const vmId = pick(group.members, this.member) as string;
    this.target = `member ${group.members.indexOf(vmId) + 1} of ${group.members.length} of ${label(real, group.name)}`;
    const response = await real.api.delete(`/api/v1/vms/${vmId}`);
    assert.equal(response.status, 200, `deleting the member ${vmId} of ${group.name} was answered ${response.status} ${body(response)}`);
    group.members.splice(group.members.indexOf(vmId), 1);
    group.joinedAfter.delete(vmId);
    model.goneVms.push(vmId);
    await settle(real, group, group.load);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `delete ${this.target ?? `a member of group #${this.index}`}`;
}

class DeleteGroup implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.live.length > 0;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const group = pick(model.live, this.index) as ModelGroup;
    this.target = label(real, group.name);
    const response = await real.api.delete(`/api/v1/autoscaling/groups/${group.id}`);
    assert.equal(response.status, 200, `deleting ${group.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(response.data, { id: group.id, status: 'deleted' }, `deleting ${group.name} answered ${body(response)}`);
    model.live.splice(model.live.indexOf(group), 1);
    model.gone.push({ id: group.id, name: group.name, members: group.members });
    model.goneVms.push(...group.members);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `delete ${this.target ?? `group #${this.index}`}`;
}

type GoneOperation = 'read' | 'read the decisions of' | 'delete' | 'load';

class TouchGone implements AutoscalingCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly operation: GoneOperation, readonly pageSize: number) {}
  check = (model: Readonly<AutoscalingModel>) => model.gone.length > 0;
  async run(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
    const group = pick(model.gone, this.index) as GoneGroup;
    this.target = label(real, group.name);
    const path = `/api/v1/autoscaling/groups/${group.id}`;
    const response =
      this.operation === 'read'
        ? await real.api.get(path, { retries: 0 })
        : this.operation === 'read the decisions of'
          ? await real.api.get(`${path}/events`, { retries: 0 })
          : this.operation === 'delete'
            ? await real.api.delete(path)
            : await real.admin.post(`/api/v1/simulation/autoscaling/groups/${group.id}/load`, { cpu_usage: 90 });
    refusedAs(response, 404, `asking to ${this.operation} ${group.name} after it was deleted`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `${this.operation} deleted ${this.target ?? `group #${this.index}`}`;
}

// ---- loads and settling ---------------------------------------------------------------------------

async function applyLoad(real: AutoscalingSystem, group: ModelGroup, load: Load): Promise<void> {
  const response = await real.admin.post<Load & { group_id: string; members: string[] }>(`/api/v1/simulation/autoscaling/groups/${group.id}/load`, load);
  assert.equal(response.status, 200, `loading ${group.name} at ${describeFigures(load)} was answered ${response.status} ${body(response)}`);
  assert.deepEqual(
    { group_id: response.data.group_id, cpu_usage: response.data.cpu_usage, memory_usage: response.data.memory_usage, members: response.data.members },
    { group_id: group.id, ...load, members: group.members },
    `loading ${group.name} answered ${body(response)}`,
  );
  group.load = load;
}

/** The time one decision takes at most under steady pressure: a full window or the cooldown, and the ticks around it. */
function stepMs(policy: Policy): number {
  return Math.max(policy.evaluation_window_seconds, policy.cooldown_seconds) * 1000 + 2 * TICK_MS;
}

const sizeSignature = (group: Group) => `${group.members.join(',')}|${group.last_scaled_at}`;

/**
 * Waits until the group stands still where its load takes it: at its maximum under pressure to
 * grow, its minimum under pressure to shrink, or where it is (after at most one decision on a
 * window that still held the load before) in between; still for a whole step and more. Then checks
 * every decision taken meanwhile and records it in the model.
 */
async function settle(real: AutoscalingSystem, group: ModelGroup, before: Load): Promise<void> {
  const pressure = pressureOf(group.load, group.policy);
  const target = pressure === 'grow' ? group.policy.max_size : pressure === 'shrink' ? group.policy.min_size : undefined;
  const quietMs = stepMs(group.policy) + TICK_MS;
  const steps = target === undefined ? 1 : Math.abs(target - group.members.length) + 1;
  const started = performance.now();
  const deadline = started + steps * stepMs(group.policy) + quietMs + SLACK_MS;
  let signature = '';
  let stillSince = started;
  let seen: Group;
  for (;;) {
    const response = await real.api.get<Group>(`/api/v1/autoscaling/groups/${group.id}`, { retries: 0 });
    assert.equal(response.status, 200, `reading ${group.name} while it settled was answered ${response.status} ${body(response)}`);
    seen = response.data;
    const now = performance.now();
    if (sizeSignature(seen) !== signature) [signature, stillSince] = [sizeSignature(seen), now];
    const still = now - stillSince >= quietMs && now - started >= quietMs;
    if (still && (target === undefined || seen.members.length === target)) break;
    if (now > deadline) {
      const where = target === undefined ? 'stand still' : `settle at ${target} members`;
      assert.fail(`${group.name} (${describeFigures(group.load)}, pressure to ${pressure}) did not ${where} within ${Math.round(deadline - started)} ms: it has ${seen.members.length} members`);
    }
    await sleep(100);
  }
  const fresh = await newDecisions(real, group);
  expectJustified(group, fresh, before, pressure);
  if (seen.evaluation.samples > 0) {
    for (const metric of ['cpu', 'memory'] as const) {
      const average = seen.evaluation[`average_${metric}`];
      const expected = group.load[`${metric}_usage`];
      assert.ok(average !== null && Math.abs(average - expected) <= AVERAGE_TOLERANCE, `${group.name} evaluates an average ${metric} of ${average}% over its window, but its members have reported ${expected}% throughout it`);
    }
  }
}

/** The decisions the group took since the model last looked; the ones before must be unchanged. */
async function newDecisions(real: AutoscalingSystem, group: ModelGroup): Promise<Decision[]> {
  const response = await real.api.get<{ items: Decision[] }>(`/api/v1/autoscaling/groups/${group.id}/events`, { retries: 0 });
  assert.equal(response.status, 200, `reading the decisions of ${group.name} was answered ${response.status} ${body(response)}`);
  const items = response.data.items;
  assert.deepEqual(items.slice(0, group.decisions.length), group.decisions, `the earlier decisions of ${group.name} changed or went missing`);
  return items.slice(group.decisions.length);
}

const between = (value: number, a: number, b: number) => value >= Math.min(a, b) - AVERAGE_TOLERANCE && value <= Math.max(a, b) + AVERAGE_TOLERANCE;

/** Each new decision follows from the one before, acts on averages the loads can give, and is justified by them. */
function expectJustified(group: ModelGroup, fresh: readonly Decision[], before: Load, pressure: Pressure): void {
  const p = group.policy;
  const gapMs = Math.max(p.evaluation_window_seconds, p.cooldown_seconds) * 1000;
  fresh.forEach((decision, i) => {
    const what = `decision ${group.decisions.length + 1} of ${group.name} (${decision.action} from ${decision.from_size} to ${decision.to_size} on ${decision.average_cpu}% CPU and ${decision.average_memory}% memory)`;
    const size = group.members.length;
    assert.deepEqual(
      { type: decision.type, group_id: decision.group_id, group_name: decision.group_name, window_seconds: decision.window_seconds },
      { type: 'autoscaling', group_id: group.id, group_name: group.name, window_seconds: p.evaluation_window_seconds },
      `${what} does not describe its group`,
    );
    assert.ok(Number.isInteger(decision.samples) && decision.samples >= 1, `${what} was taken on ${decision.samples} samples`);
    assert.equal(decision.from_size, size, `${what} starts from ${decision.from_size} members, but the group had ${size}`);
    const up = decision.action === 'scale-up';
    assert.equal(decision.to_size, size + (up ? 1 : -1), `${what} does not change the group by one member`);
    assert.ok(decision.to_size >= p.min_size && decision.to_size <= p.max_size, `${what} takes the group outside ${p.min_size} to ${p.max_size} members`);

    // Samples restart after each decision, so only the first after a change of load can mix two loads.
    const [cpu, memory] = [decision.average_cpu, decision.average_memory];
    if (i === 0) {
      assert.ok(between(cpu, before.cpu_usage, group.load.cpu_usage) && between(memory, before.memory_usage, group.load.memory_usage), `${what} acted on averages no window of ${describeFigures(before)} then ${describeFigures(group.load)} can give`);
    } else {
      assert.ok(between(cpu, group.load.cpu_usage, group.load.cpu_usage) && between(memory, group.load.memory_usage, group.load.memory_usage), `${what} acted on averages other than the steady ${describeFigures(group.load)} its window held`);
    }
    if (up) {
      const cpuHigh = cpu > p.cpu_scale_up_threshold;
      assert.ok(cpuHigh || memory > p.memory_scale_up_threshold, `${what} grew the group although neither average is above its scale-up threshold (CPU ${p.cpu_scale_up_threshold}%, memory ${p.memory_scale_up_threshold}%)`);
      const [metric, threshold] = cpuHigh ? (['cpu', p.cpu_scale_up_threshold] as const) : (['memory', p.memory_scale_up_threshold] as const);
      assert.deepEqual({ metric: decision.metric, threshold: decision.threshold }, { metric, threshold }, `${what} names the wrong trigger`);
      assert.ok(!group.members.includes(decision.vm_id) && !group.joinedAfter.has(decision.vm_id), `${what} names ${decision.vm_id}, which was already a member, as the member it added`);
      group.members.push(decision.vm_id);
      group.joinedAfter.set(decision.vm_id, group.decisions.length);
    } else {
      assert.ok(cpu < p.cpu_scale_down_threshold && memory < p.memory_scale_down_threshold, `${what} shrank the group although its averages are not both below the scale-down thresholds (CPU ${p.cpu_scale_down_threshold}%, memory ${p.memory_scale_down_threshold}%)`);
      assert.deepEqual({ metric: decision.metric, threshold: decision.threshold }, { metric: 'cpu', threshold: p.cpu_scale_down_threshold }, `${what} names the wrong trigger`);
      const newest = group.members[group.members.length - 1];
      assert.equal(decision.vm_id, newest, `${what} removed ${decision.vm_id}, not the newest member ${newest}`);
      group.members.pop();
      group.joinedAfter.delete(newest);
    }

    const words = up
      ? [decision.metric, `${decision.metric === 'cpu' ? cpu : memory}%`, 'above', `${decision.threshold}%`]
      : ['cpu', 'memory', `${cpu}%`, `${memory}%`, 'below', `${p.cpu_scale_down_threshold}%`, `${p.memory_scale_down_threshold}%`];
    const unsaid = words.filter((word) => !decision.reason.includes(word));
    assert.deepEqual(unsaid, [], `${what} gives the reason "${decision.reason}", which does not say ${unsaid.join(', ')}`);

    const previous = group.decisions[group.decisions.length - 1];
    const since = previous ? Date.parse(previous.decided_at) : Date.parse(group.created_at);
    const needed = previous ? gapMs : p.evaluation_window_seconds * 1000;
    assert.ok(Date.parse(decision.decided_at) - since >= needed - 1, `${what} came ${Date.parse(decision.decided_at) - since} ms after ${previous ? 'the decision before' : 'the group was created'}, not ${needed} ms or more (window ${p.evaluation_window_seconds} s, cooldown ${p.cooldown_seconds} s)`);
    group.decisions.push(decision);
  });
  if (pressure === 'hold') assert.ok(fresh.length <= 1, `${group.name} took ${fresh.length} decisions under ${describeFigures(group.load)}, between its thresholds`);
}

// ---- every view against the model ----------------------------------------------------------------

type GroupView = Omit<Group, 'desired_size' | 'updated_at' | 'evaluation'>;

function groupExpected(group: ModelGroup): GroupView {
  const last = group.decisions[group.decisions.length - 1];
  return {
    id: group.id,
    name: group.name,
    ...group.policy,
    current_size: group.members.length,
    members: group.members,
    vm_template: group.template,
    created_at: group.created_at,
    last_scaled_at: last ? last.decided_at : null,
  };
}

function groupSeen(group: Group): GroupView {
  const { desired_size: _desired, updated_at: _updated, evaluation: _evaluation, ...view } = group;
  return view;
}

const inListOrder = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function expectGroups(model: AutoscalingModel, real: AutoscalingSystem, pageSize: number): Promise<void> {
  for (const group of model.live) {
    const response = await real.api.get<Group>(`/api/v1/autoscaling/groups/${group.id}`, { retries: 0 });
    assert.equal(response.status, 200, `reading ${group.name} was answered ${response.status} ${body(response)}`);
    assert.deepEqual(groupSeen(response.data), groupExpected(group), `the details of ${group.name} differ from what was done to it`);
    assert.ok(response.data.updated_at >= response.data.created_at, `${group.name} was updated (${response.data.updated_at}) before it was created (${response.data.created_at})`);
    const decisions = await real.api.get<{ items: Decision[] }>(`/api/v1/autoscaling/groups/${group.id}/events`, { retries: 0 });
    assert.equal(decisions.status, 200, `reading the decisions of ${group.name} was answered ${decisions.status} ${body(decisions)}`);
    assert.deepEqual(decisions.data.items, group.decisions, `the decisions of ${group.name} differ from the ones it took`);
  }
  for (const gone of model.gone) {
    const response = await real.api.get(`/api/v1/autoscaling/groups/${gone.id}`, { retries: 0 });
    assert.equal(response.status, 404, `${gone.name} was deleted, but reading it was answered ${response.status} ${body(response)}`);
  }
  const { items, totals } = await readAllPages<Group>(real.api, '/api/v1/autoscaling/groups', {}, pageSize, 'the list of the scaling groups');
  for (const total of totals) assert.equal(total, items.length, `the list of the scaling groups gives a total of ${total}, but ${items.length} groups are on its pages (${pageSize} a page)`);
  const ids = items.map((group) => group.id);
  assert.equal(new Set(ids).size, ids.length, `the list of the scaling groups, read ${pageSize} a page, lists a group twice`);
  assert.deepEqual([...items].sort(inListOrder).map((group) => group.id), ids, `the list of the scaling groups, read ${pageSize} a page, is not oldest first`);
  const ours = items.filter((group) => group.name.startsWith(real.prefix));
  assert.deepEqual(ours.map(groupSeen), [...model.live].sort(inListOrder).map(groupExpected), `the list of the scaling groups, read ${pageSize} a page, differs from the groups there are`);
}

/** The member VMs: exactly the groups' members carry the sequence's tag, built from the template, reporting the group's load. */
async function expectMembers(model: AutoscalingModel, real: AutoscalingSystem, pageSize: number): Promise<void> {
  const { items } = await readAllPages<Vm>(real.api, '/api/v1/vms', { tag: real.tag }, pageSize, 'the list of the member machines');
  const byId = new Map(items.map((vm) => [vm.id, vm]));
  const members = model.live.flatMap((group) => group.members.map((id) => ({ id, group })));
  assert.deepEqual([...byId.keys()].sort(), members.map(({ id }) => id).sort(), 'the machines built from the groups\' template differ from the groups\' members');
  for (const { id, group } of members) {
    const vm = byId.get(id) as Vm;
    const { cpu_shares, memory_mb, image } = group.template;
    assert.deepEqual({ cpu_shares: vm.cpu_shares, memory_mb: vm.memory_mb, image: vm.image }, { cpu_shares, memory_mb, image }, `the member ${vm.name} of ${group.name} was not built from its template`);
    const missing = group.template.tags.filter((tag) => !vm.tags.includes(tag));
    assert.deepEqual(missing, [], `the member ${vm.name} of ${group.name} lacks tags of its template`);
    const metrics = await real.api.get<Load & { state: string }>(`/api/v1/vms/${id}/metrics`, { retries: 0 });
    assert.equal(metrics.status, 200, `reading the use of the member ${vm.name} was answered ${metrics.status} ${body(metrics)}`);
    const expected = metrics.data.state === 'running' ? group.load : { cpu_usage: 0, memory_usage: 0 };
    assert.deepEqual({ cpu_usage: metrics.data.cpu_usage, memory_usage: metrics.data.memory_usage }, expected, `the member ${vm.name} of ${group.name} (${metrics.data.state}) reports a use other than its group's load`);
  }
  for (const id of model.goneVms) {
    const response = await real.api.get(`/api/v1/vms/${id}`, { retries: 0 });
    assert.equal(response.status, 404, `the machine ${id} left its group, but reading it was answered ${response.status} ${body(response)}`);
  }
}

/** Every member's history holds, as autoscaling entries, exactly the decisions taken since it joined. */
async function expectHistories(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
  for (const group of model.live) {
    for (const vmId of group.members) {
      const expected = group.decisions.slice(group.joinedAfter.get(vmId) ?? 0).map((decision) => `${decision.action} ${decision.id}`);
      await untilAgrees(async () => {
        const response = await real.api.get<{ items: { type: string; action: string; details?: { decision_id?: string } }[] }>(`/api/v1/vms/${vmId}/events`, { retries: 0 });
        assert.equal(response.status, 200, `reading the history of the member ${vmId} of ${group.name} was answered ${response.status}`);
        const recorded = response.data.items.filter((entry) => entry.type === 'autoscaling').map((entry) => `${entry.action} ${entry.details?.decision_id}`);
        assert.deepEqual(recorded, expected, `the history of the member ${vmId} of ${group.name} does not record exactly the decisions taken since it joined`);
      }, TRAIL_MS);
    }
  }
}

/** The stream announced each decision of the sequence's groups once, in order, with the fields listed on the group. */
async function expectStream(model: AutoscalingModel, real: AutoscalingSystem): Promise<void> {
  const live = new Set(model.live.map((group) => group.id));
  const expected = model.live.flatMap((group) => group.decisions.map(({ type: _type, ...decision }) => ({ kind: decision.action === 'scale-up' ? 'autoscaling.scale_up' : 'autoscaling.scale_down', decision })));
  await untilAgrees(async () => {
    const announced = real.stream.received
      .filter((message) => message.type.startsWith('autoscaling.') && live.has(String(message.data.group_id)))
      .map((message) => ({ kind: message.type, decision: message.data }));
    const order = (list: { decision: { group_id?: unknown; decided_at?: unknown; id?: unknown } }[]) => [...list].sort((a, b) => `${a.decision.group_id} ${a.decision.decided_at} ${a.decision.id}`.localeCompare(`${b.decision.group_id} ${b.decision.decided_at} ${b.decision.id}`));
    assert.deepEqual(order(announced), order(expected), 'the event stream did not announce exactly the decisions the groups took');
  }, TRAIL_MS);
}

export async function checkEveryView(model: AutoscalingModel, real: AutoscalingSystem, pageSize: number): Promise<void> {
  await expectGroups(model, real, pageSize);
  await expectMembers(model, real, pageSize);
  await expectHistories(model, real);
  await expectStream(model, real);
}

// ---- the check ------------------------------------------------------------------------------------

const pageSizeArb = fc.integer({ min: 1, max: 3 });
const indexArb = fc.nat({ max: 50 });

export const AUTOSCALING_COMMANDS: fc.Arbitrary<AutoscalingCommand>[] = [
  fc.tuple(specArb, loadDrawArb, pageSizeArb).map(([spec, load, size]) => new CreateGroup(spec, load, size)),
  fc.tuple(fc.nat({ max: INVALID_BODIES.length - 1 }), pageSizeArb).map(([invalid, size]) => new RequestInvalid(invalid, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new RequestTakenName(index, size)),
  fc.tuple(indexArb, loadDrawArb, pageSizeArb).map(([index, load, size]) => new ChangeLoad(index, load, size)),
  fc.tuple(indexArb, loadDrawArb, pageSizeArb).map(([index, load, size]) => new ChangeLoad(index, load, size)),
  fc.tuple(indexArb, indexArb, pageSizeArb).map(([index, member, size]) => new LoseMember(index, member, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new DeleteGroup(index, size)),
  fc.tuple(indexArb, fc.constantFrom<GoneOperation>('read', 'read the decisions of', 'delete', 'load'), pageSizeArb).map(([index, operation, size]) => new TouchGone(index, operation, size)),
  fc.tuple(indexArb, fc.nat({ max: INVALID_LOADS.length - 1 }), fc.boolean(), pageSizeArb).map(([index, invalid, onMember, size]) => new RequestInvalidLoad(index, invalid, onMember, size)),
  fc.tuple(fc.nat({ max: INVALID_QUERIES.length - 1 }), pageSizeArb).map(([invalid, size]) => new ListInvalid(invalid, size)),
];

const at = (cpu: Level, memory: Level, cpuAt = 500, memoryAt = 500): LoadDraw => ({ cpu, memory, cpuAt, memoryAt });

/** Every kind of operation, and each threshold on both sides and on its edge: what every run checks before the random sequences. */
function autoscalingTour(): AutoscalingCommand[] {
  const wide: GroupSpec = { min_size: 1, range: 2, start: 0, cpu: { down: 30, gap: 40 }, memory: { down: 30, gap: 50 }, evaluation_window_seconds: 0.1, cooldown_seconds: 0.1, cpu_shares: 2, memory_mb: 256, image: 'debian-12' };
  // A cooldown longer than a window and two ticks, so that only the cooldown keeps its decisions apart.
  const defaults: GroupSpec = { min_size: 2, range: 2, start: 2, evaluation_window_seconds: 0.1, cooldown_seconds: 0.6, image: 'alpine-3.20' };
  const slow: GroupSpec = { min_size: 1, range: 2, start: 0, evaluation_window_seconds: 1, cooldown_seconds: 0, image: 'ubuntu-24.04' };
  return [
    new CreateGroup(wide, at('high', 'low'), 1),
    new CreateGroup(defaults, at('low', 'low'), 2),
    ...INVALID_BODIES.map((_, i) => new RequestInvalid(i, 1 + (i % 3))),
    new RequestTakenName(0, 3),
    new ChangeLoad(0, at('at-up', 'mid'), 1),
    new LoseMember(0, 1, 2),
    new ChangeLoad(0, at('mid', 'high'), 3),
    new ChangeLoad(0, at('at-down', 'low'), 1),
    new ChangeLoad(0, at('low', 'at-down'), 2),
    new ChangeLoad(0, at('low', 'low', 0, 999), 3),
    new DeleteGroup(1, 1),
    new TouchGone(0, 'read', 2),
    new TouchGone(0, 'read the decisions of', 3),
    new TouchGone(0, 'delete', 1),
    new TouchGone(0, 'load', 2),
    new DeleteGroup(0, 3),
    // A window of several ticks: no decision before it is full, and none until it is full again.
    new CreateGroup(slow, at('high', 'mid'), 2),
    new ChangeLoad(0, at('low', 'low'), 1),
    new CreateGroup({ ...slow, range: 0, limits: 'lowest' }, at('mid', 'mid'), 3),
    new CreateGroup({ ...slow, range: 0, limits: 'highest' }, at('mid', 'mid'), 1),
    ...INVALID_LOADS.map((_, i) => new RequestInvalidLoad(i, i, i % 2 === 0, 1 + (i % 3))),
    ...INVALID_QUERIES.map((_, i) => new ListInvalid(i, 1 + (i % 3))),
    new DeleteGroup(2, 2),
    new DeleteGroup(1, 1),
    new DeleteGroup(0, 3),
  ];
}

export function autoscalingModelCheck(world: NovaWorld): ModelCheck<AutoscalingModel, AutoscalingSystem> {
  let sequence = 0;
  return {
    domain: 'scaling groups',
    commands: AUTOSCALING_COMMANDS,
    tour: autoscalingTour,
    async setup() {
      sequence += 1;
      const actor = world.actor;
      const stream = await EventStream.open({ baseURL: world.suite.apiUrl, token: actor.token, topics: ['autoscaling'] });
      const real: AutoscalingSystem = { world, api: actor.api, admin: await world.suite.admin(), prefix: `as${world.runId}s${sequence}-`, tag: `${world.scenarioTag}-s${sequence}`, stream };
      return { model: { live: [], gone: [], goneVms: [], issued: 0 }, real };
    },
    async teardown(real) {
      try {
        const { items } = await readAllPages<Group>(real.admin, '/api/v1/autoscaling/groups', {}, 500, 'the scaling groups');
        for (const group of items.filter((g) => g.name.startsWith(real.prefix))) await real.admin.delete(`/api/v1/autoscaling/groups/${group.id}`);
      } finally {
        await real.stream.close();
      }
    },
  };
}

/**
 * Each operation waits for the autoscaler to settle (a second or two), so sequences are an eighth
 * of NOVACRON_MODEL_STEPS long and a quarter as many: about the weight of the other models' runs.
 */
export async function checkAutoscalingModel(world: NovaWorld): Promise<void> {
  const settings = modelSettings(world);
  await runModelCheck(world, autoscalingModelCheck(world), { ...settings, runs: Math.ceil(settings.runs / 4), maxCommands: Math.ceil(settings.maxCommands / 8) });
}
