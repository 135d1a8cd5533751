import assert from 'node:assert/strict';
import type { ApiClient, ApiResponse } from '../api-client';
import { sleep } from '../api-client';
import { deleteVmAfterScenario, type VmAction, type VmState } from '../tasks/vms';
import type { NovaWorld } from '../world';

/** What the models share: picking by index, reading every page of a list, refusals, helper VMs. */

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface Refusal {
  error?: string;
  reason?: string;
  details?: { field: string }[];
}

/** The `index`-th item, wrapping around (commands are drawn before the model knows how many there are). */
export function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** The start of an answer's body, for failure messages. */
export const body = (response: ApiResponse): string => JSON.stringify(response.data).slice(0, 300);

/** The answer is a refusal with `status`, a reason in words and, when given, the machine-readable `reason`. */
export function refusedAs(response: ApiResponse, status: number, what: string, reason?: string): Refusal {
  assert.equal(response.status, status, `${what} was answered ${response.status} ${body(response)}`);
  const refusal = response.data as Refusal;
  assert.ok(typeof refusal.error === 'string' && refusal.error.length > 0, `the refusal of ${what} gives no reason: ${body(response)}`);
  if (reason) assert.equal(refusal.reason, reason, `the refusal of ${what} gives the reason ${refusal.reason}, not ${reason}: ${refusal.error}`);
  return refusal;
}

/**
 * Every page of a list at `pageSize`, up to the first short page; each page must echo its number
 * and size. Returns the items and the `total` every page gave, for the caller to compare.
 */
export async function readAllPages<T>(
  api: ApiClient,
  path: string,
  filter: Record<string, string>,
  pageSize: number,
  what: string,
): Promise<{ items: T[]; totals: number[] }> {
  const items: T[] = [];
  const totals: number[] = [];
  for (let page = 1; page <= 1000; page++) {
    const response = await api.get<Page<T>>(path, { params: { ...filter, page, page_size: pageSize }, retries: 0 });
    assert.equal(response.status, 200, `reading page ${page} of ${what} was answered ${response.status} ${body(response)}`);
    assert.equal(response.data.page, page, `page ${page} of ${what} calls itself page ${response.data.page}`);
    assert.equal(response.data.page_size, pageSize, `page ${page} of ${what} gives its size as ${response.data.page_size}, not ${pageSize}`);
    totals.push(response.data.total);
    items.push(...response.data.items);
    if (response.data.items.length < pageSize) return { items, totals };
  }
  throw new Error(`${what} still had items after 1000 pages of ${pageSize}`);
}

let helperVms = 0;

/** Plain VMs a check attaches things to, made once per check and deleted after the scenario. */
export async function helperVmsFor(world: NovaWorld, count: number, prefix: string, purpose: string): Promise<{ id: string; name: string }[]> {
  const vms: { id: string; name: string }[] = [];
  for (let i = 0; i < count; i++) {
    helperVms += 1;
    const name = `${prefix}${world.runId}-${helperVms}`;
    const response = await world.actor.api.post<{ id: string; name: string }>('/api/v1/vms', { name, tags: [world.scenarioTag] });
    assert.equal(response.status, 201, `requesting the VM ${name} for ${purpose} was answered ${response.status} ${body(response)}`);
    deleteVmAfterScenario(world, response.data);
    vms.push({ id: response.data.id, name });
  }
  return vms;
}

export const VM_ACTIONS: readonly VmAction[] = ['start', 'stop', 'pause', 'resume'];

/** The contract's state machine of the VM actions. */
export const VM_TRANSITIONS: Record<VmAction, { from: readonly VmState[]; to: VmState }> = {
  start: { from: ['stopped'], to: 'running' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
};

/** Asks for the action: accepted where the state machine allows it (answering the new state), else refused as a conflict (answering undefined). */
export async function actOnVm(api: ApiClient, vm: { id: string; name: string; state: VmState }, action: VmAction): Promise<VmState | undefined> {
  const response = await api.post(`/api/v1/vms/${vm.id}/${action}`);
  const transition = VM_TRANSITIONS[action];
  if (!transition.from.includes(vm.state)) {
    assert.equal(response.status, 409, `asking to ${action} ${vm.name}, which is ${vm.state}, was answered ${response.status} ${body(response)}`);
    return undefined;
  }
  assert.equal(response.status, 200, `asking to ${action} ${vm.name} (${vm.state}) was answered ${response.status} ${body(response)}`);
  return transition.to;
}

/** Waits until a VM just requested runs. */
export async function untilRunning(api: ApiClient, vm: { id: string; name: string }, withinMs = 5_000): Promise<void> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const read = await api.get<{ state: string }>(`/api/v1/vms/${vm.id}`, { retries: 0 });
    if (read.status === 200 && read.data.state === 'running') return;
    assert.ok(performance.now() < deadline, `${vm.name} was not running within ${withinMs} ms of its request (${body(read)})`);
    await sleep(25);
  }
}

/**
 * Runs a comparison until it passes or `withinMs` is over (then its last failure is the answer):
 * for views that follow an operation asynchronously (replication, the event stream, histories).
 */
export async function untilAgrees(compare: () => void | Promise<void>, withinMs: number, pollMs = 50): Promise<void> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      return await compare();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(pollMs);
    }
  }
}
