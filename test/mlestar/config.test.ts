import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeConfig, validateProjectConfig } from '../../reference/mlestar/config';
import type { FieldError } from '../../reference/mlestar/types';

function errorsOf(input: unknown): FieldError[] {
  const result = validateProjectConfig(input);
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return (result as { errors: FieldError[] }).errors;
}

const fields = (errors: FieldError[]) => errors.map((e) => e.field).sort();

describe('project configuration', () => {
  it('fills every default from a minimal configuration', () => {
    const result = validateProjectConfig({ name: 'iris-species', type: 'classification', framework: 'pytorch', metric_targets: { accuracy: 0.8 } });
    assert.ok(result.ok);
    const { config } = result;
    assert.deepEqual(config.data_source, { kind: 'generated', dataset: 'iris', samples: 300, seed: 42, noise: 1 });
    assert.deepEqual(config.pipeline, { scaler: 'standard', test_size: 0.3 });
    assert.deepEqual(config.deployment.environments, ['staging', 'production']);
    assert.equal(config.monitoring.error_rate_threshold, 0.1);
    assert.equal(config.maintenance.retraining_schedule, '0 3 * * 0');
    assert.equal(config.maintenance.drift_statistic, 'psi');
    assert.equal(config.architecture.estimator, 'neural_network');
    assert.equal(config.forecast, undefined);
  });

  it('gives time series a forecast horizon and season instead of a test share', () => {
    const result = validateProjectConfig({ name: 'sales', type: 'time_series', framework: 'sklearn', metric_targets: { mape: 0.1 } });
    assert.ok(result.ok);
    assert.deepEqual(result.config.forecast, { horizon: 12, season_length: 12 });
    assert.equal(result.config.pipeline.test_size, undefined);
    assert.ok(validateProjectConfig(result.config).ok, 'a normalised configuration validates again unchanged');
  });

  it('names every missing required field', () => {
    assert.deepEqual(fields(errorsOf({})), ['framework', 'metric_targets', 'name', 'type']);
  });

  it('refuses unknown types, frameworks and settings with the allowed values', () => {
    const errors = errorsOf({ name: 'x', type: 'images', framework: 'jax', metric_targets: { accuracy: 0.8 }, colour: 'red' });
    assert.deepEqual(fields(errors), ['colour', 'framework', 'type']);
    assert.match(errors.find((e) => e.field === 'type')!.message, /must be one of classification, regression, clustering, time_series; got "images"/);
  });

  it('checks metric targets against the project type and their range', () => {
    const errors = errorsOf({ name: 'x', type: 'classification', framework: 'sklearn', metric_targets: { rmse: 3, accuracy: 1.5 } });
    assert.deepEqual(fields(errors), ['metric_targets.accuracy', 'metric_targets.rmse']);
    assert.match(errors.find((e) => e.field === 'metric_targets.rmse')!.message, /not a classification metric; expected one of accuracy, f1/);
    assert.match(errors.find((e) => e.field === 'metric_targets.accuracy')!.message, /above 0 to 1; got 1.5/);
    assert.deepEqual(fields(errorsOf({ name: 'x', type: 'regression', framework: 'sklearn', metric_targets: {} })), ['metric_targets']);
  });

  it('checks the data source', () => {
    const errors = errorsOf({ name: 'x', type: 'regression', framework: 'sklearn', metric_targets: { r2: 0.8 }, data_source: { dataset: 'iris', samples: 2.5, noise: -1 } });
    assert.deepEqual(fields(errors), ['data_source.dataset', 'data_source.noise', 'data_source.samples']);
    assert.match(errors[0].message, /must be housing for a regression project; got "iris"/);
  });

  it('offers each framework its own estimators and refuses settings an estimator ignores', () => {
    const pytorch = errorsOf({ name: 'x', type: 'classification', framework: 'pytorch', metric_targets: { accuracy: 0.8 }, architecture: { estimator: 'k_neighbors' } });
    assert.match(pytorch[0].message, /must be one of neural_network for a pytorch classification project; got "k_neighbors"/);
    const ignored = errorsOf({ name: 'x', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.8 }, architecture: { estimator: 'k_neighbors', hidden_layers: [8] } });
    assert.deepEqual(fields(ignored), ['architecture.hidden_layers']);
    assert.match(ignored[0].message, /does not apply to the k_neighbors estimator; it takes n_neighbors/);
    const sizes = errorsOf({ name: 'x', type: 'classification', framework: 'pytorch', metric_targets: { accuracy: 0.8 }, architecture: { hidden_layers: [16, 0, 512] } });
    assert.deepEqual(fields(sizes), ['architecture.hidden_layers[1]', 'architecture.hidden_layers[2]']);
  });

  it('checks deployment, monitoring and maintenance settings', () => {
    const errors = errorsOf({
      name: 'x',
      type: 'clustering',
      framework: 'sklearn',
      metric_targets: { silhouette: 0.5 },
      deployment: { environments: ['staging', 'qa'] },
      monitoring: { error_rate_threshold: 0 },
      maintenance: { retraining_schedule: '0 0 31 2 *', drift_statistic: 'chi2' },
      forecast: { horizon: 3 },
    });
    assert.deepEqual(fields(errors), ['deployment.environments[1]', 'forecast', 'maintenance.drift_statistic', 'maintenance.retraining_schedule', 'monitoring.error_rate_threshold']);
    assert.match(errors.find((e) => e.field === 'maintenance.retraining_schedule')!.message, /never runs/);
  });

  it('refuses names that are not 1-63 lowercase characters starting with a letter', () => {
    for (const name of ['Iris', '1iris', 'a'.repeat(64), 'iris_species', '']) {
      assert.deepEqual(fields(errorsOf({ name, type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.8 } })), ['name'], name);
    }
  });

  it('merges a change into a configuration; null removes a setting', () => {
    const result = validateProjectConfig({ name: 'x', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.8 }, architecture: { estimator: 'decision_tree', max_depth: 3 } });
    assert.ok(result.ok);
    const merged = mergeConfig(result.config, { architecture: { estimator: 'k_neighbors', max_depth: null, n_neighbors: 7 } });
    const again = validateProjectConfig(merged);
    assert.ok(again.ok, JSON.stringify(again));
    assert.deepEqual(again.config.architecture, { estimator: 'k_neighbors', n_neighbors: 7 });
    assert.equal(again.config.metric_targets.accuracy, 0.8);
  });
});
