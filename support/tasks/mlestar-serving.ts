/**
 * MLE-Star's deployed models: predictions, malformed input, monitoring and alerts, fresh samples
 * from the data source and drift checks.
 */
import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { currentProject, design, evaluation, fetchProject, projectPath, type DriftStatistic, type Environment, type Evaluation } from './mlestar';
import { expectRefusal } from './refusals';

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

interface ServingState {
  answers?: (string | number)[];
  sampleSeed: number;
}

function state(world: NovaWorld): ServingState {
  return world.domain('mlestar-serving', () => ({ sampleSeed: 100 }));
}

// ---------------------------------------------------------------- deployed models

export async function predict(world: NovaWorld, environment: Environment, instances: unknown[]): Promise<ApiResponse<{ predictions: (string | number)[] }>> {
  const response = await world.actor.api.post<{ predictions: (string | number)[] }>(projectPath(world, `/deployments/${environment}/predictions`), { instances });
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
  const response = await world.actor.api.get<Monitoring>(projectPath(world, `/deployments/${environment}/monitoring`));
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
  const response = await world.actor.api.get<{ features: string[]; instances: number[][] }>(projectPath(world, '/data-source/samples'), {
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
  const response = await world.actor.api.post<DriftReport>(projectPath(world, `/deployments/${environment}/drift-checks`));
  expectStatus(response, 200, `checking ${environment} for drift`);
  const strongest = Math.max(...response.data.features.map((f) => f.psi));
  world.metrics.record(`mlestar-${environment}-max-psi-${response.data.drifted ? 'drifted' : 'stable'}`, strongest, 'psi');
  return response.data;
}

export async function expectNoDeployment(world: NovaWorld): Promise<void> {
  const project = await fetchProject(world);
  assert.deepEqual(project.deployed_to, [], `the project is deployed to ${project.deployed_to.join(', ')}`);
  const response = await predict(world, 'production', [[1, 2, 3, 4]]);
  assert.equal(response.status, 404, `the production endpoint of a project that was never deployed answered ${response.status}`);
}
