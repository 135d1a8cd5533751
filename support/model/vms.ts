import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiClient, ApiResponse } from '../api-client';
import { deleteVmAfterScenario, type Vm, type VmAction, type VmState } from '../tasks/vms';
import type { NovaWorld } from '../world';
import { EventStream, type StreamMessage } from '../ws-client';
import { actOnVm, pick, readAllPages, VM_ACTIONS, VM_TRANSITIONS } from './common';
import { runModelCheck, type ModelCheck } from './runner';
import { defaultsOf, invalidBodies, invalidQueryValues, limitValues, withInvalid } from './invalid-inputs';
import { storedVms, type StoredVm } from './vm-store';

/**
 * The virtual machine model, written from the contract (contract/domains/vms.yaml), not from any
 * implementation: a VM is created `creating`, becomes `provisioning` then `running` by itself;
 * start / stop / pause / resume follow the state machine and anything else is refused with the
 * current state; a deleted VM is gone from every view and its name is free again. After every
 * operation, every view of the VMs is compared with the model and with each other: each VM's
 * details, every page of the list (at a random page size), the state, name and tag filters, the
 * per-state counts, each VM's history, the real-time event stream, and the VMs as stored in the
 * target's database.
 */

const STATES: readonly VmState[] = ['creating', 'provisioning', 'running', 'stopped', 'paused', 'migrating', 'deleting', 'failed'];
/** What a request leaves out, as the contract's VmCreateRequest promises it. */
const DEFAULTS = defaultsOf('VmCreateRequest') as { cpu_shares: number; memory_mb: number; disk_gb: number; image: string };
const NODES = ['node-1', 'node-2', 'node-3'];
const READY_WITHIN_MS = 5_000;
const STREAM_WITHIN_MS = 2_000;

interface Spec {
  cpu_shares?: number;
  memory_mb?: number;
  disk_gb?: number;
  image?: string;
  node_id?: string;
  /** Which of the run's extra tags the VM carries. */
  extraTags: readonly ('blue' | 'green')[];
  /** How many more tags of no meaning it carries (to reach the contract's limit on tags). */
  moreTags?: number;
}

/** One history entry as the model expects it. */
interface Change {
  action: string;
  from?: VmState;
  to: VmState;
}

interface ModelVm {
  id: string;
  name: string;
  state: VmState;
  cpu_shares: number;
  memory_mb: number;
  disk_gb: number;
  image: string;
  tags: string[];
  /** Known once created (the scheduler may choose it). */
  node_id: string;
  created_at: string;
  history: Change[];
}

interface GoneVm {
  id: string;
  name: string;
  /** The stream messages the VM had to produce, the last one being its deletion. */
  history: Change[];
  /** Deleted while it was still being provisioned: its provisioning may have been cut short at any step. */
  cutShort: boolean;
}

export interface VmModel {
  live: ModelVm[];
  gone: GoneVm[];
  /** Names handed out so far in this sequence. */
  issued: number;
}

export interface VmSystem {
  world: NovaWorld;
  api: ApiClient;
  /** Every VM of the sequence carries it; its list and counts are the sequence's alone. */
  tag: string;
  /** Every VM name of the sequence starts with it. */
  prefix: string;
  stream: EventStream;
  /** VMs of the scenario outside the sequence, so that every filtered view has something to leave out. */
  bystanders: Bystanders;
}

/** Made once per scenario, left alone by the sequences: the oldest (deleted by the tour), then one running, one stopped. */
interface Bystanders {
  prefix: string;
  tag: string;
  vms: ModelVm[];
  /** The oldest of them, deleted by the tour: the scenario's first VM, which a target may forget to take out of its list. */
  gone: GoneVm[];
}

type VmCommand = fc.AsyncCommand<VmModel, VmSystem>;

const describeSpec = (spec: Spec) =>
  JSON.stringify(Object.fromEntries(Object.entries(spec).filter(([key, value]) => value !== undefined && !(key === 'extraTags' && (value as []).length === 0))));

// Small machines only: the nodes are shared with every scenario running beside this one (a
// migration needs room on its target node), and the range limits are checked by the refusals.
const specArb: fc.Arbitrary<Spec> = fc.record(
  {
    cpu_shares: fc.integer({ min: 1, max: 2 }),
    memory_mb: fc.integer({ min: 128, max: 2048 }),
    disk_gb: fc.integer({ min: 1, max: 4096 }),
    image: fc.constantFrom('ubuntu-24.04', 'debian-12', 'alpine-3.20'),
    node_id: fc.constantFrom(...NODES),
    extraTags: fc.subarray(['blue', 'green'] as const),
  },
  { requiredKeys: ['extraTags'] },
);

/**
 * Bodies the contract refuses, derived from its VmCreateRequest schema (support/model/invalid-inputs.ts),
 * and bodies that are no object at all; `field` is the field the refusal must name, when there is one.
 */
const INVALID_BODIES: readonly { what: string; field?: string; body: (name: string, tag: string) => unknown }[] = [
  ...invalidBodies('VmCreateRequest').map((invalid) => ({ ...invalid, body: (name: string, tag: string) => withInvalid({ name, tags: [tag] }, invalid) })),
  { what: 'a list instead of an object', body: (name: string, tag: string) => [{ name, tags: [tag] }] },
  { what: 'no body', body: () => null },
];

/** Queries of the VM list the contract refuses, derived from its parameters. */
const INVALID_QUERIES = invalidQueryValues('/api/v1/vms', 'get');


/** A VM's name without the sequence's prefix ("vm 3"), the same whenever the sequence is replayed. */
function label(real: VmSystem, name: string): string {
  return name.startsWith(real.prefix) ? `vm ${name.slice(real.prefix.length)}` : name;
}

function nextName(model: VmModel, real: VmSystem): string {
  model.issued += 1;
  return `${real.prefix}${model.issued}`;
}

function tagsOf(real: VmSystem, spec: Spec): string[] {
  const more = Array.from({ length: spec.moreTags ?? 0 }, (_, i) => `${real.tag}-t${i}`);
  return [real.tag, ...spec.extraTags.map((extra) => `${real.tag}-${extra}`), ...more];
}

// A VM at the highest CPU or memory takes a whole node for itself, which the scenarios beside this
// one need room on: those two limits are left to the refusals one step past them.
const BOOKS_A_NODE = ['cpu_shares', 'memory_mb'];

/** VMs at the contract's limits (derived from VmCreateRequest): every lowest value, and every highest one that books no node. */
function specAtLimits(limit: 'lowest' | 'highest'): Spec {
  const spec: Spec = { extraTags: [] };
  for (const { field, value } of limitValues('VmCreateRequest').filter((l) => l.limit === limit && !(limit === 'highest' && BOOKS_A_NODE.includes(l.field)))) {
    if (field === 'tags') spec.moreTags = (value as string[]).length - 1;
    else Object.assign(spec, { [field]: value });
  }
  return spec;
}

async function requestVm(real: VmSystem, name: string, spec: Spec): Promise<ApiResponse<Vm>> {
  const { extraTags: _extra, moreTags: _more, ...fields } = spec;
  const response = await real.api.post<Vm>('/api/v1/vms', { name, ...fields, tags: tagsOf(real, spec) });
  if (response.status === 201) deleteVmAfterScenario(real.world, response.data);
  return response;
}

function accepted(response: ApiResponse<Vm>, what: string, name: string, spec: Spec, real: VmSystem): ModelVm {
  assert.equal(response.status, 201, `${what} was answered ${response.status} ${JSON.stringify(response.data)}`);
  const vm = response.data;
  const expected = {
    name,
    state: 'creating',
    cpu_shares: spec.cpu_shares ?? DEFAULTS.cpu_shares,
    memory_mb: spec.memory_mb ?? DEFAULTS.memory_mb,
    disk_gb: spec.disk_gb ?? DEFAULTS.disk_gb,
    image: spec.image ?? DEFAULTS.image,
    tags: [...tagsOf(real, spec)].sort(),
  };
  assert.deepEqual(
    { name: vm.name, state: vm.state, cpu_shares: vm.cpu_shares, memory_mb: vm.memory_mb, disk_gb: vm.disk_gb, image: vm.image, tags: [...vm.tags].sort() },
    expected,
    `${what} answered a VM other than the one requested`,
  );
  if (spec.node_id) assert.equal(vm.node_id, spec.node_id, `${what} placed the VM on ${vm.node_id}, not on the node requested`);
  return { ...expected, id: vm.id, node_id: vm.node_id, created_at: vm.created_at, tags: tagsOf(real, spec), state: 'creating', history: [{ action: 'create', to: 'creating' }] };
}

/** Waits until the VM's details say running: provisioning takes two steps of the target's own pace. */
async function untilRunning(api: ApiClient, vm: ModelVm): Promise<void> {
  const deadline = performance.now() + READY_WITHIN_MS;
  let last: ApiResponse<Vm>;
  do {
    last = await api.get<Vm>(`/api/v1/vms/${vm.id}`, { retries: 0 });
    if (last.status === 200 && last.data.state === 'running') break;
    assert.ok(last.status === 200 && ['creating', 'provisioning'].includes(last.data.state), `while it was provisioned, ${vm.name} read ${last.status} ${JSON.stringify(last.data)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (performance.now() < deadline);
  assert.equal(last.data.state, 'running', `${vm.name} was not running within ${READY_WITHIN_MS} ms of its request (it is ${last.data.state})`);
  vm.state = 'running';
  vm.history.push({ action: 'provision', from: 'creating', to: 'provisioning' }, { action: 'ready', from: 'provisioning', to: 'running' });
}

class CreateVm implements VmCommand {
  private name: string | undefined;
  constructor(readonly spec: Spec, readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const name = nextName(model, real);
    this.name = label(real, name);
    const vm = accepted(await requestVm(real, name, this.spec), `requesting ${name}`, name, this.spec, real);
    model.live.push(vm);
    await untilRunning(real.api, vm);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create ${this.name ?? 'a VM'} ${describeSpec(this.spec)}`;
}

/** A VM deleted at once after it was requested, while it is still being provisioned. */
class CreateAndDeleteAtOnce implements VmCommand {
  constructor(readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const name = nextName(model, real);
    const vm = accepted(await requestVm(real, name, { extraTags: [] }), `requesting ${name}`, name, { extraTags: [] }, real);
    const deleted = await real.api.delete(`/api/v1/vms/${vm.id}`);
    assert.equal(deleted.status, 200, `deleting ${name} while it was provisioned was answered ${deleted.status} ${JSON.stringify(deleted.data)}`);
    model.gone.push({ id: vm.id, name, history: vm.history, cutShort: true });
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => 'create and delete at once';
}

/** A request with nothing but a name: accepted with the contract's defaults, then deleted at once (it carries none of the run's tags). */
class CreateMinimal implements VmCommand {
  constructor(readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const name = nextName(model, real);
    const response = await real.api.post<Vm>('/api/v1/vms', { name });
    if (response.status === 201) deleteVmAfterScenario(real.world, response.data);
    assert.equal(response.status, 201, `requesting ${name} with nothing but its name was answered ${response.status} ${JSON.stringify(response.data)}`);
    const shown = Object.fromEntries(Object.keys(DEFAULTS).map((field) => [field, response.data[field as keyof Vm]]));
    assert.deepEqual(shown, DEFAULTS, `${name}, requested with nothing but its name, does not have the contract's defaults`);
    const deleted = await real.api.delete(`/api/v1/vms/${response.data.id}`);
    assert.equal(deleted.status, 200, `deleting ${name} while it was provisioned was answered ${deleted.status} ${JSON.stringify(deleted.data)}`);
    model.gone.push({ id: response.data.id, name, history: [{ action: 'create', to: 'creating' }], cutShort: true });
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => 'create with nothing but a name, and delete at once';
}

/** Deletes the oldest bystander, the scenario's first VM (once per check: the tour's). */
class DeleteOldestBystander implements VmCommand {
  constructor(readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const { bystanders } = real;
    if (bystanders.gone.length === 0) {
      const [oldest] = bystanders.vms;
      const deleted = await real.api.delete(`/api/v1/vms/${oldest.id}`);
      assert.equal(deleted.status, 200, `deleting the bystander ${oldest.name} was answered ${deleted.status} ${JSON.stringify(deleted.data)}`);
      bystanders.vms.shift();
      bystanders.gone.push({ id: oldest.id, name: oldest.name, history: oldest.history, cutShort: false });
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => 'delete the oldest bystander';
}

/** Several VMs requested at once: the list keeps them in order of creation whatever order their requests finish in. */
class CreateTogether implements VmCommand {
  private names: string[] = [];
  constructor(readonly specs: readonly Spec[], readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const names = this.specs.map(() => nextName(model, real));
    this.names = names.map((name) => label(real, name));
    const responses = await Promise.all(this.specs.map((spec, i) => requestVm(real, names[i], spec)));
    const vms = responses.map((response, i) => accepted(response, `requesting ${names[i]} beside ${names.length - 1} others`, names[i], this.specs[i], real));
    model.live.push(...vms);
    for (const vm of vms) await untilRunning(real.api, vm);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create ${this.names.join(', ') || `${this.specs.length} VMs`} at once`;
}

class RequestInvalid implements VmCommand {
  constructor(readonly invalid: number, readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const { what, field, body } = INVALID_BODIES[this.invalid % INVALID_BODIES.length];
    const response = await real.api.post<{ id?: string; error: string; details?: { field: string }[] }>('/api/v1/vms', body(`${real.prefix}x`, real.tag));
    if (response.status === 201) await (await real.world.suite.admin()).delete(`/api/v1/vms/${response.data.id}`);
    assert.equal(response.status, 400, `a VM request with ${what} was answered ${response.status} ${JSON.stringify(response.data)}`);
    const fields = (response.data.details ?? []).map((detail) => detail.field);
    if (field) assert.ok(fields.includes(field), `the refusal of a VM request with ${what} names ${JSON.stringify(fields)}, not "${field}"`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `request with ${INVALID_BODIES[this.invalid % INVALID_BODIES.length].what}`;
}

class ListInvalid implements VmCommand {
  constructor(readonly invalid: number, readonly pageSize: number) {}
  check = () => true;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const { what, field, value } = INVALID_QUERIES[this.invalid % INVALID_QUERIES.length];
    const response = await real.api.get<{ details?: { field: string }[] }>('/api/v1/vms', { params: { [field]: String(value) }, retries: 0 });
    assert.equal(response.status, 400, `listing the VMs with ${what} was answered ${response.status}`);
    const fields = (response.data.details ?? []).map((detail) => detail.field);
    assert.ok(fields.includes(field), `the refusal of a VM list with ${what} names ${JSON.stringify(fields)}, not "${field}"`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `list with ${INVALID_QUERIES[this.invalid % INVALID_QUERIES.length].what}`;
}

/** Asks for a VM under the name of a live one (refused), or of a deleted one (accepted: the name is free again). */
class ReuseName implements VmCommand {
  private target: string | undefined;
  constructor(readonly ofDeleted: boolean, readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<VmModel>) => (this.ofDeleted ? model.gone.length : model.live.length) > 0;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    if (this.ofDeleted) {
      const name = (pick(model.gone, this.index) as GoneVm).name;
      this.target = label(real, name);
      if (model.live.some((vm) => vm.name === name)) return checkEveryView(model, real, this.pageSize);
      const vm = accepted(await requestVm(real, name, { extraTags: [] }), `requesting ${name} again after it was deleted`, name, { extraTags: [] }, real);
      model.live.push(vm);
      await untilRunning(real.api, vm);
    } else {
      const existing = pick(model.live, this.index) as ModelVm;
      this.target = label(real, existing.name);
      const response = await real.api.post('/api/v1/vms', { name: existing.name, tags: [real.tag] });
      assert.equal(response.status, 409, `a second VM named ${existing.name} was answered ${response.status} ${JSON.stringify(response.data)}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `request the name of ${this.ofDeleted ? 'deleted' : 'live'} ${this.target ?? `VM #${this.index}`}`;
}

class Act implements VmCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly action: VmAction, readonly pageSize: number) {}
  check = (model: Readonly<VmModel>) => model.live.length > 0;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const vm = pick(model.live, this.index) as ModelVm;
    this.target = `${label(real, vm.name)} (${vm.state})`;
    const response = await real.api.post<Vm & { current_state?: VmState; action?: VmAction }>(`/api/v1/vms/${vm.id}/${this.action}`);
    const transition = VM_TRANSITIONS[this.action];
    if (transition.from.includes(vm.state)) {
      assert.equal(response.status, 200, `asking to ${this.action} ${vm.name} (${vm.state}) was answered ${response.status} ${JSON.stringify(response.data)}`);
      assert.equal(response.data.state, transition.to, `after ${this.action}, ${vm.name} was answered as ${response.data.state}, not ${transition.to}`);
      vm.history.push({ action: this.action, from: vm.state, to: transition.to });
      vm.state = transition.to;
    } else {
      assert.equal(response.status, 409, `asking to ${this.action} ${vm.name}, which is ${vm.state}, was answered ${response.status} ${JSON.stringify(response.data)}`);
      assert.equal(response.data.current_state, vm.state, `the refusal to ${this.action} ${vm.name} gives its state as ${response.data.current_state}, not ${vm.state}`);
      assert.equal(response.data.action, this.action, `the refusal to ${this.action} ${vm.name} names the action ${response.data.action}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `${this.action} ${this.target ?? `VM #${this.index}`}`;
}

class Delete implements VmCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<VmModel>) => model.live.length > 0;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const vm = pick(model.live, this.index) as ModelVm;
    this.target = `${label(real, vm.name)} (${vm.state})`;
    const response = await real.api.delete(`/api/v1/vms/${vm.id}`);
    assert.equal(response.status, 200, `deleting ${vm.name} was answered ${response.status} ${JSON.stringify(response.data)}`);
    assert.deepEqual(response.data, { id: vm.id, status: 'deleted' }, `deleting ${vm.name} answered ${JSON.stringify(response.data)}`);
    model.live.splice(model.live.indexOf(vm), 1);
    model.gone.push({ id: vm.id, name: vm.name, history: vm.history, cutShort: false });
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `delete ${this.target ?? `VM #${this.index}`}`;
}

/** Acting on, or deleting, a VM that was deleted: it is not found. */
class TouchDeleted implements VmCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly action: VmAction | 'delete', readonly pageSize: number) {}
  check = (model: Readonly<VmModel>) => model.gone.length > 0;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const vm = pick(model.gone, this.index) as GoneVm;
    this.target = label(real, vm.name);
    const response = this.action === 'delete' ? await real.api.delete(`/api/v1/vms/${vm.id}`) : await real.api.post(`/api/v1/vms/${vm.id}/${this.action}`);
    assert.equal(response.status, 404, `asking to ${this.action} ${vm.name} after it was deleted was answered ${response.status} ${JSON.stringify(response.data)}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `${this.action} deleted ${this.target ?? `VM #${this.index}`}`;
}

/** Actions the contract does not name (a near miss in case, an action of another API): not found, the VM unchanged. */
const UNKNOWN_ACTIONS = ['reboot', 'Start', 'suspend', 'delete'] as const;

class AskUnknownAction implements VmCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly action: (typeof UNKNOWN_ACTIONS)[number], readonly pageSize: number) {}
  check = (model: Readonly<VmModel>) => model.live.length > 0;
  async run(model: VmModel, real: VmSystem): Promise<void> {
    const vm = pick(model.live, this.index) as ModelVm;
    this.target = `${label(real, vm.name)} (${vm.state})`;
    const response = await real.api.post(`/api/v1/vms/${vm.id}/${this.action}`);
    assert.equal(response.status, 404, `asking ${vm.name} to "${this.action}", an action the contract does not name, was answered ${response.status} ${JSON.stringify(response.data)}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `ask ${this.target ?? `VM #${this.index}`} to "${this.action}"`;
}

// ---- every view against the model ----------------------------------------------------------------

function expectedView(vm: ModelVm): Omit<Vm, 'updated_at'> {
  return {
    id: vm.id,
    name: vm.name,
    state: vm.state,
    cpu_shares: vm.cpu_shares,
    memory_mb: vm.memory_mb,
    disk_gb: vm.disk_gb,
    image: vm.image,
    tags: [...vm.tags].sort(),
    node_id: vm.node_id,
    created_at: vm.created_at,
  };
}

function seen(vm: Vm): Omit<Vm, 'updated_at'> {
  const { updated_at: _updated, ...rest } = vm;
  return { ...rest, tags: [...vm.tags].sort() };
}

/** The contract's order of the list: created_at, then id. */
function inListOrder(vms: readonly ModelVm[]): ModelVm[] {
  return [...vms].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}


async function expectList(real: VmSystem, filter: Record<string, string>, expected: readonly ModelVm[], pageSize: number, what: string): Promise<void> {
  const { items, totals } = await readAllPages<Vm>(real.api, '/api/v1/vms', filter, pageSize, what);
  const ids = items.map((vm) => vm.id);
  assert.equal(new Set(ids).size, ids.length, `${what}, read page by page ${pageSize} at a time, lists a VM twice: ${ids.join(', ')}`);
  for (const total of totals) assert.equal(total, expected.length, `${what} gives a total of ${total}, but ${expected.length} VMs match`);
  assert.deepEqual(items.map(seen), inListOrder(expected).map(expectedView), `${what}, read page by page ${pageSize} at a time, differs from the VMs that match (in order of creation)`);
}

async function expectDetails(real: VmSystem, vm: ModelVm): Promise<void> {
  const response = await real.api.get<Vm>(`/api/v1/vms/${vm.id}`, { retries: 0 });
  assert.equal(response.status, 200, `reading ${vm.name} was answered ${response.status} ${JSON.stringify(response.data)}`);
  assert.deepEqual(seen(response.data), expectedView(vm), `the details of ${vm.name} differ from what was done to it`);
  assert.ok(response.data.updated_at >= response.data.created_at, `${vm.name} was updated (${response.data.updated_at}) before it was created (${response.data.created_at})`);
}

async function expectHistory(real: VmSystem, vm: ModelVm): Promise<void> {
  const response = await real.api.get<{ items: { sequence: number; vm_id: string; type: string; action: string; from_state?: VmState; to_state?: VmState }[] }>(
    `/api/v1/vms/${vm.id}/events`,
    { retries: 0 },
  );
  assert.equal(response.status, 200, `reading the history of ${vm.name} was answered ${response.status}`);
  const items = response.data.items;
  items.forEach((event, i) => {
    assert.equal(event.sequence, i + 1, `entry ${i + 1} of the history of ${vm.name} has sequence ${event.sequence}`);
    assert.equal(event.vm_id, vm.id, `entry ${i + 1} of the history of ${vm.name} belongs to ${event.vm_id}`);
  });
  const lifecycle = items.filter((event) => event.type === 'lifecycle').map((event) => ({ action: event.action, from: event.from_state, to: event.to_state }));
  assert.deepEqual(lifecycle, vm.history.map((change) => ({ action: change.action, from: change.from, to: change.to })), `the history of ${vm.name} differs from what happened to it`);
}

/** The database holds exactly the live VMs and their histories as the model has them, and none of the deleted. */
async function expectStored(model: VmModel, real: VmSystem): Promise<void> {
  const stored = await storedVms(real.world, [...model.live, ...model.gone].map((vm) => vm.id));
  if (!stored) return;
  const kept = model.gone.filter((vm) => stored.has(vm.id)).map((vm) => vm.name);
  assert.deepEqual(kept, [], 'VMs that were deleted are still stored in the database');
  for (const vm of model.live) {
    const row: StoredVm | undefined = stored.get(vm.id);
    assert.ok(row, `${vm.name} is shown by the API but not stored in the database`);
    const { events, ...fields }: StoredVm = row;
    const expected = expectedView(vm);
    assert.deepEqual(
      { ...fields, tags: [...fields.tags].sort(), created_at: Date.parse(fields.created_at) },
      { ...expected, created_at: Date.parse(expected.created_at) },
      `${vm.name} as stored in the database differs from what was done to it`,
    );
    assert.deepEqual(events.map((event) => event.sequence), events.map((_, i) => i + 1), `the history of ${vm.name} as stored has gaps or repeats`);
    const lifecycle = events.filter((event) => event.type === 'lifecycle').map((event) => ({ action: event.action, from: event.from_state, to: event.to_state }));
    assert.deepEqual(lifecycle, vm.history.map((change) => ({ action: change.action, from: change.from, to: change.to })), `the history of ${vm.name} as stored differs from what happened to it`);
  }
}

async function expectGone(real: VmSystem, vm: GoneVm): Promise<void> {
  const details = await real.api.get(`/api/v1/vms/${vm.id}`, { retries: 0 });
  assert.equal(details.status, 404, `${vm.name} was deleted, but reading it was answered ${details.status} ${JSON.stringify(details.data)}`);
  const history = await real.api.get(`/api/v1/vms/${vm.id}/events`, { retries: 0 });
  assert.equal(history.status, 404, `${vm.name} was deleted, but reading its history was answered ${history.status}`);
}

async function expectCounts(real: VmSystem, live: readonly ModelVm[]): Promise<void> {
  const response = await real.api.get<{ vms: { total: number; by_state: Record<VmState, number> } }>('/api/v1/dashboard/summary', { params: { tag: real.tag }, retries: 0 });
  assert.equal(response.status, 200, `reading the VM counts was answered ${response.status}`);
  const expected = Object.fromEntries(STATES.map((state) => [state, live.filter((vm) => vm.state === state).length]));
  assert.deepEqual({ total: response.data.vms.total, ...response.data.vms.by_state }, { total: live.length, ...expected }, 'the per-state counts of the VMs differ from the VMs there are');
}

/** What the stream had to announce about a VM, as [type, to_state or from_state] pairs. */
function announcements(history: readonly Change[], deletedFrom?: VmState): string[] {
  const lines = history.map((change) => (change.action === 'create' ? `vm.created ${change.to}` : `vm.state_changed ${change.action} ${change.from}->${change.to}`));
  return deletedFrom === undefined ? lines : [...lines, `vm.deleted from ${deletedFrom}`];
}

function announced(stream: EventStream, id: string): string[] {
  return stream.received
    .filter((message: StreamMessage) => message.type.startsWith('vm.') && message.data.vm_id === id)
    .map((message) => {
      const data = message.data as { state?: string; action?: string; from_state?: string; to_state?: string };
      if (message.type === 'vm.created') return `vm.created ${data.state}`;
      if (message.type === 'vm.deleted') return `vm.deleted from ${data.from_state}`;
      return `${message.type} ${data.action} ${data.from_state}->${data.to_state}`;
    });
}

/** The stream announced exactly what happened to each VM, in order (waiting briefly for what is on its way). */
async function expectStream(real: VmSystem, model: VmModel): Promise<void> {
  const expectations = [
    ...model.live.map((vm) => ({ vm: vm.name, id: vm.id, options: [announcements(vm.history)] })),
    ...model.gone.map((vm) => ({
      vm: vm.name,
      id: vm.id,
      // Deleted while provisioning: it may have been deleted at any step of it.
      options: vm.cutShort
        ? [
            announcements(vm.history, 'creating'),
            announcements([...vm.history, { action: 'provision', from: 'creating', to: 'provisioning' }], 'provisioning'),
            announcements([...vm.history, { action: 'provision', from: 'creating', to: 'provisioning' }, { action: 'ready', from: 'provisioning', to: 'running' }], 'running'),
          ]
        : [announcements(vm.history, vm.history[vm.history.length - 1].to)],
    })),
  ];
  const deadline = performance.now() + STREAM_WITHIN_MS;
  for (;;) {
    const pending = expectations.filter(({ id, options }) => !options.some((option) => JSON.stringify(option) === JSON.stringify(announced(real.stream, id))));
    if (pending.length === 0) return;
    const tooMuch = pending.find(({ id, options }) => announced(real.stream, id).length > Math.max(...options.map((o) => o.length)));
    if (tooMuch || performance.now() > deadline) {
      const { vm, id, options } = tooMuch ?? pending[0];
      assert.fail(`the event stream announced ${JSON.stringify(announced(real.stream, id))} for ${vm}, expected ${options.map((o) => JSON.stringify(o)).join(' or ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The views over every VM of the target, which other scenarios share: each lists only VMs of its
 * state and at least the sequence's and the bystanders' VMs in it; the untagged counts add up and
 * count at least those VMs.
 */
async function expectSharedViews(model: VmModel, real: VmSystem): Promise<void> {
  const ours = [...model.live, ...real.bystanders.vms];
  for (const state of ['running', 'stopped'] as const) {
    const response = await real.api.get<{ items: Vm[]; total: number }>('/api/v1/vms', { params: { state, page_size: 500 }, retries: 0 });
    assert.equal(response.status, 200, `listing every ${state} VM was answered ${response.status}`);
    const others = response.data.items.filter((vm) => vm.state !== state);
    assert.deepEqual(others.map((vm) => `${vm.name} (${vm.state})`), [], `the list of every ${state} VM shows VMs in other states`);
    if (response.data.total > response.data.items.length) continue;
    const listed = new Set(response.data.items.map((vm) => vm.id));
    const missing = ours.filter((vm) => vm.state === state && !listed.has(vm.id)).map((vm) => label(real, vm.name));
    assert.deepEqual(missing, [], `the list of every ${state} VM leaves out VMs that are ${state}`);
  }
  const response = await real.api.get<{ vms: { total: number; by_state: Record<VmState, number> } }>('/api/v1/dashboard/summary', { retries: 0 });
  assert.equal(response.status, 200, `reading the counts of every VM was answered ${response.status}`);
  const { total, by_state } = response.data.vms;
  const counted = Object.values(by_state).reduce((sum, count) => sum + count, 0);
  assert.equal(counted, total, `the counts of every VM per state add up to ${counted}, not to their total ${total}`);
  for (const state of STATES) {
    const least = ours.filter((vm) => vm.state === state).length;
    assert.ok(by_state[state] >= least, `the counts of every VM give ${by_state[state]} ${state}, but ${least} VMs of this scenario alone are ${state}`);
  }
}

/** Every view of the sequence's VMs agrees with the model (and so with each other). */
export async function checkEveryView(model: VmModel, real: VmSystem, pageSize: number): Promise<void> {
  for (const vm of model.live) {
    await expectDetails(real, vm);
    await expectHistory(real, vm);
  }
  for (const vm of model.gone) await expectGone(real, vm);
  await expectList(real, { tag: real.tag }, model.live, pageSize, 'the list of the VMs with the run\'s tag');
  await expectList(real, { name_prefix: real.prefix }, model.live, pageSize, 'the list of the VMs named with the run\'s prefix');
  for (const extra of ['blue', 'green']) {
    const tag = `${real.tag}-${extra}`;
    await expectList(real, { tag }, model.live.filter((vm) => vm.tags.includes(tag)), pageSize, `the list of the VMs tagged ${extra}`);
  }
  for (const state of new Set<VmState>(['running', 'stopped', 'paused', ...model.live.map((vm) => vm.state)])) {
    const matching = model.live.filter((vm) => vm.state === state);
    await expectList(real, { name_prefix: real.prefix, state }, matching, pageSize, `the list of the ${state} VMs`);
  }
  await expectList(real, { name_prefix: real.bystanders.prefix }, real.bystanders.vms, pageSize, 'the list of the VMs named as the bystanders are');
  for (const vm of real.bystanders.gone) await expectGone(real, vm);
  await expectCounts(real, model.live);
  await expectSharedViews(model, real);
  await expectStored(model, real);
  await expectStream(real, model);
}

// ---- the check ------------------------------------------------------------------------------------

const pageSizeArb = fc.integer({ min: 1, max: 4 });
const indexArb = fc.nat({ max: 50 });

export const VM_COMMANDS: fc.Arbitrary<VmCommand>[] = [
  fc.tuple(specArb, pageSizeArb).map(([spec, size]) => new CreateVm(spec, size)),
  fc.tuple(specArb, pageSizeArb).map(([spec, size]) => new CreateVm(spec, size)),
  pageSizeArb.map((size) => new CreateAndDeleteAtOnce(size)),
  pageSizeArb.map((size) => new CreateMinimal(size)),
  fc.tuple(fc.array(specArb, { minLength: 2, maxLength: 4 }), pageSizeArb).map(([specs, size]) => new CreateTogether(specs, size)),
  fc.tuple(fc.nat({ max: INVALID_BODIES.length - 1 }), pageSizeArb).map(([invalid, size]) => new RequestInvalid(invalid, size)),
  fc.tuple(fc.nat({ max: INVALID_QUERIES.length - 1 }), pageSizeArb).map(([invalid, size]) => new ListInvalid(invalid, size)),
  fc.tuple(fc.boolean(), indexArb, pageSizeArb).map(([ofDeleted, index, size]) => new ReuseName(ofDeleted, index, size)),
  fc.tuple(indexArb, fc.constantFrom(...VM_ACTIONS), pageSizeArb).map(([index, action, size]) => new Act(index, action, size)),
  fc.tuple(indexArb, fc.constantFrom(...VM_ACTIONS), pageSizeArb).map(([index, action, size]) => new Act(index, action, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new Delete(index, size)),
  fc.tuple(indexArb, fc.constantFrom<VmAction | 'delete'>(...VM_ACTIONS, 'delete'), pageSizeArb).map(([index, action, size]) => new TouchDeleted(index, action, size)),
  fc.tuple(indexArb, fc.constantFrom(...UNKNOWN_ACTIONS), pageSizeArb).map(([index, action, size]) => new AskUnknownAction(index, action, size)),
];

/** Every kind of operation, each view at page sizes 1 to 3: what every run checks before the random sequences. */
function vmTour(): VmCommand[] {
  const blue: Spec = { cpu_shares: 2, memory_mb: 2048, disk_gb: 20, image: 'debian-12', node_id: 'node-2', extraTags: ['blue'] };
  return [
    new CreateVm(blue, 1),
    new CreateVm({ extraTags: ['green'] }, 2),
    new CreateAndDeleteAtOnce(3),
    new DeleteOldestBystander(2),
    new CreateMinimal(1),
    new CreateTogether([{ extraTags: [], node_id: 'node-1' }, { extraTags: ['blue'], node_id: 'node-2' }, { extraTags: ['green'], node_id: 'node-3' }, { extraTags: [] }], 3),
    // One VM on each node stopped and started again: at least two of them are not on the least loaded node, so a start that reschedules moves one.
    ...[2, 3, 4].flatMap((index) => [new Act(index, 'stop', 1), new Act(index, 'start', 2)]),
    new CreateVm(specAtLimits('lowest'), 2),
    new CreateVm(specAtLimits('highest'), 3),
    ...INVALID_BODIES.map((_, i) => new RequestInvalid(i, 1 + (i % 3))),
    ...INVALID_QUERIES.map((_, i) => new ListInvalid(i, 1 + (i % 3))),
    new ReuseName(false, 0, 2),
    new Act(0, 'pause', 1),
    new Act(0, 'pause', 2),
    new Act(0, 'start', 3),
    new Act(0, 'resume', 1),
    new Act(0, 'stop', 2),
    new Act(0, 'resume', 3),
    new Act(0, 'start', 1),
    new Act(1, 'pause', 2),
    ...UNKNOWN_ACTIONS.map((action, i) => new AskUnknownAction(i, action, 1 + (i % 3))),
    new Act(1, 'stop', 3),
    new Delete(0, 1),
    new TouchDeleted(1, 'start', 2),
    new TouchDeleted(1, 'delete', 3),
    new ReuseName(true, 1, 1),
    new Act(1, 'stop', 2),
    new Delete(1, 3),
  ];
}

/** The scenario's bystanders: VMs with a name prefix and a tag of their own; the first one is for the tour to delete, then one running, one stopped. */
async function makeBystanders(world: NovaWorld): Promise<Bystanders> {
  const api = world.actor.api;
  const bystanders: Bystanders = { prefix: `m${world.runId}b-`, tag: `${world.scenarioTag}-bystander`, vms: [], gone: [] };
  for (const index of [1, 2, 3]) {
    const name = `${bystanders.prefix}${index}`;
    const response = await api.post<Vm>('/api/v1/vms', { name, tags: [bystanders.tag] });
    assert.equal(response.status, 201, `creating the bystander ${name} was answered ${response.status} ${JSON.stringify(response.data)}`);
    deleteVmAfterScenario(world, response.data);
    const { id, node_id, created_at, state } = response.data;
    bystanders.vms.push({ id, name, state, node_id, created_at, ...DEFAULTS, tags: [bystanders.tag], history: [{ action: 'create', to: 'creating' }] });
  }
  for (const vm of bystanders.vms) await untilRunning(api, vm);
  const stopped = bystanders.vms[2];
  assert.equal(await actOnVm(api, stopped, 'stop'), 'stopped', `the bystander ${stopped.name}, running, could not be stopped`);
  stopped.history.push({ action: 'stop', from: 'running', to: 'stopped' });
  stopped.state = 'stopped';
  return bystanders;
}

export function vmModelCheck(world: NovaWorld): ModelCheck<VmModel, VmSystem> {
  let sequence = 0;
  let bystanders: Bystanders | undefined;
  return {
    domain: 'virtual machines',
    commands: VM_COMMANDS,
    tour: vmTour,
    async setup() {
      sequence += 1;
      const actor = world.actor;
      bystanders ??= await makeBystanders(world);
      const stream = await EventStream.open({ baseURL: world.suite.apiUrl, token: actor.token, topics: ['vm'] });
      const real: VmSystem = { world, api: actor.api, tag: `${world.scenarioTag}-s${sequence}`, prefix: `m${world.runId}s${sequence}-`, stream, bystanders };
      return { model: { live: [], gone: [], issued: 0 }, real };
    },
    async teardown(real) {
      try {
        const admin = await world.suite.admin();
        const { items } = await readAllPages<Vm>(admin, '/api/v1/vms', { tag: real.tag }, 500, 'the VMs of the sequence');
        for (const vm of items) await admin.delete(`/api/v1/vms/${vm.id}`);
      } finally {
        await real.stream.close();
      }
    },
  };
}

export async function checkVmModel(world: NovaWorld): Promise<void> {
  await runModelCheck(world, vmModelCheck(world));
}
