import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { designArchitecture } from '../../reference/mlestar/design';
import { loadDataset } from '../../reference/mlestar/evaluation';
import { notebookProblems } from '../../reference/mlestar/nbformat';
import { renderProject, type GeneratedFile } from '../../reference/mlestar/templates/project';
import { FRAMEWORKS, PROJECT_TYPES } from '../../reference/mlestar/types';
import { configOf } from './helpers';

function render(input: Record<string, unknown>): GeneratedFile[] {
  const config = configOf(input);
  return renderProject(config, designArchitecture(config), loadDataset(config));
}

const fileOf = (files: GeneratedFile[], path: string) => {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `${path} was not generated; got ${files.map((f) => f.path).join(', ')}`);
  return file.content;
};

const VARIANTS: Record<string, unknown>[] = [
  ...FRAMEWORKS.flatMap((framework) => PROJECT_TYPES.map((type) => ({ framework, type }))),
  { framework: 'sklearn', type: 'classification', architecture: { estimator: 'k_neighbors', n_neighbors: 7 }, pipeline: { scaler: 'minmax' } },
  { framework: 'sklearn', type: 'classification', architecture: { estimator: 'decision_tree', max_depth: 3 }, pipeline: { scaler: 'none' } },
  { framework: 'sklearn', type: 'classification', architecture: { estimator: 'neural_network', hidden_layers: [8, 4] } },
  { framework: 'sklearn', type: 'regression', architecture: { estimator: 'ridge', alpha: 2 } },
  { framework: 'sklearn', type: 'regression', architecture: { estimator: 'k_neighbors' } },
  { framework: 'pytorch', type: 'classification', architecture: { hidden_layers: [64, 32], activation: 'tanh' } },
  { framework: 'tensorflow', type: 'regression', architecture: { hidden_layers: [] } },
  { framework: 'tensorflow', type: 'clustering', architecture: { n_clusters: 4 } },
  { framework: 'pytorch', type: 'time_series', forecast: { season_length: 4, horizon: 6 } },
];

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const pythonMissing = python.error || python.status !== 0 ? `python3 is not available (${python.error?.message ?? python.stderr.trim()}); generated Python was not compiled` : undefined;

describe('generated projects', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlestar-templates-'));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('hold the common files, the framework helper and three notebooks', () => {
    const helper = { pytorch: 'utils.py', tensorflow: 'preprocessing.py', sklearn: 'pipeline.py' } as const;
    for (const framework of FRAMEWORKS) {
      const paths = render({ framework, type: 'classification' }).map((f) => f.path);
      const expected = ['README.md', 'config.yaml', 'data/iris.csv', 'evaluate.py', helper[framework], 'model.py', 'notebooks/eda.ipynb', 'notebooks/evaluation.ipynb', 'notebooks/training.ipynb', 'requirements.txt', 'train.py'];
      assert.deepEqual(paths, expected.sort((a, b) => a.localeCompare(b)), framework);
      for (const other of Object.values(helper).filter((h) => h !== helper[framework])) assert.ok(!paths.includes(other), `${framework} must not ship ${other}`);
    }
  });

  it('compile with python3 -m py_compile, notebook code cells included', { skip: pythonMissing }, () => {
    const targets: string[] = [];
    VARIANTS.forEach((variant, index) => {
      for (const file of render(variant)) {
        const path = join(workspace, String(index), file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.content);
        if (file.kind === 'python') targets.push(path);
        if (file.kind === 'notebook') {
          const cells = (JSON.parse(file.content) as { cells: { cell_type: string; source: string[] }[] }).cells;
          const code = cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
          const cellsPath = path.replace(/\.ipynb$/, '_cells.py');
          writeFileSync(cellsPath, `${code.join('\n\n')}\n`);
          targets.push(cellsPath);
        }
      }
    });
    const result = spawnSync('python3', ['-m', 'py_compile', ...targets], { encoding: 'utf8' });
    assert.equal(result.status, 0, `py_compile failed:\n${result.stderr}`);
    assert.ok(targets.length >= VARIANTS.length * 7);
  });

  it('the compile check fails on broken Python (the check can fail)', { skip: pythonMissing }, () => {
    const path = join(workspace, 'broken.py');
    writeFileSync(path, 'def broken(:\n    pass\n');
    assert.notEqual(spawnSync('python3', ['-m', 'py_compile', path], { encoding: 'utf8' }).status, 0);
  });

  it('notebooks are valid nbformat 4.5 documents of each kind', () => {
    for (const variant of VARIANTS) {
      for (const file of render(variant).filter((f) => f.kind === 'notebook')) {
        const notebook = JSON.parse(file.content) as { nbformat: number; nbformat_minor: number; cells: { id: string; cell_type: string }[]; metadata: { kernelspec: { name: string } } };
        assert.deepEqual(notebookProblems(notebook), [], `${JSON.stringify(variant)} ${file.path}`);
        assert.equal(notebook.nbformat, 4);
        assert.equal(notebook.nbformat_minor, 5);
        assert.equal(notebook.metadata.kernelspec.name, 'python3');
        assert.ok(notebook.cells.some((c) => c.cell_type === 'markdown') && notebook.cells.some((c) => c.cell_type === 'code'));
      }
    }
  });

  it('requirements name the framework', () => {
    const packageOf = { pytorch: /^torch>=/m, tensorflow: /^tensorflow>=/m, sklearn: /^scikit-learn>=/m };
    for (const framework of FRAMEWORKS) assert.match(fileOf(render({ framework, type: 'regression' }), 'requirements.txt'), packageOf[framework]);
    assert.doesNotMatch(fileOf(render({ framework: 'sklearn', type: 'regression' }), 'requirements.txt'), /torch|tensorflow/);
  });

  it('config.yaml carries the configuration and the design', () => {
    const config = parseYaml(fileOf(render({ framework: 'tensorflow', type: 'classification' }), 'config.yaml')) as Record<string, Record<string, unknown>>;
    assert.equal(config.project.framework, 'tensorflow');
    assert.equal(config.data.path, 'data/iris.csv');
    assert.deepEqual(config.data.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(config.metrics.targets, { accuracy: 0.8, f1: 0.8 });
    assert.equal(config.model.loss, 'sparse_categorical_crossentropy');
  });

  it('each project type shapes the code', () => {
    assert.match(fileOf(render({ framework: 'pytorch', type: 'classification' }), 'train.py'), /nn\.CrossEntropyLoss\(\)/);
    assert.match(fileOf(render({ framework: 'pytorch', type: 'regression' }), 'train.py'), /nn\.MSELoss\(\)/);
    assert.match(fileOf(render({ framework: 'sklearn', type: 'clustering' }), 'model.py'), /KMeans\(n_clusters=3/);
    assert.match(fileOf(render({ framework: 'tensorflow', type: 'time_series' }), 'preprocessing.py'), /def make_windows\(series, season_length\)/);
    assert.match(fileOf(render({ framework: 'sklearn', type: 'classification' }), 'pipeline.py'), /stratify=target/);
    assert.match(fileOf(render({ framework: 'sklearn', type: 'time_series' }), 'evaluate.py'), /mean_absolute_percentage_error/);
    assert.match(fileOf(render({ framework: 'tensorflow', type: 'clustering' }), 'evaluate.py'), /silhouette_score/);
  });

  it('customised architecture and pipeline show up in the generated files', () => {
    const pytorch = render({ framework: 'pytorch', type: 'classification', architecture: { hidden_layers: [64, 32], activation: 'tanh' }, pipeline: { scaler: 'minmax' } });
    assert.match(fileOf(pytorch, 'model.py'), /nn\.Linear\(4, 64\),\n\s+nn\.Tanh\(\),\n\s+nn\.Linear\(64, 32\),\n\s+nn\.Tanh\(\),\n\s+nn\.Linear\(32, 3\)/);
    assert.match(fileOf(pytorch, 'utils.py'), /return MinMaxScaler\(\)/);
    const keras = render({ framework: 'tensorflow', type: 'classification', architecture: { hidden_layers: [24, 12] } });
    assert.match(fileOf(keras, 'model.py'), /layers\.Dense\(24, activation="relu"\),\n\s+layers\.Dense\(12, activation="relu"\),\n\s+layers\.Dense\(3, activation="softmax"\)/);
    const sklearn = render({ framework: 'sklearn', type: 'classification', architecture: { estimator: 'k_neighbors', n_neighbors: 7 }, pipeline: { scaler: 'none' } });
    assert.match(fileOf(sklearn, 'model.py'), /KNeighborsClassifier\(n_neighbors=7/);
    assert.match(fileOf(sklearn, 'pipeline.py'), /return FunctionTransformer\(\)/);
    const defaults = render({ framework: 'pytorch', type: 'classification' });
    assert.match(fileOf(defaults, 'model.py'), /nn\.Linear\(4, 16\),\n\s+nn\.ReLU\(\)/);
  });

  it('ships the dataset it trains on', () => {
    const csv = fileOf(render({ framework: 'sklearn', type: 'time_series' }), 'data/monthly_sales.csv').trim().split('\n');
    assert.equal(csv[0], 'month,sales');
    assert.equal(csv.length, 121);
    assert.match(csv[1], /^2015-01,\d+(\.\d+)?$/);
    const iris = fileOf(render({ framework: 'sklearn', type: 'classification' }), 'data/iris.csv').trim().split('\n');
    assert.equal(iris[0], 'sepal_length,sepal_width,petal_length,petal_width,species');
    assert.equal(iris.length, 301);
  });

  it('renders the same files for the same configuration', () => {
    assert.deepEqual(render({ framework: 'pytorch', type: 'regression' }), render({ framework: 'pytorch', type: 'regression' }));
  });
});
