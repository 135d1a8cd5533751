import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { designArchitecture } from '../../reference/mlestar/design';
import { evaluate } from '../../reference/mlestar/evaluation';
import { accuracy, macroF1, mape, rmse, rSquared, silhouette } from '../../reference/mlestar/metrics';
import { predict } from '../../reference/mlestar/models';
import { transform } from '../../reference/mlestar/models/scaler';
import { FRAMEWORKS, PROJECT_TYPES, type ProjectType } from '../../reference/mlestar/types';
import { configOf } from './helpers';

/** The bar each project type must clear (upstream: accuracy above 0.8 per framework). */
const BAR: Record<ProjectType, (metrics: Record<string, number>) => boolean> = {
  classification: (m) => m.accuracy > 0.8 && m.f1 > 0.8,
  regression: (m) => m.r2 >= 0.8,
  clustering: (m) => m.silhouette >= 0.5,
  time_series: (m) => m.mape <= 0.1,
};

describe('every framework reaches its target on every project type', () => {
  for (const framework of FRAMEWORKS) {
    for (const type of PROJECT_TYPES) {
      it(`${framework} ${type}`, () => {
        const config = configOf({ framework, type });
        const design = designArchitecture(config);
        const started = performance.now();
        const { report } = evaluate(config, design);
        const elapsed = performance.now() - started;
        assert.ok(report.passed, `${framework} ${type}: ${report.failure}`);
        assert.ok(BAR[type](report.metrics as Record<string, number>), `${framework} ${type} metrics ${JSON.stringify(report.metrics)}`);
        assert.ok(elapsed < 1000, `${framework} ${type} evaluation took ${elapsed.toFixed(0)} ms; expected well under a second`);
      });
    }
  }
});

describe('metrics are computed from held-out predictions', () => {
  it('recomputing each metric from the reported held-out rows gives the reported value', () => {
    for (const type of PROJECT_TYPES) {
      const config = configOf({ framework: 'pytorch', type });
      const { report } = evaluate(config, designArchitecture(config));
      const { actual, predicted, features } = report.holdout;
      const expected: Record<string, number> = {};
      if (type === 'classification') Object.assign(expected, { accuracy: accuracy(actual, predicted), f1: macroF1(actual, predicted) });
      if (type === 'regression') Object.assign(expected, { rmse: rmse(actual, predicted), r2: rSquared(actual, predicted) });
      if (type === 'clustering') expected.silhouette = silhouette(transform(report.preprocessing, features), predicted);
      if (type === 'time_series') expected.mape = mape(actual, predicted);
      assert.deepEqual(report.metrics, expected, type);
    }
  });

  it('the held-out rows never appear in training and predictions come from the trained model', () => {
    const config = configOf({ framework: 'sklearn', type: 'regression' });
    const design = designArchitecture(config);
    const { report, model, baseline } = evaluate(config, design);
    const trained = new Set(baseline.map((row) => row.join(',')));
    assert.equal(report.holdout.features.filter((row) => trained.has(row.join(','))).length, 0);
    assert.equal(report.dataset.train_rows + report.dataset.test_rows, 400);
    assert.deepEqual(predict(model, report.holdout.features), report.holdout.predicted);
  });

  it('is deterministic for a seed and changes with another seed', () => {
    const run = (seed: number) => {
      const config = configOf({ framework: 'tensorflow', type: 'classification', data_source: { seed } });
      return evaluate(config, designArchitecture(config)).report;
    };
    assert.deepEqual(run(7).holdout, run(7).holdout);
    assert.notDeepEqual(run(7).holdout.features, run(8).holdout.features);
  });

  it('a harder dataset gives honestly worse metrics and misses the target with a reason', () => {
    const config = configOf({ framework: 'sklearn', type: 'classification', data_source: { noise: 3 } });
    const { report } = evaluate(config, designArchitecture(config));
    assert.equal(report.passed, false);
    assert.ok((report.metrics.accuracy as number) < 0.8);
    assert.match(report.failure ?? '', /^accuracy 0\.\d+ is below the target 0.8; f1 0\.\d+ is below the target 0.8$/);
    assert.deepEqual(report.targets.map((t) => [t.metric, t.comparison, t.met]), [['accuracy', 'at_least', false], ['f1', 'at_least', false]]);
  });

  it('error metrics are judged as ceilings', () => {
    const config = configOf({ framework: 'sklearn', type: 'regression', metric_targets: { rmse: 5 } });
    const { report } = evaluate(config, designArchitecture(config));
    assert.equal(report.passed, false);
    assert.match(report.failure ?? '', /^rmse \d+(\.\d+)? is above the target 5$/);
  });

  it('customised estimators train too (k-nearest neighbours, decision tree, ridge, a wider network)', () => {
    const variants: Record<string, unknown>[] = [
      { type: 'classification', architecture: { estimator: 'k_neighbors', n_neighbors: 7 } },
      { type: 'classification', architecture: { estimator: 'decision_tree', max_depth: 4 } },
      { type: 'classification', architecture: { estimator: 'neural_network', hidden_layers: [8, 8], activation: 'tanh' } },
      { type: 'regression', architecture: { estimator: 'ridge', alpha: 1 } },
      { type: 'regression', architecture: { estimator: 'k_neighbors', n_neighbors: 5 } },
      { type: 'clustering', architecture: { n_clusters: 3 }, pipeline: { scaler: 'minmax' } },
    ];
    for (const variant of variants) {
      const config = configOf(variant);
      const { report } = evaluate(config, designArchitecture(config));
      assert.ok(report.passed, `${JSON.stringify(variant)}: ${report.failure}`);
    }
  });
});
