/** Python shared by the three frameworks: data loading, splitting, scaling and metrics. */
import type { ProjectType, Scaler } from '../types';
import { lines, type TemplateContext } from './context';

const SCALER_CLASS: Record<Scaler, string> = { standard: 'StandardScaler', minmax: 'MinMaxScaler', none: 'FunctionTransformer' };

/** Imports the data helpers need. */
export function dataImports(context: TemplateContext): string[] {
  const imports = ['from pathlib import Path', '', 'import numpy as np', 'import pandas as pd', 'import yaml'];
  const sklearn: string[] = [];
  if (context.config.type !== 'time_series') sklearn.push('from sklearn.model_selection import train_test_split');
  sklearn.push(`from sklearn.preprocessing import ${SCALER_CLASS[context.design.preprocessing.scaler]}`);
  return [...imports, ...sklearn];
}

/** load_config, load_dataset, split_dataset and make_scaler, shaped by the project type and pipeline. */
export function dataHelpers(context: TemplateContext): string {
  const { type } = context.config;
  const scaler = context.design.preprocessing.scaler;
  return lines(
    'PROJECT_DIR = Path(__file__).resolve().parent',
    'ARTIFACTS_DIR = PROJECT_DIR / "artifacts"',
    '',
    '',
    'def load_config(path=None):',
    '    """Reads config.yaml: the project configuration and the design chosen for it."""',
    '    with open(path or PROJECT_DIR / "config.yaml", encoding="utf-8") as handle:',
    '        return yaml.safe_load(handle)',
    '',
    '',
    'def load_dataset(config):',
    '    """The shipped dataset as (features, target) numpy arrays."""',
    '    frame = pd.read_csv(PROJECT_DIR / config["data"]["path"])',
    ...loadBody(type),
    '',
    '',
    ...splitFunction(type),
    '',
    '',
    'def make_scaler(config):',
    `    """The feature scaler of the pipeline (${scaler}), fitted on training rows only."""`,
    scaler === 'none' ? '    # identity: this pipeline leaves the features as they are' : null,
    `    return ${SCALER_CLASS[scaler]}()`,
  );
}

function loadBody(type: ProjectType): string[] {
  switch (type) {
    case 'classification':
      return [
        '    features = frame[config["data"]["features"]].to_numpy(dtype=np.float32)',
        '    classes = config["data"]["classes"]',
        '    target = frame[config["data"]["target"]].map(classes.index).to_numpy(dtype=np.int64)',
        '    return features, target',
      ];
    case 'regression':
      return [
        '    features = frame[config["data"]["features"]].to_numpy(dtype=np.float32)',
        '    target = frame[config["data"]["target"]].to_numpy(dtype=np.float32)',
        '    return features, target',
      ];
    case 'clustering':
      return ['    features = frame[config["data"]["features"]].to_numpy(dtype=np.float32)', '    return features, None'];
    case 'time_series':
      return [
        '    series = frame[config["data"]["target"]].to_numpy(dtype=np.float32)',
        '    return make_windows(series, config["forecast"]["season_length"])',
        '',
        '',
        'def make_windows(series, season_length):',
        '    """Each row holds the previous season of observations; the target is the next one."""',
        '    features = np.stack([series[t - season_length:t] for t in range(season_length, len(series))])',
        '    return features, series[season_length:]',
      ];
  }
}

function splitFunction(type: ProjectType): string[] {
  switch (type) {
    case 'time_series':
      return [
        'def split_dataset(features, target, config):',
        '    """Chronological split: the last forecast horizon is held out."""',
        '    horizon = config["forecast"]["horizon"]',
        '    return features[:-horizon], features[-horizon:], target[:-horizon], target[-horizon:]',
      ];
    case 'clustering':
      return [
        'def split_dataset(features, target, config):',
        '    """Random held-out split; clustering has no target: (train_x, test_x, None, None)."""',
        '    train_x, test_x = train_test_split(',
        '        features, test_size=config["pipeline"]["test_size"], random_state=config["pipeline"]["random_state"]',
        '    )',
        '    return train_x, test_x, None, None',
      ];
    default:
      return [
        'def split_dataset(features, target, config):',
        `    """${type === 'classification' ? 'Stratified held-out split' : 'Random held-out split'}: (train_x, test_x, train_y, test_y)."""`,
        '    return train_test_split(',
        '        features,',
        '        target,',
        '        test_size=config["pipeline"]["test_size"],',
        '        random_state=config["pipeline"]["random_state"],',
        type === 'classification' ? '        stratify=target,' : null,
        '    )',
      ].filter((line): line is string => line !== null);
  }
}

const METRIC_IMPORTS: Record<ProjectType, string> = {
  classification: 'from sklearn.metrics import accuracy_score, f1_score',
  regression: 'from sklearn.metrics import mean_squared_error, r2_score',
  clustering: 'from sklearn.metrics import silhouette_score',
  time_series: 'from sklearn.metrics import mean_absolute_percentage_error',
};

export function metricImports(type: ProjectType): string {
  return METRIC_IMPORTS[type];
}

/** compute_metrics, check_targets, write_metrics and main for evaluate.py. */
export function metricHelpers(type: ProjectType): string {
  const computed: Record<ProjectType, string[]> = {
    classification: ['        "accuracy": float(accuracy_score(actual, predicted)),', '        "f1": float(f1_score(actual, predicted, average="macro")),'],
    regression: ['        "rmse": float(np.sqrt(mean_squared_error(actual, predicted))),', '        "r2": float(r2_score(actual, predicted)),'],
    clustering: ['        "silhouette": float(silhouette_score(inputs, predicted)),'],
    time_series: ['        "mape": float(mean_absolute_percentage_error(actual, predicted)),'],
  };
  return lines(
    'LOWER_IS_BETTER = {"rmse", "mape"}',
    '',
    '',
    'def compute_metrics(actual, predicted, inputs):',
    '    """The project type\'s metrics, from held-out actual and predicted values (inputs: scaled features)."""',
    '    return {',
    ...computed[type],
    '    }',
    '',
    '',
    'def check_targets(metrics, targets):',
    '    """One row per metric target: the target, the measured value and whether it is met."""',
    '    rows = []',
    '    for metric, target in targets.items():',
    '        actual = metrics[metric]',
    '        met = actual <= target if metric in LOWER_IS_BETTER else actual >= target',
    '        rows.append({"metric": metric, "target": target, "actual": actual, "met": met})',
    '    return rows',
    '',
    '',
    'def write_metrics(report):',
    '    """artifacts/metrics.json: the held-out metrics, the targets checked and the number of held-out rows."""',
    '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
    '    document = {"metrics": report["metrics"], "targets": report["targets"], "held_out": int(len(report["predicted"]))}',
    '    with open(ARTIFACTS_DIR / "metrics.json", "w", encoding="utf-8") as handle:',
    '        json.dump(document, handle, indent=2)',
    '',
    '',
    'def main():',
    '    report = evaluate(load_config())',
    '    write_metrics(report)',
    '    for row in report["targets"]:',
    '        status = "met" if row["met"] else "MISSED"',
    '        print(f"{row[\'metric\']}: {row[\'actual\']:.4f} (target {row[\'target\']}) {status}")',
    '    if not all(row["met"] for row in report["targets"]):',
    '        sys.exit(1)',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
  );
}
