import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { classifyError, classifyStatus, describeError, emptyErrorCounts, type ErrorCounts, type ErrorKind } from './errors';
import { LatencyHistogram, type LatencySummary } from './histogram';

export interface WebSocketLoadOptions {
  url: string | ((index: number) => string);
  connections: number;
  /** connection attempts in progress at once (default 50) */
  connectConcurrency?: number;
  /** an attempt fails as a timeout after this long (default 10000) */
  connectTimeoutMs?: number;
  headers?: Record<string, string>;
  label?: string;
}

export interface WebSocketConnectResult {
  attempted: number;
  connected: number;
  failed: number;
  errors: ErrorCounts;
  errorSamples: string[];
  /** time from the attempt to the open event, per connection */
  connectTime: LatencySummary;
  /** wall time to open all connections */
  totalMs: number;
}

export interface WebSocketDeliveryResult {
  event: string;
  /** connections open when the event was triggered */
  expected: number;
  received: number;
  missing: number;
  /** from the trigger to the matching message, per connection */
  latency: LatencySummary;
  durationMs: number;
}

export interface WebSocketLoadResult {
  label: string;
  connect: WebSocketConnectResult;
  deliveries: WebSocketDeliveryResult[];
  messagesReceived: number;
  /** connections the server closed (or that broke) while the test held them open */
  unexpectedCloses: number;
}

export type MessageMatcher = (message: unknown) => boolean;

interface ActiveDelivery {
  match: MessageMatcher;
  startMs: number;
  delivered: Uint8Array;
  received: number;
  expected: number;
  histogram: LatencyHistogram;
  done: () => void;
}

const DEFAULT_CONNECT_CONCURRENCY = 50;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 5_000;

/**
 * Many WebSocket connections from one process: connect time, delivery of broadcast events to
 * every connection and per-connection delivery latency. Messages are parsed only while a
 * delivery is being awaited, and none is kept, so memory stays flat in the number of messages.
 */
export class WebSocketLoad {
  private readonly sockets: Array<WebSocket | undefined> = [];
  private readonly deliveries: WebSocketDeliveryResult[] = [];
  private connectResult: WebSocketConnectResult | undefined;
  private active: ActiveDelivery | undefined;
  private closing = false;
  private messages = 0;
  private unexpectedCloses = 0;

  constructor(private readonly options: WebSocketLoadOptions) {
    if (!Number.isInteger(options.connections) || options.connections < 1) {
      throw new Error(`connections: got ${options.connections}, expected a positive integer`);
    }
  }

  get openConnections(): number {
    return this.sockets.reduce((count, socket) => count + (socket?.readyState === WebSocket.OPEN ? 1 : 0), 0);
  }

  async open(): Promise<WebSocketConnectResult> {
    const { connections } = this.options;
    const concurrency = Math.min(this.options.connectConcurrency ?? DEFAULT_CONNECT_CONCURRENCY, connections);
    const histogram = new LatencyHistogram();
    const errors = emptyErrorCounts();
    const errorSamples: string[] = [];
    const startedMs = performance.now();
    let next = 0;
    const attemptLoop = async (): Promise<void> => {
      while (next < connections) {
        const index = next++;
        const attemptMs = performance.now();
        try {
          this.sockets[index] = await this.connect(index);
          histogram.recordMs(performance.now() - attemptMs);
        } catch (error) {
          const kind: ErrorKind = classifyError(error);
          errors[kind] += 1;
          if (errorSamples.length < 5) errorSamples.push(`${kind}: ${describeError(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, attemptLoop));
    const connected = histogram.count;
    this.connectResult = {
      attempted: connections,
      connected,
      failed: connections - connected,
      errors,
      errorSamples,
      connectTime: histogram.summary(),
      totalMs: performance.now() - startedMs,
    };
    return this.connectResult;
  }

  /**
   * Calls `trigger` (which makes the server broadcast an event) and waits until every open
   * connection received a message that `match`es, or `timeoutMs` passed.
   */
  async deliver(event: string, trigger: () => Promise<unknown>, match: MessageMatcher, timeoutMs = 10_000): Promise<WebSocketDeliveryResult> {
    if (this.active) throw new Error(`deliver("${event}"): another delivery is still being awaited`);
    const expected = this.openConnections;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const active: ActiveDelivery = {
      match,
      startMs: performance.now(),
      delivered: new Uint8Array(this.sockets.length),
      received: 0,
      expected,
      histogram: new LatencyHistogram(),
      done,
    };
    this.active = active;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (expected === 0) done();
      await trigger();
      await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    } finally {
      clearTimeout(timer);
      this.active = undefined;
    }
    const result: WebSocketDeliveryResult = {
      event,
      expected,
      received: active.received,
      missing: Math.max(0, expected - active.received),
      latency: active.histogram.summary(),
      durationMs: performance.now() - active.startMs,
    };
    this.deliveries.push(result);
    return result;
  }

  result(): WebSocketLoadResult {
    if (!this.connectResult) throw new Error('WebSocketLoad.result(): open() has not run');
    return {
      label: this.options.label ?? 'WebSocket load',
      connect: this.connectResult,
      deliveries: [...this.deliveries],
      messagesReceived: this.messages,
      unexpectedCloses: this.unexpectedCloses,
    };
  }

  /** Closes every connection (cleanly, then forcibly after a grace period). */
  async close(): Promise<void> {
    this.closing = true;
    const open = this.sockets.filter((socket): socket is WebSocket => socket !== undefined && socket.readyState !== WebSocket.CLOSED);
    await Promise.all(
      open.map(
        (socket) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              socket.terminate();
              resolve();
            }, CLOSE_GRACE_MS);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.close(1000, 'load test finished');
          }),
      ),
    );
    this.sockets.length = 0;
  }

  private connect(index: number): Promise<WebSocket> {
    const url = typeof this.options.url === 'function' ? this.options.url(index) : this.options.url;
    const socket = new WebSocket(url, {
      headers: this.options.headers,
      perMessageDeflate: false,
      handshakeTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    return new Promise((resolve, reject) => {
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        response.resume();
        socket.terminate();
        reject(Object.assign(new Error(`upgrade answered HTTP ${status}`), { kind: classifyStatus(status) ?? 'other' }));
      });
      socket.on('error', reject); // after open, errors show as a close; a settled promise ignores them
      socket.once('open', () => {
        socket.on('message', (data) => this.onMessage(index, data));
        socket.once('close', () => {
          if (!this.closing) this.unexpectedCloses += 1;
        });
        resolve(socket);
      });
    });
  }

  private onMessage(index: number, data: WebSocket.RawData): void {
    this.messages += 1;
    const active = this.active;
    if (active === undefined || index >= active.delivered.length || active.delivered[index] === 1) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (!active.match(message)) return;
    active.delivered[index] = 1;
    active.received += 1;
    active.histogram.recordMs(performance.now() - active.startMs);
    if (active.received >= active.expected) active.done();
  }
}
