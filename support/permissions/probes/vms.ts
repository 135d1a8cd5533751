import assert from 'node:assert/strict';
import { StreamRefused } from '../../ws-client';
import { adminRead, createdAs, deletionProbe, fields, itemIds, readProbe, type Probe } from '../probe';

const AREA = 'virtual machines';

const migrationView = fields('id', 'vm_id', 'source_node_id', 'target_node_id', 'started_at');

export const VM_PROBES: Record<string, Probe> = {
  'GET /api/v1/vms': readProbe(
    AREA,
    async ({ fixtures }) => {
      await fixtures.steadyVm();
      return { path: '/api/v1/vms', params: { tag: fixtures.steadyTag } };
    },
    itemIds,
  ),
  'POST /api/v1/vms': {
    area: AREA,
    prepare: async ({ world, admin, fixtures }) => {
      const name = fixtures.name('vm');
      return {
        path: '/api/v1/vms',
        body: { name, cpu_shares: 1, memory_mb: 512, tags: [world.scenarioTag] },
        observe: async () => itemIds(await adminRead(admin, '/api/v1/vms', { name_prefix: name })),
        effect: createdAs(fixtures, '/api/v1/vms', { name, cpu_shares: 1, memory_mb: 512 }),
      };
    },
  },
  'GET /api/v1/vms/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/vms/${(await fixtures.steadyVm()).id}` }), fields('id', 'name', 'state', 'node_id', 'created_at')),
  'DELETE /api/v1/vms/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/vms/${(await fixtures.vm()).id}`),
  'GET /api/v1/vms/{id}/events': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/vms/${(await fixtures.steadyVm()).id}/events` }), (data) =>
    ((data as { items?: { id: string }[] }).items ?? []).map((event) => event.id),
  ),
  'POST /api/v1/vms/{id}/{action}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const vm = await fixtures.vm();
      const stateOf = async () => (await adminRead<{ state: string }>(admin, `/api/v1/vms/${vm.id}`)).state;
      return {
        path: `/api/v1/vms/${vm.id}/stop`,
        observe: stateOf,
        effect: async () => assert.equal(await stateOf(), 'stopped', `the VM ${vm.name} it stopped is not stopped`),
      };
    },
  },
  'GET /api/v1/dashboard/summary': readProbe(
    AREA,
    async ({ fixtures }) => {
      await fixtures.steadyVm();
      return { path: '/api/v1/dashboard/summary', params: { tag: fixtures.steadyTag } };
    },
    fields('vms'),
  ),
  'GET /ws/events': {
    area: AREA,
    prepare: async ({ world }) => ({
      path: '/ws/events',
      send: async (token) => {
        try {
          const stream = await world.openStream(token);
          await stream.waitFor(() => true, 5000, 'first message');
          return { status: 101, data: stream.received[0], operation: 'GET /ws/events' };
        } catch (error) {
          if (error instanceof StreamRefused) return { status: error.status ?? 0, data: { error: error.message }, operation: 'GET /ws/events' };
          throw error;
        }
      },
      effect: (answer) => assert.ok(typeof (answer.data as { type?: unknown }).type === 'string', `the stream's first message has no type: ${JSON.stringify(answer.data)}`),
    }),
  },
  'GET /api/v1/system/metrics': readProbe(AREA, () => Promise.resolve({ path: '/api/v1/system/metrics' }), (data) => Object.keys(data as object).sort()),

  // ------------------------------------------------------------------ live migration
  'POST /api/v1/vms/{id}/migrate': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const vm = await fixtures.vm();
      const target = await fixtures.otherNode(vm);
      const migrations = async () => itemIds(await adminRead(admin, `/api/v1/vms/${vm.id}/migrations`));
      return {
        path: `/api/v1/vms/${vm.id}/migrate`,
        body: { target_node_id: target },
        observe: migrations,
        effect: async (answer) => {
          const id = (answer.data as { id: string }).id;
          const migration = await adminRead<{ vm_id: string; target_node_id: string }>(admin, `/api/v1/migrations/${id}`);
          assert.deepEqual({ vm_id: migration.vm_id, target_node_id: migration.target_node_id }, { vm_id: vm.id, target_node_id: target }, 'the migration it started reads back differently');
          assert.deepEqual(await migrations(), [id], `the VM ${vm.name} does not list the one migration it started`);
        },
      };
    },
  },
  'GET /api/v1/migrations/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/migrations/${(await fixtures.migratedVm()).migrationId}` }), migrationView),
  'GET /api/v1/vms/{id}/migrations': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/vms/${(await fixtures.migratedVm()).vm.id}/migrations` }), itemIds),
  'GET /api/v1/vms/{id}/probe': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/vms/${(await fixtures.steadyVm()).id}/probe` }), fields('vm_id', 'reachable', 'node_id')),
  'GET /api/v1/nodes': readProbe(AREA, () => Promise.resolve({ path: '/api/v1/nodes', params: { page_size: 500 } }), (data) =>
    ((data as { items?: { id: string; capacity: unknown }[] }).items ?? []).map((node) => ({ id: node.id, capacity: node.capacity })),
  ),
};
