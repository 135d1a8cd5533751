/**
 * A history checker for the consensus key-value store: every operation the clients sent (with when
 * it was sent and answered, and what the answer said) is checked against the committed logs the
 * nodes hold at the end. It knows nothing about HTTP, so unit tests feed it histories directly.
 *
 * What the contract promises, and so what is checked:
 * - the nodes' committed logs are one history (each a prefix of the longest);
 * - an acknowledged write is in that history, once, at the index and term its answer named;
 * - a write refused with "nothing was appended" never appears; one of unknown outcome at most once;
 * - acknowledged writes are ordered as the clients saw them: one answered before another was sent
 *   comes first (the log is linearizable);
 * - a read answers the key's value in the history's first `commit_index` entries, as it claims,
 *   so it never returns a value that was never written, or one overwritten within that prefix;
 * - reads from one node never go back: one sent after another was answered claims no smaller
 *   commit index.
 */

export interface LoggedPut {
  index: number;
  term: number;
  kind: 'noop' | 'put';
  key?: string;
  value?: string;
}

export interface WriteOperation {
  kind: 'write';
  client: string;
  key: string;
  /** Unique across the history, so each write is recognised in the log. */
  value: string;
  via: string;
  /** Client clock, ms. */
  sentAt: number;
  answeredAt: number;
  outcome: 'committed' | 'refused' | 'unknown';
  index?: number;
  term?: number;
}

export interface ReadOperation {
  kind: 'read';
  client: string;
  key: string;
  node: string;
  sentAt: number;
  answeredAt: number;
  found: boolean;
  value: string | null;
  commitIndex: number;
}

export type Operation = WriteOperation | ReadOperation;

export interface HistoryProblem {
  rule: 'logs-diverge' | 'acknowledged-write-missing' | 'acknowledged-write-elsewhere' | 'write-applied-twice' | 'refused-write-applied' | 'acknowledged-writes-reordered' | 'read-beyond-history' | 'read-wrong-value' | 'read-went-back';
  message: string;
}

const describeWrite = (op: WriteOperation) => `${op.client}'s write of ${op.key}=${op.value} through ${op.via}`;

/** Every problem of the history against the nodes' final committed logs (by node id). */
export function checkHistory(operations: readonly Operation[], logs: ReadonlyMap<string, readonly LoggedPut[]>): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const history = oneHistory(logs, problems);
  const writes = operations.filter((op): op is WriteOperation => op.kind === 'write');
  const reads = operations.filter((op): op is ReadOperation => op.kind === 'read');

  const positions = new Map<string, number[]>();
  history.forEach((entry, i) => {
    if (entry.kind === 'put' && entry.value !== undefined) positions.set(entry.value, [...(positions.get(entry.value) ?? []), i + 1]);
  });

  for (const write of writes) {
    const at = positions.get(write.value) ?? [];
    if (at.length > 1) problems.push({ rule: 'write-applied-twice', message: `${describeWrite(write)} is in the history ${at.length} times (entries ${at.join(', ')})` });
    if (write.outcome === 'refused' && at.length > 0) problems.push({ rule: 'refused-write-applied', message: `${describeWrite(write)} was refused as never appended, yet it is entry ${at[0]} of the history` });
    if (write.outcome !== 'committed') continue;
    if (at.length === 0) {
      problems.push({ rule: 'acknowledged-write-missing', message: `${describeWrite(write)} was acknowledged at index ${write.index} (term ${write.term}), but no node's log holds it` });
      continue;
    }
    const entry = history[at[0] - 1];
    if (at[0] !== write.index || entry.term !== write.term || entry.key !== write.key) {
      problems.push({ rule: 'acknowledged-write-elsewhere', message: `${describeWrite(write)} was acknowledged at index ${write.index} term ${write.term}, but the history holds it at index ${at[0]} term ${entry.term} (key ${entry.key})` });
    }
  }

  // Linearizability of the log: sort by answer time, then each must precede every write sent later.
  const acknowledged = writes.filter((write) => write.outcome === 'committed' && (positions.get(write.value) ?? []).length > 0).sort((a, b) => a.answeredAt - b.answeredAt);
  for (const earlier of acknowledged) {
    const earlierAt = (positions.get(earlier.value) as number[])[0];
    const later = acknowledged.find((other) => other.sentAt > earlier.answeredAt && (positions.get(other.value) as number[])[0] < earlierAt);
    if (later) {
      problems.push({
        rule: 'acknowledged-writes-reordered',
        message: `${describeWrite(earlier)} was acknowledged before ${describeWrite(later)} was sent, yet the history puts it after (entry ${earlierAt} after ${(positions.get(later.value) as number[])[0]})`,
      });
    }
  }

  for (const read of reads) {
    const what = `${read.client}'s read of ${read.key} from ${read.node} (commit index ${read.commitIndex}: ${read.found ? read.value : 'not found'})`;
    if (read.commitIndex > history.length) {
      problems.push({ rule: 'read-beyond-history', message: `${what} claims a commit index beyond the ${history.length} entries any node holds` });
      continue;
    }
    const expected = valueAt(history, read.key, read.commitIndex);
    const seen = read.found ? read.value : null;
    if (seen !== expected) {
      problems.push({ rule: 'read-wrong-value', message: `${what} does not answer the value of ${read.key} in the first ${read.commitIndex} entries of the history, ${expected === null ? 'none' : expected}` });
    }
  }
  const byNode = new Map<string, ReadOperation[]>();
  for (const read of reads) byNode.set(read.node, [...(byNode.get(read.node) ?? []), read]);
  for (const [node, nodeReads] of byNode) {
    for (const earlier of nodeReads) {
      const later = nodeReads.find((other) => other.sentAt > earlier.answeredAt && other.commitIndex < earlier.commitIndex);
      if (later) problems.push({ rule: 'read-went-back', message: `${node} answered a read at commit index ${earlier.commitIndex}, then a later read at ${later.commitIndex}` });
    }
  }
  return problems;
}

/** The longest log, once every other is checked to be a prefix of it. */
function oneHistory(logs: ReadonlyMap<string, readonly LoggedPut[]>, problems: HistoryProblem[]): readonly LoggedPut[] {
  const ordered = [...logs].sort((a, b) => b[1].length - a[1].length);
  const [longestNode, longest] = ordered[0] ?? ['', []];
  for (const [node, log] of ordered.slice(1)) {
    const differs = log.findIndex((entry, i) => !sameEntry(entry, longest[i]));
    if (differs >= 0) {
      const mine = log[differs];
      const theirs = longest[differs];
      problems.push({ rule: 'logs-diverge', message: `${node} and ${longestNode} hold different committed entries at index ${mine.index}: ${describeEntry(mine)} against ${describeEntry(theirs)}` });
    }
  }
  longest.forEach((entry, i) => {
    if (entry.index !== i + 1) problems.push({ rule: 'logs-diverge', message: `the committed log of ${longestNode} has index ${entry.index} at position ${i + 1}` });
  });
  return longest;
}

const sameEntry = (a: LoggedPut, b: LoggedPut | undefined) => b !== undefined && a.index === b.index && a.term === b.term && a.kind === b.kind && a.key === b.key && a.value === b.value;
const describeEntry = (entry: LoggedPut) => (entry.kind === 'put' ? `${entry.key}=${entry.value} (term ${entry.term})` : `a no-op (term ${entry.term})`);

function valueAt(history: readonly LoggedPut[], key: string, commitIndex: number): string | null {
  for (let i = commitIndex - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry.kind === 'put' && entry.key === key) return entry.value ?? null;
  }
  return null;
}
