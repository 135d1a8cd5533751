import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NovaWorld } from '../../support/world';
import { readStored } from '../../support/model/stored';

/** A world whose database holds `tables` (or does not answer), recording what the scenario attached. */
function worldWith(targetKind: 'embedded' | 'external', tables: string[] | Error) {
  const attached: string[] = [];
  const domains = new Map<string, unknown>();
  const pool = {
    query: async (sql: string, params: unknown[]) => {
      if (tables instanceof Error) throw tables;
      if (sql.includes('information_schema')) return { rows: (params[1] as string[]).filter((t) => tables.includes(t)).map((table_name) => ({ table_name })) };
      return { rows: [{ answer: 42 }] };
    },
  };
  const world = {
    suite: { config: { dbSchema: 'novacron', targetKind }, db: async () => pool },
    attach: (text: string) => attached.push(text),
    domain: <T>(name: string, create: () => T): T => (domains.has(name) ? (domains.get(name) as T) : (domains.set(name, create()), domains.get(name) as T)),
  } as unknown as NovaWorld;
  return { world, attached };
}

const read = async (db: { query: (sql: string) => Promise<{ rows: { answer: number }[] }> }) => (await db.query('SELECT 42')).rows[0].answer;

describe('the state as stored, read behind the API', () => {
  it('reads the tables when the database has them', async () => {
    const { world, attached } = worldWith('external', ['t_a', 't_b']);
    assert.equal(await readStored(world, 'things', ['t_a', 't_b'], read as never), 42);
    assert.deepEqual(attached, []);
  });

  it('skips a real target whose database lacks the tables, saying so once per scenario', async () => {
    const { world, attached } = worldWith('external', ['t_c']);
    assert.equal(await readStored(world, 'things', ['t_c', 't_d'], read as never), undefined);
    assert.equal(await readStored(world, 'things', ['t_c', 't_d'], read as never), undefined);
    assert.deepEqual(attached, ['The things as stored are not compared with the API: the database has no table t_d in schema novacron (DB_URL, NOVACRON_DB_SCHEMA).']);
  });

  it('fails for the embedded reference, whose database must hold them', async () => {
    const { world } = worldWith('embedded', new Error('connect ECONNREFUSED 127.0.0.1:5432\nmore'));
    await assert.rejects(readStored(world, 'VMs', ['t_e'], read as never), /the embedded reference's VMs cannot be read from its database: the database did not answer \(connect ECONNREFUSED 127\.0\.0\.1:5432\)/);
  });
});
