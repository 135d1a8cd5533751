import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkRegisterHistory, type RegisterOperation, type RegisterRead, type RegisterWrite } from '../../support/invariants/register-history';

const write = (value: string, sentAt: number, answeredAt: number, outcome: RegisterWrite['outcome'] = 'acknowledged', client = 'w1', key = 'b0'): RegisterWrite => ({
  kind: 'write',
  client,
  key,
  value,
  sentAt,
  answeredAt,
  outcome,
});
const read = (value: string, sentAt: number, answeredAt: number, client = 'r1', key = 'b0'): RegisterRead => ({ kind: 'read', client, key, value, sentAt, answeredAt });
const INITIAL = new Map([
  ['b0', 'init'],
  ['b1', 'init1'],
]);
const rules = (operations: RegisterOperation[]) => checkRegisterHistory(operations, INITIAL).map((problem) => problem.rule);

describe('the register history checker', () => {
  it('accepts reads that overlap a write seeing either value, and unknown or refused writes that never show', () => {
    assert.deepEqual(
      rules([
        read('init', 0, 5),
        write('a', 10, 20),
        read('init', 12, 14, 'r2'),
        read('a', 15, 25),
        write('b', 30, 40, 'unknown'),
        write('c', 31, 33, 'refused', 'w2'),
        read('a', 41, 42),
        read('init1', 0, 50, 'r3', 'b1'),
      ]),
      [],
    );
  });

  it('accepts an unknown write that took effect long after it was sent', () => {
    assert.deepEqual(rules([write('a', 0, Infinity, 'unknown'), read('init', 5, 6), read('a', 100, 101)]), []);
  });

  it('names a read of a value no client wrote, or of a refused write', () => {
    assert.deepEqual(rules([write('a', 0, 1), read('zz', 2, 3)]), ['read-never-written']);
    assert.deepEqual(rules([write('a', 0, 1, 'refused'), read('a', 2, 3)]), ['read-refused-write']);
  });

  it('names a read of a value written only after the read was answered', () => {
    assert.deepEqual(rules([read('a', 0, 1), write('a', 2, 3)]), ['read-before-write-sent']);
  });

  it('names a stale read: the initial value, or a value replaced before the read was sent', () => {
    assert.deepEqual(rules([write('a', 0, 1), read('init', 2, 3)]), ['stale-read']);
    assert.deepEqual(rules([write('a', 0, 1), write('b', 2, 3, 'acknowledged', 'w2'), read('a', 4, 5)]), ['stale-read']);
  });

  it('finds reads that go back in time, which no single read shows', () => {
    // b overlaps both reads: seeing b, then a again, fits no order.
    const operations = [write('a', 0, 1), write('b', 2, 20, 'acknowledged', 'w2'), read('b', 3, 4), read('a', 5, 6, 'r2')];
    assert.deepEqual(rules(operations), ['not-linearizable']);
    const [problem] = checkRegisterHistory(operations, INITIAL, (value) => `"${value}"`);
    assert.match(problem.message, /w2's write of "b" \(2 ms-20 ms\) acknowledged/);
  });

  it('accepts every history of a correct register, whatever the interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ write: fc.boolean(), client: fc.integer({ min: 0, max: 3 }), gap: fc.integer({ min: 0, max: 5 }), length: fc.integer({ min: 1, max: 30 }) }), { maxLength: 40 }), (plan) => {
        // Each operation takes effect at one instant inside its interval; the register's value is
        // replayed in order of those instants.
        const effects = plan.map((step, i) => ({ step, i, sentAt: i * 3 + step.gap, at: i * 3 + step.gap + step.length / 2, answeredAt: i * 3 + step.gap + step.length }));
        let value = 'init';
        const operations: RegisterOperation[] = [];
        for (const effect of [...effects].sort((a, b) => a.at - b.at)) {
          if (effect.step.write) {
            value = `v${effect.i}`;
            operations.push(write(value, effect.sentAt, effect.answeredAt, 'acknowledged', `c${effect.step.client}`));
          } else {
            operations.push(read(value, effect.sentAt, effect.answeredAt, `c${effect.step.client}`));
          }
        }
        assert.deepEqual(rules(operations), []);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a history of a key with no initial value', () => {
    assert.throws(() => checkRegisterHistory([read('a', 0, 1, 'r1', 'b9')], INITIAL), /no initial value was recorded for b9/);
  });
});
