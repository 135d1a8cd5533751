/**
 * The generated MLE-Star project run for real: its files written to a folder of its own, train.py
 * and evaluate.py run with a Python that has the framework, and the metrics evaluate.py writes read
 * back and judged here (the program's own verdict is only checked against ours); the notebooks run
 * with nbclient from their own folder, as Jupyter runs them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { notebookProblems } from '../invariants/notebook';
import { pythonWith, runPython, tail, type PythonRun } from '../python';
import type { NovaWorld } from '../world';
import { expectCompiles, fileContent, fileList, NOTEBOOKS } from './mlestar-files';
import { currentProject, evaluation, type Framework, type MetricName, type MetricTarget } from './mlestar';

/** A generated project's training and evaluation together must finish within this (ci mode's promise). */
export const EXECUTION_LIMIT_MS = 60_000;

/** How far a run's metric may be from the workflow's own evaluation of the same project. */
export const AGREEMENT: Record<MetricName, { absolute?: number; relative?: number }> = {
  accuracy: { absolute: 0.05 },
  f1: { absolute: 0.05 },
  r2: { absolute: 0.05 },
  silhouette: { absolute: 0.05 },
  mape: { absolute: 0.02 },
  rmse: { relative: 0.25 },
};

const COMMON_MODULES = ['numpy', 'pandas', 'yaml', 'joblib', 'sklearn'];
const FRAMEWORK_MODULES: Record<Framework, string[]> = { sklearn: [], pytorch: ['torch'], tensorflow: ['tensorflow'] };
const NOTEBOOK_MODULES = [...COMMON_MODULES, 'matplotlib', 'nbformat', 'nbclient', 'ipykernel'];
const NOTEBOOK_RUNNER = join(__dirname, '..', 'python', 'run_notebooks.py');

interface ExecutedProject {
  metrics: Partial<Record<MetricName, number>>;
  targets: { metric: MetricName; target: number; actual: number; met: boolean }[];
  heldOut: number;
  /** evaluate.py's exit status: 0 when it judged every target met, 1 when not. */
  verdict: number;
}

interface ExecutedNotebook {
  name: (typeof NOTEBOOKS)[number];
  seconds: number;
  /** The notebook as it ran; undefined when it was not run (an earlier notebook stopped). */
  document?: { cells: ExecutedCell[] };
  /** The code cell (counted from 1) that raised, which stopped the notebook. */
  error?: { cell: number | null; ename: string; evalue: string };
}

/** One entry of support/python/run_notebooks.py's answer. */
interface NotebookRunnerResult {
  notebook: string;
  problems: string[];
  error: ExecutedNotebook['error'] | null;
  seconds: number;
  executed: string | null;
}

interface ExecutedCell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }[];
}

const EXECUTED = 'mlestar-executed-project';
const NOTEBOOK_RUN = 'mlestar-executed-notebooks';

// ---------------------------------------------------------------- train.py and evaluate.py

/**
 * Compiles the project, then runs train.py and evaluate.py; not applicable (generated and compiled,
 * not executed, with the install command) where no Python here has the framework.
 */
export async function runGeneratedProject(world: NovaWorld, framework: Framework): Promise<'skipped' | undefined> {
  const project = currentProject(world);
  assert.equal(project.framework, framework, `the project is a ${project.framework} project, not ${framework}`);
  const files = await projectFiles(world);
  expectCompiles(files.filter((file) => file.name.endsWith('.py')).map(({ name, content }) => ({ name, code: content })));
  const python = pythonWith([...COMMON_MODULES, ...FRAMEWORK_MODULES[framework]], world.suite.config.pythonPath);
  if ('missing' in python) {
    return world.notApplicable(`generated and compiled, not executed: no Python here can run a ${framework} project (${python.missing}); install with: ${python.install}, or set NOVACRON_PYTHON to a Python that has it`);
  }
  await inProjectFolder(world, files, async (folder) => {
    const started = performance.now();
    const remaining = () => EXECUTION_LIMIT_MS - (performance.now() - started);
    const training = await runPython(python.command, ['train.py'], folder, remaining());
    expectFinished('train.py', training, [0]);
    const evaluating = await runPython(python.command, ['evaluate.py'], folder, remaining());
    expectFinished('evaluate.py', evaluating, [0, 1]);
    const written = readMetrics(folder);
    world.state.set(EXECUTED, { ...written, verdict: evaluating.status });
    const seconds = training.seconds + evaluating.seconds;
    world.metrics.record('mlestar-executed-project-seconds', seconds, 's');
    world.metrics.detail('mlestar-executed-project', { framework, type: project.type, python: python.command, trainSeconds: training.seconds, evaluateSeconds: evaluating.seconds, metrics: written.metrics });
    world.log(`${framework} ${project.type} project ran with ${python.command} in ${seconds.toFixed(1)} s: ${JSON.stringify(written.metrics)}`);
  });
  return undefined;
}

function executed(world: NovaWorld): ExecutedProject {
  const run = world.state.get(EXECUTED) as ExecutedProject | undefined;
  if (!run) throw new Error('the generated project has not been run: add "When I run the generated training and evaluation programs with <framework>"');
  return run;
}

/** Our own verdict on the run's metrics; evaluate.py's exit status must say the same. */
export function expectExecutedReached(world: NovaWorld, target: MetricTarget): void {
  const run = executed(world);
  const actual = run.metrics[target.metric];
  assert.ok(typeof actual === 'number', `evaluate.py reported no ${target.metric}: ${JSON.stringify(run.metrics)}`);
  assert.ok(meets(actual, target.comparison, target.value), `the generated project's own run reached ${target.metric} ${actual}, not ${target.comparison.replace('_', ' ')} ${target.value}`);
  const allMet = run.targets.every((row) => meets(run.metrics[row.metric] ?? Number.NaN, comparisonOf(row.metric), row.target));
  assert.equal(run.verdict, allMet ? 0 : 1, `evaluate.py exited ${run.verdict}, yet its metrics ${allMet ? 'meet' : 'miss'} the targets ${JSON.stringify(run.targets.map(({ metric, target: t }) => ({ metric, target: t })))}`);
}

/** The run and the workflow's evaluation held out as many rows and agree on every metric both report. */
export async function expectAgreesWithWorkflow(world: NovaWorld): Promise<void> {
  const run = executed(world);
  const report = await evaluation(world);
  assert.equal(run.heldOut, report.dataset.test_rows, `the generated project held out ${run.heldOut} rows, the workflow's evaluation ${report.dataset.test_rows}`);
  const compared = (Object.keys(report.metrics) as MetricName[]).filter((metric) => typeof run.metrics[metric] === 'number');
  assert.ok(compared.length > 0, `the generated project reports none of the workflow's metrics (${Object.keys(report.metrics).join(', ')}): ${JSON.stringify(run.metrics)}`);
  const apart = compared.filter((metric) => !agree(metric, run.metrics[metric] as number, report.metrics[metric] as number));
  assert.deepEqual(
    apart.map((metric) => `${metric}: run ${run.metrics[metric]}, workflow ${report.metrics[metric]} (allowed ${describeAgreement(metric)})`),
    [],
    "the generated project's run and the workflow's evaluation disagree",
  );
}

export function agree(metric: MetricName, run: number, workflow: number): boolean {
  const { absolute, relative } = AGREEMENT[metric];
  const allowed = absolute ?? (relative as number) * Math.abs(workflow);
  return Math.abs(run - workflow) <= allowed;
}

const describeAgreement = (metric: MetricName) => (AGREEMENT[metric].absolute !== undefined ? `±${AGREEMENT[metric].absolute}` : `±${(AGREEMENT[metric].relative as number) * 100}%`);

const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['rmse', 'mape']);
const comparisonOf = (metric: MetricName): MetricTarget['comparison'] => (LOWER_IS_BETTER.has(metric) ? 'at_most' : 'at_least');
const meets = (actual: number, comparison: MetricTarget['comparison'], target: number) => (comparison === 'at_least' ? actual >= target : actual <= target);

function readMetrics(folder: string): Omit<ExecutedProject, 'verdict'> {
  let document: { metrics?: unknown; targets?: unknown; held_out?: unknown };
  try {
    document = JSON.parse(readFileSync(join(folder, 'artifacts', 'metrics.json'), 'utf8')) as typeof document;
  } catch (error) {
    throw new Error(`evaluate.py wrote no readable artifacts/metrics.json: ${(error as Error).message}`);
  }
  const { metrics, targets, held_out: heldOut } = document;
  assert.ok(typeof metrics === 'object' && metrics !== null && Object.values(metrics).every((v) => typeof v === 'number'), `artifacts/metrics.json holds no metrics as numbers: ${JSON.stringify(metrics)}`);
  assert.ok(Array.isArray(targets), `artifacts/metrics.json holds no list of targets: ${JSON.stringify(targets)}`);
  assert.ok(Number.isInteger(heldOut), `artifacts/metrics.json does not count the held-out rows: ${JSON.stringify(heldOut)}`);
  return { metrics: metrics as ExecutedProject['metrics'], targets: targets as ExecutedProject['targets'], heldOut: heldOut as number };
}

function expectFinished(program: string, run: PythonRun, statuses: number[]): void {
  if (run.status === null) throw new Error(`${program} did not finish within ${EXECUTION_LIMIT_MS / 1000} s:\n${tail(run.output)}`);
  if (!statuses.includes(run.status)) throw new Error(`${program} failed (exit status ${run.status}) after ${run.seconds.toFixed(1)} s:\n${tail(run.output)}`);
}

// ---------------------------------------------------------------- notebooks

/** Runs eda, training and evaluation in turn with nbclient; not applicable where no Python here can. */
export async function runNotebooks(world: NovaWorld): Promise<'skipped' | undefined> {
  const python = pythonWith(NOTEBOOK_MODULES, world.suite.config.pythonPath);
  if ('missing' in python) return world.notApplicable(`the notebooks were not run: no Python here can run them (${python.missing}); install with: ${python.install}, or set NOVACRON_PYTHON to a Python that has them`);
  const files = await projectFiles(world);
  await inProjectFolder(world, files, async (folder) => {
    const names = NOTEBOOKS.map((kind) => `notebooks/${kind}.ipynb`);
    const run = await runPython(python.command, [NOTEBOOK_RUNNER, folder, ...names], folder, NOTEBOOKS.length * EXECUTION_LIMIT_MS);
    if (run.status !== 0) throw new Error(`the notebooks could not be run (exit status ${run.status ?? `none: stopped after ${run.seconds.toFixed(0)} s`}):\n${tail(run.output)}`);
    const results = JSON.parse(run.output.trim().split('\n').pop() ?? '[]') as NotebookRunnerResult[];
    const invalid = results.filter((result) => result.problems.length > 0);
    assert.deepEqual(invalid.map((r) => `${r.notebook}: ${r.problems.slice(0, 3).join('; ')}`), [], "nbformat's validator refuses the notebooks as generated, so they were not run");
    const notebooks = results.map((result, i): ExecutedNotebook => ({
      name: NOTEBOOKS[i],
      seconds: result.seconds,
      document: result.executed ? (JSON.parse(readFileSync(result.executed, 'utf8')) as ExecutedNotebook['document']) : undefined,
      error: result.error ?? undefined,
    }));
    world.state.set(NOTEBOOK_RUN, notebooks);
    for (const notebook of notebooks) if (notebook.document) world.metrics.record(`mlestar-notebook-${notebook.name}-seconds`, notebook.seconds, 's');
  });
  return undefined;
}

function executedNotebooks(world: NovaWorld): ExecutedNotebook[] {
  const notebooks = world.state.get(NOTEBOOK_RUN) as ExecutedNotebook[] | undefined;
  if (!notebooks) throw new Error('the notebooks have not been run: add "When I run its notebooks eda, training and evaluation in turn, as Jupyter runs them"');
  return notebooks;
}

const codeCells = (notebook: ExecutedNotebook) => (notebook.document?.cells ?? []).filter((cell) => cell.cell_type === 'code');
const text = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));

export function expectNotebooksRanCleanly(world: NovaWorld): void {
  const problems: string[] = [];
  for (const notebook of executedNotebooks(world)) {
    if (!notebook.document) {
      problems.push(`${notebook.name} was not run: an earlier notebook stopped`);
      continue;
    }
    if (notebook.error) {
      problems.push(`${notebook.name} stopped at code cell ${notebook.error.cell ?? '?'}: ${notebook.error.ename}: ${notebook.error.evalue}`);
      continue;
    }
    codeCells(notebook).forEach((cell, i) => {
      if (cell.execution_count !== i + 1) problems.push(`${notebook.name} code cell ${i + 1} ran as number ${cell.execution_count ?? 'none'}`);
    });
  }
  assert.deepEqual(problems, [], 'the notebooks did not run cleanly from top to bottom');
}

export function expectExecutedNotebooksValid(world: NovaWorld): void {
  for (const notebook of executedNotebooks(world)) {
    assert.ok(notebook.document, `the ${notebook.name} notebook was not run`);
    assert.deepEqual(notebookProblems(notebook.document), [], `the executed ${notebook.name} notebook is not a valid nbformat 4 notebook`);
  }
}

/** What each notebook must show once run: tables (HTML) and figures (PNG). */
const SHOWS: Record<(typeof NOTEBOOKS)[number], { tables: number; figures: number }> = {
  eda: { tables: 2, figures: 1 },
  training: { tables: 0, figures: 1 },
  evaluation: { tables: 1, figures: 0 },
};

export function expectTablesAndFigures(world: NovaWorld): void {
  const problems: string[] = [];
  for (const notebook of executedNotebooks(world)) {
    const outputs = codeCells(notebook).flatMap((cell) => cell.outputs ?? []);
    const tables = outputs.filter((output) => output.data?.['text/html'] !== undefined && /<table/.test(text(output.data['text/html']))).length;
    const figures = outputs.filter((output) => typeof output.data?.['image/png'] === 'string' && (output.data['image/png'] as string).length > 100).length;
    const expected = SHOWS[notebook.name];
    if (tables < expected.tables) problems.push(`${notebook.name} shows ${tables} tables, expected at least ${expected.tables}`);
    if (figures < expected.figures) problems.push(`${notebook.name} shows ${figures} figures, expected at least ${expected.figures}`);
  }
  assert.deepEqual(problems, [], 'the notebooks do not show their results');
}

/** The evaluation notebook's table of targets, as it printed it: one row per target, each met. */
export function expectNotebookTargetsMet(world: NovaWorld): void {
  const notebook = executedNotebooks(world).find((n) => n.name === 'evaluation') as ExecutedNotebook;
  const cell = codeCells(notebook).find((c) => /report = evaluate\(config\)/.test(text(c.source)));
  assert.ok(cell, 'the evaluation notebook has no cell that evaluates the model');
  const table = (cell.outputs ?? []).map((output) => text(output.data?.['text/plain'])).find((plain) => /\bmetric\b.*\bmet\b/.test(plain));
  assert.ok(table, `the evaluation notebook shows no table of targets: ${JSON.stringify(cell.outputs)}`);
  const rows = table.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
  const expected = Object.keys(currentProject(world).config.metric_targets as Record<string, number>).sort();
  assert.deepEqual(rows.map((row) => row[1]).sort(), expected, `the evaluation notebook's table does not list the project's targets:\n${table}`);
  const missed = rows.filter((row) => row[row.length - 1] !== 'True');
  assert.deepEqual(missed.map((row) => row.slice(1).join(' ')), [], `the evaluation notebook shows targets missed:\n${table}`);
}

// ---------------------------------------------------------------- the project's folder

async function projectFiles(world: NovaWorld): Promise<{ name: string; content: string }[]> {
  const names = await fileList(world);
  return Promise.all(names.map(async (name) => ({ name, content: await fileContent(world, name) })));
}

/** Writes the files to a new folder, runs `work` there, and removes the folder (kept in debug mode). */
async function inProjectFolder(world: NovaWorld, files: { name: string; content: string }[], work: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), `mlestar-${currentProject(world).framework}-`));
  try {
    for (const file of files) {
      const path = resolve(folder, file.name);
      assert.ok(path.startsWith(folder + sep), `the target lists a generated file outside the project: "${file.name}"`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    await work(folder);
  } finally {
    if (world.suite.config.debug) world.log(`the generated project's folder is kept: ${folder}`);
    else rmSync(folder, { recursive: true, force: true });
  }
}
