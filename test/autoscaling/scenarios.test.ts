import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTOSCALING_FAULTS, AUTOSCALING_SCENARIOS } from '../../reference/autoscaling/faults';
import { DEFAULT_INTERVAL_MS, scenarios, type AutoscalingScenarioName } from './scenarios';

/** Each scenario runs with the load change falling at several points of the autoscaler's interval. */
/** Defects of the HTTP module (what reaches the event stream), which only the feature itself can see. */
const MODULE_FAULTS = new Set(['autoscaling-unannounced', 'autoscaling-group-read-fails-on-empty-window']);
const PHASES = [0, 37, 101, 163, DEFAULT_INTERVAL_MS - 1];

describe('autoscaling scenarios on a manual clock', () => {
  it('cover exactly the scenario titles of the fault catalog', () => {
    assert.deepEqual(Object.keys(scenarios).sort(), Object.values(AUTOSCALING_SCENARIOS).sort());
  });

  for (const name of Object.keys(scenarios) as AutoscalingScenarioName[]) {
    it(`pass without faults: ${name}`, async () => {
      for (const phase of PHASES) assert.deepEqual((await scenarios[name]([], phase)).failures, [], `phase ${phase} ms`);
    });
  }

  for (const fault of AUTOSCALING_FAULTS.catalog.filter((f) => !MODULE_FAULTS.has(f.name))) {
    const mine = fault.scenarios.filter((name): name is AutoscalingScenarioName => name in scenarios);
    for (const name of mine) {
      it(`fail with ${fault.name}: ${name}`, async () => {
        for (const phase of PHASES) {
          const run = await scenarios[name]([fault.name], phase);
          assert.ok(run.failures.length > 0, `phase ${phase} ms: the scenario passed although ${fault.name} was on`);
        }
      });
    }
  }
});
