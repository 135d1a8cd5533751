import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateProjectConfig } from '../../reference/mlestar/config';
import { generateDataset } from '../../reference/mlestar/datasets';
import type { FieldError } from '../../reference/mlestar/types';

const base = { name: 'own-rows', framework: 'sklearn', metric_targets: { accuracy: 0.5 } };
const rows = Array.from({ length: 12 }, (_, i) => [5 + i / 10, 3, 1.5 + i / 5, 0.2]);
const labels = rows.map((_, i) => ['setosa', 'versicolor', 'virginica'][i % 3]);

function fieldsRefused(input: unknown): string[] {
  const result = validateProjectConfig(input);
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return (result as { errors: FieldError[] }).errors.map((e) => e.field);
}

describe('a data source of supplied rows', () => {
  it('is completed with the split seed, the row count and no noise, and trains on exactly those rows', () => {
    const result = validateProjectConfig({ ...base, type: 'classification', data_source: { kind: 'rows', rows, labels, seed: 7 } });
    assert.ok(result.ok);
    const source = result.config.data_source;
    assert.deepEqual({ ...source, rows: source.rows?.length, labels: source.labels?.length }, { kind: 'rows', dataset: 'supplied', samples: 12, seed: 7, noise: 0, rows: 12, labels: 12 });
    const dataset = generateDataset({ source, type: 'classification' });
    assert.deepEqual(dataset.X, rows);
    assert.deepEqual(dataset.y, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    assert.equal(dataset.name, 'supplied');
  });

  it('takes numbers as regression labels', () => {
    const result = validateProjectConfig({ ...base, type: 'regression', metric_targets: { r2: 0.5 }, data_source: { kind: 'rows', rows, labels: rows.map((_, i) => 100 + i) } });
    assert.ok(result.ok);
    assert.deepEqual(generateDataset({ source: result.config.data_source, type: 'regression' }).y.slice(0, 3), [100, 101, 102]);
  });

  it('names the row, the label or the setting at fault', () => {
    const source = (change: Record<string, unknown>) => ({ ...base, type: 'classification', data_source: { kind: 'rows', rows, labels, ...change } });
    assert.deepEqual(fieldsRefused(source({ rows: [...rows.slice(0, 11), [1, 2, 3]] })), ['data_source.rows[11]']);
    assert.deepEqual(fieldsRefused(source({ rows: [...rows.slice(0, 11), [1, 2, 'x', 4]] })), ['data_source.rows[11]']);
    assert.deepEqual(fieldsRefused(source({ labels: [...labels.slice(0, 11), 'rose'] })), ['data_source.labels[11]']);
    assert.deepEqual(fieldsRefused(source({ labels: labels.slice(1) })), ['data_source.labels']);
    assert.deepEqual(fieldsRefused(source({ rows: rows.slice(0, 9), labels: labels.slice(0, 9) })), ['data_source.rows']);
    assert.deepEqual(fieldsRefused(source({ noise: 2 })), ['data_source.noise']);
    assert.deepEqual(fieldsRefused(source({ samples: 5 })), ['data_source.samples']);
    assert.deepEqual(fieldsRefused(source({ dataset: 'iris' })), ['data_source.dataset']);
    assert.deepEqual(fieldsRefused({ ...base, type: 'clustering', metric_targets: { silhouette: 0.3 }, data_source: { kind: 'rows', rows, labels } }), ['data_source.kind']);
  });

  it('refuses rows and labels on a generated source', () => {
    assert.deepEqual(fieldsRefused({ ...base, type: 'classification', data_source: { kind: 'generated', rows } }), ['data_source.rows']);
  });
});
