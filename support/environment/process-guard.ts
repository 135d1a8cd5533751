/**
 * Stops what the test environments started when the run is interrupted (SIGINT, SIGTERM, SIGHUP)
 * or dies of an uncaught error, then exits with the conventional code. Handlers are installed while
 * at least one environment is guarded.
 */

export interface Guarded {
  cleanup(): Promise<void>;
  /** Synchronous last resort at process exit. */
  killNow(): void;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type GuardedSignal = keyof typeof SIGNAL_EXIT_CODES;
const CLEANUP_LIMIT_MS = 30_000;

const guarded = new Set<Guarded>();
let stopping = false;

export function guard(environment: Guarded): void {
  guarded.add(environment);
  if (guarded.size === 1) install();
}

export function unguard(environment: Guarded): void {
  guarded.delete(environment);
  if (guarded.size === 0) uninstall();
}

function install(): void {
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as GuardedSignal[]) process.on(signal, onSignal);
  process.on('uncaughtException', onUncaughtException);
  process.on('exit', killEverythingNow);
}

function uninstall(): void {
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as GuardedSignal[]) process.removeListener(signal, onSignal);
  process.removeListener('uncaughtException', onUncaughtException);
  process.removeListener('exit', killEverythingNow);
}

function onSignal(signal: GuardedSignal): void {
  const code = SIGNAL_EXIT_CODES[signal];
  if (stopping) {
    process.stderr.write(`[env] ${signal} again: killing what this run started and exiting now\n`);
    process.exit(code); // the exit handler kills the children
  }
  process.stderr.write(`[env] ${signal}: stopping what this run started (press Ctrl-C again to skip)\n`);
  // Fire and forget: a signal handler cannot wait, and stopAllThenExit never rejects (allSettled, then exit).
  void stopAllThenExit(code);
}

function onUncaughtException(error: Error): void {
  // While someone else listens too (cucumber attributes async errors to the running step), the error
  // would not have ended the process without us either: leave it to them. The domain module's own
  // listener only rides along with others and handles nothing.
  const others = process.listeners('uncaughtException').filter((listener) => listener !== onUncaughtException && listener.name !== 'domainUncaughtExceptionClear');
  if (others.length > 0) return;
  process.stderr.write(`${error?.stack ?? String(error)}\n[env] uncaught error: stopping what this run started\n`);
  void stopAllThenExit(1); // never rejects: allSettled, then exit
}

async function stopAllThenExit(code: number): Promise<never> {
  stopping = true;
  const all = Promise.allSettled([...guarded].map((environment) => environment.cleanup()));
  const limit = new Promise((resolve) => setTimeout(resolve, CLEANUP_LIMIT_MS).unref());
  await Promise.race([all, limit]);
  process.exit(code);
}

function killEverythingNow(): void {
  for (const environment of guarded) {
    try {
      environment.killNow();
    } catch {
      // exiting anyway
    }
  }
}
