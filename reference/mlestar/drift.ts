/**
 * Input drift: the Population Stability Index and the two-sample Kolmogorov-Smirnov test, per
 * feature, between the training rows (baseline) and recent production inputs.
 */
import type { DriftStatistic, Matrix } from './types';

export const MIN_DRIFT_SAMPLES = 30;
const PSI_BINS = 10;
/** Empty bins would make PSI infinite; they count as this share instead. */
const PSI_FLOOR = 1e-4;

/**
 * PSI = sum over bins of (actual - expected) * ln(actual / expected), with bins at the deciles of
 * the expected (baseline) sample. Below 0.1 is stable, 0.1-0.2 a moderate shift, above 0.2 a
 * significant one.
 */
export function psi(expected: readonly number[], actual: readonly number[], bins = PSI_BINS): number {
  const edges = quantileEdges(expected, bins);
  const expectedShares = binShares(expected, edges);
  const actualShares = binShares(actual, edges);
  let total = 0;
  for (let i = 0; i < expectedShares.length; i++) {
    const e = Math.max(expectedShares[i], PSI_FLOOR);
    const a = Math.max(actualShares[i], PSI_FLOOR);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

/** Inner bin edges at the quantiles of the sample (duplicates removed, so ties share a bin). */
export function quantileEdges(sample: readonly number[], bins: number): number[] {
  const sorted = sample.slice().sort((a, b) => a - b);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Share of the sample in each bin: (-inf, e0), [e0, e1), ..., [e_last, +inf). */
export function binShares(sample: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of sample) {
    let bin = 0;
    while (bin < edges.length && value >= edges[bin]) bin++;
    counts[bin]++;
  }
  return counts.map((count) => count / sample.length);
}

/** Two-sample KS: the largest gap between the empirical distribution functions, and its p-value. */
export function ksTest(a: readonly number[], b: readonly number[]): { statistic: number; pValue: number } {
  const x = a.slice().sort((p, q) => p - q);
  const y = b.slice().sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < x.length && j < y.length) {
    const value = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= value) i++;
    while (j < y.length && y[j] <= value) j++;
    statistic = Math.max(statistic, Math.abs(i / x.length - j / y.length));
  }
  const effective = Math.sqrt((x.length * y.length) / (x.length + y.length));
  return { statistic, pValue: kolmogorovSurvival((effective + 0.12 + 0.11 / effective) * statistic) };
}

/** P(K > lambda) for the Kolmogorov distribution (Numerical Recipes' probks). */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let previous = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-3 * previous || Math.abs(term) <= 1e-8 * sum) return Math.min(1, Math.max(0, sum));
    previous = Math.abs(term);
  }
  return 1;
}

export interface FeatureDrift {
  feature: string;
  psi: number;
  ks_statistic: number;
  ks_p_value: number;
  baseline_mean: number;
  current_mean: number;
  drifted: boolean;
}

export interface DriftReport {
  statistic: DriftStatistic;
  threshold: number;
  /** What "drifted" means for this statistic, in words. */
  rule: string;
  samples: { baseline: number; current: number };
  /** Quantile bins of the baseline PSI compares (fewer for small baselines, so noise alone stays well below 0.1). */
  psi_bins: number;
  features: FeatureDrift[];
  drifted: boolean;
  drifted_features: string[];
}

/**
 * Compares each feature of `current` with the baseline. PSI: a feature drifts above the threshold.
 * KS: a feature drifts when its p-value is below the significance level divided by the number of
 * features (Bonferroni), so many features do not make a false alarm likely.
 */
export function detectDrift(baseline: Matrix, current: Matrix, featureNames: readonly string[], options: { statistic: DriftStatistic; threshold: number }): DriftReport {
  if (current.length < MIN_DRIFT_SAMPLES) {
    throw new Error(`drift check: ${current.length} recent inputs; expected at least ${MIN_DRIFT_SAMPLES}`);
  }
  const width = featureNames.length;
  const bad = current.findIndex((row) => row.length !== width);
  if (bad >= 0) throw new Error(`drift check: input ${bad} has ${current[bad].length} values; expected ${width}`);
  const corrected = options.threshold / width;
  const bins = psiBins(baseline.length);
  const features = featureNames.map((feature, f) => {
    const expected = baseline.map((row) => row[f]);
    const actual = current.map((row) => row[f]);
    const featurePsi = psi(expected, actual, bins);
    const ks = ksTest(expected, actual);
    const drifted = options.statistic === 'psi' ? featurePsi > options.threshold : ks.pValue < corrected;
    return { feature, psi: featurePsi, ks_statistic: ks.statistic, ks_p_value: ks.pValue, baseline_mean: mean(expected), current_mean: mean(actual), drifted };
  });
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  return {
    statistic: options.statistic,
    threshold: options.threshold,
    rule: options.statistic === 'psi' ? `a feature drifts when its PSI is above ${options.threshold}` : `a feature drifts when its KS p-value is below ${options.threshold} / ${width} features`,
    samples: { baseline: baseline.length, current: current.length },
    psi_bins: bins,
    features,
    drifted: driftedFeatures.length > 0,
    drifted_features: driftedFeatures,
  };
}

/** About 40 baseline rows per bin, between 4 and 10 bins. */
export function psiBins(baselineRows: number): number {
  return Math.max(4, Math.min(PSI_BINS, Math.floor(baselineRows / 40)));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
