/**
 * Independent checks of a model evaluation: data the suite makes itself, labels it perturbs, and
 * relations between what a target reports and what the suite measures. Nothing here trusts the
 * target's numbers; unit tests feed these functions directly.
 */

export interface LabelledRows {
  rows: number[][];
  labels: string[];
}

export interface ClassShape {
  name: string;
  mean: number[];
  sd: number[];
}

/** `count` rows drawn in turn from each class's normal distribution, rounded to 3 decimals, no row twice. */
export function drawClasses(random: () => number, count: number, classes: readonly ClassShape[]): LabelledRows {
  const rows: number[][] = [];
  const labels: string[] = [];
  const seen = new Set<string>();
  while (rows.length < count) {
    const shape = classes[rows.length % classes.length];
    const row = shape.mean.map((m, f) => Math.round(Math.max(0.001, m + shape.sd[f] * normal(random)) * 1000) / 1000);
    if (seen.has(rowKey(row))) continue;
    seen.add(rowKey(row));
    rows.push(row);
    labels.push(shape.name);
  }
  return { rows, labels };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A row as content: equal rows give equal keys whatever their position. */
export const rowKey = (row: readonly number[]) => row.map((value) => value.toFixed(6)).join(',');

/** The labels with `fraction` of them (exactly, rounded) changed to another class. */
export function flipLabels(random: () => number, labels: readonly string[], fraction: number, names: readonly string[]): string[] {
  const flipped = [...labels];
  for (const i of shuffled(random, labels.map((_, index) => index)).slice(0, Math.round(labels.length * fraction))) {
    const others = names.filter((name) => name !== labels[i]);
    flipped[i] = others[Math.floor(random() * others.length)];
  }
  return flipped;
}

/** The same labels in a random order: any link between features and labels is gone. */
export function shuffleLabels(random: () => number, labels: readonly string[]): string[] {
  return shuffled(random, labels);
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export function accuracy(actual: readonly (string | number)[], predicted: readonly (string | number)[]): number {
  if (actual.length === 0 || actual.length !== predicted.length) throw new Error(`accuracy needs as many predictions as labels (${predicted.length} for ${actual.length})`);
  return actual.filter((label, i) => label === predicted[i]).length / actual.length;
}

/** The accuracy a prediction independent of the labels reaches on average: the sum over classes of the shares predicted and present. */
export function chanceAccuracy(actual: readonly string[], predicted: readonly string[]): number {
  const share = (list: readonly string[], name: string) => list.filter((label) => label === name).length / list.length;
  return [...new Set(actual)].reduce((sum, name) => sum + share(actual, name) * share(predicted, name), 0);
}

/** The highest an accuracy measured on `n` rows plausibly reaches when its true value is `p`: `sigmas` standard errors above. */
export function plausiblyAtMost(p: number, n: number, sigmas = 4): number {
  return p + sigmas * Math.sqrt(Math.max(p * (1 - p), 0.01) / n);
}

/** Two accuracies measured on `n1` and `n2` rows: how far the first may exceed the second by chance alone. */
export function plausibleExcess(p1: number, n1: number, p2: number, n2: number, sigmas = 4): number {
  const variance = Math.max(p1 * (1 - p1), 0.01) / n1 + Math.max(p2 * (1 - p2), 0.01) / n2;
  return sigmas * Math.sqrt(variance);
}

export interface ReportedSplit {
  /** The held-out rows the report lists, with the label it pairs each with. */
  holdout: { rows: number[][]; labels: string[] };
  trainRows: number;
  testRows: number;
}

/**
 * What is wrong with a reported split of the rows given: held-out rows that are not rows given,
 * that appear twice, or that carry another label than the one given with them; counts that do not
 * add up to the rows given.
 */
export function splitProblems(given: LabelledRows, split: ReportedSplit): string[] {
  const problems: string[] = [];
  const labelOf = new Map(given.rows.map((row, i) => [rowKey(row), given.labels[i]]));
  const seen = new Map<string, number>();
  split.holdout.rows.forEach((row, i) => {
    const key = rowKey(row);
    const givenLabel = labelOf.get(key);
    if (givenLabel === undefined) problems.push(`held-out row ${i} (${row.join(', ')}) is not one of the rows given`);
    else if (givenLabel !== split.holdout.labels[i]) problems.push(`held-out row ${i} (${row.join(', ')}) is labelled ${split.holdout.labels[i]}, but was given as ${givenLabel}`);
    const before = seen.get(key);
    if (before !== undefined) problems.push(`held-out row ${i} (${row.join(', ')}) is held-out row ${before} again`);
    else seen.set(key, i);
  });
  if (split.holdout.rows.length !== split.testRows) problems.push(`the report lists ${split.holdout.rows.length} held-out rows but counts ${split.testRows}`);
  if (split.trainRows + split.testRows !== given.rows.length) {
    problems.push(`${split.trainRows} training and ${split.testRows} held-out rows do not add up to the ${given.rows.length} rows given`);
  }
  return problems;
}

/** The rows given that are not among the held-out rows: what the model may have trained on. */
export function trainingRows(given: LabelledRows, holdout: readonly number[][]): LabelledRows {
  const held = new Set(holdout.map(rowKey));
  const keep = given.rows.map((row) => !held.has(rowKey(row)));
  return { rows: given.rows.filter((_, i) => keep[i]), labels: given.labels.filter((_, i) => keep[i]) };
}
