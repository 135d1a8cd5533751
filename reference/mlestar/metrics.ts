/** Model metrics, computed from actual and predicted values only (never from anything else). */
import type { Matrix } from './types';

function sameLength(actual: readonly unknown[], predicted: readonly unknown[], metric: string): void {
  if (actual.length !== predicted.length) {
    throw new Error(`${metric}: ${actual.length} actual values but ${predicted.length} predictions; expected the same number`);
  }
  if (actual.length === 0) throw new Error(`${metric}: no values; expected at least one prediction`);
}

export function accuracy(actual: readonly number[], predicted: readonly number[]): number {
  sameLength(actual, predicted, 'accuracy');
  let correct = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) correct++;
  return correct / actual.length;
}

/** Macro-averaged F1 over every class seen in either list (a class never predicted scores 0). */
export function macroF1(actual: readonly number[], predicted: readonly number[]): number {
  sameLength(actual, predicted, 'f1');
  const classes = [...new Set([...actual, ...predicted])];
  let total = 0;
  for (const label of classes) {
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    for (let i = 0; i < actual.length; i++) {
      if (predicted[i] === label && actual[i] === label) truePositive++;
      else if (predicted[i] === label) falsePositive++;
      else if (actual[i] === label) falseNegative++;
    }
    const denominator = 2 * truePositive + falsePositive + falseNegative;
    total += denominator === 0 ? 0 : (2 * truePositive) / denominator;
  }
  return total / classes.length;
}

export function rmse(actual: readonly number[], predicted: readonly number[]): number {
  sameLength(actual, predicted, 'rmse');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}

/** Coefficient of determination: 1 - SSres / SStot (0 when the actual values are constant and matched). */
export function rSquared(actual: readonly number[], predicted: readonly number[]): number {
  sameLength(actual, predicted, 'r2');
  const mean = actual.reduce((a, b) => a + b, 0) / actual.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    residual += (actual[i] - predicted[i]) ** 2;
    total += (actual[i] - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/** Mean absolute percentage error as a fraction (0.05 = 5%); actual values of 0 are refused. */
export function mape(actual: readonly number[], predicted: readonly number[]): number {
  sameLength(actual, predicted, 'mape');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === 0) throw new Error(`mape: actual value ${i} is 0; expected non-zero actual values`);
    sum += Math.abs((actual[i] - predicted[i]) / actual[i]);
  }
  return sum / actual.length;
}

/**
 * Mean silhouette coefficient with Euclidean distance: for each point, (b - a) / max(a, b) where a
 * is the mean distance to its own cluster and b the mean distance to the nearest other cluster;
 * a point alone in its cluster scores 0. Needs at least two clusters.
 */
export function silhouette(points: Matrix, labels: readonly number[]): number {
  sameLength(points, labels, 'silhouette');
  const clusters = [...new Set(labels)];
  if (clusters.length < 2) throw new Error(`silhouette: ${clusters.length} cluster in the labels; expected at least 2`);
  const members = new Map<number, number[]>();
  labels.forEach((label, i) => members.set(label, [...(members.get(label) ?? []), i]));
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const own = members.get(labels[i]) as number[];
    if (own.length === 1) continue;
    const a = own.reduce((sum, j) => (j === i ? sum : sum + distance(points[i], points[j])), 0) / (own.length - 1);
    let b = Infinity;
    for (const [label, others] of members) {
      if (label === labels[i]) continue;
      b = Math.min(b, others.reduce((sum, j) => sum + distance(points[i], points[j]), 0) / others.length);
    }
    const spread = Math.max(a, b);
    if (spread > 0) total += (b - a) / spread;
  }
  return total / points.length;
}

export function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}
