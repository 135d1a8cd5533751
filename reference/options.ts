import { randomBytes } from 'node:crypto';
import { Invalid, invalidMessage, MAX_TIMER_MS, parseTimingPairs, readVariable, type Env, type LogLevel, type RateLimit, type VariableName } from '@novacron-spec/variables';
import { parseFaultNames } from './faults';

/**
 * The reference's options: read from the environment through the variables' one definition
 * (`@novacron-spec/variables`, shared with the suite), optionally overridden in code (in-process
 * mode, tests), validated once. A bad value throws an OptionError whose message is one line naming
 * the variable, the value and what was expected.
 */

export type { LogLevel, RateLimit };

/**
 * Every delay of the simulated control plane, in milliseconds. Fast defaults keep the suite quick;
 * `NOVACRON_REF_TIMINGS=name=ms,...` overrides them. Domains add their entries here.
 */
export const DEFAULT_TIMINGS = {
  /** One step of VM provisioning: creating -> provisioning, then provisioning -> running. */
  provision_step: 50,
  /** Raft election timeout, drawn at random between min and max. */
  election_timeout_min: 150,
  election_timeout_max: 300,
  /** Raft leader heartbeat. */
  heartbeat: 50,
  /** How often the autoscaler evaluates its policies. */
  autoscaler_interval: 200,
  /** How long the autoscaler waits after a scaling action before the next one. */
  cooldown: 1000,
  /** One step of a VM migration's progress. */
  migration_step: 100,
  /** One step of an MLE-Star stage. */
  mlestar_stage_step: 50,
  /** How long health probes of the database and Redis are reused (at most 1 s). */
  health_cache: 1000,
  /** Lifetime of an access token. */
  access_token_ttl: 15 * 60_000,
  /** Lifetime of a refresh token. */
  refresh_token_ttl: 24 * 60 * 60_000,
  /** How long an account stays locked after 5 failed sign-ins in a row. */
  lockout: 60_000,
} as const;

export type TimingName = keyof typeof DEFAULT_TIMINGS;
export type Timings = { readonly [K in TimingName]: number };

/** Upper bounds where a timing has one; everything else is capped at setTimeout's limit. */
const TIMING_LIMITS: Partial<Record<TimingName, number>> = { health_cache: 1000 };

export interface ReferenceOptions {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly faults: readonly string[];
  readonly timings: Timings;
  readonly simulation: boolean;
  /** The modules to run (NOVACRON_REF_MODULES); undefined: all of them. The others answer "no such operation". */
  readonly modules?: readonly string[];
  readonly adminPassword: string;
  readonly rateLimit: RateLimit;
  readonly logLevel: LogLevel;
  /** HS256 key of the access tokens; random per start unless NOVACRON_REF_JWT_SECRET is set. */
  readonly jwtSecret: string;
  /** Largest accepted JSON request body, in bytes. */
  readonly maxBodyBytes: number;
}

/** Values given in code; each is validated like its environment variable. */
export interface ReferenceOverrides {
  port?: number;
  host?: string;
  databaseUrl?: string;
  schema?: string;
  redisUrl?: string;
  redisPrefix?: string;
  faults?: readonly string[];
  /** Merged over NOVACRON_REF_TIMINGS. */
  timings?: Partial<Record<TimingName, number>>;
  simulation?: boolean;
  modules?: readonly string[];
  adminPassword?: string;
  rateLimit?: RateLimit;
  logLevel?: LogLevel;
  jwtSecret?: string;
  maxBodyBytes?: number;
}

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

export function parseOptions(env: Env = process.env, overrides: ReferenceOverrides = {}): ReferenceOptions {
  const given = { ...env, ...overridesAsText(overrides) };
  const read = <N extends VariableName>(name: N) => readVariable(given, name, (message) => new OptionError(message));
  const timings = parseTimings(given.NOVACRON_REF_TIMINGS ?? '');
  for (const [name, ms] of Object.entries(overrides.timings ?? {})) {
    Object.assign(timings, parseTimings(`${name}=${ms}`, timings));
  }
  checkTimingConsistency(timings);

  const modules = read('NOVACRON_REF_MODULES');
  const options: ReferenceOptions = {
    port: read('NOVACRON_REF_PORT')!,
    host: read('NOVACRON_REF_HOST')!,
    databaseUrl: read('DB_URL')!,
    schema: read('NOVACRON_REF_SCHEMA')!,
    redisUrl: read('REDIS_URL')!,
    redisPrefix: read('NOVACRON_REF_REDIS_PREFIX')!,
    faults: knownFaults(read('NOVACRON_FAULTS')!),
    timings: Object.freeze(timings),
    simulation: read('NOVACRON_REF_SIMULATION')!,
    ...(modules ? { modules } : {}),
    adminPassword: read('NOVACRON_REF_ADMIN_PASSWORD')!,
    rateLimit: read('NOVACRON_REF_RATE_LIMIT')!,
    logLevel: read('NOVACRON_LOG_LEVEL')!,
    jwtSecret: read('NOVACRON_REF_JWT_SECRET') ?? randomBytes(32).toString('base64url'),
    maxBodyBytes: read('NOVACRON_REF_MAX_BODY_BYTES')!,
  };
  return Object.freeze(options);
}

/** The values given in code, as the text of their variables, so they are validated the same way. */
function overridesAsText(overrides: ReferenceOverrides): Env {
  const text: Env = {};
  const set = (name: VariableName, value: string | undefined) => {
    if (value !== undefined) text[name] = value === '' ? ' ' : value;
  };
  set('NOVACRON_REF_PORT', overrides.port === undefined ? undefined : String(overrides.port));
  set('NOVACRON_REF_HOST', overrides.host);
  set('DB_URL', overrides.databaseUrl);
  set('NOVACRON_REF_SCHEMA', overrides.schema);
  set('REDIS_URL', overrides.redisUrl);
  set('NOVACRON_REF_REDIS_PREFIX', overrides.redisPrefix);
  set('NOVACRON_FAULTS', overrides.faults && (overrides.faults.join(',') || 'none'));
  set('NOVACRON_REF_SIMULATION', overrides.simulation === undefined ? undefined : overrides.simulation ? 'on' : 'off');
  set('NOVACRON_REF_MODULES', overrides.modules?.join(','));
  set('NOVACRON_REF_ADMIN_PASSWORD', overrides.adminPassword);
  set('NOVACRON_REF_RATE_LIMIT', overrides.rateLimit && `${overrides.rateLimit.requests}/${overrides.rateLimit.windowSeconds}`);
  set('NOVACRON_LOG_LEVEL', overrides.logLevel);
  set('NOVACRON_REF_JWT_SECRET', overrides.jwtSecret);
  set('NOVACRON_REF_MAX_BODY_BYTES', overrides.maxBodyBytes === undefined ? undefined : String(overrides.maxBodyBytes));
  return text;
}

function invalid(variable: VariableName, value: string, expected: string): OptionError {
  return new OptionError(invalidMessage(variable, value, expected));
}

/** The fault names, each checked against the catalog. */
function knownFaults(names: readonly string[]): string[] {
  try {
    return parseFaultNames(names.join(','));
  } catch (error) {
    throw invalid('NOVACRON_FAULTS', names.join(','), `"none" or a comma-separated list of known faults: ${(error as Error).message}`);
  }
}

/** `name=ms,...` over the defaults (or over `base`). */
export function parseTimings(value: string, base: Timings = DEFAULT_TIMINGS): Record<TimingName, number> {
  const timings: Record<TimingName, number> = { ...base };
  const known = Object.keys(DEFAULT_TIMINGS) as TimingName[];
  const pairs = parseTimingPairs(value);
  if (pairs instanceof Invalid) throw invalid('NOVACRON_REF_TIMINGS', value, pairs.expected);
  for (const [given, ms] of Object.entries(pairs)) {
    const name = given as TimingName;
    if (!known.includes(name)) throw invalid('NOVACRON_REF_TIMINGS', value, `timing names among ${known.join(', ')} (got "${given}")`);
    const max = TIMING_LIMITS[name] ?? MAX_TIMER_MS;
    if (!/^\d+$/.test(ms) || Number(ms) > max) {
      throw invalid('NOVACRON_REF_TIMINGS', value, `${name} as a whole number of milliseconds from 0 to ${max} (got "${ms}")`);
    }
    timings[name] = Number(ms);
  }
  return timings;
}

function checkTimingConsistency(timings: Timings): void {
  if (timings.election_timeout_min > timings.election_timeout_max) {
    throw invalid(
      'NOVACRON_REF_TIMINGS',
      `election_timeout_min=${timings.election_timeout_min},election_timeout_max=${timings.election_timeout_max}`,
      'election_timeout_min at most election_timeout_max',
    );
  }
  if (timings.access_token_ttl < 1000) {
    throw invalid('NOVACRON_REF_TIMINGS', `access_token_ttl=${timings.access_token_ttl}`, 'access_token_ttl of at least 1000 ms');
  }
  if (timings.refresh_token_ttl < 1000) {
    throw invalid('NOVACRON_REF_TIMINGS', `refresh_token_ttl=${timings.refresh_token_ttl}`, 'refresh_token_ttl of at least 1000 ms');
  }
}

