import assert from 'node:assert/strict';
import { ApiClient, type ApiResponse } from '../api-client';
import { ClusterWatch, ConsensusInvariantError } from '../invariants/cluster-watch';
import { checkHistory, type LoggedPut, type Operation, type WriteOperation } from '../invariants/history';
import { seeded } from '../invariants/seeded';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';

/**
 * Domain verbs for consensus scenarios. Each scenario gets a simulated cluster of its own (so it
 * can fail nodes and split the network without touching the control plane the health reports),
 * watched from creation to the end of the scenario by a ClusterWatch that feeds the consensus
 * invariant checker.
 */

type Role = 'leader' | 'follower' | 'candidate' | 'stopped';

interface ClusterNode {
  id: string;
  role: Role;
  term: number;
  leader_id: string | null;
  commit_index: number;
}

interface ClusterStatus {
  cluster_id: string;
  leader: { node_id: string | null; term: number | null; since: string | null };
  quorum: boolean;
  nodes: ClusterNode[];
}

interface Leader {
  id: string;
  term: number;
}

interface WriteAttempt {
  key: string;
  value: string;
  via: string;
  outcome: 'committed' | 'refused' | 'unknown';
  reason?: string;
  durationMs: number;
}

/** Which node a client talks to, in the words of the feature. */
export type NodeChoice = 'the leader' | 'any node' | 'the cut-off node' | 'the connected nodes' | string;

interface ConsensusState {
  clusterId: string;
  watch: ClusterWatch;
  leaderAtStart?: Leader;
  failedLeader?: Leader;
  /** Nodes this scenario failed and has not restarted. */
  failed: string[];
  restarted: string[];
  cutOff: string[];
  connected: string[];
  lastWrite?: WriteAttempt;
  /** Settings acknowledged in this scenario, in order. */
  acknowledged: { key: string; value: string }[];
}

const POLL_MS = 10;

function state(world: NovaWorld): ConsensusState {
  const current = world.state.get('consensus') as ConsensusState | undefined;
  if (!current) throw new Error('no cluster in this scenario: start with "Given a control-plane cluster of 3 nodes"');
  return current;
}

function selector(world: NovaWorld): { cluster: string } {
  return { cluster: state(world).clusterId };
}

async function admin(world: NovaWorld): Promise<ApiClient> {
  return world.suite.admin();
}

/** Starts a cluster of `size` nodes for this scenario (deleted after it) and starts watching it. */
export async function startCluster(world: NovaWorld, size: number): Promise<void> {
  const api = await admin(world);
  const created = await api.post<ClusterStatus>('/api/v1/simulation/clusters', { size });
  expectStatus(created, 201, `starting a cluster of ${size} nodes`);
  const clusterId = created.data.cluster_id;
  world.ledger.add(`cluster ${clusterId}`, async () => {
    const deleted = await (await admin(world)).delete(`/api/v1/simulation/clusters/${clusterId}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  // The watch polls on a client of its own, so its hundreds of samples stay out of the endpoint report.
  const watchClient = new ApiClient({ baseURL: world.suite.apiUrl, token: api.bearerToken, contract: world.suite.contract, contractMode: world.suite.config.contractMode, timeout: 5000 });
  const watch = new ClusterWatch(watchClient, { cluster: clusterId });
  world.state.set('consensus', { clusterId, watch, failed: [], restarted: [], cutOff: [], connected: [], acknowledged: [] } satisfies ConsensusState);
  watch.start();
}

export async function startClusterWithLeader(world: NovaWorld, size: number): Promise<void> {
  await startCluster(world, size);
  state(world).leaderAtStart = await waitForLeader(world, 3000);
}

/** Ends the watch; fails when the cluster broke a safety invariant at any moment of the scenario. */
export async function finishWatch(world: NovaWorld): Promise<void> {
  const current = world.state.get('consensus') as ConsensusState | undefined;
  if (!current) return;
  const violations = await current.watch.stop();
  if (current.watch.pollErrors.length > 0) world.log(`cluster watch: ${current.watch.pollErrors.length} sample(s) failed, e.g. ${current.watch.pollErrors[0]}`);
  world.metrics.detail('consensus-invariant-samples', current.watch.invariants.observations);
  if (violations.length > 0) throw new ConsensusInvariantError(violations);
  assert.ok(current.watch.invariants.observations > 0, 'the cluster watch saw nothing, so it proved nothing');
}

async function status(world: NovaWorld): Promise<ClusterStatus> {
  const response = await world.actor.api.get<ClusterStatus>('/api/v1/cluster/status', { params: selector(world) });
  expectStatus(response, 200, 'reading the cluster status');
  return response.data;
}

function leaderOf(current: ClusterStatus): Leader | undefined {
  return current.leader.node_id !== null && current.leader.term !== null ? { id: current.leader.node_id, term: current.leader.term } : undefined;
}

function running(current: ClusterStatus): ClusterNode[] {
  return current.nodes.filter((node) => node.role !== 'stopped');
}

/** Waits for a leader that hears from a majority. */
export async function waitForLeader(world: NovaWorld, withinMs: number): Promise<Leader> {
  const { value } = await eventually(() => status(world), (s) => leaderOf(s) !== undefined && s.quorum, { timeoutMs: withinMs, intervalMs: POLL_MS, what: 'a leader with a majority' });
  return leaderOf(value)!;
}

export async function expectSingleLeader(world: NovaWorld, withinMs: number): Promise<void> {
  const { value } = await eventually(
    () => status(world),
    (s) => s.quorum && s.nodes.filter((node) => node.role === 'leader').length === 1,
    { timeoutMs: withinMs, intervalMs: POLL_MS, what: 'exactly one leader' },
  );
  state(world).leaderAtStart = leaderOf(value);
}

export async function expectEveryNodeFollowsLeader(world: NovaWorld): Promise<void> {
  const leader = state(world).leaderAtStart!;
  await eventually(() => status(world), (s) => s.nodes.every((node) => node.leader_id === leader.id), {
    timeoutMs: 1000,
    intervalMs: POLL_MS,
    what: `every node following ${leader.id}`,
  });
}

export async function expectStableLeadership(world: NovaWorld, forMs: number): Promise<void> {
  const leader = state(world).leaderAtStart!;
  const started = performance.now();
  while (performance.now() - started < forMs) {
    const now = leaderOf(await status(world));
    assert.deepEqual(now, leader, `the lead moved from ${leader.id} (term ${leader.term}) to ${now ? `${now.id} (term ${now.term})` : 'nobody'} on a healthy network`);
    await sleep(50);
  }
}

// ---- failures ----

async function simulate(world: NovaWorld, path: string, body?: unknown, method: 'POST' | 'PUT' | 'DELETE' = 'POST'): Promise<void> {
  const api = await admin(world);
  const response: ApiResponse = await api.request(method, path, body, { params: selector(world) });
  expectStatus(response, 200, `simulating ${method} ${path}`);
}

export async function failNode(world: NovaWorld, id: string): Promise<void> {
  await simulate(world, `/api/v1/simulation/cluster/nodes/${id}/fail`);
  state(world).failed.push(id);
}

export async function restartFailed(world: NovaWorld): Promise<void> {
  const current = state(world);
  for (const id of current.failed) await simulate(world, `/api/v1/simulation/cluster/nodes/${id}/restart`);
  current.restarted.push(...current.failed);
  current.failed = [];
}

/** Fails the leader; the time its successor takes is measured by expectNewLeader. */
export async function failLeader(world: NovaWorld): Promise<void> {
  const leader = await waitForLeader(world, 2000);
  state(world).failedLeader = leader;
  world.state.set('consensus-failed-at', performance.now());
  await failNode(world, leader.id);
}

export async function failFollowers(world: NovaWorld, count: 1 | 2): Promise<void> {
  const leader = await waitForLeader(world, 2000);
  const followers = (await status(world)).nodes.filter((node) => node.id !== leader.id).slice(0, count);
  for (const node of followers) await failNode(world, node.id);
}

/**
 * Another node leads within `withinMs` of the failure, by the cluster's own clock (its log of
 * transitions: the failed leader stopped -> a new leader elected), so the figure does not include
 * how long this client took to notice. Records `leader-election-time`.
 */
export async function expectNewLeader(world: NovaWorld, withinMs: number): Promise<void> {
  const failed = state(world).failedLeader;
  assert.ok(failed, 'no leader was failed in this scenario');
  const failedAt = world.state.get('consensus-failed-at') as number;
  const { value } = await eventually(
    () => status(world),
    (s) => leaderOf(s) !== undefined && leaderOf(s)!.id !== failed.id,
    { timeoutMs: withinMs + 2000, intervalMs: POLL_MS, what: `a new leader after ${failed.id} failed` },
  );
  const seenAfterMs = performance.now() - failedAt;
  const elected = leaderOf(value)!;
  state(world).leaderAtStart = elected;
  const electionMs = await electionTime(world, failed, elected);
  world.metrics.record('leader-election-time', Math.round(electionMs));
  world.metrics.detail('leader-election', { failed: failed.id, failed_term: failed.term, elected: elected.id, term: elected.term, seen_by_client_after_ms: Math.round(seenAfterMs) });
  assert.ok(electionMs <= withinMs, `electing a new leader took ${electionMs.toFixed(0)} ms, more than ${withinMs} ms`);
}

/** From the failed leader's stop to its successor taking the lead, in the cluster's transition log. */
async function electionTime(world: NovaWorld, failed: Leader, elected: Leader): Promise<number> {
  const response = await world.actor.api.get<{ items: { node_id: string; term: number; role: Role; timestamp: string }[] }>('/api/v1/cluster/observations', {
    params: { ...selector(world), since: 0 },
  });
  expectStatus(response, 200, 'reading the cluster transitions');
  const items = response.data.items;
  const stopped = items.findIndex((o) => o.node_id === failed.id && o.role === 'stopped' && o.term === failed.term);
  const lead = items.findIndex((o, i) => i > stopped && o.node_id === elected.id && o.role === 'leader' && o.term === elected.term);
  assert.ok(stopped >= 0 && lead > stopped, `the cluster's transition log does not show ${failed.id} stopping and ${elected.id} taking the lead in term ${elected.term}`);
  return Date.parse(items[lead].timestamp) - Date.parse(items[stopped].timestamp);
}

export function expectHigherTerm(world: NovaWorld): void {
  const { failedLeader, leaderAtStart } = state(world);
  assert.ok(failedLeader && leaderAtStart, 'no leader change was observed in this scenario');
  assert.ok(leaderAtStart.term > failedLeader.term, `the new leader's term ${leaderAtStart.term} is not higher than ${failedLeader.term}`);
}

/** Cuts `which` off from the rest of the cluster. */
export async function cutOff(world: NovaWorld, which: 'the leader' | 'a follower'): Promise<void> {
  const current = await status(world);
  const leader = leaderOf(current);
  assert.ok(leader, 'the cluster has no leader to cut off');
  const isolated = which === 'the leader' ? leader.id : current.nodes.find((node) => node.id !== leader.id)!.id;
  const rest = current.nodes.map((node) => node.id).filter((id) => id !== isolated);
  await simulate(world, '/api/v1/simulation/cluster/partition', { groups: [[isolated], rest] });
  Object.assign(state(world), { cutOff: [isolated], connected: rest });
}

export async function heal(world: NovaWorld): Promise<void> {
  await simulate(world, '/api/v1/simulation/cluster/heal');
}

export async function keepCutOff(ms: number): Promise<void> {
  await sleep(ms);
}

export async function degradeLinks(world: NovaWorld, delayMs: number, dropPercent: number): Promise<void> {
  await simulate(world, '/api/v1/simulation/cluster/links', { delay_ms: delayMs, drop_rate: dropPercent / 100 }, 'PUT');
}

export async function restoreLinks(world: NovaWorld): Promise<void> {
  await simulate(world, '/api/v1/simulation/cluster/links', undefined, 'DELETE');
}

/** Fails the current leader, waits `gapMs`, restarts it; `times` times. */
export async function flapLeader(world: NovaWorld, times: number, gapMs: number): Promise<void> {
  for (let round = 0; round < times; round++) {
    const leader = leaderOf(await status(world));
    if (leader) await failNode(world, leader.id);
    await sleep(gapMs);
    await restartFailed(world);
  }
}

export async function waitForQuorumLoss(world: NovaWorld, withinMs: number): Promise<void> {
  await eventually(() => status(world), (s) => !s.quorum, { timeoutMs: withinMs, intervalMs: POLL_MS, what: 'the cluster noticing it lost its majority' });
}

// ---- writes and reads ----

async function resolveNode(world: NovaWorld, choice: NodeChoice, attempt: number): Promise<string> {
  const current = state(world);
  if (choice === 'the leader') {
    const leader = leaderOf(await status(world)) ?? current.leaderAtStart;
    assert.ok(leader, 'the cluster has no leader to write through');
    return leader.id;
  }
  if (choice === 'any node') {
    const nodes = running(await status(world));
    return nodes[attempt % nodes.length].id;
  }
  if (choice === 'the cut-off node') return current.cutOff[0];
  if (choice === 'the connected nodes') return current.connected[attempt % current.connected.length];
  return choice;
}

async function writeOnce(world: NovaWorld, key: string, value: string, via: string): Promise<WriteAttempt> {
  const started = performance.now();
  const response = await world.actor.api.post<{ index: number; term: number; outcome?: 'refused' | 'unknown'; reason?: string }>(
    `/api/v1/cluster/writes?cluster=${encodeURIComponent(state(world).clusterId)}`,
    { key, value, node_id: via },
  );
  const durationMs = performance.now() - started;
  expectStatus(response, [201, 503], `writing ${key} through ${via}`);
  if (response.status === 201) {
    state(world).watch.invariants.acknowledge({ key, value, index: response.data.index, term: response.data.term });
    state(world).acknowledged.push({ key, value });
    return { key, value, via, outcome: 'committed', durationMs };
  }
  return { key, value, via, outcome: response.data.outcome ?? 'unknown', reason: response.data.reason, durationMs };
}

/** One write, whatever its outcome (the scenario checks it). */
export async function tryToStore(world: NovaWorld, key: string, value: string, via: NodeChoice): Promise<void> {
  state(world).lastWrite = await writeOnce(world, key, value, await resolveNode(world, via, 0));
}

/** A client that retries until its write is acknowledged, as a real client does during an election. */
export async function store(world: NovaWorld, key: string, value: string, via: NodeChoice, withinMs = 3000): Promise<void> {
  const started = performance.now();
  let attempt: WriteAttempt;
  for (let i = 0; ; i++) {
    attempt = await writeOnce(world, key, value, await resolveNode(world, via, i));
    if (attempt.outcome === 'committed' || performance.now() - started >= withinMs) break;
    await sleep(50);
  }
  state(world).lastWrite = attempt;
  assert.equal(attempt.outcome, 'committed', `writing ${key} through ${attempt.via} was not acknowledged within ${withinMs} ms: ${attempt.outcome} (${attempt.reason ?? ''})`);
}

export async function storeMany(world: NovaWorld, count: number, via: NodeChoice): Promise<void> {
  for (let i = 1; i <= count; i++) await store(world, `setting-${i}`, `value-${i}`, via);
}

export async function storeTable(world: NovaWorld, rows: { node: string; setting: string; value: string }[]): Promise<void> {
  for (const row of rows) await store(world, row.setting, row.value, row.node);
}

export function expectLastWriteNotAcknowledged(world: NovaWorld): void {
  const write = state(world).lastWrite;
  assert.ok(write, 'no write was attempted');
  assert.notEqual(write.outcome, 'committed', `the write of ${write.key} through ${write.via} was acknowledged`);
}

export function expectLastWriteRefused(world: NovaWorld, withinMs: number): void {
  const write = state(world).lastWrite;
  assert.ok(write, 'no write was attempted');
  assert.equal(write.outcome, 'refused', `the write of ${write.key} through ${write.via} was ${write.outcome}${write.reason ? ` (${write.reason})` : ''}, not refused`);
  assert.ok(write.durationMs <= withinMs, `the refusal took ${write.durationMs.toFixed(0)} ms`);
}

async function readOn(world: NovaWorld, id: string, key: string): Promise<string | null> {
  const response = await world.actor.api.get<{ found: boolean; value: string | null }>(`/api/v1/cluster/reads/${encodeURIComponent(key)}`, {
    params: { ...selector(world), node_id: id },
  });
  expectStatus(response, 200, `reading ${key} on ${id}`);
  return response.data.found ? response.data.value : null;
}

/** What every running node reads for `key`, by node. */
async function readEverywhere(world: NovaWorld, key: string): Promise<Record<string, string | null>> {
  const nodes = running(await status(world));
  const values = await Promise.all(nodes.map((node) => readOn(world, node.id, key)));
  return Object.fromEntries(nodes.map((node, i) => [node.id, values[i]]));
}

export async function expectNoNodeReads(world: NovaWorld, key: string): Promise<void> {
  const values = await readEverywhere(world, key);
  const holders = Object.entries(values).filter(([, value]) => value !== null);
  assert.deepEqual(holders, [], `a write that was never acknowledged is readable: ${JSON.stringify(Object.fromEntries(holders))}`);
}

export async function expectEveryNodeReads(world: NovaWorld, expected: Record<string, string>, withinMs: number): Promise<void> {
  await eventually(
    async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (key) => [key, await readEverywhere(world, key)] as const))),
    (seen) => Object.entries(expected).every(([key, value]) => Object.values(seen[key]).every((v) => v === value)),
    { timeoutMs: withinMs, intervalMs: 50, what: `every node reading ${JSON.stringify(expected)}` },
  );
}

export async function expectEveryNodeReadsAcknowledged(world: NovaWorld, withinMs: number): Promise<void> {
  await expectEveryNodeReads(world, Object.fromEntries(state(world).acknowledged.map((s) => [s.key, s.value])), withinMs);
}

export async function expectRestartedNodeReads(world: NovaWorld, count: number, withinMs: number): Promise<void> {
  const [node] = state(world).restarted;
  assert.ok(node, 'no node was restarted in this scenario');
  await eventually(
    () => Promise.all(Array.from({ length: count }, (_, i) => readOn(world, node, `setting-${i + 1}`))),
    (values) => values.every((value, i) => value === `value-${i + 1}`),
    { timeoutMs: withinMs, intervalMs: 50, what: `${node} reading all ${count} settings` },
  );
}

/** Waits until every running node committed as far as the leader, then checks every acknowledged write is on each. */
export async function expectConvergedWithEveryAcknowledgedWrite(world: NovaWorld, withinMs: number): Promise<void> {
  const { value } = await eventually(
    () => status(world),
    (s) => {
      const leader = leaderOf(s);
      const leaderNode = s.nodes.find((node) => node.id === leader?.id);
      return s.quorum && leaderNode !== undefined && running(s).every((node) => node.commit_index === leaderNode.commit_index);
    },
    { timeoutMs: withinMs, intervalMs: POLL_MS, what: 'every node agreeing with the leader' },
  );
  const violations = await state(world).watch.checkConverged(running(value).map((node) => node.id));
  if (violations.length > 0) throw new ConsensusInvariantError(violations);
}

/** Convergence, then no node holds `key`. */
export async function expectNoNodeReadsOnceConverged(world: NovaWorld, key: string): Promise<void> {
  await expectConvergedWithEveryAcknowledgedWrite(world, 3000);
  await expectNoNodeReads(world, key);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- a history under a random nemesis ------------------------------------------------------------

const HISTORY_KEYS = ['h-a', 'h-b', 'h-c'];

/**
 * Clients write and read random keys through random nodes while a nemesis, drawn from a seed
 * (NOVACRON_SEED replays its schedule), partitions the network, heals it, crashes and restarts nodes
 * and delays or loses messages. Then the network heals, every node restarts, the cluster converges,
 * and the whole history is checked against the nodes' committed logs (support/invariants/history.ts).
 */
export async function runHistoryUnderNemesis(world: NovaWorld, durationMs: number, clients: number): Promise<void> {
  const nodes = (await status(world)).nodes.map((node) => node.id);
  const seed = world.suite.config.modelReplay?.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const random = seeded(seed);
  const operations: Operation[] = [];
  const schedule: string[] = [];
  const started = performance.now();
  const end = started + durationMs;
  const failed = new Set<string>();
  let written = 0;

  const client = async (name: string): Promise<void> => {
    while (performance.now() < end) {
      const key = HISTORY_KEYS[Math.floor(Math.random() * HISTORY_KEYS.length)];
      const node = Math.random() < 0.3 ? undefined : nodes[Math.floor(Math.random() * nodes.length)];
      const sentAt = performance.now();
      if (Math.random() < 0.5) {
        const value = `${name}-${++written}`;
        const response = await world.actor.api.post<{ index: number; term: number; outcome?: 'refused' | 'unknown' }>(
          `/api/v1/cluster/writes?cluster=${encodeURIComponent(state(world).clusterId)}`,
          { key, value, ...(node ? { node_id: node } : {}) },
        );
        expectStatus(response, [201, 503], `${name} writing ${key} through ${node ?? 'the leader'}`);
        const committed = response.status === 201;
        if (committed) state(world).watch.invariants.acknowledge({ key, value, index: response.data.index, term: response.data.term });
        operations.push({ kind: 'write', client: name, key, value, via: node ?? 'the leader', sentAt, answeredAt: performance.now(), outcome: committed ? 'committed' : (response.data.outcome ?? 'unknown'), index: response.data.index, term: response.data.term });
      } else {
        const response = await world.actor.api.get<{ found: boolean; value: string | null; node_id: string; commit_index: number }>(`/api/v1/cluster/reads/${key}`, {
          params: { ...selector(world), ...(node ? { node_id: node } : {}) },
          retries: 0,
        });
        expectStatus(response, [200, 503], `${name} reading ${key} from ${node ?? 'the leader'}`);
        if (response.status === 200) {
          operations.push({ kind: 'read', client: name, key, node: response.data.node_id, sentAt, answeredAt: performance.now(), found: response.data.found, value: response.data.value, commitIndex: response.data.commit_index });
        }
      }
    }
  };

  const pickNode = (from: readonly string[]) => from[Math.floor(random() * from.length)];
  const nemesis = async (): Promise<void> => {
    while (performance.now() < end - 300) {
      await sleep(150 + random() * 450);
      const choice = random();
      let action: string;
      if (choice < 0.25) {
        const shuffled = [...nodes].sort(() => random() - 0.5);
        const cut = 1 + Math.floor(random() * (nodes.length - 1));
        const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
        await simulate(world, '/api/v1/simulation/cluster/partition', { groups });
        action = `partition ${groups.map((group) => group.join('+')).join(' | ')}`;
      } else if (choice < 0.4) {
        await heal(world);
        action = 'heal';
      } else if (choice < 0.58 && failed.size < nodes.length - 1) {
        const node = pickNode(nodes.filter((id) => !failed.has(id)));
        await simulate(world, `/api/v1/simulation/cluster/nodes/${node}/fail`);
        failed.add(node);
        action = `crash ${node}`;
      } else if (choice < 0.76 && failed.size > 0) {
        const node = pickNode([...failed]);
        await simulate(world, `/api/v1/simulation/cluster/nodes/${node}/restart`);
        failed.delete(node);
        action = `restart ${node}`;
      } else if (choice < 0.88) {
        const delay = Math.floor(random() * 40);
        const loss = Math.floor(random() * 30);
        await degradeLinks(world, delay, loss);
        action = `links: ${delay} ms delay, ${loss}% loss`;
      } else {
        await restoreLinks(world);
        action = 'links healthy';
      }
      schedule.push(`${Math.round(performance.now() - started)} ms ${action}`);
    }
  };

  await Promise.all([...Array.from({ length: clients }, (_, i) => client(`c${i + 1}`)), nemesis()]);
  await heal(world);
  await restoreLinks(world);
  for (const node of failed) await simulate(world, `/api/v1/simulation/cluster/nodes/${node}/restart`);
  schedule.push(`${Math.round(performance.now() - started)} ms heal, links healthy, every node restarted`);

  // Converged: a leader with quorum, and every node committed as far as it.
  await eventually(
    () => status(world),
    (s) => s.quorum && leaderOf(s) !== undefined && s.nodes.every((node) => node.role !== 'stopped' && node.commit_index === s.nodes.find((n) => n.id === leaderOf(s)!.id)!.commit_index),
    { timeoutMs: 5000, intervalMs: 50, what: 'the cluster converging after the nemesis stopped' },
  );
  const logs = new Map<string, LoggedPut[]>();
  for (const node of nodes) {
    const response = await world.actor.api.get<{ entries: LoggedPut[] }>(`/api/v1/cluster/nodes/${node}/log`, { params: { ...selector(world), from: 1 } });
    expectStatus(response, 200, `reading the committed log of ${node}`);
    logs.set(node, response.data.entries);
  }

  world.state.set('consensus-history', { operations, logs, schedule, seed, durationMs } satisfies RecordedHistory);
}

interface RecordedHistory {
  operations: Operation[];
  logs: Map<string, LoggedPut[]>;
  schedule: string[];
  seed: number;
  durationMs: number;
}

/** The recorded history holds every rule of the key-value store (support/invariants/history.ts). */
export function expectHistoryHolds(world: NovaWorld): void {
  const recorded = world.state.get('consensus-history') as RecordedHistory | undefined;
  assert.ok(recorded, 'no history was recorded in this scenario: run clients under the nemesis first');
  const { operations, logs, schedule, seed, durationMs } = recorded;
  const writes = operations.filter((op): op is WriteOperation => op.kind === 'write');
  const counts = `${writes.filter((w) => w.outcome === 'committed').length} acknowledged, ${writes.filter((w) => w.outcome === 'refused').length} refused and ${writes.filter((w) => w.outcome === 'unknown').length} unknown writes, ${operations.length - writes.length} reads`;
  world.metrics.detail('consensus-history', { seed, operations: operations.length, nemesis_actions: schedule.length - 1 });
  const problems = checkHistory(operations, logs);
  const report = [`${counts}; nemesis seed ${seed} (replay its schedule with NOVACRON_SEED=${seed}):`, ...schedule.map((line) => `  ${line}`)].join('\n');
  world.attach(report, 'text/plain');
  assert.ok(writes.some((w) => w.outcome === 'committed'), `no write was acknowledged in ${durationMs} ms, so the history proves nothing: ${report}`);
  if (problems.length > 0) {
    throw new Error([`the history of ${operations.length} operations breaks ${problems.length} rule(s) of the key-value store:`, ...problems.slice(0, 10).map((p) => `  - ${p.rule}: ${p.message}`), report].join('\n'));
  }
}
