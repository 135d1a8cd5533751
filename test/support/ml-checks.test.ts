import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recomputeMetrics } from '../../support/invariants/ml-metrics';
import { notebookProblems } from '../../support/invariants/notebook';

const report = (actual: number[], predicted: number[], features: number[][] = actual.map((v) => [v])) => ({
  preprocessing: { offset: [0], scale: [1] },
  holdout: { features, actual, predicted },
});

describe("the suite's own checks of MLE-Star results", () => {
  it('recomputes classification, regression and forecast metrics from held-out values', () => {
    const classified = recomputeMetrics('classification', report([0, 1, 1, 2], [0, 1, 2, 2]));
    assert.equal(classified.accuracy, 0.75);
    assert.ok(Math.abs((classified.f1 as number) - (1 + 2 / 3 + 2 / 3) / 3) < 1e-12);
    const regressed = recomputeMetrics('regression', report([1, 2, 3], [1, 2, 4]));
    assert.ok(Math.abs((regressed.rmse as number) - Math.sqrt(1 / 3)) < 1e-12);
    assert.equal(regressed.r2, 0.5);
    assert.equal(recomputeMetrics('time_series', report([100, 200], [110, 180])).mape, 0.1);
  });

  it('recomputes the silhouette of well separated clusters close to 1', () => {
    const clustered = recomputeMetrics('clustering', report([0, 0, 1, 1], [0, 0, 1, 1], [[0], [0.1], [10], [10.1]]));
    assert.ok((clustered.silhouette as number) > 0.98);
  });

  it('refuses held-out rows without predictions', () => {
    assert.throws(() => recomputeMetrics('classification', report([], [])), /no held-out predictions/);
  });

  it('accepts a minimal nbformat 4 notebook and names what breaks the schema', () => {
    const valid = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'code', metadata: {}, source: 'x = 1', outputs: [], execution_count: null }] };
    assert.deepEqual(notebookProblems(valid), []);
    assert.deepEqual(notebookProblems({ ...valid, nbformat: 3, extra: 1 }), ['unknown top-level key "extra"', 'nbformat is 3, not 4']);
    assert.deepEqual(notebookProblems({ ...valid, cells: [{ cell_type: 'code', metadata: {}, source: 'x', outputs: {} }] }), [
      'cell 0 (code) has no id',
      'cell 0 (code) has no execution_count',
      'cell 0 outputs is not a list',
    ]);
    assert.deepEqual(notebookProblems('text'), ['not a JSON object']);
  });
});
