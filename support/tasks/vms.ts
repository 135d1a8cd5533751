import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';

export type VmState = 'creating' | 'provisioning' | 'running' | 'stopped' | 'paused' | 'migrating' | 'deleting' | 'failed';
export type VmAction = 'start' | 'stop' | 'pause' | 'resume';

export interface Vm {
  id: string;
  name: string;
  state: VmState;
  cpu_shares: number;
  memory_mb: number;
  disk_gb: number;
  image: string;
  tags: string[];
  node_id: string;
  created_at: string;
  updated_at: string;
}

export interface VmSpec {
  cpu_shares?: number;
  memory_mb?: number;
  disk_gb?: number;
  image?: string;
  node_id?: string;
}

interface VmEvent {
  sequence: number;
  type: string;
  action: string;
  from_state?: VmState;
  to_state?: VmState;
}

/** The business words for the VM fields a person reads in a feature. */
export const VM_FIELDS: Record<string, string> = { name: 'name', CPUs: 'cpu_shares', memory: 'memory_mb', disk: 'disk_gb' };

function known(world: NovaWorld): Map<string, Vm> {
  return world.domain('vms', () => new Map<string, Vm>());
}

export function vmNamed(world: NovaWorld, alias: string): Vm {
  const vm = known(world).get(alias);
  if (!vm) throw new Error(`no virtual machine "${alias}" was created in this scenario`);
  return vm;
}

/** Asks for a VM under the scenario's unique form of `alias`; remembers it and deletes it after the scenario. */
export async function requestVm(world: NovaWorld, alias: string, spec: VmSpec = {}): Promise<ApiResponse<Vm>> {
  const response = await submitVm(world, { name: world.unique(alias), ...spec });
  if (response.status === 201) known(world).set(alias, response.data);
  return response;
}

/** Sends a VM request exactly as given (for invalid input), tagged with the scenario so leftovers are found. */
export async function submitVm(world: NovaWorld, body: Record<string, unknown>): Promise<ApiResponse<Vm>> {
  const response = await world.actor.api.post<Vm>('/api/v1/vms', { ...body, tags: [world.scenarioTag] });
  world.lastResponse = response;
  if (response.status === 201) deleteVmAfterScenario(world, response.data);
  return response;
}

/** Deletes the VM after the scenario, whatever its outcome (gone already is fine). */
export function deleteVmAfterScenario(world: NovaWorld, { id, name }: { id: string; name: string }): void {
  world.ledger.add(`VM ${name} (${id})`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/vms/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
}

/** Asks for a second VM under a name this scenario already gave a VM; the first is kept aside to check it is untouched. */
export async function requestAnother(world: NovaWorld, alias: string): Promise<ApiResponse<Vm>> {
  const first = vmNamed(world, alias);
  world.state.set('vms-first-of-name', { alias, first });
  const response = await submitVm(world, { name: world.unique(alias) });
  return response;
}

/** The fields a second request under the same name must leave as they were (its state moves on by itself). */
const IDENTITY: readonly (keyof Vm)[] = ['id', 'name', 'cpu_shares', 'memory_mb', 'disk_gb', 'image', 'tags', 'node_id', 'created_at'];

/**
 * The second request was refused as a conflict that names the name (in its message or as the
 * field `name`), no second VM of that name exists, and the first is unchanged.
 */
export async function expectNameTaken(world: NovaWorld, body: { error?: string; details?: { field: string }[] }): Promise<void> {
  const kept = world.state.get('vms-first-of-name') as { alias: string; first: Vm } | undefined;
  if (!kept) throw new Error('no second request under a taken name was made: use "When I request another virtual machine <name>"');
  const { alias, first } = kept;
  const namesIt = (body.error ?? '').includes(first.name) || (body.details ?? []).some((detail) => detail.field === 'name');
  assert.ok(namesIt, `the refusal should name the taken name "${first.name}" or the field "name": ${JSON.stringify(body)}`);
  const named = await vmsNamed(world, alias);
  assert.deepEqual(
    named.map((vm) => vm.id),
    [first.id],
    `after the refused request, the virtual machines named "${first.name}" are ${JSON.stringify(named.map((vm) => ({ id: vm.id, state: vm.state })))}, expected only the first (${first.id})`,
  );
  const read = await (await world.suite.admin()).get<Vm>(`/api/v1/vms/${first.id}`);
  expectStatus(read, 200, `reading the first virtual machine "${alias}" again`);
  const pick = (vm: Vm) => Object.fromEntries(IDENTITY.map((field) => [field, vm[field]]));
  assert.deepEqual(pick(read.data), pick(first), `the refused request changed the first virtual machine "${alias}"`);
  assert.notEqual(read.data.state, 'deleting', `the refused request is deleting the first virtual machine "${alias}"`);
  const created = (await vmsOfScenario(world)).filter((vm) => vm.id !== first.id);
  assert.deepEqual(created.map((vm) => `${vm.name} (${vm.id})`), [], 'the refused request created a virtual machine all the same');
}

export async function createVm(world: NovaWorld, alias: string, spec: VmSpec = {}): Promise<Vm> {
  const response = await requestVm(world, alias, spec);
  expectStatus(response, 201, `requesting virtual machine "${alias}"`);
  return response.data;
}

export async function fetchVm(world: NovaWorld, alias: string): Promise<ApiResponse<Vm>> {
  return world.actor.api.get<Vm>(`/api/v1/vms/${vmNamed(world, alias).id}`);
}

export async function currentState(world: NovaWorld, alias: string): Promise<VmState> {
  const response = await fetchVm(world, alias);
  expectStatus(response, 200, `reading virtual machine "${alias}"`);
  known(world).set(alias, response.data);
  return response.data.state;
}

export async function waitForState(world: NovaWorld, alias: string, state: VmState, timeoutMs: number): Promise<number> {
  const { elapsedMs } = await eventually(() => currentState(world, alias), (s) => s === state, {
    timeoutMs,
    what: `virtual machine "${alias}" becoming ${state}`,
  });
  return elapsedMs;
}

export async function act(world: NovaWorld, alias: string, action: VmAction): Promise<ApiResponse<Vm>> {
  const response = await world.actor.api.post<Vm>(`/api/v1/vms/${vmNamed(world, alias).id}/${action}`);
  world.lastResponse = response;
  return response;
}

export async function actAndExpect(world: NovaWorld, alias: string, action: VmAction): Promise<Vm> {
  const response = await act(world, alias, action);
  expectStatus(response, 200, `asking to ${action} "${alias}"`);
  known(world).set(alias, response.data);
  return response.data;
}

/** A VM of this scenario brought to `state` through the lifecycle a user would follow. */
export async function vmInState(world: NovaWorld, alias: string, state: 'running' | 'stopped' | 'paused'): Promise<void> {
  await createVm(world, alias);
  await waitForState(world, alias, 'running', 10_000);
  if (state === 'stopped') await actAndExpect(world, alias, 'stop');
  if (state === 'paused') await actAndExpect(world, alias, 'pause');
}

export async function deleteVm(world: NovaWorld, alias: string): Promise<void> {
  const vm = vmNamed(world, alias);
  const response = await world.actor.api.delete<{ id: string; status: string }>(`/api/v1/vms/${vm.id}`);
  expectStatus(response, 200, `deleting "${alias}"`);
  assert.deepEqual(response.data, { id: vm.id, status: 'deleted' }, `deleting "${alias}" answered ${JSON.stringify(response.data)}`);
}

export async function lifecycleStates(world: NovaWorld, alias: string): Promise<VmState[]> {
  const response = await world.actor.api.get<{ items: VmEvent[] }>(`/api/v1/vms/${vmNamed(world, alias).id}/events`);
  expectStatus(response, 200, `reading the history of "${alias}"`);
  const lifecycle = response.data.items.filter((event) => event.type === 'lifecycle');
  for (let i = 1; i < lifecycle.length; i++) {
    assert.ok(lifecycle[i].sequence > lifecycle[i - 1].sequence, `the history of "${alias}" is out of order at entry ${i}`);
  }
  const states = lifecycle.map((event) => event.to_state).filter((s): s is VmState => s !== undefined);
  return states;
}

/** The VMs this scenario's requests created, whatever their names (found by the scenario's tag). */
export async function vmsOfScenario(world: NovaWorld): Promise<Vm[]> {
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', {
    params: { tag: world.scenarioTag, page_size: 500 },
  });
  expectStatus(response, 200, 'listing the virtual machines of this scenario');
  return response.data.items;
}

export async function vmsNamed(world: NovaWorld, alias: string): Promise<Vm[]> {
  const name = world.unique(alias);
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', { params: { name_prefix: name } });
  expectStatus(response, 200, `looking for "${alias}"`);
  return response.data.items.filter((vm) => vm.name === name);
}

/** Waits until the scenario's event stream announced `states` for the VM, then checks the order. */
export async function expectAnnouncedStates(world: NovaWorld, alias: string, states: VmState[], timeoutMs: number): Promise<void> {
  const stream = world.streams[0];
  if (!stream) throw new Error('no event stream was opened in this scenario: add "Given I follow the real-time event stream"');
  const vm = vmNamed(world, alias);
  const announced = () =>
    stream.ofType('vm.state_changed').filter((m) => m.data.vm_id === vm.id).map((m) => m.data.to_state as VmState);
  await eventually(async () => announced(), (seen) => seen.length >= states.length, {
    timeoutMs,
    intervalMs: 20,
    what: `the event stream announcing ${states.length} state changes of "${alias}"`,
  });
  assert.deepEqual(announced(), states, `the event stream announced "${alias}" going through other states`);
  const sequences = stream.received.filter((m) => m.type !== 'welcome').map((m) => m.sequence);
  for (let i = 1; i < sequences.length; i++) {
    assert.ok(sequences[i] > sequences[i - 1], `the event stream's sequence numbers go backwards at message ${i}: ${sequences[i - 1]} then ${sequences[i]}`);
  }
}

/** Requests `count` VMs concurrently; returns how many were accepted. */
export async function requestBatch(world: NovaWorld, count: number): Promise<number> {
  const aliases = Array.from({ length: count }, (_, i) => `batch-${i + 1}`);
  world.domain('batch', () => aliases);
  const answers = await Promise.all(aliases.map((alias) => requestVm(world, alias)));
  return answers.filter((answer) => answer.status === 201).length;
}

/** How many of the batch reached running within the time; the rest are named in the failure. */
export async function batchRunning(world: NovaWorld, timeoutMs: number): Promise<{ running: number; requested: number; laggards: string[] }> {
  const aliases = (world.state.get('batch') as string[] | undefined) ?? [];
  const outcomes = await Promise.all(
    aliases.map((alias) =>
      known(world).has(alias)
        ? waitForState(world, alias, 'running', timeoutMs).then(() => true, () => false)
        : Promise.resolve(false),
    ),
  );
  return {
    running: outcomes.filter(Boolean).length,
    requested: aliases.length,
    laggards: aliases.filter((_, i) => !outcomes[i]),
  };
}
