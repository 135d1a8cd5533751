import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';

/**
 * Quick, bounded questions to the outside world: does this answer? Every probe has its own timeout
 * and never throws; the answer says why not.
 */

/** `giveUp`: retrying cannot help (e.g. the process being waited for has exited). */
export type ProbeResult = { ok: true } | { ok: false; problem: string; giveUp?: boolean };

export const POSTGRES_PROBE_TIMEOUT_MS = 2000;
export const REDIS_PROBE_TIMEOUT_MS = 1000;
const DOCKER_PROBE_TIMEOUT_MS = 1000;
export const HTTP_PROBE_TIMEOUT_MS = 2000;

/** A short name for what went wrong: the errno code (ECONNREFUSED) or the first line of the message. */
export function describeProblem(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message.split('\n')[0]! : String(error);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (text === '' && error instanceof AggregateError) return describeProblem(error.errors[0]);
  return text || 'unknown error';
}

export type PostgresProbe = ProbeResult & { databaseMissing?: boolean };

/** Connects to the database of `url`; `databaseMissing` when the server answers but the database does not exist. */
export async function probePostgres(url: string, timeoutMs = POSTGRES_PROBE_TIMEOUT_MS): Promise<PostgresProbe> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { ok: true };
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return { ok: false, databaseMissing: true, problem: `database ${databaseName(url)} does not exist` };
    return { ok: false, problem: describeProblem(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Sends PING; a password in the URL is used. */
export async function probeRedis(url: string, timeoutMs = REDIS_PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let connectionError: unknown; // more telling than the rejection ("Connection is closed.")
  client.on('error', (error) => (connectionError ??= error));
  try {
    await withDeadline(client.connect().then(() => client.ping()), timeoutMs + 200, `no answer within ${timeoutMs} ms`);
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: describeProblem(connectionError ?? error) };
  } finally {
    client.disconnect();
  }
}

/** Any HTTP answer (even 503) means the server is up. */
export function probeHttp(url: string, timeoutMs = HTTP_PROBE_TIMEOUT_MS): Promise<ProbeResult & { status?: number }> {
  return new Promise((resolve) => {
    const transport = url.startsWith('https:') ? https : http;
    const request = transport.get(url, { signal: AbortSignal.timeout(timeoutMs), headers: { connection: 'close' } }, (response) => {
      response.resume();
      resolve({ ok: true, status: response.statusCode });
    });
    request.on('error', (error) => {
      const timedOut = error.name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ABORT_ERR';
      resolve({ ok: false, problem: timedOut ? `no answer within ${timeoutMs} ms` : describeProblem(error) });
    });
  });
}

export interface DockerEndpoint {
  /** As shown to people: `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  display: string;
  socketPath?: string;
  host?: string;
  port?: number;
  tls?: boolean;
}

/** DOCKER_HOST when set; otherwise the usual sockets (system, rootless, Docker Desktop). */
function dockerEndpoints(env: NodeJS.ProcessEnv = process.env): DockerEndpoint[] {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return [{ display: dockerHost, socketPath: dockerHost.slice('unix://'.length) }];
    const tcp = /^(?:tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(dockerHost);
    if (tcp) {
      const tls = Boolean(env.DOCKER_TLS_VERIFY) || dockerHost.startsWith('https:');
      return [{ display: dockerHost, host: tcp[1]!, port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls }];
    }
    return [{ display: dockerHost }];
  }
  const sockets = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) sockets.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(homedir(), '.docker', 'run', 'docker.sock'));
  return [...new Set(sockets)].map((socketPath) => ({ display: `unix://${socketPath}`, socketPath }));
}

export interface DockerProbe {
  answers: boolean;
  endpoint: string;
  problem?: string;
}

/** Pings the engine (`GET /_ping`); `docker --version` would only prove the CLI exists. */
export async function probeDocker(env: NodeJS.ProcessEnv = process.env, timeoutMs = DOCKER_PROBE_TIMEOUT_MS): Promise<DockerProbe> {
  const endpoints = dockerEndpoints(env);
  const problems: string[] = [];
  for (const endpoint of endpoints) {
    const result = await pingDocker(endpoint, timeoutMs);
    if (result.ok) return { answers: true, endpoint: endpoint.display };
    problems.push(result.problem);
  }
  return { answers: false, endpoint: endpoints.map((e) => e.display).join(' or '), problem: [...new Set(problems)].join(', ') };
}

function pingDocker(endpoint: DockerEndpoint, timeoutMs: number): Promise<ProbeResult> {
  if (endpoint.tls) return probeTcp(endpoint.host!, endpoint.port!, timeoutMs); // a client certificate would be needed for more
  if (!endpoint.socketPath && !endpoint.host) return Promise.resolve({ ok: false, problem: `unsupported DOCKER_HOST ${endpoint.display}` });
  return new Promise((resolve) => {
    const request = http.get(
      {
        socketPath: endpoint.socketPath,
        host: endpoint.host,
        port: endpoint.port,
        path: '/_ping',
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200 ? { ok: true } : { ok: false, problem: `ping answered ${response.statusCode}` });
      },
    );
    request.on('error', (error) => {
      const timedOut = error.name === 'AbortError';
      resolve({ ok: false, problem: timedOut ? `no answer within ${timeoutMs} ms` : describeProblem(error) });
    });
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, problem: `no answer within ${timeoutMs} ms` });
    });
    socket.once('error', (error) => resolve({ ok: false, problem: describeProblem(error) }));
  });
}

/** The first executable file called `name` on PATH. */
export function findExecutable(name: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const MIN_ATTEMPT_MS = 50;

export interface RetryOutcome {
  ok: boolean;
  attempts: number;
  elapsedMs: number;
  lastProblem?: string;
}

/** Tries `probe` until it succeeds or `timeoutMs` has passed (each probe must bound itself). */
export async function retryUntil(
  probe: (remainingMs: number) => Promise<ProbeResult>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<RetryOutcome> {
  const started = Date.now();
  let attempts = 0;
  let lastProblem: string | undefined;
  for (;;) {
    attempts++;
    const remaining = Math.max(1, timeoutMs - (Date.now() - started));
    const result = await probe(remaining);
    if (result.ok) return { ok: true, attempts, elapsedMs: Date.now() - started };
    lastProblem = result.problem;
    const left = timeoutMs - (Date.now() - started);
    // A last attempt with a few milliseconds left would only report its own timeout.
    if (left < MIN_ATTEMPT_MS || result.giveUp) return { ok: false, attempts, elapsedMs: Date.now() - started, lastProblem };
    await sleep(Math.min(intervalMs, left - MIN_ATTEMPT_MS));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
