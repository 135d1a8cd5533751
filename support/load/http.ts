import { Pool, type Dispatcher } from 'undici';

// The load generator's HTTP path: an undici 7 Pool driven through `dispatch` with a minimal
// handler (no response stream objects). bench/http-clients.ts measured it at about a tenth of
// axios's client CPU per request; axios stays the functional API client.

export interface LoadRequest {
  method?: Dispatcher.HttpMethod;
  /** path and query, e.g. /api/v1/vms?page=1 */
  path: string;
  headers?: Record<string, string>;
  /** serialised with JSON.stringify unless already a string */
  json?: unknown;
}

export interface LoadResponse {
  status: number;
  /** the body text, only when the request asked for it (`readBody`) */
  body?: string;
}

export interface LoadHttpClientOptions {
  /** keep-alive connections to the target, e.g. the run's concurrency */
  connections: number;
  /** a request fails as a timeout when headers or the body take longer (default 30000) */
  timeoutMs?: number;
  /** sent with every request, e.g. Authorization */
  headers?: Record<string, string>;
}

class ResponseCollector implements Dispatcher.DispatchHandler {
  private status = 0;
  private chunks: Buffer[] | undefined;

  constructor(
    readBody: boolean,
    private readonly resolve: (response: LoadResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    if (readBody) this.chunks = [];
  }

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    if (this.chunks === undefined) this.resolve({ status: this.status });
    else this.resolve({ status: this.status, body: Buffer.concat(this.chunks).toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(error);
  }
}

/** A cheap keep-alive HTTP client for load runs (statuses are returned, never thrown). */
export class LoadHttpClient {
  private readonly pool: Pool;
  private readonly defaultHeaders: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    options: LoadHttpClientOptions,
  ) {
    if (!Number.isInteger(options.connections) || options.connections < 1) {
      throw new Error(`connections: got ${options.connections}, expected a positive integer`);
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.defaultHeaders = { ...options.headers };
    this.pool = new Pool(baseUrl, { connections: options.connections, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** Sends one request; `readBody` keeps the body (otherwise it is discarded as it arrives). */
  send(request: LoadRequest, readBody = false): Promise<LoadResponse> {
    const hasJson = request.json !== undefined;
    const headers = hasJson || request.headers ? { ...this.defaultHeaders, ...request.headers } : this.defaultHeaders;
    if (hasJson) headers['content-type'] = 'application/json';
    const body = hasJson ? (typeof request.json === 'string' ? request.json : JSON.stringify(request.json)) : null;
    return new Promise((resolve, reject) => {
      this.pool.dispatch({ method: request.method ?? 'GET', path: request.path, headers, body }, new ResponseCollector(readBody, resolve, reject));
    });
  }

  /** Sends one request and parses the JSON body (undefined when the body is empty or not JSON). */
  async json<T = unknown>(request: LoadRequest): Promise<{ status: number; data: T | undefined }> {
    const response = await this.send(request, true);
    let data: T | undefined;
    try {
      data = response.body ? (JSON.parse(response.body) as T) : undefined;
    } catch {
      data = undefined;
    }
    return { status: response.status, data };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Drops every connection at once (in-flight requests fail). */
  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
