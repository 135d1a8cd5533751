/**
 * The small datasets every project trains on, generated from a seed so a run repeats exactly.
 * One generator per project type: iris (classification), housing (regression), customers
 * (clustering) and monthly_sales (time series, framed as "the last season of observations ->
 * the next one").
 */
import { SeededRandom } from './random';
import type { DataSourceConfig, Matrix, ProjectType } from './types';

export interface Dataset {
  name: string;
  type: ProjectType;
  featureNames: string[];
  targetName: string;
  X: Matrix;
  /** Class index (classification), value (regression, time series) or true segment (clustering, never used to train). */
  y: number[];
  classNames?: string[];
  /** Time series only: the raw observations the lagged rows were built from. */
  series?: number[];
}

export interface Split {
  train: { X: Matrix; y: number[] };
  test: { X: Matrix; y: number[] };
}

export const DATASET_BY_TYPE: Record<ProjectType, string> = {
  classification: 'iris',
  regression: 'housing',
  clustering: 'customers',
  time_series: 'monthly_sales',
};

export const DEFAULT_SAMPLES: Record<ProjectType, number> = {
  classification: 300,
  regression: 400,
  clustering: 300,
  time_series: 120,
};

/** Feature names per dataset (time series names depend on the season length). */
export function featureNamesFor(type: ProjectType, seasonLength = 12): string[] {
  switch (type) {
    case 'classification':
      return ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    case 'regression':
      return ['size_m2', 'rooms', 'age_years', 'distance_km'];
    case 'clustering':
      return ['annual_spend_k', 'visits_per_month'];
    case 'time_series':
      return Array.from({ length: seasonLength }, (_, i) => `lag_${seasonLength - i}`);
  }
}

// Fisher's iris: per-species means and standard deviations of the four measurements.
const IRIS = [
  { name: 'setosa', mean: [5.006, 3.428, 1.462, 0.246], sd: [0.352, 0.379, 0.174, 0.105] },
  { name: 'versicolor', mean: [5.936, 2.77, 4.26, 1.326], sd: [0.516, 0.314, 0.47, 0.198] },
  { name: 'virginica', mean: [6.588, 2.974, 5.552, 2.026], sd: [0.636, 0.322, 0.552, 0.275] },
];

const SEGMENTS = [
  { mean: [22, 2.0], sd: [5, 0.6] },
  { mean: [60, 7.5], sd: [7, 1.0] },
  { mean: [105, 3.5], sd: [9, 0.8] },
];

export interface GenerateOptions {
  source: DataSourceConfig;
  type: ProjectType;
  seasonLength?: number;
}

/** The classes of the classification dataset, in label order. */
export const IRIS_SPECIES = IRIS.map((species) => species.name);

/** The rows the project was given (data source kind `rows`), labelled as the type's generator labels them. */
function supplied(source: DataSourceConfig, type: ProjectType): Dataset {
  const featureNames = featureNamesFor(type);
  const X = (source.rows ?? []).map((row) => row.slice());
  const labels = source.labels ?? [];
  if (type === 'classification') {
    return { name: 'supplied', type, featureNames, targetName: 'species', classNames: IRIS_SPECIES, X, y: labels.map((label) => IRIS_SPECIES.indexOf(String(label))) };
  }
  return { name: 'supplied', type, featureNames, targetName: 'price_k', X, y: labels.map(Number) };
}

export function generateDataset({ source, type, seasonLength = 12 }: GenerateOptions): Dataset {
  if (source.kind === 'rows') return supplied(source, type);
  const random = new SeededRandom(source.seed);
  const featureNames = featureNamesFor(type, seasonLength);
  switch (type) {
    case 'classification':
      return { name: 'iris', type, featureNames, targetName: 'species', classNames: IRIS.map((s) => s.name), ...iris(random, source) };
    case 'regression':
      return { name: 'housing', type, featureNames, targetName: 'price_k', ...housing(random, source) };
    case 'clustering':
      return { name: 'customers', type, featureNames, targetName: 'segment', ...customers(random, source) };
    case 'time_series': {
      const series = monthlySales(random, source);
      return { name: 'monthly_sales', type, featureNames, targetName: 'sales', series, ...lagged(series, seasonLength) };
    }
  }
}

function iris(random: SeededRandom, source: DataSourceConfig): { X: Matrix; y: number[] } {
  const X: Matrix = [];
  const y: number[] = [];
  for (let i = 0; i < source.samples; i++) {
    const species = i % IRIS.length;
    const { mean, sd } = IRIS[species];
    X.push(mean.map((m, f) => round(Math.max(0.1, random.normal(m, sd[f] * source.noise)), 2)));
    y.push(species);
  }
  return { X, y };
}

function housing(random: SeededRandom, source: DataSourceConfig): { X: Matrix; y: number[] } {
  const X: Matrix = [];
  const y: number[] = [];
  for (let i = 0; i < source.samples; i++) {
    const size = Math.max(30, random.normal(120, 35));
    const rooms = Math.max(1, Math.round(size / 30 + random.normal(0, 0.7)));
    const age = random.next() * 60;
    const distance = 1 + random.next() * 29;
    const price = 40 + 2.2 * size + 12 * rooms - 0.9 * age - 3 * distance + random.normal(0, 20 * source.noise);
    X.push([round(size, 1), rooms, round(age, 1), round(distance, 2)]);
    y.push(round(price, 2));
  }
  return { X, y };
}

function customers(random: SeededRandom, source: DataSourceConfig): { X: Matrix; y: number[] } {
  const X: Matrix = [];
  const y: number[] = [];
  for (let i = 0; i < source.samples; i++) {
    const segment = i % SEGMENTS.length;
    const { mean, sd } = SEGMENTS[segment];
    X.push(mean.map((m, f) => round(Math.max(0, random.normal(m, sd[f] * source.noise)), 2)));
    y.push(segment);
  }
  return { X, y };
}

/** Monthly sales: level 200, trend +1.5 a month, a yearly cycle and noise. */
function monthlySales(random: SeededRandom, source: DataSourceConfig): number[] {
  const series: number[] = [];
  for (let t = 0; t < source.samples; t++) {
    const season = 40 * Math.sin((2 * Math.PI * t) / 12) + 15 * Math.cos((2 * Math.PI * t) / 6);
    series.push(round(200 + 1.5 * t + season + random.normal(0, 6 * source.noise), 2));
  }
  return series;
}

/** Each row holds the previous `seasonLength` observations; the target is the next one. */
export function lagged(series: number[], seasonLength: number): { X: Matrix; y: number[] } {
  const X: Matrix = [];
  const y: number[] = [];
  for (let t = seasonLength; t < series.length; t++) {
    X.push(series.slice(t - seasonLength, t));
    y.push(series[t]);
  }
  return { X, y };
}

/**
 * Held-out split: stratified for classification, random for regression and clustering,
 * chronological (the last `horizon` rows) for time series.
 */
export function splitDataset(dataset: Dataset, options: { testSize: number; seed: number; horizon?: number }): Split {
  const indices = dataset.X.map((_, i) => i);
  let testIndices: number[];
  if (dataset.type === 'time_series') {
    testIndices = indices.slice(indices.length - (options.horizon ?? 12));
  } else if (dataset.type === 'classification') {
    const random = new SeededRandom(options.seed + 1);
    testIndices = [];
    const classes = [...new Set(dataset.y)].sort((a, b) => a - b);
    for (const label of classes) {
      const members = random.shuffle(indices.filter((i) => dataset.y[i] === label));
      testIndices.push(...members.slice(0, Math.round(members.length * options.testSize)));
    }
  } else {
    const random = new SeededRandom(options.seed + 1);
    const shuffled = random.shuffle(indices);
    testIndices = shuffled.slice(0, Math.round(shuffled.length * options.testSize));
  }
  const inTest = new Set(testIndices);
  const pick = (keep: (i: number) => boolean) => {
    const chosen = indices.filter(keep);
    return { X: chosen.map((i) => dataset.X[i]), y: chosen.map((i) => dataset.y[i]) };
  };
  return { train: pick((i) => !inTest.has(i)), test: pick((i) => inTest.has(i)) };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
