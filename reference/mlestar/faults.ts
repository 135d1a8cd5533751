import { defineFaults, type FaultFlags } from '../define-faults';

// Scenario titles, exactly as in features/mle-star/*.feature.
export const MLESTAR_SCENARIOS = {
  // workflow.feature
  allStages: 'A project goes through all seven stages, from specification to maintenance',
  order: 'A stage cannot run before the stages it depends on',
  failureStops: 'A failed stage stops the workflow with a clear reason',
  resume: 'A stopped workflow resumes from the stage that needs another try',
  invalidConfig: 'An invalid project configuration is refused, naming the setting at fault',
  missingEssentials: 'A project without its essentials is refused, naming each missing setting',
  // stages.feature
  specification: 'The specification checks the configuration, the metric targets and the data source',
  tooFewSamples: 'A data source too small to judge a model fails the specification',
  design: 'The design chooses an architecture for the framework and the project type',
  customNetwork: "A customised network replaces the framework's default design",
  tooLarge: 'A design too large to train fails the design stage',
  implementation: "The implementation generates the project's code, configuration and notebooks",
  evaluation: 'The evaluation trains the model and measures it on data it never saw',
  relations: 'Measured independently, the evaluation holds up: on rows held back, under shuffled and noisy labels, and by the content of its split',
  endpoint: 'The deployed model answers valid input and refuses malformed input',
  monitoring: 'Monitoring counts requests, predictions, errors and latency',
  alert: 'An alert fires when the error rate reaches its threshold, and not before',
  schedule: 'Maintenance sets the retraining schedule',
  drift: 'Drift is detected when the production inputs shift, and not when they do not',
  tooSensitive: 'A drift detector too sensitive for its data fails the maintenance stage',
  // frameworks.feature
  frameworks: 'Each framework reaches the metric target of each project type',
  // templates.feature
  typeShapes: 'Each project type gets code shaped for its problem',
  customCode: 'A customised network and pipeline show up in the generated code',
  customEstimator: 'A customised estimator and pipeline show up in the generated scikit-learn project',
  notebooks: 'The eda, training and evaluation notebooks are valid Jupyter notebooks',
  // executed-projects.feature
  executed: 'A generated project trains with its framework and reaches its target when run',
  notebooksRun: 'The scikit-learn notebooks of each project type run from top to bottom',
} as const;

const S = MLESTAR_SCENARIOS;

export const MLESTAR_FAULTS = defineFaults({
  orderNotEnforced: {
    name: 'mlestar-order-not-enforced',
    description: 'A stage may be run before the stages it depends on: the order check only happens when the whole workflow runs.',
    scenarios: [S.order],
  },
  maintenanceSkipped: {
    name: 'mlestar-maintenance-skipped',
    description: 'The maintenance stage is marked succeeded without doing its work: no retraining schedule, no drift baseline, no calibration.',
    scenarios: [S.allStages, S.schedule, S.tooSensitive],
  },
  failedStageContinues: {
    name: 'mlestar-failed-stage-continues',
    description: 'A missed metric target is logged but does not fail the evaluation, so the workflow goes on to deploy a model that missed its targets.',
    scenarios: [S.failureStops, S.resume],
  },
  resumeFromFailedStage: {
    name: 'mlestar-resume-from-failed-stage',
    description: 'Resuming ignores the requested stage and continues at the failed one, so a changed design never takes effect.',
    scenarios: [S.resume],
  },
  noStageEvents: {
    name: 'mlestar-no-stage-events',
    description: 'Only the start and the end of a workflow are published on the event stream; stage progress is not.',
    scenarios: [S.allStages],
  },
  targetsUnchecked: {
    name: 'mlestar-targets-unchecked',
    description: 'Metric targets are taken as given: out-of-range, misplaced and missing targets are accepted.',
    scenarios: [S.invalidConfig, S.missingEssentials],
  },
  specSkipsDataCheck: {
    name: 'mlestar-spec-skips-data-check',
    description: 'The specification checks the configuration and the targets but never loads the data source, so a data source too small to judge a model passes.',
    scenarios: [S.specification, S.tooFewSamples],
  },
  designIgnoresCustomisation: {
    name: 'mlestar-design-ignores-customisation',
    description: "The design stage builds the framework's default architecture whatever the project customised (layers, epochs, estimator, scaling).",
    scenarios: [S.customNetwork, S.tooLarge, S.customCode, S.customEstimator, S.resume],
  },
  regressionLossWrong: {
    name: 'mlestar-regression-uses-classification-loss',
    description: "Regression and time-series designs take the framework's classification loss (cross-entropy) from the loss table.",
    scenarios: [S.design],
  },
  splitNotStratified: {
    name: 'mlestar-split-not-stratified',
    description: 'The generated data helper lost the stratify argument, so classification projects split their data without keeping the class balance.',
    scenarios: [S.typeShapes],
  },
  requirementsOmitFramework: {
    name: 'mlestar-requirements-omit-framework',
    description: 'requirements.txt lists the common packages but not the framework itself (torch, tensorflow or scikit-learn).',
    scenarios: [S.implementation],
  },
  notebookInvalid: {
    name: 'mlestar-notebook-invalid',
    description: 'Notebooks are "cleaned" after generation by deleting outputs and execution_count from code cells, which nbformat 4 requires.',
    scenarios: [S.notebooks, S.notebooksRun],
  },
  generatedTrainingSkipsUpdates: {
    name: 'mlestar-generated-training-skips-updates',
    description: "The generated PyTorch training loop computes the loss and its gradients but never calls optimizer.step(), so the network keeps its initial weights (the workflow's own evaluation is unaffected).",
    scenarios: [S.executed],
  },
  notebookPathsFromCwd: {
    name: 'mlestar-notebook-paths-from-cwd',
    description: "The notebooks' setup cell takes the working folder for the project folder, so a notebook run from notebooks/ (as Jupyter runs it) finds neither config.yaml nor the project's modules.",
    scenarios: [S.notebooksRun],
  },
  metricsNotComputed: {
    name: 'mlestar-metrics-not-computed',
    description: 'The evaluation reports each metric target as the achieved value instead of the metric computed from the held-out predictions.',
    scenarios: [S.evaluation, S.frameworks, S.failureStops, S.relations],
  },
  tensorflowOneEpoch: {
    name: 'mlestar-tensorflow-one-epoch',
    description: 'TensorFlow designs read their epochs from the wrong setting and train for a single epoch.',
    scenarios: [S.frameworks],
  },
  firstEnvironmentOnly: {
    name: 'mlestar-deploys-first-environment-only',
    description: 'The deployment stage deploys to the first configured environment only (staging), yet reports success.',
    scenarios: [S.allStages, S.endpoint, S.monitoring, S.alert, S.drift],
  },
  acceptsMalformedInput: {
    name: 'mlestar-accepts-malformed-input',
    description: 'The deployed endpoint does not check its input: short rows are padded with zeros and words read as 0, and a prediction is returned.',
    scenarios: [S.endpoint, S.monitoring, S.alert],
  },
  errorsNotCounted: {
    name: 'mlestar-errors-not-counted',
    description: 'Monitoring counts refused prediction requests as served, so the error rate stays 0 and no alert can fire.',
    scenarios: [S.monitoring, S.alert],
  },
  driftNeverDetected: {
    name: 'mlestar-drift-never-detected',
    description: 'Drift checks compare the recent inputs with themselves instead of with the training rows, so drift is never detected.',
    scenarios: [S.drift, S.tooSensitive],
  },
  scheduleIgnored: {
    name: 'mlestar-schedule-ignored',
    description: "The retraining schedule is ignored: the next runs are always computed as daily at midnight.",
    scenarios: [S.schedule],
  },
  trainsOnHeldOut: {
    name: 'mlestar-trains-on-held-out-rows',
    description: 'The evaluation fits the model on every row, the held-out rows included, and then measures it on those held-out rows.',
    scenarios: [S.relations],
  },
  heldOutLabelsMisaligned: {
    name: 'mlestar-held-out-labels-misaligned',
    description: "The held-out rows' labels are shifted by one row against their features, so the report pairs each held-out row with another row's label.",
    scenarios: [S.relations],
  },
  heldOutDrawnWithReplacement: {
    name: 'mlestar-held-out-drawn-with-replacement',
    description: 'The held-out rows are drawn with replacement from every row, so some repeat and some were also trained on.',
    scenarios: [S.relations],
  },
});

export type MlestarFaultFlags = FaultFlags<typeof MLESTAR_FAULTS>;
