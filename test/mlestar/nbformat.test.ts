import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notebookProblems } from '../../reference/mlestar/nbformat';

const valid = () => ({
  cells: [
    { id: 'a-1', cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
    { id: 'a-2', cell_type: 'code', metadata: {}, source: 'x = 1', outputs: [{ output_type: 'stream', name: 'stdout', text: ['1\n'] }], execution_count: 1 },
  ],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' }, language_info: { name: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
});

describe('nbformat 4 validation', () => {
  it('accepts a valid notebook', () => {
    assert.deepEqual(notebookProblems(valid()), []);
  });

  const broken: [string, (nb: ReturnType<typeof valid> & Record<string, unknown>) => void, RegExp][] = [
    ['nbformat 3', (nb) => (nb.nbformat = 3), /nbformat is 3; expected 4/],
    ['no cells', (nb) => delete (nb as Record<string, unknown>).cells, /has no "cells"/],
    ['a worksheet (nbformat 3 layout)', (nb) => ((nb as Record<string, unknown>).worksheets = []), /unknown top-level key "worksheets"/],
    ['a code cell without outputs', (nb) => delete (nb.cells[1] as Record<string, unknown>).outputs, /cell 1 \(code\) has no "outputs"/],
    ['a markdown cell with outputs', (nb) => ((nb.cells[0] as Record<string, unknown>).outputs = []), /cell 0 \(markdown\) has an unknown key "outputs"/],
    ['a cell without an id in 4.5', (nb) => delete (nb.cells[0] as Record<string, unknown>).id, /cell 0 \(markdown\) has no "id"/],
    ['a repeated id', (nb) => (nb.cells[1].id = 'a-1'), /repeats the id "a-1"/],
    ['an id with a space', (nb) => (nb.cells[1].id = 'a 2'), /has id "a 2"/],
    ['source as a number', (nb) => ((nb.cells[0] as Record<string, unknown>).source = 42), /source must be a string or a list of strings/],
    ['an unknown cell type', (nb) => (nb.cells[0].cell_type = 'heading'), /cell_type "heading"/],
    ['a negative execution count', (nb) => (nb.cells[1].execution_count = -1), /execution_count is -1/],
    ['a kernelspec without display_name', (nb) => delete (nb.metadata.kernelspec as Record<string, unknown>).display_name, /kernelspec needs/],
    ['a stream output without text', (nb) => delete ((nb.cells[1].outputs ?? [])[0] as Record<string, unknown>).text, /output 0 \(stream\) has no "text"/],
  ];
  for (const [name, breakIt, problem] of broken) {
    it(`refuses ${name}`, () => {
      const notebook = valid() as ReturnType<typeof valid> & Record<string, unknown>;
      breakIt(notebook);
      const problems = notebookProblems(notebook);
      assert.ok(problems.some((p) => problem.test(p)), `expected ${problem}, got ${JSON.stringify(problems)}`);
    });
  }

  it('does not require cell ids before nbformat 4.5', () => {
    const notebook = valid();
    notebook.nbformat_minor = 4;
    for (const cell of notebook.cells) delete (cell as Record<string, unknown>).id;
    assert.deepEqual(notebookProblems(notebook), []);
  });
});
