import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Config } from '../config';
import { describeProblem, withDeadline } from './probes';
import type { StartedService } from './service';
import { EnvironmentError } from './target';

export const READY_LINE = /^NovaCron reference listening on (https?:\/\/\S+?)\/?$/;
const STDERR_LINES_KEPT = 20;
const STDERR_LINES_SHOWN = 10;

export interface ReferenceLaunchOptions {
  repoRoot: string;
  /** The script to run, normally `<repo>/reference/main.ts`. */
  entry: string;
  /** Complete environment of the child (see referenceEnv). */
  env: NodeJS.ProcessEnv;
  startupTimeoutMs: number;
  /** Receives the child's stderr, normally `<repo>/reports/reference.log`. */
  logFile: string;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs?: number;
  /** Cancels a start in progress. */
  signal?: AbortSignal;
  /** Called as soon as the process exists, so it can be stopped even before it is ready. */
  onSpawn?: (process: StartedService) => void;
}

export interface RunningReference extends StartedService {
  readonly url: string;
  readonly pid: number;
}

export interface ReferenceRun {
  dbUrl: string;
  redisUrl: string;
  schema: string;
  redisPrefix: string;
  repoRoot: string;
}

/** The reference's environment: this process's, plus where its data goes and what it is configured with. */
export function referenceEnv(config: Config, run: ReferenceRun, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    DB_URL: run.dbUrl,
    REDIS_URL: run.redisUrl,
    NOVACRON_REF_PORT: '0',
    NOVACRON_REF_HOST: '127.0.0.1',
    NOVACRON_REF_SCHEMA: run.schema,
    NOVACRON_REF_REDIS_PREFIX: run.redisPrefix,
    NOVACRON_FAULTS: config.faults.length > 0 ? config.faults.join(',') : 'none',
    NOVACRON_LOG_LEVEL: config.logLevel,
    // The seeded admin must accept the password the suite signs in with.
    NOVACRON_REF_ADMIN_PASSWORD: config.adminPassword,
  };
  delete env.NOVACRON_API_URL;
  delete env.NOVACRON_TARGET_KIND;
  if (config.referenceTimings) env.NOVACRON_REF_TIMINGS = config.referenceTimings;
  else delete env.NOVACRON_REF_TIMINGS;
  if (config.coverage) env.NODE_V8_COVERAGE = join(run.repoRoot, 'coverage', 'tmp');
  return env;
}

/**
 * Starts the reference as its own process (`node --require ts-node/register/transpile-only <entry>`,
 * or `node <entry>` for a compiled `.js` entry) and resolves once it prints its ready line; fails
 * with its last stderr lines if it exits first.
 */
export function launchReference(options: ReferenceLaunchOptions): Promise<RunningReference> {
  const inRepo = options.entry.startsWith(`${options.repoRoot}${sep}`);
  const shownEntry = inRepo ? relative(options.repoRoot, options.entry) : options.entry;
  if (!existsSync(options.entry)) {
    return Promise.reject(
      new EnvironmentError(`the embedded reference cannot start: ${options.entry} does not exist (set NOVACRON_API_URL to test a running NovaCron instead)`),
    );
  }
  if (options.env.NODE_V8_COVERAGE) mkdirSync(options.env.NODE_V8_COVERAGE, { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'w' });
  const args = options.entry.endsWith('.js') ? [options.entry] : ['--require', require.resolve('ts-node/register/transpile-only'), options.entry];
  const child = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const lastStderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    lastStderr.push(line);
    if (lastStderr.length > STDERR_LINES_KEPT) lastStderr.shift();
  });
  child.stderr.pipe(log);

  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      resolve(); // 'close' may never come when the process did not start
    });
  });
  const isRunning = (): boolean => exitCode === undefined && spawnError === undefined && child.exitCode === null && child.signalCode === null;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (isRunning()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 5000);
        await exited;
        clearTimeout(timer);
      }
      // stderr's end closes the log (pipe); a grandchild holding stderr open must not block us.
      await withDeadline(finished(log), 2000, 'log still open').catch(() => log.destroy());
    })());
  const killNow = (): void => {
    if (isRunning()) child.kill('SIGKILL');
  };
  const stderrTail = (): string =>
    lastStderr.length > 0
      ? `; its last stderr lines:\n  | ${lastStderr.slice(-STDERR_LINES_SHOWN).join('\n  | ')}`
      : `; it wrote nothing to stderr (see ${options.logFile})`;

  const label = 'reference';
  options.onSpawn?.({ label, stop, killNow });

  return new Promise<RunningReference>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killNow();
      // Let the last stderr lines arrive before quoting them. Fire and forget: `exited` and stop()
      // never reject, and the outcome reaches the caller through reject().
      void exited.then(async () => {
        await stop();
        reject(new EnvironmentError(`${message}${stderrTail()}`));
      });
    };
    const timer = setTimeout(
      () => fail(`the embedded reference (${shownEntry}) did not report ready within ${options.startupTimeoutMs} ms (NOVACRON_STARTUP_TIMEOUT)`),
      options.startupTimeoutMs,
    );
    // Fire and forget (`exited` never rejects): an exit before the ready line fails the start.
    void exited.then(() =>
      fail(
        spawnError
          ? `the embedded reference (${shownEntry}) could not be started: ${describeProblem(spawnError)}`
          : `the embedded reference (${shownEntry}) exited ${exitSignal ? `on ${exitSignal}` : `with code ${exitCode}`} before it was ready`,
      ),
    );
    const onAbort = (): void => fail(`the embedded reference (${shownEntry}) start was cancelled`);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => options.signal?.removeEventListener('abort', onAbort)); // never rejects; cleanup only
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = READY_LINE.exec(line.trim());
      if (!ready || settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ label, url: ready[1]!, pid: child.pid!, stop, killNow });
    });
  });
}
