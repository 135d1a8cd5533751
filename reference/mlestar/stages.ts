/**
 * What each of the seven stages does, checks and produces. A stage reads the configuration and
 * the artifacts of earlier stages and returns its output (what the API reports) plus the
 * artifacts later stages and the deployed endpoints use.
 */
import { DEFAULT_TEST_SIZE } from './config';
import { designArchitecture, trainingCost, type Design } from './design';
import { detectDrift, type DriftReport } from './drift';
import { answer, inputSchema, labelled, type InputSchema } from './endpoint';
import { evaluate, loadDataset, type EvaluationReport } from './evaluation';
import type { TrainedModel } from './models';
import { emptyMonitoring, recordRequest, snapshot, type MonitoringSnapshot, type MonitoringState } from './monitoring';
import { notebookProblems } from './nbformat';
import { sampleDataSource } from './sampling';
import { nextRuns, parseCron } from './schedule';
import { specify } from './specification';
import { COMMON_FILES, renderProject, sha256, type GeneratedFile } from './templates/project';
import { HELPER_MODULE } from './templates/context';
import type { Environment, Matrix, ProjectConfig, StageName } from './types';

/** Multiply-adds the reference will spend training one project (keeps every evaluation well under a second). */
export const TRAINING_BUDGET = 50_000_000;

export interface Deployment {
  environment: Environment;
  endpoint: string;
  model_version: number;
  status: 'serving';
  deployed_at: string;
  input_schema: InputSchema;
  output: Design['output'];
  smoke_test: { instances: number; matches_evaluation: boolean };
}

export interface ProjectArtifacts {
  design?: Design;
  files?: GeneratedFile[];
  evaluation?: EvaluationReport;
  model?: TrainedModel;
  /** Training rows: the distribution drift is measured against. */
  baseline?: Matrix;
  deployments?: Deployment[];
  monitoring?: Partial<Record<Environment, MonitoringState>>;
}

export interface StageContext {
  config: ProjectConfig;
  artifacts: ProjectArtifacts;
  now: Date;
}

export type StageOutcome =
  | { ok: true; output: Record<string, unknown>; artifacts?: Partial<ProjectArtifacts>; summary: string }
  | { ok: false; reason: string; output?: Record<string, unknown> };

export type StageRunner = (context: StageContext) => StageOutcome;

function missing(stage: StageName, artifact: string): never {
  throw new Error(`${stage} needs the ${artifact} of an earlier stage; run the workflow in order`);
}

const specification: StageRunner = ({ config }) => {
  const result = specify(config);
  if (!result.ok) return { ok: false, reason: result.reason, output: result.output as unknown as Record<string, unknown> };
  const profile = result.output.data_profile;
  return { ok: true, output: result.output as unknown as Record<string, unknown>, summary: `${result.output.checks.length} checks passed; ${profile.rows} rows of ${profile.dataset}` };
};

const design: StageRunner = ({ config }) => {
  const chosen = designArchitecture(config);
  const rows = trainingRows(config);
  const cost = trainingCost(chosen, rows);
  const output = { ...chosen, training_cost: cost, training_budget: TRAINING_BUDGET } as unknown as Record<string, unknown>;
  if (cost > TRAINING_BUDGET) {
    return {
      ok: false,
      reason: `the design is too large to train: ${cost.toExponential(2)} multiply-adds (${rows} rows x ${chosen.training?.epochs ?? 1} epochs x ${chosen.trainable_parameters ?? 0} parameters) exceed the budget of ${TRAINING_BUDGET.toExponential(0)}`,
      output,
    };
  }
  return { ok: true, output, artifacts: { design: chosen }, summary: chosen.summary };
};

const implementation: StageRunner = ({ config, artifacts }) => {
  const chosen = artifacts.design ?? missing('implementation', 'design');
  const files = renderProject(config, chosen, loadDataset(config));
  const checks = implementationChecks(config, files);
  const failed = checks.filter((check) => !check.passed);
  const output = {
    files: files.map((file) => ({ path: file.path, kind: file.kind, bytes: Buffer.byteLength(file.content), sha256: sha256(file.content) })),
    notebooks: files.filter((file) => file.kind === 'notebook').map((file) => notebookSummary(file)),
    checks,
  };
  if (failed.length > 0) return { ok: false, reason: failed.map((check) => check.detail).join('; '), output };
  return { ok: true, output, artifacts: { files }, summary: `${files.length} files, ${output.notebooks.length} notebooks` };
};

function implementationChecks(config: ProjectConfig, files: GeneratedFile[]): { name: string; passed: boolean; detail: string }[] {
  const paths = new Set(files.map((file) => file.path));
  const expected = [...COMMON_FILES, `${HELPER_MODULE[config.framework]}.py`, 'notebooks/eda.ipynb', 'notebooks/training.ipynb', 'notebooks/evaluation.ipynb'];
  const absent = expected.filter((path) => !paths.has(path));
  const notebookIssues = files
    .filter((file) => file.kind === 'notebook')
    .flatMap((file) => {
      try {
        return notebookProblems(JSON.parse(file.content)).map((problem) => `${file.path}: ${problem}`);
      } catch {
        return [`${file.path}: not JSON`];
      }
    });
  const requirements = files.find((file) => file.path === 'requirements.txt')?.content ?? '';
  const frameworkPackage = { pytorch: 'torch', tensorflow: 'tensorflow', sklearn: 'scikit-learn' }[config.framework];
  const namesFramework = requirements.split('\n').some((line) => line.startsWith(frameworkPackage));
  return [
    { name: 'files', passed: absent.length === 0, detail: absent.length === 0 ? `${expected.length} expected files generated` : `missing ${absent.join(', ')}` },
    { name: 'notebooks', passed: notebookIssues.length === 0, detail: notebookIssues.length === 0 ? 'eda, training and evaluation are valid nbformat 4 notebooks' : notebookIssues.slice(0, 5).join('; ') },
    { name: 'requirements', passed: namesFramework, detail: namesFramework ? `requirements.txt names ${frameworkPackage}` : `requirements.txt does not name ${frameworkPackage}` },
  ];
}

function notebookSummary(file: GeneratedFile): { path: string; kind: string; cells: number; nbformat: string } {
  const document = JSON.parse(file.content) as { cells: unknown[]; nbformat: number; nbformat_minor: number };
  return { path: file.path, kind: file.path.replace(/^notebooks\/|\.ipynb$/g, ''), cells: document.cells.length, nbformat: `${document.nbformat}.${document.nbformat_minor}` };
}

const evaluation: StageRunner = ({ config, artifacts }) => {
  const chosen = artifacts.design ?? missing('evaluation', 'design');
  const result = evaluate(config, chosen);
  const output = result.report as unknown as Record<string, unknown>;
  if (!result.report.passed) return { ok: false, reason: result.report.failure as string, output };
  const summary = Object.entries(result.report.metrics)
    .map(([metric, value]) => `${metric} ${(value as number).toFixed(3)}`)
    .join(', ');
  return { ok: true, output, artifacts: { evaluation: result.report, model: result.model, baseline: result.baseline }, summary };
};

const deployment: StageRunner = ({ config, artifacts, now }) => {
  const chosen = artifacts.design ?? missing('deployment', 'design');
  const model = artifacts.model ?? missing('deployment', 'trained model');
  const report = artifacts.evaluation ?? missing('deployment', 'evaluation');
  const previous = Math.max(0, ...(artifacts.deployments ?? []).map((d) => d.model_version));
  const smokeRows = report.holdout.features.slice(0, 5);
  const expected = labelled(chosen, report.holdout.predicted.slice(0, 5));
  const deployments: Deployment[] = [];
  for (const environment of config.deployment.environments) {
    const result = answer(model, chosen, { instances: smokeRows });
    const matches = result.ok && result.predictions.every((p, i) => p === expected[i]);
    if (!matches) {
      return { ok: false, reason: `the ${environment} endpoint's smoke test predictions differ from the evaluated model's`, output: { deployments } };
    }
    deployments.push({
      environment,
      endpoint: `${config.name}-${environment}`,
      model_version: previous + 1,
      status: 'serving',
      deployed_at: now.toISOString(),
      input_schema: inputSchema(chosen),
      output: chosen.output,
      smoke_test: { instances: smokeRows.length, matches_evaluation: matches },
    });
  }
  return { ok: true, output: { deployments }, artifacts: { deployments }, summary: `model version ${previous + 1} serving in ${config.deployment.environments.join(' and ')}` };
};

const monitoring: StageRunner = ({ config, artifacts, now }) => {
  const chosen = artifacts.design ?? missing('monitoring', 'design');
  const model = artifacts.model ?? missing('monitoring', 'trained model');
  const report = artifacts.evaluation ?? missing('monitoring', 'evaluation');
  const states: Partial<Record<Environment, MonitoringState>> = {};
  const environments: { environment: Environment; probe: MonitoringSnapshot }[] = [];
  for (const deployed of artifacts.deployments ?? missing('monitoring', 'deployments')) {
    const state = emptyMonitoring();
    // The probe replays the held-out rows, one request each, through the deployed model.
    for (const row of report.holdout.features) {
      const started = performance.now();
      const result = answer(model, chosen, { instances: [row] });
      recordRequest(state, { latencyMs: performance.now() - started, failed: !result.ok, predictions: result.ok ? 1 : 0 }, config.monitoring, now);
    }
    const probe = snapshot(state, config.monitoring);
    environments.push({ environment: deployed.environment, probe });
    if (!probe.healthy) {
      return { ok: false, reason: `the ${deployed.environment} endpoint is unhealthy under the probe: error rate ${probe.error_rate}, p95 latency ${probe.latency_ms.p95} ms`, output: { environments } };
    }
    states[deployed.environment] = emptyMonitoring();
  }
  const output = {
    collected: ['requests', 'predictions', 'errors', 'error_rate', 'latency_ms'],
    alert_rules: [
      { rule: 'error_rate', threshold: config.monitoring.error_rate_threshold, min_requests: config.monitoring.min_requests, fires_when: 'the error rate over the last 100 requests reaches the threshold' },
      { rule: 'latency_p95', threshold: config.monitoring.latency_p95_ms, min_requests: config.monitoring.min_requests, fires_when: 'the 95th percentile latency over the last 100 requests exceeds the threshold' },
    ],
    environments,
  };
  return { ok: true, output, artifacts: { monitoring: states }, summary: `${environments.length} endpoints healthy under a ${report.holdout.features.length}-request probe` };
};

/** Fresh rows the maintenance stage checks its drift detector against (a seed the project never trains on). */
export const CALIBRATION_SEED_OFFSET = 7919;

const maintenance: StageRunner = ({ config, artifacts, now }) => {
  const chosen = artifacts.design ?? missing('maintenance', 'design');
  const baseline = artifacts.baseline ?? missing('maintenance', 'training baseline');
  const schedule = parseCron(config.maintenance.retraining_schedule);
  const runs = nextRuns(schedule, now, 3).map((run) => run.toISOString());
  const fresh = sampleDataSource(config, Math.min(200, Math.max(60, baseline.length)), config.data_source.seed + CALIBRATION_SEED_OFFSET);
  const calibration: DriftReport = detectDrift(baseline, fresh, chosen.input_features, { statistic: config.maintenance.drift_statistic, threshold: config.maintenance.drift_threshold });
  const output = {
    retraining_schedule: { cron: schedule.expression, timezone: 'UTC', next_runs: runs },
    drift_detection: {
      statistic: config.maintenance.drift_statistic,
      threshold: config.maintenance.drift_threshold,
      rule: calibration.rule,
      baseline: { rows: baseline.length, features: profileFeatures(baseline, chosen.input_features) },
      calibration,
    },
  };
  if (calibration.drifted) {
    return {
      ok: false,
      reason: `the drift detector flags fresh data from the training distribution (${calibration.drifted_features.join(', ')}); the ${config.maintenance.drift_statistic} threshold ${config.maintenance.drift_threshold} is too sensitive`,
      output,
    };
  }
  return { ok: true, output, summary: `retraining ${schedule.expression} (UTC), drift by ${config.maintenance.drift_statistic} above ${config.maintenance.drift_threshold}` };
};

function profileFeatures(rows: Matrix, names: readonly string[]): { feature: string; mean: number; sd: number; min: number; max: number }[] {
  return names.map((feature, f) => {
    const column = rows.map((row) => row[f]);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    return { feature, mean, sd, min: Math.min(...column), max: Math.max(...column) };
  });
}

function trainingRows(config: ProjectConfig): number {
  const samples = config.data_source.samples;
  if (config.type === 'time_series') return Math.max(0, samples - (config.forecast?.season_length ?? 12) - (config.forecast?.horizon ?? 12));
  return Math.round(samples * (1 - (config.pipeline.test_size ?? DEFAULT_TEST_SIZE)));
}

export const STAGE_RUNNERS: Record<StageName, StageRunner> = { specification, design, implementation, evaluation, deployment, monitoring, maintenance };
