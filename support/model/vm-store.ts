import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';

/**
 * The VMs as stored, read from the target's PostgreSQL instead of through its API: what the API
 * shows must be what survives a restart. The layout is the reference's (`reference/core/vms/module.ts`:
 * tables `vms` and `vm_events` in NOVACRON_DB_SCHEMA). A target whose database does not answer at
 * DB_URL, or has no such tables, is not checked this way, and the scenario says so once; the
 * embedded reference always is.
 */

export interface StoredVm {
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
  /** Its history as stored, in order of sequence. */
  events: { sequence: number; type: string; action: string; from_state?: string; to_state?: string }[];
}

const NEEDED = ['vms', 'vm_events'];
let layout: Promise<string | undefined> | undefined;

/** Why the VM tables cannot be read, or undefined when they can; asked once per process. */
function unreadable(world: NovaWorld): Promise<string | undefined> {
  layout ??= (async () => {
    const { dbSchema } = world.suite.config;
    try {
      const db = await world.suite.db();
      const { rows } = await db.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)', [dbSchema, NEEDED]);
      const missing = NEEDED.filter((name) => !rows.some((row) => row.table_name === name));
      return missing.length ? `the database has no table ${missing.join(' or ')} in schema ${dbSchema}` : undefined;
    } catch (error) {
      return `the database did not answer (${(error as Error).message.split('\n')[0]})`;
    }
  })();
  return layout;
}

/** The stored VMs among `ids` (absent ones are not in the result), or undefined when the store cannot be read. */
export async function storedVms(world: NovaWorld, ids: readonly string[]): Promise<Map<string, StoredVm> | undefined> {
  const problem = await unreadable(world);
  if (problem) {
    if (world.suite.config.targetKind === 'embedded') throw new Error(`the embedded reference's VMs cannot be read from its database: ${problem}`);
    const note = world.domain('vm-store', () => ({ said: false }));
    if (!note.said) world.attach(`The VMs as stored are not compared with the API: ${problem} (DB_URL, NOVACRON_DB_SCHEMA).`, 'text/plain');
    note.said = true;
    return undefined;
  }
  const db = await world.suite.db();
  const { rows: vms } = await db.query<Omit<StoredVm, 'events' | 'created_at'> & { created_at: Date }>(
    'SELECT id, name, state, cpu_shares, memory_mb, disk_gb, image, tags, node_id, created_at FROM vms WHERE id = ANY($1)',
    [ids],
  );
  const { rows: events } = await db.query<StoredVm['events'][number] & { vm_id: string; from_state: string | null; to_state: string | null }>(
    'SELECT vm_id, sequence, type, action, from_state, to_state FROM vm_events WHERE vm_id = ANY($1) ORDER BY vm_id, sequence',
    [ids],
  );
  const stored = new Map<string, StoredVm>(vms.map((row) => [row.id, { ...row, created_at: row.created_at.toISOString(), events: [] }]));
  for (const { vm_id, from_state, to_state, ...event } of events) {
    const vm = stored.get(vm_id);
    assert.ok(vm, `the database holds history entry ${event.sequence} of ${vm_id}, a VM it does not hold`);
    vm.events.push({ ...event, ...(from_state ? { from_state } : {}), ...(to_state ? { to_state } : {}) });
  }
  return stored;
}
