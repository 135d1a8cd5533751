/**
 * MLE-Star domain verbs: create and customise projects, run their workflow, read what each stage
 * produced, and check the evaluation independently of the target (metrics recomputed from the
 * held-out predictions, support/invariants/ml-metrics.ts). The deployed models are in
 * ./mlestar-serving.ts, the generated files in ./mlestar-files.ts.
 */
import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import { recomputeMetrics } from '../invariants/ml-metrics';
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

interface MlState {
  projects: Map<string, MlProject>;
  current?: string;
  runStartedAt?: number;
  /** The name and description of the last configuration sent for creation (refusal checks). */
  attempted?: { name?: string; description: string };
}

const BASE = '/api/v1/mlestar/projects';

function state(world: NovaWorld): MlState {
  return world.domain('mlestar', () => ({ projects: new Map<string, MlProject>() }));
}

/** The API path of the current project, with `suffix` (e.g. `/files`). */
export const projectPath = (world: NovaWorld, suffix = '') => `${BASE}/${currentProject(world).id}${suffix}`;

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
