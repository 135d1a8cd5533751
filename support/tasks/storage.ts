import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';
import { expectRefusal } from './refusals';
import { createVm, vmNamed } from './vms';

/** Storage tiers and volumes, in the words of the feature. */

export const TIERS = ['HOT', 'WARM', 'COLD', 'ARCHIVE'] as const;
export type TierName = (typeof TIERS)[number];

interface Tier {
  name: TierName;
  media: string;
  latency_ms: number;
  throughput_mb_s: number;
  capacity_gb: number;
  free_gb: number;
}

interface Throughput {
  tier: TierName;
  write_mb_s: number;
  read_mb_s: number;
}

interface Volume {
  id: string;
  name: string;
  size: number;
  tier: TierName;
  vm_id: string | null;
  state: 'available' | 'attached' | 'migrating';
  checksum: string;
  last_migration: { status: string; to_tier: TierName; checksum_before: string; checksum_after: string | null; error: string | null; duration_ms: number | null } | null;
}

interface StorageState {
  volumes: Map<string, Volume>;
  tiers?: Tier[];
  measured?: Throughput[];
  checksums: Map<string, string>;
}

function state(world: NovaWorld): StorageState {
  return world.domain('storage', () => ({ volumes: new Map<string, Volume>(), checksums: new Map<string, string>() }));
}

export function volumeNamed(world: NovaWorld, alias: string): Volume {
  const volume = state(world).volumes.get(alias);
  if (!volume) throw new Error(`no volume "${alias}" was created in this scenario`);
  return volume;
}

export async function listTiers(world: NovaWorld): Promise<Tier[]> {
  const response = await world.actor.api.get<{ items: Tier[] }>('/api/v1/storage/tiers');
  expectStatus(response, 200, 'listing the storage tiers');
  state(world).tiers = response.data.items;
  return response.data.items;
}

function tiers(world: NovaWorld): Tier[] {
  const listed = state(world).tiers;
  if (!listed) throw new Error('the storage tiers were not looked at in this scenario');
  return listed;
}

export function expectTierOrder(world: NovaWorld, expected: { tier: string; media: string }[]): void {
  assert.deepEqual(
    tiers(world).map((t) => ({ tier: t.name, media: t.media })),
    expected,
    'the storage tiers are not offered in this order with these media',
  );
}

/** Each tier has a longer first-byte latency and a lower throughput than the one before it. */
export function expectStrictlySlower(world: NovaWorld): void {
  const listed = tiers(world);
  for (let i = 1; i < listed.length; i++) {
    const [faster, slower] = [listed[i - 1], listed[i]];
    assert.ok(slower.latency_ms > faster.latency_ms, `${slower.name} answers in ${slower.latency_ms} ms, not later than ${faster.name} (${faster.latency_ms} ms)`);
    assert.ok(
      slower.throughput_mb_s < faster.throughput_mb_s,
      `${slower.name} transfers ${slower.throughput_mb_s} MB/s, not slower than ${faster.name} (${faster.throughput_mb_s} MB/s)`,
    );
  }
}

export async function measureEveryTier(world: NovaWorld): Promise<void> {
  const measured: Throughput[] = [];
  for (const tier of TIERS) {
    const response = await world.actor.api.post<Throughput>(`/api/v1/storage/tiers/${tier}/throughput-test`);
    expectStatus(response, 200, `measuring the throughput of the ${tier} tier`);
    measured.push(response.data);
    world.metrics.record(`storage-${tier.toLowerCase()}-read-mb-s`, response.data.read_mb_s);
    world.metrics.record(`storage-${tier.toLowerCase()}-write-mb-s`, response.data.write_mb_s);
  }
  state(world).measured = measured;
}

function measured(world: NovaWorld): Throughput[] {
  const figures = state(world).measured;
  if (!figures) throw new Error('no throughput was measured in this scenario');
  return figures;
}

export function expectMeasuredOrder(world: NovaWorld, order: TierName[]): void {
  const figures = order.map((name) => measured(world).find((m) => m.tier === name) as Throughput);
  const described = figures.map((m) => `${m.tier} ${m.read_mb_s}/${m.write_mb_s} MB/s`).join(', ');
  for (let i = 1; i < figures.length; i++) {
    for (const direction of ['read_mb_s', 'write_mb_s'] as const) {
      assert.ok(
        figures[i][direction] < figures[i - 1][direction],
        `${figures[i].tier} is not slower than ${figures[i - 1].tier} (${direction.replace('_mb_s', '')}); measured read/write: ${described}`,
      );
    }
  }
}

export async function expectHalfOfAdvertised(world: NovaWorld): Promise<void> {
  const advertised = await listTiers(world);
  for (const figure of measured(world)) {
    const tier = advertised.find((t) => t.name === figure.tier) as Tier;
    for (const direction of ['read_mb_s', 'write_mb_s'] as const) {
      assert.ok(
        figure[direction] >= tier.throughput_mb_s / 2,
        `${tier.name} achieved ${figure[direction]} MB/s (${direction.replace('_mb_s', '')}), less than half its advertised ${tier.throughput_mb_s} MB/s`,
      );
    }
  }
}

/** Asks for a volume under the scenario's unique form of `alias`; deletes it (detached first) after the scenario. */
export async function submitVolume(world: NovaWorld, alias: string, size: number, tier: string): Promise<ApiResponse<Volume>> {
  const response = await world.actor.api.post<Volume>('/api/v1/storage/volumes', { name: world.unique(alias), size, tier });
  world.lastResponse = response;
  if (response.status === 201) {
    const volume = response.data;
    state(world).volumes.set(alias, volume);
    world.ledger.add(`volume ${volume.name} (${volume.id})`, async () => {
      const admin = await world.suite.admin();
      await eventually(() => admin.get<Volume>(`/api/v1/storage/volumes/${volume.id}`), (r) => r.status !== 200 || r.data.state !== 'migrating', {
        timeoutMs: 10_000,
        what: `volume ${volume.name} finishing its move`,
      });
      await admin.post(`/api/v1/storage/volumes/${volume.id}/detach`);
      const deleted = await admin.delete(`/api/v1/storage/volumes/${volume.id}`);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
    });
  }
  return response;
}

export async function createVolume(world: NovaWorld, alias: string, size: number, tier: string): Promise<Volume> {
  const response = await submitVolume(world, alias, size, tier);
  expectStatus(response, 201, `creating the ${size} GB volume "${alias}" on ${tier}`);
  return response.data;
}

export async function fetchVolume(world: NovaWorld, alias: string): Promise<Volume> {
  const response = await world.actor.api.get<Volume>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}`);
  expectStatus(response, 200, `reading the volume "${alias}"`);
  state(world).volumes.set(alias, response.data);
  return response.data;
}

export async function expectVolume(world: NovaWorld, alias: string, expected: Partial<Pick<Volume, 'state' | 'tier' | 'size'>> & { vm?: string | null }): Promise<void> {
  const volume = await fetchVolume(world, alias);
  const { vm, ...fields } = expected;
  const actual: Record<string, unknown> = Object.fromEntries(Object.keys(fields).map((key) => [key, volume[key as keyof Volume]]));
  const wanted: Record<string, unknown> = { ...fields };
  if (vm !== undefined) {
    actual.vm_id = volume.vm_id;
    wanted.vm_id = vm === null ? null : vmNamed(world, vm).id;
  }
  assert.deepEqual(actual, wanted, `the volume "${alias}" is not as expected`);
}

export async function tryAttach(world: NovaWorld, alias: string, vmAlias: string): Promise<ApiResponse<Volume>> {
  const response = await world.actor.api.post<Volume>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/attach`, { vm_id: vmNamed(world, vmAlias).id });
  world.lastResponse = response;
  return response;
}

export async function attach(world: NovaWorld, alias: string, vmAlias: string): Promise<void> {
  expectStatus(await tryAttach(world, alias, vmAlias), 200, `attaching the volume "${alias}" to "${vmAlias}"`);
}

export async function detach(world: NovaWorld, alias: string): Promise<void> {
  const response = await world.actor.api.post<Volume>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/detach`);
  expectStatus(response, 200, `detaching the volume "${alias}"`);
}

export async function vmUsingVolume(world: NovaWorld, vmAlias: string, alias: string): Promise<void> {
  await createVm(world, vmAlias);
  await attach(world, alias, vmAlias);
}

export async function write(world: NovaWorld, alias: string, offset: number, text: string): Promise<void> {
  const response = await world.actor.api.put<Volume>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/data`, {
    offset,
    data: Buffer.from(text).toString('base64'),
  });
  expectStatus(response, 200, `writing into the volume "${alias}"`);
}

export async function read(world: NovaWorld, alias: string, offset?: number, length?: number): Promise<Buffer> {
  const params = offset === undefined ? undefined : { offset, length };
  const response = await world.actor.api.get<{ data: string }>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/data`, { params });
  expectStatus(response, 200, `reading the volume "${alias}"`);
  return Buffer.from(response.data.data, 'base64');
}

/** SHA-256 of every byte of the volume, computed here from what the volume returns, and the volume's own figure. */
async function checksums(world: NovaWorld, alias: string): Promise<{ computed: string; reported: string }> {
  const computed = createHash('sha256').update(await read(world, alias)).digest('hex');
  return { computed, reported: (await fetchVolume(world, alias)).checksum };
}

export async function noteChecksum(world: NovaWorld, alias: string): Promise<void> {
  const { computed, reported } = await checksums(world, alias);
  assert.equal(reported, computed, `the volume "${alias}" reports the checksum ${reported}, but its bytes hash to ${computed}`);
  state(world).checksums.set(alias, computed);
}

export async function expectNotedChecksum(world: NovaWorld, alias: string): Promise<void> {
  const noted = state(world).checksums.get(alias);
  if (!noted) throw new Error(`no checksum of "${alias}" was noted in this scenario`);
  const { computed, reported } = await checksums(world, alias);
  assert.equal(computed, noted, `the bytes of "${alias}" changed: SHA-256 ${computed}, noted ${noted}`);
  assert.equal(reported, noted, `the volume "${alias}" reports the checksum ${reported}, noted ${noted}`);
}

export async function startMove(world: NovaWorld, alias: string, tier: string): Promise<void> {
  const response = await world.actor.api.post<Volume>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/migrate`, { target_tier: tier });
  expectStatus(response, 202, `moving the volume "${alias}" to ${tier}`);
}

export async function waitForMove(world: NovaWorld, alias: string, timeoutMs: number): Promise<void> {
  const { value, elapsedMs } = await eventually(() => fetchVolume(world, alias), (v) => v.state !== 'migrating', {
    timeoutMs,
    what: `the move of the volume "${alias}"`,
  });
  world.metrics.record('volume-move-ms', Math.round(elapsedMs));
  const outcome = value.last_migration;
  assert.equal(outcome?.status, 'completed', `the move of "${alias}" ended ${outcome?.status}: ${outcome?.error ?? 'no reason given'}`);
}

export async function expectHoldsAndWritable(world: NovaWorld, alias: string, text: string): Promise<void> {
  expectBytes(await read(world, alias, 0, Buffer.byteLength(text)), text, `the volume "${alias}" no longer holds "${text}"`);
  const more = `written after the move ${world.runId}`;
  const offset = Buffer.byteLength(text) + 16;
  await write(world, alias, offset, more);
  expectBytes(await read(world, alias, offset, Buffer.byteLength(more)), more, `the volume "${alias}" did not keep new data`);
}

/** Compares bytes with the text they should hold; a mismatch is shown in hex, never as raw bytes. */
function expectBytes(actual: Buffer, text: string, message: string): void {
  const expected = Buffer.from(text);
  if (actual.equals(expected)) return;
  const hex = (bytes: Buffer) => `${bytes.subarray(0, 32).toString('hex')}${bytes.length > 32 ? '...' : ''} (${bytes.length} bytes)`;
  assert.fail(`${message}: read ${hex(actual)}, expected ${hex(expected)}`);
}

/** Why a volume is refused, as the feature names it. */
export function expectVolumeRefused(world: NovaWorld, reason: string): void {
  const lacking = /^the (HOT|WARM|COLD|ARCHIVE) tier lacks the capacity$/.exec(reason);
  if (lacking) {
    const body = expectRefusal(world, 'conflict');
    assert.match(body.error ?? '', new RegExp(`tier ${lacking[1]} has \\d+ GB free`), `the refusal does not say the tier lacks room: "${body.error}"`);
    return;
  }
  if (reason === 'the size is outside what a volume may have') {
    const body = expectRefusal(world, 'invalid');
    assert.ok((body.details ?? []).some((d) => d.field === 'size'), `the refusal should name the size: ${JSON.stringify(body)}`);
    return;
  }
  throw new Error(`unknown refusal reason "${reason}"`);
}

export function expectAlreadyAttached(world: NovaWorld, vmAlias: string): void {
  const body = expectRefusal(world, 'conflict');
  const vm = vmNamed(world, vmAlias);
  assert.ok((body.error ?? '').includes(vm.id), `the refusal should name the machine it is attached to (${vm.id}): "${body.error}"`);
}

export async function expectNoVolume(world: NovaWorld, alias: string): Promise<void> {
  const response = await world.actor.api.get<{ items: Volume[] }>('/api/v1/storage/volumes', { params: { page_size: 500 } });
  expectStatus(response, 200, 'listing the volumes');
  const name = world.unique(alias);
  assert.equal(response.data.items.filter((v) => v.name === name).length, 0, `a volume "${alias}" exists although it was refused`);
}
