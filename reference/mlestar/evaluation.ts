/**
 * Stage 4: train the designed model on the project's dataset and measure it on held-out rows it
 * never saw. Every metric is computed from the held-out predictions, which the report carries so
 * anyone can recompute it.
 */
import { comparisonFor, DEFAULT_TEST_SIZE } from './config';
import { generateDataset, splitDataset, type Dataset, type Split } from './datasets';
import type { Design } from './design';
import { accuracy, macroF1, mape, rmse, rSquared, silhouette } from './metrics';
import { predict, scaleFor, trainModel, type TrainedModel, type TrainingSummary } from './models';
import type { ScalerState } from './models/scaler';
import { METRICS_BY_TYPE, type Matrix, type MetricName, type ProjectConfig } from './types';

export interface TargetCheck {
  metric: MetricName;
  target: number;
  comparison: 'at_least' | 'at_most';
  actual: number;
  met: boolean;
}

export interface EvaluationReport {
  dataset: { name: string; samples: number; features: string[]; train_rows: number; test_rows: number; seed: number; noise: number };
  training: TrainingSummary & { duration_ms: number };
  metrics: Partial<Record<MetricName, number>>;
  targets: TargetCheck[];
  passed: boolean;
  /** Why the stage failed, naming each missed target. */
  failure?: string;
  /** The fitted preprocessing: clustering metrics are measured in this scaled space. */
  preprocessing: ScalerState;
  holdout: { features: Matrix; actual: number[]; predicted: number[] };
}

export interface Evaluation {
  report: EvaluationReport;
  model: TrainedModel;
  /** The training rows: the reference distribution drift is measured against. */
  baseline: Matrix;
}

export function loadDataset(config: ProjectConfig): Dataset {
  return generateDataset({ source: config.data_source, type: config.type, seasonLength: config.forecast?.season_length });
}

export function splitFor(config: ProjectConfig, dataset: Dataset): Split {
  return splitDataset(dataset, { testSize: config.pipeline.test_size ?? DEFAULT_TEST_SIZE, seed: config.data_source.seed, horizon: config.forecast?.horizon });
}

/** How a project's rows are split into training and held-out rows (a fault may replace it). */
export type Splitter = (config: ProjectConfig, dataset: Dataset) => Split;

export function evaluate(config: ProjectConfig, design: Design, splitter: Splitter = splitFor): Evaluation {
  const dataset = loadDataset(config);
  const split = splitter(config, dataset);
  const started = performance.now();
  const { model, summary } = trainModel(design, split.train.X, split.train.y);
  const trainingMs = performance.now() - started;
  const predicted = predict(model, split.test.X);
  const metrics = computeMetrics(config.type, split.test.y, predicted, scaleFor(model, split.test.X));
  const targets = checkTargets(config.metric_targets, metrics);
  const missed = targets.filter((t) => !t.met);
  const report: EvaluationReport = {
    dataset: {
      name: dataset.name,
      samples: config.data_source.samples,
      features: dataset.featureNames,
      train_rows: split.train.X.length,
      test_rows: split.test.X.length,
      seed: config.data_source.seed,
      noise: config.data_source.noise,
    },
    training: { ...summary, duration_ms: round(trainingMs, 3) },
    metrics,
    targets,
    passed: missed.length === 0,
    preprocessing: model.scaler,
    holdout: { features: split.test.X, actual: split.test.y, predicted },
  };
  if (missed.length > 0) report.failure = missed.map(describeMiss).join('; ');
  return { report, model, baseline: split.train.X };
}

/** Every metric of the project type, from held-out actual and predicted values. */
export function computeMetrics(type: ProjectConfig['type'], actual: number[], predicted: number[], modelInputs: Matrix): Partial<Record<MetricName, number>> {
  const metrics: Partial<Record<MetricName, number>> = {};
  for (const metric of METRICS_BY_TYPE[type]) {
    switch (metric) {
      case 'accuracy':
        metrics.accuracy = accuracy(actual, predicted);
        break;
      case 'f1':
        metrics.f1 = macroF1(actual, predicted);
        break;
      case 'rmse':
        metrics.rmse = rmse(actual, predicted);
        break;
      case 'r2':
        metrics.r2 = rSquared(actual, predicted);
        break;
      case 'silhouette':
        metrics.silhouette = new Set(predicted).size < 2 ? -1 : silhouette(modelInputs, predicted);
        break;
      case 'mape':
        metrics.mape = mape(actual, predicted);
        break;
    }
  }
  return metrics;
}

export function checkTargets(targets: ProjectConfig['metric_targets'], metrics: Partial<Record<MetricName, number>>): TargetCheck[] {
  return (Object.entries(targets) as [MetricName, number][]).map(([metric, target]) => {
    const comparison = comparisonFor(metric);
    const actual = metrics[metric] as number;
    return { metric, target, comparison, actual, met: comparison === 'at_least' ? actual >= target : actual <= target };
  });
}

function describeMiss(check: TargetCheck): string {
  const relation = check.comparison === 'at_least' ? 'below' : 'above';
  return `${check.metric} ${round(check.actual, 4)} is ${relation} the target ${check.target}`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
