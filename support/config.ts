import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isSet, readVariable, redactUrl, VARIABLE_NAMES, VARIABLES, type LogLevel, type ModelReplay, type ValueOf, type VariableName } from '@novacron-spec/variables';

/**
 * The suite's configuration: every variable of the integration test guide (plus the suite's own),
 * parsed and validated once per process into a frozen object (`getConfig`). Each variable's default
 * and rule have one definition, shared with the embedded reference (`@novacron-spec/variables`).
 * Environment variables win over `.env.test`.
 */

export type TestMode = ValueOf<'NOVACRON_TEST_MODE'>;
export type { LogLevel, ModelReplay };
export type ContractMode = ValueOf<'NOVACRON_CONTRACT'>;
/** `embedded`: the suite's own reference server (started here, or by the wrapper that handed over its URL). */
export type TargetKind = 'embedded' | 'external';

export interface Config {
  readonly mode: TestMode;
  /** The NovaCron API under test, without a trailing slash; undefined = start the embedded reference. */
  readonly apiUrl: string | undefined;
  readonly targetKind: TargetKind;
  /** The dashboard (NOVACRON_UI_URL); undefined: the target's own address (the embedded reference serves it at /). */
  readonly uiUrl: string | undefined;
  /** A Chromium or Chrome to drive the dashboard with (NOVACRON_BROWSER_PATH); undefined: the one installed with the suite, else one on PATH. */
  readonly browserPath: string | undefined;
  /** The Python that runs generated MLE-Star projects; undefined: python3 on PATH, else /usr/bin/python3. */
  readonly pythonPath: string | undefined;
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

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Every variable the suite or the reference reads, for the typo guard. */
export const KNOWN_VARIABLES: readonly string[] = VARIABLE_NAMES;

/** Set by the suite's own scripts for the processes they start, not by people. */
export const INTERNAL_VARIABLES: readonly string[] = VARIABLE_NAMES.filter((name) => VARIABLES[name].readBy === 'internal');

export interface LoadConfigOptions {
  /** Receives each warning line; stderr by default. */
  onWarning?: (line: string) => void;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd(), options: LoadConfigOptions = {}): Config {
  const envFile = join(cwd, '.env.test');
  const fileValues = readEnvFile(envFile);
  const merged: Env = { ...(fileValues ?? {}), ...definedOnly(env) };
  const read = <N extends VariableName>(name: N) => readVariable(merged, name, (message) => new ConfigError(message));

  const apiUrl = read('NOVACRON_API_URL');
  const targetKind = read('NOVACRON_TARGET_KIND') ?? (apiUrl ? 'external' : 'embedded');
  if (!apiUrl && targetKind === 'external') {
    throw new ConfigError('NOVACRON_TARGET_KIND="external" is not valid: expected NOVACRON_API_URL to name the external target (or leave both unset)');
  }
  const faults = read('NOVACRON_FAULTS')!;
  if (apiUrl && targetKind === 'external' && faults.length > 0) {
    throw new ConfigError(
      `NOVACRON_FAULTS="${faults.join(',')}" cannot be used with NOVACRON_API_URL="${redactUrl(apiUrl)}": faults only apply to the embedded reference (unset one of them)`,
    );
  }

  const debug = read('NOVACRON_TEST_DEBUG')!;
  const loadDurationMs = read('LOAD_TEST_DURATION')!;
  const rampUpGiven = isSet(merged, 'LOAD_TEST_RAMPUP');
  const loadRampUpMs = read('LOAD_TEST_RAMPUP')!;
  if (rampUpGiven && loadRampUpMs > loadDurationMs) {
    throw new ConfigError(
      `LOAD_TEST_RAMPUP="${loadRampUpMs}" is not valid: expected at most LOAD_TEST_DURATION (${loadDurationMs} ms), since the ramp-up is part of the test duration`,
    );
  }
  read('NOVACRON_REF_TIMINGS');
  const referenceEntry = read('NOVACRON_REFERENCE_ENTRY');
  if (referenceEntry !== undefined && !(/\.(js|ts)$/.test(referenceEntry) && existsSync(referenceEntry))) {
    throw new ConfigError(`NOVACRON_REFERENCE_ENTRY="${referenceEntry}" is not valid: expected an existing .js or .ts file: the reference entry to start`);
  }

  const mode = read('NOVACRON_TEST_MODE')!;
  const warnings = unknownVariableWarnings(merged);
  warnings.forEach(options.onWarning ?? warnOncePerProcess);

  return deepFreeze({
    mode,
    apiUrl,
    targetKind,
    uiUrl: read('NOVACRON_UI_URL'),
    browserPath: read('NOVACRON_BROWSER_PATH'),
    pythonPath: read('NOVACRON_PYTHON'),
    dbUrl: read('DB_URL')!,
    redisUrl: read('REDIS_URL')!,
    useDocker: read('NOVACRON_USE_DOCKER')!,
    parallel: read('NOVACRON_TEST_PARALLEL')!,
    coverage: read('NOVACRON_TEST_COVERAGE')!,
    debug,
    timeoutMs: read('NOVACRON_TEST_TIMEOUT')!,
    startupTimeoutMs: read('NOVACRON_STARTUP_TIMEOUT')!,
    loadUsers: read('LOAD_TEST_USERS')!,
    loadDurationMs,
    // An unset ramp-up never outlasts a shortened test.
    loadRampUpMs: rampUpGiven ? loadRampUpMs : Math.min(loadRampUpMs, loadDurationMs),
    loadThinkTimeMs: read('LOAD_TEST_THINK_TIME')!,
    logLevel: debug ? 'debug' : read('NOVACRON_LOG_LEVEL')!,
    workers: read('NOVACRON_TEST_WORKERS')!,
    contractMode: read('NOVACRON_CONTRACT')!,
    faults,
    adminUsername: read('NOVACRON_ADMIN_USERNAME')!,
    adminPassword: read('NOVACRON_ADMIN_PASSWORD')!,
    dbSchema: read('NOVACRON_DB_SCHEMA')!,
    redisPrefix: read('NOVACRON_REDIS_PREFIX')!,
    // Passed to the embedded reference as written; it checks the names and limits (syntax checked above).
    referenceTimings: isSet(merged, 'NOVACRON_REF_TIMINGS') ? merged.NOVACRON_REF_TIMINGS!.trim() : undefined,
    referenceEntry,
    reportsDir: resolve(cwd, read('NOVACRON_REPORTS_DIR')!),
    ciRetries: read('NOVACRON_RETRY')!,
    envFile: fileValues ? envFile : undefined,
    modelRuns: read('NOVACRON_MODEL_RUNS') ?? (mode === 'ci' ? 5 : 15),
    modelSteps: read('NOVACRON_MODEL_STEPS') ?? (mode === 'ci' ? 40 : 60),
    modelReplay: read('NOVACRON_SEED'),
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

/**
 * Parses process.env at the start of a run (the coordinator plugin): a process that runs cucumber
 * several times (verify:faults, the mutation runner) changes its variables between runs.
 */
export function reloadConfig(): Config {
  cached = loadConfig();
  return cached;
}

/** Where the run's target and its data turned out to be, once provisioned. */
export type ResolvedTarget = Pick<Config, 'apiUrl' | 'targetKind' | 'dbUrl' | 'redisUrl' | 'dbSchema' | 'redisPrefix'>;

/** The process's configuration with its target resolved (the same process's support code reads it with getConfig). */
export function settleConfig(resolved: ResolvedTarget): Config {
  const { apiUrl, targetKind, dbUrl, redisUrl, dbSchema, redisPrefix } = resolved;
  cached = deepFreeze({ ...getConfig(), apiUrl, targetKind, dbUrl, redisUrl, dbSchema, redisPrefix });
  return cached;
}

export type ConfigSummary = Readonly<Record<string, string | number | boolean>>;

/** What the run was configured with, for the report's `environment` section. Passwords never appear. */
export function describeConfig(config: Config): ConfigSummary {
  return {
    mode: config.mode,
    target: config.apiUrl ? redactUrl(config.apiUrl) : 'embedded reference',
    targetKind: config.targetKind,
    uiUrl: config.uiUrl ? redactUrl(config.uiUrl) : "the target's address",
    browser: config.browserPath ?? 'the one installed with the suite, else one on PATH',
    python: config.pythonPath ?? 'the first of python3 on PATH and /usr/bin/python3 that has the framework',
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
