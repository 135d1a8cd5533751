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

  it('checks a notebook against the official nbformat 4 schema of its minor version, naming what breaks it', () => {
    const valid = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'code', metadata: {}, source: 'x = 1', outputs: [], execution_count: null }] };
    assert.deepEqual(notebookProblems(valid), []);
    assert.deepEqual(notebookProblems({ ...valid, nbformat: 3 }), ['nbformat is 3, not 4']);
    assert.deepEqual(notebookProblems({ ...valid, extra: 1 }), ['(the notebook): must NOT have additional properties ("extra")']);
    assert.deepEqual(notebookProblems({ ...valid, cells: [{ cell_type: 'code', metadata: {}, source: 'x', outputs: {} }] }), [
      "/cells/0: must have required property 'id'",
      "/cells/0: must have required property 'execution_count'",
      '/cells/0/outputs: must be array',
    ]);
    assert.deepEqual(notebookProblems({ ...valid, cells: [{ ...valid.cells[0], cell_type: 'python' }] }), ['/cells/0/cell_type: must be one of raw, markdown, code, not "python"']);
    assert.deepEqual(notebookProblems({ ...valid, cells: [valid.cells[0], valid.cells[0]] }), ['cell id "a" is used more than once']);
    assert.deepEqual(notebookProblems('text'), ['not a JSON object']);
  });

  it('takes cell ids as optional before nbformat 4.5 and the newest schema for a later minor version', () => {
    const cell = { cell_type: 'markdown', metadata: {}, source: '# title' };
    assert.deepEqual(notebookProblems({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [cell] }), []);
    assert.deepEqual(notebookProblems({ nbformat: 4, nbformat_minor: 9, metadata: {}, cells: [cell] }), ["/cells/0: must have required property 'id'"]);
  });

  it('reads an executed notebook, outputs and all, as valid', () => {
    const executed = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
      cells: [
        {
          id: 'c1',
          cell_type: 'code',
          metadata: {},
          source: ['print(1)'],
          execution_count: 1,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['1\n'] },
            { output_type: 'display_data', data: { 'image/png': 'iVBOR', 'text/plain': ['<Figure>'] }, metadata: {} },
            { output_type: 'error', ename: 'ValueError', evalue: 'bad', traceback: [] },
          ],
        },
      ],
    };
    assert.deepEqual(notebookProblems(executed), []);
    (executed.cells[0].outputs as unknown[]).push({ output_type: 'stream', name: 'stdout' });
    assert.ok(notebookProblems(executed).some((problem) => problem.startsWith('/cells/0/outputs/3')), JSON.stringify(notebookProblems(executed)));
  });
});
