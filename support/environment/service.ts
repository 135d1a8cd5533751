/** Something setup() started and cleanup() must stop. */
export interface StartedService {
  /** For progress lines: "embedded PostgreSQL", "redis-server", "reference". */
  readonly label: string;
  /** For progress lines: "dropped", "deleted"; "stopped" when absent. */
  readonly verb?: string;
  /** Idempotent. */
  stop(): Promise<void>;
  /** Last resort at process exit, synchronous: kill a child process outright. */
  killNow?(): void;
}

/** A service provided at a URL, with what stops it (nothing when the service was already running). */
export interface ProvidedService {
  url: string;
  started?: StartedService;
}

/** Progress output: one line per event, `[env] ` is added by the receiver. */
export type ProgressLog = (line: string) => void;
