import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApiClient } from '../../api-client';
import { adminRead, fields, goneAfterwards, readProbe, type Probe } from '../probe';

const AREA = 'consensus';

interface Network {
  partitions: string[][];
  links: { from: string; to: string; delay_ms: number; drop_rate: number }[];
}

const networkOf = async (admin: ApiClient, cluster: string): Promise<Network> => (await adminRead<{ network: Network }>(admin, '/api/v1/cluster/status', { cluster })).network;
const roleOf = async (admin: ApiClient, cluster: string, node: string): Promise<string> => (await adminRead<{ role: string }>(admin, `/api/v1/cluster/nodes/${node}`, { cluster })).role;

/** A read of the shared cluster's `path`, compared with the administrator's through `view`. */
function clusterRead(path: (nodes: string[], key: string) => string, view?: (data: unknown) => unknown): Probe {
  return readProbe(
    AREA,
    async ({ fixtures }) => {
      const cluster = await fixtures.steadyCluster();
      return { path: path(cluster.nodes, cluster.key), params: { cluster: cluster.id } };
    },
    view,
  );
}

export const CONSENSUS_PROBES: Record<string, Probe> = {
  'GET /api/v1/cluster/status': clusterRead(() => '/api/v1/cluster/status', fields('cluster_id', 'size', 'seed')),
  'GET /api/v1/cluster/nodes': clusterRead(() => '/api/v1/cluster/nodes', (data) => ((data as { items?: { id: string }[] }).items ?? []).map((node) => node.id).sort()),
  'GET /api/v1/cluster/nodes/{node_id}': clusterRead(([node]) => `/api/v1/cluster/nodes/${node}`, fields('id')),
  'GET /api/v1/cluster/nodes/{node_id}/log': clusterRead(([node]) => `/api/v1/cluster/nodes/${node}/log`, fields('node_id')),
  // The leader may change between two reads; whoever it is must be a node of the cluster, in a term.
  'GET /api/v1/cluster/leader': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const cluster = await fixtures.steadyCluster();
      return {
        path: '/api/v1/cluster/leader',
        params: { cluster: cluster.id },
        effect: (answer) => {
          const leader = answer.data as { node_id?: string | null; term?: number };
          assert.ok(cluster.nodes.includes(String(leader.node_id)) && (leader.term ?? 0) >= 1, `the leader ${JSON.stringify(leader)} is not a node of ${cluster.nodes.join(', ')} in a term`);
        },
      };
    },
  },
  'GET /api/v1/cluster/observations': clusterRead(() => '/api/v1/cluster/observations', (data) =>
    (data as { items?: unknown[] }).items?.slice(0, 3).map(fields('sequence', 'node_id', 'term', 'role')),
  ),
  'GET /api/v1/cluster/reads/{key}': clusterRead((_, key) => `/api/v1/cluster/reads/${key}`, fields('key', 'found', 'value')),
  'POST /api/v1/cluster/writes': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id } = await fixtures.steadyCluster();
      const key = fixtures.name('key');
      const value = randomBytes(6).toString('hex');
      const read = async () => fields('found', 'value')(await adminRead(admin, `/api/v1/cluster/reads/${key}`, { cluster: id }));
      return {
        path: '/api/v1/cluster/writes',
        params: { cluster: id },
        body: { key, value },
        observe: read,
        effect: async () => assert.deepEqual(await read(), { found: true, value }, `the key ${key} it wrote does not read back as written`),
      };
    },
  },
  'POST /api/v1/simulation/clusters': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => ({
      path: '/api/v1/simulation/clusters',
      body: { size: 3 },
      effect: async (answer) => {
        const id = (answer.data as { cluster_id: string }).cluster_id;
        fixtures.removeAfterwards(`simulated cluster ${id}`, `/api/v1/simulation/clusters/${id}`);
        const status = await adminRead<{ size: number }>(admin, '/api/v1/cluster/status', { cluster: id });
        assert.equal(status.size, 3, `the cluster ${id} it started has ${status.size} nodes, not 3`);
      },
    }),
  },
  'DELETE /api/v1/simulation/clusters/{cluster_id}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id } = await fixtures.cluster();
      return { path: `/api/v1/simulation/clusters/${id}`, ...goneAfterwards(admin, '/api/v1/cluster/status', { cluster: id }) };
    },
  },
  'POST /api/v1/simulation/cluster/nodes/{node_id}/fail': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      return {
        path: `/api/v1/simulation/cluster/nodes/${nodes[0]}/fail`,
        params: { cluster: id },
        observe: () => roleOf(admin, id, nodes[0]),
        effect: async () => assert.equal(await roleOf(admin, id, nodes[0]), 'stopped', `the node ${nodes[0]} it failed is not stopped`),
      };
    },
  },
  'POST /api/v1/simulation/cluster/nodes/{node_id}/restart': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      const failed = await admin.post(`/api/v1/simulation/cluster/nodes/${nodes[0]}/fail?cluster=${encodeURIComponent(id)}`);
      assert.equal(failed.status, 200, `failing the node ${nodes[0]} to restart it answered ${failed.status}`);
      return {
        path: `/api/v1/simulation/cluster/nodes/${nodes[0]}/restart`,
        params: { cluster: id },
        observe: () => roleOf(admin, id, nodes[0]),
        effect: async () => assert.notEqual(await roleOf(admin, id, nodes[0]), 'stopped', `the node ${nodes[0]} it restarted is still stopped`),
      };
    },
  },
  'POST /api/v1/simulation/cluster/partition': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      return {
        path: '/api/v1/simulation/cluster/partition',
        params: { cluster: id },
        body: { groups: [[nodes[0]]] },
        observe: () => networkOf(admin, id),
        effect: async () => {
          const { partitions } = await networkOf(admin, id);
          assert.ok(partitions.some((group) => group.length === 1 && group[0] === nodes[0]), `${nodes[0]} is not cut off alone: partitions ${JSON.stringify(partitions)}`);
        },
      };
    },
  },
  'POST /api/v1/simulation/cluster/heal': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      const cut = await admin.post(`/api/v1/simulation/cluster/partition?cluster=${encodeURIComponent(id)}`, { groups: [[nodes[0]]] });
      assert.equal(cut.status, 200, `partitioning the cluster to heal it answered ${cut.status}`);
      return {
        path: '/api/v1/simulation/cluster/heal',
        params: { cluster: id },
        observe: () => networkOf(admin, id),
        effect: async () => assert.deepEqual((await networkOf(admin, id)).partitions, [], 'the partition it healed is still there'),
      };
    },
  },
  'PUT /api/v1/simulation/cluster/links': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      const link = { from: nodes[0], to: nodes[1], delay_ms: 25, drop_rate: 0 };
      return {
        path: '/api/v1/simulation/cluster/links',
        params: { cluster: id },
        body: link,
        observe: () => networkOf(admin, id),
        effect: async () => assert.deepEqual((await networkOf(admin, id)).links, [link], 'the cluster does not report the delayed link it set'),
      };
    },
  },
  'DELETE /api/v1/simulation/cluster/links': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { id, nodes } = await fixtures.cluster();
      const slowed = await admin.put(`/api/v1/simulation/cluster/links?cluster=${encodeURIComponent(id)}`, { from: nodes[0], to: nodes[1], delay_ms: 25 });
      assert.equal(slowed.status, 200, `slowing a link to reset it answered ${slowed.status}`);
      return {
        path: '/api/v1/simulation/cluster/links',
        params: { cluster: id },
        observe: () => networkOf(admin, id),
        effect: async () => assert.deepEqual((await networkOf(admin, id)).links, [], 'the links it made healthy are still slowed'),
      };
    },
  },
};

