import { HTTP_PROBE_TIMEOUT_MS, probeHttp, retryUntil } from './probes';

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

export interface TargetWaitOptions {
  /** Overall deadline (NOVACRON_STARTUP_TIMEOUT). */
  timeoutMs: number;
  /** Which variable points at this URL, named in the failure. */
  variable?: string;
  probeTimeoutMs?: number;
  intervalMs?: number;
}

/** Waits until `GET <url>/health` gets any HTTP answer (503 included); one line naming URL, attempts and last error otherwise. */
export async function waitForTarget(url: string, options: TargetWaitOptions): Promise<{ attempts: number; elapsedMs: number }> {
  const healthUrl = `${url}/health`;
  const probeTimeout = options.probeTimeoutMs ?? HTTP_PROBE_TIMEOUT_MS;
  const outcome = await retryUntil((remaining) => probeHttp(healthUrl, Math.min(probeTimeout, remaining)), options.timeoutMs, options.intervalMs);
  if (outcome.ok) return outcome;
  const variable = options.variable ?? 'NOVACRON_API_URL';
  throw new EnvironmentError(
    `the NovaCron API at ${url} did not answer GET /health within ${options.timeoutMs} ms ` +
      `(${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}, last error: ${outcome.lastProblem}); ` +
      `start it, or change ${variable} (or NOVACRON_STARTUP_TIMEOUT)`,
  );
}
