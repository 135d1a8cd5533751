import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sha256 } from '../../reference/storage/content';
import { STORAGE_FAULTS, STORAGE_SCENARIOS, type StorageFaultFlags } from '../../reference/storage/faults';
import { StorageService } from '../../reference/storage/storage';

const storageWith = (flags: Partial<StorageFaultFlags>) => new StorageService({ faults: { ...STORAGE_FAULTS.none, ...flags } });

describe('storage faults', () => {
  it('name only scenarios that exist in the feature', () => {
    const feature = readFileSync(join(__dirname, '..', '..', 'features', 'system', 'backend', 'storage.feature'), 'utf8');
    const titles = new Set([...feature.matchAll(/^\s*Scenario(?: Outline)?: (.+?)\s*$/gm)].map((m) => m[1]));
    for (const title of Object.values(STORAGE_SCENARIOS)) assert.ok(titles.has(title), `no scenario "${title}"`);
    assert.equal(titles.size, Object.keys(STORAGE_SCENARIOS).length, 'every scenario has a title constant');
    for (const fault of STORAGE_FAULTS.catalog) assert.ok(fault.scenarios.length > 0, fault.name);
  });

  it('storage-tiers-misordered swaps WARM and COLD', () => {
    const tiers = storageWith({ tiersMisordered: true }).listTiers();
    assert.deepEqual(tiers.map((t) => t.media), ['nvme-ssd', 'hdd', 'sata-ssd', 'object-archive']);
  });

  it('storage-allows-double-attach, storage-detach-keeps-attachment and storage-ignores-capacity', () => {
    const doubled = storageWith({ doubleAttach: true });
    const a = doubled.createVolume({ name: 'a', size: 1, tier: 'HOT' });
    doubled.attach(a.id, 'vm-1');
    assert.equal(doubled.attach(a.id, 'vm-2').vm_id, 'vm-2');
    const sticky = storageWith({ detachKeepsAttachment: true });
    const b = sticky.createVolume({ name: 'b', size: 1, tier: 'HOT' });
    sticky.attach(b.id, 'vm-1');
    assert.equal(sticky.detach(b.id).vm_id, 'vm-1');
    assert.equal(storageWith({ ignoresCapacity: true }).createVolume({ name: 'c', size: 600, tier: 'HOT' }).size, 600);
  });

  it('storage-migration-corrupts-data claims the old checksum over changed bytes', async () => {
    const storage = storageWith({ migrationCorruptsData: true });
    const { id, checksum } = storage.createVolume({ name: 'd', size: 2, tier: 'HOT' });
    const moved = await storage.migrate(id, 'WARM');
    assert.deepEqual([moved.tier, moved.last_migration?.status, moved.last_migration?.checksum_after], ['WARM', 'completed', checksum]);
    assert.notEqual(sha256(await storage.read(id)), checksum);
  });

  it('storage-migration-stays-on-source reports completion on the old tier', async () => {
    const storage = storageWith({ migrationStaysOnSource: true });
    const { id } = storage.createVolume({ name: 'e', size: 2, tier: 'HOT' });
    const moved = await storage.migrate(id, 'WARM');
    assert.deepEqual([moved.tier, moved.last_migration?.status], ['HOT', 'completed']);
  });

  it('storage-move-keeps-reservation counts a moved volume twice on its new tier', async () => {
    for (const keeps of [false, true]) {
      const storage = storageWith({ moveKeepsReservation: keeps });
      const { id } = storage.createVolume({ name: 'f', size: 3, tier: 'HOT' });
      await storage.migrate(id, 'WARM');
      assert.equal(storage.tierStatus('WARM').used_gb, keeps ? 6 : 3, keeps ? 'with the fault' : 'without the fault');
    }
  });

  it('storage-write-during-move acknowledges a write while the volume moves, and the write does not survive the move', async () => {
    for (const allowed of [false, true]) {
      const storage = storageWith({ writeDuringMove: allowed });
      const { id, content_bytes: bytes } = storage.createVolume({ name: 'g', size: 8, tier: 'HOT' });
      const { completion } = storage.startMigration(id, 'ARCHIVE');
      const write = storage.write(id, bytes - 4, Buffer.from('late'));
      if (!allowed) {
        await assert.rejects(write, /while it migrates/);
        await completion;
        continue;
      }
      const written = await write;
      const moved = await completion;
      const kept = (await storage.read(id, bytes - 4, 4)).toString() === 'late' && moved.last_migration?.status === 'completed';
      assert.ok(written.state === 'migrating' && !kept, `acknowledged while ${written.state}, kept: ${kept}`);
    }
  });

  it('storage-archive-unthrottled makes ARCHIVE the fastest tier', async () => {
    const storage = storageWith({ archiveUnthrottled: true });
    const archive = await storage.measureThroughput('ARCHIVE', { rounds: 1 });
    const hot = await storage.measureThroughput('HOT', { rounds: 1 });
    assert.ok(archive.read_mb_s > hot.read_mb_s, `archive ${archive.read_mb_s} MB/s, hot ${hot.read_mb_s} MB/s`);
  });
});
