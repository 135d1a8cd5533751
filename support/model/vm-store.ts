import assert from 'node:assert/strict';
import type { Vm } from '../tasks/vms';
import type { NovaWorld } from '../world';
import { readStored } from './stored';

/** The VMs as stored (tables `vms` and `vm_events`, as `reference/core/vms/module.ts` lays them out); see stored.ts. */

export type StoredVm = Omit<Vm, 'updated_at'> & {
  /** Its history as stored, in order of sequence. */
  events: { sequence: number; type: string; action: string; from_state?: string; to_state?: string }[];
};

/** The stored VMs among `ids` (absent ones are not in the result), or undefined when the store cannot be read. */
export async function storedVms(world: NovaWorld, ids: readonly string[]): Promise<Map<string, StoredVm> | undefined> {
  return readStored(world, 'VMs', ['vms', 'vm_events'], async (db) => {
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
  });
}
