import type { Executor, LoadProfile, ProfileRequest, Threshold } from './profile';
import { validateProfile } from './profile';

/**
 * A load profile as an Artillery 2.x test script (a plain object; write it as YAML), so the same
 * load can run on Artillery's distributed runners when one machine is not enough.
 *
 * Open models map one to one: every arriving virtual user sends one request, picked by weight
 * among the profile's requests, so Artillery's arrival rate is the profile's request rate. A
 * closed model with a number of requests (constant-users with iterations) becomes its users
 * arriving at once, each looping over the requests. Closed models bounded by time
 * (constant-users with durationMs, ramping-users) have no Artillery equivalent: the export refuses
 * them in one line.
 */
export interface ArtilleryScript {
  config: {
    target: string;
    phases: ArtilleryPhase[];
    http: { timeout: number };
    payload?: { path: string; fields: string[]; order: 'sequence'; skipHeader: boolean };
    plugins: { expect: Record<string, never> };
    ensure: { maxErrorRate?: number; thresholds?: Record<string, number>[]; conditions?: { expression: string; strict: boolean }[] };
  };
  scenarios: ArtilleryScenario[];
}

export type ArtilleryPhase = { name: string; duration: number } & ({ arrivalRate: number; rampTo?: number } | { arrivalCount: number });

interface ArtilleryScenario {
  name: string;
  weight?: number;
  flow: unknown[];
}

export interface ArtilleryExportOptions {
  /** the target's base URL */
  target: string;
  /** a CSV file (one column per placeholder, no header) with the values of the paths' `{placeholders}` */
  payloadPath?: string;
  /** sent as `authorization: Bearer <token>` on every request: an Artillery template such as `{{ $env.NOVACRON_TOKEN }}` */
  token?: string;
  /** seconds */
  timeoutSeconds?: number;
}

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

function placeholders(requests: readonly ProfileRequest[]): string[] {
  return [...new Set(requests.flatMap((request) => [...request.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '')))];
}

function step(request: ProfileRequest, token: string | undefined): Record<string, unknown> {
  const method = (request.method ?? 'GET').toLowerCase();
  return {
    [method]: {
      url: request.path.replace(/\{(\w+)\}/g, '{{ $1 }}'),
      name: request.name,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      // a request answered 4xx or 5xx fails its virtual user, as it fails the request in our engine
      expect: [{ statusCode: [200, 201, 202, 204] }],
    },
  };
}

function phases(profile: LoadProfile): ArtilleryPhase[] {
  const executor: Executor = profile.executor;
  switch (executor.kind) {
    case 'constant-arrival-rate':
      return [{ name: `${executor.rate} requests per second`, duration: seconds(executor.durationMs), arrivalRate: executor.rate }];
    case 'ramping-arrival-rate': {
      let from = executor.startRate;
      return executor.stages.map((stage, index) => {
        const phase: ArtilleryPhase =
          stage.target === from
            ? { name: `stage ${index + 1}: ${from} requests per second`, duration: seconds(stage.durationMs), arrivalRate: from }
            : { name: `stage ${index + 1}: ${from} -> ${stage.target} requests per second`, duration: seconds(stage.durationMs), arrivalRate: from, rampTo: stage.target };
        from = stage.target;
        return phase;
      });
    }
    case 'constant-users':
      if (executor.iterations === undefined || executor.durationMs !== undefined) break;
      return [{ name: `${executor.users} users`, duration: 1, arrivalCount: executor.users }];
    case 'ramping-users':
      break;
  }
  throw new Error(
    `load profile "${profile.name}": a ${executor.kind} profile bounded by time has no Artillery equivalent (Artillery starts users, it does not hold a number of them); export an arrival-rate profile or constant-users with iterations`,
  );
}

function scenarios(profile: LoadProfile, token: string | undefined): ArtilleryScenario[] {
  const executor = profile.executor;
  if (executor.kind === 'constant-users' && executor.iterations !== undefined) {
    const rounds = Math.ceil(executor.iterations / (executor.users * profile.requests.length));
    const think = executor.thinkTimeMs ? [{ think: executor.thinkTimeMs / 1000 }] : [];
    return [{ name: profile.name, flow: [{ loop: profile.requests.flatMap((request) => [step(request, token), ...think]), count: rounds }] }];
  }
  // One request per arriving user, picked by weight: the arrival rate is the request rate.
  return profile.requests.map((request) => ({ name: request.name, weight: 1, flow: [step(request, token)] }));
}

function ensure(profile: LoadProfile): ArtilleryScript['config']['ensure'] {
  const result: ArtilleryScript['config']['ensure'] = {};
  const thresholds: Record<string, number>[] = [];
  const conditions: { expression: string; strict: boolean }[] = [];
  const planned = plannedRate(profile.executor);
  for (const threshold of profile.thresholds as readonly Threshold[]) {
    switch (threshold.metric) {
      case 'latency':
        thresholds.push({ [`http.response_time.${threshold.stat === 'avg' ? 'mean' : threshold.stat}`]: threshold.belowMs });
        break;
      case 'failure-rate':
        result.maxErrorRate = 100 * threshold.atMost;
        break;
      case 'throughput':
        conditions.push({ expression: `http.request_rate >= ${threshold.atLeast}`, strict: true });
        break;
      case 'planned-rate-achieved':
        if (planned !== undefined) conditions.push({ expression: `http.request_rate >= ${+(planned * threshold.atLeast).toFixed(2)}`, strict: true });
        break;
    }
  }
  if (thresholds.length > 0) result.thresholds = thresholds;
  if (conditions.length > 0) result.conditions = conditions;
  return result;
}

/** The average planned request rate of an open model. */
function plannedRate(executor: Executor): number | undefined {
  if (executor.kind === 'constant-arrival-rate') return executor.rate;
  if (executor.kind !== 'ramping-arrival-rate') return undefined;
  let from = executor.startRate;
  let requests = 0;
  let ms = 0;
  for (const stage of executor.stages) {
    requests += ((from + stage.target) / 2) * (stage.durationMs / 1000);
    ms += stage.durationMs;
    from = stage.target;
  }
  return requests / (ms / 1000);
}

export function toArtillery(profile: LoadProfile, options: ArtilleryExportOptions): ArtilleryScript {
  validateProfile(profile);
  const fields = placeholders(profile.requests);
  if (fields.length > 0 && !options.payloadPath) {
    throw new Error(`load profile "${profile.name}": its paths need ${fields.map((f) => `{${f}}`).join(', ')}: give a CSV file of their values (--payload <file.csv>)`);
  }
  return {
    config: {
      target: options.target,
      phases: phases(profile),
      http: { timeout: options.timeoutSeconds ?? 30 },
      ...(fields.length > 0 && options.payloadPath ? { payload: { path: options.payloadPath, fields, order: 'sequence' as const, skipHeader: false } } : {}),
      plugins: { expect: {} },
      ensure: ensure(profile),
    },
    scenarios: scenarios(profile, options.token),
  };
}
