import assert from 'node:assert/strict';

/**
 * The metrics of a model evaluation, computed by the suite from the held-out rows the target
 * reported (actual and predicted values, and for clustering the fitted scaling), never taken from
 * the report. Unit tests feed it directly.
 */

export type ProjectType = 'classification' | 'regression' | 'clustering' | 'time_series';
export type MetricName = 'accuracy' | 'f1' | 'rmse' | 'r2' | 'silhouette' | 'mape';

export interface HeldOutReport {
  preprocessing: { offset: number[]; scale: number[] };
  holdout: { features: number[][]; actual: number[]; predicted: number[] };
}

/** The metrics of the project type, computed here from the held-out rows the target reported. */
export function recomputeMetrics(type: ProjectType, report: HeldOutReport): Partial<Record<MetricName, number>> {
  const { actual, predicted, features } = report.holdout;
  assert.ok(actual.length > 0 && actual.length === predicted.length, 'the evaluation reports no held-out predictions');
  switch (type) {
    case 'classification': {
      const labels = [...new Set([...actual, ...predicted])];
      const f1s = labels.map((label) => {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        actual.forEach((a, i) => {
          if (predicted[i] === label && a === label) tp++;
          else if (predicted[i] === label) fp++;
          else if (a === label) fn++;
        });
        return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
      });
      return { accuracy: actual.filter((a, i) => a === predicted[i]).length / actual.length, f1: f1s.reduce((s, v) => s + v, 0) / labels.length };
    }
    case 'regression': {
      const mean = actual.reduce((s, v) => s + v, 0) / actual.length;
      const residual = actual.reduce((s, v, i) => s + (v - predicted[i]) ** 2, 0);
      const total = actual.reduce((s, v) => s + (v - mean) ** 2, 0);
      return { rmse: Math.sqrt(residual / actual.length), r2: 1 - residual / total };
    }
    case 'time_series':
      return { mape: actual.reduce((s, v, i) => s + Math.abs((v - predicted[i]) / v), 0) / actual.length };
    case 'clustering': {
      const points = features.map((row) => row.map((v, f) => (v - report.preprocessing.offset[f]) / report.preprocessing.scale[f]));
      const distance = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
      let total = 0;
      points.forEach((p, i) => {
        const mean = (label: number) => {
          const others = points.filter((_, j) => j !== i && predicted[j] === label);
          return others.reduce((s, q) => s + distance(p, q), 0) / others.length;
        };
        if (predicted.filter((l) => l === predicted[i]).length === 1) return;
        const a = mean(predicted[i]);
        const b = Math.min(...[...new Set(predicted)].filter((l) => l !== predicted[i]).map(mean));
        if (Math.max(a, b) > 0) total += (b - a) / Math.max(a, b);
      });
      return { silhouette: total / points.length };
    }
  }
}
