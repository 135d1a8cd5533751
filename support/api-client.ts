import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { Contract, ContractViolation, type OperationInfo } from './contract';
import { LatencyHistogram, type SerializedHistogram } from './load/histogram';
import { redact } from './redact';

export type ContractMode = 'strict' | 'warn' | 'off';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiClientOptions {
  baseURL: string;
  timeout?: number;
  retries?: number;
  /** Base backoff in ms; attempt n waits base * 2^(n-1). */
  retryBackoffMs?: number;
  token?: string;
  contract?: Contract;
  contractMode?: ContractMode;
  debug?: (line: string) => void;
  /** Where contract warnings go in `warn` mode. */
  onContractWarning?: (violation: ContractViolation) => void;
  metrics?: EndpointMetrics;
  /**
   * Told of every server error (5xx) that a retry hid: the suite collects them so that an
   * intermittent failure of the target fails its scenario instead of passing unseen.
   */
  onServerErrorRetried?: (retried: RetriedServerError) => void;
  /** Told of each request's operation before it is sent; throwing refuses the request. */
  onRequest?: (operation: OperationInfo) => void;
  /** Told of each final answer's status before the contract check; throwing fails the request. */
  onAnswer?: (operation: OperationInfo, status: number) => void;
}

/** A 5xx answer the client retried instead of returning it. */
export interface RetriedServerError {
  method: HttpMethod;
  path: string;
  /** The documented operation, e.g. `GET /api/v1/vms/{id}`. */
  operation: string;
  status: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** The start of the answer's body, for the report. */
  body: string;
}

export interface RequestOptions {
  params?: Record<string, string | number | boolean | undefined>;
  /** Overrides the client's retry count (e.g. 0 where a 503 is an expected answer). */
  retries?: number;
}

export interface ApiResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
  durationMs: number;
  operation: string;
}

const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

const sharedAgents = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** The guide's APIClient: retries, bearer token, per-endpoint metrics, redacted debug log, contract check of every answer. */
export class ApiClient {
  private readonly http: AxiosInstance;
  private token: string | undefined;
  readonly metrics: EndpointMetrics;

  constructor(private readonly options: ApiClientOptions) {
    this.token = options.token;
    this.metrics = options.metrics ?? new EndpointMetrics();
    this.http = axios.create({
      baseURL: options.baseURL,
      timeout: options.timeout ?? 30_000,
      validateStatus: () => true,
      maxRedirects: 0,
      ...sharedAgents,
    });
  }

  get baseURL(): string {
    return this.options.baseURL;
  }

  get bearerToken(): string | undefined {
    return this.token;
  }

  /** A client for the same target acting with another token (or none); metrics are shared. */
  as(token: string | undefined): ApiClient {
    return new ApiClient({ ...this.options, token, metrics: this.metrics });
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  get<T = unknown>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  put<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body, options);
  }

  patch<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = unknown>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, undefined, options);
  }

  async request<T>(method: HttpMethod, path: string, body?: unknown, { params, retries: retryOverride }: RequestOptions = {}): Promise<ApiResponse<T>> {
    const retries = IDEMPOTENT.has(method) ? (retryOverride ?? this.options.retries ?? 3) : 0;
    const described = this.options.contract?.describe(method, path);
    const operation = described?.key ?? `${method} ${path}`;
    if (described) this.options.onRequest?.(described);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const outcome = await this.send(method, path, body, params);
      const durationMs = performance.now() - started;
      if ('error' in outcome) {
        this.metrics.record(operation, durationMs, true);
        const code = outcome.code;
        this.debug(`${method} ${path} -> ${code} after ${durationMs.toFixed(1)} ms (attempt ${attempt + 1})`);
        if (attempt < retries && NETWORK_ERRORS.has(code)) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new Error(`${method} ${this.options.baseURL}${path} failed: ${code} (${outcome.error.message}) after ${attempt + 1} attempt(s)`);
      }
      const { response } = outcome;
      this.metrics.record(operation, durationMs, response.status >= 500);
      this.debug(
        `${method} ${path} ${body === undefined ? '' : JSON.stringify(redact(body))} -> ${response.status} ${truncate(JSON.stringify(redact(response.data)))} (${durationMs.toFixed(1)} ms)`,
      );
      if (response.status >= 500 && attempt < retries) {
        this.options.onServerErrorRetried?.({
          method,
          path,
          operation,
          status: response.status,
          attempt: attempt + 1,
          body: truncate(JSON.stringify(redact(response.data))).slice(0, 200),
        });
        await sleep(this.backoff(attempt));
        continue;
      }
      if (described) this.options.onAnswer?.(described, response.status);
      this.checkContract(method, path, response);
      return {
        status: response.status,
        data: response.data as T,
        headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
        durationMs,
        operation,
      };
    }
  }

  private async send(
    method: HttpMethod,
    path: string,
    body: unknown,
    params: RequestOptions['params'],
  ): Promise<{ response: AxiosResponse } | { error: Error; code: string }> {
    try {
      const response = await this.http.request({
        method,
        url: path,
        data: body,
        params,
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
      });
      return { response };
    } catch (error) {
      return { error: error as Error, code: (error as { code?: string }).code ?? 'ERROR' };
    }
  }

  private checkContract(method: HttpMethod, path: string, response: AxiosResponse): void {
    const contract = this.options.contract;
    const mode = this.options.contractMode ?? 'strict';
    if (!contract || mode === 'off') return;
    const { problems } = contract.check(method, path, response.status, response.data, String(response.headers['content-type'] ?? ''));
    if (problems.length === 0) return;
    const violation = new ContractViolation(`The ${response.status} answer to ${contract.operationName(method, path)}`, problems);
    if (mode === 'strict') throw violation;
    this.options.onContractWarning?.(violation);
  }

  private backoff(attempt: number): number {
    return (this.options.retryBackoffMs ?? 100) * 2 ** attempt;
  }

  private debug(line: string): void {
    this.options.debug?.(`[api] ${line}`);
  }
}

export interface EndpointSummary {
  count: number;
  errors: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** One endpoint's figures as a worker hands them to the report, which merges the workers'. */
export interface EndpointFigures {
  errors: number;
  latency: SerializedHistogram;
}

/** Per-endpoint latency histograms (microsecond resolution) and error counts. */
export class EndpointMetrics {
  private readonly endpoints = new Map<string, { histogram: LatencyHistogram; errors: number }>();

  record(operation: string, durationMs: number, failed: boolean): void {
    const entry = this.entry(operation);
    entry.histogram.recordMs(durationMs);
    if (failed) entry.errors++;
  }

  /** Adds figures recorded elsewhere (another worker). */
  add(operation: string, figures: EndpointFigures): void {
    const entry = this.entry(operation);
    entry.histogram.add(figures.latency);
    entry.errors += figures.errors;
  }

  figures(): Record<string, EndpointFigures> {
    const out: Record<string, EndpointFigures> = {};
    for (const [operation, { histogram, errors }] of this.endpoints) out[operation] = { errors, latency: histogram.serialize() };
    return out;
  }

  private entry(operation: string): { histogram: LatencyHistogram; errors: number } {
    let entry = this.endpoints.get(operation);
    if (!entry) {
      entry = { histogram: new LatencyHistogram(), errors: 0 };
      this.endpoints.set(operation, entry);
    }
    return entry;
  }

  summary(): Record<string, EndpointSummary> {
    const out: Record<string, EndpointSummary> = {};
    for (const [operation, { histogram, errors }] of [...this.endpoints].sort(([a], [b]) => a.localeCompare(b))) {
      const latency = histogram.summary();
      out[operation] = { count: latency.count, errors, p50_ms: latency.p50, p95_ms: latency.p95, p99_ms: latency.p99, max_ms: latency.max };
    }
    return out;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function truncate(text: string | undefined): string {
  if (text === undefined) return '';
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
