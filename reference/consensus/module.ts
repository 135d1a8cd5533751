import { randomInt } from 'node:crypto';
import { badRequest, HttpError, invalidInput, notFound, type FieldError } from '../http/errors';
import { reply, type ApiRequest, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { ClusterInputError, MAX_CLUSTER_SIZE, MIN_CLUSTER_SIZE, type ClusterStatus, type RaftCluster } from './cluster';
import type { LogEntry, WriteOutcome } from './messages';
import type { NetworkView } from './network';
import type { NodeStatus } from './node';
import { ClusterRegistry } from './registry';
import { CORE_FAULTS } from '../core/faults';

/**
 * The control plane's consensus cluster over HTTP: `/api/v1/cluster/...` reads its state and takes
 * writes and reads through any node; `/api/v1/simulation/cluster/...` (admin, test support) fails
 * and restarts nodes, partitions the network and degrades links; `/api/v1/simulation/clusters`
 * creates clusters of the scenario's own, addressed with `?cluster=<id>` on every route.
 * The health gains a `consensus` component for the control plane's cluster.
 */
export function createConsensusModule(): ReferenceModule {
  let registry: ClusterRegistry | undefined;
  return {
    name: 'consensus',
    register(router: Router, ctx: ReferenceContext) {
      const clusters = new ClusterRegistry({ timers: ctx.timers, timings: ctx.timings, faults: ctx.faults });
      registry = clusters;
      ctx.health.register('consensus', () => clusters.healthCheck());
      ctx.components.onChange((component, failed) => {
        if (component === 'consensus') clusters.simulateQuorumLoss(failed);
      });
      const target = (request: ApiRequest): { id: string; cluster: RaftCluster } => clusters.get(request.query.get('cluster'));
      const guarded = (work: (request: ApiRequest) => unknown) => async (request: ApiRequest) => {
        try {
          return await work(request);
        } catch (error) {
          if (error instanceof ClusterInputError) throw error.kind === 'not-found' ? notFound(error.message) : badRequest(error.message, [{ field: error.field, message: error.message }]);
          throw error;
        }
      };

      router.get('/api/v1/cluster/status', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { id, cluster } = target(request);
        return statusView(id, cluster, cluster.status(), clusters);
      }));

      router.get('/api/v1/cluster/nodes', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        return { items: target(request).cluster.status().nodes.map(nodeView) };
      }));

      router.get('/api/v1/cluster/nodes/:node_id', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        return nodeView(target(request).cluster.nodeStatus(request.params.node_id));
      }));

      router.get('/api/v1/cluster/nodes/:node_id/log', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { cluster } = target(request);
        const from = wholeNumberParam(request, 'from', 1);
        const node = cluster.nodeStatus(request.params.node_id);
        return { node_id: node.id, commit_index: node.commitIndex, entries: cluster.committedEntries(node.id, from).map(entryView) };
      }));

      router.get('/api/v1/cluster/leader', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { cluster } = target(request);
        return leaderView(cluster, cluster.status(), clusters);
      }));

      router.get('/api/v1/cluster/observations', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { cluster } = target(request);
        const items = cluster.observations(wholeNumberParam(request, 'since', 0)).map((o) => ({
          sequence: o.sequence,
          node_id: o.node,
          term: o.term,
          role: o.role,
          timestamp: clusters.isoTime(o.at),
        }));
        return { items, latest: items.length > 0 ? items[items.length - 1].sequence : wholeNumberParam(request, 'since', 0) };
      }));

      router.post('/api/v1/cluster/writes', guarded(async (request) => {
        ctx.auth.requireRole(request, 'operator');
        const { cluster } = target(request);
        const write = parseWrite(request.body);
        const via = write.node_id ?? cluster.status().leader?.id ?? cluster.nodeIds[0];
        const outcome = await cluster.write(via, write.key, write.value);
        if (outcome.status === 'committed') {
          return reply.created({ key: write.key, value: write.value, node_id: via, leader_id: outcome.leader, index: outcome.index, term: outcome.term, status: 'committed' });
        }
        throw writeFailure(via, outcome);
      }));

      router.get('/api/v1/cluster/reads/:key', guarded((request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { cluster } = target(request);
        const via = request.query.get('node_id') ?? cluster.status().leader?.id ?? cluster.nodeIds[0];
        const node = cluster.nodeStatus(via);
        if (node.role === 'stopped') throw new HttpError(503, `node ${via} is stopped and cannot answer`);
        const read = cluster.read(via, request.params.key);
        return { key: request.params.key, found: read.found, value: read.value ?? null, node_id: via, commit_index: read.commitIndex, term: read.term };
      }));

      if (!ctx.options.simulation) return;
      const simulatorRole = CORE_FAULTS.on(ctx.faults).clusterSimulationOpenToOperators ? 'operator' : 'admin';
      const admin = (request: ApiRequest): void => void ctx.auth.requireRole(request, simulatorRole);

      router.post('/api/v1/simulation/clusters', guarded((request) => {
        admin(request);
        const { size, seed } = parseNewCluster(request.body);
        const { id, cluster } = clusters.createSimulated(size, seed);
        ctx.log.info(`simulation: cluster ${id} of ${size} nodes (seed ${seed}) started`);
        return reply.created(statusView(id, cluster, cluster.status(), clusters));
      }));

      router.delete('/api/v1/simulation/clusters/:cluster_id', guarded((request) => {
        admin(request);
        clusters.deleteSimulated(request.params.cluster_id);
        return { id: request.params.cluster_id, status: 'deleted' };
      }));

      router.post('/api/v1/simulation/cluster/nodes/:node_id/fail', guarded((request) => {
        admin(request);
        const { id, cluster } = target(request);
        cluster.stopNode(request.params.node_id);
        ctx.log.info(`simulation: node ${request.params.node_id} of cluster ${id} has failed`);
        return { node_id: request.params.node_id, status: 'stopped' };
      }));

      router.post('/api/v1/simulation/cluster/nodes/:node_id/restart', guarded((request) => {
        admin(request);
        const { id, cluster } = target(request);
        cluster.restartNode(request.params.node_id);
        ctx.log.info(`simulation: node ${request.params.node_id} of cluster ${id} restarted`);
        return { node_id: request.params.node_id, status: 'running' };
      }));

      router.post('/api/v1/simulation/cluster/partition', guarded((request) => {
        admin(request);
        const { cluster } = target(request);
        cluster.partition(parsePartition(request.body));
        return networkView(cluster.status().network);
      }));

      router.post('/api/v1/simulation/cluster/heal', guarded((request) => {
        admin(request);
        const { cluster } = target(request);
        cluster.heal();
        return networkView(cluster.status().network);
      }));

      router.put('/api/v1/simulation/cluster/links', guarded((request) => {
        admin(request);
        const { cluster } = target(request);
        const change = parseLinkChange(request.body);
        for (const node of [change.from, change.to]) if (node !== undefined) cluster.nodeStatus(node);
        const condition = { ...(change.delay_ms === undefined ? {} : { delayMs: change.delay_ms }), ...(change.drop_rate === undefined ? {} : { dropRate: change.drop_rate }) };
        for (const from of cluster.nodeIds) {
          for (const to of cluster.nodeIds) {
            if (from !== to && (change.from ?? from) === from && (change.to ?? to) === to) cluster.setLink(from, to, condition);
          }
        }
        return networkView(cluster.status().network);
      }));

      router.delete('/api/v1/simulation/cluster/links', guarded((request) => {
        admin(request);
        const { cluster } = target(request);
        cluster.clearLinks();
        return networkView(cluster.status().network);
      }));
    },
    start() {
      registry?.start();
    },
    stop() {
      registry?.closeAll();
    },
  };
}

// ---- views (the API's snake_case shapes) ----

function statusView(id: string, cluster: RaftCluster, status: ClusterStatus, clusters: ClusterRegistry): Record<string, unknown> {
  return {
    cluster_id: id,
    size: cluster.size,
    seed: cluster.seed,
    leader: leaderView(cluster, status, clusters),
    quorum: status.quorum,
    nodes: status.nodes.map(nodeView),
    network: networkView(status.network),
  };
}

function leaderView(cluster: RaftCluster, status: ClusterStatus, clusters: ClusterRegistry): Record<string, unknown> {
  if (!status.leader) return { node_id: null, term: null, since: null };
  const since = cluster.leaderSince(status.leader.id, status.leader.term);
  return { node_id: status.leader.id, term: status.leader.term, since: since === undefined ? null : clusters.isoTime(since) };
}

function nodeView(node: NodeStatus): Record<string, unknown> {
  return {
    id: node.id,
    role: node.role,
    term: node.term,
    voted_for: node.votedFor,
    leader_id: node.leaderId,
    commit_index: node.commitIndex,
    last_log_index: node.lastLogIndex,
    last_log_term: node.lastLogTerm,
    has_quorum: node.hasQuorum,
  };
}

function entryView(entry: LogEntry): Record<string, unknown> {
  const { command } = entry;
  return command.kind === 'put'
    ? { index: entry.index, term: entry.term, kind: 'put', id: command.id, key: command.key, value: command.value }
    : { index: entry.index, term: entry.term, kind: 'noop' };
}

function networkView(view: NetworkView): Record<string, unknown> {
  return { partitions: view.partitions, links: view.links.map((l) => ({ from: l.from, to: l.to, delay_ms: l.delayMs, drop_rate: l.dropRate })) };
}

function writeFailure(via: string, outcome: Exclude<WriteOutcome, { status: 'committed' }>): HttpError {
  if (outcome.status === 'refused') {
    const why = { 'no-quorum': 'the leader cannot reach a majority', 'no-leader': 'no leader could be found in time', 'node-stopped': `node ${via} is stopped` }[outcome.reason];
    return new HttpError(503, `the write was refused and not applied: ${why}`, undefined, { body: { outcome: 'refused', reason: outcome.reason } });
  }
  return new HttpError(503, `the write was not acknowledged: ${outcome.reason}; it may still be applied`, undefined, { body: { outcome: 'unknown', reason: outcome.reason } });
}

// ---- input ----

const KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function body(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidInput(what, [{ field: 'body', message: 'must be a JSON object' }]);
  return input as Record<string, unknown>;
}

function parseWrite(input: unknown): { key: string; value: string; node_id?: string } {
  const fields = body(input, 'write');
  const details: FieldError[] = [];
  if (typeof fields.key !== 'string' || !KEY.test(fields.key)) details.push({ field: 'key', message: 'must be 1 to 128 characters of A-Z, a-z, 0-9, . _ : -' });
  if (typeof fields.value !== 'string' || fields.value.length > 1024) details.push({ field: 'value', message: 'must be a string of at most 1024 characters' });
  if (fields.node_id !== undefined && typeof fields.node_id !== 'string') details.push({ field: 'node_id', message: 'must be a node id such as node-1' });
  if (details.length > 0) throw invalidInput('write', details);
  return { key: fields.key as string, value: fields.value as string, ...(fields.node_id === undefined ? {} : { node_id: fields.node_id as string }) };
}

function parseNewCluster(input: unknown): { size: number; seed: number } {
  const fields = input === undefined ? {} : body(input, 'cluster');
  const details: FieldError[] = [];
  const size = fields.size ?? MIN_CLUSTER_SIZE;
  const seed = fields.seed ?? randomInt(1, 2 ** 31);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < MIN_CLUSTER_SIZE || size > MAX_CLUSTER_SIZE) {
    details.push({ field: 'size', message: `must be a whole number from ${MIN_CLUSTER_SIZE} to ${MAX_CLUSTER_SIZE}` });
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) details.push({ field: 'seed', message: 'must be a whole number from 0 to 2147483647' });
  if (details.length > 0) throw invalidInput('cluster', details);
  return { size: size as number, seed: seed as number };
}

function parsePartition(input: unknown): string[][] {
  const groups = body(input, 'partition').groups;
  if (!Array.isArray(groups) || groups.length < 1 || !groups.every((g) => Array.isArray(g) && g.every((id) => typeof id === 'string'))) {
    throw invalidInput('partition', [{ field: 'groups', message: 'must be a list of groups, each a list of node ids, such as [["node-1"], ["node-2", "node-3"]]' }]);
  }
  return groups as string[][];
}

function parseLinkChange(input: unknown): { from?: string; to?: string; delay_ms?: number; drop_rate?: number } {
  const fields = body(input, 'link change');
  const details: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') details.push({ field, message: 'must be a node id such as node-1' });
  }
  if (fields.delay_ms !== undefined && (typeof fields.delay_ms !== 'number' || !(fields.delay_ms >= 0 && fields.delay_ms <= 60_000))) {
    details.push({ field: 'delay_ms', message: 'must be a number of milliseconds from 0 to 60000' });
  }
  if (fields.drop_rate !== undefined && (typeof fields.drop_rate !== 'number' || !(fields.drop_rate >= 0 && fields.drop_rate <= 1))) {
    details.push({ field: 'drop_rate', message: 'must be a probability from 0 to 1' });
  }
  if (fields.delay_ms === undefined && fields.drop_rate === undefined) details.push({ field: 'delay_ms', message: 'or drop_rate is required' });
  if (fields.from !== undefined && fields.from === fields.to) details.push({ field: 'to', message: 'must differ from from' });
  if (details.length > 0) throw invalidInput('link change', details);
  return fields as { from?: string; to?: string; delay_ms?: number; drop_rate?: number };
}

function wholeNumberParam(request: ApiRequest, name: string, fallback: number): number {
  const raw = request.query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw invalidInput('query', [{ field: name, message: `must be a whole number, got "${raw}"` }]);
  return Number(raw);
}
