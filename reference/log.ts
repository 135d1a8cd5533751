import type { LogLevel } from './options';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Lines on stderr (stdout carries only the "listening" line). Quiet by default: warnings and errors. */
export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  enabled(level: LogLevel): boolean;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = RANK[level];
  const emit = (at: LogLevel, message: string): void => {
    if (RANK[at] <= threshold) write(`${new Date().toISOString()} novacron-reference ${at}: ${message}\n`);
  };
  return {
    error: (message, error) => emit('error', error === undefined ? message : `${message}: ${describeError(error)}`),
    warn: (message) => emit('warn', message),
    info: (message) => emit('info', message),
    debug: (message) => emit('debug', message),
    enabled: (at) => RANK[at] <= threshold,
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
