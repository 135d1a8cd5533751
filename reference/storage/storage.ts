import { randomUUID } from 'node:crypto';
import { initialContent, sha256 } from './content';
import { realClock, TierDevice, type IoClock } from './device';
import { StorageError } from './errors';
import { STORAGE_FAULTS, type StorageFaultFlags } from './faults';
import type { StorageAction, StorageEvent, StoredVolume, ThroughputMeasurement, TierMigration, TierStatus, Volume } from './model';
import { DEFAULT_TIERS, isTierName, StorageScale, TIER_NAMES, type TierName, type TierSpec } from './tiers';

export interface StorageOptions {
  tiers?: readonly TierSpec[];
  scale?: StorageScale;
  clock?: IoClock;
  /** Wall clock for timestamps (epoch ms). */
  wallClock?: () => number;
  newId?: (prefix: string) => string;
  /** Seed of the volumes' initial content. */
  seed?: string;
  maxVolumeGb?: number;
  /** Real bytes per copy step of a tier migration. */
  migrationChunkBytes?: number;
  onEvent?: (event: StorageEvent) => void;
  /** Defects to simulate (reference/storage/faults.ts). */
  faults?: StorageFaultFlags;
}

export interface VolumeInput {
  name?: unknown;
  size?: unknown;
  tier?: unknown;
}

export interface VolumeFilter {
  tier?: TierName;
  vm_id?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const DEFAULT_MAX_VOLUME_GB = 4096;
const DEFAULT_MIGRATION_CHUNK_BYTES = 4096;
const MAX_SAMPLE_BYTES = 4 * 1024 * 1024;
/** What a tier runs at when its rate limiter is bypassed (fault storage-archive-unthrottled). */
const UNTHROTTLED_MB_S = 100_000;

interface Tier {
  spec: TierSpec;
  device: TierDevice;
  /** GB held by in-flight migrations into this tier. */
  reservedGb: number;
}

/**
 * Storage tiers with simulated performance, volumes with real bytes, attachment to VMs and
 * migration between tiers that copies every byte through both tiers' devices and verifies it.
 */
export class StorageService {
  private readonly tiers = new Map<TierName, Tier>();
  private readonly volumes = new Map<string, StoredVolume>();
  private readonly scale: StorageScale;
  private readonly clock: IoClock;
  private readonly wallClock: () => number;
  private readonly newId: (prefix: string) => string;
  private readonly seed: string;
  private readonly maxVolumeGb: number;
  private readonly chunkBytes: number;
  private readonly onEvent: (event: StorageEvent) => void;
  private readonly faults: StorageFaultFlags;

  constructor(options: StorageOptions = {}) {
    this.scale = options.scale ?? new StorageScale();
    this.clock = options.clock ?? realClock;
    this.wallClock = options.wallClock ?? Date.now;
    this.newId = options.newId ?? ((prefix) => `${prefix}-${randomUUID()}`);
    this.seed = options.seed ?? 'novacron';
    this.maxVolumeGb = options.maxVolumeGb ?? DEFAULT_MAX_VOLUME_GB;
    this.chunkBytes = options.migrationChunkBytes ?? DEFAULT_MIGRATION_CHUNK_BYTES;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.faults = options.faults ?? STORAGE_FAULTS.none;
    for (const spec of this.tierSpecs(options.tiers ?? DEFAULT_TIERS)) {
      const unthrottled = this.faults.archiveUnthrottled && spec.name === 'ARCHIVE';
      const rate = this.scale.realBytesPerSecond(unthrottled ? UNTHROTTLED_MB_S : spec.throughput_mb_s);
      const device = new TierDevice(rate, unthrottled ? 0 : this.scale.realMs(spec.latency_ms), this.clock);
      this.tiers.set(spec.name, { spec: { ...spec }, device, reservedGb: 0 });
    }
    for (const name of TIER_NAMES) {
      if (!this.tiers.has(name)) throw new Error(`storage tiers must include ${name}: got ${[...this.tiers.keys()].join(', ')}`);
    }
  }

  // ---- tiers ----------------------------------------------------------------------------------

  private tierSpecs(specs: readonly TierSpec[]): TierSpec[] {
    if (!this.faults.tiersMisordered) return [...specs];
    const warm = specs.find((t) => t.name === 'WARM');
    const cold = specs.find((t) => t.name === 'COLD');
    return specs.map((t) => {
      const other = t.name === 'WARM' ? cold : t.name === 'COLD' ? warm : undefined;
      return other ? { ...other, name: t.name, capacity_gb: t.capacity_gb } : t;
    });
  }

  listTiers(): TierStatus[] {
    return TIER_NAMES.map((name) => this.tierStatus(name));
  }

  tierStatus(name: TierName): TierStatus {
    const tier = this.tier(name);
    const onTier = [...this.volumes.values()].filter((stored) => stored.volume.tier === name);
    const used = onTier.reduce((sum, stored) => sum + stored.volume.size, 0) + tier.reservedGb;
    return { ...tier.spec, used_gb: used, free_gb: tier.spec.capacity_gb - used, volume_count: onTier.length };
  }

  /**
   * Writes then reads a sample through the tier's device and reports the rates achieved. Each round's
   * sample is sized so one direction nominally takes `nominalMs` of real time on this tier (time-based,
   * like fio's time_based runs); the best of `rounds` rounds is reported, so a stall of the event loop
   * (which only ever slows a round down) cannot reorder the tiers.
   */
  async measureThroughput(name: TierName, { nominalMs = 25, rounds = 3 } = {}): Promise<ThroughputMeasurement> {
    const { device } = this.tier(name);
    const sampleBytes = Math.min(MAX_SAMPLE_BYTES, Math.max(1024, Math.ceil((device.bytesPerSecond * nominalMs) / 1000)));
    const sample = initialContent(this.seed, `throughput-sample-${name}`, sampleBytes);
    const scratch = Buffer.alloc(sample.length);
    let best = { write: Infinity, read: Infinity };
    const started = this.clock.now();
    for (let round = 0; round < rounds; round++) {
      const before = this.clock.now();
      await device.write(scratch, 0, sample);
      const written = this.clock.now();
      await device.read(scratch, 0, scratch.length);
      const read = this.clock.now();
      best = { write: Math.min(best.write, written - before), read: Math.min(best.read, read - written) };
    }
    const rate = (ms: number) => this.scale.toSimulatedMbPerS(sample.length / (Math.max(ms, 0.001) / 1000));
    return {
      tier: name,
      sample_bytes: sample.length,
      write_mb_s: round(rate(best.write)),
      read_mb_s: round(rate(best.read)),
      duration_ms: round(this.clock.now() - started),
      measured_at: this.timestamp(),
    };
  }

  // ---- volumes --------------------------------------------------------------------------------

  createVolume(input: VolumeInput): Volume {
    const { name, size, tier } = input;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new StorageError('invalid', `name ${JSON.stringify(name)} is invalid: expected 1-63 characters [a-z0-9-] starting with a letter`, 'name');
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > this.maxVolumeGb) {
      throw new StorageError('invalid', `size ${JSON.stringify(size)} is invalid: expected a whole number of GB from 1 to ${this.maxVolumeGb}`, 'size');
    }
    if (!isTierName(tier)) {
      throw new StorageError('invalid', `tier ${JSON.stringify(tier)} is invalid: expected one of ${TIER_NAMES.join(', ')}`, 'tier');
    }
    if ([...this.volumes.values()].some((stored) => stored.volume.name === name)) {
      throw new StorageError('conflict', `a volume named "${name}" already exists`, 'name');
    }
    this.requireRoom(tier, size, `volume "${name}"`);
    const id = this.newId('vol');
    const content = initialContent(this.seed, id, this.scale.contentBytes(size));
    const now = this.timestamp();
    const volume: Volume = {
      id,
      name,
      size,
      tier,
      vm_id: null,
      state: 'available',
      checksum: sha256(content),
      content_bytes: content.length,
      last_migration: null,
      created_at: now,
      updated_at: now,
    };
    this.volumes.set(id, { volume, content });
    return this.emit('created', volume);
  }

  getVolume(id: string): Volume {
    return cloneVolume(this.stored(id).volume);
  }

  listVolumes(filter: VolumeFilter = {}): Volume[] {
    return [...this.volumes.values()]
      .map((stored) => stored.volume)
      .filter((v) => (filter.tier === undefined || v.tier === filter.tier) && (filter.vm_id === undefined || v.vm_id === filter.vm_id))
      .map(cloneVolume);
  }

  attach(id: string, vmId: string): Volume {
    const { volume } = this.stored(id);
    this.refuseWhileMigrating(volume, 'attach');
    if (volume.vm_id !== null && !this.faults.doubleAttach) {
      throw new StorageError('conflict', `volume "${volume.name}" is already attached to ${volume.vm_id}: detach it first`);
    }
    volume.vm_id = vmId;
    volume.state = 'attached';
    return this.touch('attached', volume);
  }

  detach(id: string): Volume {
    const { volume } = this.stored(id);
    this.refuseWhileMigrating(volume, 'detach');
    if (volume.vm_id === null) throw new StorageError('conflict', `volume "${volume.name}" is not attached to a VM`);
    if (!this.faults.detachKeepsAttachment) {
      volume.vm_id = null;
      volume.state = 'available';
    }
    return this.touch('detached', volume);
  }

  deleteVolume(id: string): Volume {
    const { volume } = this.stored(id);
    this.refuseWhileMigrating(volume, 'delete');
    if (volume.vm_id !== null) {
      throw new StorageError('conflict', `volume "${volume.name}" is attached to ${volume.vm_id}: detach it before deleting`);
    }
    this.volumes.delete(id);
    return this.emit('deleted', volume);
  }

  /** Reads bytes through the volume's tier. */
  async read(id: string, offset = 0, length?: number): Promise<Buffer> {
    const stored = this.stored(id);
    const end = length === undefined ? stored.content.length : offset + length;
    this.checkRange(stored, offset, end);
    const source = this.faults.readServesCopy && stored.copy ? stored.copy : stored.content;
    return this.tier(stored.volume.tier).device.read(source, offset, end - offset);
  }

  /** Writes bytes through the volume's tier; refused while the volume migrates. */
  async write(id: string, offset: number, data: Buffer): Promise<Volume> {
    const stored = this.stored(id);
    const checkFirst = !this.faults.writeDuringMove && !this.faults.writeRefusedAfterApplying;
    if (checkFirst) this.refuseWhileMigrating(stored.volume, 'write to');
    this.checkRange(stored, offset, offset + data.length);
    await this.tier(stored.volume.tier).device.write(stored.content, offset, data);
    if (this.faults.writeRefusedAfterApplying) this.refuseWhileMigrating(stored.volume, 'write to');
    stored.volume.checksum = sha256(stored.content);
    return this.touch('written', stored.volume);
  }

  // ---- tier migration -------------------------------------------------------------------------

  /**
   * Starts moving a volume to another tier (attached or not). The returned promise settles when
   * the copy is verified and switched over, or the migration failed and the volume stayed put.
   */
  startMigration(id: string, target: unknown): { volume: Volume; completion: Promise<Volume> } {
    const stored = this.stored(id);
    const { volume } = stored;
    if (!isTierName(target)) {
      throw new StorageError('invalid', `target_tier ${JSON.stringify(target)} is invalid: expected one of ${TIER_NAMES.join(', ')}`, 'target_tier');
    }
    this.refuseWhileMigrating(volume, 'migrate');
    if (volume.tier === target) throw new StorageError('conflict', `volume "${volume.name}" is already on tier ${target}`);
    this.requireRoom(target, volume.size, `volume "${volume.name}"`);
    this.tier(target).reservedGb += volume.size;
    volume.state = 'migrating';
    volume.last_migration = {
      from_tier: volume.tier,
      to_tier: target,
      status: 'running',
      progress: 0,
      bytes_copied: 0,
      checksum_before: sha256(stored.content),
      checksum_after: null,
      started_at: this.timestamp(),
      completed_at: null,
      duration_ms: null,
      error: null,
    };
    const started = this.clock.now();
    const snapshot = this.touch('migration_started', volume);
    const completion = this.copyToTier(stored, target).then(
      (copy) => this.finishMigration(stored, target, copy, started),
      (error: unknown) => this.failMigration(stored, target, started, (error as Error).message),
    );
    return { volume: snapshot, completion };
  }

  async migrate(id: string, target: unknown): Promise<Volume> {
    return this.startMigration(id, target).completion;
  }

  private async copyToTier(stored: StoredVolume, target: TierName): Promise<Buffer> {
    const source = this.tier(stored.volume.tier).device;
    const destination = this.tier(target).device;
    const copy = Buffer.alloc(stored.content.length);
    stored.copy = copy;
    const migration = stored.volume.last_migration as TierMigration;
    for (let offset = 0; offset < copy.length; offset += this.chunkBytes) {
      const chunk = await source.read(stored.content, offset, Math.min(this.chunkBytes, copy.length - offset));
      await destination.write(copy, offset, chunk);
      migration.bytes_copied = offset + chunk.length;
      migration.progress = Math.floor((migration.bytes_copied / copy.length) * 100);
      this.emit('migration_progress', stored.volume);
    }
    return copy;
  }

  private finishMigration(stored: StoredVolume, target: TierName, copy: Buffer, started: number): Volume {
    const { volume } = stored;
    stored.copy = undefined;
    const migration = volume.last_migration as TierMigration;
    if (this.faults.migrationCorruptsData) copy[copy.length >> 1] ^= 0xff;
    const checksumAfter = this.faults.migrationCorruptsData ? migration.checksum_before : sha256(copy);
    if (checksumAfter !== migration.checksum_before) {
      migration.checksum_after = checksumAfter;
      return this.failMigration(stored, target, started, `the copy on ${target} does not match the source (SHA-256 ${checksumAfter} != ${migration.checksum_before}); the volume stays on ${volume.tier}`);
    }
    if (!this.faults.moveKeepsReservation) this.tier(target).reservedGb -= volume.size;
    if (!this.faults.migrationStaysOnSource) {
      stored.content = copy;
      volume.tier = target;
      volume.checksum = sha256(copy);
    }
    volume.state = volume.vm_id === null ? 'available' : 'attached';
    Object.assign(migration, {
      status: 'completed',
      progress: 100,
      checksum_after: checksumAfter,
      completed_at: this.timestamp(),
      duration_ms: round(this.clock.now() - started),
    });
    return this.touch('migration_completed', volume);
  }

  private failMigration(stored: StoredVolume, target: TierName, started: number, reason: string): Volume {
    const { volume } = stored;
    stored.copy = undefined;
    const migration = volume.last_migration as TierMigration;
    this.tier(target).reservedGb -= volume.size;
    volume.state = volume.vm_id === null ? 'available' : 'attached';
    Object.assign(migration, { status: 'failed', error: reason, completed_at: this.timestamp(), duration_ms: round(this.clock.now() - started) });
    return this.touch('migration_failed', volume);
  }

  // ---- persistence ----------------------------------------------------------------------------

  /** One volume with its bytes, to put back with `reinstate` if persisting a change fails. */
  exportVolume(id: string): StoredVolume | undefined {
    const stored = this.volumes.get(id);
    return stored && { volume: cloneVolume(stored.volume), content: Buffer.from(stored.content) };
  }

  /** Puts one volume back as exported (or removes it when it did not exist). */
  reinstate(id: string, stored: StoredVolume | undefined): void {
    if (stored) this.volumes.set(id, { volume: cloneVolume(stored.volume), content: Buffer.from(stored.content) });
    else this.volumes.delete(id);
  }

  /** The bytes of a volume, for persistence. */
  contentOf(id: string): Buffer {
    return Buffer.from(this.stored(id).content);
  }

  /** Loads persisted volumes; a migration cut short by a restart counts as failed, the volume stays on its tier. */
  restore(volumes: StoredVolume[]): void {
    this.volumes.clear();
    for (const tier of this.tiers.values()) tier.reservedGb = 0;
    for (const { volume, content } of volumes) {
      const copy = cloneVolume(volume);
      if (copy.state === 'migrating') {
        copy.state = copy.vm_id === null ? 'available' : 'attached';
        if (copy.last_migration) Object.assign(copy.last_migration, { status: 'failed', error: 'interrupted by a restart' });
      }
      this.volumes.set(copy.id, { volume: copy, content: Buffer.from(content) });
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private tier(name: TierName): Tier {
    return this.tiers.get(name) as Tier;
  }

  private stored(id: string): StoredVolume {
    const stored = this.volumes.get(id);
    if (!stored) throw new StorageError('not_found', `volume ${id} not found`);
    return stored;
  }

  private requireRoom(name: TierName, sizeGb: number, what: string): void {
    const status = this.tierStatus(name);
    if (sizeGb > status.free_gb && !this.faults.ignoresCapacity) {
      throw new StorageError(
        'insufficient_capacity',
        `${what} needs ${sizeGb} GB but tier ${name} has ${status.free_gb} GB free of ${status.capacity_gb} GB`,
        'size',
      );
    }
  }

  private refuseWhileMigrating(volume: Volume, action: string): void {
    if (volume.state === 'migrating') {
      const to = volume.last_migration?.to_tier ?? 'another tier';
      throw new StorageError('conflict', `cannot ${action} volume "${volume.name}" while it migrates to ${to}`);
    }
  }

  private checkRange(stored: StoredVolume, offset: number, end: number): void {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(end) || end < offset || end > stored.content.length) {
      throw new StorageError('invalid', `range ${offset}-${end} is outside volume "${stored.volume.name}": expected 0-${stored.content.length}`, 'offset');
    }
  }

  private touch(action: StorageAction, volume: Volume): Volume {
    volume.updated_at = this.timestamp();
    return this.emit(action, volume);
  }

  private emit(action: StorageAction, volume: Volume): Volume {
    const snapshot = cloneVolume(volume);
    this.onEvent({ action, volume: snapshot });
    return cloneVolume(volume);
  }

  private timestamp(): string {
    return new Date(this.wallClock()).toISOString();
  }
}

function cloneVolume(volume: Volume): Volume {
  return { ...volume, last_migration: volume.last_migration ? { ...volume.last_migration } : null };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
