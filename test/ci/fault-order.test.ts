import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runOrder } from '../../scripts/verify-faults';

const fault = (name: string, ...scenarios: string[]) => ({ name, description: name, scenarios });

describe('the order verify:faults runs the faults in', () => {
  const performance = new Set(['load', 'spike', 'stress']);

  it('starts the faults with the most performance scenarios first and keeps the catalog order of the rest', () => {
    const catalog = [fault('a', 'list'), fault('b', 'stress'), fault('c', 'load', 'spike', 'list'), fault('d', 'detail'), fault('e', 'spike')];
    assert.deepEqual(
      runOrder(catalog, performance).map((f) => f.name),
      ['c', 'b', 'e', 'a', 'd'],
    );
  });

  it('leaves a catalog without performance scenarios as it is, and the catalog itself unsorted', () => {
    const catalog = [fault('z', 'list'), fault('y', 'detail'), fault('x', 'create')];
    assert.deepEqual(
      runOrder(catalog, performance).map((f) => f.name),
      ['z', 'y', 'x'],
    );
    assert.deepEqual(
      catalog.map((f) => f.name),
      ['z', 'y', 'x'],
    );
  });
});
