/** The three notebooks of a project (eda, training, evaluation) as nbformat 4.5 documents. */
import { METRICS_BY_TYPE, type MetricName } from '../types';
import { comparisonFor } from '../config';
import type { TemplateContext } from './context';

export const NOTEBOOK_KINDS = ['eda', 'training', 'evaluation'] as const;
export type NotebookKind = (typeof NOTEBOOK_KINDS)[number];

interface Cell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: unknown[];
  execution_count?: null;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

type CellText = { markdown: string } | { code: string };

export function renderNotebook(kind: NotebookKind, context: TemplateContext): Notebook {
  const cells = { eda, training, evaluation }[kind](context);
  return {
    cells: cells.map((cell, i) => toCell(cell, `${kind}-${String(i + 1).padStart(2, '0')}`)),
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python', version: '3.11', file_extension: '.py', mimetype: 'text/x-python' },
      title: `${context.config.name}: ${kind}`,
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function toCell(cell: CellText, id: string): Cell {
  if ('markdown' in cell) return { id, cell_type: 'markdown', metadata: {}, source: sourceLines(cell.markdown) };
  return { id, cell_type: 'code', metadata: {}, source: sourceLines(cell.code), outputs: [], execution_count: null };
}

/** Jupyter's convention: every line keeps its newline except the last. */
function sourceLines(text: string): string[] {
  const parts = text.replace(/\n+$/, '').split('\n');
  return parts.map((line, i) => (i < parts.length - 1 ? `${line}\n` : line));
}

function setup(context: TemplateContext, extraImport?: string): CellText {
  return {
    code: [
      'import sys',
      'from pathlib import Path',
      '',
      'import matplotlib.pyplot as plt',
      'import pandas as pd',
      '',
      'PROJECT_DIR = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()',
      'sys.path.insert(0, str(PROJECT_DIR))',
      '',
      `from ${context.helperModule} import load_config  # noqa: E402`,
      extraImport ? `${extraImport}  # noqa: E402` : '',
      '',
      'config = load_config(PROJECT_DIR / "config.yaml")',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n'),
  };
}

function eda(context: TemplateContext): CellText[] {
  const { config, dataset } = context;
  const intro = [
    `# ${config.name}: exploratory data analysis`,
    '',
    config.description || `A ${config.type.replace('_', ' ')} project built with ${config.framework}.`,
    '',
    `Dataset **${dataset.name}**: ${config.data_source.samples} ${config.type === 'time_series' ? 'monthly observations' : 'samples'}, ${config.data_source.kind === 'rows' ? 'supplied with the project' : `generated with seed ${config.data_source.seed}`}.`,
  ].join('\n');
  const cells: CellText[] = [
    { markdown: intro },
    setup(context),
    { code: 'frame = pd.read_csv(PROJECT_DIR / config["data"]["path"])\ntarget = config["data"]["target"]\nframe.head()' },
    { markdown: '## Summary statistics' },
    { code: 'frame.describe()' },
  ];
  switch (config.type) {
    case 'classification':
      cells.push(
        { markdown: '## Class balance' },
        { code: 'frame[target].value_counts()' },
        { markdown: '## Feature means per class' },
        { code: 'frame.groupby(target)[config["data"]["features"]].mean()' },
        { markdown: '## Pairwise feature plots' },
        { code: 'pd.plotting.scatter_matrix(frame[config["data"]["features"]], figsize=(8, 8))\nplt.show()' },
      );
      break;
    case 'regression':
      cells.push(
        { markdown: '## Target distribution' },
        { code: 'frame[target].hist(bins=30)\nplt.xlabel(target)\nplt.show()' },
        { markdown: '## Correlation with the target' },
        { code: 'frame.corr()[target].sort_values()' },
      );
      break;
    case 'clustering':
      cells.push(
        { markdown: '## Feature space' },
        { code: 'features = config["data"]["features"]\nframe.plot.scatter(x=features[0], y=features[1])\nplt.show()' },
        { markdown: '## Correlations' },
        { code: 'frame[features].corr()' },
      );
      break;
    case 'time_series':
      cells.push(
        { markdown: '## The series' },
        { code: 'frame.plot(x="month", y=target, figsize=(10, 4))\nplt.show()' },
        { markdown: '## Seasonal profile' },
        { code: 'season = config["forecast"]["season_length"]\nframe.groupby(frame.index % season)[target].mean().plot.bar()\nplt.show()' },
        { markdown: '## Autocorrelation' },
        { code: 'pd.plotting.autocorrelation_plot(frame[target])\nplt.show()' },
      );
      break;
  }
  return cells;
}

function training(context: TemplateContext): CellText[] {
  const { config, design } = context;
  const details = [
    `# ${config.name}: training`,
    '',
    `${design.summary}.`,
    '',
    `- Framework: ${config.framework}`,
    `- Loss: ${design.loss}`,
    design.optimizer ? `- Optimizer: ${design.optimizer.name}, learning rate ${design.optimizer.learning_rate}` : `- Solver: ${design.solver ?? 'estimator default'}`,
    design.training ? `- Epochs: ${design.training.epochs}, batch size ${design.training.batch_size}` : null,
    `- Scaling: ${design.preprocessing.scaler}`,
  ]
    .filter((line) => line !== null)
    .join('\n');
  return [
    { markdown: details },
    setup(context, 'from train import train'),
    { markdown: '## The design' },
    { code: 'config["model"]' },
    { markdown: '## Train' },
    { code: 'model, history = train(config)\nprint(f"{len(history)} loss values, final {history[-1]:.4f}")' },
    { markdown: '## Learning curve' },
    { code: 'plt.plot(history)\nplt.xlabel("epoch")\nplt.ylabel("loss")\nplt.show()' },
  ];
}

function evaluation(context: TemplateContext): CellText[] {
  const { config } = context;
  const targets = Object.entries(config.metric_targets).map(
    ([metric, target]) => `- ${metric} ${comparisonFor(metric as MetricName) === 'at_least' ? 'at least' : 'at most'} ${target}`,
  );
  const cells: CellText[] = [
    { markdown: [`# ${config.name}: evaluation`, '', `Held-out metrics: ${METRICS_BY_TYPE[config.type].join(', ')}. Targets:`, '', ...targets].join('\n') },
    setup(context, 'from evaluate import evaluate'),
    { markdown: '## Metrics against the targets' },
    { code: 'report = evaluate(config)\npd.DataFrame(report["targets"])' },
  ];
  switch (config.type) {
    case 'classification':
      cells.push(
        { markdown: '## Confusion matrix' },
        { code: 'pd.crosstab(pd.Series(report["actual"], name="actual"), pd.Series(report["predicted"], name="predicted"))' },
      );
      break;
    case 'regression':
      cells.push(
        { markdown: '## Residuals' },
        { code: 'residuals = report["actual"] - report["predicted"]\nplt.scatter(report["predicted"], residuals)\nplt.axhline(0, color="grey")\nplt.xlabel("predicted")\nplt.ylabel("residual")\nplt.show()' },
      );
      break;
    case 'clustering':
      cells.push(
        { markdown: '## Clusters of the held-out rows' },
        { code: 'plt.scatter(report["inputs"][:, 0], report["inputs"][:, 1], c=report["predicted"])\nplt.show()' },
      );
      break;
    case 'time_series':
      cells.push(
        { markdown: '## Forecast against the held-out horizon' },
        { code: 'plt.plot(report["actual"], label="actual")\nplt.plot(report["predicted"], label="forecast")\nplt.legend()\nplt.show()' },
      );
      break;
  }
  cells.push({ markdown: '## Verdict' }, { code: 'assert all(row["met"] for row in report["targets"]), "a metric target was missed"' });
  return cells;
}
