import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designArchitecture } from '../../reference/mlestar/design';
import { evaluate } from '../../reference/mlestar/evaluation';
import { emptyMonitoring, recordRequest, snapshot } from '../../reference/mlestar/monitoring';
import { checkDrift, emptyRuntime, servePrediction } from '../../reference/mlestar/operations';
import { sampleDataSource } from '../../reference/mlestar/sampling';
import { configOf } from './helpers';

function deployed(input: Record<string, unknown> = {}) {
  const config = configOf(input);
  const design = designArchitecture(config);
  const evaluation = evaluate(config, design);
  return { config, design, evaluation, endpoint: { model: evaluation.model, design, monitoring: config.monitoring } };
}

describe('a deployed endpoint', () => {
  const iris = deployed();

  it('answers valid input with class names the evaluation predicted', () => {
    const rows = iris.evaluation.report.holdout.features.slice(0, 3);
    const { result } = servePrediction(emptyRuntime(), iris.endpoint, { instances: rows }, new Date());
    assert.ok(result.ok);
    assert.deepEqual(result.predictions, iris.evaluation.report.holdout.predicted.slice(0, 3).map((i) => ['setosa', 'versicolor', 'virginica'][i]));
  });

  const malformed: [string, unknown, RegExp][] = [
    ['no body', undefined, /^instances$/],
    ['no instances', { rows: [] }, /^instances$/],
    ['an empty list', { instances: [] }, /^instances$/],
    ['a row of the wrong width', { instances: [[5.1, 3.5, 1.4]] }, /^instances\[0\]$/],
    ['text instead of a number', { instances: [[5.1, 'wide', 1.4, 0.2]] }, /^instances\[0\]\[1\]$/],
    ['a row that is not a list', { instances: [42] }, /^instances\[0\]$/],
    ['too many rows', { instances: Array.from({ length: 1001 }, () => [1, 2, 3, 4]) }, /^instances$/],
  ];
  for (const [name, body, field] of malformed) {
    it(`refuses ${name}, naming the field`, () => {
      const { result } = servePrediction(emptyRuntime(), iris.endpoint, body, new Date());
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.error, /prediction input is malformed; expected instances: a list of 1-1000 rows of 4 numbers/);
      assert.ok(result.details.some((d) => field.test(d.field)), JSON.stringify(result.details));
    });
  }

  it('a non-finite number is malformed too', () => {
    const { result } = servePrediction(emptyRuntime(), iris.endpoint, { instances: [[1, 2, 3, Number.NaN]] }, new Date());
    assert.equal(result.ok, false);
  });

  it('counts requests, predictions, errors and latency', () => {
    const runtime = emptyRuntime();
    const rows = iris.evaluation.report.holdout.features;
    servePrediction(runtime, iris.endpoint, { instances: rows.slice(0, 5) }, new Date());
    servePrediction(runtime, iris.endpoint, { instances: rows.slice(5, 7) }, new Date());
    servePrediction(runtime, iris.endpoint, { instances: [[1]] }, new Date());
    const figures = snapshot(runtime.monitoring, iris.config.monitoring);
    assert.equal(figures.requests, 3);
    assert.equal(figures.predictions, 7);
    assert.equal(figures.errors, 1);
    assert.equal(figures.error_rate, 1 / 3);
    assert.ok(figures.latency_ms.max >= figures.latency_ms.p50 && figures.latency_ms.p50 >= 0);
    assert.equal(runtime.recent_inputs.length, 7, 'only valid inputs are kept for drift checks');
  });
});

describe('error-rate alerting (threshold 0.1, at least 10 requests)', () => {
  const config = configOf({}).monitoring;
  const feed = (ok: number, failed: number) => {
    const state = emptyMonitoring();
    const changes = [];
    for (let i = 0; i < ok; i++) changes.push(...recordRequest(state, { latencyMs: 1, failed: false, predictions: 1 }, config, new Date()));
    for (let i = 0; i < failed; i++) changes.push(...recordRequest(state, { latencyMs: 1, failed: true, predictions: 0 }, config, new Date()));
    return { state, changes };
  };

  it('stays quiet below the threshold: 1 error in 11 requests (0.091)', () => {
    const { state, changes } = feed(10, 1);
    assert.deepEqual(changes, []);
    assert.equal(snapshot(state, config).healthy, true);
  });

  it('fires when the error rate reaches the threshold: 1 error in 10 requests', () => {
    const { state, changes } = feed(9, 1);
    assert.deepEqual(changes.map((a) => [a.rule, a.status]), [['error_rate', 'firing']]);
    assert.match(changes[0].message, /error rate 0.1 over the last 10 requests is at or above 0.1/);
    assert.equal(snapshot(state, config).healthy, false);
  });

  it('waits for enough requests: 3 errors in 3 requests do not fire yet', () => {
    assert.deepEqual(feed(0, 3).changes, []);
  });

  it('fires once and resolves when healthy traffic brings the rate back down', () => {
    const { state, changes } = feed(0, 12);
    assert.equal(changes.length, 1);
    for (let i = 0; i < 100; i++) recordRequest(state, { latencyMs: 1, failed: false, predictions: 1 }, config, new Date());
    assert.deepEqual(state.alerts.map((a) => a.status), ['resolved']);
    assert.equal(snapshot(state, config).error_rate, 0);
    assert.equal(snapshot(state, config).errors, 12, 'totals keep the history');
  });
});

describe('drift on production inputs', () => {
  for (const type of ['classification', 'regression', 'clustering', 'time_series'] as const) {
    for (const statistic of ['psi', 'ks'] as const) {
      it(`${type} (${statistic}): quiet on fresh data from the source, detected after a shift of one standard deviation`, () => {
        const project = deployed({ type, maintenance: { drift_statistic: statistic } });
        const fresh = sampleDataSource(project.config, 200, 1001);
        const quiet = emptyRuntime();
        servePrediction(quiet, project.endpoint, { instances: fresh }, new Date());
        const calm = checkDrift(quiet, project.evaluation.baseline, project.design, project.config.maintenance);
        assert.equal(calm.drifted, false, JSON.stringify(calm.features.map((f) => [f.feature, f.psi, f.ks_p_value])));

        const column = project.evaluation.baseline.map((row) => row[0]);
        const mean = column.reduce((a, b) => a + b, 0) / column.length;
        const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
        const shifted = emptyRuntime();
        servePrediction(shifted, project.endpoint, { instances: fresh.map((row) => [row[0] + sd, ...row.slice(1)]) }, new Date());
        const report = checkDrift(shifted, project.evaluation.baseline, project.design, project.config.maintenance);
        assert.equal(report.drifted, true);
        assert.equal(report.drifted_features[0], project.design.input_features[0]);
      });
    }
  }
});
