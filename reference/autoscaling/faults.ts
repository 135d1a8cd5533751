import { defineFaults, type FaultFlags } from '../define-faults';
import { PERF_SCENARIOS } from '../perf/faults';

// Scenario titles of features/system/backend/autoscaling.feature.
export const AUTOSCALING_SCENARIOS = {
  growCpu: 'Sustained high CPU grows the group',
  growMemory: 'Sustained memory pressure grows the group',
  shrink: 'Sustained low load shrinks the group to its minimum and no further',
  max: 'The group never grows past its maximum',
  steady: 'Load between the thresholds leaves the group alone',
  cooldown: 'No second decision inside the cooldown',
  spike: 'A spike shorter than the evaluation window does not scale the group',
} as const;

const S = AUTOSCALING_SCENARIOS;
/** The model-based scenario: too random for the manual-clock harness, so outside the titles above. */
const MODEL = 'Any sequence of operations keeps every group within its policy and every view of it consistent';

export const AUTOSCALING_FAULTS = defineFaults({
  ignoresThreshold: {
    name: 'autoscaling-ignores-threshold',
    description: 'The autoscaler treats the CPU scale-up threshold as always exceeded, so a group grows whenever its window is full, whatever the load.',
    scenarios: [S.steady, S.shrink],
  },
  ignoresMemory: {
    name: 'autoscaling-ignores-memory',
    description: 'The autoscaler looks at CPU only: memory pressure never grows a group.',
    scenarios: [S.growMemory, PERF_SCENARIOS.autoscaling],
  },
  ignoresWindow: {
    name: 'autoscaling-ignores-window',
    description: 'The autoscaler decides on the latest sample instead of the average over the evaluation window, so a brief spike scales the group.',
    scenarios: [S.spike],
  },
  noCooldown: {
    name: 'autoscaling-no-cooldown',
    description: 'The cooldown is never started, so a group keeps scaling as fast as its window refills.',
    scenarios: [S.cooldown],
  },
  exceedsMax: {
    name: 'autoscaling-exceeds-max',
    description: 'The maximum size check is off by one: a group grows to one member past its maximum.',
    scenarios: [S.max],
  },
  belowMin: {
    name: 'autoscaling-below-min',
    description: 'The minimum size check is off by one: an idle group shrinks to one member below its minimum.',
    scenarios: [S.shrink],
  },
  noScaleDown: {
    name: 'autoscaling-no-scale-down',
    description: 'The autoscaler never shrinks a group, however idle it is.',
    scenarios: [S.shrink, PERF_SCENARIOS.autoscaling],
  },
  staleMetrics: {
    name: 'autoscaling-stale-metrics',
    description: "The autoscaler keeps using the members' first sample instead of measuring again, so it never sees the load change.",
    scenarios: [S.growCpu, S.growMemory],
  },
  groupReadFailsOnEmptyWindow: {
    name: 'autoscaling-group-read-fails-on-empty-window',
    description: 'Reading one scaling group averages its evaluation window without checking it has samples: right after a decision (and before the first sample) GET /api/v1/autoscaling/groups/{id} answers 500 until the next evaluation, so only a client that retries reads it.',
    scenarios: [S.growCpu, S.growMemory, S.shrink, S.max, S.cooldown],
  },
  scaleDownRemovesOldest: {
    name: 'autoscaling-scale-down-removes-oldest',
    description: 'A scale-down removes the oldest member instead of the newest (and names it in the decision).',
    scenarios: [MODEL],
  },
  sizeFromDesired: {
    name: 'autoscaling-size-from-desired',
    description: "A group's current size is reported from its desired size, so a member deleted behind the group's back is still counted.",
    scenarios: [MODEL],
  },
  reasonNamesCpu: {
    name: 'autoscaling-reason-names-cpu',
    description: "A scale-up's reason always quotes the CPU average, even when memory triggered it (\"average memory 50% above 80%\").",
    scenarios: [MODEL],
  },
  templateLimitsOffByOne: {
    name: 'autoscaling-template-limits-off-by-one',
    description: "A group's member template is refused at its highest limits: 64 CPUs, 262144 MB, a 100-character image or 16 tags.",
    scenarios: [MODEL],
  },
  unannounced: {
    name: 'autoscaling-unannounced',
    description: 'Scaling decisions are taken and recorded but never published on the real-time event stream.',
    scenarios: [S.growCpu],
  },
});

export type AutoscalingFaultFlags = FaultFlags<typeof AUTOSCALING_FAULTS>;
