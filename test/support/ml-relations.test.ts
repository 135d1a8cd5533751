import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, chanceAccuracy, drawClasses, flipLabels, plausiblyAtMost, rowKey, shuffleLabels, splitProblems, trainingRows } from '../../support/invariants/ml-relations';
import { seeded } from '../../support/invariants/seeded';

const SHAPES = [
  { name: 'a', mean: [1, 1], sd: [0.1, 0.1] },
  { name: 'b', mean: [5, 5], sd: [0.1, 0.1] },
];
const given = { rows: [[1, 2], [3, 4], [5, 6], [7, 8]], labels: ['a', 'b', 'a', 'b'] };

describe('independent checks of a model evaluation', () => {
  it('draws distinct rows in turn from each class, the same for the same seed', () => {
    const drawn = drawClasses(seeded(1), 50, SHAPES);
    assert.equal(new Set(drawn.rows.map(rowKey)).size, 50);
    assert.deepEqual(drawn.labels.slice(0, 4), ['a', 'b', 'a', 'b']);
    assert.deepEqual(drawClasses(seeded(1), 50, SHAPES), drawn);
  });

  it('flips exactly the share of labels asked for, each to another class; shuffling keeps the labels', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'a' : 'b'));
    const flipped = flipLabels(seeded(2), labels, 0.2, ['a', 'b', 'c']);
    assert.equal(flipped.filter((label, i) => label !== labels[i]).length, 20);
    assert.deepEqual([...shuffleLabels(seeded(3), labels)].sort(), [...labels].sort());
  });

  it('measures accuracy and the chance level of predictions independent of the labels', () => {
    assert.equal(accuracy(['a', 'b', 'a', 'b'], ['a', 'a', 'a', 'b']), 0.75);
    assert.equal(chanceAccuracy(['a', 'b', 'a', 'b'], ['a', 'a', 'a', 'b']), 0.5);
    assert.throws(() => accuracy(['a'], []), /as many predictions as labels/);
    assert.ok(plausiblyAtMost(1 / 3, 100) < 0.53 && plausiblyAtMost(1 / 3, 100) > 0.5);
  });

  it('accepts held-out rows that are given rows, once each, with their labels and counts that add up', () => {
    assert.deepEqual(splitProblems(given, { holdout: { rows: [[3, 4]], labels: ['b'] }, trainRows: 3, testRows: 1 }), []);
    assert.deepEqual(trainingRows(given, [[3, 4]]).rows, [[1, 2], [5, 6], [7, 8]]);
  });

  it('names held-out rows never given, repeated, or labelled otherwise, and counts that do not add up', () => {
    const problems = splitProblems(given, { holdout: { rows: [[3, 4], [3, 4], [9, 9], [5, 6]], labels: ['b', 'b', 'a', 'b'] }, trainRows: 3, testRows: 3 });
    assert.deepEqual(problems, [
      'held-out row 1 (3, 4) is held-out row 0 again',
      'held-out row 2 (9, 9) is not one of the rows given',
      'held-out row 3 (5, 6) is labelled b, but was given as a',
      'the report lists 4 held-out rows but counts 3',
      '3 training and 3 held-out rows do not add up to the 4 rows given',
    ]);
  });
});
