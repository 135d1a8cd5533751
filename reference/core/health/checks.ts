import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { FaultSet } from '../../faults';
import type { Components } from '../components';
import { CORE_FAULTS } from '../faults';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface Check {
  status: HealthStatus;
  latency_ms: number;
  message?: string;
}

/** Reports one component; may throw or time out (both count as unhealthy). */
export type Probe = () => Check | Promise<Check>;

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, Check>;
}

const PROBE_TIMEOUT_MS = 1_000;

/**
 * The health of the control plane: the database (`SELECT 1`) and Redis (`PING`), probed for real
 * and reused for at most `cacheMs`; storage and compute, simulated subsystems; and whatever other
 * modules register. The database down makes the system unhealthy; any other component not
 * healthy makes it degraded. A simulated failure or recovery shows on the next check.
 */
export class HealthChecks {
  private readonly probes = new Map<string, Probe>();
  private readonly cache = new Map<string, { check: Check; at: number }>();
  private inFlight: Promise<HealthReport> | undefined;

  constructor(
    private readonly deps: { pool: Pool; redis: Redis; components: Components; faults: FaultSet; cacheMs: number },
  ) {
    const { components } = deps;
    this.register('database', this.cached('database', () => timed(async () => void (await deps.pool.query('SELECT 1')))));
    this.register(
      'redis',
      this.cached('redis', () =>
        timed(async () => {
          components.assertAvailable('redis');
          await deps.redis.ping();
        }),
      ),
    );
    this.register('storage', () => simulated(components, 'storage'));
    this.register('compute', () => simulated(components, 'compute'));
    components.onChange(() => this.cache.clear());
  }

  /** Adds a component to both health views; an unhealthy or degraded one makes the system degraded. */
  register(name: string, probe: Probe): void {
    if (this.probes.has(name)) throw new Error(`a health check named "${name}" is already registered`);
    this.probes.set(name, probe);
  }

  /** Concurrent callers share one run of the probes. */
  report(): Promise<HealthReport> {
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async run(): Promise<HealthReport> {
    const names = [...this.probes.keys()];
    const results = await Promise.all(names.map((name) => runProbe(this.probes.get(name)!)));
    const checks: Record<string, Check> = {};
    names.forEach((name, i) => (checks[name] = results[i]));
    const { faults } = this.deps;
    if (CORE_FAULTS.on(faults).healthOmitsCompute) delete checks.compute;
    if (CORE_FAULTS.on(faults).healthAlwaysHealthy) {
      for (const name of Object.keys(checks)) checks[name] = { status: 'healthy', latency_ms: checks[name].latency_ms };
    }
    return { status: overall(checks), checks };
  }

  private cached(name: string, probe: Probe): Probe {
    return async () => {
      const hit = this.cache.get(name);
      if (hit && performance.now() - hit.at < this.deps.cacheMs) return hit.check;
      const check = await runProbe(probe);
      this.cache.set(name, { check, at: performance.now() });
      return check;
    };
  }
}

export function overall(checks: Record<string, Check>): HealthStatus {
  if (checks.database && checks.database.status !== 'healthy') return 'unhealthy';
  return Object.values(checks).every((check) => check.status === 'healthy') ? 'healthy' : 'degraded';
}

async function runProbe(probe: Probe): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    });
    return await Promise.race([Promise.resolve().then(probe), timeout]);
  } catch (error) {
    return { status: 'unhealthy', latency_ms: elapsed(started), message: (error as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

async function timed(action: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  await action();
  return { status: 'healthy', latency_ms: elapsed(started) };
}

function simulated(components: Components, name: 'storage' | 'compute'): Check {
  return components.isFailed(name)
    ? { status: 'unhealthy', latency_ms: 0, message: `the ${name} subsystem has failed (simulated failure)` }
    : { status: 'healthy', latency_ms: 0 };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
