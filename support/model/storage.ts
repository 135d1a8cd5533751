import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ApiClient, ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { EventStream } from '../ws-client';
import { body, helperVmsFor, pick, readAllPages, refusedAs, untilAgrees, type Page, type Refusal } from './common';
import { runModelCheck, type ModelCheck } from './runner';
import { readStored } from './stored';

/**
 * The storage model, written from the contract (contract/domains/storage.yaml), not from any
 * implementation: a volume is created `available` on its tier with the size asked for (a size beyond
 * what the tier can hold is refused for capacity); it is attached to one VM at a time; a move to
 * another tier answers `migrating`, copies every byte, verifies it and switches over, after which
 * the volume is on the new tier with the same bytes and `last_migration` tells the outcome; while it
 * migrates it can be read but not written, attached, detached or deleted; a read returns exactly the
 * bytes last acknowledged; a deleted volume is gone from every view and its name is free again.
 * After every operation every view is compared with the model and with each other: each volume's
 * details, its bytes where they were read, every page of the volume list unfiltered, per tier and
 * per VM (the VM's view of its volumes), and the tiers' used, free and volume count figures against
 * the volumes the lists show on each tier; each volume's announcements on the event stream, in
 * order, the attachments and detachments in each VM's history, and each volume as stored in the
 * target's database (its tier, VM, record and bytes), where the suite can read it.
 */

const TIERS = ['HOT', 'WARM', 'COLD', 'ARCHIVE'] as const;
type TierName = (typeof TIERS)[number];
type VolumeState = 'available' | 'attached' | 'migrating';
const MIGRATION_WITHIN_MS = 10_000;
/** How long a view shared with other scenarios (every volume of a tier, the tier figures) may take to settle. */
const SHARED_VIEWS_SETTLE_MS = 1_500;
/** Small volumes: their every byte is known to the model (a few KB each in the simulation). */
const SMALL_SIZES = { min: 1, max: 4 };
/** The tour's volume that is written, and deleted, while it moves: its copy through ARCHIVE takes a noticeable time. */
const MEDIUM_SIZE = 12;
/** At most this many huge volumes (larger than the HOT and WARM tiers) live at a time. */
const MAX_HUGE = 2;
const VMS_PER_CHECK = 2;
/** New volumes are asked for while fewer than this many live (every step reads each of them). */
const MAX_LIVE = 6;
/** What the stream and the VMs' histories record of a change may trail its answer this long. */
const ANNOUNCED_WITHIN_MS = 2_000;

/**
 * A change the stream announces (`storage.<change>`); `migration_ended` stands for completed or
 * failed where the model did not see the move's outcome (it had ended before a probe was accepted).
 */
type Announcement = 'volume_created' | 'volume_attached' | 'volume_detached' | 'migration_started' | 'migration_completed' | 'migration_ended' | 'volume_deleted';
/** What a VM's history records of a volume (type `storage`). */
type VmRecord = { vm: number; action: 'volume-attached' | 'volume-detached'; volume_id: string };

interface Migration {
  from_tier: TierName;
  to_tier: TierName;
  status: 'running' | 'completed' | 'failed';
  progress: number;
  bytes_copied: number;
  checksum_before: string;
  checksum_after: string | null;
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
  error: string | null;
}

interface Volume {
  id: string;
  name: string;
  size: number;
  tier: TierName;
  vm_id: string | null;
  state: VolumeState;
  checksum: string;
  content_bytes: number;
  last_migration: Migration | null;
  created_at: string;
  updated_at: string;
}

interface Tier {
  name: TierName;
  media: string;
  latency_ms: number;
  throughput_mb_s: number;
  capacity_gb: number;
  used_gb: number;
  free_gb: number;
  volume_count: number;
}

interface ModelVolume {
  id: string;
  name: string;
  size: number;
  tier: TierName;
  /** Index of the VM in `real.vms`, or null. */
  vm: number | null;
  checksum: string;
  contentBytes: number;
  /** The bytes as the model knows them; `known[i]` says whether byte i is known. */
  content: Buffer;
  known: Uint8Array;
  /** Larger than the HOT and WARM tiers: never written or moved except where refused. */
  huge: boolean;
  /** The outcome of the last move, as first read after it ended (it must not change afterwards). */
  lastMigration: Migration | null;
  created_at: string;
  /** The latest `updated_at` seen: it never goes back. */
  updatedAt: string;
  /** Its changes as the stream must announce them, in order. */
  announced: Announcement[];
}

interface GoneVolume {
  id: string;
  name: string;
  announced: Announcement[];
}

export interface StorageModel {
  live: ModelVolume[];
  gone: GoneVolume[];
  issued: number;
  /** The attachments and detachments the VMs' histories must record, in order. */
  vmRecords: VmRecord[];
}

export interface StorageSystem {
  world: NovaWorld;
  api: ApiClient;
  /** Every volume name of the sequence starts with it. */
  prefix: string;
  /** The check's VMs, to attach volumes to. */
  vms: readonly { id: string; name: string }[];
  /** The tiers' characteristics and capacity as offered at the start (they never change). */
  tiers: ReadonlyMap<TierName, Omit<Tier, 'used_gb' | 'free_gb' | 'volume_count'>>;
  /** Bytes the simulation holds per GB, learned from the first volume: the same for every volume. */
  bytesPerGb?: number;
  /** Subscribed to the topic `storage` before the sequence's first request. */
  stream: EventStream;
}

type StorageCommand = fc.AsyncCommand<StorageModel, StorageSystem>;


function label(real: StorageSystem, name: string): string {
  return name.startsWith(real.prefix) ? `vol ${name.slice(real.prefix.length)}` : name;
}

function nextName(model: StorageModel, real: StorageSystem): string {
  model.issued += 1;
  return `${real.prefix}${model.issued}`;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hex = (bytes: Buffer) => `${bytes.subarray(0, 24).toString('hex')}${bytes.length > 24 ? '...' : ''} (${bytes.length} bytes)`;
const capacity = (real: StorageSystem, tier: TierName) => (real.tiers.get(tier) as { capacity_gb: number }).capacity_gb;


function namesField(response: ApiResponse, field: string, what: string): void {
  const fields = ((response.data as Refusal).details ?? []).map((detail) => detail.field);
  assert.ok(fields.includes(field), `the refusal of ${what} names ${JSON.stringify(fields)}, not "${field}"`);
}

// ---- the operations ------------------------------------------------------------------------------

async function submit(real: StorageSystem, name: unknown, size: unknown, tier: unknown, extra: Record<string, unknown> = {}): Promise<ApiResponse<Volume>> {
  const request: Record<string, unknown> = { ...extra };
  if (name !== undefined) request.name = name;
  if (size !== undefined) request.size = size;
  if (tier !== undefined) request.tier = tier;
  const response = await real.api.post<Volume>('/api/v1/storage/volumes', request);
  if (response.status === 201) {
    const { id, name: created } = response.data;
    real.world.ledger.add(`volume ${created} (${id})`, () => removeVolume(real.world, id));
  }
  return response;
}

/** Detaches and deletes a volume once it no longer migrates (cleanup, also after a failure). */
async function removeVolume(world: NovaWorld, id: string): Promise<void> {
  const admin = await world.suite.admin();
  const deadline = performance.now() + MIGRATION_WITHIN_MS;
  for (;;) {
    const current = await admin.get<Volume>(`/api/v1/storage/volumes/${id}`);
    if (current.status === 404) return;
    if (current.status === 200 && current.data.state !== 'migrating') break;
    if (performance.now() > deadline) throw new Error(`volume ${id} still migrates after ${MIGRATION_WITHIN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await admin.post(`/api/v1/storage/volumes/${id}/detach`);
  const deleted = await admin.delete(`/api/v1/storage/volumes/${id}`);
  if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting volume ${id} answered ${deleted.status} ${JSON.stringify(deleted.data)}`);
}

/** Reads bytes of a volume and checks them against what the model knows; learns the bytes it did not know. */
async function readAndCompare(real: StorageSystem, vol: ModelVolume, offset: number, length: number, when: string): Promise<void> {
  const response = await real.api.get<{ volume_id: string; offset: number; length: number; data: string }>(`/api/v1/storage/volumes/${vol.id}/data`, {
    params: { offset, length },
    retries: 0,
  });
  assert.equal(response.status, 200, `reading ${length} bytes at ${offset} of ${vol.name} ${when} was answered ${response.status} ${body(response)}`);
  const data = Buffer.from(response.data.data, 'base64');
  assert.deepEqual(
    { volume_id: response.data.volume_id, offset: response.data.offset, length: response.data.length, bytes: data.length },
    { volume_id: vol.id, offset, length, bytes: length },
    `reading ${length} bytes at ${offset} of ${vol.name} ${when} answered another range`,
  );
  for (let i = 0; i < length; i++) {
    const at = offset + i;
    if (vol.known[at] && vol.content[at] !== data[i]) {
      const expected = Buffer.from(vol.content.subarray(offset, offset + length));
      assert.fail(`reading ${length} bytes at ${offset} of ${vol.name} ${when} returned ${hex(data)}, but the last bytes acknowledged there are ${hex(expected)} (first difference at byte ${at})`);
    }
  }
  data.copy(vol.content, offset);
  vol.known.fill(1, offset, offset + length);
}

function accepted(response: ApiResponse<Volume>, what: string, name: string, size: number, tier: TierName, real: StorageSystem): ModelVolume {
  assert.equal(response.status, 201, `${what} was answered ${response.status} ${body(response)}`);
  const volume = response.data;
  assert.deepEqual(
    { name: volume.name, size: volume.size, tier: volume.tier, vm_id: volume.vm_id, state: volume.state, last_migration: volume.last_migration },
    { name, size, tier, vm_id: null, state: 'available', last_migration: null },
    `${what} answered a volume other than the one asked for`,
  );
  real.bytesPerGb ??= volume.content_bytes / size;
  assert.equal(volume.content_bytes, real.bytesPerGb * size, `${what} holds ${volume.content_bytes} bytes for ${size} GB, but other volumes hold ${real.bytesPerGb} bytes per GB`);
  assert.ok(volume.updated_at >= volume.created_at, `${what}: the volume was updated (${volume.updated_at}) before it was created (${volume.created_at})`);
  return {
    id: volume.id,
    name,
    size,
    tier,
    vm: null,
    checksum: volume.checksum,
    contentBytes: volume.content_bytes,
    content: Buffer.alloc(volume.content_bytes),
    known: new Uint8Array(volume.content_bytes),
    huge: false,
    lastMigration: null,
    created_at: volume.created_at,
    updatedAt: volume.updated_at,
    announced: ['volume_created'],
  };
}

/** A new volume joins the model; the bytes of a small one are read at once and must hash to its checksum. */
async function adopt(model: StorageModel, real: StorageSystem, vol: ModelVolume): Promise<void> {
  model.live.push(vol);
  if (vol.huge) return;
  await readAndCompare(real, vol, 0, vol.contentBytes, 'after it was created');
  assert.equal(sha256(vol.content), vol.checksum, `the bytes of ${vol.name} hash to ${sha256(vol.content)}, but its checksum says ${vol.checksum}`);
}

/** small: 1-4 GB on any tier; medium (the tour's): 12 GB, slow enough on ARCHIVE to be caught moving; huge: beyond HOT and WARM, on ARCHIVE; too-big: beyond its tier. */
type CreateKind = 'small' | 'medium' | 'huge' | 'too-big';

class CreateVolume implements StorageCommand {
  private text: string | undefined;
  constructor(readonly kind: CreateKind, readonly tierIndex: number, readonly extra: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length < MAX_LIVE && (this.kind !== 'huge' || model.live.filter((vol) => vol.huge).length < MAX_HUGE);
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const name = nextName(model, real);
    if (this.kind === 'too-big') {
      // HOT and WARM are smaller than the largest volume: anything beyond their capacity is refused for it.
      const tier = pick(['HOT', 'WARM'] as const, this.tierIndex) as TierName;
      const size = Math.min(4096, capacity(real, tier) + 1 + this.extra);
      this.text = `create ${label(real, name)} of ${size} GB on ${tier} (beyond its capacity)`;
      const response = await submit(real, name, size, tier);
      refusedAs(response, 409, `a ${size} GB volume on ${tier}, which holds ${capacity(real, tier)} GB`, 'insufficient_capacity');
    } else {
      const tier: TierName = this.kind === 'huge' ? 'ARCHIVE' : (pick(TIERS, this.tierIndex) as TierName);
      const size = {
        small: SMALL_SIZES.min + (this.extra % SMALL_SIZES.max),
        medium: MEDIUM_SIZE,
        huge: Math.max(capacity(real, 'HOT'), capacity(real, 'WARM')) + 1 + (this.extra % 20),
      }[this.kind];
      this.text = `create ${label(real, name)} of ${size} GB on ${tier}`;
      const vol = accepted(await submit(real, name, size, tier), `creating ${name} (${size} GB on ${tier})`, name, size, tier, real);
      vol.huge = this.kind === 'huge';
      await adopt(model, real, vol);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `create a ${this.kind} volume`;
}

/** Requests the contract refuses, and the field whose refusal must be named. */
const INVALID_REQUESTS: readonly { what: string; field: string; request: (name: string) => [unknown, unknown, unknown] }[] = [
  { what: 'no name', field: 'name', request: () => [undefined, 1, 'HOT'] },
  { what: 'an empty name', field: 'name', request: () => ['', 1, 'HOT'] },
  { what: 'an upper-case name', field: 'name', request: (name) => [name.toUpperCase(), 1, 'WARM'] },
  { what: 'a name starting with a digit', field: 'name', request: (name) => [`7${name}`, 1, 'COLD'] },
  { what: 'a 64-character name', field: 'name', request: (name) => [name.padEnd(64, 'x'), 1, 'ARCHIVE'] },
  { what: 'no size', field: 'size', request: (name) => [name, undefined, 'HOT'] },
  { what: 'a size of 0 GB', field: 'size', request: (name) => [name, 0, 'WARM'] },
  { what: 'a negative size', field: 'size', request: (name) => [name, -3, 'COLD'] },
  { what: 'a size of 4097 GB', field: 'size', request: (name) => [name, 4097, 'ARCHIVE'] },
  { what: 'a size of 2.5 GB', field: 'size', request: (name) => [name, 2.5, 'COLD'] },
  { what: 'the size as text', field: 'size', request: (name) => [name, '2', 'HOT'] },
  { what: 'no tier', field: 'tier', request: (name) => [name, 1, undefined] },
  { what: 'a lower-case tier', field: 'tier', request: (name) => [name, 1, 'hot'] },
  { what: 'an unknown tier', field: 'tier', request: (name) => [name, 1, 'TAPE'] },
];

class RequestInvalid implements StorageCommand {
  constructor(readonly invalid: readonly number[], readonly pageSize: number) {}
  check = () => true;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    for (const index of this.invalid) {
      const { what, field, request } = INVALID_REQUESTS[index % INVALID_REQUESTS.length];
      const response = await submit(real, ...request(`${real.prefix}x`));
      refusedAs(response, 400, `a volume with ${what}`);
      namesField(response, field, `a volume with ${what}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create a volume with ${this.invalid.map((index) => INVALID_REQUESTS[index % INVALID_REQUESTS.length].what).join(', then with ')}`;
}

/** The name of a live volume is refused; the name of a deleted one is free again. */
class ReuseName implements StorageCommand {
  private text: string | undefined;
  constructor(readonly ofDeleted: boolean, readonly index: number, readonly tierIndex: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => (this.ofDeleted ? model.gone.length > 0 && model.live.length < MAX_LIVE : model.live.length > 0);
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const tier = pick(TIERS, this.tierIndex) as TierName;
    if (this.ofDeleted) {
      const { name } = pick(model.gone, this.index) as GoneVolume;
      this.text = `create ${label(real, name)} again on ${tier} after it was deleted`;
      if (model.live.some((vol) => vol.name === name)) return checkEveryView(model, real, this.pageSize);
      await adopt(model, real, accepted(await submit(real, name, 1, tier), `creating ${name} again after it was deleted`, name, 1, tier, real));
    } else {
      const { name } = pick(model.live, this.index) as ModelVolume;
      this.text = `create a second ${label(real, name)} on ${tier}`;
      refusedAs(await submit(real, name, 1, tier), 409, `a second volume named ${name}`, 'conflict');
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `reuse the name of a ${this.ofDeleted ? 'deleted' : 'live'} volume`;
}

function attached(model: StorageModel, vol: ModelVolume, vm: number): void {
  vol.vm = vm;
  vol.announced.push('volume_attached');
  model.vmRecords.push({ vm, action: 'volume-attached', volume_id: vol.id });
}

function detached(model: StorageModel, vol: ModelVolume): void {
  model.vmRecords.push({ vm: vol.vm as number, action: 'volume-detached', volume_id: vol.id });
  vol.vm = null;
  vol.announced.push('volume_detached');
}

function forget(model: StorageModel, vol: ModelVolume): void {
  model.live.splice(model.live.indexOf(vol), 1);
  vol.announced.push('volume_deleted');
  model.gone.push({ id: vol.id, name: vol.name, announced: vol.announced });
}

class Attach implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly vmIndex: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    const vm = this.vmIndex % real.vms.length;
    this.text = `attach ${label(real, vol.name)} (${vol.vm === null ? 'available' : `on vm ${vol.vm + 1}`}) to vm ${vm + 1}`;
    const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/attach`, { vm_id: real.vms[vm].id });
    if (vol.vm !== null) {
      const refusal = refusedAs(response, 409, `attaching ${vol.name}, attached to vm ${vol.vm + 1}, to vm ${vm + 1}`, 'conflict');
      assert.ok((refusal.error ?? '').includes(real.vms[vol.vm].id), `the refusal to attach ${vol.name} again does not name the VM it is attached to: ${refusal.error}`);
    } else {
      assert.equal(response.status, 200, `attaching ${vol.name} to vm ${vm + 1} was answered ${response.status} ${body(response)}`);
      attached(model, vol, vm);
      expectAnswer(response.data, vol, real, `the answer to attaching ${vol.name}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `attach volume #${this.index}`;
}

class AttachToUnknownVm implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    this.text = `attach ${label(real, vol.name)} to a VM that does not exist`;
    const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/attach`, { vm_id: 'vm-00000000-0000-4000-8000-000000000000' });
    if (response.status !== 404) {
      refusedAs(response, 400, `attaching ${vol.name} to a VM that does not exist`);
      namesField(response, 'vm_id', `attaching ${vol.name} to a VM that does not exist`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `attach volume #${this.index} to an unknown VM`;
}

class Detach implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    this.text = `detach ${label(real, vol.name)} (${vol.vm === null ? 'available' : `on vm ${vol.vm + 1}`})`;
    const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/detach`);
    if (vol.vm === null) {
      refusedAs(response, 409, `detaching ${vol.name}, which is attached to no VM`, 'conflict');
    } else {
      assert.equal(response.status, 200, `detaching ${vol.name} was answered ${response.status} ${body(response)}`);
      detached(model, vol);
      expectAnswer(response.data, vol, real, `the answer to detaching ${vol.name}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `detach volume #${this.index}`;
}

/** What is tried while a volume migrates: refused (the contract), or, if the move had already ended, done. */
type Probe = 'none' | 'read' | 'write' | 'attach-or-detach' | 'delete' | 'move-back';
const PROBES: readonly Probe[] = ['none', 'read', 'write', 'attach-or-detach', 'delete', 'move-back'];

class Migrate implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly targetIndex: number, readonly probe: Probe, readonly data: Uint8Array, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    const from = vol.tier;
    if (vol.huge) {
      // A huge volume only fits where it is: moving it to HOT or WARM is refused for capacity.
      const target = pick(['HOT', 'WARM'] as const, this.targetIndex) as TierName;
      this.text = `move ${label(real, vol.name)} (${vol.size} GB) from ${from} to ${target}`;
      const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/migrate`, { target_tier: target });
      refusedAs(response, 409, `moving the ${vol.size} GB ${vol.name} to ${target}, which holds ${capacity(real, target)} GB`, 'insufficient_capacity');
      return checkEveryView(model, real, this.pageSize);
    }
    const others = TIERS.filter((tier) => tier !== from);
    const target = pick(others, this.targetIndex) as TierName;
    this.text = `move ${label(real, vol.name)} from ${from} to ${target}${this.probe === 'none' ? '' : `, ${this.probe} while it moves`}`;
    const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/migrate`, { target_tier: target });
    assert.equal(response.status, 202, `moving ${vol.name} from ${from} to ${target} was answered ${response.status} ${body(response)}`);
    vol.announced.push('migration_started');
    expectStarted(response.data, vol, from, target, `the answer to moving ${vol.name} to ${target}`);
    const probed = await this.duringMove(model, real, vol, from, target);
    if (probed === 'deleted') return checkEveryView(model, real, this.pageSize);
    if (probed === 'moving') await followMigration(real, vol, from, target);
    await readAndCompare(real, vol, 0, vol.contentBytes, `after its move to ${vol.tier}`);
    await checkEveryView(model, real, this.pageSize);
  }

  /** The probe, sent at once after the move started. */
  private async duringMove(model: StorageModel, real: StorageSystem, vol: ModelVolume, from: TierName, target: TierName): Promise<'moving' | 'ended' | 'deleted'> {
    const what = `while ${vol.name} moves from ${from} to ${target}`;
    const path = `/api/v1/storage/volumes/${vol.id}`;
    switch (this.probe) {
      case 'none':
        return 'moving';
      case 'read':
        await readAndCompare(real, vol, 0, vol.contentBytes, what);
        return 'moving';
      case 'write': {
        const data = Buffer.from(this.data.subarray(0, Math.min(this.data.length, vol.contentBytes)));
        const response = await real.api.put<Volume>(`${path}/data`, { offset: 0, data: data.toString('base64') });
        if (response.status === 409) return 'moving';
        // Accepted: only right if the move had already ended (then the answer shows it on the new tier).
        assert.equal(response.status, 200, `writing ${what} was answered ${response.status} ${body(response)}`);
        assert.notEqual(response.data.state, 'migrating', `writing ${what} was acknowledged while it still migrates: ${body(response)}`);
        const written = Buffer.from(vol.content);
        data.copy(written, 0);
        await followMigration(real, vol, from, target, sha256(written));
        applyWrite(vol, 0, data);
        expectAnswer(response.data, vol, real, `the answer to writing ${what}`);
        return 'ended';
      }
      case 'attach-or-detach': {
        const response = vol.vm === null
          ? await real.api.post<Volume>(`${path}/attach`, { vm_id: real.vms[0].id })
          : await real.api.post<Volume>(`${path}/detach`);
        const action = vol.vm === null ? 'attaching it' : 'detaching it';
        if (response.status === 409) return 'moving';
        assert.equal(response.status, 200, `${action} ${what} was answered ${response.status} ${body(response)}`);
        assert.notEqual(response.data.state, 'migrating', `${action} ${what} was acknowledged while it still migrates: ${body(response)}`);
        await followMigration(real, vol, from, target);
        if (vol.vm === null) attached(model, vol, 0);
        else detached(model, vol);
        expectAnswer(response.data, vol, real, `the answer to ${action} ${what}`);
        return 'ended';
      }
      case 'delete': {
        const response = await real.api.delete(path);
        if (response.status === 409) return 'moving';
        assert.equal(response.status, 200, `deleting ${vol.name} ${what} was answered ${response.status} ${body(response)}`);
        if (vol.vm !== null) assert.fail(`deleting ${vol.name} ${what} was acknowledged although it is attached to vm ${vol.vm + 1}`);
        vol.announced.push('migration_ended');
        forget(model, vol);
        return 'deleted';
      }
      case 'move-back': {
        const response = await real.api.post<Volume>(`${path}/migrate`, { target_tier: from });
        if (response.status === 409) return 'moving';
        // Accepted: the first move had ended; follow both.
        assert.equal(response.status, 202, `moving ${vol.name} back to ${from} ${what} was answered ${response.status} ${body(response)}`);
        assert.equal(response.data.last_migration?.from_tier, target, `moving ${vol.name} back ${what} was accepted before the first move ended: ${body(response)}`);
        // The first move's record was replaced by this one, which starts from the new tier with the same bytes.
        vol.tier = target;
        vol.announced.push('migration_completed', 'migration_started');
        expectStarted(response.data, vol, target, from, `the answer to moving ${vol.name} back to ${from}`);
        await followMigration(real, vol, target, from);
        return 'ended';
      }
    }
  }
  toString = () => this.text ?? `move volume #${this.index}`;
}

function expectStarted(answer: Volume, vol: ModelVolume, from: TierName, target: TierName, what: string): void {
  const migration = answer.last_migration;
  assert.deepEqual(
    { tier: answer.tier, state: answer.state, from_tier: migration?.from_tier, to_tier: migration?.to_tier, checksum_before: migration?.checksum_before, status: migration?.status },
    { tier: from, state: 'migrating', from_tier: from, to_tier: target, checksum_before: vol.checksum, status: 'running' },
    `${what} differs from a move that started`,
  );
}

/** Waits until the move ended; it must have completed: the volume on the new tier, with the same bytes, and the outcome recorded. */
async function followMigration(real: StorageSystem, vol: ModelVolume, from: TierName, target: TierName, checksumNow = vol.checksum): Promise<void> {
  const deadline = performance.now() + MIGRATION_WITHIN_MS;
  let last: ApiResponse<Volume>;
  for (;;) {
    last = await real.api.get<Volume>(`/api/v1/storage/volumes/${vol.id}`, { retries: 0 });
    assert.equal(last.status, 200, `reading ${vol.name} while it moved to ${target} was answered ${last.status} ${body(last)}`);
    const migration = last.data.last_migration;
    assert.ok(migration, `${vol.name} has no record of its move to ${target}`);
    assert.ok(migration.progress >= 0 && migration.progress <= 100, `the move of ${vol.name} reports progress ${migration.progress}`);
    if (last.data.state !== 'migrating') break;
    assert.equal(last.data.tier, from, `${vol.name} is on ${last.data.tier} while it still moves from ${from}`);
    assert.ok(performance.now() < deadline, `the move of ${vol.name} to ${target} did not end within ${MIGRATION_WITHIN_MS} ms (progress ${migration.progress}%)`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const migration = last.data.last_migration as Migration;
  assert.equal(migration.status, 'completed', `the move of ${vol.name} from ${from} to ${target} ended ${migration.status}: ${migration.error ?? 'no reason given'}`);
  vol.announced.push('migration_completed');
  assert.deepEqual(
    {
      tier: last.data.tier,
      checksum: last.data.checksum,
      from_tier: migration.from_tier,
      to_tier: migration.to_tier,
      progress: migration.progress,
      bytes_copied: migration.bytes_copied,
      checksum_before: migration.checksum_before,
      checksum_after: migration.checksum_after,
      error: migration.error,
    },
    { tier: target, checksum: checksumNow, from_tier: from, to_tier: target, progress: 100, bytes_copied: vol.contentBytes, checksum_before: vol.checksum, checksum_after: vol.checksum, error: null },
    `after its move from ${from} to ${target}, ${vol.name} differs from a completed move of every byte`,
  );
  assert.ok(migration.completed_at !== null && migration.completed_at >= migration.started_at, `the move of ${vol.name} completed at ${migration.completed_at}, started at ${migration.started_at}`);
  assert.ok(typeof migration.duration_ms === 'number' && migration.duration_ms >= 0, `the move of ${vol.name} took ${migration.duration_ms} ms`);
  vol.tier = target;
  vol.lastMigration = migration;
}

class MigrateInvalid implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly target: unknown, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    this.text = `move ${label(real, vol.name)} to ${JSON.stringify(this.target)}`;
    const response = await real.api.post<Volume>(`/api/v1/storage/volumes/${vol.id}/migrate`, this.target === undefined ? {} : { target_tier: this.target });
    refusedAs(response, 400, `moving ${vol.name} to the tier ${JSON.stringify(this.target)}`);
    namesField(response, 'target_tier', `moving ${vol.name} to the tier ${JSON.stringify(this.target)}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `move volume #${this.index} to ${JSON.stringify(this.target)}`;
}

function applyWrite(vol: ModelVolume, offset: number, data: Buffer): void {
  data.copy(vol.content, offset);
  vol.known.fill(1, offset, offset + data.length);
  vol.checksum = sha256(vol.content);
}

type WriteKind = 'inside' | 'past the end' | 'negative offset' | 'no data' | 'not base64';
const WRITE_KINDS: readonly WriteKind[] = ['inside', 'inside', 'inside', 'past the end', 'negative offset', 'no data', 'not base64'];

class Write implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly kind: WriteKind, readonly at: number, readonly data: Uint8Array, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.some((vol) => !vol.huge);
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live.filter((v) => !v.huge), this.index) as ModelVolume;
    const data = Buffer.from(this.data.subarray(0, vol.contentBytes));
    const inside = Math.floor(this.at * (vol.contentBytes - data.length + 1));
    const offset = this.kind === 'past the end' ? vol.contentBytes - data.length + 1 + Math.floor(this.at * 8) : this.kind === 'negative offset' ? -1 : inside;
    const encoded = this.kind === 'not base64' ? '%%not base64%%' : data.toString('base64');
    this.text = `write ${this.kind === 'inside' || this.kind === 'past the end' ? `${data.length} bytes at ${offset}` : `with ${this.kind}`} into ${label(real, vol.name)}`;
    const what = `writing ${data.length} bytes at ${offset} of ${vol.name} (${vol.contentBytes} bytes)`;
    const request = this.kind === 'no data' ? { offset } : { offset, data: encoded };
    const response = await real.api.put<Volume>(`/api/v1/storage/volumes/${vol.id}/data`, request);
    if (this.kind === 'inside') {
      assert.equal(response.status, 200, `${what} was answered ${response.status} ${body(response)}`);
      applyWrite(vol, offset, data);
      expectAnswer(response.data, vol, real, `the answer to ${what}`);
      await readAndCompare(real, vol, offset, data.length, 'after it was written');
    } else {
      refusedAs(response, 400, this.kind === 'past the end' || this.kind === 'negative offset' ? what : `writing ${this.kind} into ${vol.name}`);
      if (this.kind === 'negative offset') namesField(response, 'offset', what);
      if (this.kind === 'no data' || this.kind === 'not base64') namesField(response, 'data', `writing ${this.kind} into ${vol.name}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `write into volume #${this.index}`;
}

class Read implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly at: number, readonly length: number, readonly pastTheEnd: boolean, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    const length = Math.min(this.length, vol.contentBytes);
    if (this.pastTheEnd) {
      const offset = vol.contentBytes - length + 1;
      this.text = `read ${length} bytes at ${offset} of ${label(real, vol.name)} (past its end)`;
      const response = await real.api.get(`/api/v1/storage/volumes/${vol.id}/data`, { params: { offset, length }, retries: 0 });
      refusedAs(response, 400, `reading ${length} bytes at ${offset} of ${vol.name}, which holds ${vol.contentBytes} bytes`);
    } else {
      const offset = Math.floor(this.at * (vol.contentBytes - length + 1));
      this.text = `read ${length} bytes at ${offset} of ${label(real, vol.name)}`;
      await readAndCompare(real, vol, offset, length, 'when read');
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `read volume #${this.index}`;
}

class Delete implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.live.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.live, this.index) as ModelVolume;
    this.text = `delete ${label(real, vol.name)} (${vol.vm === null ? 'available' : `on vm ${vol.vm + 1}`})`;
    const response = await real.api.delete(`/api/v1/storage/volumes/${vol.id}`);
    if (vol.vm !== null) {
      refusedAs(response, 409, `deleting ${vol.name}, attached to vm ${vol.vm + 1}`, 'conflict');
    } else {
      assert.equal(response.status, 200, `deleting ${vol.name} was answered ${response.status} ${body(response)}`);
      assert.deepEqual(response.data, { id: vol.id, status: 'deleted' }, `deleting ${vol.name} answered ${body(response)}`);
      forget(model, vol);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `delete volume #${this.index}`;
}

type Touch = 'read its details' | 'attach' | 'detach' | 'move' | 'read' | 'write' | 'delete';
const TOUCHES: readonly Touch[] = ['read its details', 'attach', 'detach', 'move', 'read', 'write', 'delete'];

class TouchDeleted implements StorageCommand {
  private text: string | undefined;
  constructor(readonly index: number, readonly touches: readonly Touch[], readonly pageSize: number) {}
  check = (model: Readonly<StorageModel>) => model.gone.length > 0;
  async run(model: StorageModel, real: StorageSystem): Promise<void> {
    const vol = pick(model.gone, this.index) as GoneVolume;
    this.text = `${this.touches.join(', ')} deleted ${label(real, vol.name)}`;
    const path = `/api/v1/storage/volumes/${vol.id}`;
    for (const touch of this.touches) {
      const response = await {
        'read its details': () => real.api.get(path, { retries: 0 }),
        attach: () => real.api.post(`${path}/attach`, { vm_id: real.vms[0].id }),
        detach: () => real.api.post(`${path}/detach`),
        move: () => real.api.post(`${path}/migrate`, { target_tier: 'COLD' }),
        read: () => real.api.get(`${path}/data`, { params: { offset: 0, length: 1 }, retries: 0 }),
        write: () => real.api.put(`${path}/data`, { offset: 0, data: 'AA==' }),
        delete: () => real.api.delete(path),
      }[touch]();
      refusedAs(response, 404, `asking to ${touch} ${vol.name} after it was deleted`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => this.text ?? `${this.touches.join(', ')} deleted volume #${this.index}`;
}

// ---- every view against the model ----------------------------------------------------------------

type Seen = Omit<Volume, 'updated_at'>;

function expectedView(vol: ModelVolume, real: StorageSystem): Seen {
  return {
    id: vol.id,
    name: vol.name,
    size: vol.size,
    tier: vol.tier,
    vm_id: vol.vm === null ? null : real.vms[vol.vm].id,
    state: vol.vm === null ? 'available' : 'attached',
    checksum: vol.checksum,
    content_bytes: vol.contentBytes,
    last_migration: vol.lastMigration,
    created_at: vol.created_at,
  };
}

function seen(volume: Volume): Seen {
  const { updated_at: _updated, ...rest } = volume;
  return rest;
}

/** A volume as answered or listed equals the model; its `updated_at` never goes back. */
function expectAnswer(volume: Volume, vol: ModelVolume, real: StorageSystem, what: string): void {
  assert.deepEqual(seen(volume), expectedView(vol, real), `${what} differs from what was done to it`);
  assert.ok(volume.updated_at >= vol.updatedAt, `${what} was updated at ${volume.updated_at}, before ${vol.updatedAt} seen earlier`);
  vol.updatedAt = volume.updated_at;
}

async function expectDetails(real: StorageSystem, vol: ModelVolume): Promise<void> {
  const response = await real.api.get<Volume>(`/api/v1/storage/volumes/${vol.id}`, { retries: 0 });
  assert.equal(response.status, 200, `reading ${vol.name} was answered ${response.status} ${body(response)}`);
  expectAnswer(response.data, vol, real, `the details of ${vol.name}`);
}

async function expectGone(real: StorageSystem, vol: GoneVolume): Promise<void> {
  const response = await real.api.get(`/api/v1/storage/volumes/${vol.id}`, { retries: 0 });
  assert.equal(response.status, 404, `${vol.name} was deleted, but reading it was answered ${response.status} ${body(response)}`);
}


/** A list read page by page: none twice, the same total on every page, as many items as the total. */
function expectWholeList(read: { items: Volume[]; totals: number[] }, pageSize: number, what: string): void {
  const ids = read.items.map((vol) => vol.id);
  assert.equal(new Set(ids).size, ids.length, `${what}, read page by page ${pageSize} at a time, lists a volume twice`);
  for (const total of read.totals) assert.equal(total, read.items.length, `${what} gives a total of ${total}, but ${read.items.length} volumes are on its pages (${pageSize} a page)`);
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The sequence's volumes in a list are exactly the model's, as their details say (the list's order is not prescribed). */
function expectOurs(real: StorageSystem, model: StorageModel, listed: Volume[], expected: readonly ModelVolume[], what: string): void {
  const ours = new Set([...model.live, ...model.gone].map((vol) => vol.id));
  const mine = listed.filter((vol) => ours.has(vol.id) || vol.name.startsWith(real.prefix)).map(seen).sort(byId);
  assert.deepEqual(mine, expected.map((vol) => expectedView(vol, real)).sort(byId), `${what} differs from the volumes that belong there`);
}

/** The VM's view of its volumes: the list of each VM's volumes holds exactly the volumes attached to it. */
async function expectVmLists(real: StorageSystem, model: StorageModel, pageSize: number): Promise<void> {
  for (const [index, vm] of real.vms.entries()) {
    const what = `the list of the volumes of vm ${index + 1}`;
    const read = await readAllPages<Volume>(real.api, '/api/v1/storage/volumes', { vm_id: vm.id }, pageSize, what);
    expectWholeList(read, pageSize, what);
    assert.deepEqual(read.items.map(seen).sort(byId), model.live.filter((vol) => vol.vm === index).map((vol) => expectedView(vol, real)).sort(byId), `${what} differs from the volumes attached to it`);
  }
}

/**
 * The views other scenarios share: every volume, the volumes of each tier, and the tier figures.
 * Another scenario may change them between two reads, so a disagreement counts once it persisted for
 * SHARED_VIEWS_SETTLE_MS; the tier figures are not compared while any volume is moving (what a tier
 * counts for a volume in flight is not prescribed).
 */
async function expectSharedViews(real: StorageSystem, model: StorageModel, pageSize: number): Promise<void> {
  const deadline = performance.now() + SHARED_VIEWS_SETTLE_MS;
  for (;;) {
    const outcome = await compareSharedViews(real, model, pageSize);
    if (outcome === 'agree') return;
    if (performance.now() > deadline) {
      if (outcome === 'moving elsewhere') return;
      throw outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readTiers(real: StorageSystem, pageSize: number): Promise<Tier[]> {
  const read = await readAllPages<Tier>(real.api, '/api/v1/storage/tiers', {}, pageSize, 'the list of the tiers');
  for (const total of read.totals) assert.equal(total, TIERS.length, `the list of the tiers gives a total of ${total}`);
  assert.deepEqual(read.items.map((tier) => tier.name), [...TIERS], `the tiers, read ${pageSize} a page, are not offered fastest first`);
  return read.items;
}

async function compareSharedViews(real: StorageSystem, model: StorageModel, pageSize: number): Promise<'agree' | 'moving elsewhere' | Error> {
  try {
    const all = await readAllPages<Volume>(real.api, '/api/v1/storage/volumes', {}, pageSize, 'the list of every volume');
    const perTier = new Map<TierName, Volume[]>();
    for (const tier of TIERS) {
      const what = `the list of the volumes on ${tier}`;
      const read = await readAllPages<Volume>(real.api, '/api/v1/storage/volumes', { tier }, pageSize, what);
      perTier.set(tier, read.items);
      expectWholeList(read, pageSize, what);
      expectOurs(real, model, read.items, model.live.filter((vol) => vol.tier === tier), what);
    }
    const tiers = await readTiers(real, pageSize);
    expectWholeList(all, pageSize, 'the list of every volume');
    expectOurs(real, model, all.items, model.live, 'the list of every volume');
    const everyTier = TIERS.flatMap((tier) => perTier.get(tier) ?? []);
    assert.deepEqual(
      all.items.map((vol) => vol.id).sort(),
      everyTier.map((vol) => vol.id).sort(),
      'the list of every volume and the lists of the volumes on each tier do not hold the same volumes',
    );
    if (all.items.some((vol) => vol.state === 'migrating')) return 'moving elsewhere';
    for (const tier of tiers) {
      const listed = perTier.get(tier.name) ?? [];
      const used = listed.reduce((sum, vol) => sum + vol.size, 0);
      const offered = real.tiers.get(tier.name);
      assert.deepEqual(
        tier,
        { ...offered, used_gb: used, free_gb: (offered?.capacity_gb ?? 0) - used, volume_count: listed.length },
        `the figures of the ${tier.name} tier differ from the ${listed.length} volumes of ${used} GB listed on it`,
      );
    }
    return 'agree';
  } catch (error) {
    return error as Error;
  }
}

/** Every view of the sequence's volumes agrees with the model (and so with each other). */
export async function checkEveryView(model: StorageModel, real: StorageSystem, pageSize: number): Promise<void> {
  for (const vol of model.live) await expectDetails(real, vol);
  for (const vol of model.gone) await expectGone(real, vol);
  await expectVmLists(real, model, pageSize);
  await expectSharedViews(real, model, pageSize);
  await expectAnnouncements(real, model);
  await expectStored(real, model);
  await expectVmHistories(real, model);
}

/** The stream announced each volume's changes, and nothing else of it, in order, naming the volume as it is after each. */
async function expectAnnouncements(real: StorageSystem, model: StorageModel): Promise<void> {
  const volumes = [...model.live, ...model.gone];
  await untilAgrees(() => {
    for (const vol of volumes) {
      const messages = real.stream.received.filter((message) => message.type.startsWith('storage.') && message.data.volume_id === vol.id);
      const heard = messages.map((message) => message.type.slice('storage.'.length));
      const expected = vol.announced.map((change, i) => (change === 'migration_ended' && /^migration_(completed|failed)$/.test(heard[i] ?? '') ? heard[i] : change));
      assert.deepEqual(heard, expected, `the event stream announced ${label(real, vol.name)}'s changes as [${heard.join(', ')}], but they were [${vol.announced.join(', ')}]`);
      for (const message of messages) assert.equal(message.data.name, vol.name, `the stream's ${message.type} of ${vol.id} names it "${String(message.data.name)}", not ${vol.name}`);
    }
  }, ANNOUNCED_WITHIN_MS);
}

/** The volumes as stored (table `storage_volumes`, as reference/storage/store.ts lays it out) agree with the model: what survives a restart. */
async function expectStored(real: StorageSystem, model: StorageModel): Promise<void> {
  const ids = [...model.live, ...model.gone].map((vol) => vol.id);
  await untilAgrees(async () => {
    const rows = await readStored(real.world, 'volumes', ['storage_volumes'], async (db) =>
      (await db.query<{ id: string; name: string; tier: string; size_gb: number; vm_id: string | null; record: Volume; content: Buffer }>('SELECT id, name, tier, size_gb, vm_id, record, content FROM storage_volumes WHERE id = ANY($1)', [ids])).rows,
    );
    if (!rows) return;
    const stored = new Map(rows.map((row) => [row.id, row]));
    for (const vol of model.gone) assert.ok(!stored.has(vol.id), `the database still holds ${label(real, vol.name)} after it was deleted`);
    for (const vol of model.live) {
      const row = stored.get(vol.id);
      assert.ok(row, `the database does not hold ${label(real, vol.name)}`);
      const vmId = vol.vm === null ? null : real.vms[vol.vm].id;
      assert.deepEqual(
        { name: row.name, tier: row.tier, size_gb: row.size_gb, vm_id: row.vm_id, record: { tier: row.record.tier, vm_id: row.record.vm_id, state: row.record.state, checksum: row.record.checksum }, bytes: sha256(row.content) },
        { name: vol.name, tier: vol.tier, size_gb: vol.size, vm_id: vmId, record: { tier: vol.tier, vm_id: vmId, state: vmId === null ? 'available' : 'attached', checksum: vol.checksum }, bytes: vol.checksum },
        `${label(real, vol.name)} as stored in the database differs from what was done to it`,
      );
    }
  }, ANNOUNCED_WITHIN_MS);
}

/** Each VM's history records exactly the attachments and detachments of the sequence's volumes, in order. */
async function expectVmHistories(real: StorageSystem, model: StorageModel): Promise<void> {
  const ours = new Set([...model.live, ...model.gone].map((vol) => vol.id));
  for (const [vm, { id, name }] of real.vms.entries()) {
    const expected = model.vmRecords.filter((record) => record.vm === vm).map(({ action, volume_id }) => `${action} ${volume_id}`);
    await untilAgrees(async () => {
      const response = await real.api.get<{ items: { type: string; action: string; details?: { volume_id?: string } }[] }>(`/api/v1/vms/${id}/events`, { retries: 0 });
      assert.equal(response.status, 200, `reading the history of ${name} was answered ${response.status} ${body(response)}`);
      const recorded = response.data.items.filter((entry) => entry.type === 'storage' && ours.has(String(entry.details?.volume_id))).map((entry) => `${entry.action} ${entry.details?.volume_id}`);
      assert.deepEqual(recorded, expected, `the history of vm ${vm + 1} does not record exactly the attachments and detachments of this sequence's volumes`);
    }, ANNOUNCED_WITHIN_MS);
  }
}

// ---- the check ------------------------------------------------------------------------------------

const pageSizeArb = fc.integer({ min: 1, max: 4 });
const indexArb = fc.nat({ max: 50 });
const fractionArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const bytesArb = fc.uint8Array({ minLength: 1, maxLength: 48 });

export const STORAGE_COMMANDS: fc.Arbitrary<StorageCommand>[] = [
  fc.tuple(indexArb, fc.nat({ max: 1000 }), pageSizeArb).map(([tier, extra, size]) => new CreateVolume('small', tier, extra, size)),
  fc.tuple(indexArb, fc.nat({ max: 1000 }), pageSizeArb).map(([tier, extra, size]) => new CreateVolume('small', tier, extra, size)),
  fc.tuple(fc.constantFrom<CreateKind>('huge', 'too-big'), indexArb, fc.nat({ max: 4096 }), pageSizeArb).map(([kind, tier, extra, size]) => new CreateVolume(kind, tier, extra, size)),
  fc.tuple(fc.nat({ max: INVALID_REQUESTS.length - 1 }), pageSizeArb).map(([invalid, size]) => new RequestInvalid([invalid], size)),
  fc.tuple(fc.boolean(), indexArb, indexArb, pageSizeArb).map(([ofDeleted, index, tier, size]) => new ReuseName(ofDeleted, index, tier, size)),
  fc.tuple(indexArb, indexArb, pageSizeArb).map(([index, vm, size]) => new Attach(index, vm, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new AttachToUnknownVm(index, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new Detach(index, size)),
  fc.tuple(indexArb, indexArb, fc.constantFrom(...PROBES), bytesArb, pageSizeArb).map(([index, target, probe, data, size]) => new Migrate(index, target, probe, data, size)),
  fc.tuple(indexArb, indexArb, fc.constantFrom(...PROBES), bytesArb, pageSizeArb).map(([index, target, probe, data, size]) => new Migrate(index, target, probe, data, size)),
  fc.tuple(indexArb, fc.constantFrom<unknown>(undefined, 'hot', 'FAST', '', 2), pageSizeArb).map(([index, target, size]) => new MigrateInvalid(index, target, size)),
  fc.tuple(indexArb, fc.constantFrom(...WRITE_KINDS), fractionArb, bytesArb, pageSizeArb).map(([index, kind, at, data, size]) => new Write(index, kind, at, data, size)),
  fc.tuple(indexArb, fractionArb, fc.integer({ min: 1, max: 64 }), fc.boolean(), pageSizeArb).map(([index, at, length, past, size]) => new Read(index, at, length, past, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new Delete(index, size)),
  fc.tuple(indexArb, fc.constantFrom(...TOUCHES), pageSizeArb).map(([index, touch, size]) => new TouchDeleted(index, [touch], size)),
];

/** Every kind of operation, refusals included, each followed by every view: what every run checks before the random sequences. */
function storageTour(): StorageCommand[] {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) % 256);
  return [
    new CreateVolume('small', 0, 3, 1), // vol 1: 4 GB on HOT
    new CreateVolume('small', 1, 1, 2), // vol 2: 2 GB on WARM
    new CreateVolume('small', 2, 0, 3), // vol 3: 1 GB on COLD
    new CreateVolume('small', 3, 2, 4), // vol 4: 3 GB on ARCHIVE
    new CreateVolume('huge', 0, 5, 1), // vol 5: larger than HOT and WARM, on ARCHIVE
    new CreateVolume('medium', 0, 0, 2), // vol 6: 12 GB on HOT
    new CreateVolume('too-big', 0, 0, 3), // refused on HOT
    new CreateVolume('too-big', 1, 4096, 4), // refused on WARM
    new RequestInvalid(INVALID_REQUESTS.map((_, i) => i), 1),
    new ReuseName(false, 0, 1, 2), // a second vol 1: refused
    new Attach(0, 0, 3), // vol 1 on vm 1
    new Attach(0, 1, 4), // refused: on vm 1 already
    new Attach(1, 1, 1), // vol 2 on vm 2
    new AttachToUnknownVm(2, 2),
    new Detach(2, 3), // refused: vol 3 is on no VM
    new Write(0, 'inside', 0.5, bytes, 4),
    new Write(3, 'inside', 0.999, bytes, 1),
    ...WRITE_KINDS.filter((kind) => kind !== 'inside').map((kind, i) => new Write(2, kind, 0.3, bytes, 1 + (i % 4))),
    new Read(0, 0.5, 64, false, 2),
    new Read(4, 0.7, 64, false, 3), // the huge one: a range
    new Read(1, 0, 8, true, 4), // past the end: refused
    new Migrate(5, 2, 'write', bytes, 1), // vol 6 HOT -> ARCHIVE, written while it moves
    new Migrate(5, 1, 'delete', bytes, 2), // vol 6 ARCHIVE -> WARM, deleted while it moves
    new Migrate(3, 0, 'read', bytes, 3), // vol 4 ARCHIVE -> HOT, read while it moves
    new Migrate(2, 2, 'attach-or-detach', bytes, 4), // vol 3 COLD -> ARCHIVE, attached while it moves
    new Migrate(1, 1, 'delete', bytes, 1), // vol 2 (on vm 2) WARM -> COLD
    new Migrate(2, 0, 'move-back', bytes, 2), // vol 3 -> HOT, moved back while it moves
    new Migrate(0, 0, 'none', bytes, 3), // vol 1 (on vm 1) HOT -> WARM
    new Migrate(4, 0, 'none', bytes, 4), // vol 5 (huge) -> HOT: refused
    new Migrate(4, 1, 'none', bytes, 1), // vol 5 (huge) -> WARM: refused
    new MigrateInvalid(0, 'hot', 2),
    new MigrateInvalid(1, undefined, 3),
    new Write(0, 'inside', 0, bytes, 4),
    new Delete(0, 1), // refused: vol 1 is on vm 1
    new Detach(0, 2),
    new Delete(0, 3),
    new TouchDeleted(0, TOUCHES, 4),
    new ReuseName(true, 0, 3, 1), // vol 1's name again, on ARCHIVE
    new Delete(3, 2), // the huge one
  ];
}


export function storageModelCheck(world: NovaWorld): ModelCheck<StorageModel, StorageSystem> {
  let sequence = 0;
  let shared: Pick<StorageSystem, 'vms' | 'tiers'> | undefined;
  return {
    domain: 'volumes',
    commands: STORAGE_COMMANDS,
    tour: storageTour,
    async setup() {
      sequence += 1;
      const api = world.actor.api;
      if (!shared) {
        const tiers = await api.get<Page<Tier>>('/api/v1/storage/tiers', { params: { page_size: 500 } });
        assert.equal(tiers.status, 200, `reading the storage tiers was answered ${tiers.status}`);
        const offered = new Map(tiers.data.items.map(({ used_gb: _u, free_gb: _f, volume_count: _c, ...tier }) => [tier.name, tier]));
        assert.deepEqual([...offered.keys()], [...TIERS], 'the storage tiers offered differ from HOT, WARM, COLD, ARCHIVE');
        const listed = [...offered.values()];
        listed.slice(1).forEach((tier, i) =>
          assert.ok(
            tier.latency_ms > listed[i].latency_ms && tier.throughput_mb_s < listed[i].throughput_mb_s,
            `the tiers are not offered fastest first: ${tier.name} (${tier.latency_ms} ms, ${tier.throughput_mb_s} MB/s) after ${listed[i].name} (${listed[i].latency_ms} ms, ${listed[i].throughput_mb_s} MB/s)`,
          ),
        );
        shared = { vms: await helperVmsFor(world, VMS_PER_CHECK, 'sv', 'the volumes'), tiers: offered };
      }
      const stream = await EventStream.open({ baseURL: world.suite.apiUrl, token: world.actor.token, topics: ['storage'] });
      const real: StorageSystem = { world, api, prefix: `v${world.runId}s${sequence}-`, ...shared, stream };
      return { model: { live: [], gone: [], issued: 0, vmRecords: [] }, real };
    },
    async teardown(real) {
      await real.stream.close();
      const admin = await world.suite.admin();
      const { items } = await readAllPages<Volume>(admin, '/api/v1/storage/volumes', {}, 500, 'every volume');
      for (const volume of items.filter((vol) => vol.name.startsWith(real.prefix))) await removeVolume(world, volume.id);
    },
  };
}

export async function checkStorageModel(world: NovaWorld): Promise<void> {
  await runModelCheck(world, storageModelCheck(world));
}
