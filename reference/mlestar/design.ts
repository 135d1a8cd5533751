/**
 * Stage 2: the architecture chosen for a framework and project type, with the project's
 * customisations applied. The design drives both the generated code and the model the reference
 * trains, so a customisation shows up in both.
 */
import { featureNamesFor } from './datasets';
import { parameterCount } from './models/neural-network';
import { ESTIMATORS_BY_FRAMEWORK, METRICS_BY_TYPE, type Activation, type Estimator, type Framework, type MetricName, type ProjectConfig, type ProjectType, type Scaler } from './types';

export interface LayerDesign {
  /** Framework name of the layer, e.g. `nn.Linear` or `Dense`. */
  type: string;
  units: number;
  activation: Activation | 'softmax' | 'linear';
}

export interface Design {
  framework: Framework;
  project_type: ProjectType;
  estimator: Estimator;
  /** The class the generated code instantiates, e.g. `nn.Module`, `keras.Sequential`, `KNeighborsClassifier`. */
  model_class: string;
  summary: string;
  input_features: string[];
  output: { kind: 'class' | 'value' | 'cluster'; classes?: string[]; name: string };
  /** Neural networks only: hidden layers then the output layer. */
  layers: LayerDesign[];
  /** Estimator settings (n_neighbors, max_depth, alpha, n_clusters, season_length ...). */
  params: Record<string, number | string>;
  loss: string;
  optimizer?: { name: string; learning_rate: number };
  training?: { epochs: number; batch_size: number; learning_rate: number };
  solver?: string;
  metrics: MetricName[];
  preprocessing: { scaler: Scaler };
  seed: number;
  trainable_parameters?: number;
  /** Settings taken from the project's configuration instead of the framework's defaults. */
  customised: string[];
}

const NETWORK_DEFAULTS: Record<'pytorch' | 'tensorflow' | 'sklearn', Record<'classification' | 'regression', { hidden: number[]; epochs: number; batch: number; rate: number }>> = {
  pytorch: { classification: { hidden: [16], epochs: 60, batch: 16, rate: 0.01 }, regression: { hidden: [32], epochs: 80, batch: 32, rate: 0.01 } },
  tensorflow: { classification: { hidden: [32], epochs: 50, batch: 32, rate: 0.01 }, regression: { hidden: [32, 16], epochs: 80, batch: 32, rate: 0.005 } },
  sklearn: { classification: { hidden: [32], epochs: 80, batch: 32, rate: 0.005 }, regression: { hidden: [32], epochs: 80, batch: 32, rate: 0.005 } },
};
const LOGISTIC_DEFAULTS = { epochs: 100, batch: 32, rate: 0.05 };

const LOSS: Record<Framework, Record<ProjectType, string>> = {
  pytorch: { classification: 'CrossEntropyLoss', regression: 'MSELoss', clustering: 'inertia', time_series: 'MSELoss' },
  tensorflow: { classification: 'sparse_categorical_crossentropy', regression: 'mean_squared_error', clustering: 'inertia', time_series: 'mean_squared_error' },
  sklearn: { classification: 'log_loss', regression: 'squared_error', clustering: 'inertia', time_series: 'squared_error' },
};

export function designArchitecture(config: ProjectConfig): Design {
  const { framework, type, architecture } = config;
  const estimator = architecture.estimator ?? ESTIMATORS_BY_FRAMEWORK[framework][type][0];
  const seasonLength = config.forecast?.season_length ?? 12;
  const inputFeatures = featureNamesFor(type, seasonLength);
  const customised = Object.keys(architecture).filter((key) => key !== 'estimator' || framework === 'sklearn');
  if (config.pipeline.scaler !== undefined) customised.push('scaler');
  const classes = type === 'classification' ? ['setosa', 'versicolor', 'virginica'] : undefined;
  const design: Design = {
    framework,
    project_type: type,
    estimator,
    model_class: '',
    summary: '',
    input_features: inputFeatures,
    output: outputFor(type, classes),
    layers: [],
    params: {},
    loss: estimator === 'decision_tree' ? 'gini' : estimator === 'k_neighbors' ? 'none (instance-based)' : LOSS[framework][type],
    metrics: [...METRICS_BY_TYPE[type]],
    preprocessing: { scaler: config.pipeline.scaler ?? 'standard' },
    seed: config.data_source.seed,
    customised: [...new Set(customised)],
  };

  if (estimator === 'neural_network' || estimator === 'logistic_regression') {
    const task = type as 'classification' | 'regression';
    const defaults = estimator === 'logistic_regression' ? { ...LOGISTIC_DEFAULTS, hidden: [] as number[] } : NETWORK_DEFAULTS[framework][task];
    const hidden = estimator === 'logistic_regression' ? [] : (architecture.hidden_layers ?? defaults.hidden);
    const activation = architecture.activation ?? 'relu';
    const outputs = task === 'classification' ? (classes as string[]).length : 1;
    const layerType = framework === 'pytorch' ? 'nn.Linear' : framework === 'tensorflow' ? 'Dense' : 'dense';
    design.layers = [
      ...hidden.map((units) => ({ type: layerType, units, activation })),
      { type: layerType, units: outputs, activation: task === 'classification' ? ('softmax' as const) : ('linear' as const) },
    ];
    const rate = architecture.learning_rate ?? defaults.rate;
    design.training = { epochs: architecture.epochs ?? defaults.epochs, batch_size: architecture.batch_size ?? defaults.batch, learning_rate: rate };
    design.optimizer = { name: framework === 'sklearn' ? 'adam' : 'Adam', learning_rate: rate };
    design.trainable_parameters = parameterCount([inputFeatures.length, ...hidden, outputs]);
    design.model_class = framework === 'pytorch' ? 'nn.Module' : framework === 'tensorflow' ? 'keras.Sequential' : estimator === 'logistic_regression' ? 'LogisticRegression' : task === 'classification' ? 'MLPClassifier' : 'MLPRegressor';
    const shape = [inputFeatures.length, ...hidden, outputs].join('-');
    design.summary =
      estimator === 'logistic_regression'
        ? `Multinomial logistic regression over ${inputFeatures.length} features, ${outputs} classes`
        : `Feed-forward network ${shape} (${activation} hidden layers, ${task === 'classification' ? 'softmax' : 'linear'} output)`;
  } else if (estimator === 'k_neighbors') {
    const k = architecture.n_neighbors ?? 5;
    design.params = { n_neighbors: k, weights: 'uniform' };
    design.model_class = type === 'classification' ? 'KNeighborsClassifier' : 'KNeighborsRegressor';
    design.summary = `${k}-nearest neighbours ${type === 'classification' ? 'majority vote' : 'average'} over ${inputFeatures.length} features`;
  } else if (estimator === 'decision_tree') {
    const depth = architecture.max_depth ?? 5;
    design.params = { max_depth: depth, criterion: 'gini' };
    design.model_class = 'DecisionTreeClassifier';
    design.summary = `Decision tree (Gini, depth at most ${depth}) over ${inputFeatures.length} features`;
  } else if (estimator === 'linear_regression' || estimator === 'ridge') {
    design.solver = 'least_squares';
    if (estimator === 'ridge') design.params = { alpha: architecture.alpha ?? 1 };
    design.model_class = estimator === 'ridge' ? 'Ridge' : 'LinearRegression';
    design.summary = estimator === 'ridge' ? `Ridge regression (alpha ${design.params.alpha}) over ${inputFeatures.length} features` : `Ordinary least squares over ${inputFeatures.length} features`;
  } else if (estimator === 'kmeans') {
    const clusters = architecture.n_clusters ?? 3;
    design.params = { n_clusters: clusters, init: 'k-means++', n_init: 5, max_iter: 100 };
    design.model_class = framework === 'sklearn' ? 'KMeans' : framework === 'pytorch' ? 'TorchKMeans' : 'TensorFlowKMeans';
    design.summary = `k-means with ${clusters} clusters (k-means++ seeding) over ${inputFeatures.length} features`;
  } else {
    const horizon = config.forecast?.horizon ?? 12;
    design.params = { season_length: seasonLength, horizon };
    design.solver = 'least_squares';
    design.model_class = framework === 'pytorch' ? 'nn.Module' : framework === 'tensorflow' ? 'keras.Sequential' : 'LinearRegression';
    if (framework !== 'sklearn') design.layers = [{ type: framework === 'pytorch' ? 'nn.Linear' : 'Dense', units: 1, activation: 'linear' }];
    design.summary = `Seasonal autoregression: the next value from the last ${seasonLength} observations`;
  }
  return design;
}

function outputFor(type: ProjectType, classes: string[] | undefined): Design['output'] {
  switch (type) {
    case 'classification':
      return { kind: 'class', classes, name: 'species' };
    case 'regression':
      return { kind: 'value', name: 'price_k' };
    case 'clustering':
      return { kind: 'cluster', name: 'segment' };
    case 'time_series':
      return { kind: 'value', name: 'sales' };
  }
}

/** Multiply-adds the reference spends training this design (the specification refuses over-budget designs). */
export function trainingCost(design: Design, trainingRows: number): number {
  if (design.training && design.trainable_parameters !== undefined) return trainingRows * design.training.epochs * design.trainable_parameters;
  if (design.estimator === 'k_neighbors') return trainingRows * trainingRows * design.input_features.length;
  return trainingRows * design.input_features.length * 100;
}
