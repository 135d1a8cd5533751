import type { FaultSet } from '../faults';

/** The autoscaling defects the autoscaler can be switched into (documented in ./faults.ts). */
export const AUTOSCALING_FAULTS = {
  ignoresThreshold: 'autoscaling-ignores-threshold',
  ignoresMemory: 'autoscaling-ignores-memory',
  ignoresWindow: 'autoscaling-ignores-window',
  noCooldown: 'autoscaling-no-cooldown',
  exceedsMax: 'autoscaling-exceeds-max',
  belowMin: 'autoscaling-below-min',
  noScaleDown: 'autoscaling-no-scale-down',
  staleMetrics: 'autoscaling-stale-metrics',
  unannounced: 'autoscaling-unannounced',
  groupReadFailsOnEmptyWindow: 'autoscaling-group-read-fails-on-empty-window',
  scaleDownRemovesOldest: 'autoscaling-scale-down-removes-oldest',
  sizeFromDesired: 'autoscaling-size-from-desired',
} as const;

export type AutoscalingFaultFlags = { readonly [K in keyof typeof AUTOSCALING_FAULTS]: boolean };

export function autoscalingFaultFlags(faults: Pick<FaultSet, 'has'> | undefined): AutoscalingFaultFlags {
  const flags = {} as Record<keyof typeof AUTOSCALING_FAULTS, boolean>;
  for (const [key, name] of Object.entries(AUTOSCALING_FAULTS) as Array<[keyof typeof AUTOSCALING_FAULTS, string]>) {
    flags[key] = faults?.has(name) ?? false;
  }
  return flags;
}
