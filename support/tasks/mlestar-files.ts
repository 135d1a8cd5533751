/**
 * The project MLE-Star generates, read back: its files, its configuration, its code's shape, its
 * notebooks (checked against nbformat 4 by support/invariants/notebook.ts) and its Python (compiled
 * with python3 by support/invariants/python.ts, which the scenarios that compile it need).
 */
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { notebookProblems } from '../invariants/notebook';
import { compilePython } from '../invariants/python';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { currentProject, design, projectPath, type Design, type MetricName } from './mlestar';

// ---------------------------------------------------------------- generated files

export async function fileList(world: NovaWorld): Promise<string[]> {
  const response = await world.actor.api.get<{ items: { path: string }[] }>(projectPath(world, '/files'));
  expectStatus(response, 200, 'listing the generated files');
  return response.data.items.map((f) => f.path);
}

export async function fileContent(world: NovaWorld, path: string): Promise<string> {
  const response = await world.actor.api.get<{ content: string }>(projectPath(world, '/files/content'), { params: { path } });
  expectStatus(response, 200, `reading the generated ${path}`);
  return response.data.content;
}

const HELPER = { pytorch: 'utils.py', tensorflow: 'preprocessing.py', sklearn: 'pipeline.py' } as const;

export const helperFile = (world: NovaWorld) => fileContent(world, HELPER[currentProject(world).framework]);

export async function generatedConfig(world: NovaWorld): Promise<Record<string, Record<string, unknown>>> {
  return parseYaml(await fileContent(world, 'config.yaml')) as Record<string, Record<string, unknown>>;
}

const METRIC_CODE: Record<MetricName, RegExp> = {
  accuracy: /accuracy_score\(/,
  f1: /f1_score\(.*average="macro"/,
  rmse: /np\.sqrt\(mean_squared_error\(/,
  r2: /r2_score\(/,
  silhouette: /silhouette_score\(/,
  mape: /mean_absolute_percentage_error\(/,
};

export async function expectEvaluationCodeMeasures(world: NovaWorld, metrics: MetricName[]): Promise<void> {
  const code = await fileContent(world, 'evaluate.py');
  for (const metric of metrics) assert.match(code, METRIC_CODE[metric], `evaluate.py does not compute ${metric}`);
}

/** What the generated code must show for each problem shape named in a feature. */
export const CODE_SHAPES: Record<string, (world: NovaWorld) => Promise<void>> = {
  'splits the data stratified by class': async (world) => assert.match(await helperFile(world), /stratify=target/, 'the data split is not stratified by class'),
  'fits a least squares linear regression': async (world) => assert.match(await fileContent(world, 'model.py'), /LinearRegression\(\)/, 'model.py does not fit a linear regression'),
  'clusters with k-means into 3 segments': async (world) => {
    const model = await fileContent(world, 'model.py');
    assert.match(model, /k-means/i, 'model.py does not cluster with k-means');
    assert.match(model, /n_clusters=3\b/, 'model.py does not ask for 3 clusters');
  },
  'forecasts from a window of the last 12 observations': async (world) => {
    assert.match(await helperFile(world), /def make_windows\(series, season_length\)/, 'the data helper does not build windows of past observations');
    assert.equal((await generatedConfig(world)).forecast?.season_length, 12, 'config.yaml does not set a season of 12 observations');
  },
};

export async function expectHiddenLayersInCode(world: NovaWorld, units: number[], activation: string): Promise<void> {
  const model = await fileContent(world, 'model.py');
  const framework = currentProject(world).framework;
  if (framework === 'pytorch') {
    const names: Record<string, string> = { relu: 'nn.ReLU()', tanh: 'nn.Tanh()' };
    let width = currentInputs(await design(world));
    for (const size of units) {
      const layer = `nn.Linear(${width}, ${size}),`;
      assert.ok(model.includes(layer), `model.py has no ${layer}`);
      assert.ok(model.slice(model.indexOf(layer)).split('\n')[1]?.includes(names[activation]), `${layer} is not followed by ${names[activation]}`);
      width = size;
    }
  } else if (framework === 'tensorflow') {
    for (const size of units) assert.ok(model.includes(`layers.Dense(${size}, activation="${activation}")`), `model.py has no Dense layer of ${size} ${activation} units`);
  } else {
    assert.match(model, new RegExp(`hidden_layer_sizes=\\(${units.join(', ')}${units.length === 1 ? ',' : ''}\\)`), 'model.py does not set the hidden layer sizes');
    assert.ok(model.includes(`activation="${activation}"`), `model.py does not use ${activation}`);
  }
}

const currentInputs = (d: Design) => d.input_features.length;

export async function expectScaler(world: NovaWorld, scaler: 'minmax' | 'none'): Promise<void> {
  const pythonClass = scaler === 'minmax' ? 'MinMaxScaler()' : 'FunctionTransformer()';
  assert.ok((await helperFile(world)).includes(`return ${pythonClass}`), `the data helper does not scale with ${pythonClass}`);
  assert.equal((await generatedConfig(world)).pipeline?.scaler, scaler, `config.yaml does not record the ${scaler} scaler`);
}

/** config.yaml records the layers the project's configuration asked for. */
export async function expectCustomDesignRecorded(world: NovaWorld): Promise<void> {
  const architecture = currentProject(world).config.architecture as { hidden_layers?: number[]; activation?: string };
  const units = architecture.hidden_layers ?? [];
  const activation = architecture.activation ?? 'relu';
  assert.ok(units.length > 0, 'the project has no customised hidden layers');
  const model = (await generatedConfig(world)).model as { layers?: { units: number; activation: string }[] };
  const hidden = (model.layers ?? []).slice(0, -1);
  assert.deepEqual(hidden.map((l) => [l.units, l.activation]), units.map((u) => [u, activation]), 'config.yaml does not record the customised layers');
}

export async function expectNeighbours(world: NovaWorld, k: number): Promise<void> {
  assert.match(await fileContent(world, 'model.py'), new RegExp(`KNeighborsClassifier\\(n_neighbors=${k}\\b`), `model.py does not use ${k} nearest neighbours`);
}

export async function expectRequirementsName(world: NovaWorld, pythonPackage: string): Promise<void> {
  const requirements = await fileContent(world, 'requirements.txt');
  assert.ok(requirements.split('\n').some((line) => new RegExp(`^${pythonPackage}\\b`).test(line)), `requirements.txt does not name ${pythonPackage}:\n${requirements}`);
}

// ---------------------------------------------------------------- notebooks (nbformat 4)

interface NotebookCell {
  cell_type: string;
  source: string | string[];
}

export const NOTEBOOKS = ['eda', 'training', 'evaluation'] as const;

export async function notebook(world: NovaWorld, kind: (typeof NOTEBOOKS)[number]): Promise<{ nbformat: number; cells: NotebookCell[] }> {
  const text = await fileContent(world, `notebooks/${kind}.ipynb`);
  try {
    return JSON.parse(text) as { nbformat: number; cells: NotebookCell[] };
  } catch (error) {
    throw new Error(`notebooks/${kind}.ipynb is not JSON: ${(error as Error).message}`);
  }
}

export async function expectValidNotebooks(world: NovaWorld): Promise<void> {
  for (const kind of NOTEBOOKS) {
    const document = await notebook(world, kind);
    assert.deepEqual(notebookProblems(document), [], `notebooks/${kind}.ipynb is not a valid nbformat 4 notebook`);
  }
}

export const cellText = (cell: NotebookCell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

export async function notebookCode(world: NovaWorld): Promise<{ name: string; code: string }[]> {
  const sources: { name: string; code: string }[] = [];
  for (const kind of NOTEBOOKS) {
    const { cells } = await notebook(world, kind);
    assert.ok(cells.some((c) => c.cell_type === 'markdown' && /^#/m.test(cellText(c))), `notebooks/${kind}.ipynb has no titled text cell`);
    const code = cells.filter((c) => c.cell_type === 'code').map(cellText);
    assert.ok(code.length > 0, `notebooks/${kind}.ipynb has no code cell`);
    sources.push({ name: `notebooks/${kind}_cells.py`, code: `${code.join('\n\n')}\n` });
  }
  return sources;
}

export async function expectEvaluationNotebookChecksTargets(world: NovaWorld): Promise<void> {
  const code = (await notebook(world, 'evaluation')).cells.filter((c) => c.cell_type === 'code').map(cellText).join('\n');
  assert.match(code, /report\["targets"\]/, 'the evaluation notebook does not show the metric targets');
  assert.match(code, /assert all\(row\["met"\]/, 'the evaluation notebook does not check that every target is met');
}

// ---------------------------------------------------------------- compiling generated Python

/** Compiles the sources; fails (never skips) with what is missing and how to install it when python3 is not there. */
export function expectCompiles(sources: { name: string; code: string }[]): void {
  const missing = compilePython(sources);
  if (missing) throw new Error(missing);
}

export async function generatedPython(world: NovaWorld): Promise<{ name: string; code: string }[]> {
  const paths = (await fileList(world)).filter((path) => path.endsWith('.py'));
  assert.ok(paths.length >= 4, `only ${paths.length} Python files were generated`);
  return Promise.all(paths.map(async (name) => ({ name, code: await fileContent(world, name) })));
}
