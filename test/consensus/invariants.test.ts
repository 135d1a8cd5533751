import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsensusInvariantError, ConsensusInvariants, type NodeObservation } from '../../support/invariants/consensus';

const node = (node_id: string, role: NodeObservation['role'], term: number, commit_index = 0, extra: Partial<NodeObservation> = {}): NodeObservation => ({
  node_id,
  role,
  term,
  commit_index,
  ...extra,
});

describe('the consensus invariant checker', () => {
  it('accepts a healthy history: one leader per term, growing commit indexes, stable entries', () => {
    const checker = new ConsensusInvariants();
    checker.observe([node('a', 'leader', 1, 1), node('b', 'follower', 1, 1)]);
    checker.observe([node('a', 'stopped', 1, 1), node('b', 'candidate', 2, 1)]);
    checker.observe([node('b', 'leader', 2, 2, { committed: [{ index: 2, term: 2, key: 'k', value: 'v' }] }), node('a', 'leader', 1, 1)]);
    assert.deepEqual(checker.violations, []);
    assert.equal(checker.observations, 6);
    checker.assertSafe();
  });

  it('catches two leaders in one term, once', () => {
    const checker = new ConsensusInvariants();
    checker.observe(node('a', 'leader', 3));
    const found = checker.observe([node('b', 'leader', 3), node('b', 'leader', 3)]);
    assert.equal(found.length, 1);
    assert.equal(found[0].kind, 'two-leaders-in-term');
    assert.equal(found[0].message, 'two leaders in term 3: a and b');
    assert.throws(() => checker.assertSafe(), ConsensusInvariantError);
  });

  it('catches a committed entry that changed', () => {
    const checker = new ConsensusInvariants();
    checker.observe(node('a', 'leader', 1, 1, { committed: [{ index: 1, term: 1, key: 'x', value: '1' }] }));
    const found = checker.observe(node('b', 'follower', 2, 1, { committed: [{ index: 1, term: 2, key: 'x', value: '2' }] }));
    assert.deepEqual(
      found.map((v) => v.kind),
      ['committed-entry-changed'],
    );
  });

  it('catches a committed entry that is gone from a node claiming its whole committed log', () => {
    const checker = new ConsensusInvariants();
    checker.observe(node('a', 'leader', 1, 2, { committed_from: 1, committed: [{ index: 1, term: 1 }, { index: 2, term: 1, key: 'k', value: 'v' }] }));
    const found = checker.observe(node('a', 'leader', 1, 2, { committed_from: 1, committed: [{ index: 1, term: 1 }] }));
    assert.deepEqual(
      found.map((v) => [v.kind, v.index]),
      [['committed-entry-lost', 2]],
    );
  });

  it('catches a commit index going backwards', () => {
    const checker = new ConsensusInvariants();
    checker.observe(node('a', 'follower', 1, 5));
    const found = checker.observe(node('a', 'follower', 1, 4));
    assert.equal(found[0].kind, 'commit-index-regressed');
    assert.equal(found[0].message, 'commit index of a went back from 5 to 4');
  });

  it('catches an acknowledged write missing after convergence, and passes when every node holds it', () => {
    const entries = [{ index: 1, term: 1 }, { index: 2, term: 1, id: 'w1', key: 'k', value: 'v' }];
    const checker = new ConsensusInvariants();
    checker.acknowledge({ key: 'k', value: 'v', index: 2, term: 1, id: 'w1' });
    assert.deepEqual(checker.checkConverged([node('a', 'leader', 1, 2, { committed: entries }), node('b', 'follower', 1, 2, { committed: entries })]), []);
    const found = checker.checkConverged([node('c', 'follower', 1, 1, { committed: entries.slice(0, 1) })]);
    assert.deepEqual(
      found.map((v) => [v.kind, v.node_id]),
      [['acknowledged-write-missing', 'c']],
    );
    assert.match(found[0].message, /acknowledged write k="v" \(index 2, term 1\) is missing on c/);
  });
});
