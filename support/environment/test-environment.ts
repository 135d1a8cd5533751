import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Config, TargetKind } from '../config';
import { redactUrl } from '../redact';
import { planPostgres, planRedis, planTarget, type DockerFacts, type PostgresPlan, type RedisPlan } from './decisions';
import { dropSchema, ensureDatabase, startEmbeddedPostgres, startPostgresContainer } from './postgres';
import { guard, unguard } from './process-guard';
import { databaseName, describeProblem, findExecutable, probeDocker, probePostgres, probeRedis, retryUntil, type PostgresProbe, type ProbeResult } from './probes';
import { deleteKeysWithPrefix, startRedisContainer, startRedisServer } from './redis';
import { launchReference, referenceEnv } from './reference-process';
import type { ProgressLog, ProvidedService, StartedService } from './service';
import { EnvironmentError, waitForTarget } from './target';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export type ServiceName = 'api-server' | 'database' | 'redis';
export const SERVICE_NAMES: readonly ServiceName[] = ['api-server', 'database', 'redis'];

/** Where the run's target and its data live, once setup() has resolved them. */
export interface ResolvedEnvironment {
  readonly apiUrl: string;
  readonly targetKind: TargetKind;
  readonly dbUrl: string;
  readonly redisUrl: string;
  readonly dbSchema: string;
  readonly redisPrefix: string;
  /** How PostgreSQL and Redis were provided (`configured`: an external target owns them). */
  readonly postgres: PostgresPlan['source'] | 'configured';
  readonly redis: RedisPlan['source'] | 'configured';
}

/** The variables a worker process needs to connect to an environment provisioned elsewhere. */
export interface EnvironmentVariables {
  NOVACRON_API_URL: string;
  DB_URL: string;
  REDIS_URL: string;
  NOVACRON_DB_SCHEMA: string;
  NOVACRON_REDIS_PREFIX: string;
  NOVACRON_TARGET_KIND: TargetKind;
  [name: string]: string;
}

export interface TestEnvironmentOptions {
  /** Default: this repository. */
  repoRoot?: string;
  /** The reference's entry script. Default: NOVACRON_REFERENCE_ENTRY, else `<repoRoot>/reference/main.ts`. */
  referenceEntry?: string;
  /** Where reference.log and postgres.log go. Default: the reports folder (NOVACRON_REPORTS_DIR). */
  logDir?: string;
  /** Progress lines. Default: stderr, prefixed with `[env] `. */
  log?: ProgressLog;
  /** Stop what was started on SIGINT/SIGTERM/SIGHUP or an uncaught error, then exit. Default: true. */
  handleSignals?: boolean;
  /** How long the reference gets between SIGTERM and SIGKILL. Default: 5000 ms. */
  stopGraceMs?: number;
  /** Variables consulted for DOCKER_HOST and PATH, and inherited by the reference. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The integration guide's TestEnvironment. With NOVACRON_API_URL it only waits for that target;
 * otherwise it provides PostgreSQL and Redis (the configured ones when they answer, else containers,
 * else local processes) and starts the embedded reference with a schema and key prefix of its own.
 */
export class TestEnvironment {
  private readonly options: Required<Omit<TestEnvironmentOptions, 'env'>> & { env: NodeJS.ProcessEnv };
  /** Stopped in reverse order by cleanup(). */
  private readonly started: StartedService[] = [];
  private resolvedEnvironment: ResolvedEnvironment | undefined;
  private settingUp: Promise<ResolvedEnvironment> | undefined;
  private cleaningUp: Promise<void> | undefined;
  /** Aborted by cleanup() so a setup in progress unwinds promptly. */
  private readonly abort = new AbortController();
  private readonly guarded = { cleanup: () => this.cleanup(), killNow: () => this.killNow() };

  constructor(
    readonly config: Config,
    options: TestEnvironmentOptions = {},
  ) {
    const repoRoot = options.repoRoot ?? REPO_ROOT;
    this.options = {
      repoRoot,
      referenceEntry: options.referenceEntry ?? config.referenceEntry ?? join(repoRoot, 'reference', 'main.ts'),
      logDir: options.logDir ?? config.reportsDir,
      log: options.log ?? ((line) => process.stderr.write(`[env] ${line}\n`)),
      handleSignals: options.handleSignals ?? true,
      stopGraceMs: options.stopGraceMs ?? 5000,
      env: options.env ?? process.env,
    };
  }

  /** Resolves (and, for the embedded reference, provisions) the environment. Calling it again returns the same result. */
  setup(): Promise<ResolvedEnvironment> {
    if (this.cleaningUp) return Promise.reject(new EnvironmentError('this test environment was already cleaned up; create a new one'));
    this.settingUp ??= this.provision();
    return this.settingUp;
  }

  /** The resolved environment; throws before setup() has finished. */
  get resolved(): ResolvedEnvironment {
    if (!this.resolvedEnvironment) throw new EnvironmentError('the test environment is not set up yet: await setup() first');
    return this.resolvedEnvironment;
  }

  /** Variables that let worker processes connect to this environment without provisioning again. */
  toEnv(): EnvironmentVariables {
    const resolved = this.resolved;
    return {
      NOVACRON_API_URL: resolved.apiUrl,
      DB_URL: resolved.dbUrl,
      REDIS_URL: resolved.redisUrl,
      NOVACRON_DB_SCHEMA: resolved.dbSchema,
      NOVACRON_REDIS_PREFIX: resolved.redisPrefix,
      NOVACRON_TARGET_KIND: resolved.targetKind,
    };
  }

  /**
   * Waits until each named service answers (NOVACRON_STARTUP_TIMEOUT). Uses the resolved environment
   * after setup(), the configuration before it.
   */
  async waitForServices(names: readonly ServiceName[]): Promise<void> {
    const unknown = names.filter((name) => !SERVICE_NAMES.includes(name));
    if (unknown.length > 0) {
      throw new EnvironmentError(`waitForServices: unknown service "${unknown.join('", "')}": expected one of ${SERVICE_NAMES.join(', ')}`);
    }
    const where = this.resolvedEnvironment ?? { apiUrl: this.config.apiUrl, dbUrl: this.config.dbUrl, redisUrl: this.config.redisUrl };
    const timeoutMs = this.config.startupTimeoutMs;
    await Promise.all(
      names.map(async (name) => {
        if (name === 'api-server') {
          if (!where.apiUrl) throw new EnvironmentError('waitForServices: the api-server has no URL yet: set NOVACRON_API_URL or await setup() first');
          await waitForTarget(where.apiUrl, { timeoutMs });
        } else if (name === 'database') {
          await this.waitFor('PostgreSQL', where.dbUrl, 'DB_URL', (remaining) => probePostgres(where.dbUrl, Math.min(2000, remaining)));
        } else {
          await this.waitFor('Redis', where.redisUrl, 'REDIS_URL', (remaining) => probeRedis(where.redisUrl, Math.min(1000, remaining)));
        }
      }),
    );
  }

  /**
   * Stops everything setup() started and removes the run's schema and keys; a setup in progress is
   * cancelled first. Safe to call more than once.
   */
  cleanup(): Promise<void> {
    this.cleaningUp ??= (async () => {
      this.abort.abort();
      await this.settingUp?.catch(() => undefined);
      await this.stopStarted();
      unguard(this.guarded);
    })();
    return this.cleaningUp;
  }

  // -------------------------------------------------------------------------------------------

  private async provision(): Promise<ResolvedEnvironment> {
    const { config } = this;
    const target = planTarget(config.apiUrl);
    if (target.kind === 'external') {
      await waitForTarget(target.url, { timeoutMs: config.startupTimeoutMs });
      this.log(`target: ${redactUrl(target.url)} answers (${config.targetKind})`);
      this.resolvedEnvironment = Object.freeze({
        apiUrl: target.url,
        targetKind: config.targetKind,
        dbUrl: config.dbUrl,
        redisUrl: config.redisUrl,
        dbSchema: config.dbSchema,
        redisPrefix: config.redisPrefix,
        postgres: 'configured',
        redis: 'configured',
      });
      return this.resolvedEnvironment;
    }

    if (this.options.handleSignals) guard(this.guarded);
    try {
      this.resolvedEnvironment = await this.provisionEmbedded();
      return this.resolvedEnvironment;
    } catch (error) {
      await this.stopStarted();
      throw error;
    }
  }

  private async provisionEmbedded(): Promise<ResolvedEnvironment> {
    const { config } = this;
    const [postgresProbe, redisProbe] = await Promise.all([probePostgres(config.dbUrl), probeRedis(config.redisUrl)]);
    const postgresAnswers = postgresProbe.ok || postgresProbe.databaseMissing === true;
    const docker = await this.dockerFacts(!postgresAnswers || !redisProbe.ok);
    const postgresPlan = planPostgres({ ...serviceFacts(config.dbUrl, postgresAnswers ? { ok: true } : postgresProbe), docker });
    const redisPlan = planRedis({
      ...serviceFacts(config.redisUrl, redisProbe),
      docker,
      redisServerPath: redisProbe.ok ? undefined : findExecutable('redis-server', this.options.env.PATH),
    });
    for (const plan of [postgresPlan, redisPlan]) {
      if (plan.source === 'unavailable') throw new EnvironmentError(plan.reason);
    }

    const postgres = await this.providePostgres(postgresPlan, postgresProbe);
    this.throwIfCancelled();
    const redis = await this.provideRedis(redisPlan, redisProbe);
    this.throwIfCancelled();
    const runId = randomBytes(4).toString('hex');
    const dbSchema = `novacron_run_${runId}`;
    const redisPrefix = `novacron:run:${runId}:`;
    // Services this run started vanish with their data; on shared ones, remove exactly this run's data.
    if (!postgres.started) this.started.push({ label: `schema ${dbSchema}`, verb: 'dropped', stop: () => dropSchema(postgres.url, dbSchema) });
    if (!redis.started) {
      this.started.push({
        label: `Redis keys ${redisPrefix}*`,
        verb: 'deleted',
        stop: async () => void (await deleteKeysWithPrefix(redis.url, redisPrefix)),
      });
    }
    this.throwIfCancelled();

    const reference = await launchReference({
      repoRoot: this.options.repoRoot,
      entry: this.options.referenceEntry,
      env: referenceEnv(config, { dbUrl: postgres.url, redisUrl: redis.url, schema: dbSchema, redisPrefix, repoRoot: this.options.repoRoot }, this.options.env),
      startupTimeoutMs: config.startupTimeoutMs,
      logFile: join(this.options.logDir, 'reference.log'),
      stopGraceMs: this.options.stopGraceMs,
      signal: this.abort.signal,
      onSpawn: (child) => this.started.push(child), // reachable by the exit handler while it starts
    });
    this.log(`reference: ${reference.url} (schema ${dbSchema}, Redis prefix ${redisPrefix})`);
    return Object.freeze({
      apiUrl: reference.url,
      targetKind: 'embedded',
      dbUrl: postgres.url,
      redisUrl: redis.url,
      dbSchema,
      redisPrefix,
      postgres: postgresPlan.source,
      redis: redisPlan.source,
    } as const);
  }

  private async dockerFacts(needed: boolean): Promise<DockerFacts> {
    const requested = this.config.useDocker;
    if (!needed) return { requested, answers: false, endpoint: 'not probed (not needed)' };
    const probe = await probeDocker(this.options.env);
    this.log(probe.answers ? `Docker: engine answers at ${probe.endpoint}` : `Docker: no engine answers at ${probe.endpoint} (${probe.problem})`);
    return { requested, ...probe };
  }

  private async providePostgres(plan: PostgresPlan, probe: PostgresProbe): Promise<ProvidedService> {
    const { config } = this;
    const shown = redactUrl(config.dbUrl);
    if (plan.source === 'url') {
      if (probe.databaseMissing) {
        const { created } = await ensureDatabase(config.dbUrl);
        if (created) this.log(`PostgreSQL: created database ${databaseName(config.dbUrl)}`);
      }
      this.log(`PostgreSQL: using ${shown}`);
      return { url: config.dbUrl };
    }
    const why = `${shown} does not answer (${probe.ok ? 'no answer' : probe.problem})`;
    const provided =
      plan.source === 'container'
        ? (this.log(`PostgreSQL: ${why}; starting a container`), await startPostgresContainer(databaseName(config.dbUrl)))
        : (this.log(`PostgreSQL: ${why}; starting embedded PostgreSQL`),
          await startEmbeddedPostgres({
            database: databaseName(config.dbUrl),
            startupTimeoutMs: config.startupTimeoutMs,
            logFile: join(this.options.logDir, 'postgres.log'),
          }));
    this.track(provided);
    this.log(`PostgreSQL: using ${redactUrl(provided.url)} (${provided.started?.label})`);
    return provided;
  }

  private async provideRedis(plan: RedisPlan, probe: ProbeResult): Promise<ProvidedService> {
    const { config } = this;
    const shown = redactUrl(config.redisUrl);
    if (plan.source === 'url') {
      this.log(`Redis: using ${shown}`);
      return { url: config.redisUrl };
    }
    const why = `${shown} does not answer (${probe.ok ? 'no answer' : probe.problem})`;
    let provided: ProvidedService;
    if (plan.source === 'container') {
      this.log(`Redis: ${why}; starting a container`);
      provided = await startRedisContainer();
    } else if (plan.source === 'binary') {
      this.log(`Redis: ${why}; starting ${plan.path}`);
      provided = await startRedisServer(plan.path, config.startupTimeoutMs, this.abort.signal);
    } else {
      throw new EnvironmentError(plan.reason);
    }
    this.track(provided);
    this.log(`Redis: using ${redactUrl(provided.url)} (${provided.started?.label})`);
    return provided;
  }

  private track(provided: ProvidedService): void {
    if (provided.started) this.started.push(provided.started);
  }

  private async waitFor(service: string, url: string, variable: string, probe: (remainingMs: number) => Promise<ProbeResult>): Promise<void> {
    const outcome = await retryUntil(probe, this.config.startupTimeoutMs);
    if (!outcome.ok) {
      throw new EnvironmentError(
        `${service} at ${redactUrl(url)} did not answer within ${this.config.startupTimeoutMs} ms ` +
          `(${outcome.attempts} attempts, last error: ${outcome.lastProblem}); start it or change ${variable}`,
      );
    }
  }

  /** Stops in reverse order of starting: the reference first, the servers its data lived on last. */
  private async stopStarted(): Promise<void> {
    while (this.started.length > 0) {
      const service = this.started.pop()!;
      try {
        await service.stop();
        this.log(`cleanup: ${service.verb ?? 'stopped'} ${service.label}`);
      } catch (error) {
        this.log(`cleanup: could not remove ${service.label}: ${describeProblem(error)}`);
      }
    }
  }

  private throwIfCancelled(): void {
    if (this.abort.signal.aborted) throw new EnvironmentError('setup was cancelled by cleanup()');
  }

  private killNow(): void {
    for (const service of this.started) service.killNow?.();
  }

  private log(line: string): void {
    this.options.log(line);
  }
}

function serviceFacts(url: string, probe: ProbeResult): { url: string; urlAnswers: boolean; urlProblem?: string } {
  return probe.ok ? { url: redactUrl(url), urlAnswers: true } : { url: redactUrl(url), urlAnswers: false, urlProblem: probe.problem };
}
