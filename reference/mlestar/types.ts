/** The vocabulary of MLE-Star shared by every module of the domain (no HTTP, no storage). */

export const PROJECT_TYPES = ['classification', 'regression', 'clustering', 'time_series'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

export const FRAMEWORKS = ['pytorch', 'tensorflow', 'sklearn'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The seven stages, in the only order they may run. */
export const STAGES = [
  'specification',
  'design',
  'implementation',
  'evaluation',
  'deployment',
  'monitoring',
  'maintenance',
] as const;
export type StageName = (typeof STAGES)[number];

export const ENVIRONMENTS = ['staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const METRICS = ['accuracy', 'f1', 'rmse', 'r2', 'silhouette', 'mape'] as const;
export type MetricName = (typeof METRICS)[number];

/** Which metrics a project type is judged by; the first one is its headline metric. */
export const METRICS_BY_TYPE: Record<ProjectType, readonly MetricName[]> = {
  classification: ['accuracy', 'f1'],
  regression: ['rmse', 'r2'],
  clustering: ['silhouette'],
  time_series: ['mape'],
};

/** Error metrics must stay at or below their target; scores must reach at least theirs. */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['rmse', 'mape']);

export const SCALERS = ['standard', 'minmax', 'none'] as const;
export type Scaler = (typeof SCALERS)[number];

export const ACTIVATIONS = ['relu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const ESTIMATORS = [
  'neural_network',
  'logistic_regression',
  'k_neighbors',
  'decision_tree',
  'linear_regression',
  'ridge',
  'kmeans',
  'seasonal_autoregression',
] as const;
export type Estimator = (typeof ESTIMATORS)[number];

/** The models each framework offers per project type; the first one is the default. */
export const ESTIMATORS_BY_FRAMEWORK: Record<Framework, Record<ProjectType, readonly Estimator[]>> = {
  pytorch: { classification: ['neural_network'], regression: ['neural_network'], clustering: ['kmeans'], time_series: ['seasonal_autoregression'] },
  tensorflow: { classification: ['neural_network'], regression: ['neural_network'], clustering: ['kmeans'], time_series: ['seasonal_autoregression'] },
  sklearn: {
    classification: ['logistic_regression', 'k_neighbors', 'decision_tree', 'neural_network'],
    regression: ['linear_regression', 'ridge', 'k_neighbors', 'neural_network'],
    clustering: ['kmeans'],
    time_series: ['seasonal_autoregression'],
  },
};

export const DRIFT_STATISTICS = ['psi', 'ks'] as const;
export type DriftStatistic = (typeof DRIFT_STATISTICS)[number];

export interface FieldError {
  field: string;
  message: string;
}

export interface DataSourceConfig {
  /** `generated` from the type's generator, or `rows` given with the project. */
  kind: 'generated' | 'rows';
  /** The generator; each project type has exactly one (iris, housing, customers, monthly_sales). */
  dataset: string;
  samples: number;
  seed: number;
  /** Multiplies the generator's natural spread: 1 is the textbook dataset, higher is harder. */
  noise: number;
  /** Kind `rows`: each row's features, in the order the project type names them. */
  rows?: Matrix;
  /** Kind `rows`: each row's class name (classification) or value (regression). */
  labels?: (string | number)[];
}

export interface ArchitectureConfig {
  estimator?: Estimator;
  hidden_layers?: number[];
  activation?: Activation;
  epochs?: number;
  learning_rate?: number;
  batch_size?: number;
  n_neighbors?: number;
  max_depth?: number;
  alpha?: number;
  n_clusters?: number;
}

export interface PipelineConfig {
  scaler?: Scaler;
  /** Share of rows held out (not for time series, whose held-out set is the last forecast horizon). */
  test_size?: number;
}

export interface ForecastConfig {
  horizon: number;
  season_length: number;
}

export interface MonitoringConfig {
  error_rate_threshold: number;
  latency_p95_ms: number;
  /** Requests needed before an error-rate alert may fire (one failed request is not a trend). */
  min_requests: number;
}

export interface MaintenanceConfig {
  retraining_schedule: string;
  drift_statistic: DriftStatistic;
  /** PSI above which a feature has drifted, or the KS significance level. */
  drift_threshold: number;
}

/** A validated project configuration with every default filled in. */
export interface ProjectConfig {
  name: string;
  description: string;
  type: ProjectType;
  framework: Framework;
  data_source: DataSourceConfig;
  metric_targets: Partial<Record<MetricName, number>>;
  architecture: ArchitectureConfig;
  pipeline: PipelineConfig;
  forecast?: ForecastConfig;
  deployment: { environments: Environment[] };
  monitoring: MonitoringConfig;
  maintenance: MaintenanceConfig;
}

export type Matrix = number[][];
