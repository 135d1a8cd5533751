import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Components } from '../../reference/core/components';
import { Database } from '../../reference/db';
import { DependencyUnavailableError } from '../../reference/http/errors';
import { createLogger } from '../../reference/log';
import { DB_URL, dropTestData } from './helpers';

describe('database transactions', () => {
  const schema = `dbtx_${process.pid}`;
  const components = new Components();
  let db: Database;

  before(async () => {
    db = await Database.open({ databaseUrl: DB_URL, schema, components, log: createLogger('error') });
    await db.migrate([{ name: 'dbtx', migrations: [{ id: '1', sql: 'CREATE TABLE notes (text text NOT NULL)' }] }]);
  });

  after(async () => {
    components.recover('database');
    await db.close();
    await dropTestData(schema, `dbtx-${process.pid}:`);
  });

  it('does not commit work that was running when the database failed', async () => {
    const attempt = db.transaction(async (client) => {
      await client.query("INSERT INTO notes VALUES ('in flight')");
      components.fail('database');
    });
    await assert.rejects(attempt, (error) => error instanceof DependencyUnavailableError && /unavailable/.test(error.message));
    components.recover('database');
    assert.deepEqual((await db.pool.query('SELECT text FROM notes')).rows, []);
  });

  it('commits once the database is back', async () => {
    await db.transaction((client) => client.query("INSERT INTO notes VALUES ('after recovery')"));
    assert.deepEqual((await db.pool.query('SELECT text FROM notes')).rows, [{ text: 'after recovery' }]);
  });
});
