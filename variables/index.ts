/**
 * The one definition of every environment variable of NovaCron Spec and of its embedded reference:
 * its default, who reads it and how its text becomes a value. The suite (support/config.ts) and the
 * reference (reference/options.ts) both read through `readVariable`, so a variable read by both
 * has one default and one rule, and a bad value gets the same one-line error from either:
 * `NAME="value" is not valid: expected ...`.
 *
 * `main` is `index` without an extension: under ts-node it resolves to this file, in a compiled
 * reference (scripts/compile-reference.ts) to the `index.js` written beside it.
 */

/** What a parser returns for text it refuses: the end of the error sentence. */
export class Invalid {
  constructor(readonly expected: string) {}
}

export type Parser<T> = (value: string) => T | Invalid;

/** Who reads a variable: people set `suite`, `reference` and `both`; the suite's scripts set `internal` for the processes they start. */
export type Reader = 'suite' | 'reference' | 'both' | 'internal';

export interface Variable<T> {
  readonly readBy: Reader;
  /** The text used when the variable is unset or blank; undefined: unset means "not given". */
  readonly default: string | undefined;
  readonly parse: Parser<T>;
  /** A value the parser refuses, proving the rule (unit-tested for every variable); null: any text is accepted. */
  readonly refused: string | null;
  /** A password or key: an error message never shows its value. */
  readonly secret?: boolean;
}

function define<T>(variable: Variable<T>): Variable<T> {
  return variable;
}

export const MAX_TIMER_MS = 2_147_483_647; // setTimeout's limit; longer delays fire at once

// ---------------------------------------------------------------------------------------------
// Parsers

export function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (value) => {
    const lower = value.toLowerCase();
    return (choices as readonly string[]).includes(lower) ? (lower as T) : new Invalid(`one of ${choices.join(', ')}`);
  };
}

export function parseBoolean(value: string): boolean | Invalid {
  const lower = value.toLowerCase();
  if (['true', '1', 'yes'].includes(lower)) return true;
  if (['false', '0', 'no'].includes(lower)) return false;
  return new Invalid('true or false (also 1/0, yes/no)');
}

export function wholeNumber(min: number, max: number, unit?: string): Parser<number> {
  const expected = `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return (value) => {
    if (!/^\d+$/.test(value)) return new Invalid(expected);
    const number = Number(value);
    return number >= min && number <= max ? number : new Invalid(expected);
  };
}

const milliseconds = (min: number): Parser<number> => wholeNumber(min, MAX_TIMER_MS, 'milliseconds');

function url(protocols: readonly string[], example: string, pathCheck: (url: URL) => boolean): Parser<string> {
  const names = protocols.map((p) => p.replace(/:$/, '')).join(' or ');
  const expected = `${names.startsWith('http') ? 'an' : 'a'} ${names} URL such as ${example}`;
  return (value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return new Invalid(expected);
    }
    return protocols.includes(parsed.protocol) && parsed.hostname !== '' && pathCheck(parsed) ? value : new Invalid(expected);
  };
}

const DEFAULT_DB_URL = 'postgresql://postgres:postgres@localhost:5432/novacron_test';
const DEFAULT_REDIS_URL = 'redis://localhost:6379';

export function parseHttpUrl(value: string): string | Invalid {
  const result = url(['http:', 'https:'], 'http://localhost:8090', (u) => u.search === '' && u.hash === '')(value);
  return typeof result === 'string' ? result.replace(/\/+$/, '') : result;
}

export const parsePostgresUrl = url(['postgresql:', 'postgres:'], DEFAULT_DB_URL, (u) => /^\/[^/]+$/.test(u.pathname));
export const parseRedisUrl = url(['redis:', 'rediss:'], DEFAULT_REDIS_URL, (u) => /^(\/\d*)?$/.test(u.pathname));

/** Lower case only: PostgreSQL folds an unquoted name to lower case, so `NovaCron` would name another schema in an unquoted statement. */
export function parseSchema(value: string): string | Invalid {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(value)
    ? value
    : new Invalid('a PostgreSQL schema name: lower-case letters, digits and _, not starting with a digit, at most 63 characters');
}

export function parseRedisPrefix(value: string): string | Invalid {
  return /^[A-Za-z0-9:_.\-{}]{0,100}$/.test(value) ? value : new Invalid('at most 100 letters, digits or the characters : _ . - { } (empty for no prefix)');
}

export function parseText(value: string): string {
  return value;
}

/** `none`, or fault names separated by commas; the reference checks the names against its catalog. */
export function parseFaultNames(value: string): string[] | Invalid {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 1 && names[0]!.toLowerCase() === 'none') return [];
  return names.every((name) => /^[a-z0-9][a-z0-9-]*$/.test(name)) ? names : new Invalid('"none" or fault names (lower-case words joined by -) separated by commas');
}

/** `name=ms,...`; the reference knows which names there are and their limits. */
export function parseTimingPairs(value: string): Record<string, string> | Invalid {
  const pairs: Record<string, string> = {};
  for (const entry of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^([a-z_]+)\s*=\s*(\S+)$/.exec(entry);
    if (!match) return new Invalid(`name=milliseconds pairs separated by commas, such as provision_step=20,heartbeat=30 (got "${entry}")`);
    pairs[match[1]!] = match[2]!;
  }
  return pairs;
}

export interface ModelReplay {
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
}

/** `<seed>` replays the model checks from their start; `<seed>/<path>/<replayPath>` one shrunk sequence. */
export function parseReplay(value: string): ModelReplay | Invalid {
  const match = /^(-?\d+)(?:\/([\d:]+)\/([^/\s]*))?$/.exec(value);
  const seed = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
    return new Invalid('a seed printed by a model check: a whole number, or <seed>/<path>/<replayPath> as printed with a failure');
  }
  return match[2] === undefined ? { seed } : { seed, path: match[2], replayPath: match[3]! };
}

export interface RateLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

export function parseRateLimit(value: string): RateLimit | Invalid {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const invalid = new Invalid('<requests>/<seconds> with 1 to 1000000000 requests per 1 to 86400 seconds, such as 100000/60');
  if (!match) return invalid;
  const requests = Number(match[1]);
  const windowSeconds = Number(match[2]);
  return requests >= 1 && requests <= 1_000_000_000 && windowSeconds >= 1 && windowSeconds <= 86_400 ? { requests, windowSeconds } : invalid;
}

/** `all` (undefined), or module names separated by commas (the reference checks them against its modules when it starts). */
export function parseModules(value: string): readonly string[] | undefined | Invalid {
  if (value === 'all') return undefined;
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0 || names.some((name) => !/^[a-z][a-z-]*$/.test(name))) return new Invalid('"all" or module names separated by commas, e.g. "health,auth,vms"');
  return Object.freeze([...new Set(names)]);
}

function textOfLength(min: number, max: number, what: string): Parser<string> {
  return (value) => (value.length >= min && value.length <= max ? value : new Invalid(`${what} of ${min} to ${max} characters`));
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// ---------------------------------------------------------------------------------------------
// The variables

export const VARIABLES = {
  // What the suite tests and how (the integration testing guide's variables, then the suite's own).
  NOVACRON_TEST_MODE: define({ readBy: 'suite', default: 'integration', parse: oneOf(['integration', 'ci'] as const), refused: 'fast' }),
  NOVACRON_API_URL: define({ readBy: 'suite', default: undefined, parse: parseHttpUrl, refused: 'localhost:8090' }),
  NOVACRON_UI_URL: define({ readBy: 'suite', default: undefined, parse: parseHttpUrl, refused: 'ftp://localhost' }),
  NOVACRON_BROWSER_PATH: define({ readBy: 'suite', default: undefined, parse: parseText, refused: null }),
  NOVACRON_PYTHON: define({ readBy: 'suite', default: undefined, parse: parseText, refused: null }),
  NOVACRON_USE_DOCKER: define({ readBy: 'suite', default: 'false', parse: parseBoolean, refused: 'maybe' }),
  NOVACRON_TEST_PARALLEL: define({ readBy: 'suite', default: 'true', parse: parseBoolean, refused: 'twice' }),
  NOVACRON_TEST_COVERAGE: define({ readBy: 'suite', default: 'false', parse: parseBoolean, refused: 'on' }),
  NOVACRON_TEST_DEBUG: define({ readBy: 'suite', default: 'false', parse: parseBoolean, refused: 'verbose' }),
  NOVACRON_TEST_TIMEOUT: define({ readBy: 'suite', default: '300000', parse: milliseconds(1), refused: '5m' }),
  NOVACRON_STARTUP_TIMEOUT: define({ readBy: 'suite', default: '25000', parse: milliseconds(1), refused: '0' }),
  NOVACRON_TEST_WORKERS: define({ readBy: 'suite', default: '2', parse: wholeNumber(1, 64), refused: '65' }),
  NOVACRON_CONTRACT: define({ readBy: 'suite', default: 'strict', parse: oneOf(['strict', 'warn', 'off'] as const), refused: 'lenient' }),
  NOVACRON_ADMIN_USERNAME: define({ readBy: 'suite', default: 'admin', parse: parseText, refused: null }),
  NOVACRON_ADMIN_PASSWORD: define({ readBy: 'suite', default: 'novacron-admin', parse: parseText, refused: null, secret: true }),
  NOVACRON_DB_SCHEMA: define({ readBy: 'suite', default: 'novacron', parse: parseSchema, refused: 'NovaCron' }),
  NOVACRON_REDIS_PREFIX: define({ readBy: 'suite', default: '', parse: parseText, refused: null }),
  NOVACRON_REPORTS_DIR: define({ readBy: 'suite', default: 'reports', parse: parseText, refused: null }),
  NOVACRON_RETRY: define({ readBy: 'suite', default: '1', parse: wholeNumber(0, 10), refused: '11' }),
  NOVACRON_MODEL_RUNS: define({ readBy: 'suite', default: undefined, parse: wholeNumber(1, 10_000), refused: '0' }),
  NOVACRON_MODEL_STEPS: define({ readBy: 'suite', default: undefined, parse: wholeNumber(1, 1_000), refused: '1001' }),
  NOVACRON_SEED: define({ readBy: 'suite', default: undefined, parse: parseReplay, refused: 'abc' }),
  LOAD_TEST_USERS: define({ readBy: 'suite', default: '50', parse: wholeNumber(1, 10_000), refused: '-1' }),
  LOAD_TEST_DURATION: define({ readBy: 'suite', default: '300000', parse: milliseconds(1), refused: '5 minutes' }),
  LOAD_TEST_RAMPUP: define({ readBy: 'suite', default: '60000', parse: milliseconds(0), refused: '1.5' }),
  LOAD_TEST_THINK_TIME: define({ readBy: 'suite', default: '0', parse: milliseconds(0), refused: '-5' }),

  // Read by both: the services, the log level, the faults and the timings of the embedded reference.
  DB_URL: define({ readBy: 'both', default: DEFAULT_DB_URL, parse: parsePostgresUrl, refused: 'mysql://localhost/novacron' }),
  REDIS_URL: define({ readBy: 'both', default: DEFAULT_REDIS_URL, parse: parseRedisUrl, refused: 'redis://localhost:6379/a/b' }),
  NOVACRON_LOG_LEVEL: define({ readBy: 'both', default: 'info', parse: oneOf(LOG_LEVELS), refused: 'verbose' }),
  NOVACRON_FAULTS: define({ readBy: 'both', default: 'none', parse: parseFaultNames, refused: 'Password Leak' }),
  NOVACRON_REF_TIMINGS: define({ readBy: 'both', default: undefined, parse: parseTimingPairs, refused: 'heartbeat:30' }),

  // The embedded reference's own.
  NOVACRON_REF_PORT: define({ readBy: 'reference', default: '8090', parse: wholeNumber(0, 65535), refused: '65536' }),
  NOVACRON_REF_HOST: define({ readBy: 'reference', default: '127.0.0.1', parse: hostName, refused: 'local host' }),
  NOVACRON_REF_SCHEMA: define({ readBy: 'reference', default: 'novacron', parse: parseSchema, refused: '1novacron' }),
  NOVACRON_REF_REDIS_PREFIX: define({ readBy: 'reference', default: '', parse: parseRedisPrefix, refused: 'a b' }),
  NOVACRON_REF_SIMULATION: define({ readBy: 'reference', default: 'on', parse: onOrOff, refused: 'yes' }),
  NOVACRON_REF_MODULES: define({ readBy: 'reference', default: 'all', parse: parseModules, refused: 'health;vms' }),
  NOVACRON_REF_ADMIN_PASSWORD: define({ readBy: 'reference', default: 'novacron-admin', parse: textOfLength(8, 200, 'a password'), refused: 'short', secret: true }),
  NOVACRON_REF_RATE_LIMIT: define({ readBy: 'reference', default: '100000/60', parse: parseRateLimit, refused: '100 per minute' }),
  NOVACRON_REF_MAX_BODY_BYTES: define({ readBy: 'reference', default: '1048576', parse: wholeNumber(1024, 64 * 1024 * 1024, 'bytes'), refused: '1023' }),
  NOVACRON_REF_JWT_SECRET: define({ readBy: 'reference', default: undefined, parse: textOfLength(16, 4096, 'a secret'), refused: 'too-short', secret: true }),

  // Set by the suite's own scripts for the processes they start, not by people.
  NOVACRON_TARGET_KIND: define({ readBy: 'internal', default: undefined, parse: oneOf(['embedded', 'external'] as const), refused: 'remote' }),
  NOVACRON_REFERENCE_ENTRY: define({ readBy: 'internal', default: undefined, parse: parseText, refused: null }),
  NOVACRON_ENDPOINT_FIGURES: define({ readBy: 'internal', default: undefined, parse: parseText, refused: null }),
  NOVACRON_VERIFY_MESSAGES: define({ readBy: 'internal', default: undefined, parse: parseText, refused: null }),
  NOVACRON_REPORTS_CLAIMED: define({ readBy: 'internal', default: undefined, parse: parseText, refused: null }),
  NOVACRON_TARGET_DISCOVERY: define({ readBy: 'internal', default: undefined, parse: parseText, refused: null }),
};

function hostName(value: string): string | Invalid {
  return /^[A-Za-z0-9.:-]+$/.test(value) ? value : new Invalid('a host name or IP address to bind, such as 127.0.0.1');
}

function onOrOff(value: string): boolean | Invalid {
  const lower = value.toLowerCase();
  return lower === 'on' ? true : lower === 'off' ? false : new Invalid('on or off');
}

export type VariableName = keyof typeof VARIABLES;
export type ValueOf<N extends VariableName> = Exclude<ReturnType<(typeof VARIABLES)[N]['parse']>, Invalid>;
export const VARIABLE_NAMES = Object.keys(VARIABLES) as readonly VariableName[];

// ---------------------------------------------------------------------------------------------
// Reading

export type Env = Record<string, string | undefined>;

/** Hides the password part of a connection URL. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** The one-line error of a refused value: `NAME="value" is not valid: expected ...`. */
export function invalidMessage(name: string, value: string, expected: string): string {
  const variable = (VARIABLES as Record<string, Variable<unknown>>)[name];
  const shown = variable?.secret ? '(hidden)' : redactUrl(value);
  return `${name}="${shown}" is not valid: expected ${expected}`;
}

/** Whether the variable is given: unset, empty or blank means "use the default". */
export function isSet(env: Env, name: VariableName): boolean {
  return (env[name] ?? '').trim() !== '';
}

/**
 * The variable's value: its text (trimmed) parsed, or its default when unset or blank; undefined
 * when it is unset and has no default. A refused value throws `fail(message)`.
 */
export function readVariable<N extends VariableName>(env: Env, name: N, fail: (message: string) => Error): ValueOf<N> | undefined {
  const variable = VARIABLES[name] as Variable<unknown>;
  const text = isSet(env, name) ? env[name]!.trim() : variable.default;
  if (text === undefined) return undefined;
  const value = variable.parse(text);
  if (value instanceof Invalid) throw fail(invalidMessage(name, text, value.expected));
  return value as ValueOf<N>;
}
