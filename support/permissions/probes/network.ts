import assert from 'node:assert/strict';
import type { ApiClient } from '../../api-client';
import { adminRead, createdAs, deletionProbe, fields, goneAfterwards, pageHolding, readProbe, type Probe } from '../probe';

const AREA = 'networks';

const attachedVms = async (admin: ApiClient, segment: string): Promise<string[]> =>
  (await adminRead<{ items: { vm_id: string }[] }>(admin, `/api/v1/networks/${segment}/attachments`, { page_size: 500 })).items.map((a) => a.vm_id).sort();

export const NETWORK_PROBES: Record<string, Probe> = {
  'GET /api/v1/networks': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => pageHolding(admin, '/api/v1/networks', (await fixtures.steadyNetwork()).first.id),
  },
  'POST /api/v1/networks': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      // The subnet comes from a segment made and deleted here, so it is free and no other call takes it.
      const probe = await fixtures.segment();
      const { subnet } = await adminRead<{ subnet: string }>(admin, `/api/v1/networks/${probe.id}`);
      const removed = await admin.delete(`/api/v1/networks/${probe.id}`);
      assert.equal(removed.status, 200, `freeing the subnet ${subnet} answered ${removed.status}`);
      const name = fixtures.name('net');
      return {
        path: '/api/v1/networks',
        body: { name, subnet },
        effect: createdAs(fixtures, '/api/v1/networks', { name, subnet }),
      };
    },
  },
  'GET /api/v1/networks/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/networks/${(await fixtures.steadyNetwork()).first.id}` }), fields('id', 'name', 'subnet', 'gateway', 'type')),
  'DELETE /api/v1/networks/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/networks/${(await fixtures.segment()).id}`),
  'GET /api/v1/networks/{id}/attachments': readProbe(
    AREA,
    async ({ fixtures }) => ({ path: `/api/v1/networks/${(await fixtures.steadyNetwork()).first.id}/attachments` }),
    (data) => ((data as { items?: { vm_id: string; ip_address: string }[] }).items ?? []).map(fields('vm_id', 'ip_address')),
  ),
  'POST /api/v1/networks/{id}/attachments': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const [segment, vm] = await Promise.all([fixtures.segment(), fixtures.steadyVm()]);
      return {
        path: `/api/v1/networks/${segment.id}/attachments`,
        body: { vm_id: vm.id },
        observe: () => attachedVms(admin, segment.id),
        effect: async () => {
          fixtures.detachAfterwards(segment, vm);
          assert.deepEqual(await attachedVms(admin, segment.id), [vm.id], `the VM ${vm.name} is not attached to ${segment.name}`);
        },
      };
    },
  },
  'DELETE /api/v1/networks/{id}/attachments/{vmId}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const [segment, vm] = await Promise.all([fixtures.segment(), fixtures.steadyVm()]);
      await fixtures.attach(segment, vm);
      return {
        path: `/api/v1/networks/${segment.id}/attachments/${vm.id}`,
        observe: () => attachedVms(admin, segment.id),
        effect: async () => assert.deepEqual(await attachedVms(admin, segment.id), [], `the VM ${vm.name} is still attached to ${segment.name}`),
      };
    },
  },
  'POST /api/v1/networks/connectivity-test': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { vms } = await fixtures.steadyNetwork();
      const body = { source_vm_id: vms[0].id, destination_vm_id: vms[1].id, protocol: 'tcp', port: 22 };
      return {
        path: '/api/v1/networks/connectivity-test',
        body,
        effect: async (answer) => {
          const verdict = fields('reachable', 'decided_by', 'rule')(answer.data);
          const admins = await admin.post('/api/v1/networks/connectivity-test', body);
          assert.deepEqual(verdict, fields('reachable', 'decided_by', 'rule')(admins.data), `its verdict differs from the administrator's`);
          assert.equal((answer.data as { reachable?: boolean }).reachable, true, 'two VMs on one segment do not reach each other');
        },
      };
    },
  },
  'GET /api/v1/network-policies': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => pageHolding(admin, '/api/v1/network-policies', (await fixtures.steadyNetwork()).policy.id),
  },
  'POST /api/v1/network-policies': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const { first, second } = await fixtures.steadyNetwork();
      const name = fixtures.name('policy');
      const request = { name, source_network_id: second.id, destination_network_id: first.id, protocol: 'udp', ports: [53], action: 'allow' };
      return {
        path: '/api/v1/network-policies',
        body: request,
        effect: createdAs(fixtures, '/api/v1/network-policies', request),
      };
    },
  },
  'GET /api/v1/network-policies/{id}': readProbe(
    AREA,
    async ({ fixtures }) => ({ path: `/api/v1/network-policies/${(await fixtures.steadyNetwork()).policy.id}` }),
    fields('id', 'name', 'source_network_id', 'destination_network_id', 'protocol', 'ports', 'action', 'priority'),
  ),
  'DELETE /api/v1/network-policies/{id}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { first, second } = await fixtures.steadyNetwork();
      const path = `/api/v1/network-policies/${(await fixtures.policy(second, first)).id}`;
      return { path, ...goneAfterwards(admin, path) };
    },
  },
};
