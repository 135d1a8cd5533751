import assert from 'node:assert/strict';
import {
  accuracy,
  chanceAccuracy,
  drawClasses,
  flipLabels,
  plausibleExcess,
  plausiblyAtMost,
  shuffleLabels,
  splitProblems,
  trainingRows,
  type ClassShape,
  type LabelledRows,
} from '../invariants/ml-relations';
import { seeded } from '../invariants/seeded';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { createProject, design, evaluation, runUpTo } from './mlestar';
import { predict } from './mlestar-serving';

/**
 * MLE-Star's evaluation measured by the suite, not taken from the report: the suite draws labelled
 * rows of its own, holds some back, gives the rest to three projects (true labels, a fifth of them
 * flipped, all shuffled), and compares what each report claims with what its deployed model does
 * on rows it never saw.
 */

/** Three species whose measurements overlap: a good model is right about 85% of the time, not always. */
const SPECIES: readonly ClassShape[] = [
  { name: 'setosa', mean: [5.0, 3.4, 1.5, 0.25], sd: [0.5, 0.5, 0.5, 0.3] },
  { name: 'versicolor', mean: [5.9, 2.8, 4.0, 1.3], sd: [0.6, 0.45, 0.6, 0.35] },
  { name: 'virginica', mean: [6.6, 3.0, 5.2, 2.0], sd: [0.7, 0.45, 0.7, 0.4] },
];
const NAMES = SPECIES.map((s) => s.name);
const ROWS = 400;
const HELD_BACK = 100;
const FLIPPED = 0.2;
/** The rows are the same every run unless NOVACRON_SEED names others, so a verdict repeats. */
const DEFAULT_SEED = 20261203;
/** The project learns by heart (one neighbour), so any held-out row it trained on shows. */
const ARCHITECTURE = { estimator: 'k_neighbors', n_neighbors: 1 };

type Labels = 'true' | 'flipped' | 'shuffled';

interface Measured {
  labels: Labels;
  given: LabelledRows;
  reportedAccuracy: number;
  trainRows: number;
  testRows: number;
  holdout: { rows: number[][]; labels: string[] };
  /** Accuracy of the deployed model on the rows held back, against their true labels. */
  heldBack: number;
  chance: number;
  /** On the rows given that are not held out, against the labels given with them. */
  training: { accuracy: number; rows: number };
}

interface RelationsState {
  seed: number;
  heldBack: LabelledRows;
  measured: Measured[];
}

function recorded(world: NovaWorld): RelationsState {
  const found = world.state.get('mlestar-relations') as RelationsState | undefined;
  assert.ok(found, 'no projects were trained on rows of this scenario: give them the rows first');
  return found;
}

export function drawRowsAndHoldBack(world: NovaWorld): void {
  const seed = world.suite.config.modelReplay?.seed ?? DEFAULT_SEED;
  const random = seeded(seed);
  const all = drawClasses(random, ROWS, SPECIES);
  const heldBack = { rows: all.rows.slice(0, HELD_BACK), labels: all.labels.slice(0, HELD_BACK) };
  const given = { rows: all.rows.slice(HELD_BACK), labels: all.labels.slice(HELD_BACK) };
  world.state.set('mlestar-relations-rows', { seed, heldBack, given, random });
}

/** Trains and deploys one sklearn project per labelling of the rows given, and measures each model here. */
export async function trainOnTrueFlippedAndShuffledLabels(world: NovaWorld): Promise<void> {
  const rows = world.state.get('mlestar-relations-rows') as { seed: number; heldBack: LabelledRows; given: LabelledRows; random: () => number } | undefined;
  assert.ok(rows, 'no labelled rows were drawn in this scenario');
  const { seed, heldBack, given, random } = rows;
  const labellings: Record<Labels, string[]> = {
    true: given.labels,
    flipped: flipLabels(random, given.labels, FLIPPED, NAMES),
    shuffled: shuffleLabels(random, given.labels),
  };
  const measured: Measured[] = [];
  for (const labels of ['true', 'flipped', 'shuffled'] as const) {
    const variant = { rows: given.rows, labels: labellings[labels] };
    await createProject(world, `labels-${labels}`, 'sklearn', 'classification', [{ metric: 'accuracy', comparison: 'at_least', value: 0.01 }], {
      data_source: { kind: 'rows', rows: variant.rows, labels: variant.labels },
      architecture: ARCHITECTURE,
      deployment: { environments: ['staging'] },
    });
    await runUpTo(world, 'deployment');
    const report = await evaluation(world);
    const classes = (await design(world)).output.classes;
    assert.ok(classes, 'the design of a classification project names no classes');
    const holdout = { rows: report.holdout.features, labels: report.holdout.actual.map((label) => classes[label]) };
    const answers = await ask(world, heldBack.rows);
    const own = trainingRows(variant, holdout.rows);
    measured.push({
      labels,
      given: variant,
      reportedAccuracy: report.metrics.accuracy as number,
      trainRows: report.dataset.train_rows,
      testRows: report.dataset.test_rows,
      holdout,
      heldBack: accuracy(heldBack.labels, answers),
      chance: chanceAccuracy(heldBack.labels, answers),
      training: { accuracy: own.rows.length > 0 ? accuracy(own.labels, await ask(world, own.rows)) : 0, rows: own.rows.length },
    });
  }
  world.state.set('mlestar-relations', { seed, heldBack, measured } satisfies RelationsState);
  world.attach(describeAll({ seed, heldBack, measured }), 'text/plain');
  for (const m of measured) world.metrics.record(`mlestar-held-back-accuracy-${m.labels}-labels`, Math.round(m.heldBack * 1000) / 1000);
}

async function ask(world: NovaWorld, rows: number[][]): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const response = await predict(world, 'staging', rows.slice(i, i + 500));
    expectStatus(response, 200, `asking the staging model about ${rows.length} rows`);
    answers.push(...response.data.predictions.map(String));
  }
  return answers;
}

function describeAll(state: RelationsState): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    `rows drawn with seed ${state.seed} (NOVACRON_SEED replays them); ${state.heldBack.rows.length} held back, ${ROWS - HELD_BACK} given to each project`,
    ...state.measured.map(
      (m) =>
        `${m.labels} labels: reported held-out accuracy ${percent(m.reportedAccuracy)} on ${m.testRows} rows; measured here on the held-back rows ${percent(m.heldBack)} (chance ${percent(m.chance)}), on its ${m.training.rows} training rows ${percent(m.training.accuracy)}`,
    ),
  ].join('\n');
}

function variant(world: NovaWorld, labels: Labels): Measured {
  const found = recorded(world).measured.find((m) => m.labels === labels);
  assert.ok(found, `no project was trained on ${labels} labels`);
  return found;
}

/**
 * A model of the true labels beats chance clearly on rows it never saw. A model of shuffled labels
 * has nothing to learn: it is at chance on the held-back rows, and so is what its report claims.
 */
export function expectChanceRelations(world: NovaWorld): void {
  const state = recorded(world);
  const n = state.heldBack.rows.length;
  const honest = variant(world, 'true');
  assert.ok(
    honest.heldBack > plausiblyAtMost(honest.chance, n),
    `the model of the true labels is right about ${honest.heldBack} of the held-back rows: no better than chance (${honest.chance.toFixed(3)})\n${describeAll(state)}`,
  );
  const shuffled = variant(world, 'shuffled');
  assert.ok(
    shuffled.heldBack <= plausiblyAtMost(shuffled.chance, n),
    `trained on shuffled labels, the model is still right about ${shuffled.heldBack} of the held-back rows, above chance (${shuffled.chance.toFixed(3)}): it did not learn from the rows given\n${describeAll(state)}`,
  );
  assert.ok(
    shuffled.reportedAccuracy <= plausiblyAtMost(1 / NAMES.length, shuffled.testRows),
    `trained on shuffled labels, the model has nothing to learn, yet its report claims ${shuffled.reportedAccuracy} on held-out rows (chance is ${(1 / NAMES.length).toFixed(3)}): the held-out rows were seen in training\n${describeAll(state)}`,
  );
}

/** Each report's held-out accuracy agrees with what its model shows on the rows held back, and claims no more than it scores on its own training rows. */
export function expectReportsNoBetterThanMeasured(world: NovaWorld): void {
  const state = recorded(world);
  const problems: string[] = [];
  for (const m of state.measured) {
    // The held-back rows carry true labels; the report's held-out rows carry the labels given, so compare like with like.
    const expectedOnGivenLabels = m.labels === 'true' ? m.heldBack : m.labels === 'flipped' ? m.heldBack * (1 - FLIPPED) + (1 - m.heldBack) * (FLIPPED / (NAMES.length - 1)) : 1 / NAMES.length;
    // Both estimate the same accuracy, so they must agree either way: a report may neither flatter nor belittle its model.
    const gap = Math.abs(m.reportedAccuracy - expectedOnGivenLabels);
    if (gap > plausibleExcess(m.reportedAccuracy, m.testRows, expectedOnGivenLabels, state.heldBack.rows.length)) {
      problems.push(`${m.labels} labels: the report claims ${m.reportedAccuracy.toFixed(3)} on held-out rows, the model shows ${expectedOnGivenLabels.toFixed(3)} on rows held back (labelled alike)`);
    }
    if (m.reportedAccuracy - m.training.accuracy > plausibleExcess(m.reportedAccuracy, m.testRows, m.training.accuracy, m.training.rows)) {
      problems.push(`${m.labels} labels: the report claims ${m.reportedAccuracy.toFixed(3)} on held-out rows, more than the model scores on its own training rows (${m.training.accuracy.toFixed(3)})`);
    }
  }
  assert.deepEqual(problems, [], `reports claim more than their models do\n${describeAll(state)}`);
}

/** Each report's held-out rows are rows given, once each, with the label given, and the counts add up. */
export function expectHeldOutRowsAreGivenRows(world: NovaWorld): void {
  const state = recorded(world);
  const problems = state.measured.flatMap((m) => splitProblems(m.given, { holdout: m.holdout, trainRows: m.trainRows, testRows: m.testRows }).map((p) => `${m.labels} labels: ${p}`));
  assert.deepEqual(problems.slice(0, 10), [], `the held-out rows are not a part of the rows given (${problems.length} problems)`);
}

/** Noise in the labels never helps: flipped labels score no better than true ones, shuffled no better than flipped, on the held-back rows. */
export function expectNoiseNeverHelps(world: NovaWorld): void {
  const state = recorded(world);
  const n = state.heldBack.rows.length;
  const order: Labels[] = ['true', 'flipped', 'shuffled'];
  for (let i = 1; i < order.length; i++) {
    const [cleaner, noisier] = [variant(world, order[i - 1]), variant(world, order[i])];
    assert.ok(
      noisier.heldBack - cleaner.heldBack <= plausibleExcess(noisier.heldBack, n, cleaner.heldBack, n),
      `trained on ${noisier.labels} labels the model is right about ${noisier.heldBack} of the held-back rows, better than on ${cleaner.labels} labels (${cleaner.heldBack})\n${describeAll(state)}`,
    );
  }
}
