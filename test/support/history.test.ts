import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory, type LoggedPut, type Operation, type ReadOperation, type WriteOperation } from '../../support/invariants/history';

const put = (index: number, key: string, value: string, term = 1): LoggedPut => ({ index, term, kind: 'put', key, value });
const noop = (index: number, term = 1): LoggedPut => ({ index, term, kind: 'noop' });

function write(value: string, sentAt: number, answeredAt: number, outcome: WriteOperation['outcome'], index?: number, key = 'k', term = 1): WriteOperation {
  return { kind: 'write', client: 'c1', key, value, via: 'node-1', sentAt, answeredAt, outcome, index, term };
}

function read(node: string, key: string, value: string | null, commitIndex: number, sentAt: number, answeredAt = sentAt + 1): ReadOperation {
  return { kind: 'read', client: 'c2', key, node, sentAt, answeredAt, found: value !== null, value, commitIndex };
}

const LOG = [noop(1), put(2, 'k', 'a'), put(3, 'k', 'b'), put(4, 'j', 'x')];
const logs = (...perNode: LoggedPut[][]) => new Map(perNode.map((log, i) => [`node-${i + 1}`, log]));
const rules = (operations: Operation[], nodes = logs(LOG, LOG.slice(0, 3), LOG)) => checkHistory(operations, nodes).map((problem) => problem.rule);

const VALID: Operation[] = [
  write('a', 0, 10, 'committed', 2),
  write('b', 11, 20, 'committed', 3),
  write('x', 15, 30, 'unknown'),
  write('never', 16, 17, 'refused'),
  read('node-2', 'k', 'a', 2, 12),
  read('node-2', 'k', 'b', 3, 25),
  read('node-3', 'k', null, 1, 1),
  read('node-1', 'j', 'x', 4, 40),
];

describe('the consensus history checker', () => {
  it('accepts a history that the logs explain (a lagging node and an unknown write that landed included)', () => {
    assert.deepEqual(checkHistory(VALID, logs(LOG, LOG.slice(0, 3), LOG)), []);
  });

  it('finds an acknowledged write no log holds, or holds elsewhere', () => {
    assert.deepEqual(rules([write('c', 0, 1, 'committed', 5)]), ['acknowledged-write-missing']);
    assert.deepEqual(rules([write('b', 0, 1, 'committed', 2)]), ['acknowledged-write-elsewhere']);
  });

  it('finds a refused write that was applied, and a write applied twice', () => {
    assert.deepEqual(rules([write('a', 0, 1, 'refused')]), ['refused-write-applied']);
    const twice = [...LOG, put(5, 'k', 'a')];
    assert.deepEqual(rules([write('a', 0, 1, 'unknown')], logs(twice, twice)), ['write-applied-twice']);
  });

  it('finds acknowledged writes whose order contradicts when they were answered', () => {
    assert.deepEqual(rules([write('b', 0, 10, 'committed', 3), write('a', 11, 20, 'committed', 2)]), ['acknowledged-writes-reordered']);
    // Writes that overlapped in time may land in either order.
    assert.deepEqual(rules([write('b', 0, 10, 'committed', 3), write('a', 5, 20, 'committed', 2)]), []);
  });

  it('finds reads of a value the prefix they claim does not hold, or beyond every log', () => {
    assert.deepEqual(rules([read('node-1', 'k', 'b', 2, 0)]), ['read-wrong-value']);
    assert.deepEqual(rules([read('node-1', 'k', 'phantom', 4, 0)]), ['read-wrong-value']);
    assert.deepEqual(rules([read('node-1', 'j', null, 4, 0)]), ['read-wrong-value']);
    assert.deepEqual(rules([read('node-1', 'k', 'b', 9, 0)]), ['read-beyond-history']);
  });

  it('finds a node whose reads go back', () => {
    assert.deepEqual(rules([read('node-1', 'k', 'b', 3, 0, 5), read('node-1', 'k', 'a', 2, 6)]), ['read-went-back']);
    assert.deepEqual(rules([read('node-1', 'k', 'b', 3, 0, 5), read('node-2', 'k', 'a', 2, 6)]), []);
  });

  it('finds logs that are not one history', () => {
    const other = [noop(1), put(2, 'k', 'z', 2)];
    assert.deepEqual(rules([], logs(LOG, other)), ['logs-diverge']);
    assert.deepEqual(rules([], logs([noop(1), put(3, 'k', 'a')])), ['logs-diverge']);
  });
});
