import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import WebSocket from 'ws';
import type { ReferenceOverrides } from '../../reference/options';
import { startReference, type RunningReference } from '../../reference/server';

export const DB_URL = process.env.DB_URL ?? 'postgresql://postgres:postgres@localhost:5432/novacron_test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
export const ADMIN_PASSWORD = 'test-admin-password';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (e.g. malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One reference for a test file, with its own schema and Redis prefix, removed by `close()`. */
export class TestReference {
  private constructor(
    readonly reference: RunningReference,
    readonly schema: string,
    readonly prefix: string,
    private readonly isolated: { drop: boolean },
  ) {}

  static async start(name: string, overrides: ReferenceOverrides = {}, shared?: { schema: string; prefix: string }): Promise<TestReference> {
    const suffix = randomBytes(4).toString('hex');
    const schema = shared?.schema ?? `t_${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
    const prefix = shared?.prefix ?? `test:${name}:${suffix}:`;
    let reference: RunningReference;
    try {
      reference = await startReference(
        { port: 0, schema, redisPrefix: prefix, adminPassword: ADMIN_PASSWORD, logLevel: 'error', faults: [], ...overrides },
        { DB_URL, REDIS_URL },
      );
    } catch (error) {
      if (!shared) await dropTestData(schema, prefix);
      throw error;
    }
    return new TestReference(reference, schema, prefix, { drop: !shared });
  }

  get url(): string {
    return this.reference.url;
  }

  async request<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }

  async login(username = 'admin', password = ADMIN_PASSWORD): Promise<{ token: string; refreshToken: string; user: { id: string } }> {
    const answer = await this.request<{ token: string; refreshToken: string; user: { id: string } }>('POST', '/api/auth/login', {
      body: { username, password },
    });
    if (answer.status !== 200) throw new Error(`login as ${username} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async adminToken(): Promise<string> {
    return (await this.login()).token;
  }

  /** A new user of `role`, signed in. */
  async userToken(role: 'admin' | 'operator' | 'viewer', adminToken?: string): Promise<{ token: string; id: string; username: string; password: string }> {
    const username = `${role}-${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const created = await this.request<{ id: string }>('POST', '/api/v1/users', {
      token: adminToken ?? (await this.adminToken()),
      body: { username, email: `${username}@example.test`, password, role },
    });
    if (created.status !== 201) throw new Error(`creating a ${role} answered ${created.status} ${JSON.stringify(created.body)}`);
    return { token: (await this.login(username, password)).token, id: created.body.id, username, password };
  }

  async createVm(token: string, body: Record<string, unknown>): Promise<Answer<Vm>> {
    return this.request<Vm>('POST', '/api/v1/vms', { token, body });
  }

  /** Polls the VM until it is in `state` (fails after `timeoutMs`). */
  async waitForState(token: string, id: string, state: string, timeoutMs = 3000): Promise<Vm> {
    const deadline = Date.now() + timeoutMs;
    let last: Answer<Vm> | undefined;
    while (Date.now() < deadline) {
      last = await this.request<Vm>('GET', `/api/v1/vms/${id}`, { token });
      if (last.body?.state === state) return last.body;
      await sleep(20);
    }
    throw new Error(`VM ${id} did not become ${state} within ${timeoutMs} ms (last: ${JSON.stringify(last?.body)})`);
  }

  /** Runs `query` in this reference's schema. */
  async sql<T = Record<string, unknown>>(query: string, values: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: DB_URL, options: `-c search_path=${this.schema}` });
    await client.connect();
    try {
      return (await client.query(query, values)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Stops the reference and drops its schema and Redis keys (unless `keepData`, or they were shared). */
  async close({ keepData = false } = {}): Promise<void> {
    await this.reference.close();
    if (this.isolated.drop && !keepData) await dropTestData(this.schema, this.prefix);
  }
}

export async function dropTestData(schema: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
  await deleteRedisKeys(prefix);
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  // An empty prefix would match every key of the Redis server, other runs' included.
  if (prefix === '') throw new Error('deleteRedisKeys needs a prefix: an empty one would delete every key in Redis');
  const redis = new IORedis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function withRedis<T>(work: (redis: IORedis) => Promise<T>): Promise<T> {
  const redis = new IORedis(REDIS_URL);
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export interface Vm {
  id: string;
  name: string;
  state: string;
  cpu_shares: number;
  memory_mb: number;
  disk_gb: number;
  image: string;
  tags: string[];
  node_id: string;
  created_at: string;
  updated_at: string;
}

export interface StreamMessage {
  type: string;
  timestamp: string;
  sequence: number;
  data: Record<string, unknown>;
}

/** A WebSocket subscriber that keeps every message and can wait for one. */
export class Subscriber {
  readonly messages: StreamMessage[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => this.messages.push(JSON.parse(raw.toString()) as StreamMessage));
  }

  /** Resolves when open, or rejects with the HTTP status of a refused upgrade. */
  static connect(url: string, { token, query = '', viaQuery = false }: { token?: string; query?: string; viaQuery?: boolean } = {}): Promise<Subscriber> {
    const params = new URLSearchParams(query);
    if (token && viaQuery) params.set('token', token);
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws/events${params.size > 0 ? `?${params}` : ''}`;
    const socket = new WebSocket(wsUrl, { headers: token && !viaQuery ? { authorization: `Bearer ${token}` } : {} });
    const subscriber = new Subscriber(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(subscriber));
      socket.once('unexpected-response', (_request, response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => reject(Object.assign(new Error(`upgrade refused with ${response.statusCode}: ${text}`), { status: response.statusCode, body: text })));
      });
      socket.once('error', reject);
    });
  }

  async waitFor(predicate: (message: StreamMessage) => boolean, timeoutMs = 3000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await sleep(10);
    }
    throw new Error(`no matching message within ${timeoutMs} ms; got ${this.messages.map((m) => `#${m.sequence} ${m.type}`).join(', ')}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
