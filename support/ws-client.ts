import { NO_SUCH_OPERATION, NotImplementedError } from './capabilities';
import WebSocket from 'ws';

export interface StreamMessage<T = Record<string, unknown>> {
  type: string;
  timestamp: string;
  sequence: number;
  data: T;
}

export interface EventStreamOptions {
  /** ws:// or http:// base URL of the target; the path is added here. */
  baseURL: string;
  token?: string;
  path?: string;
  topics?: string[];
  connectTimeoutMs?: number;
  debug?: (line: string) => void;
}

export class StreamRefused extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
    this.name = 'StreamRefused';
  }
}

interface Waiter {
  predicate: (message: StreamMessage) => boolean;
  resolve: (message: StreamMessage) => void;
}

/**
 * A subscriber to the real-time event stream: keeps every message it received (in order), knows
 * the last sequence number, can wait for a message with a timeout, and reconnects resuming from
 * the last sequence it saw.
 */
export class EventStream {
  readonly received: StreamMessage[] = [];
  /** Raw frames that were not JSON: a protocol error the steps can assert on. */
  readonly malformed: string[] = [];
  private socket: WebSocket | undefined;
  private waiters: Waiter[] = [];
  private lastSequence: number | undefined;
  /** Set when the server closed the connection (not when this client dropped or closed it). */
  closeCode: number | undefined;

  private constructor(private readonly options: EventStreamOptions) {}

  static async open(options: EventStreamOptions, since?: number): Promise<EventStream> {
    const stream = new EventStream(options);
    await stream.connect(since);
    return stream;
  }

  get last(): number | undefined {
    return this.lastSequence;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Messages of one type (or type prefix ending in '.'), in arrival order. */
  ofType(type: string): StreamMessage[] {
    return this.received.filter((m) => (type.endsWith('.') ? m.type.startsWith(type) : m.type === type));
  }

  waitFor(predicate: (message: StreamMessage) => boolean, timeoutMs: number, description: string): Promise<StreamMessage> {
    const already = this.received.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const seen = this.received.slice(-5).map((m) => `#${m.sequence} ${m.type}`).join(', ') || 'nothing';
        reject(new Error(`no ${description} on the event stream within ${timeoutMs} ms (last messages: ${seen})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves with the close code once the server has closed the connection. */
  async waitClosedByServer(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error(`the server kept the event stream open for more than ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closeCode;
  }

  /** Drops the connection the way a network failure would (no close handshake). */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  async reconnect(): Promise<void> {
    this.drop();
    await this.connect(this.lastSequence);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.waiters = [];
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close();
    });
  }

  private connect(since?: number): Promise<void> {
    const url = new URL(this.options.path ?? '/ws/events', this.options.baseURL.replace(/^http/, 'ws'));
    if (since !== undefined) url.searchParams.set('since', String(since));
    if (this.options.topics?.length) url.searchParams.set('topics', this.options.topics.join(','));
    const headers: Record<string, string> = this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {};
    const socket = new WebSocket(url, { headers, handshakeTimeout: this.options.connectTimeoutMs ?? 5000 });
    this.socket = socket;
    socket.on('message', (raw) => this.onMessage(raw.toString()));
    socket.on('close', (code) => {
      if (this.socket === socket) this.closeCode = code;
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        this.options.debug?.(`[ws] connected ${url.pathname}${url.search}`);
        resolve();
      });
      socket.once('unexpected-response', (_request, response) => {
        socket.terminate();
        if ((NO_SUCH_OPERATION as readonly (number | undefined)[]).includes(response.statusCode)) {
          reject(new NotImplementedError(`the event stream (${url.pathname})`, `its WebSocket upgrade answered ${response.statusCode}: the target has no such endpoint`));
          return;
        }
        reject(new StreamRefused(response.statusCode, `the event stream refused the connection (${response.statusCode})`));
      });
      socket.once('error', (error) => reject(new StreamRefused(undefined, `the event stream could not be reached: ${error.message}`)));
    });
  }

  private onMessage(raw: string): void {
    let message: StreamMessage;
    try {
      message = JSON.parse(raw) as StreamMessage;
    } catch {
      this.malformed.push(raw.slice(0, 200));
      return;
    }
    this.received.push(message);
    if (typeof message.sequence === 'number' && (message.type !== 'welcome' || this.lastSequence === undefined)) {
      this.lastSequence = message.sequence;
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(message)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      }
    }
  }
}
