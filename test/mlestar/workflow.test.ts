import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusalToRun, StageOrderError } from '../../reference/mlestar/stage-machine';
import { STAGES } from '../../reference/mlestar/types';
import { prepareRun } from '../../reference/mlestar/workflow';
import { projectOf, run } from './helpers';

const statuses = (project: ReturnType<typeof projectOf>) => project.workflow.stages.map((s) => `${s.name}:${s.status}`);

describe('the MLE-Star stage machine', () => {
  it('runs the seven stages in order and publishes progress', async () => {
    const project = projectOf();
    const events = await run(project);
    assert.equal(project.workflow.status, 'completed');
    assert.deepEqual(
      events.filter((e) => e.type === 'mlestar.stage_completed').map((e) => e.data.stage),
      [...STAGES],
    );
    assert.equal(events[0].type, 'mlestar.workflow_started');
    assert.equal(events[events.length - 1].type, 'mlestar.workflow_completed');
    for (const stage of project.workflow.stages) {
      assert.equal(stage.attempts, 1);
      assert.ok(typeof stage.duration_ms === 'number' && stage.duration_ms >= 0);
    }
    assert.deepEqual(Object.keys(project.outputs), [...STAGES]);
  });

  it('refuses a stage whose predecessors have not succeeded, naming the blocking stage', () => {
    const project = projectOf();
    assert.equal(refusalToRun(project.workflow, 'evaluation'), 'evaluation cannot run before specification has succeeded (specification is pending)');
    assert.throws(() => prepareRun(project, { from: 'design' }), (error: unknown) => error instanceof StageOrderError && /design cannot run before specification/.test(error.message));
    assert.equal(project.workflow.status, 'not_started', 'a refused run changes nothing');
  });

  it('stops at a failed stage with its reason and leaves the later stages pending', async () => {
    const project = projectOf({ data_source: { noise: 3 } });
    const events = await run(project);
    assert.equal(project.workflow.status, 'failed');
    assert.equal(project.workflow.failed_stage, 'evaluation');
    assert.match(project.workflow.failure_reason ?? '', /^evaluation failed: accuracy 0\.\d+ is below the target 0.8/);
    assert.deepEqual(statuses(project).slice(3), ['evaluation:failed', 'deployment:pending', 'monitoring:pending', 'maintenance:pending']);
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['mlestar.stage_failed', 'mlestar.workflow_failed']);
    assert.equal(project.artifacts.model, undefined, 'a failed evaluation deploys nothing');
    assert.throws(() => prepareRun(project, { from: 'deployment' }), /deployment cannot run before evaluation has succeeded \(evaluation is failed\)/);
  });

  it('resumes from a stage after the cause is fixed, re-running it and every later stage', async () => {
    const project = projectOf({ architecture: { epochs: 1, learning_rate: 0.001 } });
    await run(project);
    assert.equal(project.workflow.failed_stage, 'evaluation');
    project.config.architecture = { estimator: 'logistic_regression', epochs: 100 };
    const events = await run(project, { from: 'design' });
    assert.equal(project.workflow.status, 'completed');
    assert.deepEqual(events.find((e) => e.type === 'mlestar.workflow_started')?.data.stages, STAGES.slice(1));
    const attempts = Object.fromEntries(project.workflow.stages.map((s) => [s.name, s.attempts]));
    assert.deepEqual(attempts, { specification: 1, design: 2, implementation: 2, evaluation: 2, deployment: 1, monitoring: 1, maintenance: 1 });
  });

  it('continues where it stopped, and can stop early after a chosen stage', async () => {
    const project = projectOf({ type: 'clustering' });
    await run(project, { to: 'implementation' });
    assert.equal(project.workflow.status, 'paused');
    assert.deepEqual(statuses(project).slice(2, 4), ['implementation:succeeded', 'evaluation:pending']);
    const events = await run(project);
    assert.equal(events[0].data.from, 'evaluation');
    assert.equal(project.workflow.status, 'completed');
    assert.throws(() => prepareRun(project), /already completed; resume it from a stage/);
    assert.throws(() => prepareRun(project, { from: 'evaluation', to: 'design' }), /cannot stop at design, which comes before it/);
  });

  it('re-running a stage invalidates the outputs of the later ones', async () => {
    const project = projectOf({ type: 'regression' });
    await run(project);
    prepareRun(project, { from: 'evaluation' });
    assert.deepEqual(statuses(project).slice(3), ['evaluation:pending', 'deployment:pending', 'monitoring:pending', 'maintenance:pending']);
    assert.equal(project.outputs.deployment, undefined);
    assert.ok(project.outputs.design, 'earlier outputs stay');
    assert.match(refusalToRun(project.workflow, 'design') ?? '', /already running/);
  });

  it('turns an unexpected error in a stage into a failure with a reason', async () => {
    const project = projectOf();
    await run(project, {}, { runners: { design: () => { throw new Error('disk full'); } } });
    assert.equal(project.workflow.failure_reason, 'design failed: the stage stopped unexpectedly: disk full');
  });
});

describe('each stage checks what it must and fails with a reason', () => {
  it('specification: too few samples for a held-out evaluation', async () => {
    const project = projectOf({ data_source: { samples: 24 } });
    await run(project);
    assert.equal(project.workflow.failed_stage, 'specification');
    assert.match(project.workflow.failure_reason ?? '', /too few samples/);
    const checks = (project.outputs.specification as { checks: { name: string; passed: boolean }[] }).checks;
    assert.deepEqual(checks.map((c) => `${c.name}:${c.passed}`), ['configuration:true', 'metric_targets:true', 'data_source:false', 'held_out_split:false']);
  });

  it('specification: a time series shorter than its season, horizon and training window', async () => {
    const project = projectOf({ type: 'time_series', data_source: { samples: 40 } });
    await run(project);
    assert.match(project.workflow.failure_reason ?? '', /specification failed: the data source has too few samples: 16 training and 12 held-out rows; expected at least 20 and 10 \(a time series needs at least 44 observations\)/);
  });

  it('specification: profiles the data it will train on', async () => {
    const project = projectOf();
    await run(project, { to: 'specification' });
    const output = project.outputs.specification as { data_profile: Record<string, unknown>; requirements: { metric_targets: unknown[] } };
    assert.deepEqual(output.data_profile.classes, { setosa: 100, versicolor: 100, virginica: 100 });
    assert.deepEqual(output.data_profile.features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    assert.deepEqual(output.requirements.metric_targets, [
      { metric: 'accuracy', comparison: 'at_least', target: 0.8 },
      { metric: 'f1', comparison: 'at_least', target: 0.8 },
    ]);
  });

  it('design: a network too large to train within the budget', async () => {
    const project = projectOf({ framework: 'pytorch', data_source: { samples: 5000 }, architecture: { hidden_layers: [256, 256], epochs: 1000 } });
    await run(project);
    assert.equal(project.workflow.failed_stage, 'design');
    assert.match(project.workflow.failure_reason ?? '', /design failed: the design is too large to train: .* exceed the budget of 5e\+7/);
  });

  it('maintenance: a drift threshold so tight that fresh training-like data alarms', async () => {
    const project = projectOf({ maintenance: { drift_threshold: 0.001 } });
    await run(project);
    assert.equal(project.workflow.failed_stage, 'maintenance');
    assert.match(project.workflow.failure_reason ?? '', /flags fresh data from the training distribution .*too sensitive/);
  });

  it('deployment and monitoring: serving endpoints per environment, healthy under the probe', async () => {
    const project = projectOf({ deployment: { environments: ['production'] } });
    await run(project);
    const deployments = (project.outputs.deployment as { deployments: { environment: string; endpoint: string; model_version: number; smoke_test: { matches_evaluation: boolean } }[] }).deployments;
    assert.deepEqual(deployments.map((d) => [d.environment, d.endpoint, d.model_version, d.smoke_test.matches_evaluation]), [['production', 'unit-project-production', 1, true]]);
    const monitoring = project.outputs.monitoring as { environments: { environment: string; probe: { requests: number; errors: number; healthy: boolean } }[] };
    assert.deepEqual(monitoring.environments.map((e) => [e.environment, e.probe.requests, e.probe.errors, e.probe.healthy]), [['production', 90, 0, true]]);
    await run(project, { from: 'deployment' });
    assert.equal((project.outputs.deployment as { deployments: { model_version: number }[] }).deployments[0].model_version, 2, 'a redeployment is a new model version');
  });

  it('maintenance: schedules retraining and reports the drift baseline', async () => {
    const project = projectOf({ maintenance: { retraining_schedule: '@daily', drift_statistic: 'ks' } });
    await run(project, {}, { now: () => new Date('2024-06-01T12:00:00Z') });
    const output = project.outputs.maintenance as { retraining_schedule: { next_runs: string[] }; drift_detection: { statistic: string; baseline: { rows: number }; calibration: { drifted: boolean } } };
    assert.deepEqual(output.retraining_schedule.next_runs, ['2024-06-02T00:00:00.000Z', '2024-06-03T00:00:00.000Z', '2024-06-04T00:00:00.000Z']);
    assert.equal(output.drift_detection.statistic, 'ks');
    assert.equal(output.drift_detection.baseline.rows, 210);
    assert.equal(output.drift_detection.calibration.drifted, false);
  });
});
