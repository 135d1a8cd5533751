import type { FaultSwitch } from '../define-faults';
import { CONSENSUS_FAULTS } from './faults';
import type { LogEntry, WriteOutcome } from './messages';
import { SimulatedNetwork, type LinkCondition, type NetworkView } from './network';
import { RaftNode, type ConsensusTimings, type NodeStatus, type ReadResult } from './node';
import { ObservationLog, type Observation } from './observations';
import { SeededRandom } from './random';
import { realScheduler, type Scheduler } from './scheduler';

export interface ClusterTimings extends ConsensusTimings {
  /** Base one-way message latency, drawn uniformly per message. */
  latencyMinMs: number;
  latencyMaxMs: number;
}

const DEFAULT_CLUSTER_TIMINGS: Readonly<ClusterTimings> = Object.freeze({
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatMs: 50,
  writeTimeoutMs: 1000,
  latencyMinMs: 1,
  latencyMaxMs: 3,
});

export const MIN_CLUSTER_SIZE = 3;
export const MAX_CLUSTER_SIZE = 7;

export interface ClusterOptions {
  /** Number of control-plane nodes, 3 to 7 (default 3). */
  size?: number;
  /** Seed of elections timeouts, latencies and drops (default 1). */
  seed?: number;
  scheduler?: Scheduler;
  timings?: Partial<ClusterTimings>;
  faults?: FaultSwitch;
}

export interface ClusterStatus {
  nodes: NodeStatus[];
  /** The running leader of the highest term, if any. */
  leader: { id: string; term: number } | null;
  /** Whether that leader hears from a majority, so writes can commit. */
  quorum: boolean;
  network: NetworkView;
}

/** Bad input from a caller; `kind` says whether it names something unknown. */
export class ClusterInputError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not-found' = 'invalid',
    /** The request field at fault, when the input came from a request. */
    readonly field = 'body',
  ) {
    super(message);
    this.name = 'ClusterInputError';
  }
}

/**
 * A Raft cluster of control-plane nodes in one process, on a simulated network whose links can be
 * delayed, made lossy or partitioned, with nodes that can be stopped and restarted.
 */
export class RaftCluster {
  readonly size: number;
  readonly seed: number;
  readonly timings: Readonly<ClusterTimings>;
  readonly scheduler: Scheduler;
  private readonly network: SimulatedNetwork;
  private readonly nodes = new Map<string, RaftNode>();
  private readonly observationLog = new ObservationLog();
  private writeSequence = 0;

  constructor(options: ClusterOptions = {}) {
    this.size = checkSize(options.size ?? MIN_CLUSTER_SIZE);
    this.seed = checkSeed(options.seed ?? 1);
    this.timings = checkTimings({ ...DEFAULT_CLUSTER_TIMINGS, ...options.timings });
    this.scheduler = options.scheduler ?? realScheduler();
    const random = new SeededRandom(this.seed);
    this.network = new SimulatedNetwork({ scheduler: this.scheduler, random, latencyMinMs: this.timings.latencyMinMs, latencyMaxMs: this.timings.latencyMaxMs });
    const ids = Array.from({ length: this.size }, (_, i) => `node-${i + 1}`);
    const faults = CONSENSUS_FAULTS.on(options.faults);
    for (const id of ids) {
      const peers = ids.filter((other) => other !== id);
      this.nodes.set(id, new RaftNode({ id, peers, scheduler: this.scheduler, random, network: this.network, timings: this.timings, faults, observations: this.observationLog }));
    }
  }

  get nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  start(): void {
    for (const node of this.nodes.values()) node.start();
  }

  /** Stops every node; the cluster can be started again. */
  close(): void {
    for (const node of this.nodes.values()) node.stop();
  }

  status(): ClusterStatus {
    const nodes = [...this.nodes.values()].map((node) => node.status());
    const leaders = nodes.filter((node) => node.role === 'leader').sort((a, b) => b.term - a.term);
    const leader = leaders[0];
    return {
      nodes,
      leader: leader ? { id: leader.id, term: leader.term } : null,
      quorum: leader?.hasQuorum ?? false,
      network: this.network.view(),
    };
  }

  nodeStatus(id: string): NodeStatus {
    return this.node(id).status();
  }

  /** A client write of `key` = `value` through node `via` (any node; followers forward to the leader). */
  write(via: string, key: string, value: string): Promise<WriteOutcome> {
    const node = this.node(via);
    if (key === '') throw new ClusterInputError('key "" is not valid: expected a non-empty string', 'invalid', 'key');
    return node.write({ kind: 'put', id: `wr-${++this.writeSequence}`, key, value });
  }

  read(via: string, key: string): ReadResult {
    return this.node(via).read(key);
  }

  committedEntries(id: string, fromIndex = 1): LogEntry[] {
    return this.node(id).committedEntries(fromIndex);
  }

  stopNode(id: string): void {
    this.node(id).stop();
  }

  restartNode(id: string): void {
    this.node(id).start();
  }

  /** Splits the network into groups that cannot reach each other; unnamed nodes form one more group. */
  partition(groups: string[][]): void {
    const seen = new Set<string>();
    for (const id of groups.flat()) {
      this.node(id);
      if (seen.has(id)) throw new ClusterInputError(`partition names node ${id} twice: expected each node in at most one group`, 'invalid', 'groups');
      seen.add(id);
    }
    this.network.partition(groups);
  }

  heal(): void {
    this.network.heal();
  }

  /** Delays or drops messages from `from` to `to` (one direction). */
  setLink(from: string, to: string, condition: Partial<LinkCondition>): void {
    this.node(from);
    this.node(to);
    if (from === to) throw new ClusterInputError(`link from ${from} to ${to} is not valid: expected two different nodes`, 'invalid', 'to');
    this.network.setLink(from, to, checkCondition(condition));
  }

  /** The same condition on every link in both directions. */
  setAllLinks(condition: Partial<LinkCondition>): void {
    const checked = checkCondition(condition);
    for (const from of this.nodes.keys()) for (const to of this.nodes.keys()) if (from !== to) this.network.setLink(from, to, checked);
  }

  clearLinks(): void {
    this.network.clearLinks();
  }

  /** Every (node, term, role) transition with a sequence above `after`. */
  observations(after = 0): Observation[] {
    return this.observationLog.since(after);
  }

  /** When `id` became leader of `term`, in scheduler time, if the log still holds it. */
  leaderSince(id: string, term: number): number | undefined {
    const log = this.observationLog.since(0);
    for (let i = log.length - 1; i >= 0; i--) {
      const o = log[i];
      if (o.node === id && o.term === term && o.role === 'leader') return o.at;
    }
    return undefined;
  }

  networkStats(): { sent: number; delivered: number; dropped: number } {
    return this.network.stats();
  }

  private node(id: string): RaftNode {
    const node = this.nodes.get(id);
    if (!node) throw new ClusterInputError(`node ${JSON.stringify(id)} is not in the cluster: expected one of ${this.nodeIds.join(', ')}`, 'not-found');
    return node;
  }
}

function checkSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_CLUSTER_SIZE || size > MAX_CLUSTER_SIZE) {
    throw new ClusterInputError(`cluster size ${size} is not valid: expected a whole number from ${MIN_CLUSTER_SIZE} to ${MAX_CLUSTER_SIZE}`);
  }
  return size;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed)) throw new ClusterInputError(`seed ${seed} is not valid: expected a whole number`);
  return seed;
}

function checkTimings(timings: ClusterTimings): ClusterTimings {
  for (const [name, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ClusterInputError(`timing ${name}=${value} is not valid: expected a number of milliseconds, 0 or more`);
  }
  if (timings.electionTimeoutMinMs > timings.electionTimeoutMaxMs) {
    throw new ClusterInputError(`election timeout ${timings.electionTimeoutMinMs}-${timings.electionTimeoutMaxMs} ms is not valid: expected the minimum at most the maximum`);
  }
  if (timings.heartbeatMs <= 0 || timings.heartbeatMs >= timings.electionTimeoutMinMs) {
    throw new ClusterInputError(`heartbeat ${timings.heartbeatMs} ms is not valid: expected more than 0 and less than the minimum election timeout (${timings.electionTimeoutMinMs} ms)`);
  }
  if (timings.latencyMinMs > timings.latencyMaxMs) {
    throw new ClusterInputError(`latency ${timings.latencyMinMs}-${timings.latencyMaxMs} ms is not valid: expected the minimum at most the maximum`);
  }
  return Object.freeze({ ...timings });
}

function checkCondition(condition: Partial<LinkCondition>): Partial<LinkCondition> {
  const { delayMs, dropRate } = condition;
  if (delayMs !== undefined && (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 60_000)) {
    throw new ClusterInputError(`delay ${delayMs} ms is not valid: expected a number of milliseconds from 0 to 60000`, 'invalid', 'delay_ms');
  }
  if (dropRate !== undefined && (!Number.isFinite(dropRate) || dropRate < 0 || dropRate > 1)) {
    throw new ClusterInputError(`drop rate ${dropRate} is not valid: expected a probability from 0 to 1`, 'invalid', 'drop_rate');
  }
  return { ...(delayMs === undefined ? {} : { delayMs }), ...(dropRate === undefined ? {} : { dropRate }) };
}
