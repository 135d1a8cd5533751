import { Client, Pool, type PoolClient } from 'pg';
import type { Components } from './core/components';
import { DependencyUnavailableError } from './http/errors';
import type { Logger } from './log';
import type { Migration } from './module';

/** What a module needs to migrate: its name and its ordered migrations. */
export interface MigrationSource {
  readonly name: string;
  readonly migrations?: readonly Migration[];
}

/** Connection-level failures: the database cannot be used right now (as opposed to a bad query). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return error.dependency === 'database';
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|Connection is closed/i.test(message ?? '');
}

function unavailable(error: unknown): DependencyUnavailableError {
  if (error instanceof DependencyUnavailableError) return error;
  return new DependencyUnavailableError('database', `the database is unavailable (${(error as Error).message}); nothing was changed`);
}

export interface DatabaseOptions {
  databaseUrl: string;
  schema: string;
  components: Components;
  log: Logger;
}

/**
 * The reference's PostgreSQL: a pool whose connections use the instance's schema as search_path,
 * refusing connections while the database is failed by the simulation, and a transaction helper
 * that turns connection failures into 503s.
 */
export class Database {
  readonly pool: Pool;

  private constructor(
    private readonly options: DatabaseOptions,
    pool: Pool,
  ) {
    this.pool = pool;
  }

  /** Connects (creating the database when it does not exist yet), then creates the schema. */
  static async open(options: DatabaseOptions): Promise<Database> {
    await ensureDatabaseExists(options.databaseUrl, options.log);
    const pool = new Pool({
      connectionString: options.databaseUrl,
      options: `-c search_path=${options.schema}`,
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      application_name: 'novacron-reference',
    });
    pool.on('error', (error) => options.log.warn(`an idle PostgreSQL connection failed: ${error.message}`));
    refuseWhileFailed(pool, options.components);
    return new Database(options, pool);
  }

  /**
   * Runs `work` in a transaction. While the database is down (simulated or real) it throws a
   * DependencyUnavailableError (503) and nothing is written.
   */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.options.components.assertAvailable('database');
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    let broken: Error | undefined;
    // A checked-out client emits 'error' when its connection drops; unhandled, that would crash the process.
    const onConnectionError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      // A failure declared while the work ran stops the commit, as a real outage would.
      this.options.components.assertAvailable('database');
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw isDatabaseUnavailable(error) ? unavailable(error) : error;
    } finally {
      client.off('error', onConnectionError);
      client.release(broken);
    }
  }

  /** Creates the schema and applies every module's pending migrations, once, under an advisory lock. */
  async migrate(sources: readonly MigrationSource[]): Promise<void> {
    const { schema, log } = this.options;
    const client = await this.pool.connect();
    const lockKey = `novacron-reference:${schema}`;
    const onConnectionError = (error: Error): void => log.warn(`the migration connection failed: ${error.message}`);
    client.on('error', onConnectionError);
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query(
          'CREATE TABLE IF NOT EXISTS reference_migrations (module text NOT NULL, id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (module, id))',
        );
        const { rows } = await client.query<{ module: string; id: string }>('SELECT module, id FROM reference_migrations');
        const applied = new Set(rows.map((row) => `${row.module}/${row.id}`));
        for (const source of sources) {
          for (const migration of source.migrations ?? []) {
            if (applied.has(`${source.name}/${migration.id}`)) continue;
            try {
              await client.query('BEGIN');
              await client.query(migration.sql);
              await client.query('INSERT INTO reference_migrations (module, id) VALUES ($1, $2)', [source.name, migration.id]);
              await client.query('COMMIT');
            } catch (error) {
              await client.query('ROLLBACK').catch(() => undefined);
              throw new Error(`migration ${source.name}/${migration.id} failed in schema ${schema}: ${(error as Error).message}`);
            }
            log.info(`applied migration ${source.name}/${migration.id} in schema ${schema}`);
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      }
    } finally {
      client.off('error', onConnectionError);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Pool.query and Pool.connect both go through `connect`: refuse it while the database is failed. */
function refuseWhileFailed(pool: Pool, components: Components): void {
  const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
  const refusing = (callback?: (error: Error, client?: PoolClient, done?: () => void) => void): unknown => {
    if (!components.isFailed('database')) return connect(callback);
    const error = new DependencyUnavailableError('database', 'the database is unavailable (simulated failure); nothing was changed');
    if (typeof callback === 'function') {
      process.nextTick(() => callback(error, undefined, () => undefined));
      return undefined;
    }
    return Promise.reject(error);
  };
  pool.connect = refusing as Pool['connect'];
}

/** A missing database (e.g. the default novacron_test) is created; anything else fails with one line. */
async function ensureDatabaseExists(databaseUrl: string, log: Logger): Promise<void> {
  const where = describeUrl(databaseUrl);
  const probe = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw new Error(`cannot connect to PostgreSQL at ${where}: ${oneLine(error)}`);
  } finally {
    await probe.end().catch(() => undefined);
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) throw new Error(`the PostgreSQL database "${name}" at ${where} does not exist`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    log.info(`created the PostgreSQL database ${name}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') {
      throw new Error(`the PostgreSQL database "${name}" at ${where} does not exist and cannot be created: ${oneLine(error)}`);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** host:port/database, without credentials. */
export function describeUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.hostname}:${url.port || '(default port)'}${url.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof AggregateError && error.errors.length > 0 ? error.errors.map((e: Error) => e.message).join('; ') : (error as Error).message;
  return (text || String(error)).split('\n')[0];
}
