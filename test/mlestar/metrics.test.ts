import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, macroF1, mape, rmse, rSquared, silhouette } from '../../reference/mlestar/metrics';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe('MLE-Star metrics against hand-computed values', () => {
  it('accuracy is the share of exact matches', () => {
    close(accuracy([0, 1, 1, 2], [0, 1, 2, 2]), 0.75);
  });

  it('macro F1 averages per-class F1 (0.5, 0.8 and 2/3 here)', () => {
    // class 0: TP 1, FP 1, FN 1 -> 0.5; class 1: TP 2, FP 1 -> 0.8; class 2: TP 1, FN 1 -> 2/3
    close(macroF1([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]), (0.5 + 0.8 + 2 / 3) / 3);
  });

  it('macro F1 counts a class that is never predicted as 0', () => {
    // class 0: TP 2, FP 1 -> 4/5 = 0.8; class 1: TP 0, FN 1 -> 0
    close(macroF1([0, 0, 1], [0, 0, 0]), (0.8 + 0) / 2);
  });

  it('RMSE and R squared match the scikit-learn documentation example', () => {
    const actual = [3, -0.5, 2, 7];
    const predicted = [2.5, 0, 2, 8];
    close(rmse(actual, predicted), Math.sqrt(0.375));
    close(rSquared(actual, predicted), 0.9486081370449679, 1e-12);
  });

  it('MAPE is a fraction of the actual values', () => {
    close(mape([100, 200], [110, 190]), (0.1 + 0.05) / 2);
    assert.throws(() => mape([0, 1], [1, 1]), /actual value 0 is 0/);
  });

  it('silhouette of two tight, distant pairs is (7/9 + 5/7) / 2', () => {
    close(silhouette([[0], [1], [4], [5]], [0, 0, 1, 1]), (7 / 9 + 5 / 7) / 2);
  });

  it('silhouette scores a singleton cluster 0 and needs two clusters', () => {
    // point 2 is alone: 0; points 0 and 1: a = 1, b = 10 and 9 -> 0.9 and 8/9
    close(silhouette([[0], [1], [10]], [0, 0, 1]), (0.9 + 8 / 9 + 0) / 3);
    assert.throws(() => silhouette([[0], [1]], [0, 0]), /at least 2/);
  });

  it('refuses lists of different lengths with a one-line reason', () => {
    assert.throws(() => accuracy([1, 2], [1]), /accuracy: 2 actual values but 1 predictions/);
    assert.throws(() => rmse([], []), /at least one prediction/);
  });
});
