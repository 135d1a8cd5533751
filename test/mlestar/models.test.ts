import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDataset, splitDataset } from '../../reference/mlestar/datasets';
import { assignClusters, fitKMeans } from '../../reference/mlestar/models/kmeans';
import { fitLeastSquares, predictLinear } from '../../reference/mlestar/models/linear';
import { predictNeighbors } from '../../reference/mlestar/models/neighbors';
import { parameterCount, predictNetwork, trainNetwork } from '../../reference/mlestar/models/neural-network';
import { fitScaler, transform } from '../../reference/mlestar/models/scaler';
import { fitTree, predictTree } from '../../reference/mlestar/models/tree';

const close = (actual: number, expected: number, tolerance = 1e-6) => assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe('trainers', () => {
  it('least squares recovers exact coefficients from noise-free data', () => {
    const X = [[1, 2], [2, 1], [3, 5], [4, 3], [5, 8]];
    const y = X.map(([a, b]) => 3 + 2 * a - 0.5 * b);
    const fit = fitLeastSquares(X, y);
    close(fit.intercept, 3);
    close(fit.coefficients[0], 2);
    close(fit.coefficients[1], -0.5);
    assert.deepEqual(predictLinear(fit, [[10, 10]]).map((v) => Math.round(v * 1e6) / 1e6), [18]);
  });

  it('ridge shrinks coefficients towards zero', () => {
    const X = [[1], [2], [3], [4]];
    const y = [2, 4, 6, 8];
    assert.ok(fitLeastSquares(X, y, 10).coefficients[0] < fitLeastSquares(X, y).coefficients[0]);
  });

  it('k-means finds well separated groups', () => {
    const X = [[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]];
    const fit = fitKMeans(X, 2, 1);
    const labels = assignClusters(fit.centroids, X);
    assert.equal(new Set(labels.slice(0, 3)).size, 1);
    assert.equal(new Set(labels.slice(3)).size, 1);
    assert.notEqual(labels[0], labels[3]);
    // each group's centroid is a third of the way in: squared distances 2/9 + 5/9 + 5/9 per group
    close(fit.inertia, 2 * (12 / 9), 1e-9);
  });

  it('a decision tree splits on the informative feature at the midpoint', () => {
    const X = [[1, 5], [2, 5], [3, 5], [7, 5], [8, 5], [9, 5]];
    const tree = fitTree(X, [0, 0, 0, 1, 1, 1], 3);
    assert.equal(tree.leaf, false);
    if (!tree.leaf) {
      assert.equal(tree.feature, 0);
      assert.equal(tree.threshold, 5);
    }
    assert.deepEqual(predictTree(tree, [[4.9, 0], [5.1, 0]]), [0, 1]);
  });

  it('k-nearest neighbours votes (classification) and averages (regression)', () => {
    const state = { k: 3, X: [[0], [1], [2], [10], [11]], y: [0, 0, 1, 1, 1] };
    assert.deepEqual(predictNeighbors(state, [[0.5]], 'classification'), [0]);
    assert.deepEqual(predictNeighbors({ ...state, y: [1, 2, 3, 10, 20] }, [[0.5]], 'regression'), [2]);
  });

  it('a network with a hidden layer learns XOR, which no linear model can', () => {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1]].flatMap((row) => Array.from({ length: 10 }, () => row));
    const y = X.map(([a, b]) => a ^ b);
    const trained = trainNetwork(X, y, { task: 'classification', hiddenLayers: [8], activation: 'tanh', epochs: 300, learningRate: 0.05, batchSize: 8, seed: 3, outputs: 2 });
    assert.deepEqual(predictNetwork(trained.state, [[0, 0], [0, 1], [1, 0], [1, 1]]), [0, 1, 1, 0]);
    assert.ok(trained.losses[trained.losses.length - 1] < trained.losses[0] / 5, 'the loss falls');
    assert.equal(parameterCount([2, 8, 2]), 2 * 8 + 8 + 8 * 2 + 2);
  });

  it('scalers fit on training rows: standard and min-max', () => {
    const X = [[0, 10], [2, 10], [4, 10]];
    const standard = fitScaler('standard', X);
    assert.deepEqual(transform(standard, [[2, 10]]), [[0, 0]], 'a constant feature is left centred, not divided by zero');
    const minmax = fitScaler('minmax', X);
    assert.deepEqual(transform(minmax, [[4, 10]]), [[1, 0]]);
  });
});

describe('datasets', () => {
  it('are generated from the seed, balanced and split without overlap', () => {
    const source = { kind: 'generated' as const, dataset: 'iris', samples: 300, seed: 42, noise: 1 };
    const a = generateDataset({ source, type: 'classification' });
    assert.deepEqual(a, generateDataset({ source, type: 'classification' }));
    assert.deepEqual([0, 1, 2].map((c) => a.y.filter((y) => y === c).length), [100, 100, 100]);
    const split = splitDataset(a, { testSize: 0.3, seed: 42 });
    assert.equal(split.test.X.length, 90);
    assert.deepEqual([0, 1, 2].map((c) => split.test.y.filter((y) => y === c).length), [30, 30, 30], 'stratified');
  });

  it('a time series holds out its last horizon chronologically', () => {
    const source = { kind: 'generated' as const, dataset: 'monthly_sales', samples: 120, seed: 1, noise: 1 };
    const series = generateDataset({ source, type: 'time_series', seasonLength: 12 });
    assert.equal(series.X.length, 108);
    assert.deepEqual(series.X[1].slice(-1), [series.y[0]], 'each row is the previous season');
    const split = splitDataset(series, { testSize: 0.3, seed: 1, horizon: 12 });
    assert.deepEqual(split.test.y, series.y.slice(-12));
  });
});
