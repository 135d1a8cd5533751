import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSENSUS_FAULTS, CONSENSUS_SCENARIOS } from '../../reference/consensus/faults';
import { scenarios, type ScenarioName } from './scenarios';

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

describe('consensus scenarios on a virtual clock', () => {
  it('cover exactly the scenario titles of the fault catalog', () => {
    assert.deepEqual(Object.keys(scenarios).sort(), Object.values(CONSENSUS_SCENARIOS).sort());
  });

  for (const name of Object.keys(scenarios) as ScenarioName[]) {
    it(`pass without faults: ${name}`, async () => {
      for (const seed of SEEDS) {
        const run = await scenarios[name](seed);
        assert.deepEqual(run.failures, [], `seed ${seed}`);
      }
    });
  }

  for (const fault of CONSENSUS_FAULTS.catalog) {
    const mine = fault.scenarios.filter((name): name is ScenarioName => name in scenarios);
    for (const name of mine) {
      it(`fail with ${fault.name}: ${name}`, async () => {
        for (const seed of SEEDS) {
          const run = await scenarios[name](seed, [fault.name]);
          assert.ok(run.failures.length > 0, `seed ${seed}: the scenario passed although ${fault.name} was on`);
        }
      });
    }
  }
});
