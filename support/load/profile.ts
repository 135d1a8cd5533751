import type { LoadResult } from './result';
import type { LoadOperation, LoadTestRunner, RequestContext } from './runner';
import { StagedArrivals, StagedUsers, type Stage } from './schedule';

/**
 * A load profile: a plain object saying what is requested, in what shape over time (k6's
 * executors) and what must hold afterwards (k6's thresholds). `runProfile` runs any profile; a new
 * shape of load is a new object, never a change to the engine.
 */
export interface LoadProfile {
  /** kebab-case, e.g. `dashboard-rising-traffic` */
  name: string;
  /** one sentence in business words */
  description: string;
  executor: Executor;
  /** taken in turn: request k is `requests[k % requests.length]` */
  requests: readonly ProfileRequest[];
  thresholds: readonly Threshold[];
}

export type Executor =
  /** An open model: `rate` requests per second for `durationMs`, whatever the answers take. */
  | { kind: 'constant-arrival-rate'; rate: number; durationMs: number }
  /** An open model whose rate moves from `startRate` through each stage's target. */
  | { kind: 'ramping-arrival-rate'; startRate: number; stages: readonly Stage[] }
  /**
   * A closed model: `users` users, each sending its next request when the last one answered (after
   * `thinkTimeMs`), until `iterations` requests in all or for `durationMs`.
   */
  | { kind: 'constant-users'; users: number; iterations?: number; durationMs?: number; thinkTimeMs?: number }
  /** A closed model whose number of users moves from `startUsers` through each stage's target. */
  | { kind: 'ramping-users'; startUsers: number; stages: readonly Stage[]; thinkTimeMs?: number };

export type ExecutorKind = Executor['kind'];

/**
 * One request of a profile. `path` may hold `{name}` placeholders, filled for each request from
 * the run's bindings (e.g. `{vm}`: one of the scenario's virtual machines, taken in turn).
 */
export interface ProfileRequest {
  /** the group the figures are reported under, e.g. "virtual machine list" */
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

export type LatencyStat = 'avg' | 'p50' | 'p90' | 'p95' | 'p99' | 'max';

export type Threshold =
  /** a latency figure of every request, from its intended send time in an open model */
  | { metric: 'latency'; stat: LatencyStat; belowMs: number }
  /** share of the requests that failed, 0-1 */
  | { metric: 'failure-rate'; atMost: number }
  /** successful requests per second over the run */
  | { metric: 'throughput'; atLeast: number }
  /** open models: successful requests per second as a share of the planned rate, 0-1 */
  | { metric: 'planned-rate-achieved'; atLeast: number };

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function fail(profile: string, what: string): never {
  throw new Error(`load profile "${profile}": ${what}`);
}

function positive(profile: string, name: string, value: number | undefined, integer = false): void {
  if (value === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    fail(profile, `${name} is ${String(value)}, expected a positive ${integer ? 'integer' : 'number'}`);
  }
}

/** Throws one line naming the profile, the field and what was expected when a profile cannot run. */
export function validateProfile(profile: LoadProfile): LoadProfile {
  const name = profile.name;
  if (!KEBAB.test(name)) fail(name, 'its name is not kebab-case');
  if (profile.requests.length === 0) fail(name, 'it has no requests, expected at least one');
  for (const request of profile.requests) if (!request.path.startsWith('/')) fail(name, `request "${request.name}" has the path "${request.path}", expected one starting with /`);
  const executor = profile.executor;
  switch (executor.kind) {
    case 'constant-arrival-rate':
      positive(name, 'rate', executor.rate);
      positive(name, 'durationMs', executor.durationMs);
      break;
    case 'ramping-arrival-rate':
      try {
        new StagedArrivals(executor.startRate, executor.stages);
      } catch (error) {
        fail(name, (error as Error).message);
      }
      break;
    case 'constant-users':
      positive(name, 'users', executor.users, true);
      if (executor.iterations === undefined && executor.durationMs === undefined) fail(name, 'constant-users needs iterations or durationMs, got neither');
      if (executor.iterations !== undefined) positive(name, 'iterations', executor.iterations, true);
      if (executor.durationMs !== undefined) positive(name, 'durationMs', executor.durationMs);
      break;
    case 'ramping-users':
      try {
        new StagedUsers(executor.startUsers, executor.stages);
      } catch (error) {
        fail(name, (error as Error).message);
      }
      break;
    default:
      fail(name, `its executor is "${(executor as { kind: string }).kind}", expected constant-arrival-rate, ramping-arrival-rate, constant-users or ramping-users`);
  }
  const thinkTimeMs = 'thinkTimeMs' in executor ? executor.thinkTimeMs : undefined;
  if (thinkTimeMs !== undefined && !(thinkTimeMs >= 0)) fail(name, `thinkTimeMs is ${thinkTimeMs}, expected a number >= 0`);
  return profile;
}

/** The longest the profile's load lasts (closed models with only `iterations`: undefined). */
export function profileDurationMs(executor: Executor): number | undefined {
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return executor.durationMs;
    case 'constant-users':
      return executor.durationMs;
    case 'ramping-arrival-rate':
    case 'ramping-users':
      return executor.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
  }
}

/** The same profile with every duration multiplied by `factor` (the `ci` test mode's shortening). */
export function scaleProfile(profile: LoadProfile, factor: number): LoadProfile {
  const ms = (value: number): number => Math.max(1, Math.round(value * factor));
  const stages = (list: readonly Stage[]): Stage[] => list.map((stage) => ({ ...stage, durationMs: ms(stage.durationMs) }));
  const executor = profile.executor;
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return { ...profile, executor: { ...executor, durationMs: ms(executor.durationMs) } };
    case 'constant-users':
      return { ...profile, executor: executor.durationMs === undefined ? executor : { ...executor, durationMs: ms(executor.durationMs) } };
    case 'ramping-arrival-rate':
    case 'ramping-users':
      return { ...profile, executor: { ...executor, stages: stages(executor.stages) } };
  }
}

/** Fills a request's `{name}` placeholders; `bind(name, index)` gives the value for request `index`. */
function resolvePath(path: string, index: number, bind: (name: string, index: number) => string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(bind(name, index)));
}

export interface ProfileRunOptions {
  /** sends one request of the profile; `path` already has its placeholders filled */
  send: (request: ProfileRequest & { path: string }, context: RequestContext) => Promise<unknown>;
  /** values of the paths' placeholders, e.g. `{vm}` */
  bind?: (name: string, index: number) => string;
  label?: string;
  progress?: false;
}

/** Runs any profile on the engine's models; the result carries one group per request name. */
export function runProfile(runner: LoadTestRunner, profile: LoadProfile, options: ProfileRunOptions): Promise<LoadResult> {
  validateProfile(profile);
  const { requests } = profile;
  const bind = options.bind ?? ((name: string) => fail(profile.name, `the path placeholder {${name}} has no value`));
  // The requests are taken in turn; a placeholder's value turns once per round of requests, so
  // each request of the round sees each value (request k: value k / requests.length).
  const operation: LoadOperation = (context) => {
    const request = requests[context.index % requests.length];
    return options.send({ ...request, path: resolvePath(request.path, Math.floor(context.index / requests.length), bind) }, context);
  };
  const common = {
    label: options.label ?? profile.name,
    ...(requests.length > 1 ? { groupOf: ({ index }: RequestContext) => requests[index % requests.length].name } : {}),
    ...(options.progress === false ? { progress: false as const } : {}),
  };
  const executor = profile.executor;
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return runner.runOpen(operation, { ...common, ratePerSecond: executor.rate, durationMs: executor.durationMs });
    case 'ramping-arrival-rate':
      return runner.runArrivals(operation, new StagedArrivals(executor.startRate, executor.stages), common);
    case 'constant-users':
      return runner.runClosed(operation, {
        ...common,
        concurrency: executor.users,
        ...(executor.iterations !== undefined ? { totalRequests: executor.iterations } : {}),
        ...(executor.durationMs !== undefined ? { durationMs: executor.durationMs } : {}),
        thinkTimeMs: executor.thinkTimeMs ?? 0,
      });
    case 'ramping-users':
      return runner.runStagedUsers(operation, new StagedUsers(executor.startUsers, executor.stages), { ...common, thinkTimeMs: executor.thinkTimeMs ?? 0 });
  }
}

/** The measured value a threshold looks at, and whether it holds. */
export function checkThreshold(result: LoadResult, threshold: Threshold): { holds: boolean; value: number; message: string } {
  switch (threshold.metric) {
    case 'latency': {
      const value = result.latency[threshold.stat];
      const name = threshold.stat === 'avg' ? 'the average response time' : threshold.stat === 'max' ? 'the longest response time' : `the ${threshold.stat.slice(1)}th percentile response time`;
      return { holds: value < threshold.belowMs, value, message: `${name} was ${value.toFixed(1)} ms, expected below ${threshold.belowMs} ms` };
    }
    case 'failure-rate': {
      const value = 1 - result.successRate;
      return { holds: value <= threshold.atMost, value, message: `${(100 * value).toFixed(2)}% of ${result.requests} requests failed, expected at most ${(100 * threshold.atMost).toFixed(2)}%` };
    }
    case 'throughput': {
      const value = result.successThroughput;
      return { holds: value >= threshold.atLeast, value, message: `the throughput was ${value.toFixed(1)} requests per second, expected at least ${threshold.atLeast}` };
    }
    case 'planned-rate-achieved': {
      const planned = result.targetRate ?? 0;
      const value = planned > 0 ? result.successThroughput / planned : 0;
      return {
        holds: planned > 0 && value >= threshold.atLeast,
        value,
        message: planned > 0 ? `${(100 * value).toFixed(1)}% of the planned ${planned.toFixed(1)} requests per second was achieved, expected at least ${(100 * threshold.atLeast).toFixed(0)}%` : 'the load had no planned rate (it was not an open model)',
      };
    }
  }
}

/** Every threshold of the profile that did not hold, one line each. */
export function brokenThresholds(result: LoadResult, thresholds: readonly Threshold[]): string[] {
  return thresholds.map((threshold) => checkThreshold(result, threshold)).filter((check) => !check.holds).map((check) => check.message);
}

/** The profile's shape in words, for the run's log ("5 -> 40 requests per second over 20 s, ..."). */
export function describeExecutor(executor: Executor): string {
  const seconds = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;
  const stages = (start: number, list: readonly Stage[], unit: string): string => {
    let from = start;
    return list
      .map((stage) => {
        const text = stage.target === from ? `${stage.target} ${unit} for ${seconds(stage.durationMs)}` : `${from} -> ${stage.target} ${unit} over ${seconds(stage.durationMs)}`;
        from = stage.target;
        return text;
      })
      .join(', ');
  };
  const think = (ms: number | undefined): string => (ms ? `, ${ms} ms think time` : '');
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return `${executor.rate} requests per second for ${seconds(executor.durationMs)}`;
    case 'ramping-arrival-rate':
      return stages(executor.startRate, executor.stages, 'requests per second');
    case 'constant-users':
      return `${executor.users} users${executor.iterations !== undefined ? `, ${executor.iterations} requests` : ''}${executor.durationMs !== undefined ? ` for ${seconds(executor.durationMs)}` : ''}${think(executor.thinkTimeMs)}`;
    case 'ramping-users':
      return `${stages(executor.startUsers, executor.stages, 'users')}${think(executor.thinkTimeMs)}`;
  }
}
