import type { Pool } from 'pg';
import type { NovaWorld } from '../world';

/**
 * Reading a domain's state from the target's PostgreSQL instead of through its API, so that what
 * the API shows can be compared with what survives a restart. The tables are the reference's
 * (each domain's migrations under `reference/`) in NOVACRON_DB_SCHEMA. A target whose database
 * does not answer at DB_URL, or lacks the tables, is not compared this way, and the scenario says
 * so once; the embedded reference always is.
 */

const layouts = new Map<string, Promise<string | undefined>>();

/** Why the tables cannot be read, or undefined when they can; asked once per process and table set. */
function unreadable(world: NovaWorld, tables: readonly string[]): Promise<string | undefined> {
  const key = tables.join(',');
  let layout = layouts.get(key);
  if (!layout) {
    layout = (async () => {
      const { dbSchema } = world.suite.config;
      try {
        const db = await world.suite.db();
        const { rows } = await db.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)', [dbSchema, tables]);
        const missing = tables.filter((name) => !rows.some((row) => row.table_name === name));
        return missing.length ? `the database has no table ${missing.join(' or ')} in schema ${dbSchema}` : undefined;
      } catch (error) {
        return `the database did not answer (${(error as Error).message.split('\n')[0]})`;
      }
    })();
    layouts.set(key, layout);
  }
  return layout;
}

/**
 * Runs `read` against the target's database when `tables` can be read there; otherwise answers
 * undefined (attaching a note to the scenario once), or fails for the embedded reference.
 */
export async function readStored<T>(world: NovaWorld, what: string, tables: readonly string[], read: (db: Pool) => Promise<T>): Promise<T | undefined> {
  const problem = await unreadable(world, tables);
  if (problem) {
    if (world.suite.config.targetKind === 'embedded') throw new Error(`the embedded reference's ${what} cannot be read from its database: ${problem}`);
    const notes = world.domain('stored-views', () => new Set<string>());
    if (!notes.has(what)) world.attach(`The ${what} as stored are not compared with the API: ${problem} (DB_URL, NOVACRON_DB_SCHEMA).`, 'text/plain');
    notes.add(what);
    return undefined;
  }
  return read(await world.suite.db());
}
