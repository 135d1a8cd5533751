import type { Pool, PoolClient } from 'pg';
import type { Migration } from '../module';
import type { Attachment, Network, NetworkPolicy, NetworkSnapshot } from './model';

/** The network domain's tables: one row per segment, attachment and policy, each with its record as JSON. */
export const NETWORK_MIGRATIONS: Migration[] = [
  {
    id: '001-segments-attachments-policies',
    sql: `
      CREATE TABLE network_segments (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        subnet text NOT NULL,
        position bigserial,
        record jsonb NOT NULL
      );
      CREATE TABLE network_attachments (
        network_id text NOT NULL REFERENCES network_segments (id) ON DELETE CASCADE,
        vm_id text NOT NULL,
        ip_address text NOT NULL,
        record jsonb NOT NULL,
        PRIMARY KEY (network_id, vm_id)
      );
      CREATE TABLE network_policies (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        position bigserial,
        record jsonb NOT NULL
      );`,
  },
];

export async function loadNetworks(pool: Pool): Promise<NetworkSnapshot> {
  const networks = await pool.query<{ record: Network }>('SELECT record FROM network_segments ORDER BY position');
  const attachments = await pool.query<{ record: Attachment }>('SELECT record FROM network_attachments ORDER BY network_id, ip_address');
  const policies = await pool.query<{ record: NetworkPolicy }>('SELECT record FROM network_policies ORDER BY position');
  return {
    networks: networks.rows.map((row) => row.record),
    attachments: attachments.rows.map((row) => row.record),
    policies: policies.rows.map((row) => row.record),
  };
}

export async function insertNetwork(client: PoolClient, network: Network): Promise<void> {
  await client.query('INSERT INTO network_segments (id, name, subnet, record) VALUES ($1, $2, $3, $4)', [network.id, network.name, network.subnet, network]);
}

export async function deleteNetwork(client: PoolClient, id: string): Promise<void> {
  await client.query('DELETE FROM network_segments WHERE id = $1', [id]);
}

export async function insertAttachment(client: PoolClient, attachment: Attachment): Promise<void> {
  await client.query('INSERT INTO network_attachments (network_id, vm_id, ip_address, record) VALUES ($1, $2, $3, $4)', [
    attachment.network_id,
    attachment.vm_id,
    attachment.ip_address,
    attachment,
  ]);
}

export async function deleteAttachments(client: PoolClient, attachments: readonly Attachment[]): Promise<void> {
  for (const attachment of attachments) {
    await client.query('DELETE FROM network_attachments WHERE network_id = $1 AND vm_id = $2', [attachment.network_id, attachment.vm_id]);
  }
}

export async function insertPolicy(client: PoolClient, policy: NetworkPolicy): Promise<void> {
  await client.query('INSERT INTO network_policies (id, name, record) VALUES ($1, $2, $3)', [policy.id, policy.name, policy]);
}

export async function deletePolicy(client: PoolClient, id: string): Promise<void> {
  await client.query('DELETE FROM network_policies WHERE id = $1', [id]);
}
