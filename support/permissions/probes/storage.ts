import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApiClient } from '../../api-client';
import { eventually } from '../../tasks/expect';
import { adminRead, createdAs, deletionProbe, fields, itemIds, readProbe, type Probe } from '../probe';

const AREA = 'storage';

const volumeView = fields('id', 'name', 'size', 'tier', 'vm_id', 'created_at');
const volumeOf = (admin: ApiClient, id: string) => adminRead<{ tier: string; vm_id: string | null; state: string }>(admin, `/api/v1/storage/volumes/${id}`);

export const STORAGE_PROBES: Record<string, Probe> = {
  'GET /api/v1/storage/tiers': readProbe(AREA, () => Promise.resolve({ path: '/api/v1/storage/tiers' }), (data) =>
    ((data as { items?: { name: string; media: string; capacity_gb: number }[] }).items ?? []).map(fields('name', 'media', 'capacity_gb')),
  ),
  'POST /api/v1/storage/tiers/{tier}/throughput-test': {
    area: AREA,
    prepare: () =>
      Promise.resolve({
        path: '/api/v1/storage/tiers/WARM/throughput-test',
        effect: (answer) => {
          const measured = answer.data as { tier: string; write_mb_s: number; read_mb_s: number };
          assert.equal(measured.tier, 'WARM', `it measured the tier ${measured.tier}, not WARM`);
          assert.ok(measured.write_mb_s > 0 && measured.read_mb_s > 0, `it measured no throughput: ${JSON.stringify(measured)}`);
        },
      }),
  },
  'GET /api/v1/storage/volumes': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const volume = await fixtures.steadyVolume();
      return {
        path: '/api/v1/storage/volumes',
        params: { vm_id: volume.vm_id, page_size: 500 },
        effect: (answer) => assert.ok(itemIds(answer.data).includes(volume.id), `the volumes of the VM ${volume.vm_id} do not include ${volume.name}`),
      };
    },
  },
  'POST /api/v1/storage/volumes': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const name = fixtures.name('vol');
      return {
        path: '/api/v1/storage/volumes',
        body: { name, size: 1, tier: 'COLD' },
        effect: createdAs(fixtures, '/api/v1/storage/volumes', { name, size: 1, tier: 'COLD' }),
      };
    },
  },
  'GET /api/v1/storage/volumes/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/storage/volumes/${(await fixtures.steadyVolume()).id}` }), volumeView),
  'DELETE /api/v1/storage/volumes/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/storage/volumes/${(await fixtures.volume()).id}`),
  'POST /api/v1/storage/volumes/{id}/attach': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const [volume, vm] = await Promise.all([fixtures.volume(), fixtures.steadyVm()]);
      const attachedTo = async () => (await volumeOf(admin, volume.id)).vm_id;
      return {
        path: `/api/v1/storage/volumes/${volume.id}/attach`,
        body: { vm_id: vm.id },
        observe: attachedTo,
        effect: async () => assert.equal(await attachedTo(), vm.id, `the volume ${volume.name} is not attached to ${vm.name}`),
      };
    },
  },
  'POST /api/v1/storage/volumes/{id}/detach': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const volume = await fixtures.attachedVolume();
      const attachedTo = async () => (await volumeOf(admin, volume.id)).vm_id;
      return {
        path: `/api/v1/storage/volumes/${volume.id}/detach`,
        observe: attachedTo,
        effect: async () => assert.equal(await attachedTo(), null, `the volume ${volume.name} is still attached`),
      };
    },
  },
  'POST /api/v1/storage/volumes/{id}/migrate': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const volume = await fixtures.volume('HOT');
      const tierOf = async () => (await volumeOf(admin, volume.id)).tier;
      return {
        path: `/api/v1/storage/volumes/${volume.id}/migrate`,
        body: { target_tier: 'WARM' },
        observe: tierOf,
        effect: async () => {
          await eventually(tierOf, (tier) => tier === 'WARM', { timeoutMs: 15_000, what: `the volume ${volume.name} on WARM` });
        },
      };
    },
  },
  'GET /api/v1/storage/volumes/{id}/data': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const volume = await fixtures.steadyVolume();
      const length = Buffer.from(volume.data, 'base64').length;
      return {
        path: `/api/v1/storage/volumes/${volume.id}/data`,
        params: { offset: 0, length },
        effect: (answer) => assert.equal((answer.data as { data?: string }).data, volume.data, `it read other bytes than those written to ${volume.name}`),
      };
    },
  },
  'PUT /api/v1/storage/volumes/{id}/data': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const volume = await fixtures.volume();
      const data = randomBytes(32).toString('base64');
      const read = async () => (await adminRead<{ data: string }>(admin, `/api/v1/storage/volumes/${volume.id}/data`, { offset: 0, length: 32 })).data;
      return {
        path: `/api/v1/storage/volumes/${volume.id}/data`,
        body: { offset: 0, data },
        observe: read,
        effect: async () => assert.equal(await read(), data, `the volume ${volume.name} does not hold the bytes written`),
      };
    },
  },
};
