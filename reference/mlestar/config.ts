/**
 * Project configuration: validation with one field-level error per problem, and the defaults that
 * turn a minimal configuration (name, type, framework, a metric target) into a complete one.
 */
import { DATASET_BY_TYPE, DEFAULT_SAMPLES, featureNamesFor, IRIS_SPECIES } from './datasets';
import { nextRuns, parseCron } from './schedule';
import {
  ACTIVATIONS,
  DRIFT_STATISTICS,
  ENVIRONMENTS,
  ESTIMATORS_BY_FRAMEWORK,
  FRAMEWORKS,
  LOWER_IS_BETTER,
  METRICS_BY_TYPE,
  PROJECT_TYPES,
  SCALERS,
  type ArchitectureConfig,
  type Estimator,
  type FieldError,
  type MetricName,
  type ProjectConfig,
} from './types';

export type ConfigResult = { ok: true; config: ProjectConfig } | { ok: false; errors: FieldError[] };

export const DEFAULT_SEED = 42;
export const DEFAULT_TEST_SIZE = 0.3;
export const DEFAULT_ERROR_RATE_THRESHOLD = 0.1;
export const DEFAULT_RETRAINING_SCHEDULE = '0 3 * * 0';
export const DEFAULT_DRIFT_THRESHOLD = { psi: 0.2, ks: 0.05 } as const;

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const TOP_LEVEL = ['name', 'description', 'type', 'framework', 'data_source', 'metric_targets', 'architecture', 'pipeline', 'forecast', 'deployment', 'monitoring', 'maintenance'];

/** Which architecture settings each estimator understands. */
const SETTINGS_BY_ESTIMATOR: Record<Estimator, readonly (keyof ArchitectureConfig)[]> = {
  neural_network: ['hidden_layers', 'activation', 'epochs', 'learning_rate', 'batch_size'],
  logistic_regression: ['epochs', 'learning_rate', 'batch_size'],
  k_neighbors: ['n_neighbors'],
  decision_tree: ['max_depth'],
  linear_regression: [],
  ridge: ['alpha'],
  kmeans: ['n_clusters'],
  seasonal_autoregression: [],
};

type Json = Record<string, unknown>;

class Checker {
  readonly errors: FieldError[] = [];

  fail(field: string, message: string): undefined {
    this.errors.push({ field, message });
    return undefined;
  }

  object(value: unknown, field: string): Json | undefined {
    if (value === undefined) return {};
    if (!isObject(value)) return this.fail(field, `must be an object; got ${describe(value)}`);
    return value;
  }

  known(value: Json, field: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`${field}${key}`, `is not a known setting; expected one of ${allowed.join(', ')}`);
    }
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback?: T): T | undefined {
    if (value === undefined) return fallback ?? this.fail(field, `is required; expected one of ${allowed.join(', ')}`);
    if (typeof value !== 'string' || !allowed.includes(value as T)) return this.fail(field, `must be one of ${allowed.join(', ')}; got ${describe(value)}`);
    return value as T;
  }

  number(value: unknown, field: string, range: { min: number; max: number; minExclusive?: boolean; integer?: boolean }, fallback?: number): number | undefined {
    if (value === undefined) return fallback;
    const kind = range.integer ? 'an integer' : 'a number';
    const low = range.minExclusive ? `above ${range.min}` : `from ${range.min}`;
    const expected = `${kind} ${low} to ${range.max}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
      return this.fail(field, `must be ${expected}; got ${describe(value)}`);
    }
    if (value > range.max || (range.minExclusive ? value <= range.min : value < range.min)) return this.fail(field, `must be ${expected}; got ${value}`);
    return value;
  }
}

export function validateProjectConfig(input: unknown): ConfigResult {
  const check = new Checker();
  if (!isObject(input)) {
    check.fail('configuration', `must be an object; got ${describe(input)}`);
    return { ok: false, errors: check.errors };
  }
  check.known(input, '', TOP_LEVEL);

  let name: string | undefined;
  if (input.name === undefined) check.fail('name', 'is required; expected 1-63 characters a-z, 0-9 and "-", starting with a letter');
  else if (typeof input.name !== 'string' || !NAME_PATTERN.test(input.name)) {
    check.fail('name', `must be 1-63 characters a-z, 0-9 and "-", starting with a letter; got ${describe(input.name)}`);
  } else name = input.name;

  let description = '';
  if (input.description !== undefined) {
    if (typeof input.description !== 'string' || input.description.length > 500) check.fail('description', `must be text of at most 500 characters; got ${describe(input.description)}`);
    else description = input.description;
  }

  const type = check.oneOf(input.type, 'type', PROJECT_TYPES);
  const framework = check.oneOf(input.framework, 'framework', FRAMEWORKS);

  // Forecast settings first: the time-series data source depends on them.
  const forecastInput = check.object(input.forecast, 'forecast');
  let forecast: ProjectConfig['forecast'];
  if (forecastInput && type && type !== 'time_series' && input.forecast !== undefined) {
    check.fail('forecast', `only applies to time_series projects; this project is ${type}`);
  } else if (forecastInput && type === 'time_series') {
    check.known(forecastInput, 'forecast.', ['horizon', 'season_length']);
    const horizon = check.number(forecastInput.horizon, 'forecast.horizon', { min: 1, max: 60, integer: true }, 12);
    const seasonLength = check.number(forecastInput.season_length, 'forecast.season_length', { min: 2, max: 52, integer: true }, 12);
    if (horizon !== undefined && seasonLength !== undefined) forecast = { horizon, season_length: seasonLength };
  }

  const sourceInput = check.object(input.data_source, 'data_source');
  let dataSource: ProjectConfig['data_source'] | undefined;
  const kind = sourceInput && check.oneOf(sourceInput.kind, 'data_source.kind', ['generated', 'rows'] as const, 'generated');
  if (sourceInput && kind === 'rows') {
    dataSource = validateSuppliedRows(check, sourceInput, type);
  } else if (sourceInput) {
    check.known(sourceInput, 'data_source.', ['kind', 'dataset', 'samples', 'seed', 'noise']);
    const expectedDataset = type ? DATASET_BY_TYPE[type] : undefined;
    let dataset = expectedDataset;
    if (sourceInput.dataset !== undefined && expectedDataset && sourceInput.dataset !== expectedDataset) {
      check.fail('data_source.dataset', `must be ${expectedDataset} for a ${type} project; got ${describe(sourceInput.dataset)}`);
    } else if (typeof sourceInput.dataset === 'string') dataset = sourceInput.dataset;
    const samples = check.number(sourceInput.samples, 'data_source.samples', { min: 1, max: 5000, integer: true }, type ? DEFAULT_SAMPLES[type] : undefined);
    const seed = check.number(sourceInput.seed, 'data_source.seed', { min: 0, max: 2 ** 31 - 1, integer: true }, DEFAULT_SEED);
    const noise = check.number(sourceInput.noise, 'data_source.noise', { min: 0, max: 10 }, 1);
    if (kind && dataset && samples !== undefined && seed !== undefined && noise !== undefined) dataSource = { kind, dataset, samples, seed, noise };
  }

  const metricTargets = validateTargets(check, input.metric_targets, type);
  const architecture = framework && type ? validateArchitecture(check, input.architecture, framework, type) : undefined;

  const pipelineInput = check.object(input.pipeline, 'pipeline');
  let pipeline: ProjectConfig['pipeline'] | undefined;
  if (pipelineInput) {
    check.known(pipelineInput, 'pipeline.', ['scaler', 'test_size']);
    const scaler = check.oneOf(pipelineInput.scaler, 'pipeline.scaler', SCALERS, 'standard');
    const testSize = check.number(pipelineInput.test_size, 'pipeline.test_size', { min: 0.1, max: 0.5 }, DEFAULT_TEST_SIZE);
    if (pipelineInput.test_size !== undefined && type === 'time_series') check.fail('pipeline.test_size', 'does not apply to time_series projects; their held-out set is the last forecast.horizon observations');
    if (scaler && testSize !== undefined) pipeline = type === 'time_series' ? { scaler } : { scaler, test_size: testSize };
  }

  const deploymentInput = check.object(input.deployment, 'deployment');
  let environments: ProjectConfig['deployment']['environments'] | undefined;
  if (deploymentInput) {
    check.known(deploymentInput, 'deployment.', ['environments']);
    const list = deploymentInput.environments ?? [...ENVIRONMENTS];
    if (!Array.isArray(list) || list.length === 0) check.fail('deployment.environments', `must be a non-empty list of ${ENVIRONMENTS.join(', ')}; got ${describe(list)}`);
    else {
      const chosen = list.map((env, i) => check.oneOf(env, `deployment.environments[${i}]`, ENVIRONMENTS));
      if (new Set(list).size !== list.length) check.fail('deployment.environments', `must not repeat an environment; got ${list.join(', ')}`);
      else if (chosen.every((env) => env !== undefined)) environments = chosen as ProjectConfig['deployment']['environments'];
    }
  }

  const monitoringInput = check.object(input.monitoring, 'monitoring');
  let monitoring: ProjectConfig['monitoring'] | undefined;
  if (monitoringInput) {
    check.known(monitoringInput, 'monitoring.', ['error_rate_threshold', 'latency_p95_ms', 'min_requests']);
    const errorRate = check.number(monitoringInput.error_rate_threshold, 'monitoring.error_rate_threshold', { min: 0, max: 1, minExclusive: true }, DEFAULT_ERROR_RATE_THRESHOLD);
    const latency = check.number(monitoringInput.latency_p95_ms, 'monitoring.latency_p95_ms', { min: 1, max: 60000 }, 250);
    const minRequests = check.number(monitoringInput.min_requests, 'monitoring.min_requests', { min: 1, max: 100000, integer: true }, 10);
    if (errorRate !== undefined && latency !== undefined && minRequests !== undefined) monitoring = { error_rate_threshold: errorRate, latency_p95_ms: latency, min_requests: minRequests };
  }

  const maintenanceInput = check.object(input.maintenance, 'maintenance');
  let maintenance: ProjectConfig['maintenance'] | undefined;
  if (maintenanceInput) {
    check.known(maintenanceInput, 'maintenance.', ['retraining_schedule', 'drift_statistic', 'drift_threshold']);
    const schedule = maintenanceInput.retraining_schedule ?? DEFAULT_RETRAINING_SCHEDULE;
    let scheduleOk = false;
    if (typeof schedule !== 'string') check.fail('maintenance.retraining_schedule', `must be a cron expression such as "0 3 * * 0"; got ${describe(schedule)}`);
    else {
      try {
        scheduleOk = nextRuns(parseCron(schedule), new Date(Date.UTC(2024, 0, 1)), 1).length === 1;
        if (!scheduleOk) check.fail('maintenance.retraining_schedule', `"${schedule}" never runs; expected a date that exists`);
      } catch (error) {
        check.fail('maintenance.retraining_schedule', (error as Error).message);
      }
    }
    const statistic = check.oneOf(maintenanceInput.drift_statistic, 'maintenance.drift_statistic', DRIFT_STATISTICS, 'psi');
    const threshold = statistic
      ? check.number(
          maintenanceInput.drift_threshold,
          'maintenance.drift_threshold',
          statistic === 'psi' ? { min: 0, max: 10, minExclusive: true } : { min: 0, max: 0.5, minExclusive: true },
          DEFAULT_DRIFT_THRESHOLD[statistic],
        )
      : undefined;
    if (scheduleOk && statistic && threshold !== undefined) maintenance = { retraining_schedule: (schedule as string).trim(), drift_statistic: statistic, drift_threshold: threshold };
  }

  if (check.errors.length > 0 || !name || !type || !framework || !dataSource || !metricTargets || !architecture || !pipeline || !environments || !monitoring || !maintenance) {
    return { ok: false, errors: check.errors };
  }
  const config: ProjectConfig = {
    name,
    description,
    type,
    framework,
    data_source: dataSource,
    metric_targets: metricTargets,
    architecture,
    pipeline,
    deployment: { environments },
    monitoring,
    maintenance,
  };
  if (type === 'time_series') config.forecast = forecast ?? { horizon: 12, season_length: 12 };
  return { ok: true, config };
}

const MIN_SUPPLIED_ROWS = 10;
const MAX_SUPPLIED_ROWS = 5000;

/** Data source kind `rows`: labelled rows given with the project (classification and regression). */
function validateSuppliedRows(check: Checker, input: Json, type: ProjectConfig['type'] | undefined): ProjectConfig['data_source'] | undefined {
  check.known(input, 'data_source.', ['kind', 'dataset', 'samples', 'seed', 'noise', 'rows', 'labels']);
  if (input.noise !== undefined && input.noise !== 0) check.fail('data_source.noise', `must be 0 or left out for supplied rows (their labels are as given); got ${describe(input.noise)}`);
  if (type !== undefined && type !== 'classification' && type !== 'regression') {
    return check.fail('data_source.kind', `rows can be supplied to classification and regression projects; this project is ${type}`);
  }
  if (input.dataset !== undefined && input.dataset !== 'supplied') check.fail('data_source.dataset', `must be "supplied" for supplied rows; got ${describe(input.dataset)}`);
  const seed = check.number(input.seed, 'data_source.seed', { min: 0, max: 2 ** 31 - 1, integer: true }, DEFAULT_SEED);
  const { rows, labels } = input;
  if (!Array.isArray(rows) || rows.length < MIN_SUPPLIED_ROWS || rows.length > MAX_SUPPLIED_ROWS) {
    return check.fail('data_source.rows', `must be ${MIN_SUPPLIED_ROWS} to ${MAX_SUPPLIED_ROWS} rows of feature values; got ${Array.isArray(rows) ? `${rows.length} rows` : describe(rows)}`);
  }
  const width = type ? featureNamesFor(type).length : undefined;
  const badRow = rows.findIndex((row) => !Array.isArray(row) || (width !== undefined && row.length !== width) || !row.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (badRow >= 0) return check.fail(`data_source.rows[${badRow}]`, `must be ${width ?? 'the type\'s'} numbers, one per feature (${type ? featureNamesFor(type).join(', ') : 'in the type\'s order'}); got ${describe(rows[badRow])}`);
  if (input.samples !== undefined && input.samples !== rows.length) check.fail('data_source.samples', `must be the number of rows (${rows.length}) or left out; got ${describe(input.samples)}`);
  if (!Array.isArray(labels) || labels.length !== rows.length) {
    return check.fail('data_source.labels', `must hold one label per row (${rows.length}); got ${Array.isArray(labels) ? `${labels.length} labels` : describe(labels)}`);
  }
  const badLabel =
    type === 'classification'
      ? labels.findIndex((label) => typeof label !== 'string' || !IRIS_SPECIES.includes(label))
      : labels.findIndex((label) => typeof label !== 'number' || !Number.isFinite(label));
  const expected = type === 'classification' ? `one of ${IRIS_SPECIES.join(', ')}` : 'a number';
  if (badLabel >= 0) return check.fail(`data_source.labels[${badLabel}]`, `must be ${expected}; got ${describe(labels[badLabel])}`);
  if (seed === undefined || check.errors.length > 0) return undefined;
  return { kind: 'rows', dataset: 'supplied', samples: rows.length, seed, noise: 0, rows: rows as number[][], labels: labels as (string | number)[] };
}

function validateTargets(check: Checker, value: unknown, type: ProjectConfig['type'] | undefined): ProjectConfig['metric_targets'] | undefined {
  const allowed = type ? METRICS_BY_TYPE[type] : undefined;
  const example = allowed ? `e.g. ${allowed[0]}` : 'one per metric of the project type';
  if (value === undefined) return check.fail('metric_targets', `is required; expected at least one target, ${example}`);
  if (!isObject(value)) return check.fail('metric_targets', `must be an object of metric targets; got ${describe(value)}`);
  if (Object.keys(value).length === 0) return check.fail('metric_targets', `must name at least one target, ${example}`);
  const targets: ProjectConfig['metric_targets'] = {};
  for (const [metric, target] of Object.entries(value)) {
    const field = `metric_targets.${metric}`;
    if (allowed && !allowed.includes(metric as MetricName)) {
      check.fail(field, `is not a ${type} metric; expected one of ${allowed.join(', ')}`);
      continue;
    }
    const range = LOWER_IS_BETTER.has(metric as MetricName)
      ? { min: 0, max: metric === 'mape' ? 1 : 1e9, minExclusive: true }
      : metric === 'silhouette'
        ? { min: -1, max: 1 }
        : { min: 0, max: 1, minExclusive: true };
    const checked = check.number(target, field, range);
    if (checked === undefined && target === undefined) check.fail(field, 'must be a number');
    if (checked !== undefined) targets[metric as MetricName] = checked;
  }
  return targets;
}

function validateArchitecture(check: Checker, value: unknown, framework: ProjectConfig['framework'], type: ProjectConfig['type']): ArchitectureConfig | undefined {
  const input = check.object(value, 'architecture');
  if (!input) return undefined;
  check.known(input, 'architecture.', ['estimator', 'hidden_layers', 'activation', 'epochs', 'learning_rate', 'batch_size', 'n_neighbors', 'max_depth', 'alpha', 'n_clusters']);
  const offered = ESTIMATORS_BY_FRAMEWORK[framework][type];
  let estimator: Estimator | undefined = offered[0];
  if (input.estimator !== undefined) {
    if (typeof input.estimator !== 'string' || !offered.includes(input.estimator as Estimator)) {
      estimator = check.fail('architecture.estimator', `must be one of ${offered.join(', ')} for a ${framework} ${type} project; got ${describe(input.estimator)}`);
    } else estimator = input.estimator as Estimator;
  }
  const result: ArchitectureConfig = { estimator };
  if (estimator) {
    for (const key of Object.keys(input)) {
      if (key === 'estimator' || !isSetting(key)) continue;
      if (!SETTINGS_BY_ESTIMATOR[estimator].includes(key as keyof ArchitectureConfig)) {
        check.fail(`architecture.${key}`, `does not apply to the ${estimator} estimator; it takes ${SETTINGS_BY_ESTIMATOR[estimator].join(', ') || 'no settings'}`);
      }
    }
  }
  if (input.hidden_layers !== undefined) {
    const layers = input.hidden_layers;
    if (!Array.isArray(layers) || layers.length > 4) check.fail('architecture.hidden_layers', `must be a list of at most 4 layer sizes; got ${describe(layers)}`);
    else {
      const sizes = layers.map((units, i) => check.number(units, `architecture.hidden_layers[${i}]`, { min: 1, max: 256, integer: true }));
      if (sizes.every((s) => s !== undefined)) result.hidden_layers = sizes as number[];
    }
  }
  const activation = input.activation === undefined ? undefined : check.oneOf(input.activation, 'architecture.activation', ACTIVATIONS);
  if (activation) result.activation = activation;
  const numeric: [keyof ArchitectureConfig, { min: number; max: number; minExclusive?: boolean; integer?: boolean }][] = [
    ['epochs', { min: 1, max: 1000, integer: true }],
    ['learning_rate', { min: 0, max: 1, minExclusive: true }],
    ['batch_size', { min: 1, max: 1024, integer: true }],
    ['n_neighbors', { min: 1, max: 50, integer: true }],
    ['max_depth', { min: 1, max: 20, integer: true }],
    ['alpha', { min: 0, max: 1000 }],
    ['n_clusters', { min: 2, max: 10, integer: true }],
  ];
  for (const [key, range] of numeric) {
    const checked = check.number(input[key], `architecture.${key}`, range);
    if (checked !== undefined) (result as Record<string, unknown>)[key] = checked;
  }
  return result;
}

function isSetting(key: string): boolean {
  return Object.values(SETTINGS_BY_ESTIMATOR).some((settings) => settings.includes(key as keyof ArchitectureConfig));
}

/** Applies a partial change to a configuration (objects merge, null removes a setting, everything else replaces). */
export function mergeConfig(current: ProjectConfig, change: unknown): unknown {
  if (!isObject(change)) return change;
  return deepMerge(current as unknown as Json, change);
}

function deepMerge(base: Json, change: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete merged[key];
    else merged[key] = isObject(value) && isObject(base[key]) ? deepMerge(base[key] as Json, value) : value;
  }
  return merged;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** The direction a target is judged in, as a word for messages and reports. */
export function comparisonFor(metric: MetricName): 'at_least' | 'at_most' {
  return LOWER_IS_BETTER.has(metric) ? 'at_most' : 'at_least';
}
