import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthService } from './core/auth/service';
import { Revocations } from './core/auth/revocations';
import { UserStore } from './core/auth/users';
import { Components } from './core/components';
import { EventBus } from './core/events';
import { HealthChecks } from './core/health/checks';
import { VmService } from './core/vms/service';
import { Database, isDatabaseUnavailable } from './db';
import { FaultSet } from './faults';
import { HttpError } from './http/errors';
import { Router } from './http/router';
import { createLogger, type Logger } from './log';
import type { ReferenceContext, ReferenceModule } from './module';
import { modules as moduleFactories } from './modules';
import { OptionError, parseOptions, type ReferenceOptions, type ReferenceOverrides } from './options';
import { closeRedis, connectRedis, isRedisUnavailable } from './redis';
import { Timers } from './timers';

export interface RunningReference {
  /** e.g. http://127.0.0.1:8090 */
  readonly url: string;
  readonly port: number;
  readonly options: ReferenceOptions;
  /** Stops accepting requests, closes WebSockets, stops modules and timers, then the pools. */
  close(): Promise<void>;
}

const REVOCATION_PRUNE_MS = 60_000;
const SHUTDOWN_GRACE_MS = 1_000;

/**
 * Starts a reference in this process: options from the environment and `overrides`, PostgreSQL
 * and Redis connected (one-line error when unreachable), migrations applied, state loaded, every
 * module registered and started, and the HTTP/WebSocket server listening.
 */
export async function startReference(overrides: ReferenceOverrides = {}, env: NodeJS.ProcessEnv = process.env): Promise<RunningReference> {
  const options = parseOptions(env, overrides);
  const log = createLogger(options.logLevel);
  const closers: { what: string; close: () => unknown }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const { what, close } of closers.splice(0).reverse()) {
      const started = performance.now();
      try {
        await close();
        log.debug(`closed ${what} in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (error) {
        log.warn(`closing ${what} failed: ${(error as Error).message}`);
      }
    }
  };

  try {
    const everyModule = moduleFactories.map((create) => create());
    checkModuleNames(everyModule);
    const modules = selectModules(everyModule, options.modules);
    const components = new Components();
    const faults = new FaultSet(options.faults);
    const database = await Database.open({ databaseUrl: options.databaseUrl, schema: options.schema, components, log });
    closers.push({ what: 'the PostgreSQL pool', close: () => database.close() });
    const redis = await connectRedis(options.redisUrl, log);
    closers.push({ what: 'Redis', close: () => closeRedis(redis) });
    const subscriber = await connectRedis(options.redisUrl, log, 'subscriber');
    closers.push({ what: 'the Redis subscriber', close: () => closeRedis(subscriber) });

    // Every module's tables exist whatever runs, so a module left out changes no other's schema.
    await database.migrate(everyModule);

    const timers = new Timers(log);
    closers.push({ what: 'the timers', close: () => timers.stopAll() });
    const redisKey = (name: string): string => `${options.redisPrefix}${name}`;
    const events = new EventBus(log);
    const users = new UserStore(database, faults, log);
    await users.load();
    await users.seedAdmin(options.adminPassword);
    const revocations = new Revocations(redis, subscriber, redisKey, log);
    await revocations.start();
    timers.interval(REVOCATION_PRUNE_MS, () => revocations.prune(), 'pruning revoked tokens');
    const vms = new VmService({ db: database, events, faults, timers, timings: options.timings, log });
    await vms.load();

    const ctx: ReferenceContext = {
      options,
      timings: options.timings,
      log,
      db: database.pool,
      transaction: (work) => database.transaction(work),
      redis,
      redisKey,
      faults,
      events,
      auth: new AuthService({ db: database, users, revocations, faults, components, timings: options.timings, jwtSecret: options.jwtSecret }),
      users,
      components,
      health: new HealthChecks({ pool: database.pool, redis, components, faults, cacheMs: options.timings.health_cache }),
      vms,
      timers,
    };

    const router = new Router({ log, maxBodyBytes: options.maxBodyBytes, mapError: dependencyErrors });
    for (const module of modules) await module.register(router, ctx);
    const started: ReferenceModule[] = [];
    closers.push({
      what: 'the modules',
      close: async () => {
        for (const module of started.reverse()) await module.stop?.();
      },
    });
    for (const module of modules) {
      await module.start?.();
      started.push(module);
    }

    const server = http.createServer({ keepAliveTimeout: 60_000 }, router.handle);
    server.headersTimeout = 65_000;
    server.on('upgrade', router.handleUpgrade);
    server.on('clientError', (error, socket) => {
      log.debug(`client error: ${error.message}`);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    const port = await listen(server, options.port, options.host);
    closers.push({ what: 'the HTTP server', close: () => closeServer(server, router, log) });
    const url = `http://${displayHost(options.host)}:${port}`;
    log.info(`listening on ${url} (schema ${options.schema}, faults: ${faults.names.join(', ') || 'none'}, modules: ${options.modules ? modules.map((module) => module.name).join(', ') : 'all'})`);
    if (modules.some((module) => module.name === 'ui')) log.info(`the dashboard: ${url}/ (sign in as admin)`);
    let closing: Promise<void> | undefined;
    return { url, port, options, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A lost database or Redis connection answers 503, not 500. */
function dependencyErrors(error: unknown): HttpError | undefined {
  if (isDatabaseUnavailable(error)) return new HttpError(503, 'the database is unavailable; nothing was changed');
  if (isRedisUnavailable(error)) return new HttpError(503, 'Redis is unavailable; nothing was changed');
  return undefined;
}

/** Modules that every reference runs: the others' requests pass through them. */
const ALWAYS_RUN = ['rate-limit'];

/** The modules NOVACRON_REF_MODULES lists (and the core), in start order; all of them when it is unset. */
export function selectModules(modules: ReferenceModule[], names: readonly string[] | undefined): ReferenceModule[] {
  if (!names) return modules;
  const known = modules.map((module) => module.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new OptionError(`NOVACRON_REF_MODULES="${names.join(',')}" is not valid: no module named ${unknown.map((name) => `"${name}"`).join(', ')}; expected "all" or some of ${known.join(', ')}`);
  }
  return modules.filter((module) => ALWAYS_RUN.includes(module.name) || names.includes(module.name));
}

function checkModuleNames(modules: ReferenceModule[]): void {
  const seen = new Set<string>();
  for (const { name } of modules) {
    if (seen.has(name)) throw new Error(`two modules are named "${name}" in reference/modules.ts`);
    seen.add(name);
  }
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (set NOVACRON_REF_PORT, 0 for any free port)` : `cannot listen on ${host}:${port}: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function closeServer(server: http.Server, router: Router, log: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  for (const socket of router.webSockets) socket.close(1001, 'the server is shutting down');
  const force = setTimeout(() => {
    log.debug('forcing the remaining connections closed');
    for (const socket of router.webSockets) socket.terminate();
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  await closed;
  clearTimeout(force);
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
