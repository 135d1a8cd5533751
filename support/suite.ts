import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { ApiClient, EndpointMetrics, type RetriedServerError } from './api-client';
import { BrowserPool } from './browser';
import { CapabilityGate } from './capabilities';
import { getConfig, settleConfig, type Config } from './config';
import { theContract, type Contract, type ContractViolation } from './contract';
import { DISCOVERY_VARIABLE, discover, parseDiscovery, type Discovery } from './discovery';
import { TestEnvironment } from './environment';

/**
 * What one test process shares across its scenarios: the parsed configuration, the contract,
 * the target (provisioned by the run's coordinator, or here as a fallback), the admin session
 * used to set scenarios up and clean them away, and lazily opened database and cache clients
 * for the scenarios that look behind the API.
 */
export class Suite {
  private adminClient: ApiClient | undefined;
  private adminExpiresAt = 0;
  private pool: Pool | undefined;
  private cache: Redis | undefined;
  readonly endpointMetrics = new EndpointMetrics();
  readonly contractWarnings: ContractViolation[] = [];
  /** Server errors hidden by retries since the last `takeRetriedServerErrors` (one scenario at a time per process). */
  private retriedServerErrors: RetriedServerError[] = [];
  /** What the target offers and what the running scenario declared it needs; checks every request. */
  readonly gate: CapabilityGate;
  /** The browser of the `@browser` scenarios, started on first use (support/browser.ts). */
  readonly browsers: BrowserPool;

  private constructor(
    readonly config: Config,
    readonly contract: Contract,
    readonly apiUrl: string,
    private readonly ownedEnvironment: TestEnvironment | undefined,
    readonly discovery: Discovery,
  ) {
    this.gate = new CapabilityGate(discovery);
    this.browsers = new BrowserPool(config.browserPath);
  }

  static async start(): Promise<Suite> {
    let config = getConfig();
    const contract = theContract();
    let owned: TestEnvironment | undefined;
    let apiUrl = config.apiUrl;
    if (!apiUrl) {
      owned = new TestEnvironment(config);
      await owned.setup();
      Object.assign(process.env, owned.toEnv());
      config = settleConfig(owned.resolved);
      apiUrl = owned.toEnv().NOVACRON_API_URL;
    }
    if (!apiUrl) throw new Error('the test environment did not provide a NovaCron API URL');
    // The run's coordinator discovered the target once for every worker; a process started otherwise asks itself.
    const discovery = parseDiscovery(process.env[DISCOVERY_VARIABLE]) ?? (await discover(apiUrl));
    return new Suite(config, contract, apiUrl, owned, discovery);
  }

  log(line: string): void {
    if (this.config.debug) process.stderr.write(`${line}\n`);
  }

  client(token?: string): ApiClient {
    return new ApiClient({
      baseURL: this.apiUrl,
      timeout: Math.min(this.config.timeoutMs, 30_000),
      token,
      contract: this.contract,
      contractMode: this.config.contractMode,
      debug: this.config.debug ? (line) => this.log(line) : undefined,
      onContractWarning: (violation) => {
        this.contractWarnings.push(violation);
        process.stderr.write(`[contract] ${violation.message}\n`);
      },
      metrics: this.endpointMetrics,
      onServerErrorRetried: (retried) => this.retriedServerErrors.push(retried),
      onRequest: (operation) => this.gate.checkDeclared(operation),
      onAnswer: (operation, status) => this.gate.checkImplemented(operation, status),
    });
  }

  /** The server errors that retries hid since the last call (the hooks call it around each scenario). */
  takeRetriedServerErrors(): RetriedServerError[] {
    const taken = this.retriedServerErrors;
    this.retriedServerErrors = [];
    return taken;
  }

  /**
   * The configured administrator, signed in again when its session would end within `validForMs`
   * (a scenario that is about to fail the database asks for a margin, since signing in needs it).
   */
  async admin({ validForMs = 60_000 }: { validForMs?: number } = {}): Promise<ApiClient> {
    if (this.adminClient && this.adminExpiresAt - Date.now() > validForMs) return this.adminClient;
    const client = this.client();
    const { adminUsername, adminPassword } = this.config;
    const response = await client.post<{ token: string; expiresAt: string; error?: string }>('/api/auth/login', {
      username: adminUsername,
      password: adminPassword,
    });
    if (response.status !== 200) {
      throw new Error(
        `cannot sign in as NOVACRON_ADMIN_USERNAME="${adminUsername}" at ${this.apiUrl}: ${response.status} ${response.data?.error ?? ''} (check NOVACRON_ADMIN_USERNAME and NOVACRON_ADMIN_PASSWORD)`,
      );
    }
    client.setToken(response.data.token);
    this.adminClient = client;
    const expiresAt = Date.parse(response.data.expiresAt);
    this.adminExpiresAt = Number.isFinite(expiresAt) ? expiresAt : Date.now() + 5 * 60_000;
    return client;
  }

  async db(): Promise<Pool> {
    if (!this.pool) {
      const { Pool: PgPool } = await import('pg');
      this.pool = new PgPool({
        connectionString: this.config.dbUrl,
        max: 4,
        options: `-c search_path=${this.config.dbSchema}`,
        connectionTimeoutMillis: 5000,
      });
    }
    return this.pool;
  }

  async redis(): Promise<Redis> {
    if (!this.cache) {
      const { Redis: IORedis } = await import('ioredis');
      this.cache = new IORedis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await this.cache.connect();
    }
    return this.cache;
  }

  /** The Redis key the target uses for `name` (the embedded reference prefixes every key per run). */
  redisKey(name: string): string {
    return `${this.config.redisPrefix}${name}`;
  }

  /** Where the dashboard is: NOVACRON_UI_URL, else the target's own address. */
  get dashboardUrl(): string {
    return this.config.uiUrl ?? this.apiUrl;
  }

  async stop(): Promise<void> {
    await this.browsers.close().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    this.cache?.disconnect();
    await this.ownedEnvironment?.cleanup();
  }
}

let current: Suite | undefined;

export async function startSuite(): Promise<Suite> {
  current ??= await Suite.start();
  return current;
}

export function suite(): Suite {
  if (!current) throw new Error('the suite has not started: BeforeAll did not run (is support/hooks.ts loaded?)');
  return current;
}

export async function stopSuite(): Promise<void> {
  await current?.stop();
  current = undefined;
}
