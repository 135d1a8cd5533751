import assert from 'node:assert/strict';
import type { ApiClient } from '../../api-client';
import { eventually } from '../../tasks/expect';
import { adminRead, allItems, createdAs, deletionProbe, fields, pageHolding, readProbe, type Probe } from '../probe';

const AREA = 'autoscaling';

/** CPU and memory use a VM reports, as the administrator reads them. */
async function useOf(admin: ApiClient, vmId: string): Promise<{ cpu: number; memory: number }> {
  const metrics = await adminRead<{ cpu_usage: number; memory_usage: number }>(admin, `/api/v1/vms/${vmId}/metrics`);
  return { cpu: metrics.cpu_usage, memory: metrics.memory_usage };
}

export const AUTOSCALING_PROBES: Record<string, Probe> = {
  'GET /api/v1/autoscaling/groups': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => pageHolding(admin, '/api/v1/autoscaling/groups', (await fixtures.steadyGroup()).id),
  },
  'POST /api/v1/autoscaling/groups': {
    area: AREA,
    prepare: async ({ world, admin, fixtures }) => {
      const name = fixtures.name('group');
      return {
        path: '/api/v1/autoscaling/groups',
        body: { name, min_size: 1, max_size: 2, vm_template: { tags: [world.scenarioTag] } },
        observe: async () => (await allItems<{ name: string }>(admin, '/api/v1/autoscaling/groups')).filter((group) => group.name === name).length,
        effect: createdAs(fixtures, '/api/v1/autoscaling/groups', { name }),
      };
    },
  },
  'GET /api/v1/autoscaling/groups/{id}': readProbe(
    AREA,
    async ({ fixtures }) => ({ path: `/api/v1/autoscaling/groups/${(await fixtures.steadyGroup()).id}` }),
    fields('id', 'name', 'created_at'),
  ),
  'DELETE /api/v1/autoscaling/groups/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/autoscaling/groups/${(await fixtures.group()).id}`),
  'GET /api/v1/autoscaling/groups/{id}/events': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/autoscaling/groups/${(await fixtures.steadyGroup()).id}/events` })),
  'GET /api/v1/vms/{id}/metrics': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/vms/${(await fixtures.steadyVm()).id}/metrics` }), fields('vm_id', 'state')),
  'POST /api/v1/simulation/vms/{id}/load': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const vm = await fixtures.vm();
      return {
        path: `/api/v1/simulation/vms/${vm.id}/load`,
        body: { cpu_usage: 73, memory_usage: 41 },
        observe: () => useOf(admin, vm.id),
        effect: async () => assert.deepEqual(await useOf(admin, vm.id), { cpu: 73, memory: 41 }, `the VM ${vm.name} does not report the load set`),
      };
    },
  },
  'POST /api/v1/simulation/autoscaling/groups/{id}/load': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const group = await fixtures.group();
      const { value } = await eventually(
        () => adminRead<{ members: string[] }>(admin, `/api/v1/autoscaling/groups/${group.id}`),
        (read) => read.members.length > 0,
        { timeoutMs: 10_000, what: `a member in the scaling group ${group.name}` },
      );
      const member = value.members[0];
      await eventually(() => adminRead<{ state: string }>(admin, `/api/v1/vms/${member}`), (vm) => vm.state === 'running', { timeoutMs: 15_000, what: `the member ${member} running` });
      const memberUse = () => useOf(admin, member);
      return {
        path: `/api/v1/simulation/autoscaling/groups/${group.id}/load`,
        // Between the group's thresholds, so that it does not resize meanwhile.
        body: { cpu_usage: 47, memory_usage: 43 },
        observe: memberUse,
        effect: async () => assert.deepEqual(await memberUse(), { cpu: 47, memory: 43 }, `a member of ${group.name} does not report the load set for the group`),
      };
    },
  },
};
