/**
 * How each named MLE-Star fault changes the reference (the catalog is ./faults.ts). The domain
 * stays fault-free: every defect is a wrapper around a stage runner, the configuration check or
 * an endpoint operation, switched on by the service from `ctx.faults`.
 */
import { validateProjectConfig, type ConfigResult } from './config';
import type { Design } from './design';
import { answer, type PredictionResult } from './endpoint';
import { evaluate, splitFor, type Splitter } from './evaluation';
import type { MlestarFaultFlags } from './faults';
import { recordRequest, type Alert } from './monitoring';
import { SeededRandom } from './random';
import type { EndpointRuntime } from './operations';
import { sampleDataSource } from './sampling';
import { nextRuns, parseCron } from './schedule';
import { CALIBRATION_SEED_OFFSET, STAGE_RUNNERS, type StageRunner } from './stages';
import { sha256, type GeneratedFile } from './templates/project';
import { ESTIMATORS_BY_FRAMEWORK, METRICS_BY_TYPE, type Matrix, type MetricName, type MonitoringConfig, type ProjectConfig, type StageName } from './types';

const CLASSIFICATION_LOSS = { pytorch: 'CrossEntropyLoss', tensorflow: 'sparse_categorical_crossentropy', sklearn: 'log_loss' } as const;
const FRAMEWORK_PACKAGE = { pytorch: 'torch', tensorflow: 'tensorflow', sklearn: 'scikit-learn' } as const;

/** The held-out split as a defect makes it: leaking held-out rows into training, misaligning their labels, or drawing them twice. */
function faultySplitter(flags: MlestarFaultFlags): Splitter | undefined {
  if (flags.trainsOnHeldOut) {
    return (config, dataset) => {
      const { train, test } = splitFor(config, dataset);
      return { train: { X: [...train.X, ...test.X], y: [...train.y, ...test.y] }, test };
    };
  }
  if (flags.heldOutLabelsMisaligned) {
    return (config, dataset) => {
      const { train, test } = splitFor(config, dataset);
      return { train, test: { X: test.X, y: [...test.y.slice(1), ...test.y.slice(0, 1)] } };
    };
  }
  if (flags.heldOutDrawnWithReplacement) {
    return (config, dataset) => {
      const { train, test } = splitFor(config, dataset);
      const random = new SeededRandom(config.data_source.seed);
      const drawn = test.X.map(() => Math.floor(random.next() * dataset.X.length));
      return { train, test: { X: drawn.map((i) => dataset.X[i]), y: drawn.map((i) => dataset.y[i]) } };
    };
  }
  return undefined;
}

/** The configuration check, with metric targets left unchecked under `targetsUnchecked`. */
export function checkConfig(input: unknown, flags: MlestarFaultFlags): ConfigResult {
  if (!flags.targetsUnchecked || typeof input !== 'object' || input === null) return validateProjectConfig(input);
  const { metric_targets: targets, ...rest } = input as Record<string, unknown>;
  const type = (rest.type as ProjectConfig['type']) ?? 'classification';
  const placeholder = { [METRICS_BY_TYPE[type]?.[0] ?? 'accuracy']: 0.5 };
  const result = validateProjectConfig({ ...rest, metric_targets: placeholder });
  if (result.ok) result.config.metric_targets = (typeof targets === 'object' && targets !== null ? targets : {}) as ProjectConfig['metric_targets'];
  return result;
}

/** Stage runners with the active defects applied. */
export function faultyRunners(flags: MlestarFaultFlags): Partial<Record<StageName, StageRunner>> {
  const runners: Partial<Record<StageName, StageRunner>> = {};
  if (flags.specSkipsDataCheck) {
    runners.specification = (context) => {
      const outcome = STAGE_RUNNERS.specification(context);
      const output = outcome.output as { checks: { name: string }[] } | undefined;
      if (!output) return outcome;
      output.checks = output.checks.filter((check) => check.name === 'configuration' || check.name === 'metric_targets');
      return { ok: true, output: output as unknown as Record<string, unknown>, summary: `${output.checks.length} checks passed` };
    };
  }
  if (flags.designIgnoresCustomisation || flags.regressionLossWrong || flags.tensorflowOneEpoch) {
    runners.design = (context) => {
      const { framework, type } = context.config;
      const config = flags.designIgnoresCustomisation
        ? { ...context.config, architecture: { estimator: ESTIMATORS_BY_FRAMEWORK[framework][type][0] }, pipeline: { ...context.config.pipeline, scaler: undefined } }
        : context.config;
      const outcome = STAGE_RUNNERS.design({ ...context, config });
      if (!outcome.ok) return outcome;
      const design = outcome.artifacts?.design as Design;
      if (flags.regressionLossWrong && design.project_type !== 'classification' && design.project_type !== 'clustering') design.loss = CLASSIFICATION_LOSS[design.framework];
      if (flags.tensorflowOneEpoch && design.framework === 'tensorflow' && design.training) design.training.epochs = 1;
      return { ...outcome, output: { ...outcome.output, ...design } };
    };
  }
  if (flags.splitNotStratified || flags.requirementsOmitFramework || flags.notebookInvalid || flags.generatedTrainingSkipsUpdates || flags.notebookPathsFromCwd) {
    runners.implementation = (context) => {
      const outcome = STAGE_RUNNERS.implementation(context);
      if (!outcome.ok) return outcome;
      const files = (outcome.artifacts?.files ?? []).map((file) => ({ ...file, content: corrupt(file, context.config, flags) }));
      const listed = files.map((file) => ({ path: file.path, kind: file.kind, bytes: Buffer.byteLength(file.content), sha256: sha256(file.content) }));
      return { ...outcome, output: { ...outcome.output, files: listed }, artifacts: { files } };
    };
  }
  const splitter = faultySplitter(flags);
  if (flags.failedStageContinues || flags.metricsNotComputed || splitter) {
    runners.evaluation = (context) => {
      const design = context.artifacts.design as Design;
      const result = evaluate(context.config, design, splitter);
      if (flags.metricsNotComputed) {
        for (const [metric, target] of Object.entries(context.config.metric_targets) as [MetricName, number][]) result.report.metrics[metric] = target;
        result.report.targets = result.report.targets.map((check) => ({ ...check, actual: check.target, met: true }));
        result.report.passed = true;
        delete result.report.failure;
      }
      if (!result.report.passed && !flags.failedStageContinues) return { ok: false, reason: result.report.failure as string, output: result.report as unknown as Record<string, unknown> };
      return {
        ok: true,
        output: result.report as unknown as Record<string, unknown>,
        artifacts: { evaluation: result.report, model: result.model, baseline: result.baseline },
        summary: 'evaluated',
      };
    };
  }
  if (flags.firstEnvironmentOnly) {
    runners.deployment = (context) => {
      const config = { ...context.config, deployment: { environments: context.config.deployment.environments.slice(0, 1) } };
      return STAGE_RUNNERS.deployment({ ...context, config });
    };
  }
  if (flags.maintenanceSkipped) {
    runners.maintenance = () => ({ ok: true, output: {}, summary: 'done' });
  } else if (flags.driftNeverDetected || flags.scheduleIgnored) {
    runners.maintenance = (context) => {
      const artifacts = { ...context.artifacts };
      if (flags.driftNeverDetected) {
        const calibrationRows = Math.min(200, Math.max(60, context.artifacts.baseline?.length ?? 0));
        artifacts.baseline = sampleDataSource(context.config, calibrationRows, context.config.data_source.seed + CALIBRATION_SEED_OFFSET);
      }
      const outcome = STAGE_RUNNERS.maintenance({ ...context, artifacts });
      if (outcome.ok && flags.scheduleIgnored) {
        const schedule = outcome.output.retraining_schedule as { next_runs: string[] };
        schedule.next_runs = nextRuns(parseCron('@daily'), context.now, 3).map((run) => run.toISOString());
      }
      return outcome;
    };
  }
  return runners;
}

function corrupt(file: GeneratedFile, config: ProjectConfig, flags: MlestarFaultFlags): string {
  let content = file.content;
  if (flags.splitNotStratified && file.kind === 'python') content = content.replace(/\n\s*stratify=target,/, '');
  if (flags.requirementsOmitFramework && file.path === 'requirements.txt') {
    content = content.split('\n').filter((line) => !line.startsWith(FRAMEWORK_PACKAGE[config.framework])).join('\n');
  }
  if (flags.generatedTrainingSkipsUpdates && file.path === 'train.py') content = content.replace(/\n\s*optimizer\.step\(\)/, '');
  if (flags.notebookPathsFromCwd && file.kind === 'notebook') {
    const notebook = JSON.parse(content) as { cells: { source: string[] }[] };
    for (const cell of notebook.cells) cell.source = cell.source.map((line) => (line.startsWith('PROJECT_DIR = ') ? 'PROJECT_DIR = Path.cwd()\n' : line));
    content = `${JSON.stringify(notebook, null, 1)}\n`;
  }
  if (flags.notebookInvalid && file.kind === 'notebook') {
    // "Cleaning" notebooks for version control: outputs and execution counts stripped from code cells.
    const notebook = JSON.parse(content) as { cells: Record<string, unknown>[] };
    for (const cell of notebook.cells) {
      delete cell.outputs;
      delete cell.execution_count;
    }
    content = `${JSON.stringify(notebook, null, 1)}\n`;
  }
  return content;
}

/** The request body as the endpoint sees it: under `acceptsMalformedInput` rows are padded or cut to fit. */
export function coerceInput(body: unknown, width: number, flags: MlestarFaultFlags): unknown {
  if (!flags.acceptsMalformedInput || typeof body !== 'object' || body === null) return body;
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) return body;
  return {
    instances: instances.map((row) => {
      const values = Array.isArray(row) ? row : [];
      return Array.from({ length: width }, (_, f) => (typeof values[f] === 'number' && Number.isFinite(values[f]) ? values[f] : 0));
    }),
  };
}

/** Under `errorsNotCounted`, refused requests are recorded as successes. */
export function recordAsServed(
  runtime: EndpointRuntime,
  deployed: { model: Parameters<typeof answer>[0]; design: Design; monitoring: MonitoringConfig },
  body: unknown,
  now: Date,
): { result: PredictionResult; latencyMs: number; alerts: Alert[] } {
  const started = performance.now();
  const result = answer(deployed.model, deployed.design, body);
  const latencyMs = performance.now() - started;
  if (result.ok) runtime.recent_inputs.push(...(body as { instances: Matrix }).instances);
  const alerts = recordRequest(runtime.monitoring, { latencyMs, failed: false, predictions: result.ok ? result.predictions.length : 0 }, deployed.monitoring, now);
  return { result, latencyMs, alerts };
}

/** Under `driftNeverDetected`, drift is measured against the recent inputs themselves. */
export function driftBaseline(baseline: Matrix, runtime: EndpointRuntime, flags: MlestarFaultFlags): Matrix {
  return flags.driftNeverDetected ? runtime.recent_inputs : baseline;
}
