/**
 * What loads need in place and leave behind: virtual machines on the dashboard for the views to
 * show, accounts for the simulated users, and the deletion of every virtual machine a load created.
 */
import type { NovaWorld } from '../../world';
import { login } from '../accounts';
import { eventually, expectStatus } from '../expect';
import type { Vm } from '../vms';

interface LoadFixtures {
  /** the VMs put on the dashboard for the views to show */
  seeded: Vm[];
  /** ids of the VMs the scenario created (seeded or by a load) and has not deleted */
  created: Set<string>;
  /** bearer tokens of the accounts made for the load, one per simulated user */
  users: string[];
}

function fixtures(world: NovaWorld): LoadFixtures {
  return world.domain('performance-fixtures', (): LoadFixtures => ({ seeded: [], created: new Set(), users: [] }));
}

/** The VMs put on the dashboard so far. */
export function seededVms(world: NovaWorld): readonly Vm[] {
  return fixtures(world).seeded;
}

/**
 * The ids of the VMs the scenario created and has not deleted; a load adds what it creates and
 * removes what it deletes. Call `deleteLoadVmsAfterScenario` before the load adds to it.
 */
export function vmsCreatedByLoad(world: NovaWorld): Set<string> {
  return fixtures(world).created;
}

/** VMs on the dashboard for the views to show: created through the API, running, deleted after. */
export async function seedVms(world: NovaWorld, count: number): Promise<void> {
  const state = fixtures(world);
  const api = world.actor.api;
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) => `shown-${start + i + 1}`);
    const created = await Promise.all(batch.map((alias) => api.post<Vm>('/api/v1/vms', { name: world.unique(alias), tags: [world.scenarioTag] })));
    for (const response of created) {
      expectStatus(response, 201, 'putting a virtual machine on the dashboard');
      state.seeded.push(response.data);
      state.created.add(response.data.id);
    }
  }
  deleteLoadVmsAfterScenario(world);
  await waitUntilRunning(world, state.seeded.map((vm) => vm.id), 30_000);
}

/** One ledger entry deleting whatever VMs the scenario's load left, 10 at a time. */
export function deleteLoadVmsAfterScenario(world: NovaWorld): void {
  const state = fixtures(world);
  if (world.state.has('performance-cleanup')) return;
  world.state.set('performance-cleanup', true);
  world.ledger.add('virtual machines created by the load', async () => {
    const admin = await world.suite.admin();
    const ids = [...state.created];
    for (let start = 0; start < ids.length; start += 10) {
      const answers = await Promise.all(ids.slice(start, start + 10).map((id) => admin.delete(`/api/v1/vms/${id}`)));
      const failed = answers.filter((answer) => answer.status !== 200 && answer.status !== 404);
      if (failed.length > 0) throw new Error(`${failed.length} deletions answered ${failed.map((answer) => answer.status).join(', ')}`);
    }
    state.created.clear();
  });
}

/** The VMs of this scenario, found by its tag. */
export async function scenarioVms(world: NovaWorld): Promise<Vm[]> {
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', { params: { tag: world.scenarioTag, page_size: 500 } });
  expectStatus(response, 200, "listing the scenario's virtual machines");
  return response.data.items;
}

/** Waits until every one of these VMs of the scenario is running; answers how long it took. */
export async function waitUntilRunning(world: NovaWorld, ids: string[], timeoutMs: number): Promise<number> {
  const wanted = new Set(ids);
  const { elapsedMs } = await eventually(
    async () => (await scenarioVms(world)).filter((vm) => wanted.has(vm.id) && vm.state === 'running').length,
    (running) => running === wanted.size,
    { timeoutMs, intervalMs: 100, what: `${wanted.size} virtual machines running` },
  );
  return elapsedMs;
}

/** One account per simulated user (viewers, deleted after the scenario), signed in; answers the first `count` tokens. */
export async function createLoadAccounts(world: NovaWorld, count: number): Promise<string[]> {
  const state = fixtures(world);
  const admin = await world.suite.admin();
  for (let start = state.users.length; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) => start + i + 1);
    const tokens = await Promise.all(
      batch.map(async (n) => {
        const username = world.unique(`user-${n}`);
        const password = `load-${world.runId}-${n}`;
        const created = await admin.post<{ id: string }>('/api/v1/users', { username, email: `${username}@load.novacron.test`, password, role: 'viewer' });
        expectStatus(created, 201, `creating the account of load user ${n}`);
        world.ledger.add(`load user ${username}`, async () => {
          const deleted = await (await world.suite.admin()).delete(`/api/v1/users/${created.data.id}`);
          if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
        });
        return (await login(world, username, password)).token;
      }),
    );
    state.users.push(...tokens);
  }
  return state.users.slice(0, count);
}
