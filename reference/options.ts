import { randomBytes } from 'node:crypto';
import { parseFaultNames } from './faults';

/**
 * The reference's options: read from the environment (the table in docs/DESIGN.md), optionally
 * overridden in code (in-process mode, tests), validated once. A bad value throws an
 * OptionError whose message is one line naming the variable, the value and what was expected.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

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
const MAX_TIMER_MS = 2_147_483_647;

export interface RateLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

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

export const OPTION_DEFAULTS = {
  NOVACRON_REF_PORT: '8090',
  NOVACRON_REF_HOST: '127.0.0.1',
  DB_URL: 'postgresql://postgres:postgres@localhost:5432/novacron_test',
  NOVACRON_REF_SCHEMA: 'novacron',
  REDIS_URL: 'redis://localhost:6379',
  NOVACRON_REF_REDIS_PREFIX: '',
  NOVACRON_FAULTS: 'none',
  NOVACRON_REF_TIMINGS: '',
  NOVACRON_REF_SIMULATION: 'on',
  NOVACRON_REF_MODULES: 'all',
  NOVACRON_REF_ADMIN_PASSWORD: 'novacron-admin',
  NOVACRON_REF_RATE_LIMIT: '100000/60',
  NOVACRON_LOG_LEVEL: 'warn',
  NOVACRON_REF_MAX_BODY_BYTES: '1048576',
} as const;

type Variable = keyof typeof OPTION_DEFAULTS | 'NOVACRON_REF_JWT_SECRET';
type Env = Record<string, string | undefined>;

export function parseOptions(env: Env = process.env, overrides: ReferenceOverrides = {}): ReferenceOptions {
  const read = (name: keyof typeof OPTION_DEFAULTS): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? OPTION_DEFAULTS[name] : value.trim();
  };
  const timings = parseTimings(read('NOVACRON_REF_TIMINGS'));
  for (const [name, ms] of Object.entries(overrides.timings ?? {})) {
    Object.assign(timings, parseTimings(`${name}=${ms}`, timings));
  }
  checkTimingConsistency(timings);

  const secret = overrides.jwtSecret ?? env.NOVACRON_REF_JWT_SECRET;
  const options: ReferenceOptions = {
    port: parsePort(given(overrides.port) ?? read('NOVACRON_REF_PORT')),
    host: parseHost(overrides.host ?? read('NOVACRON_REF_HOST')),
    databaseUrl: parseUrl('DB_URL', overrides.databaseUrl ?? read('DB_URL'), ['postgresql:', 'postgres:'], OPTION_DEFAULTS.DB_URL, (url) =>
      /^\/[^/]+$/.test(url.pathname),
    ),
    schema: parseSchema(overrides.schema ?? read('NOVACRON_REF_SCHEMA')),
    redisUrl: parseUrl('REDIS_URL', overrides.redisUrl ?? read('REDIS_URL'), ['redis:', 'rediss:'], OPTION_DEFAULTS.REDIS_URL, (url) =>
      /^(\/\d*)?$/.test(url.pathname),
    ),
    redisPrefix: parseRedisPrefix(overrides.redisPrefix ?? env.NOVACRON_REF_REDIS_PREFIX ?? OPTION_DEFAULTS.NOVACRON_REF_REDIS_PREFIX),
    faults: parseFaults(overrides.faults ? overrides.faults.join(',') || 'none' : read('NOVACRON_FAULTS')),
    timings: Object.freeze(timings),
    simulation: parseSwitch(overrides.simulation === undefined ? read('NOVACRON_REF_SIMULATION') : overrides.simulation ? 'on' : 'off'),
    ...parseModules(overrides.modules ? overrides.modules.join(',') : read('NOVACRON_REF_MODULES')),
    adminPassword: parseAdminPassword(overrides.adminPassword ?? read('NOVACRON_REF_ADMIN_PASSWORD')),
    rateLimit: parseRateLimit(overrides.rateLimit ? `${overrides.rateLimit.requests}/${overrides.rateLimit.windowSeconds}` : read('NOVACRON_REF_RATE_LIMIT')),
    logLevel: parseLogLevel(overrides.logLevel ?? read('NOVACRON_LOG_LEVEL')),
    jwtSecret: secret === undefined || secret === '' ? randomBytes(32).toString('base64url') : parseSecret(secret),
    maxBodyBytes: parseWholeNumber('NOVACRON_REF_MAX_BODY_BYTES', given(overrides.maxBodyBytes) ?? read('NOVACRON_REF_MAX_BODY_BYTES'), 1024, 64 * 1024 * 1024, 'bytes'),
  };
  return Object.freeze(options);
}

function given(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function invalid(variable: Variable, value: string, expected: string): OptionError {
  return new OptionError(`${variable}="${redact(value)}" is not valid: expected ${expected}`);
}

/** Hides the password of a URL, so an error message never prints it. */
function redact(value: string): string {
  return value.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}

function parseWholeNumber(variable: Variable, value: string, min: number, max: number, unit = ''): number {
  const expected = `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  if (!/^\d+$/.test(value)) throw invalid(variable, value, expected);
  const number = Number(value);
  if (number < min || number > max) throw invalid(variable, value, expected);
  return number;
}

function parsePort(value: string): number {
  return parseWholeNumber('NOVACRON_REF_PORT', value, 0, 65535);
}

function parseHost(value: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(value)) throw invalid('NOVACRON_REF_HOST', value, 'a host name or IP address to bind, such as 127.0.0.1');
  return value;
}

function parseUrl(variable: Variable, value: string, protocols: string[], example: string, pathCheck: (url: URL) => boolean): string {
  const expected = `a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL such as ${example}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, value, expected);
  }
  if (!protocols.includes(url.protocol) || url.hostname === '' || !pathCheck(url)) throw invalid(variable, value, expected);
  return value;
}

function parseSchema(value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw invalid('NOVACRON_REF_SCHEMA', value, 'a PostgreSQL schema name: lower-case letters, digits and _, not starting with a digit, at most 63 characters');
  }
  return value;
}

function parseRedisPrefix(value: string): string {
  if (!/^[A-Za-z0-9:_.\-{}]{0,100}$/.test(value)) {
    throw invalid('NOVACRON_REF_REDIS_PREFIX', value, 'at most 100 letters, digits or the characters : _ . - { } (empty for no prefix)');
  }
  return value;
}

function parseFaults(value: string): string[] {
  try {
    return parseFaultNames(value);
  } catch (error) {
    throw invalid('NOVACRON_FAULTS', value, `"none" or a comma-separated list of known faults: ${(error as Error).message}`);
  }
}

/** `all`, or module names separated by commas (checked against reference/modules.ts when the reference starts). */
function parseModules(value: string): { modules?: readonly string[] } {
  if (value === 'all') return {};
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0 || names.some((name) => !/^[a-z][a-z-]*$/.test(name))) {
    throw invalid('NOVACRON_REF_MODULES', value, '"all" or module names separated by commas, e.g. "health,auth,vms"');
  }
  return { modules: Object.freeze([...new Set(names)]) };
}

function parseSwitch(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'on') return true;
  if (lower === 'off') return false;
  throw invalid('NOVACRON_REF_SIMULATION', value, 'on or off');
}

function parseAdminPassword(value: string): string {
  if (value.length < 8 || value.length > 200) throw invalid('NOVACRON_REF_ADMIN_PASSWORD', '(hidden)', 'a password of 8 to 200 characters');
  return value;
}

function parseSecret(value: string): string {
  if (value.length < 16) throw invalid('NOVACRON_REF_JWT_SECRET', '(hidden)', 'a secret of at least 16 characters');
  return value;
}

function parseRateLimit(value: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const expected = '<requests>/<seconds> with 1 to 1000000000 requests per 1 to 86400 seconds, such as 100000/60';
  if (!match) throw invalid('NOVACRON_REF_RATE_LIMIT', value, expected);
  const requests = Number(match[1]);
  const windowSeconds = Number(match[2]);
  if (requests < 1 || requests > 1_000_000_000 || windowSeconds < 1 || windowSeconds > 86_400) throw invalid('NOVACRON_REF_RATE_LIMIT', value, expected);
  return { requests, windowSeconds };
}

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

function parseLogLevel(value: string): LogLevel {
  const lower = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(lower)) throw invalid('NOVACRON_LOG_LEVEL', value, `one of ${LOG_LEVELS.join(', ')}`);
  return lower as LogLevel;
}

/** `name=ms,...` over the defaults (or over `base`). */
export function parseTimings(value: string, base: Timings = DEFAULT_TIMINGS): Record<TimingName, number> {
  const timings: Record<TimingName, number> = { ...base };
  const known = Object.keys(DEFAULT_TIMINGS) as TimingName[];
  for (const entry of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^([a-z_]+)\s*=\s*(\S+)$/.exec(entry);
    if (!match) throw invalid('NOVACRON_REF_TIMINGS', value, `name=milliseconds pairs separated by commas, such as provision_step=20,heartbeat=30 (got "${entry}")`);
    const name = match[1] as TimingName;
    if (!known.includes(name)) throw invalid('NOVACRON_REF_TIMINGS', value, `timing names among ${known.join(', ')} (got "${match[1]}")`);
    const max = TIMING_LIMITS[name] ?? MAX_TIMER_MS;
    if (!/^\d+$/.test(match[2]) || Number(match[2]) > max) {
      throw invalid('NOVACRON_REF_TIMINGS', value, `${name} as a whole number of milliseconds from 0 to ${max} (got "${match[2]}")`);
    }
    timings[name] = Number(match[2]);
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

