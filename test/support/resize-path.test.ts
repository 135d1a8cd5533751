import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resizePath } from '../../support/tasks/autoscaling';

type Decision = Parameters<typeof resizePath>[0][number];

function decision(action: Decision['action'], from: number, to: number, metric: Decision['metric'] = 'cpu'): Decision {
  return { id: `asd-${action}-${from}-${to}`, action, metric, from_size: from, to_size: to, vm_id: 'vm-1', decided_at: new Date(0).toISOString() };
}

describe('resizePath: how a scaling group went from one size to another', () => {
  it('accepts one machine at a time in the direction of travel, up to the first decision that reached the size', () => {
    const made = [decision('scale-up', 1, 2), decision('scale-up', 2, 3), decision('scale-down', 3, 2)];
    assert.deepEqual(resizePath(made, 1, 3, 'grow'), { path: made.slice(0, 2) });
    assert.deepEqual(resizePath([decision('scale-down', 4, 3), decision('scale-down', 3, 2)], 4, 2, 'shrink'), {
      path: [decision('scale-down', 4, 3), decision('scale-down', 3, 2)],
    });
  });

  it('refuses a group that went the other way on the way', () => {
    const judged = resizePath([decision('scale-down', 4, 3), decision('scale-up', 3, 4), decision('scale-down', 4, 3), decision('scale-down', 3, 2)], 4, 2, 'shrink');
    assert.ok('problem' in judged && /scale-up 3->4/.test(judged.problem), JSON.stringify(judged));
  });

  it('refuses a jump of more than one machine, and a path that does not start where the group was', () => {
    assert.ok('problem' in resizePath([decision('scale-up', 1, 3)], 1, 3, 'grow'));
    assert.ok('problem' in resizePath([decision('scale-up', 2, 3)], 1, 3, 'grow'));
  });

  it('refuses a size reached without a recorded decision', () => {
    const judged = resizePath([], 1, 2, 'grow');
    assert.ok('problem' in judged && /no recorded decision/.test(judged.problem));
  });
});
