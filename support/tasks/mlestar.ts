/**
 * MLE-Star domain verbs: create and customise projects, run their workflow, read what each stage
 * produced, use the deployed models, and check the results independently of the target (metrics
 * recomputed from held-out predictions, notebooks validated against nbformat 4, generated Python
 * compiled with python3, which the scenarios that compile it need).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';
import { expectRefusal } from './refusals';

// ---------------------------------------------------------------- vocabulary

export type Framework = 'pytorch' | 'tensorflow' | 'sklearn';
export type ProjectType = 'classification' | 'regression' | 'clustering' | 'time_series';
export type Stage = 'specification' | 'design' | 'implementation' | 'evaluation' | 'deployment' | 'monitoring' | 'maintenance';
export type Environment = 'staging' | 'production';
export type MetricName = 'accuracy' | 'f1' | 'rmse' | 'r2' | 'silhouette' | 'mape';
export type DriftStatistic = 'psi' | 'ks';

export const STAGES: readonly Stage[] = ['specification', 'design', 'implementation', 'evaluation', 'deployment', 'monitoring', 'maintenance'];

export interface MetricTarget {
  metric: MetricName;
  comparison: 'at_least' | 'at_most';
  value: number;
}

/** "an accuracy of at least 0.8", "an RMSE of at most 40" ... */
export function metricTarget(phrase: string): MetricTarget {
  const match = /^an? (accuracy|F1 score|R squared|RMSE|silhouette|MAPE) of at (least|most) (\d+(?:\.\d+)?)$/.exec(phrase);
  if (!match) throw new Error(`"${phrase}" is not a metric target such as "an accuracy of at least 0.8"`);
  const metric = ({ accuracy: 'accuracy', 'F1 score': 'f1', 'R squared': 'r2', RMSE: 'rmse', silhouette: 'silhouette', MAPE: 'mape' } as const)[match[1] as 'accuracy'];
  return { metric, comparison: match[2] === 'least' ? 'at_least' : 'at_most', value: Number(match[3]) };
}

const DEFAULT_TARGET: Record<ProjectType, MetricTarget> = {
  classification: { metric: 'accuracy', comparison: 'at_least', value: 0.8 },
  regression: { metric: 'r2', comparison: 'at_least', value: 0.8 },
  clustering: { metric: 'silhouette', comparison: 'at_least', value: 0.5 },
  time_series: { metric: 'mape', comparison: 'at_most', value: 0.1 },
};

/** The configuration setting each business word names, and how a test value is put in place. */
export const SETTINGS: Record<string, { field: string; set(config: Record<string, unknown>, value: string): void }> = {
  name: { field: 'name', set: (c, v) => (c.name = v) },
  framework: { field: 'framework', set: (c, v) => (c.framework = v) },
  'project type': { field: 'type', set: (c, v) => (c.type = v) },
  'accuracy target': { field: 'metric_targets.accuracy', set: (c, v) => (c.metric_targets = { accuracy: Number(v) }) },
  'metric targets': { field: 'metric_targets', set: (c) => delete c.metric_targets },
  'sample count': { field: 'data_source.samples', set: (c, v) => (c.data_source = { samples: Number(v) }) },
  'hidden layer size': { field: 'architecture.hidden_layers[0]', set: (c, v) => (c.architecture = { hidden_layers: [Number(v)] }) },
  'deployment environment': { field: 'deployment.environments[0]', set: (c, v) => (c.deployment = { environments: [v] }) },
  'retraining schedule': { field: 'maintenance.retraining_schedule', set: (c, v) => (c.maintenance = { retraining_schedule: v }) },
};

/** Retraining schedules in words, as cron (UTC), with a check that a run time fits the words. */
export const SCHEDULES: Record<string, { cron: string; fits(run: Date): boolean }> = {
  'every Sunday at 03:00': { cron: '0 3 * * 0', fits: (d) => d.getUTCDay() === 0 && d.getUTCHours() === 3 && d.getUTCMinutes() === 0 },
  'every day at 02:30': { cron: '30 2 * * *', fits: (d) => d.getUTCHours() === 2 && d.getUTCMinutes() === 30 },
  'on the first day of each month at 04:00': { cron: '0 4 1 * *', fits: (d) => d.getUTCDate() === 1 && d.getUTCHours() === 4 && d.getUTCMinutes() === 0 },
};

/** Why a workflow stopped, in words, and what the target's reason must say. */
export const REASONS: Record<string, RegExp> = {
  'the accuracy is below its target': /accuracy \d+(\.\d+)? is below the target/,
  'the data source has too few samples': /too few samples/,
  'the design is too large to train': /too large to train/,
  'the drift detector flags data from the training distribution': /flags fresh data from the training distribution/,
};

// ---------------------------------------------------------------- shapes of the answers

export interface StageRecord {
  name: Stage;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  error?: string;
}

export interface MlProject {
  id: string;
  name: string;
  type: ProjectType;
  framework: Framework;
  config: Record<string, unknown> & { maintenance: { retraining_schedule: string } };
  workflow: { status: string; current_stage?: Stage; failed_stage?: Stage; failure_reason?: string; stages: StageRecord[] };
  deployed_to: Environment[];
}

export interface Evaluation {
  dataset: { train_rows: number; test_rows: number };
  metrics: Partial<Record<MetricName, number>>;
  targets: { metric: MetricName; target: number; comparison: string; actual: number; met: boolean }[];
  preprocessing: { offset: number[]; scale: number[] };
  holdout: { features: number[][]; actual: number[]; predicted: number[] };
}

export interface Design {
  estimator: string;
  summary: string;
  input_features: string[];
  layers: { units: number; activation: string }[];
  params: Record<string, number | string>;
  loss: string;
  metrics: MetricName[];
  output: { classes?: string[] };
}

interface Monitoring {
  requests: number;
  predictions: number;
  errors: number;
  error_rate: number;
  latency_ms: { mean: number; p50: number; p95: number; max: number };
  alerts: { rule: string; status: string }[];
}

interface DriftReport {
  statistic: DriftStatistic;
  drifted: boolean;
  drifted_features: string[];
  features: { feature: string; psi: number; ks_p_value: number }[];
}

interface MlState {
  projects: Map<string, MlProject>;
  current?: string;
  runStartedAt?: number;
  /** The name and description of the last configuration sent for creation (refusal checks). */
  attempted?: { name?: string; description: string };
  answers?: (string | number)[];
  sampleSeed: number;
}

const BASE = '/api/v1/mlestar/projects';

function state(world: NovaWorld): MlState {
  return world.domain('mlestar', () => ({ projects: new Map<string, MlProject>(), sampleSeed: 100 }));
}

export function currentProject(world: NovaWorld): MlProject {
  const s = state(world);
  const project = s.current ? s.projects.get(s.current) : undefined;
  if (!project) throw new Error('no MLE-Star project was created in this scenario: add a step such as "Given a pytorch classification project ..."');
  return project;
}

// ---------------------------------------------------------------- projects

export async function createProject(world: NovaWorld, alias: string, framework: Framework, type: ProjectType, targets: MetricTarget[] = [], extra: Record<string, unknown> = {}): Promise<MlProject> {
  const chosen = targets.length > 0 ? targets : [DEFAULT_TARGET[type]];
  const body = {
    name: world.unique(alias),
    description: `NovaCron Spec scenario ${world.runId}`,
    type,
    framework,
    metric_targets: Object.fromEntries(chosen.map((t) => [t.metric, t.value])),
    ...extra,
  };
  const response = await world.actor.api.post<MlProject>(BASE, body);
  expectStatus(response, 201, `creating the ${framework} ${type} project "${alias}"`);
  remember(world, alias, response.data);
  return response.data;
}

function remember(world: NovaWorld, alias: string, project: MlProject): void {
  const s = state(world);
  if (!s.projects.has(alias)) {
    world.ledger.add(`MLE-Star project ${project.name} (${project.id})`, async () => {
      const deleted = await (await world.suite.admin()).delete(`${BASE}/${project.id}`);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
    });
  }
  s.projects.set(alias, project);
  s.current = alias;
}

/** Sends a configuration exactly as given (for refusals); a created project is still cleaned up. */
export async function submitConfiguration(world: NovaWorld, body: Record<string, unknown>): Promise<void> {
  state(world).attempted = { name: typeof body.name === 'string' ? body.name : undefined, description: String(body.description) };
  const response = await world.actor.api.post<MlProject>(BASE, body);
  world.lastResponse = response;
  if (response.status === 201) remember(world, 'refused-project', response.data);
}

export async function submitWithSetting(world: NovaWorld, setting: string, value: string): Promise<void> {
  const known = SETTINGS[setting];
  if (!known) throw new Error(`unknown setting "${setting}": expected one of ${Object.keys(SETTINGS).join(', ')}`);
  const body: Record<string, unknown> = {
    name: world.unique('invalid-project'),
    description: `NovaCron Spec scenario ${world.runId}`,
    type: 'classification',
    framework: 'pytorch',
    metric_targets: { accuracy: 0.8 },
  };
  known.set(body, value);
  await submitConfiguration(world, body);
}

export function expectRefusedNaming(world: NovaWorld, settings: string[]): void {
  const body = expectRefusal(world, 'invalid');
  const named = (body.details ?? []).map((d) => d.field);
  for (const setting of settings) {
    const field = SETTINGS[setting]?.field;
    if (!field) throw new Error(`unknown setting "${setting}": expected one of ${Object.keys(SETTINGS).join(', ')}`);
    assert.ok(named.includes(field), `the refusal should name ${setting} (${field}); it names ${JSON.stringify(named)} ("${body.error}")`);
  }
}

export async function expectNothingCreated(world: NovaWorld): Promise<void> {
  const attempted = state(world).attempted;
  if (!attempted) throw new Error('no project configuration was sent in this scenario');
  const response = await (await world.suite.admin()).get<{ items: MlProject[] }>(BASE, { params: { page_size: 500 } });
  expectStatus(response, 200, 'listing MLE-Star projects');
  const leftovers = response.data.items.filter((p) => p.name === attempted.name || p.config.description === attempted.description);
  assert.deepEqual(leftovers.map((p) => p.name), [], 'a refused configuration created a project');
}

/** Changes settings of the current project (objects merge into its configuration). */
export async function changeProject(world: NovaWorld, change: Record<string, unknown>): Promise<MlProject> {
  const project = currentProject(world);
  const response = await world.actor.api.patch<MlProject>(`${BASE}/${project.id}`, change);
  expectStatus(response, 200, `changing ${Object.keys(change).join(', ')} of "${project.name}"`);
  return refreshed(world, response.data);
}

function refreshed(world: NovaWorld, project: MlProject): MlProject {
  const s = state(world);
  if (s.current) s.projects.set(s.current, project);
  return project;
}

export async function fetchProject(world: NovaWorld): Promise<MlProject> {
  const response = await world.actor.api.get<MlProject>(`${BASE}/${currentProject(world).id}`);
  expectStatus(response, 200, 'reading the project');
  return refreshed(world, response.data);
}

// ---------------------------------------------------------------- running the workflow

export async function startRun(world: NovaWorld, request: { from?: Stage; to?: Stage } = {}): Promise<void> {
  const project = currentProject(world);
  state(world).runStartedAt = performance.now();
  const response = await world.actor.api.post(`${BASE}/${project.id}/runs`, request);
  world.lastResponse = response;
  expectStatus(response, 202, `running the workflow of "${project.name}"${request.from ? ` from ${request.from}` : ''}`);
}

export async function tryRunStage(world: NovaWorld, stage: Stage): Promise<ApiResponse> {
  const project = currentProject(world);
  state(world).runStartedAt = performance.now();
  const response = await world.actor.api.post(`${BASE}/${project.id}/stages/${stage}/runs`);
  world.lastResponse = response;
  return response;
}

export async function runStage(world: NovaWorld, stage: Stage): Promise<void> {
  expectStatus(await tryRunStage(world, stage), 202, `running the ${stage} stage`);
}

/** Waits until no run is in progress and returns the project; records stage durations and metrics. */
export async function settle(world: NovaWorld, timeoutMs: number): Promise<MlProject> {
  const { value: project, elapsedMs } = await eventually(() => fetchProject(world), (p) => p.workflow.status !== 'running', {
    timeoutMs,
    intervalMs: 50,
    what: `the workflow of "${currentProject(world).name}" finishing its run`,
  });
  const started = state(world).runStartedAt;
  world.metrics.record('mlestar-run-time', Math.round(started === undefined ? elapsedMs : performance.now() - started));
  for (const stage of project.workflow.stages) {
    if (stage.duration_ms !== undefined && stage.status !== 'pending') world.metrics.record(`mlestar-stage-${stage.name}-time`, stage.duration_ms);
  }
  world.metrics.detail('mlestar-project', { name: project.name, framework: project.framework, type: project.type, workflow: project.workflow.status });
  return project;
}

export async function expectCompleted(world: NovaWorld, seconds: number): Promise<MlProject> {
  const project = await settle(world, seconds * 1000);
  assert.equal(project.workflow.status, 'completed', `the workflow of "${project.name}" did not complete: ${project.workflow.failure_reason ?? project.workflow.status}`);
  world.log(`MLE-Star workflow of ${project.name} completed: ${project.workflow.stages.map((s) => `${s.name} ${s.duration_ms ?? 0} ms`).join(', ')}`);
  await recordModelMetrics(world);
  return project;
}

export async function expectStoppedAt(world: NovaWorld, stage: Stage, seconds: number): Promise<MlProject> {
  const project = await settle(world, seconds * 1000);
  assert.equal(project.workflow.status, 'failed', `the workflow of "${project.name}" should have stopped at ${stage}, but it is ${project.workflow.status}`);
  assert.equal(project.workflow.failed_stage, stage, `the workflow stopped at ${project.workflow.failed_stage} (${project.workflow.failure_reason}), not at ${stage}`);
  return project;
}

/** Runs the workflow up to `stage` and waits for it to stop there. */
export async function runUpTo(world: NovaWorld, stage: Stage): Promise<MlProject> {
  await startRun(world, { to: stage });
  const project = await settle(world, 30_000);
  const record = project.workflow.stages.find((s) => s.name === stage);
  assert.equal(record?.status, 'succeeded', `the ${stage} stage of "${project.name}" did not succeed: ${project.workflow.failure_reason ?? record?.status}`);
  if (STAGES.indexOf(stage) >= STAGES.indexOf('evaluation')) await recordModelMetrics(world);
  return project;
}

export async function stoppedAt(world: NovaWorld, stage: Stage): Promise<void> {
  await startRun(world);
  await expectStoppedAt(world, stage, 30);
}

export async function deployedProject(world: NovaWorld, alias: string, framework: Framework, type: ProjectType, drift?: DriftStatistic): Promise<void> {
  await createProject(world, alias, framework, type, [], drift ? { maintenance: { drift_statistic: drift } } : {});
  await startRun(world);
  await expectCompleted(world, 30);
}

export async function stageOutput<T>(world: NovaWorld, stage: Stage): Promise<StageRecord & { output?: T }> {
  const response = await world.actor.api.get<StageRecord & { output?: T }>(`${BASE}/${currentProject(world).id}/stages/${stage}`);
  expectStatus(response, 200, `reading the ${stage} stage`);
  return response.data;
}

async function output<T>(world: NovaWorld, stage: Stage): Promise<T> {
  const record = await stageOutput<T>(world, stage);
  if (!record.output) throw new Error(`the ${stage} stage has produced nothing (it is ${record.status})`);
  return record.output;
}

export const evaluation = (world: NovaWorld) => output<Evaluation>(world, 'evaluation');
export const design = (world: NovaWorld) => output<Design>(world, 'design');

/** Waits for the run to end (not just the stage: the run is over only once its results are saved) and checks the stage succeeded. */
export async function waitForStage(world: NovaWorld, stage: Stage, seconds: number): Promise<void> {
  const project = await settle(world, seconds * 1000);
  const record = project.workflow.stages.find((s) => s.name === stage);
  assert.equal(record?.status, 'succeeded', `the ${stage} stage did not succeed: ${record?.error ?? record?.status}`);
}

async function recordModelMetrics(world: NovaWorld): Promise<void> {
  const record = await stageOutput<Evaluation>(world, 'evaluation');
  if (!record.output) return;
  const project = currentProject(world);
  for (const [metric, value] of Object.entries(record.output.metrics)) {
    world.metrics.record(`mlestar-${metric}`, value as number, metric === 'rmse' ? 'target units' : 'ratio');
  }
  world.metrics.detail('mlestar-model', { framework: project.framework, type: project.type, metrics: record.output.metrics, targets: record.output.targets });
}

// ---------------------------------------------------------------- what the stages produced

export function stagesInOrder(project: MlProject): void {
  const stages = project.workflow.stages;
  assert.deepEqual(stages.map((s) => s.name), [...STAGES], 'the stages are not the seven MLE-Star stages in order');
  for (const stage of stages) {
    assert.equal(stage.status, 'succeeded', `${stage.name} is ${stage.status}`);
    assert.equal(stage.attempts, 1, `${stage.name} ran ${stage.attempts} times`);
  }
  for (let i = 1; i < stages.length; i++) {
    const before = Date.parse(stages[i - 1].finished_at ?? '');
    const after = Date.parse(stages[i].started_at ?? '');
    assert.ok(before <= after, `${stages[i].name} started (${stages[i].started_at}) before ${stages[i - 1].name} finished (${stages[i - 1].finished_at})`);
  }
}

export function expectAttempts(project: MlProject, expected: Partial<Record<Stage, number>>): void {
  const actual = Object.fromEntries(project.workflow.stages.filter((s) => s.name in expected).map((s) => [s.name, s.attempts]));
  assert.deepEqual(actual, expected, 'the stages did not run the expected number of times');
}

export function expectNotRun(project: MlProject, stages: Stage[]): void {
  for (const stage of stages) {
    const record = project.workflow.stages.find((s) => s.name === stage);
    assert.deepEqual([record?.status, record?.attempts], ['pending', 0], `${stage} has run (${record?.status}, ${record?.attempts} attempt(s))`);
  }
}

export async function expectAnnouncedInOrder(world: NovaWorld): Promise<void> {
  const project = currentProject(world);
  const stream = world.streams[0];
  if (!stream) throw new Error('the scenario does not follow the event stream: add "Given I follow the real-time event stream"');
  await stream.waitFor((m) => m.type === 'mlestar.workflow_completed' && m.data.project_id === project.id, 5000, `the completion of "${project.name}" on the stream`);
  const seen = stream.received
    .filter((m) => m.type.startsWith('mlestar.') && m.data.project_id === project.id && m.type !== 'mlestar.project_created')
    .map((m) => (m.data.stage ? `${m.type.slice(8)} ${m.data.stage}` : m.type.slice(8)));
  const expected = ['workflow_started', ...STAGES.flatMap((s) => [`stage_started ${s}`, `stage_completed ${s}`]), 'workflow_completed'];
  assert.deepEqual(seen, expected, 'the stream did not announce the progress of every stage, in order');
}

export function expectStageOrderRefusal(world: NovaWorld): string {
  return expectRefusal(world, 'conflict').error ?? '';
}

export async function expectRetrainingScheduled(world: NovaWorld, words?: string): Promise<void> {
  const maintenance = await output<{ retraining_schedule?: { cron: string; next_runs: string[] } }>(world, 'maintenance');
  const schedule = maintenance.retraining_schedule;
  assert.ok(schedule && schedule.next_runs.length > 0, `the maintenance stage set no retraining schedule: ${JSON.stringify(maintenance)}`);
  assert.equal(schedule.cron, currentProject(world).config.maintenance.retraining_schedule, 'the schedule is not the configured one');
  const now = Date.now() - 60_000;
  for (const run of schedule.next_runs) assert.ok(Date.parse(run) > now, `the next retraining run ${run} is in the past`);
  if (words) {
    const expected = SCHEDULES[words];
    for (const run of schedule.next_runs) assert.ok(expected.fits(new Date(run)), `the retraining run ${run} is not ${words} (UTC)`);
  }
}

export async function expectNoDeployment(world: NovaWorld): Promise<void> {
  const project = await fetchProject(world);
  assert.deepEqual(project.deployed_to, [], `the project is deployed to ${project.deployed_to.join(', ')}`);
  const response = await predict(world, 'production', [[1, 2, 3, 4]]);
  assert.equal(response.status, 404, `the production endpoint of a project that was never deployed answered ${response.status}`);
}

export function expectReason(project: MlProject, reason: string): void {
  const pattern = REASONS[reason];
  if (!pattern) throw new Error(`unknown reason "${reason}": expected one of ${Object.keys(REASONS).join('; ')}`);
  assert.match(project.workflow.failure_reason ?? '', pattern, `the workflow's reason does not say that ${reason}`);
}

export async function expectSpecificationChecks(world: NovaWorld): Promise<void> {
  const spec = await output<{ checks: { name: string; passed: boolean }[] }>(world, 'specification');
  assert.deepEqual(
    spec.checks.map((c) => `${c.name}: ${c.passed ? 'passed' : 'failed'}`),
    ['configuration: passed', 'metric_targets: passed', 'data_source: passed', 'held_out_split: passed'],
    'the specification did not check the configuration, the targets, the data source and the split',
  );
}

export async function expectDataProfile(world: NovaWorld, samples: number, features: number, classes: number, perClass: number): Promise<void> {
  const { data_profile: profile } = await output<{ data_profile: { samples: number; rows: number; features: string[]; classes?: Record<string, number> } }>(world, 'specification');
  assert.deepEqual(
    { samples: profile.samples, rows: profile.rows, features: profile.features.length, classes: Object.values(profile.classes ?? {}) },
    { samples, rows: samples, features, classes: new Array(classes).fill(perClass) },
    'the data profile is not as expected',
  );
}

/** The design in words: "feed-forward network 4-16-3", "k-means with 3 clusters" ... */
export function describeDesign(d: Design): string {
  switch (d.estimator) {
    case 'neural_network':
      return `feed-forward network ${[d.input_features.length, ...d.layers.map((l) => l.units)].join('-')}`;
    case 'logistic_regression':
      return 'logistic regression';
    case 'kmeans':
      return `k-means with ${d.params.n_clusters} clusters`;
    case 'seasonal_autoregression':
      return `seasonal autoregression over ${d.params.season_length} observations`;
    case 'k_neighbors':
      return `${d.params.n_neighbors}-nearest neighbours`;
    case 'decision_tree':
      return `decision tree of depth ${d.params.max_depth}`;
    case 'linear_regression':
      return 'least squares linear regression';
    default:
      return `${d.estimator} (${d.summary})`;
  }
}

export function metricList(phrase: string): MetricName[] {
  return phrase.split(/, | and /).map((m) => m.trim()) as MetricName[];
}

export async function expectDesign(world: NovaWorld, architecture: string, loss: string, metrics: MetricName[]): Promise<void> {
  const d = await design(world);
  assert.deepEqual({ architecture: describeDesign(d), loss: d.loss, metrics: d.metrics }, { architecture, loss, metrics }, 'the design is not the one expected');
}

export async function expectNetwork(world: NovaWorld, shape: string, activation: string): Promise<void> {
  const d = await design(world);
  assert.equal(describeDesign(d), `feed-forward network ${shape}`);
  assert.deepEqual(d.layers.slice(0, -1).map((l) => l.activation), new Array(d.layers.length - 1).fill(activation), 'the hidden layers do not use the customised activation');
}

// ---------------------------------------------------------------- evaluation, checked independently

/** The held-out rows are as many as expected, and with the training rows they make up the whole dataset. */
export async function expectHeldOut(world: NovaWorld, count: number): Promise<void> {
  const report = await evaluation(world);
  const profile = (await output<{ data_profile: { rows: number } }>(world, 'specification')).data_profile;
  assert.equal(report.dataset.test_rows, count, `the evaluation used ${report.dataset.test_rows} held-out samples`);
  assert.equal(report.holdout.features.length, count, `the evaluation reports ${report.holdout.features.length} held-out predictions`);
  assert.equal(report.dataset.train_rows + report.dataset.test_rows, profile.rows, 'training and held-out rows do not partition the dataset');
  world.metrics.record('mlestar-held-out-samples', count, 'samples');
}

export function reached(evaluationReport: Evaluation, target: MetricTarget): void {
  const actual = evaluationReport.metrics[target.metric];
  assert.ok(typeof actual === 'number', `the evaluation reports no ${target.metric}: ${JSON.stringify(evaluationReport.metrics)}`);
  const ok = target.comparison === 'at_least' ? actual >= target.value : actual <= target.value;
  assert.ok(ok, `${target.metric} ${actual} is not ${target.comparison.replace('_', ' ')} ${target.value}`);
}

/** The metrics of the project type, computed here from the held-out rows the target reported. */
export function recomputeMetrics(type: ProjectType, report: Evaluation): Partial<Record<MetricName, number>> {
  const { actual, predicted, features } = report.holdout;
  assert.ok(actual.length > 0 && actual.length === predicted.length, 'the evaluation reports no held-out predictions');
  switch (type) {
    case 'classification': {
      const labels = [...new Set([...actual, ...predicted])];
      const f1s = labels.map((label) => {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        actual.forEach((a, i) => {
          if (predicted[i] === label && a === label) tp++;
          else if (predicted[i] === label) fp++;
          else if (a === label) fn++;
        });
        return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      });
      return { accuracy: actual.filter((a, i) => a === predicted[i]).length / actual.length, f1: f1s.reduce((s, v) => s + v, 0) / labels.length };
    }
    case 'regression': {
      const mean = actual.reduce((s, v) => s + v, 0) / actual.length;
      const residual = actual.reduce((s, v, i) => s + (v - predicted[i]) ** 2, 0);
      const total = actual.reduce((s, v) => s + (v - mean) ** 2, 0);
      return { rmse: Math.sqrt(residual / actual.length), r2: 1 - residual / total };
    }
    case 'time_series':
      return { mape: actual.reduce((s, v, i) => s + Math.abs((v - predicted[i]) / v), 0) / actual.length };
    case 'clustering': {
      const points = features.map((row) => row.map((v, f) => (v - report.preprocessing.offset[f]) / report.preprocessing.scale[f]));
      const distance = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
      let total = 0;
      points.forEach((p, i) => {
        const mean = (label: number) => {
          const others = points.filter((_, j) => j !== i && predicted[j] === label);
          return others.reduce((s, q) => s + distance(p, q), 0) / others.length;
        };
        if (predicted.filter((l) => l === predicted[i]).length === 1) return;
        const a = mean(predicted[i]);
        const b = Math.min(...[...new Set(predicted)].filter((l) => l !== predicted[i]).map(mean));
        if (Math.max(a, b) > 0) total += (b - a) / Math.max(a, b);
      });
      return { silhouette: total / points.length };
    }
  }
}

export function expectMetricsRecomputed(type: ProjectType, report: Evaluation): void {
  const recomputed = recomputeMetrics(type, report);
  for (const [metric, value] of Object.entries(recomputed)) {
    const reported = report.metrics[metric as MetricName];
    assert.ok(
      typeof reported === 'number' && Math.abs(reported - value) <= 1e-9 * Math.max(1, Math.abs(value)),
      `the reported ${metric} ${reported} is not what the held-out predictions give (${value})`,
    );
  }
}

// ---------------------------------------------------------------- deployed models

export async function predict(world: NovaWorld, environment: Environment, instances: unknown[]): Promise<ApiResponse<{ predictions: (string | number)[] }>> {
  const response = await world.actor.api.post<{ predictions: (string | number)[] }>(`${BASE}/${currentProject(world).id}/deployments/${environment}/predictions`, { instances });
  world.lastResponse = response;
  return response;
}

/** The evaluation's held-out predictions as the endpoint words them (class names for classification). */
async function expectedAnswers(world: NovaWorld, report: Evaluation): Promise<(string | number)[]> {
  const classes = (await design(world)).output.classes;
  return report.holdout.predicted.map((p) => (classes ? classes[p] : p));
}

export async function askAboutHoldout(world: NovaWorld, environment: Environment): Promise<void> {
  const report = await evaluation(world);
  const response = await predict(world, environment, report.holdout.features);
  expectStatus(response, 200, `asking the ${environment} model about the held-out samples`);
  state(world).answers = response.data.predictions;
}

export async function expectAnswersMatchEvaluation(world: NovaWorld): Promise<void> {
  const answers = state(world).answers;
  if (!answers) throw new Error('no model was asked about the held-out samples in this scenario');
  const expected = await expectedAnswers(world, await evaluation(world));
  assert.equal(answers.length, expected.length, 'the model did not answer every held-out sample');
  answers.forEach((answer, i) => {
    const same = typeof answer === 'number' ? Math.abs(answer - (expected[i] as number)) <= 1e-9 * Math.max(1, Math.abs(answer)) : answer === expected[i];
    assert.ok(same, `held-out sample ${i}: the deployed model answered ${answer}, the evaluation predicted ${expected[i]}`);
  });
}

export async function sendMalformed(world: NovaWorld, environment: Environment, kind: 'missing value' | 'word'): Promise<void> {
  const row = (await evaluation(world)).holdout.features[0];
  const instance = kind === 'missing value' ? row.slice(0, -1) : [row[0], 'wide', ...row.slice(2)];
  await predict(world, environment, [instance]);
}

export function expectMalformedRefusal(world: NovaWorld): void {
  const body = expectRefusal(world, 'invalid');
  const fields = (body.details ?? []).map((d) => d.field);
  assert.ok(fields.some((f) => f.startsWith('instances[0]')), `the refusal should name the first sample (instances[0]); it names ${JSON.stringify(fields)}`);
}

/** `valid` requests of `perRequest` held-out samples each, then `malformed` requests with a value missing. */
export async function sendTraffic(world: NovaWorld, environment: Environment, valid: number, malformed: number, perRequest = 1): Promise<void> {
  const rows = (await evaluation(world)).holdout.features;
  for (let i = 0; i < valid; i++) {
    const batch = Array.from({ length: perRequest }, (_, k) => rows[(i * perRequest + k) % rows.length]);
    expectStatus(await predict(world, environment, batch), 200, `valid request ${i + 1} to the ${environment} model`);
  }
  for (let i = 0; i < malformed; i++) {
    const response = await predict(world, environment, [rows[i % rows.length].slice(0, -1)]);
    expectStatus(response, 400, `malformed request ${i + 1} to the ${environment} model`);
  }
}

export async function monitoring(world: NovaWorld, environment: Environment): Promise<Monitoring> {
  const response = await world.actor.api.get<Monitoring>(`${BASE}/${currentProject(world).id}/deployments/${environment}/monitoring`);
  expectStatus(response, 200, `reading the ${environment} monitoring`);
  world.metrics.record(`mlestar-${environment}-error-rate`, response.data.error_rate, 'ratio');
  return response.data;
}

export async function expectLatencyRecorded(world: NovaWorld, environment: Environment): Promise<void> {
  const { latency_ms: latency, requests } = await monitoring(world, environment);
  assert.ok(requests > 0, `no request reached ${environment}`);
  assert.ok(latency.max > 0 && latency.p50 <= latency.p95 && latency.p95 <= latency.max, `the latency figures are not consistent: ${JSON.stringify(latency)}`);
  world.metrics.record(`mlestar-${environment}-latency-p95`, latency.p95);
}

export async function expectAlertAnnounced(world: NovaWorld, environment: Environment): Promise<void> {
  const project = currentProject(world);
  const stream = world.streams[0];
  if (!stream) throw new Error('the scenario does not follow the event stream: add "Given I follow the real-time event stream"');
  await stream.waitFor(
    (m) => m.type === 'mlestar.alert_fired' && m.data.project_id === project.id && m.data.environment === environment && m.data.rule === 'error_rate',
    5000,
    `an error rate alert for ${environment} of "${project.name}"`,
  );
}

// ---------------------------------------------------------------- drift

export async function serveFresh(world: NovaWorld, environment: Environment, count: number, shiftedFeature?: string): Promise<void> {
  const s = state(world);
  s.sampleSeed += 1;
  const response = await world.actor.api.get<{ features: string[]; instances: number[][] }>(`${BASE}/${currentProject(world).id}/data-source/samples`, {
    params: { count, seed: s.sampleSeed },
  });
  expectStatus(response, 200, 'drawing fresh samples from the data source');
  let { instances } = response.data;
  if (shiftedFeature) {
    const column = featureIndex(response.data.features, shiftedFeature);
    const values = instances.map((row) => row[column]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    instances = instances.map((row) => row.map((v, f) => (f === column ? v + sd : v)));
  }
  expectStatus(await predict(world, environment, instances), 200, `serving ${count} samples in ${environment}`);
}

function featureIndex(features: string[], words: string): number {
  const index = features.indexOf(words.replace(/ /g, '_'));
  if (index < 0) throw new Error(`"${words}" is not a feature of this project: ${features.join(', ')}`);
  return index;
}

export async function checkDrift(world: NovaWorld, environment: Environment): Promise<DriftReport> {
  const response = await world.actor.api.post<DriftReport>(`${BASE}/${currentProject(world).id}/deployments/${environment}/drift-checks`);
  expectStatus(response, 200, `checking ${environment} for drift`);
  const strongest = Math.max(...response.data.features.map((f) => f.psi));
  world.metrics.record(`mlestar-${environment}-max-psi-${response.data.drifted ? 'drifted' : 'stable'}`, strongest, 'psi');
  return response.data;
}

// ---------------------------------------------------------------- generated files

export async function fileList(world: NovaWorld): Promise<string[]> {
  const response = await world.actor.api.get<{ items: { path: string }[] }>(`${BASE}/${currentProject(world).id}/files`);
  expectStatus(response, 200, 'listing the generated files');
  return response.data.items.map((f) => f.path);
}

export async function fileContent(world: NovaWorld, path: string): Promise<string> {
  const response = await world.actor.api.get<{ content: string }>(`${BASE}/${currentProject(world).id}/files/content`, { params: { path } });
  expectStatus(response, 200, `reading the generated ${path}`);
  return response.data.content;
}

const HELPER = { pytorch: 'utils.py', tensorflow: 'preprocessing.py', sklearn: 'pipeline.py' } as const;

export const helperFile = (world: NovaWorld) => fileContent(world, HELPER[currentProject(world).framework]);

export async function generatedConfig(world: NovaWorld): Promise<Record<string, Record<string, unknown>>> {
  return parseYaml(await fileContent(world, 'config.yaml')) as Record<string, Record<string, unknown>>;
}

const METRIC_CODE: Record<MetricName, RegExp> = {
  accuracy: /accuracy_score\(/,
  f1: /f1_score\(.*average="macro"/,
  rmse: /np\.sqrt\(mean_squared_error\(/,
  r2: /r2_score\(/,
  silhouette: /silhouette_score\(/,
  mape: /mean_absolute_percentage_error\(/,
};

export async function expectEvaluationCodeMeasures(world: NovaWorld, metrics: MetricName[]): Promise<void> {
  const code = await fileContent(world, 'evaluate.py');
  for (const metric of metrics) assert.match(code, METRIC_CODE[metric], `evaluate.py does not compute ${metric}`);
}

/** What the generated code must show for each problem shape named in a feature. */
export const CODE_SHAPES: Record<string, (world: NovaWorld) => Promise<void>> = {
  'splits the data stratified by class': async (world) => assert.match(await helperFile(world), /stratify=target/, 'the data split is not stratified by class'),
  'fits a least squares linear regression': async (world) => assert.match(await fileContent(world, 'model.py'), /LinearRegression\(\)/, 'model.py does not fit a linear regression'),
  'clusters with k-means into 3 segments': async (world) => {
    const model = await fileContent(world, 'model.py');
    assert.match(model, /k-means/i, 'model.py does not cluster with k-means');
    assert.match(model, /n_clusters=3\b/, 'model.py does not ask for 3 clusters');
  },
  'forecasts from a window of the last 12 observations': async (world) => {
    assert.match(await helperFile(world), /def make_windows\(series, season_length\)/, 'the data helper does not build windows of past observations');
    assert.equal((await generatedConfig(world)).forecast?.season_length, 12, 'config.yaml does not set a season of 12 observations');
  },
};

export async function expectHiddenLayersInCode(world: NovaWorld, units: number[], activation: string): Promise<void> {
  const model = await fileContent(world, 'model.py');
  const framework = currentProject(world).framework;
  if (framework === 'pytorch') {
    const names: Record<string, string> = { relu: 'nn.ReLU()', tanh: 'nn.Tanh()' };
    let width = currentInputs(await design(world));
    for (const size of units) {
      const layer = `nn.Linear(${width}, ${size}),`;
      assert.ok(model.includes(layer), `model.py has no ${layer}`);
      assert.ok(model.slice(model.indexOf(layer)).split('\n')[1]?.includes(names[activation]), `${layer} is not followed by ${names[activation]}`);
      width = size;
    }
  } else if (framework === 'tensorflow') {
    for (const size of units) assert.ok(model.includes(`layers.Dense(${size}, activation="${activation}")`), `model.py has no Dense layer of ${size} ${activation} units`);
  } else {
    assert.match(model, new RegExp(`hidden_layer_sizes=\\(${units.join(', ')}${units.length === 1 ? ',' : ''}\\)`), 'model.py does not set the hidden layer sizes');
    assert.ok(model.includes(`activation="${activation}"`), `model.py does not use ${activation}`);
  }
}

const currentInputs = (d: Design) => d.input_features.length;

export async function expectScaler(world: NovaWorld, scaler: 'minmax' | 'none'): Promise<void> {
  const pythonClass = scaler === 'minmax' ? 'MinMaxScaler()' : 'FunctionTransformer()';
  assert.ok((await helperFile(world)).includes(`return ${pythonClass}`), `the data helper does not scale with ${pythonClass}`);
  assert.equal((await generatedConfig(world)).pipeline?.scaler, scaler, `config.yaml does not record the ${scaler} scaler`);
}

/** config.yaml records the layers the project's configuration asked for. */
export async function expectCustomDesignRecorded(world: NovaWorld): Promise<void> {
  const architecture = currentProject(world).config.architecture as { hidden_layers?: number[]; activation?: string };
  const units = architecture.hidden_layers ?? [];
  const activation = architecture.activation ?? 'relu';
  assert.ok(units.length > 0, 'the project has no customised hidden layers');
  const model = (await generatedConfig(world)).model as { layers?: { units: number; activation: string }[] };
  const hidden = (model.layers ?? []).slice(0, -1);
  assert.deepEqual(hidden.map((l) => [l.units, l.activation]), units.map((u) => [u, activation]), 'config.yaml does not record the customised layers');
}

export async function expectNeighbours(world: NovaWorld, k: number): Promise<void> {
  assert.match(await fileContent(world, 'model.py'), new RegExp(`KNeighborsClassifier\\(n_neighbors=${k}\\b`), `model.py does not use ${k} nearest neighbours`);
}

export async function expectRequirementsName(world: NovaWorld, pythonPackage: string): Promise<void> {
  const requirements = await fileContent(world, 'requirements.txt');
  assert.ok(requirements.split('\n').some((line) => new RegExp(`^${pythonPackage}\\b`).test(line)), `requirements.txt does not name ${pythonPackage}:\n${requirements}`);
}

// ---------------------------------------------------------------- notebooks (nbformat 4)

const NOTEBOOK_CELL_KEYS: Record<string, { required: string[]; allowed: string[] }> = {
  markdown: { required: ['cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  raw: { required: ['cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  code: { required: ['cell_type', 'metadata', 'source', 'outputs', 'execution_count'], allowed: ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'] },
};

/** Problems with a document as an nbformat 4 notebook (the rules of the official v4 schemas). */
export function notebookProblems(document: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isText = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((l) => typeof l === 'string'));
  if (!isObject(document)) return ['not a JSON object'];
  for (const key of Object.keys(document)) if (!['metadata', 'nbformat', 'nbformat_minor', 'cells'].includes(key)) problems.push(`unknown top-level key "${key}"`);
  if (document.nbformat !== 4) problems.push(`nbformat is ${JSON.stringify(document.nbformat)}, not 4`);
  const minor = document.nbformat_minor;
  if (!Number.isInteger(minor) || (minor as number) < 0) problems.push(`nbformat_minor is ${JSON.stringify(minor)}`);
  if (!isObject(document.metadata)) problems.push('metadata is not an object');
  const kernel = isObject(document.metadata) ? document.metadata.kernelspec : undefined;
  if (kernel !== undefined && !(isObject(kernel) && typeof kernel.name === 'string' && typeof kernel.display_name === 'string')) problems.push('kernelspec lacks name or display_name');
  if (!Array.isArray(document.cells)) return [...problems, 'cells is not a list'];
  const ids = new Set<string>();
  document.cells.forEach((cell, i) => {
    if (!isObject(cell)) return problems.push(`cell ${i} is not an object`);
    const rules = NOTEBOOK_CELL_KEYS[String(cell.cell_type)];
    if (!rules) return problems.push(`cell ${i} has cell_type ${JSON.stringify(cell.cell_type)}`);
    const required = (minor as number) >= 5 ? ['id', ...rules.required] : rules.required;
    for (const key of required) if (!(key in cell)) problems.push(`cell ${i} (${cell.cell_type}) has no ${key}`);
    for (const key of Object.keys(cell)) if (!rules.allowed.includes(key)) problems.push(`cell ${i} (${cell.cell_type}) has an unknown key ${key}`);
    if ('id' in cell) {
      if (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) || ids.has(cell.id)) problems.push(`cell ${i} has an invalid or repeated id ${JSON.stringify(cell.id)}`);
      else ids.add(cell.id);
    }
    if (!isText(cell.source)) problems.push(`cell ${i} source is not text`);
    if (cell.cell_type === 'code') {
      if ('outputs' in cell && !Array.isArray(cell.outputs)) problems.push(`cell ${i} outputs is not a list`);
      const count = cell.execution_count;
      if ('execution_count' in cell && count !== null && !(Number.isInteger(count) && (count as number) >= 0)) problems.push(`cell ${i} execution_count is ${JSON.stringify(count)}`);
    }
    return undefined;
  });
  return problems;
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
}

export const NOTEBOOKS = ['eda', 'training', 'evaluation'] as const;

export async function notebook(world: NovaWorld, kind: (typeof NOTEBOOKS)[number]): Promise<{ nbformat: number; cells: NotebookCell[] }> {
  const text = await fileContent(world, `notebooks/${kind}.ipynb`);
  try {
    return JSON.parse(text) as { nbformat: number; cells: NotebookCell[] };
  } catch (error) {
    throw new Error(`notebooks/${kind}.ipynb is not JSON: ${(error as Error).message}`);
  }
}

export async function expectValidNotebooks(world: NovaWorld): Promise<void> {
  for (const kind of NOTEBOOKS) {
    const document = await notebook(world, kind);
    assert.deepEqual(notebookProblems(document), [], `notebooks/${kind}.ipynb is not a valid nbformat 4 notebook`);
  }
}

export const cellText = (cell: NotebookCell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

export async function notebookCode(world: NovaWorld): Promise<{ name: string; code: string }[]> {
  const sources: { name: string; code: string }[] = [];
  for (const kind of NOTEBOOKS) {
    const { cells } = await notebook(world, kind);
    assert.ok(cells.some((c) => c.cell_type === 'markdown' && /^#/m.test(cellText(c))), `notebooks/${kind}.ipynb has no titled text cell`);
    const code = cells.filter((c) => c.cell_type === 'code').map(cellText);
    assert.ok(code.length > 0, `notebooks/${kind}.ipynb has no code cell`);
    sources.push({ name: `notebooks/${kind}_cells.py`, code: `${code.join('\n\n')}\n` });
  }
  return sources;
}

export async function expectEvaluationNotebookChecksTargets(world: NovaWorld): Promise<void> {
  const code = (await notebook(world, 'evaluation')).cells.filter((c) => c.cell_type === 'code').map(cellText).join('\n');
  assert.match(code, /report\["targets"\]/, 'the evaluation notebook does not show the metric targets');
  assert.match(code, /assert all\(row\["met"\]/, 'the evaluation notebook does not check that every target is met');
}

// ---------------------------------------------------------------- compiling generated Python

/** Compiles the sources; fails (never skips) with what is missing and how to install it when python3 is not there. */
export function expectCompiles(sources: { name: string; code: string }[]): void {
  const missing = compilePython(sources);
  if (missing) throw new Error(missing);
}

export async function generatedPython(world: NovaWorld): Promise<{ name: string; code: string }[]> {
  const paths = (await fileList(world)).filter((path) => path.endsWith('.py'));
  assert.ok(paths.length >= 4, `only ${paths.length} Python files were generated`);
  return Promise.all(paths.map(async (name) => ({ name, code: await fileContent(world, name) })));
}

/** Compiles the sources with `python3 -m py_compile`; returns why it could not, when python3 is missing. */
export function compilePython(sources: { name: string; code: string }[]): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n')[0];
    return `python3 is missing (${why}), so the generated Python cannot be compiled: install Python 3 (e.g. apt-get install python3) and put python3 on PATH`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlestar-compile-'));
  try {
    const paths = sources.map(({ name, code }) => {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, code);
      return path;
    });
    const result = spawnSync('python3', ['-m', 'py_compile', ...paths], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, `the generated Python does not compile:\n${result.stderr.split(dir).join('')}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
