import type { Pool, PoolClient } from 'pg';
import type { Migration } from '../module';
import type { StoredVolume, Volume } from './model';

/** The storage domain's table: one row per volume with its record as JSON and its bytes. */
export const STORAGE_MIGRATIONS: Migration[] = [
  {
    id: '001-volumes',
    sql: `
      CREATE TABLE storage_volumes (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        tier text NOT NULL,
        size_gb integer NOT NULL,
        vm_id text,
        position bigserial,
        record jsonb NOT NULL,
        content bytea NOT NULL
      );
      CREATE INDEX storage_volumes_vm ON storage_volumes (vm_id);`,
  },
];

export async function loadVolumes(pool: Pool): Promise<StoredVolume[]> {
  const { rows } = await pool.query<{ record: Volume; content: Buffer }>('SELECT record, content FROM storage_volumes ORDER BY position');
  return rows.map((row) => ({ volume: row.record, content: row.content }));
}

/** Inserts or replaces a volume; its bytes only when given. */
export async function saveVolume(client: PoolClient, volume: Volume, content?: Buffer): Promise<void> {
  if (content) {
    await client.query(
      `INSERT INTO storage_volumes (id, name, tier, size_gb, vm_id, record, content) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET tier = $3, vm_id = $5, record = $6, content = $7`,
      [volume.id, volume.name, volume.tier, volume.size, volume.vm_id, volume, content],
    );
  } else {
    await client.query('UPDATE storage_volumes SET tier = $2, vm_id = $3, record = $4 WHERE id = $1', [volume.id, volume.tier, volume.vm_id, volume]);
  }
}

export async function deleteVolume(client: PoolClient, id: string): Promise<void> {
  await client.query('DELETE FROM storage_volumes WHERE id = $1', [id]);
}
