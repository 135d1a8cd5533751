/**
 * Stage 1: the configuration is checked again as a whole, the metric targets are restated as
 * requirements and the data source is loaded and profiled to prove it can feed the project.
 */
import { comparisonFor, validateProjectConfig } from './config';
import type { Dataset } from './datasets';
import { loadDataset, splitFor } from './evaluation';
import type { MetricName, ProjectConfig } from './types';

export interface SpecificationCheck {
  name: 'configuration' | 'metric_targets' | 'data_source' | 'held_out_split';
  passed: boolean;
  detail: string;
}

export interface Specification {
  checks: SpecificationCheck[];
  requirements: { type: string; framework: string; metric_targets: { metric: MetricName; comparison: 'at_least' | 'at_most'; target: number }[] };
  data_profile: DataProfile;
}

export interface DataProfile {
  dataset: string;
  samples: number;
  rows: number;
  features: string[];
  target: string;
  classes?: Record<string, number>;
  target_range?: { min: number; max: number; mean: number };
  train_rows: number;
  test_rows: number;
}

/** The fewest rows of each kind a project needs to train and to be judged on held-out data. */
export const MIN_TRAIN_ROWS = 20;
export const MIN_TEST_ROWS = 10;
export const MIN_ROWS_PER_CLASS = 10;

export function specify(config: ProjectConfig): { ok: true; output: Specification } | { ok: false; reason: string; output: Specification } {
  const checks: SpecificationCheck[] = [];
  const revalidated = validateProjectConfig(config);
  checks.push({
    name: 'configuration',
    passed: revalidated.ok,
    detail: revalidated.ok ? 'every required field is present and valid' : revalidated.errors.map((e) => `${e.field} ${e.message}`).join('; '),
  });
  const targets = (Object.entries(config.metric_targets) as [MetricName, number][]).map(([metric, target]) => ({ metric, comparison: comparisonFor(metric), target }));
  checks.push({
    name: 'metric_targets',
    passed: targets.length > 0,
    detail: targets.length > 0 ? targets.map((t) => `${t.metric} ${t.comparison.replace('_', ' ')} ${t.target}`).join(', ') : 'no metric target is set',
  });
  const dataset = loadDataset(config);
  const split = splitFor(config, dataset);
  const profile = profileOf(config, dataset, split.train.X.length, split.test.X.length);
  checks.push(dataSourceCheck(config, dataset));
  checks.push(splitCheck(config, profile));
  const output: Specification = { checks, requirements: { type: config.type, framework: config.framework, metric_targets: targets }, data_profile: profile };
  const failed = checks.filter((check) => !check.passed);
  if (failed.length > 0) return { ok: false, reason: failed.map((check) => check.detail).join('; '), output };
  return { ok: true, output };
}

function dataSourceCheck(config: ProjectConfig, dataset: Dataset): SpecificationCheck {
  const width = dataset.featureNames.length;
  const malformed = dataset.X.findIndex((row) => row.length !== width || row.some((value) => !Number.isFinite(value)));
  if (malformed >= 0) return { name: 'data_source', passed: false, detail: `row ${malformed} of ${dataset.name} is not ${width} finite numbers` };
  if (config.type === 'classification') {
    const counts = new Map<number, number>();
    for (const label of dataset.y) counts.set(label, (counts.get(label) ?? 0) + 1);
    const small = (dataset.classNames ?? []).filter((_, label) => (counts.get(label) ?? 0) < MIN_ROWS_PER_CLASS);
    if (small.length > 0) {
      return {
        name: 'data_source',
        passed: false,
        detail: `the data source has too few samples: ${config.data_source.samples} samples leave ${small.join(', ')} with fewer than ${MIN_ROWS_PER_CLASS} each`,
      };
    }
  }
  if (dataset.X.length === 0) return { name: 'data_source', passed: false, detail: `the data source has too few samples: ${config.data_source.samples} yield no rows` };
  return { name: 'data_source', passed: true, detail: `${dataset.name}: ${dataset.X.length} rows of ${width} features, target ${dataset.targetName}` };
}

function splitCheck(config: ProjectConfig, profile: DataProfile): SpecificationCheck {
  if (profile.train_rows < MIN_TRAIN_ROWS || profile.test_rows < MIN_TEST_ROWS) {
    const needed = config.type === 'time_series' ? ` (a time series needs at least ${MIN_TRAIN_ROWS + (config.forecast?.horizon ?? 12) + (config.forecast?.season_length ?? 12)} observations)` : '';
    return {
      name: 'held_out_split',
      passed: false,
      detail: `the data source has too few samples: ${profile.train_rows} training and ${profile.test_rows} held-out rows; expected at least ${MIN_TRAIN_ROWS} and ${MIN_TEST_ROWS}${needed}`,
    };
  }
  return { name: 'held_out_split', passed: true, detail: `${profile.train_rows} training rows, ${profile.test_rows} held-out rows` };
}

function profileOf(config: ProjectConfig, dataset: Dataset, trainRows: number, testRows: number): DataProfile {
  const profile: DataProfile = {
    dataset: dataset.name,
    samples: config.data_source.samples,
    rows: dataset.X.length,
    features: dataset.featureNames,
    target: dataset.targetName,
    train_rows: trainRows,
    test_rows: testRows,
  };
  if (dataset.classNames) {
    profile.classes = Object.fromEntries(dataset.classNames.map((name, label) => [name, dataset.y.filter((y) => y === label).length]));
  } else if (config.type !== 'clustering' && dataset.y.length > 0) {
    profile.target_range = { min: Math.min(...dataset.y), max: Math.max(...dataset.y), mean: dataset.y.reduce((a, b) => a + b, 0) / dataset.y.length };
  }
  return profile;
}
