import { RaftCluster, type ClusterOptions } from '../../reference/consensus/cluster';
import type { CONSENSUS_SCENARIOS } from '../../reference/consensus/faults';
import type { WriteOutcome } from '../../reference/consensus/messages';
import { VirtualScheduler } from '../../reference/consensus/scheduler';
import { ConsensusInvariants, type NodeObservation } from '../../support/invariants/consensus';

/**
 * The consensus scenarios of the feature file, run on a virtual clock: each returns the list of
 * expectations it found broken (empty = passed), so tests can run them over many seeds, with and
 * without faults. The invariant checker watches every scenario throughout, as the suite's hook does.
 */

export interface ScenarioRun {
  failures: string[];
  /** Figures measured by the scenario (e.g. election time in ms). */
  figures: Record<string, number>;
}

export type Scenario = (seed: number, faults?: readonly string[]) => Promise<ScenarioRun>;

export class Harness {
  readonly scheduler = new VirtualScheduler();
  readonly cluster: RaftCluster;
  readonly invariants = new ConsensusInvariants();
  readonly failures: string[] = [];
  readonly figures: Record<string, number> = {};
  private observed = 0;

  constructor(seed: number, faults: readonly string[] = [], options: Omit<ClusterOptions, 'scheduler' | 'seed' | 'faults'> = {}) {
    this.cluster = new RaftCluster({ ...options, seed, faults: new Set(faults), scheduler: this.scheduler });
    this.cluster.start();
  }

  /** Advances time in 5 ms steps, feeding the invariant checker as the suite's background sampler does. */
  advance(ms: number): void {
    for (let elapsed = 0; elapsed < ms; elapsed += 5) {
      this.scheduler.advance(Math.min(5, ms - elapsed));
      this.sample();
    }
  }

  until(condition: () => boolean, limitMs: number): number | undefined {
    const start = this.scheduler.now();
    while (!condition()) {
      if (this.scheduler.now() - start >= limitMs) return undefined;
      this.advance(5);
    }
    return this.scheduler.now() - start;
  }

  expect(ok: boolean, failure: string): boolean {
    if (!ok) this.failures.push(failure);
    return ok;
  }

  leader(): { id: string; term: number } | null {
    return this.cluster.status().leader;
  }

  waitForLeader(limitMs = 2000): { id: string; term: number } | null {
    this.until(() => this.leader() !== null && this.cluster.status().quorum, limitMs);
    const leader = this.leader();
    this.expect(leader !== null, `no leader within ${limitMs} ms`);
    return leader;
  }

  followers(): string[] {
    const leader = this.leader()?.id;
    return this.cluster.nodeIds.filter((id) => id !== leader);
  }

  async write(via: string, key: string, value: string, limitMs = 3000): Promise<WriteOutcome> {
    let outcome: WriteOutcome | undefined;
    void this.cluster.write(via, key, value).then((result) => (outcome = result));
    for (let waited = 0; outcome === undefined && waited < limitMs; waited += 5) {
      this.advance(5);
      await Promise.resolve();
    }
    if (!outcome) throw new Error(`write ${key} through ${via} got no answer within ${limitMs} ms`);
    if (outcome.status === 'committed') this.invariants.acknowledge({ key, value, index: outcome.index, term: outcome.term });
    return outcome;
  }

  /** A write whose answer arrives while time goes on; acknowledged writes are told to the checker. */
  writeInBackground(via: string, key: string, value: string): Promise<WriteOutcome> {
    return this.cluster.write(via, key, value).then((outcome) => {
      if (outcome.status === 'committed') this.invariants.acknowledge({ key, value, index: outcome.index, term: outcome.term });
      return outcome;
    });
  }

  holders(key: string): string[] {
    return this.cluster.nodeIds.filter((id) => this.cluster.read(id, key).found);
  }

  everyNodeReads(key: string, value: string): boolean {
    return this.cluster.nodeIds.every((id) => this.cluster.read(id, key).value === value);
  }

  /** All running nodes hold the same committed log as the leader. */
  converged(): boolean {
    const status = this.cluster.status();
    if (!status.leader) return false;
    const leaderCommit = status.nodes.find((node) => node.id === status.leader!.id)!.commitIndex;
    return status.nodes.filter((node) => node.role !== 'stopped').every((node) => node.commitIndex === leaderCommit);
  }

  checkConverged(): void {
    const snapshots = this.snapshots(true);
    for (const violation of this.invariants.checkConverged(snapshots.filter((node) => node.role !== 'stopped'))) this.failures.push(violation.message);
  }

  /** Ends the scenario: the invariant checker's findings become failures. */
  finish(): ScenarioRun {
    this.sample(true);
    for (const violation of this.invariants.violations) this.failures.push(`invariant: ${violation.message}`);
    this.cluster.close();
    return { failures: [...new Set(this.failures)], figures: this.figures };
  }

  private sample(withEntries = false): void {
    const transitions = this.cluster.observations(this.observed);
    if (transitions.length > 0) this.observed = transitions[transitions.length - 1].sequence;
    this.invariants.observe(transitions.map((t) => ({ node_id: t.node, term: t.term, role: t.role })));
    this.invariants.observe(this.snapshots(withEntries));
  }

  private snapshots(withEntries: boolean): NodeObservation[] {
    return this.cluster.status().nodes.map((node) => ({
      node_id: node.id,
      term: node.term,
      role: node.role,
      commit_index: node.commitIndex,
      ...(withEntries
        ? {
            committed_from: 1,
            committed: this.cluster.committedEntries(node.id).map((entry) => ({
              index: entry.index,
              term: entry.term,
              ...(entry.command.kind === 'put' ? { id: entry.command.id, key: entry.command.key, value: entry.command.value } : {}),
            })),
          }
        : {}),
    }));
  }
}

async function run(seed: number, faults: readonly string[] | undefined, options: ClusterOptions, body: (h: Harness) => Promise<void> | void): Promise<ScenarioRun> {
  const harness = new Harness(seed, faults, options);
  try {
    await body(harness);
  } catch (error) {
    harness.failures.push(`error: ${(error as Error).message}`);
  }
  return harness.finish();
}

export type ScenarioName = (typeof CONSENSUS_SCENARIOS)[keyof typeof CONSENSUS_SCENARIOS];

export const scenarios: Record<ScenarioName, Scenario> = {
  'Exactly one node leads a healthy cluster': (seed, faults) =>
    run(seed, faults, { size: 3 }, (h) => {
      const leader = h.waitForLeader();
      if (!leader) return;
      for (let i = 0; i < 20; i++) {
        h.advance(100);
        const status = h.cluster.status();
        const leaders = status.nodes.filter((node) => node.role === 'leader');
        if (!h.expect(leaders.length === 1 && leaders[0].id === leader.id && leaders[0].term === leader.term, `leadership changed: ${JSON.stringify(leaders.map((l) => [l.id, l.term]))}`)) return;
        if (!h.expect(status.nodes.every((node) => node.leaderId === leader.id), 'a node does not follow the leader')) return;
      }
    }),

  'A new leader takes over when the leader fails': (seed, faults) =>
    run(seed, faults, { size: 3 }, (h) => {
      const old = h.waitForLeader();
      if (!old) return;
      h.advance(200);
      h.cluster.stopNode(old.id);
      const elapsed = h.until(() => {
        const leader = h.leader();
        return leader !== null && leader.id !== old.id;
      }, 1000);
      if (!h.expect(elapsed !== undefined, 'no new leader within 1 s')) return;
      h.figures['leader-election-time'] = elapsed!;
      h.expect(h.leader()!.term > old.term, `the new leader's term ${h.leader()!.term} is not above ${old.term}`);
    }),

  'Data written through any node reads the same from every node': (seed, faults) =>
    run(seed, faults, { size: 3 }, async (h) => {
      if (!h.waitForLeader()) return;
      for (const via of h.cluster.nodeIds) {
        const outcome = await h.write(via, `written-through-${via}`, `value-${via}`);
        h.expect(outcome.status === 'committed', `write through ${via} was not acknowledged: ${JSON.stringify(outcome)}`);
      }
      const elapsed = h.until(() => h.cluster.nodeIds.every((via) => h.everyNodeReads(`written-through-${via}`, `value-${via}`)), 1000);
      h.expect(elapsed !== undefined, 'not every node reads every committed value within 1 s');
    }),

  'A minority partition cannot commit': (seed, faults) =>
    run(seed, faults, { size: 3 }, async (h) => {
      const old = h.waitForLeader();
      if (!old) return;
      const majority = h.followers();
      h.cluster.partition([[old.id], majority]);
      const minorityWrite = await h.write(old.id, 'minority', 'lost');
      h.expect(minorityWrite.status !== 'committed', 'the isolated node acknowledged a write');
      h.expect(h.holders('minority').length === 0, `the uncommitted value is readable on ${h.holders('minority').join(', ')}`);
      const majorityWrite = await h.write(majority[0], 'majority', 'kept');
      h.expect(majorityWrite.status === 'committed', 'the majority could not commit');
      h.cluster.heal();
      const elapsed = h.until(() => h.converged() && h.everyNodeReads('majority', 'kept'), 2000);
      h.expect(elapsed !== undefined, 'the nodes did not converge within 2 s of the heal');
      h.expect(h.holders('minority').length === 0, `the minority's write appeared after the heal on ${h.holders('minority').join(', ')}`);
      h.checkConverged();
    }),

  'No acknowledged write is lost when a partition heals': (seed, faults) =>
    run(seed, faults, { size: 3 }, async (h) => {
      const leader = h.waitForLeader();
      if (!leader) return;
      const [isolated, other] = h.followers();
      h.cluster.partition([[isolated], [leader.id, other]]);
      for (let i = 1; i <= 5; i++) {
        const outcome = await h.write(i % 2 ? leader.id : other, `order-${i}`, `v${i}`);
        h.expect(outcome.status === 'committed', `write ${i} was not acknowledged`);
      }
      h.advance(1000);
      h.cluster.heal();
      const elapsed = h.until(() => h.converged() && [1, 2, 3, 4, 5].every((i) => h.everyNodeReads(`order-${i}`, `v${i}`)), 2000);
      h.expect(elapsed !== undefined, 'the nodes did not converge on every acknowledged write within 2 s of the heal');
      h.checkConverged();
    }),

  'Writes are refused without quorum and nothing is half-applied': (seed, faults) =>
    run(seed, faults, { size: 3 }, async (h) => {
      const leader = h.waitForLeader();
      if (!leader) return;
      const followers = h.followers();
      for (const id of followers) h.cluster.stopNode(id);
      h.until(() => !h.cluster.status().quorum, 1000);
      const start = h.scheduler.now();
      const outcome = await h.write(leader.id, 'no-quorum', 'ghost');
      h.expect(outcome.status === 'refused', `the write was not refused: ${JSON.stringify(outcome)}`);
      h.expect(h.scheduler.now() - start <= 2000, 'the refusal took more than 2 s');
      h.expect(h.holders('no-quorum').length === 0, 'the refused value is readable');
      for (const id of followers) h.cluster.restartNode(id);
      h.waitForLeader(3000);
      const after = await h.write(leader.id, 'after-quorum', 'ok');
      h.expect(after.status === 'committed', 'writes do not commit once the quorum is back');
      h.until(() => h.converged() && h.everyNodeReads('after-quorum', 'ok'), 2000);
      h.expect(h.holders('no-quorum').length === 0, `the refused write was applied after the quorum returned on ${h.holders('no-quorum').join(', ')}`);
    }),

  'A restarted node catches up': (seed, faults) =>
    run(seed, faults, { size: 3 }, async (h) => {
      const leader = h.waitForLeader();
      if (!leader) return;
      const [stopped] = h.followers();
      h.cluster.stopNode(stopped);
      for (let i = 1; i <= 5; i++) await h.write(leader.id, `missed-${i}`, `v${i}`);
      h.cluster.restartNode(stopped);
      const elapsed = h.until(() => [1, 2, 3, 4, 5].every((i) => h.cluster.read(stopped, `missed-${i}`).value === `v${i}`), 2000);
      h.expect(elapsed !== undefined, `${stopped} did not catch up within 2 s of its restart`);
      h.checkConverged();
    }),

  'Leadership stays unique on a slow, lossy network': (seed, faults) =>
    run(seed, faults, { size: 5 }, async (h) => {
      if (!h.waitForLeader()) return;
      h.cluster.setAllLinks({ delayMs: 100, dropRate: 0.1 });
      for (let round = 0; round < 4; round++) {
        const leader = h.leader();
        if (leader) h.cluster.stopNode(leader.id);
        h.advance(1000);
        if (leader) h.cluster.restartNode(leader.id);
      }
      h.cluster.clearLinks();
      if (!h.waitForLeader(3000)) return;
      const start = h.scheduler.now();
      let committed = false;
      for (let attempt = 1; !committed && h.scheduler.now() - start < 3000; attempt++) {
        committed = (await h.write(h.cluster.nodeIds[attempt % 5], 'after-chaos', 'ok')).status === 'committed';
      }
      h.expect(committed, 'the cluster does not accept writes within 3 s once the network is healthy');
    }),
};
