import assert from 'node:assert/strict';
import type { ApiClient } from '../../api-client';
import { eventually } from '../../tasks/expect';
import { adminRead, allItems, createdAs, deletionProbe, fields, itemIds, pageHolding, readProbe, type Probe } from '../probe';

const AREA = 'federation';

const reachableOf = async (admin: ApiClient, member: string): Promise<boolean> => (await adminRead<{ reachable: boolean }>(admin, `/api/v1/federation/members/${member}`)).reachable;

/** The state of a federated VM's record on the member that owns it ("gone" once no member answers for it). */
async function ownerState(admin: ApiClient, vmId: string): Promise<string> {
  const replicas = await admin.get<{ cluster_id: string; items: { cluster_id: string; state: string | null }[] }>(`/api/v1/federation/vms/${vmId}/replicas`, { retries: 0 });
  if (replicas.status === 404) return 'gone';
  assert.equal(replicas.status, 200, `reading the replicas of ${vmId} answered ${replicas.status}`);
  return String(replicas.data.items.find((item) => item.cluster_id === replicas.data.cluster_id)?.state ?? 'gone');
}

export const FEDERATION_PROBES: Record<string, Probe> = {
  'GET /api/v1/federation/status': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const member = await fixtures.steadyMember();
      return {
        path: '/api/v1/federation/status',
        effect: (answer) => {
          const members = (answer.data as { members?: { id: string }[] }).members ?? [];
          assert.ok(members.some((m) => m.id === member.id), `the status does not show the member ${member.name}`);
        },
      };
    },
  },
  'GET /api/v1/federation/members': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => pageHolding(admin, '/api/v1/federation/members', (await fixtures.steadyMember()).id),
  },
  'POST /api/v1/federation/members': {
    area: AREA,
    prepare: async ({ world, admin, fixtures }) => {
      const name = fixtures.name('member');
      return {
        path: '/api/v1/federation/members',
        body: { name, region: `pm-${world.runId}`, nodes: [{ cpu: 4, memory_mb: 8192 }] },
        observe: async () => (await allItems<{ name: string }>(admin, '/api/v1/federation/members')).filter((member) => member.name === name).length,
        effect: createdAs(fixtures, '/api/v1/federation/members', { name }),
      };
    },
  },
  'GET /api/v1/federation/members/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/federation/members/${(await fixtures.steadyMember()).id}` }), fields('id', 'name', 'region', 'joined_at')),
  'DELETE /api/v1/federation/members/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/federation/members/${(await fixtures.member()).id}`),
  'GET /api/v1/federation/members/{id}/vms': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const vm = await fixtures.steadyFederatedVm();
      return {
        path: `/api/v1/federation/members/${vm.cluster_id}/vms`,
        params: { page_size: 500 },
        effect: (answer) => assert.ok(itemIds(answer.data).includes(vm.id), `the member that runs ${vm.name} does not list it`),
      };
    },
  },
  'POST /api/v1/federation/members/{id}/vms': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const [member, local] = await Promise.all([fixtures.steadyMember(), fixtures.localMemberId()]);
      const name = fixtures.name('fvm');
      return {
        path: `/api/v1/federation/members/${local}/vms`,
        body: { name, cpu_shares: 1, memory_mb: 512, target_cluster: member.id },
        effect: async (answer) => {
          const id = (answer.data as { id: string }).id;
          fixtures.removeAfterwards(`federated VM ${name}`, `/api/v1/federation/vms/${id}`);
          const record = await adminRead<{ name: string; cluster_id: string }>(admin, `/api/v1/federation/members/${member.id}/vms/${id}`);
          assert.deepEqual({ name: record.name, cluster_id: record.cluster_id }, { name, cluster_id: member.id }, `the federated VM ${name} is not placed on ${member.name} as asked`);
        },
      };
    },
  },
  'GET /api/v1/federation/members/{id}/vms/{vmId}': readProbe(
    AREA,
    async ({ fixtures }) => ({ path: `/api/v1/federation/members/${(await fixtures.steadyMember()).id}/vms/${(await fixtures.steadyFederatedVm()).id}` }),
    fields('id', 'name', 'cluster_id', 'created_at'),
  ),
  'DELETE /api/v1/federation/vms/{vmId}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const vm = await fixtures.federatedVm();
      return {
        path: `/api/v1/federation/vms/${vm.id}`,
        observe: async () => ['gone', 'deleted'].includes(await ownerState(admin, vm.id)),
        effect: async () => {
          await eventually(() => ownerState(admin, vm.id), (state) => state === 'gone' || state === 'deleted', { timeoutMs: 5000, what: `the federated VM ${vm.name} deleted on its owner` });
        },
      };
    },
  },
  'GET /api/v1/federation/vms/{vmId}/replicas': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/federation/vms/${(await fixtures.steadyFederatedVm()).id}/replicas` }), fields('vm_id', 'cluster_id')),
  'POST /api/v1/simulation/federation/members/{id}/unreachable': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const member = await fixtures.member();
      return {
        path: `/api/v1/simulation/federation/members/${member.id}/unreachable`,
        observe: () => reachableOf(admin, member.id),
        effect: async () => assert.equal(await reachableOf(admin, member.id), false, `the member ${member.name} is still reachable`),
      };
    },
  },
  'POST /api/v1/simulation/federation/members/{id}/reachable': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const member = await fixtures.member();
      const cut = await admin.post(`/api/v1/simulation/federation/members/${member.id}/unreachable`);
      assert.equal(cut.status, 200, `making the member ${member.name} unreachable answered ${cut.status}`);
      return {
        path: `/api/v1/simulation/federation/members/${member.id}/reachable`,
        observe: () => reachableOf(admin, member.id),
        effect: async () => assert.equal(await reachableOf(admin, member.id), true, `the member ${member.name} is still unreachable`),
      };
    },
  },
};
