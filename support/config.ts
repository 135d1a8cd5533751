import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactUrl } from './redact';

/**
 * The suite's configuration: every variable of the integration test guide (plus the suite's own),
 * parsed and validated once into a frozen object. Environment variables win over `.env.test`.
 */

export type TestMode = 'integration' | 'ci';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type ContractMode = 'strict' | 'warn' | 'off';
/** `embedded`: the suite's own reference server (started here, or by the wrapper that handed over its URL). */
export type TargetKind = 'embedded' | 'external';

export interface Config {
  readonly mode: TestMode;
  /** The NovaCron API under test, without a trailing slash; undefined = start the embedded reference. */
  readonly apiUrl: string | undefined;
  readonly targetKind: TargetKind;
  readonly uiUrl: string;
  readonly dbUrl: string;
  readonly redisUrl: string;
  readonly useDocker: boolean;
  readonly parallel: boolean;
  readonly coverage: boolean;
  readonly debug: boolean;
  /** Per-step timeout (NOVACRON_TEST_TIMEOUT). */
  readonly timeoutMs: number;
  /** How long to wait for the target and the services to answer (NOVACRON_STARTUP_TIMEOUT). */
  readonly startupTimeoutMs: number;
  readonly loadUsers: number;
  readonly loadDurationMs: number;
  readonly loadRampUpMs: number;
  readonly loadThinkTimeMs: number;
  readonly logLevel: LogLevel;
  readonly workers: number;
  readonly contractMode: ContractMode;
  /** Fault names for the embedded reference (validated by the reference); empty = none. */
  readonly faults: readonly string[];
  readonly adminUsername: string;
  readonly adminPassword: string;
  /** PostgreSQL schema holding the target's tables. */
  readonly dbSchema: string;
  /** Prefix of every Redis key of the target. */
  readonly redisPrefix: string;
  /** NOVACRON_REF_TIMINGS, passed through to the embedded reference as is. */
  readonly referenceTimings: string | undefined;
  /** The embedded reference compiled to JavaScript (NOVACRON_REFERENCE_ENTRY, set by the mutation runner); undefined: reference/main.ts through ts-node. */
  readonly referenceEntry: string | undefined;
  /** Absolute path of the folder the run writes its reports to (NOVACRON_REPORTS_DIR). */
  readonly reportsDir: string;
  /** How many times the `ci` profile runs a failed scenario again (NOVACRON_RETRY). */
  readonly ciRetries: number;
  /** The `.env.test` file that was read, if any. */
  readonly envFile: string | undefined;
  /** Model-based checks: sequences per check (NOVACRON_MODEL_RUNS) and their longest length (NOVACRON_MODEL_STEPS). */
  readonly modelRuns: number;
  readonly modelSteps: number;
  /** NOVACRON_SEED: replays the model checks of a run, or one shrunk sequence. */
  readonly modelReplay: ModelReplay | undefined;
  /** Non-fatal findings, e.g. an unknown NOVACRON_* variable (already written to stderr). */
  readonly warnings: readonly string[];
}

/** `<seed>` replays the model checks from their start; `<seed>/<path>/<replayPath>` one shrunk sequence. */
export interface ModelReplay {
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MAX_TIMER_MS = 2_147_483_647; // setTimeout's limit; longer delays fire at once

const DEFAULTS = {
  NOVACRON_TEST_MODE: 'integration',
  NOVACRON_UI_URL: 'http://localhost:8092',
  DB_URL: 'postgresql://postgres:postgres@localhost:5432/novacron_test',
  REDIS_URL: 'redis://localhost:6379',
  NOVACRON_USE_DOCKER: 'false',
  NOVACRON_TEST_PARALLEL: 'true',
  NOVACRON_TEST_COVERAGE: 'false',
  NOVACRON_TEST_DEBUG: 'false',
  NOVACRON_TEST_TIMEOUT: '300000',
  NOVACRON_STARTUP_TIMEOUT: '25000',
  LOAD_TEST_USERS: '50',
  LOAD_TEST_DURATION: '300000',
  LOAD_TEST_RAMPUP: '60000',
  LOAD_TEST_THINK_TIME: '0',
  NOVACRON_LOG_LEVEL: 'info',
  NOVACRON_TEST_WORKERS: '2',
  NOVACRON_CONTRACT: 'strict',
  NOVACRON_FAULTS: 'none',
  NOVACRON_ADMIN_USERNAME: 'admin',
  NOVACRON_ADMIN_PASSWORD: 'novacron-admin',
  NOVACRON_DB_SCHEMA: 'novacron',
  NOVACRON_REDIS_PREFIX: '',
  NOVACRON_REPORTS_DIR: 'reports',
  NOVACRON_RETRY: '1',
} as const;

/** Set by the suite's own scripts for the processes they start, not by people. */
export const INTERNAL_VARIABLES: readonly string[] = ['NOVACRON_TARGET_KIND', 'NOVACRON_ENDPOINT_FIGURES', 'NOVACRON_VERIFY_MESSAGES', 'NOVACRON_REPORTS_CLAIMED', 'NOVACRON_TARGET_DISCOVERY', 'NOVACRON_REFERENCE_ENTRY'];

/** Every variable the suite reads, plus the reference's own (reference/options.ts), for the typo guard. */
export const KNOWN_VARIABLES: readonly string[] = [
  ...Object.keys(DEFAULTS),
  ...INTERNAL_VARIABLES,
  'NOVACRON_API_URL',
  'NOVACRON_SEED',
  'NOVACRON_MODEL_RUNS',
  'NOVACRON_MODEL_STEPS',
  'NOVACRON_REF_TIMINGS',
  'NOVACRON_REF_PORT',
  'NOVACRON_REF_HOST',
  'NOVACRON_REF_SCHEMA',
  'NOVACRON_REF_REDIS_PREFIX',
  'NOVACRON_REF_SIMULATION',
  'NOVACRON_REF_MODULES',
  'NOVACRON_REF_ADMIN_PASSWORD',
  'NOVACRON_REF_RATE_LIMIT',
  'NOVACRON_REF_MAX_BODY_BYTES',
  'NOVACRON_REF_JWT_SECRET',
];

export interface LoadConfigOptions {
  /** Receives each warning line; stderr by default. */
  onWarning?: (line: string) => void;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd(), options: LoadConfigOptions = {}): Config {
  const envFile = join(cwd, '.env.test');
  const fileValues = readEnvFile(envFile);
  const merged: Env = { ...(fileValues ?? {}), ...definedOnly(env) };
  const read = new Reader(merged);

  const apiUrl = read.optional('NOVACRON_API_URL', parseHttpUrl);
  const targetKind = read.optional('NOVACRON_TARGET_KIND', oneOf(['embedded', 'external'] as const)) ?? (apiUrl ? 'external' : 'embedded');
  if (!apiUrl && targetKind === 'external') {
    throw new ConfigError('NOVACRON_TARGET_KIND="external" is not valid: expected NOVACRON_API_URL to name the external target (or leave both unset)');
  }
  const faults = read.required('NOVACRON_FAULTS', parseFaultList);
  if (apiUrl && targetKind === 'external' && faults.length > 0) {
    throw new ConfigError(
      `NOVACRON_FAULTS="${faults.join(',')}" cannot be used with NOVACRON_API_URL="${redactUrl(apiUrl)}": faults only apply to the embedded reference (unset one of them)`,
    );
  }

  const debug = read.required('NOVACRON_TEST_DEBUG', parseBoolean);
  const logLevel = read.required('NOVACRON_LOG_LEVEL', oneOf(['error', 'warn', 'info', 'debug'] as const));
  const loadDurationMs = read.required('LOAD_TEST_DURATION', wholeNumber(1, MAX_TIMER_MS, 'milliseconds'));
  const rampUpGiven = read.isSet('LOAD_TEST_RAMPUP');
  const loadRampUpMs = read.required('LOAD_TEST_RAMPUP', wholeNumber(0, MAX_TIMER_MS, 'milliseconds'));
  if (rampUpGiven && loadRampUpMs > loadDurationMs) {
    throw new ConfigError(
      `LOAD_TEST_RAMPUP="${loadRampUpMs}" is not valid: expected at most LOAD_TEST_DURATION (${loadDurationMs} ms), since the ramp-up is part of the test duration`,
    );
  }

  const mode = read.required('NOVACRON_TEST_MODE', oneOf(['integration', 'ci'] as const));
  const warnings = unknownVariableWarnings(merged);
  warnings.forEach(options.onWarning ?? warnOncePerProcess);

  return deepFreeze({
    mode,
    apiUrl,
    targetKind,
    uiUrl: read.required('NOVACRON_UI_URL', parseHttpUrl),
    dbUrl: read.required('DB_URL', parsePostgresUrl),
    redisUrl: read.required('REDIS_URL', parseRedisUrl),
    useDocker: read.required('NOVACRON_USE_DOCKER', parseBoolean),
    parallel: read.required('NOVACRON_TEST_PARALLEL', parseBoolean),
    coverage: read.required('NOVACRON_TEST_COVERAGE', parseBoolean),
    debug,
    timeoutMs: read.required('NOVACRON_TEST_TIMEOUT', wholeNumber(1, MAX_TIMER_MS, 'milliseconds')),
    startupTimeoutMs: read.required('NOVACRON_STARTUP_TIMEOUT', wholeNumber(1, MAX_TIMER_MS, 'milliseconds')),
    loadUsers: read.required('LOAD_TEST_USERS', wholeNumber(1, 10_000)),
    loadDurationMs,
    // An unset ramp-up never outlasts a shortened test.
    loadRampUpMs: rampUpGiven ? loadRampUpMs : Math.min(loadRampUpMs, loadDurationMs),
    loadThinkTimeMs: read.required('LOAD_TEST_THINK_TIME', wholeNumber(0, MAX_TIMER_MS, 'milliseconds')),
    logLevel: debug ? 'debug' : logLevel,
    workers: read.required('NOVACRON_TEST_WORKERS', wholeNumber(1, 64)),
    contractMode: read.required('NOVACRON_CONTRACT', oneOf(['strict', 'warn', 'off'] as const)),
    faults,
    adminUsername: read.required('NOVACRON_ADMIN_USERNAME', parseText),
    adminPassword: read.required('NOVACRON_ADMIN_PASSWORD', parseText),
    dbSchema: read.required('NOVACRON_DB_SCHEMA', parseIdentifier),
    redisPrefix: read.raw('NOVACRON_REDIS_PREFIX') ?? DEFAULTS.NOVACRON_REDIS_PREFIX,
    referenceTimings: read.optional('NOVACRON_REF_TIMINGS', parseText),
    referenceEntry: read.optional('NOVACRON_REFERENCE_ENTRY', parseReferenceEntry),
    reportsDir: resolve(cwd, read.required('NOVACRON_REPORTS_DIR', parseText)),
    ciRetries: read.required('NOVACRON_RETRY', wholeNumber(0, 10)),
    envFile: fileValues ? envFile : undefined,
    modelRuns: read.optional('NOVACRON_MODEL_RUNS', wholeNumber(1, 10_000)) ?? (mode === 'ci' ? 5 : 15),
    modelSteps: read.optional('NOVACRON_MODEL_STEPS', wholeNumber(1, 1_000)) ?? (mode === 'ci' ? 40 : 60),
    modelReplay: read.optional('NOVACRON_SEED', parseReplay),
    warnings,
  } satisfies Config);
}

const warned = new Set<string>();

/** loadConfig runs in several places of one process (hooks, suite, report); say each warning once. */
function warnOncePerProcess(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`${line}\n`);
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use from process.env and ./.env.test. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

export type ConfigSummary = Readonly<Record<string, string | number | boolean>>;

/** What the run was configured with, for the report's `environment` section. Passwords never appear. */
export function describeConfig(config: Config): ConfigSummary {
  return {
    mode: config.mode,
    target: config.apiUrl ? redactUrl(config.apiUrl) : 'embedded reference',
    targetKind: config.targetKind,
    uiUrl: redactUrl(config.uiUrl),
    database: redactUrl(config.dbUrl),
    dbSchema: config.dbSchema,
    redis: redactUrl(config.redisUrl),
    redisPrefix: config.redisPrefix,
    useDocker: config.useDocker,
    parallel: config.parallel,
    workers: config.workers,
    coverage: config.coverage,
    debug: config.debug,
    logLevel: config.logLevel,
    stepTimeoutMs: config.timeoutMs,
    startupTimeoutMs: config.startupTimeoutMs,
    contractMode: config.contractMode,
    faults: config.faults.length > 0 ? config.faults.join(',') : 'none',
    referenceTimings: config.referenceTimings ?? 'defaults',
    adminUsername: config.adminUsername,
    loadUsers: config.loadUsers,
    loadDurationMs: config.loadDurationMs,
    loadRampUpMs: config.loadRampUpMs,
    loadThinkTimeMs: config.loadThinkTimeMs,
    modelRuns: config.modelRuns,
    modelSteps: config.modelSteps,
    modelSeed: config.modelReplay ? String(config.modelReplay.seed) : 'random',
    ciRetries: config.ciRetries,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading values

type Parser<T> = (value: string) => T | Invalid;

class Invalid {
  constructor(readonly expected: string) {}
}

class Reader {
  constructor(private readonly values: Env) {}

  /** The value as written (untrimmed), or undefined when unset. */
  raw(name: string): string | undefined {
    return this.values[name];
  }

  /** Empty or blank counts as unset, so `NAME=` in a file means "use the default". */
  isSet(name: string): boolean {
    return (this.values[name] ?? '').trim() !== '';
  }

  optional<T>(name: string, parse: Parser<T>): T | undefined {
    return this.isSet(name) ? this.parse(name, this.values[name]!.trim(), parse) : undefined;
  }

  required<T>(name: keyof typeof DEFAULTS, parse: Parser<T>): T {
    return this.optional(name, parse) ?? this.parse(name, DEFAULTS[name], parse);
  }

  private parse<T>(name: string, value: string, parse: Parser<T>): T {
    const result = parse(value);
    if (result instanceof Invalid) {
      throw new ConfigError(`${name}="${redactUrl(value)}" is not valid: expected ${result.expected}`);
    }
    return result;
  }
}

function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (value) => (choices as readonly string[]).includes(value) ? (value as T) : new Invalid(`one of ${choices.join(', ')}`);
}

function parseBoolean(value: string): boolean | Invalid {
  const lower = value.toLowerCase();
  if (['true', '1', 'yes'].includes(lower)) return true;
  if (['false', '0', 'no'].includes(lower)) return false;
  return new Invalid('true or false (also 1/0, yes/no)');
}

function wholeNumber(min: number, max: number, unit?: string): Parser<number> {
  const expected = `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return (value) => {
    if (!/^\d+$/.test(value)) return new Invalid(expected);
    const number = Number(value);
    return number >= min && number <= max ? number : new Invalid(expected);
  };
}

function parseUrl(value: string, protocols: readonly string[], example: string, extraCheck?: (url: URL) => boolean): string | Invalid {
  const names = protocols.map((p) => p.replace(/:$/, '')).join(' or ');
  const expected = `${names.startsWith('http') ? 'an' : 'a'} ${names} URL such as ${example}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return new Invalid(expected);
  }
  if (!protocols.includes(url.protocol) || url.hostname === '' || (extraCheck && !extraCheck(url))) return new Invalid(expected);
  return value;
}

function parseHttpUrl(value: string): string | Invalid {
  const result = parseUrl(value, ['http:', 'https:'], 'http://localhost:8090', (url) => url.search === '' && url.hash === '');
  return typeof result === 'string' ? result.replace(/\/+$/, '') : result;
}

function parsePostgresUrl(value: string): string | Invalid {
  return parseUrl(value, ['postgresql:', 'postgres:'], DEFAULTS.DB_URL, (url) => /^\/[^/]+$/.test(url.pathname));
}

function parseRedisUrl(value: string): string | Invalid {
  return parseUrl(value, ['redis:', 'rediss:'], DEFAULTS.REDIS_URL, (url) => /^(\/\d*)?$/.test(url.pathname));
}

function parseIdentifier(value: string): string | Invalid {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)
    ? value
    : new Invalid('a PostgreSQL schema name: letters, digits and _, not starting with a digit, at most 63 characters');
}

function parseReplay(value: string): ModelReplay | Invalid {
  const match = /^(-?\d+)(?:\/([\d:]+)\/([^/\s]*))?$/.exec(value);
  const seed = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    return new Invalid('a seed printed by a model check: a whole number, or <seed>/<path>/<replayPath> as printed with a failure');
  }
  return match[2] === undefined ? { seed } : { seed, path: match[2], replayPath: match[3] };
}

function parseReferenceEntry(value: string): string | Invalid {
  return /\.(js|ts)$/.test(value) && existsSync(value) ? value : new Invalid('an existing .js or .ts file: the reference entry to start');
}

function parseText(value: string): string {
  return value;
}

function parseFaultList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length === 1 && names[0]!.toLowerCase() === 'none' ? [] : names;
}

// ---------------------------------------------------------------------------------------------
// .env.test

/** KEY=VALUE lines; `#` comments; optional `export `; single quotes literal, double quotes with \n escapes. */
export function parseEnvFile(text: string, fileName = '.env.test'): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      throw new ConfigError(`${fileName} line ${index + 1} "${redactUrl(trimmed)}" is not valid: expected KEY=VALUE`);
    }
    const value = unquote(match[2]!);
    if (value === undefined) {
      throw new ConfigError(`${fileName} line ${index + 1} "${redactUrl(trimmed)}" is not valid: expected a closing quote`);
    }
    values[match[1]!] = value;
  });
  return values;
}

function unquote(text: string): string | undefined {
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = findClosingQuote(text, quote);
    if (end < 0) return undefined;
    const body = text.slice(1, end);
    return quote === "'" ? body : body.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  }
  return text.replace(/\s+#.*$/, '').trim();
}

function findClosingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function readEnvFile(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${path} cannot be read: ${(error as Error).message}`);
  }
  return parseEnvFile(text);
}

// ---------------------------------------------------------------------------------------------
// Typo guard

function unknownVariableWarnings(env: Env): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('NOVACRON_') && !KNOWN_VARIABLES.includes(name))
    .sort()
    .map((name) => `warning: ${name} is not a NovaCron Spec variable and is ignored; did you mean ${closestKnownName(name)}?`);
}

function closestKnownName(name: string): string {
  let best = KNOWN_VARIABLES[0]!;
  let bestDistance = Infinity;
  for (const known of KNOWN_VARIABLES) {
    const distance = editDistance(name, known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

// ---------------------------------------------------------------------------------------------

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
