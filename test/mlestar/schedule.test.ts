import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRuns, parseCron } from '../../reference/mlestar/schedule';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('retraining schedules (cron, UTC)', () => {
  it('weekly on Sunday at 03:00', () => {
    // 2024-01-01 is a Monday
    assert.deepEqual(iso(nextRuns(parseCron('0 3 * * 0'), new Date('2024-01-01T00:00:00Z'), 3)), [
      '2024-01-07T03:00:00.000Z',
      '2024-01-14T03:00:00.000Z',
      '2024-01-21T03:00:00.000Z',
    ]);
  });

  it('steps, ranges, lists and presets', () => {
    assert.deepEqual(iso(nextRuns(parseCron('*/15 * * * *'), new Date('2024-05-05T10:07:30Z'), 2)), ['2024-05-05T10:15:00.000Z', '2024-05-05T10:30:00.000Z']);
    assert.deepEqual(iso(nextRuns(parseCron('0 9-10 * * 1,3'), new Date('2024-01-01T09:30:00Z'), 3)), [
      '2024-01-01T10:00:00.000Z',
      '2024-01-03T09:00:00.000Z',
      '2024-01-03T10:00:00.000Z',
    ]);
    assert.deepEqual(iso(nextRuns(parseCron('@monthly'), new Date('2024-01-15T00:00:00Z'), 1)), ['2024-02-01T00:00:00.000Z']);
  });

  it('a run strictly after the given time, never at it', () => {
    assert.deepEqual(iso(nextRuns(parseCron('@daily'), new Date('2024-03-01T00:00:00Z'), 1)), ['2024-03-02T00:00:00.000Z']);
  });

  it('finds no run for a date that never exists, without looping forever', () => {
    assert.deepEqual(nextRuns(parseCron('0 0 31 2 *'), new Date('2024-01-01T00:00:00Z'), 1), []);
  });

  it('refuses malformed expressions naming the field', () => {
    assert.throws(() => parseCron('0 3 * *'), /must have 5 fields/);
    assert.throws(() => parseCron('61 * * * *'), /minute "61" must stay within 0-59/);
    assert.throws(() => parseCron('0 3 * * mon'), /day of week "mon" is not a number/);
  });
});
