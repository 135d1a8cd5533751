import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { expectFieldError } from './refusals';
import { actAndExpect, createVm, waitForState, type Vm, type VmState } from './vms';

export interface VmPage {
  items: Vm[];
  total: number;
  page: number;
  page_size: number;
}

interface Overview {
  vms: { total: number; by_state: Partial<Record<VmState, number>> };
}

interface DashboardState {
  pages: VmPage[];
  filtered: Vm[];
  overview?: Overview;
}

function dashboard(world: NovaWorld): DashboardState {
  return world.domain('dashboard', (): DashboardState => ({ pages: [], filtered: [] }));
}

export async function createMachines(world: NovaWorld, running: number, stopped = 0): Promise<void> {
  const aliases = Array.from({ length: running + stopped }, (_, i) => `mine-${i + 1}`);
  await Promise.all(aliases.map((alias) => createVm(world, alias)));
  await Promise.all(aliases.map((alias) => waitForState(world, alias, 'running', 10_000)));
  for (const alias of aliases.slice(running)) await actAndExpect(world, alias, 'stop');
}

/** One page of the scenario's machines in the machine list. */
export async function readPage(world: NovaWorld, page: number, pageSize: number): Promise<VmPage> {
  const response = await world.actor.api.get<VmPage>('/api/v1/vms', { params: { tag: world.scenarioTag, page, page_size: pageSize } });
  expectStatus(response, 200, `reading page ${page} of the virtual machine list`);
  return response.data;
}

/** Reads every page of the scenario's machines; stops at the first empty page or after 100 pages. */
export async function readPages(world: NovaWorld, pageSize: number): Promise<void> {
  const state = dashboard(world);
  for (let page = 1; page <= 100; page++) {
    const read = await readPage(world, page, pageSize);
    if (read.items.length === 0) break;
    state.pages.push(read);
    if (page * pageSize >= read.total) break;
  }
}

export function expectPaging(world: NovaWorld, pages: number, machines: number): void {
  const read = dashboard(world).pages;
  assert.equal(read.length, pages, `the list came in ${read.length} pages`);
  const ids = read.flatMap((page) => page.items.map((vm) => vm.id));
  assert.equal(new Set(ids).size, ids.length, 'a machine appeared on more than one page');
  assert.equal(ids.length, machines, `the pages held ${ids.length} machines`);
  read.forEach((page, i) => assert.equal(page.page, i + 1, `page ${i + 1} calls itself page ${page.page}`));
}

export function expectTotals(world: NovaWorld, total: number): void {
  for (const page of dashboard(world).pages) assert.equal(page.total, total, `page ${page.page} states a total of ${page.total}`);
}

export async function filterByState(world: NovaWorld, state: VmState): Promise<void> {
  const response = await world.actor.api.get<VmPage>('/api/v1/vms', { params: { tag: world.scenarioTag, state } });
  expectStatus(response, 200, `filtering by ${state}`);
  dashboard(world).filtered = response.data.items;
}

export function expectFiltered(world: NovaWorld, count: number, state: VmState): void {
  const filtered = dashboard(world).filtered;
  assert.equal(filtered.length, count, `the filter returned ${filtered.length} machines: ${filtered.map((vm) => `${vm.name} (${vm.state})`).join(', ')}`);
  for (const vm of filtered) assert.equal(vm.state, state, `the filter for ${state} returned ${vm.name} which is ${vm.state}`);
}

export async function openOverview(world: NovaWorld): Promise<void> {
  const response = await world.actor.api.get<Overview>('/api/v1/dashboard/summary', { params: { tag: world.scenarioTag } });
  expectStatus(response, 200, 'opening the overview');
  dashboard(world).overview = response.data;
}

export function expectOverview(world: NovaWorld, total: number, byState: Partial<Record<VmState, number>>): void {
  const overview = dashboard(world).overview;
  assert.ok(overview, 'the overview was not opened');
  assert.equal(overview.vms.total, total, `the overview counts ${overview.vms.total} machines`);
  for (const [state, count] of Object.entries(byState)) {
    assert.equal(overview.vms.by_state[state as VmState] ?? 0, count, `the overview counts ${overview.vms.by_state[state as VmState] ?? 0} ${state} machines`);
  }
}

export async function submitFaultyUserForm(world: NovaWorld): Promise<void> {
  world.lastResponse = await world.actor.api.post('/api/v1/users', {
    username: world.unique('form'),
    email: 'not-an-email-address',
    password: 'abc',
    role: 'superhero',
  });
}

export function expectFieldErrors(world: NovaWorld, fields: string[]): void {
  for (const field of fields) expectFieldError(world, field);
}
