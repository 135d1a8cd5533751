import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log';
import { readJsonBody } from './body';
import { DependencyUnavailableError, HttpError } from './errors';

/** What a handler returns when the answer is not a plain 200 JSON body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers?: Record<string, string>,
    /** A body already serialised as JSON (hot paths), sent instead of `body`. */
    readonly json?: string | Buffer,
    /** The media type of `json` when it is not JSON (the dashboard's files). */
    readonly contentType = 'application/json; charset=utf-8',
  ) {}
}

export const reply = {
  ok: (body: unknown): Reply => new Reply(200, body),
  created: (body: unknown): Reply => new Reply(201, body),
  status: (status: number, body: unknown, headers?: Record<string, string>): Reply => new Reply(status, body, headers),
  /** A body that is already JSON text (or its UTF-8 bytes). */
  json: (status: number, json: string | Buffer): Reply => new Reply(status, undefined, undefined, json),
  /** A file of the dashboard: HTML, CSS or JavaScript. */
  file: (contentType: string, text: string | Buffer): Reply => new Reply(200, undefined, { 'Cache-Control': 'no-cache' }, text, contentType),
};

export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. `/api/v1/vms/vm-1`. */
  readonly path: string;
  /** Decoded `:param` values of the route. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the request has none. */
  readonly body: unknown;
  readonly clientIp: string;
  readonly raw: IncomingMessage;
  /** For headers that hooks add (rate limits); handlers normally return a value or a Reply. */
  readonly response: ServerResponse;
}

/** A 200 JSON body (any value), a Reply, or undefined for 204. */
export type Handler = (request: ApiRequest) => unknown;

/** Runs before routing for every request whose path starts with its prefix; may throw an HttpError. */
export type Hook = (request: ApiRequest) => void | Promise<void>;

export interface UpgradeRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly clientIp: string;
  readonly raw: IncomingMessage;
}

/**
 * Decides whether a WebSocket upgrade is accepted (throw an HttpError to refuse it with that
 * status) and returns what to do with the open socket.
 */
export type UpgradeHandler = (request: UpgradeRequest) => ((socket: WebSocket) => void) | Promise<(socket: WebSocket) => void>;

interface Route {
  handler: Handler;
  paramNames: string[];
  pattern: string;
}

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  routes?: Map<string, Route>;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_QUERY = new URLSearchParams();

export interface RouterOptions {
  log: Logger;
  maxBodyBytes: number;
  /** Turns errors the router does not know (e.g. a lost database connection) into an HttpError. */
  mapError?: (error: unknown) => HttpError | undefined;
}

/**
 * A small router on node:http: method + path with `:params`, JSON bodies with a size limit,
 * JSON answers, 404 for unknown paths, 405 (with Allow) for a known path and another method,
 * 503 for an unavailable dependency, and a catch-all 500 that logs the error. WebSocket routes
 * share the port through `ws` in noServer mode.
 */
export class Router {
  private readonly root: Node = { literal: new Map() };
  private readonly hooks: { prefix: string; hook: Hook }[] = [];
  private readonly upgrades = new Map<string, UpgradeHandler>();
  private readonly sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });

  constructor(private readonly options: RouterOptions) {}

  get(pattern: string, handler: Handler): this {
    return this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: Handler): this {
    return this.add('POST', pattern, handler);
  }

  put(pattern: string, handler: Handler): this {
    return this.add('PUT', pattern, handler);
  }

  patch(pattern: string, handler: Handler): this {
    return this.add('PATCH', pattern, handler);
  }

  delete(pattern: string, handler: Handler): this {
    return this.add('DELETE', pattern, handler);
  }

  add(method: string, pattern: string, handler: Handler): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern "${pattern}" must start with /`);
    let node = this.root;
    const paramNames: string[] = [];
    for (const segment of segmentsOf(pattern)) {
      if (segment.startsWith(':')) {
        const name = segment.slice(1);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`route pattern "${pattern}" has an invalid parameter "${segment}"`);
        paramNames.push(name);
        node = node.param ??= { literal: new Map() };
      } else {
        let next = node.literal.get(segment);
        if (!next) {
          next = { literal: new Map() };
          node.literal.set(segment, next);
        }
        node = next;
      }
    }
    node.routes ??= new Map();
    const upper = method.toUpperCase();
    const existing = node.routes.get(upper);
    if (existing) throw new Error(`route ${upper} ${pattern} is already registered (as ${existing.pattern})`);
    node.routes.set(upper, { handler, paramNames, pattern });
    return this;
  }

  /** A hook for every request under `prefix` (e.g. rate limiting of `/api/v1/`), in registration order. */
  before(prefix: string, hook: Hook): this {
    this.hooks.push({ prefix, hook });
    return this;
  }

  websocket(path: string, handler: UpgradeHandler): this {
    if (this.upgrades.has(path)) throw new Error(`WebSocket route ${path} is already registered`);
    this.upgrades.set(path, handler);
    return this;
  }

  /** The open WebSocket connections, e.g. to close them at shutdown. */
  get webSockets(): Set<WebSocket> {
    return this.sockets.clients;
  }

  /** The node:http request listener. */
  readonly handle = (raw: IncomingMessage, response: ServerResponse): void => {
    const started = this.options.log.enabled('debug') ? performance.now() : 0;
    if (started) {
      response.once('finish', () => {
        this.options.log.debug(`${raw.method} ${raw.url} -> ${response.statusCode} (${(performance.now() - started).toFixed(1)} ms)`);
      });
    }
    this.dispatch(raw, response).catch((error: unknown) => this.fail(raw, response, error));
  };

  /** The node:http 'upgrade' listener. */
  readonly handleUpgrade = (raw: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const { path, query } = splitUrl(raw.url ?? '/');
    const handler = this.upgrades.get(path);
    if (!handler) {
      rejectUpgrade(socket, new HttpError(404, `no WebSocket endpoint at ${path}`));
      return;
    }
    const request: UpgradeRequest = { path, query: new URLSearchParams(query), headers: raw.headers, clientIp: raw.socket.remoteAddress ?? 'unknown', raw };
    Promise.resolve()
      .then(() => handler(request))
      .then(
        (open) => this.sockets.handleUpgrade(raw, socket, head, (ws) => open(ws)),
        (error: unknown) => {
          const httpError = this.toHttpError(error);
          if (httpError.status >= 500) this.options.log.error(`WebSocket upgrade of ${raw.url} failed`, error);
          rejectUpgrade(socket, httpError);
        },
      );
  };

  private async dispatch(raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = raw.method ?? 'GET';
    const { path, query } = splitUrl(raw.url ?? '/');
    const request = {
      method,
      path,
      params: NO_PARAMS,
      query: query === '' ? EMPTY_QUERY : new URLSearchParams(query),
      headers: raw.headers,
      body: undefined as unknown,
      clientIp: raw.socket.remoteAddress ?? 'unknown',
      raw,
      response,
    };
    for (const { prefix, hook } of this.hooks) {
      if (!path.startsWith(prefix)) continue;
      const pending = hook(request);
      if (pending) await pending;
    }
    const values: string[] = [];
    const node = match(this.root, segmentsOf(path), 0, values);
    if (!node?.routes) throw new HttpError(404, `no endpoint at ${method} ${path}`);
    const route = node.routes.get(method) ?? (method === 'HEAD' ? node.routes.get('GET') : undefined);
    if (!route) {
      const allowed = [...node.routes.keys()].sort().join(', ');
      throw new HttpError(405, `${method} is not allowed on ${path}; allowed: ${allowed}`, undefined, { headers: { Allow: allowed } });
    }
    if (values.length > 0) request.params = decodeParams(route.paramNames, values);
    if (BODY_METHODS.has(method)) request.body = await readJsonBody(raw, this.options.maxBodyBytes);
    const result = await route.handler(request);
    send(response, result);
  }

  private toHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error;
    if (error instanceof DependencyUnavailableError) return new HttpError(503, error.message);
    const mapped = this.options.mapError?.(error);
    if (mapped) return mapped;
    return new HttpError(500, 'internal server error');
  }

  private fail(raw: IncomingMessage, response: ServerResponse, error: unknown): void {
    const httpError = this.toHttpError(error);
    if (httpError.status >= 500) {
      if (httpError.status === 500) this.options.log.error(`${raw.method} ${raw.url} failed`, error);
      else this.options.log.warn(`${raw.method} ${raw.url} answered ${httpError.status}: ${httpError.message}`);
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (httpError.status === 413) response.setHeader('Connection', 'close');
    sendJson(response, httpError.status, JSON.stringify(httpError.toBody()), httpError.more.headers);
  }
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

/** Literal segments win over parameters; backtracks when a literal branch leads nowhere. */
function match(node: Node, segments: string[], index: number, values: string[]): Node | undefined {
  if (index === segments.length) return node.routes ? node : undefined;
  const literal = node.literal.get(segments[index]);
  if (literal) {
    const found = match(literal, segments, index + 1, values);
    if (found) return found;
  }
  if (node.param) {
    values.push(segments[index]);
    const found = match(node.param, segments, index + 1, values);
    if (found) return found;
    values.pop();
  }
  return undefined;
}

function decodeParams(names: string[], values: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(values[i]);
    } catch {
      throw new HttpError(400, `the path segment "${values[i]}" is not valid percent-encoding`);
    }
  });
  return params;
}

function send(response: ServerResponse, result: unknown): void {
  if (result instanceof Reply) {
    if (result.json !== undefined) sendJson(response, result.status, result.json, result.headers, result.contentType);
    else if (result.body === undefined) sendEmpty(response, result.status, result.headers);
    else sendJson(response, result.status, JSON.stringify(result.body), result.headers);
  } else if (result === undefined) {
    sendEmpty(response, 204);
  } else {
    sendJson(response, 200, JSON.stringify(result));
  }
}

function sendJson(response: ServerResponse, status: number, json: string | Buffer, headers?: Record<string, string>, contentType = 'application/json; charset=utf-8'): void {
  if (headers) for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(json) });
  response.end(json);
}

function sendEmpty(response: ServerResponse, status: number, headers?: Record<string, string>): void {
  if (headers) for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status);
  response.end();
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers a refused upgrade with a plain HTTP response carrying the usual JSON error. */
function rejectUpgrade(socket: Duplex, error: HttpError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(error.toBody());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
