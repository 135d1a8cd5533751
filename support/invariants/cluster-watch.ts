import type { ApiClient } from '../api-client';
import { ConsensusInvariantError, ConsensusInvariants, type CommittedEntry, type ConsensusRole, type NodeObservation, type Violation } from './consensus';

interface ObservationList {
  items: { sequence: number; node_id: string; term: number; role: ConsensusRole }[];
  latest: number;
}

interface NodeList {
  items: { id: string; role: ConsensusRole; term: number; commit_index: number }[];
}

interface NodeLog {
  node_id: string;
  commit_index: number;
  entries: { index: number; term: number; kind: 'noop' | 'put'; id?: string; key?: string; value?: string }[];
}

export interface ClusterWatchOptions {
  /** Pause between two samples of the nodes and the transition log. */
  intervalMs?: number;
  /** How often the committed logs of every node are compared as well. */
  logsEveryMs?: number;
}

/**
 * Watches a consensus cluster through the API for as long as a scenario runs and feeds what it
 * sees to the invariant checker: the cluster's own log of (node, term, role) transitions - so no
 * short-lived second leader slips between two samples - the nodes' terms, roles and commit
 * indexes, and now and then every node's committed log. `stop()` takes a last full sample.
 */
export class ClusterWatch {
  readonly invariants = new ConsensusInvariants();
  /** Polls that failed (the target did not answer); not violations, but reported. */
  readonly pollErrors: string[] = [];
  private since = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private lastLogsAt = 0;
  /** Samples run one at a time, so the checker sees them in the order the target answered. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly api: ApiClient,
    /** Query parameters that address the watched cluster, e.g. `{ cluster: 'cls-...' }`. */
    private readonly selector: Record<string, string>,
    private readonly options: ClusterWatchOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops sampling, takes a last sample including the committed logs, and answers every violation found. */
  async stop(): Promise<readonly Violation[]> {
    this.running = false;
    await this.loop;
    await this.sample(true);
    return this.invariants.violations;
  }

  /** Throws ConsensusInvariantError when anything was violated so far. */
  assertSafe(): void {
    this.invariants.assertSafe();
  }

  /** After the cluster converged: every acknowledged write is on every given node, at its index. */
  checkConverged(nodes: readonly string[]): Promise<Violation[]> {
    return this.serially(async () => {
      const logs = await Promise.all(nodes.map((id) => this.log(id)));
      return this.invariants.checkConverged(logs.map(toObservation));
    });
  }

  /** Takes one sample now; with `withLogs`, also every node's committed log. */
  sample(withLogs = false): Promise<void> {
    return this.serially(() => this.takeSample(withLogs));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async takeSample(withLogs: boolean): Promise<void> {
    const [observations, nodes] = await Promise.all([
      this.api.get<ObservationList>('/api/v1/cluster/observations', { params: { ...this.selector, since: this.since }, retries: 0 }),
      this.api.get<NodeList>('/api/v1/cluster/nodes', { params: this.selector, retries: 0 }),
    ]);
    if (observations.status !== 200 || nodes.status !== 200) {
      this.pollErrors.push(`sampling the cluster answered ${observations.status} and ${nodes.status}`);
      return;
    }
    this.since = observations.data.latest;
    this.invariants.observe(observations.data.items.map((o) => ({ node_id: o.node_id, term: o.term, role: o.role })));
    this.invariants.observe(nodes.data.items.map((n) => ({ node_id: n.id, term: n.term, role: n.role, commit_index: n.commit_index })));
    if (withLogs) {
      const logs = await Promise.all(nodes.data.items.map((n) => this.log(n.id)));
      this.invariants.observe(logs.map(toObservation));
      this.lastLogsAt = performance.now();
    }
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs ?? 20;
    const logsEvery = this.options.logsEveryMs ?? 250;
    while (this.running) {
      try {
        await this.sample(performance.now() - this.lastLogsAt >= logsEvery);
      } catch (error) {
        this.pollErrors.push((error as Error).message);
      }
      if (this.running) await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  private async log(id: string): Promise<NodeLog> {
    const response = await this.api.get<NodeLog>(`/api/v1/cluster/nodes/${id}/log`, { params: this.selector, retries: 0 });
    if (response.status !== 200) throw new Error(`reading the log of ${id} answered ${response.status}`);
    return response.data;
  }
}

function toObservation(log: NodeLog): NodeObservation & { role: ConsensusRole } {
  // A committed log says nothing about the role; "follower" is neutral for the leader check.
  const committed: CommittedEntry[] = log.entries.map((e) => ({ index: e.index, term: e.term, ...(e.kind === 'put' ? { id: e.id, key: e.key, value: e.value } : {}) }));
  return { node_id: log.node_id, term: 0, role: 'follower', commit_index: log.commit_index, committed, committed_from: 1 };
}

export { ConsensusInvariantError };
