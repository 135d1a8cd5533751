/**
 * A linearizability checker for registers (blocks of a volume, or any key whose writes carry
 * unique values): every write and read the clients made, with when each was sent and answered, is
 * checked for one order of operations that respects real time (an operation answered before
 * another was sent comes first) and in which every read returns the value of the last write before
 * it. It knows nothing about HTTP, so unit tests feed it histories directly.
 *
 * - An acknowledged write took effect once, between being sent and being answered.
 * - A refused write never took effect: a read of its value is reported as such.
 * - A write of unknown outcome (no answer) took effect once or never, any time after it was sent.
 * - A read returns the initial value or a value some write sent before the read was answered.
 *
 * The search is Wing and Gong's, with Lowe's memoisation of (operations placed, register value):
 * with a handful of concurrent clients it stays linear in the history's length.
 */

export interface RegisterWrite {
  kind: 'write';
  client: string;
  key: string;
  /** Unique across the history's writes of this key. */
  value: string;
  /** Client clock, ms. */
  sentAt: number;
  answeredAt: number;
  outcome: 'acknowledged' | 'refused' | 'unknown';
}

export interface RegisterRead {
  kind: 'read';
  client: string;
  key: string;
  value: string;
  sentAt: number;
  answeredAt: number;
}

export type RegisterOperation = RegisterWrite | RegisterRead;

export interface RegisterProblem {
  rule: 'read-never-written' | 'read-refused-write' | 'read-before-write-sent' | 'stale-read' | 'not-linearizable';
  key: string;
  message: string;
}

/** How values appear in messages (for example decoded from bytes); the value itself by default. */
export type Describe = (value: string) => string;

const at = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'never');
const span = (op: RegisterOperation) => `${at(op.sentAt)}-${at(op.answeredAt)}`;

/** Every problem of the history; `initial` holds each key's value before the first operation. */
export function checkRegisterHistory(
  operations: readonly RegisterOperation[],
  initial: ReadonlyMap<string, string>,
  describe: Describe = (value) => value,
): RegisterProblem[] {
  const problems: RegisterProblem[] = [];
  const keys = [...new Set(operations.map((op) => op.key))].sort();
  for (const key of keys) {
    const ofKey = operations.filter((op) => op.key === key);
    const start = initial.get(key);
    if (start === undefined) throw new Error(`no initial value was recorded for ${key}`);
    const found = obviousProblems(key, ofKey, start, describe);
    problems.push(...found);
    if (found.length === 0 && !linearizable(ofKey, start)) {
      problems.push({ rule: 'not-linearizable', key, message: `the operations on ${key} fit no order that respects real time: ${listed(ofKey, describe)}` });
    }
  }
  return problems;
}

/** The violations a single read shows on its own, named precisely. */
function obviousProblems(key: string, operations: readonly RegisterOperation[], start: string, describe: Describe): RegisterProblem[] {
  const problems: RegisterProblem[] = [];
  const writes = operations.filter((op): op is RegisterWrite => op.kind === 'write');
  const byValue = new Map(writes.map((write) => [write.value, write]));
  const acknowledged = writes.filter((write) => write.outcome === 'acknowledged');
  for (const read of operations.filter((op): op is RegisterRead => op.kind === 'read')) {
    const said = `${read.client}'s read of ${key} (${span(read)}) returned ${describe(read.value)}`;
    const source = byValue.get(read.value);
    if (read.value === start && source === undefined) {
      const overwrite = acknowledged.find((write) => write.answeredAt < read.sentAt);
      if (overwrite) problems.push({ rule: 'stale-read', key, message: `${said}, the value before any write, although ${describeWrite(overwrite, describe)} was acknowledged before it was sent` });
      continue;
    }
    if (!source) {
      problems.push({ rule: 'read-never-written', key, message: `${said}, a value no client wrote` });
      continue;
    }
    if (source.outcome === 'refused') {
      problems.push({ rule: 'read-refused-write', key, message: `${said}, the value of ${describeWrite(source, describe)}, which was refused` });
      continue;
    }
    if (source.sentAt > read.answeredAt) {
      problems.push({ rule: 'read-before-write-sent', key, message: `${said}, the value of ${describeWrite(source, describe)}, sent only after the read was answered` });
      continue;
    }
    const overwrite = acknowledged.find((write) => write !== source && write.sentAt > source.answeredAt && write.answeredAt < read.sentAt);
    if (overwrite) {
      problems.push({
        rule: 'stale-read',
        key,
        message: `${said}, the value of ${describeWrite(source, describe)}, although ${describeWrite(overwrite, describe)} replaced it and was acknowledged before the read was sent`,
      });
    }
  }
  return problems;
}

interface Entry {
  op: RegisterOperation;
  /** Must be placed: a read or an acknowledged write (a write of unknown outcome may never have happened). */
  required: boolean;
  answeredAt: number;
}

function linearizable(operations: readonly RegisterOperation[], start: string): boolean {
  const entries: Entry[] = operations
    .filter((op) => op.kind === 'read' || op.outcome !== 'refused')
    .map((op) => {
      const unknown = op.kind === 'write' && op.outcome === 'unknown';
      return { op, required: !unknown, answeredAt: unknown ? Infinity : op.answeredAt };
    })
    .sort((a, b) => a.op.sentAt - b.op.sentAt);
  const placed = new Array<boolean>(entries.length).fill(false);
  const seen = new Set<string>();
  let requiredLeft = entries.filter((entry) => entry.required).length;

  const search = (value: string): boolean => {
    if (requiredLeft === 0) return true;
    const state = `${placed.map((p) => (p ? 1 : 0)).join('')}|${value}`;
    if (seen.has(state)) return false;
    seen.add(state);
    // Only an operation sent before every unplaced one was answered can come next.
    let deadline = Infinity;
    for (let i = 0; i < entries.length; i++) if (!placed[i]) deadline = Math.min(deadline, entries[i].answeredAt);
    for (let i = 0; i < entries.length; i++) {
      const { op, required } = entries[i];
      if (placed[i]) continue;
      if (op.sentAt > deadline) break;
      if (op.kind === 'read' && op.value !== value) continue;
      placed[i] = true;
      if (required) requiredLeft--;
      const next = op.kind === 'write' ? op.value : value;
      if (search(next)) return true;
      placed[i] = false;
      if (required) requiredLeft++;
    }
    return false;
  };
  return search(start);
}

function describeWrite(write: RegisterWrite, describe: Describe): string {
  return `${write.client}'s write of ${describe(write.value)} (${span(write)})`;
}

function listed(operations: readonly RegisterOperation[], describe: Describe): string {
  const shown = [...operations].sort((a, b) => a.sentAt - b.sentAt).slice(0, 24);
  const text = shown
    .map((op) => (op.kind === 'write' ? `${describeWrite(op, describe)} ${op.outcome}` : `${op.client} read ${describe(op.value)} (${span(op)})`))
    .join('; ');
  return operations.length > shown.length ? `${text}; and ${operations.length - shown.length} more` : text;
}
