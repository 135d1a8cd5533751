/** scikit-learn project files: model.py, train.py, evaluate.py and pipeline.py. */
import type { Design } from '../design';
import { dataHelpers, dataImports, metricHelpers, metricImports } from './python-shared';
import { trainMain } from './pytorch';
import { docText, lines, type TemplateContext } from './context';

export function sklearnFiles(context: TemplateContext): Record<string, string> {
  return { 'model.py': model(context), 'train.py': train(context), 'evaluate.py': evaluate(context), 'pipeline.py': pipeline(context) };
}

/** The estimator's import and constructor call, with the design's settings written out. */
export function estimatorCall(design: Design): { module: string; call: string } {
  const seed = design.seed;
  switch (design.estimator) {
    case 'logistic_regression':
      return { module: 'sklearn.linear_model', call: `LogisticRegression(max_iter=${design.training?.epochs ?? 100}, random_state=${seed})` };
    case 'k_neighbors':
      return { module: 'sklearn.neighbors', call: `${design.model_class}(n_neighbors=${design.params.n_neighbors}, weights="uniform")` };
    case 'decision_tree':
      return { module: 'sklearn.tree', call: `DecisionTreeClassifier(max_depth=${design.params.max_depth}, criterion="gini", random_state=${seed})` };
    case 'linear_regression':
    case 'seasonal_autoregression':
      return { module: 'sklearn.linear_model', call: 'LinearRegression()' };
    case 'ridge':
      return { module: 'sklearn.linear_model', call: `Ridge(alpha=${design.params.alpha})` };
    case 'kmeans':
      return { module: 'sklearn.cluster', call: `KMeans(n_clusters=${design.params.n_clusters}, init="k-means++", n_init=${design.params.n_init}, max_iter=${design.params.max_iter}, random_state=${seed})` };
    case 'neural_network': {
      const hidden = design.layers.slice(0, -1).map((layer) => layer.units);
      const sizes = hidden.length === 1 ? `(${hidden[0]},)` : `(${hidden.join(', ')})`;
      const training = design.training as NonNullable<Design['training']>;
      return {
        module: 'sklearn.neural_network',
        call:
          `${design.model_class}(hidden_layer_sizes=${sizes}, activation="${design.layers[0].activation}", solver="adam", ` +
          `learning_rate_init=${training.learning_rate}, batch_size=${training.batch_size}, max_iter=${training.epochs}, random_state=${seed})`,
      };
    }
  }
}

function model(context: TemplateContext): string {
  const { design, config } = context;
  const estimator = estimatorCall(design);
  const className = estimator.call.slice(0, estimator.call.indexOf('('));
  return lines(
    `"""${docText(design.summary)} (scikit-learn), for project ${config.name}."""`,
    `from ${estimator.module} import ${className}`,
    '',
    '',
    'def build_estimator(config):',
    `    """${docText(design.summary)}."""`,
    `    return ${estimator.call}`,
  );
}

function pipeline(context: TemplateContext): string {
  return lines(
    `"""The scikit-learn pipeline of ${context.config.name} (scaling, then the estimator) and its data helpers."""`,
    ...dataImports(context),
    'from sklearn.pipeline import Pipeline',
    '',
    'from model import build_estimator',
    '',
    dataHelpers(context),
    '',
    'def build_pipeline(config):',
    `    """Pipeline: ${context.design.preprocessing.scaler} scaling -> ${docText(context.design.model_class)}."""`,
    '    return Pipeline([("scaler", make_scaler(config)), ("model", build_estimator(config))])',
  );
}

function train(context: TemplateContext): string {
  const { design, config } = context;
  const iterative = design.estimator === 'neural_network';
  return lines(
    `"""Trains ${config.name}: ${docText(design.summary)} (scikit-learn)."""`,
    'import joblib',
    '',
    'from pipeline import ARTIFACTS_DIR, build_pipeline, load_config, load_dataset, split_dataset',
    '',
    '',
    'def train(config):',
    '    features, target = load_dataset(config)',
    '    train_x, _test_x, train_y, _test_y = split_dataset(features, target, config)',
    design.estimator === 'kmeans' ? '    model = build_pipeline(config).fit(train_x)' : '    model = build_pipeline(config).fit(train_x, train_y)',
    '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
    '    joblib.dump(model, ARTIFACTS_DIR / "model.joblib")',
    iterative ? '    history = list(model.named_steps["model"].loss_curve_)' : null,
    design.estimator === 'kmeans' ? '    history = [model.named_steps["model"].inertia_]' : null,
    !iterative && design.estimator !== 'kmeans' ? '    history = [model.score(train_x, train_y)]' : null,
    '    return model, history',
    ...trainMain(),
  );
}

function evaluate(context: TemplateContext): string {
  const { config } = context;
  return lines(
    `"""Evaluates ${config.name} on its held-out rows and checks the metric targets (scikit-learn)."""`,
    'import json',
    'import sys',
    '',
    'import joblib',
    'import numpy as np',
    metricImports(config.type),
    '',
    'from pipeline import ARTIFACTS_DIR, load_config, load_dataset, split_dataset',
    '',
    '',
    'def evaluate(config):',
    '    features, target = load_dataset(config)',
    '    _train_x, test_x, _train_y, test_y = split_dataset(features, target, config)',
    '    model = joblib.load(ARTIFACTS_DIR / "model.joblib")',
    '    predicted = model.predict(test_x)',
    '    inputs = model.named_steps["scaler"].transform(test_x)',
    '    metrics = compute_metrics(test_y, predicted, inputs)',
    '    targets = check_targets(metrics, config["metrics"]["targets"])',
    '    return {"metrics": metrics, "targets": targets, "actual": test_y, "predicted": np.asarray(predicted), "inputs": inputs}',
    '',
    '',
    metricHelpers(config.type),
  );
}
