/**
 * The safety properties of a consensus cluster, checked against what the suite observes: feed it
 * snapshots of the nodes (and the transitions the cluster reports) for the whole scenario, tell it
 * which writes were acknowledged, and ask it at the end. It knows nothing about HTTP, so the same
 * checker serves the scenarios, the unit tests and any other harness.
 */

export type ConsensusRole = 'leader' | 'follower' | 'candidate' | 'stopped';

export interface CommittedEntry {
  index: number;
  term: number;
  /** Identity of the write (absent for entries that carry no client data). */
  id?: string;
  key?: string;
  value?: string;
}

export interface NodeObservation {
  node_id: string;
  term: number;
  role: ConsensusRole;
  commit_index?: number;
  /**
   * Committed entries the node reported, each with its index. When `committed_from` is given,
   * the list claims to hold every committed entry from that index to `commit_index`.
   */
  committed?: CommittedEntry[];
  committed_from?: number;
}

export interface AcknowledgedWrite {
  key: string;
  value: string;
  index: number;
  term: number;
  id?: string;
}

export type ViolationKind =
  | 'two-leaders-in-term'
  | 'committed-entry-changed'
  | 'committed-entry-lost'
  | 'commit-index-regressed'
  | 'acknowledged-write-missing';

export interface Violation {
  kind: ViolationKind;
  message: string;
  node_id?: string;
  term?: number;
  index?: number;
}

export class ConsensusInvariantError extends Error {
  constructor(readonly violations: readonly Violation[]) {
    super(`consensus safety violated ${violations.length} time(s):\n  - ${violations.map((v) => v.message).join('\n  - ')}`);
    this.name = 'ConsensusInvariantError';
  }
}

export class ConsensusInvariants {
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly entryAt = new Map<number, { entry: CommittedEntry; node: string }>();
  private readonly commitIndexOf = new Map<string, number>();
  private readonly acknowledged: AcknowledgedWrite[] = [];
  private readonly found: Violation[] = [];
  private readonly reported = new Set<string>();
  private observationCount = 0;

  /** Every violation found so far, in the order found. */
  get violations(): readonly Violation[] {
    return this.found;
  }

  /** How many node observations the checker has seen (a check that saw nothing proves nothing). */
  get observations(): number {
    return this.observationCount;
  }

  /** Feeds one or more node observations; returns the violations they revealed. */
  observe(observations: NodeObservation | readonly NodeObservation[]): Violation[] {
    const list = Array.isArray(observations) ? observations : [observations as NodeObservation];
    const before = this.found.length;
    for (const observation of list) {
      this.observationCount++;
      this.checkLeader(observation);
      this.checkCommitIndex(observation);
      this.checkCommitted(observation);
    }
    return this.found.slice(before);
  }

  /** Remembers a write the cluster acknowledged as committed. */
  acknowledge(write: AcknowledgedWrite): void {
    this.acknowledged.push({ ...write });
  }

  get acknowledgedWrites(): readonly AcknowledgedWrite[] {
    return this.acknowledged;
  }

  /**
   * After the cluster converged: every acknowledged write must be in the committed log of every
   * given node, at its index and term, with its value. `nodes` carry their committed entries.
   */
  checkConverged(nodes: readonly NodeObservation[]): Violation[] {
    const before = this.found.length;
    this.observe(nodes);
    for (const node of nodes) {
      const byIndex = new Map((node.committed ?? []).map((entry) => [entry.index, entry]));
      for (const write of this.acknowledged) {
        const entry = byIndex.get(write.index);
        const same = entry && entry.term === write.term && entry.key === write.key && entry.value === write.value && (write.id === undefined || entry.id === write.id);
        if (!same) {
          this.report({
            kind: 'acknowledged-write-missing',
            node_id: node.node_id,
            index: write.index,
            message: `acknowledged write ${write.key}=${JSON.stringify(write.value)} (index ${write.index}, term ${write.term}) is missing on ${node.node_id}${entry ? `: it holds ${describe(entry)}` : ''}`,
          });
        }
      }
    }
    return this.found.slice(before);
  }

  /** Throws ConsensusInvariantError listing every violation, if any. */
  assertSafe(): void {
    if (this.found.length > 0) throw new ConsensusInvariantError(this.found);
  }

  private checkLeader(observation: NodeObservation): void {
    if (observation.role !== 'leader') return;
    const known = this.leaderOfTerm.get(observation.term);
    if (known === undefined) {
      this.leaderOfTerm.set(observation.term, observation.node_id);
    } else if (known !== observation.node_id) {
      this.report({
        kind: 'two-leaders-in-term',
        term: observation.term,
        node_id: observation.node_id,
        message: `two leaders in term ${observation.term}: ${known} and ${observation.node_id}`,
      });
    }
  }

  private checkCommitIndex(observation: NodeObservation): void {
    if (observation.commit_index === undefined) return;
    const previous = this.commitIndexOf.get(observation.node_id) ?? 0;
    if (observation.commit_index < previous) {
      this.report({
        kind: 'commit-index-regressed',
        node_id: observation.node_id,
        index: observation.commit_index,
        message: `commit index of ${observation.node_id} went back from ${previous} to ${observation.commit_index}`,
      });
    } else {
      this.commitIndexOf.set(observation.node_id, observation.commit_index);
    }
  }

  private checkCommitted(observation: NodeObservation): void {
    const entries = observation.committed ?? [];
    for (const entry of entries) {
      const first = this.entryAt.get(entry.index);
      if (!first) {
        this.entryAt.set(entry.index, { entry: { ...entry }, node: observation.node_id });
      } else if (!sameEntry(first.entry, entry)) {
        this.report({
          kind: 'committed-entry-changed',
          node_id: observation.node_id,
          index: entry.index,
          message: `committed entry ${entry.index} differs: ${first.node} had ${describe(first.entry)}, ${observation.node_id} has ${describe(entry)}`,
        });
      }
    }
    if (observation.committed_from === undefined || observation.commit_index === undefined) return;
    const present = new Set(entries.map((entry) => entry.index));
    for (let index = observation.committed_from; index <= observation.commit_index; index++) {
      if (!present.has(index) && this.entryAt.has(index)) {
        this.report({
          kind: 'committed-entry-lost',
          node_id: observation.node_id,
          index,
          message: `committed entry ${index} (${describe(this.entryAt.get(index)!.entry)}) is gone from ${observation.node_id}`,
        });
      }
    }
  }

  /** Records a violation once (the same defect seen in every later sample is one finding). */
  private report(violation: Violation): void {
    const key = `${violation.kind}|${violation.node_id ?? ''}|${violation.term ?? ''}|${violation.index ?? ''}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.found.push(violation);
  }
}

function sameEntry(a: CommittedEntry, b: CommittedEntry): boolean {
  return a.term === b.term && a.id === b.id && a.key === b.key && a.value === b.value;
}

function describe(entry: CommittedEntry): string {
  return entry.key === undefined ? `an entry of term ${entry.term}` : `${entry.key}=${JSON.stringify(entry.value)} of term ${entry.term}`;
}
