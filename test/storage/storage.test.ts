import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { initialContent, sha256 } from '../../reference/storage/content';
import { TierDevice, type IoClock } from '../../reference/storage/device';
import { StorageError } from '../../reference/storage/errors';
import type { StorageEvent } from '../../reference/storage/model';
import { StorageService } from '../../reference/storage/storage';
import { DEFAULT_TIERS, StorageScale, TIER_NAMES } from '../../reference/storage/tiers';

function sequentialIds(): (prefix: string) => string {
  let next = 0;
  return (prefix) => `${prefix}-${++next}`;
}

async function refused(action: () => unknown, kind: StorageError['kind'], message: RegExp): Promise<void> {
  await assert.rejects(async () => action(), (error: unknown) => {
    assert.ok(error instanceof StorageError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    return true;
  });
}

/** A clock whose sleeps advance time instantly: transfers cost exactly what the device charges. */
function virtualClock(): IoClock {
  let time = 0;
  return {
    now: () => time,
    async sleep(ms: number) {
      const wakeAt = time + ms;
      await Promise.resolve();
      time = Math.max(time, wakeAt);
    },
  };
}

describe('volume content', () => {
  it('is deterministic per seed and volume id and differs between volumes', () => {
    assert.deepEqual(initialContent('s', 'vol-1', 100), initialContent('s', 'vol-1', 100));
    assert.notDeepEqual(initialContent('s', 'vol-1', 100), initialContent('s', 'vol-2', 100));
    assert.notDeepEqual(initialContent('s', 'vol-1', 100), initialContent('t', 'vol-1', 100));
    assert.equal(initialContent('s', 'vol-1', 77).length, 77);
  });

  it('checksums with SHA-256', () => {
    const data = Buffer.from('novacron');
    assert.equal(sha256(data), createHash('sha256').update('novacron').digest('hex'));
  });
});

describe('tier device', () => {
  it('charges latency plus size over rate, and queues concurrent transfers', async () => {
    const clock = virtualClock();
    const device = new TierDevice(1000, 5, clock);
    const target = Buffer.alloc(2000);
    await device.write(target, 0, Buffer.alloc(1000, 1));
    assert.equal(clock.now(), 1005);
    await Promise.all([device.read(target, 0, 500), device.read(target, 500, 500)]);
    assert.equal(clock.now(), 2010, 'two halves share the rate: 5 ms latency then 1000 ms of transfer');
    assert.equal(target[999], 1);
  });
});

describe('storage service', () => {
  let events: StorageEvent[];
  let storage: StorageService;
  beforeEach(() => {
    events = [];
    storage = new StorageService({ newId: sequentialIds(), seed: 'unit', onEvent: (event) => events.push(event) });
  });

  it('lists the four tiers fastest first with distinct characteristics and free capacity', () => {
    const tiers = storage.listTiers();
    assert.deepEqual(tiers.map((t) => t.name), [...TIER_NAMES]);
    for (let i = 1; i < tiers.length; i++) {
      assert.ok(tiers[i].throughput_mb_s < tiers[i - 1].throughput_mb_s);
      assert.ok(tiers[i].latency_ms > tiers[i - 1].latency_ms);
    }
    assert.deepEqual(tiers.map((t) => t.free_gb), DEFAULT_TIERS.map((t) => t.capacity_gb));
  });

  it('measures throughput in the order of the classes, through the real rate limiters', async () => {
    const measured = [];
    for (const name of TIER_NAMES) measured.push(await storage.measureThroughput(name));
    for (let i = 1; i < measured.length; i++) {
      assert.ok(measured[i].read_mb_s < measured[i - 1].read_mb_s, `${measured[i].tier} read slower than ${measured[i - 1].tier}`);
      assert.ok(measured[i].write_mb_s < measured[i - 1].write_mb_s, `${measured[i].tier} write slower than ${measured[i - 1].tier}`);
    }
    const archive = measured[3];
    assert.ok(archive.read_mb_s > 20 && archive.read_mb_s <= 45, `archive measured ${archive.read_mb_s} MB/s, declared 40`);
  });

  it('creates a volume with scaled real content and accounts its capacity', () => {
    const volume = storage.createVolume({ name: 'data', size: 10, tier: 'WARM' });
    assert.deepEqual(
      { id: volume.id, size: volume.size, tier: volume.tier, vm_id: volume.vm_id, state: volume.state, bytes: volume.content_bytes },
      { id: 'vol-1', size: 10, tier: 'WARM', vm_id: null, state: 'available', bytes: 10 * 1024 },
    );
    assert.equal(volume.checksum, sha256(initialContent('unit', 'vol-1', 10 * 1024)));
    assert.equal(storage.tierStatus('WARM').used_gb, 10);
    assert.equal(storage.tierStatus('WARM').volume_count, 1);
    assert.deepEqual(events.map((e) => e.action), ['created']);
  });

  it('refuses invalid input and oversize volumes with clear messages', async () => {
    await refused(() => storage.createVolume({ name: 'x', size: 0, tier: 'HOT' }), 'invalid', /size 0 is invalid/);
    await refused(() => storage.createVolume({ name: 'x', size: 1.5, tier: 'HOT' }), 'invalid', /whole number/);
    await refused(() => storage.createVolume({ name: 'x', size: 5, tier: 'hot' }), 'invalid', /tier "hot" is invalid: expected one of HOT, WARM, COLD, ARCHIVE/);
    await refused(() => storage.createVolume({ name: 'X!', size: 5, tier: 'HOT' }), 'invalid', /name "X!" is invalid/);
    storage.createVolume({ name: 'big', size: 500, tier: 'HOT' });
    await refused(() => storage.createVolume({ name: 'more', size: 100, tier: 'HOT' }), 'insufficient_capacity', /needs 100 GB but tier HOT has 12 GB free of 512 GB/);
    await refused(() => storage.createVolume({ name: 'big', size: 1, tier: 'COLD' }), 'conflict', /already exists/);
  });

  it('attaches and detaches with state rules', async () => {
    const { id } = storage.createVolume({ name: 'data', size: 1, tier: 'HOT' });
    assert.equal(storage.attach(id, 'vm-a').state, 'attached');
    await refused(() => storage.attach(id, 'vm-b'), 'conflict', /already attached to vm-a/);
    await refused(() => storage.deleteVolume(id), 'conflict', /detach it before deleting/);
    assert.deepEqual(storage.listVolumes({ vm_id: 'vm-a' }).map((v) => v.id), [id]);
    assert.equal(storage.detach(id).vm_id, null);
    await refused(() => storage.detach(id), 'conflict', /not attached/);
    storage.deleteVolume(id);
    await refused(() => storage.getVolume(id), 'not_found', /volume vol-1 not found/);
    assert.equal(storage.tierStatus('HOT').used_gb, 0);
  });

  it('migrates between tiers keeping the bytes, and the volume stays usable', async () => {
    const { id } = storage.createVolume({ name: 'data', size: 16, tier: 'HOT' });
    await storage.write(id, 100, Buffer.from('customer records'));
    storage.attach(id, 'vm-a');
    const before = sha256(await storage.read(id));
    const migrated = await storage.migrate(id, 'COLD');
    assert.equal(migrated.tier, 'COLD');
    assert.equal(migrated.state, 'attached');
    assert.equal(migrated.vm_id, 'vm-a');
    assert.equal(migrated.last_migration?.status, 'completed');
    assert.equal(migrated.last_migration?.checksum_before, before);
    assert.equal(migrated.last_migration?.checksum_after, before);
    assert.equal(sha256(await storage.read(id)), before);
    assert.equal((await storage.read(id, 100, 16)).toString(), 'customer records');
    await storage.write(id, 0, Buffer.from('after'));
    assert.notEqual(storage.getVolume(id).checksum, before);
    assert.deepEqual([storage.tierStatus('HOT').used_gb, storage.tierStatus('COLD').used_gb], [0, 16]);
    assert.ok(events.some((e) => e.action === 'migration_progress' && (e.volume.last_migration?.progress ?? 0) < 100));
  });

  it('refuses changes while migrating and reserves the target capacity', async () => {
    const { id } = storage.createVolume({ name: 'data', size: 8, tier: 'WARM' });
    const { volume, completion } = storage.startMigration(id, 'ARCHIVE');
    assert.equal(volume.state, 'migrating');
    assert.equal(storage.tierStatus('ARCHIVE').used_gb, 8);
    await refused(() => storage.attach(id, 'vm-a'), 'conflict', /cannot attach volume "data" while it migrates to ARCHIVE/);
    await refused(() => storage.write(id, 0, Buffer.from('x')), 'conflict', /while it migrates/);
    await refused(() => storage.deleteVolume(id), 'conflict', /while it migrates/);
    await refused(() => storage.startMigration(id, 'COLD'), 'conflict', /while it migrates/);
    assert.equal((await completion).state, 'available');
    assert.equal(storage.tierStatus('ARCHIVE').used_gb, 8);
    assert.equal(storage.tierStatus('WARM').used_gb, 0);
  });

  it('refuses a migration to the same tier, an unknown tier or a full tier', async () => {
    const { id } = storage.createVolume({ name: 'data', size: 300, tier: 'WARM' });
    storage.createVolume({ name: 'filler', size: 250, tier: 'HOT' });
    await refused(() => storage.startMigration(id, 'WARM'), 'conflict', /already on tier WARM/);
    await refused(() => storage.startMigration(id, 'FAST'), 'invalid', /target_tier "FAST" is invalid/);
    await refused(() => storage.startMigration(id, 'HOT'), 'insufficient_capacity', /needs 300 GB but tier HOT has 262 GB free/);
    assert.equal(storage.getVolume(id).state, 'available');
  });

  it('takes longer to migrate into a slower tier', async () => {
    const fast = new StorageService({ scale: new StorageScale(1024, 1000) });
    const a = fast.createVolume({ name: 'a', size: 8, tier: 'HOT' });
    const b = fast.createVolume({ name: 'b', size: 8, tier: 'COLD' });
    const toWarm = await fast.migrate(a.id, 'WARM');
    const toArchive = await fast.migrate(b.id, 'ARCHIVE');
    assert.ok((toArchive.last_migration?.duration_ms ?? 0) > 3 * (toWarm.last_migration?.duration_ms ?? Infinity));
  });

  it('restores persisted volumes, ending an interrupted migration', async () => {
    const { id } = storage.createVolume({ name: 'data', size: 2, tier: 'COLD' });
    await storage.write(id, 0, Buffer.from('kept'));
    const stored = [{ volume: { ...storage.getVolume(id), state: 'migrating' as const }, content: storage.contentOf(id) }];
    const copy = new StorageService();
    copy.restore(stored);
    assert.equal(copy.getVolume(id).state, 'available');
    assert.equal((await copy.read(id, 0, 4)).toString(), 'kept');
    assert.equal(copy.tierStatus('COLD').used_gb, 2);
  });
});
