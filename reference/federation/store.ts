import type { Pool, PoolClient } from 'pg';
import type { Migration as SchemaChange } from '../module';
import type { Migration } from './migration';
import type { FederatedVm, FederationSnapshot } from './model';

type StoredMember = FederationSnapshot['members'][number];

/** The federation and migration tables: members, each member's replica of each VM record, live migrations. */
export const FEDERATION_MIGRATIONS: SchemaChange[] = [
  {
    id: '001-members-and-replicas',
    sql: `
      CREATE TABLE federation_members (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        local boolean NOT NULL,
        position bigserial,
        record jsonb NOT NULL
      );
      CREATE TABLE federation_replicas (
        member_id text NOT NULL REFERENCES federation_members (id) ON DELETE CASCADE,
        vm_id text NOT NULL,
        version integer NOT NULL,
        record jsonb NOT NULL,
        PRIMARY KEY (member_id, vm_id)
      );`,
  },
];

export const MIGRATION_TABLES: SchemaChange[] = [
  {
    id: '001-migrations',
    sql: `
      CREATE TABLE vm_migrations (
        id text PRIMARY KEY,
        vm_id text NOT NULL,
        position bigserial,
        record jsonb NOT NULL
      );
      CREATE INDEX vm_migrations_vm ON vm_migrations (vm_id);`,
  },
];

export async function loadFederation(pool: Pool): Promise<FederationSnapshot> {
  const members = await pool.query<{ record: StoredMember }>('SELECT record FROM federation_members ORDER BY position');
  const replicas = await pool.query<{ member_id: string; record: FederatedVm }>('SELECT member_id, record FROM federation_replicas');
  const byMember: Record<string, FederatedVm[]> = {};
  for (const row of replicas.rows) (byMember[row.member_id] ??= []).push(row.record);
  return { members: members.rows.map((row) => row.record), replicas: byMember };
}

/**
 * What was last written, so each write sends only what changed: members by their reachability,
 * replicas by their version.
 */
export class FederationJournal {
  private members = new Map<string, boolean>();
  private versions = new Map<string, number>();

  /** Writes the members and replicas that differ from what was last written; call `committed` once it is. */
  async write(client: PoolClient, snapshot: FederationSnapshot): Promise<() => void> {
    const members = new Map(snapshot.members.map((m) => [m.id, m.reachable]));
    const versions = new Map<string, number>();
    for (const member of snapshot.members) {
      if (this.members.get(member.id) !== member.reachable) {
        await client.query(
          `INSERT INTO federation_members (id, name, local, record) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET record = $4`,
          [member.id, member.name, member.local, member],
        );
      }
    }
    for (const id of this.members.keys()) {
      if (!members.has(id)) await client.query('DELETE FROM federation_members WHERE id = $1', [id]);
    }
    for (const [memberId, records] of Object.entries(snapshot.replicas)) {
      for (const record of records) {
        const key = `${memberId}|${record.id}`;
        versions.set(key, record.version);
        if (this.versions.get(key) === record.version) continue;
        await client.query(
          `INSERT INTO federation_replicas (member_id, vm_id, version, record) VALUES ($1, $2, $3, $4)
           ON CONFLICT (member_id, vm_id) DO UPDATE SET version = $3, record = $4`,
          [memberId, record.id, record.version, record],
        );
      }
    }
    return () => {
      this.members = members;
      this.versions = versions;
    };
  }

  /** Marks a loaded snapshot as already written. */
  loaded(snapshot: FederationSnapshot): void {
    this.members = new Map(snapshot.members.map((m) => [m.id, m.reachable]));
    this.versions = new Map(Object.entries(snapshot.replicas).flatMap(([memberId, records]) => records.map((r) => [`${memberId}|${r.id}`, r.version] as const)));
  }

  /** True when the snapshot differs from what was last written. */
  differs(snapshot: FederationSnapshot): boolean {
    if (snapshot.members.length !== this.members.size || snapshot.members.some((m) => this.members.get(m.id) !== m.reachable)) return true;
    return Object.entries(snapshot.replicas).some(([memberId, records]) => records.some((r) => this.versions.get(`${memberId}|${r.id}`) !== r.version));
  }
}

export async function loadMigrations(pool: Pool): Promise<Migration[]> {
  const { rows } = await pool.query<{ record: Migration }>('SELECT record FROM vm_migrations ORDER BY position');
  return rows.map((row) => row.record);
}

export async function saveMigration(client: PoolClient | Pool, migration: Migration): Promise<void> {
  await client.query(
    `INSERT INTO vm_migrations (id, vm_id, record) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET record = $3`,
    [migration.id, migration.vm_id, migration],
  );
}
