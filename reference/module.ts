import type { Redis } from 'ioredis';
import type { Pool, PoolClient } from 'pg';
import type { AuthService } from './core/auth/service';
import type { UserStore } from './core/auth/users';
import type { Components } from './core/components';
import type { EventBus } from './core/events';
import type { HealthChecks } from './core/health/checks';
import type { VmService } from './core/vms/service';
import type { FaultSet } from './faults';
import type { Router } from './http/router';
import type { Logger } from './log';
import type { ReferenceOptions, Timings } from './options';
import type { Timers } from './timers';

/** One schema change, applied once per schema in list order (ids must never be reused or edited). */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/**
 * A domain of the reference (health, auth, VMs, autoscaling, consensus, ...).
 *
 * Lifecycle at start: every module's migrations (in the order of `reference/modules.ts`), then
 * every `register`, then every `start`, then the server listens. At close: `stop` in reverse
 * order, after the server stopped accepting requests. Timers made with `ctx.timers` are
 * cancelled for you.
 */
export interface ReferenceModule {
  /** Unique; also the migration namespace. */
  readonly name: string;
  readonly migrations?: readonly Migration[];
  /** Adds routes (`router.get(...)`), hooks and WebSocket endpoints; keeps `ctx` for later. */
  register(router: Router, ctx: ReferenceContext): void | Promise<void>;
  /** Starts background work (timers, loading state from the database). */
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/**
 * Makes a fresh module. `reference/modules.ts` lists factories, not objects, so that each
 * reference started in one process (tests, in-process mode) has its own module state.
 */
export type ReferenceModuleFactory = () => ReferenceModule;

/** What every module receives. */
export interface ReferenceContext {
  readonly options: ReferenceOptions;
  readonly timings: Timings;
  readonly log: Logger;
  /**
   * PostgreSQL, with this instance's schema on the search_path. Refuses connections while the
   * database is failed by the simulation. Prefer `transaction` for writes.
   */
  readonly db: Pool;
  /**
   * Runs `work` in a transaction; while the database is down (simulated or real) it throws a
   * DependencyUnavailableError, answered 503, and nothing is written. Update memory only after
   * it resolved.
   */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  /** ioredis with auto-pipelining; commands fail at once while Redis is unreachable. */
  readonly redis: Redis;
  /** `name` with this instance's key prefix (NOVACRON_REF_REDIS_PREFIX). */
  redisKey(name: string): string;
  /** The faults this instance was started with; a domain reads them with `<DOMAIN>_FAULTS.on(ctx.faults)` (define-faults.ts). */
  readonly faults: FaultSet;
  /** The bus behind `/ws/events`: `ctx.events.publish('autoscaling.scaled_up', {...})`. */
  readonly events: EventBus;
  /** `ctx.auth.requireRole(request, 'operator')` returns the caller or throws 401/403. */
  readonly auth: AuthService;
  /** The accounts (in memory, written through to PostgreSQL). */
  readonly users: UserStore;
  /** Simulated failures of database, redis, storage and compute. */
  readonly components: Components;
  /** `ctx.health.register('consensus', probe)` adds a component to both health views. */
  readonly health: HealthChecks;
  /** The VMs, for domains that act on them (autoscaling, migration, storage attachments). */
  readonly vms: VmService;
  /** Timers cancelled when the reference closes. */
  readonly timers: Timers;
}
