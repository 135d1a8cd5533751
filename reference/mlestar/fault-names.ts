import type { FaultSet } from '../faults';

/** The MLE-Star defects the reference can be started with (documented in ./faults.ts). */
export const MLESTAR_FAULTS = {
  orderNotEnforced: 'mlestar-order-not-enforced',
  maintenanceSkipped: 'mlestar-maintenance-skipped',
  failedStageContinues: 'mlestar-failed-stage-continues',
  resumeFromFailedStage: 'mlestar-resume-from-failed-stage',
  noStageEvents: 'mlestar-no-stage-events',
  targetsUnchecked: 'mlestar-targets-unchecked',
  specSkipsDataCheck: 'mlestar-spec-skips-data-check',
  designIgnoresCustomisation: 'mlestar-design-ignores-customisation',
  regressionLossWrong: 'mlestar-regression-uses-classification-loss',
  splitNotStratified: 'mlestar-split-not-stratified',
  requirementsOmitFramework: 'mlestar-requirements-omit-framework',
  notebookInvalid: 'mlestar-notebook-invalid',
  metricsNotComputed: 'mlestar-metrics-not-computed',
  tensorflowOneEpoch: 'mlestar-tensorflow-one-epoch',
  firstEnvironmentOnly: 'mlestar-deploys-first-environment-only',
  acceptsMalformedInput: 'mlestar-accepts-malformed-input',
  errorsNotCounted: 'mlestar-errors-not-counted',
  driftNeverDetected: 'mlestar-drift-never-detected',
  scheduleIgnored: 'mlestar-schedule-ignored',
  trainsOnHeldOut: 'mlestar-trains-on-held-out-rows',
  heldOutLabelsMisaligned: 'mlestar-held-out-labels-misaligned',
  heldOutDrawnWithReplacement: 'mlestar-held-out-drawn-with-replacement',
} as const;

export type MlestarFaultFlags = { readonly [K in keyof typeof MLESTAR_FAULTS]: boolean };

export function mlestarFaultFlags(faults: Pick<FaultSet, 'has'> | undefined): MlestarFaultFlags {
  const flags = {} as Record<keyof typeof MLESTAR_FAULTS, boolean>;
  for (const [key, name] of Object.entries(MLESTAR_FAULTS) as [keyof typeof MLESTAR_FAULTS, string][]) flags[key] = faults?.has(name) ?? false;
  return flags;
}
