import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sleep } from '../api-client';
import { checkRegisterHistory, type RegisterOperation, type RegisterRead } from '../invariants/register-history';
import { seeded } from '../invariants/seeded';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';
import { TIERS, volumeNamed, type TierName } from './storage';
import { vmNamed, type Vm } from './vms';

/**
 * A volume's data under concurrency: writers put tagged values into its blocks and readers read
 * them back while the volume moves between tiers (writes are refused while it moves) and the
 * machine it is attached to live-migrates between nodes (its data must not notice). Every write
 * and read is recorded with when it was sent and answered, and the history is checked for
 * linearizability block by block (support/invariants/register-history.ts); the machine's probes
 * are checked to answer throughout, from the source and then the target of each migration.
 */

/** The blocks cover the volume from its start, up to this many (all of a small volume). */
const MAX_BLOCKS = 64;
const MIN_BLOCKS = 4;
const BLOCK_BYTES = 32;
const MOVE_WITHIN_MS = 10_000;
const MIGRATION_WITHIN_MS = 10_000;

interface VolumeView {
  id: string;
  tier: TierName;
  state: 'available' | 'attached' | 'migrating';
  vm_id: string | null;
  checksum: string;
  last_migration: { status: string; to_tier: TierName; error: string | null } | null;
}

interface Probe {
  sentAt: number;
  answeredAt: number;
  reachable: boolean;
  node_id: string | null;
  migration_id: string | null;
}

interface VmMigration {
  id: string;
  source: string;
  target: string;
  sentAt: number;
  /** When the client first saw it completed. */
  completedSeenAt: number;
}

interface RecordedVolumeHistory {
  volumeAlias: string;
  vmAlias: string;
  seed: number;
  operations: RegisterOperation[];
  initial: Map<string, string>;
  /** Every byte of the volume as the history leaves it: the initial bytes with each block's final value. */
  expectedBytes: Buffer;
  schedule: string[];
  probes: Probe[];
  vmMigrations: VmMigration[];
  firstNode: string;
  tierMoves: number;
  /** Moves that did not complete, each described. */
  failedMoves: string[];
  lastTier: TierName;
}

const blockKey = (block: number) => `block ${block}`;

function recorded(world: NovaWorld): RecordedVolumeHistory {
  const history = world.state.get('volume-history') as RecordedVolumeHistory | undefined;
  assert.ok(history, 'no volume history was recorded in this scenario: run the writers and readers first');
  return history;
}

/** A value as a message shows it: the tag a client wrote, or the bytes in hex. */
function describer(initial: ReadonlyMap<string, string>): (value: string) => string {
  const initialValues = new Set(initial.values());
  return (value) => {
    if (initialValues.has(value)) return 'the initial bytes';
    const text = Buffer.from(value, 'hex').toString('latin1');
    const tag = /^([a-z]\d+#\d+)\.*$/.exec(text);
    return tag ? `"${tag[1]}"` : `bytes ${value.slice(0, 24)}${value.length > 24 ? '...' : ''}`;
  };
}

const tagged = (tag: string) => Buffer.from(tag.padEnd(BLOCK_BYTES, '.'));

/**
 * Runs `writers` writers and `readers` readers on the volume for `durationMs` while a mover moves it
 * between tiers and a migrator live-migrates its machine, both on a schedule drawn from a seed
 * (NOVACRON_SEED replays it), and a prober asks the machine who answers.
 */
export async function runVolumeHistory(world: NovaWorld, volumeAlias: string, vmAlias: string, durationMs: number, writers: number, readers: number): Promise<void> {
  const volume = volumeNamed(world, volumeAlias);
  const vm = vmNamed(world, vmAlias);
  const api = world.actor.api;
  const seed = world.suite.config.modelReplay?.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const random = seeded(seed);
  const dataPath = `/api/v1/storage/volumes/${volume.id}/data`;
  const operations: RegisterOperation[] = [];
  const schedule: string[] = [];
  const probes: Probe[] = [];
  const vmMigrations: VmMigration[] = [];
  const started = performance.now();
  const end = started + durationMs;
  /** Client clock of the history: ms since the run began. */
  const clock = () => performance.now() - started;

  let blocks = 0;
  const readSpan = async (client: string, block?: number): Promise<RegisterRead[]> => {
    const [offset, length] = block === undefined ? [0, blocks * BLOCK_BYTES] : [block * BLOCK_BYTES, BLOCK_BYTES];
    const sentAt = clock();
    const response = await api.get<{ data: string }>(dataPath, { params: { offset, length } });
    expectStatus(response, 200, `${client} reading ${length} bytes at ${offset} of "${volumeAlias}"`);
    const answeredAt = clock();
    const bytes = Buffer.from(response.data.data, 'base64');
    assert.equal(bytes.length, length, `${client} asked "${volumeAlias}" for ${length} bytes at ${offset} and got ${bytes.length}`);
    const first = offset / BLOCK_BYTES;
    return Array.from({ length: length / BLOCK_BYTES }, (_, i) => ({
      kind: 'read' as const,
      client,
      key: blockKey(first + i),
      value: bytes.subarray(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES).toString('hex'),
      sentAt,
      answeredAt,
    }));
  };

  const image = await readAll(world, volumeAlias);
  blocks = Math.min(MAX_BLOCKS, Math.floor(image.length / BLOCK_BYTES));
  assert.ok(blocks >= MIN_BLOCKS, `"${volumeAlias}" holds ${image.length} bytes, fewer than ${MIN_BLOCKS} blocks of ${BLOCK_BYTES}`);
  const initial = new Map(Array.from({ length: blocks }, (_, block) => [blockKey(block), image.subarray(block * BLOCK_BYTES, (block + 1) * BLOCK_BYTES).toString('hex')]));
  const firstVm = await api.get<Vm>(`/api/v1/vms/${vm.id}`);
  expectStatus(firstVm, 200, `reading "${vmAlias}"`);
  const firstNode = firstVm.data.node_id;
  const firstVolume = await api.get<VolumeView>(`/api/v1/storage/volumes/${volume.id}`);
  expectStatus(firstVolume, 200, `reading "${volumeAlias}"`);
  let tier = firstVolume.data.tier;
  let tierMoves = 0;
  const failedMoves: string[] = [];

  const writer = async (name: string): Promise<void> => {
    for (let seq = 1; performance.now() < end; seq++) {
      const block = Math.floor(Math.random() * blocks);
      const tag = `${name}#${seq}`;
      const sentAt = clock();
      const response = await api.put<VolumeView>(dataPath, { offset: block * BLOCK_BYTES, data: tagged(tag).toString('base64') });
      expectStatus(response, [200, 409], `${name} writing block ${block} of "${volumeAlias}"`);
      const outcome = response.status === 200 ? 'acknowledged' : 'refused';
      operations.push({ kind: 'write', client: name, key: blockKey(block), value: tagged(tag).toString('hex'), sentAt, answeredAt: clock(), outcome });
    }
  };

  const reader = async (name: string): Promise<void> => {
    while (performance.now() < end) operations.push(...(await readSpan(name, Math.random() < 0.5 ? undefined : Math.floor(Math.random() * blocks))));
  };

  const mover = async (): Promise<void> => {
    while (performance.now() < end - 200) {
      await sleep(50 + random() * 250);
      const choices = TIERS.filter((t) => t !== tier);
      const target = choices[Math.floor(random() * choices.length)];
      const response = await api.post<VolumeView>(`/api/v1/storage/volumes/${volume.id}/migrate`, { target_tier: target });
      expectStatus(response, 202, `moving "${volumeAlias}" from ${tier} to ${target}`);
      schedule.push(`${Math.round(clock())} ms move ${tier} -> ${target}`);
      const { value } = await eventually(() => api.get<VolumeView>(`/api/v1/storage/volumes/${volume.id}`), (r) => r.status === 200 && r.data.state !== 'migrating', {
        timeoutMs: MOVE_WITHIN_MS,
        intervalMs: 20,
        what: `the move of "${volumeAlias}" to ${target}`,
      });
      const outcome = value.data.last_migration;
      if (outcome?.status !== 'completed' || value.data.tier !== target) {
        failedMoves.push(`the move from ${tier} to ${target} ended ${outcome?.status} with the volume on ${value.data.tier}: ${outcome?.error ?? 'no reason given'}`);
      }
      tier = value.data.tier;
      tierMoves++;
      schedule.push(`${Math.round(clock())} ms ${outcome?.status} on ${tier}`);
    }
  };

  let migrating = true;
  const migrator = async (): Promise<void> => {
    let node = firstNode;
    try {
      while (performance.now() < end - 300) {
        await sleep(100 + random() * 300);
        const nodes = await api.get<{ items: { id: string; free: { cpu: number; memory_mb: number } }[] }>('/api/v1/nodes');
        expectStatus(nodes, 200, 'listing the nodes');
        const roomy = nodes.data.items.filter((n) => n.id !== node && n.free.cpu >= vm.cpu_shares && n.free.memory_mb >= vm.memory_mb);
        if (roomy.length === 0) continue;
        const target = roomy[Math.floor(random() * roomy.length)].id;
        const sentAt = clock();
        const response = await api.post<{ id: string }>(`/api/v1/vms/${vm.id}/migrate`, { target_node_id: target });
        // Another scenario may take the room first; that refusal is the contract's, and nothing moved.
        expectStatus(response, [202, 409], `migrating "${vmAlias}" from ${node} to ${target}`);
        if (response.status === 409) continue;
        schedule.push(`${Math.round(clock())} ms migrate ${vmAlias} ${node} -> ${target}`);
        await eventually(() => api.get<{ status: string }>(`/api/v1/migrations/${response.data.id}`), (r) => r.status === 200 && r.data.status !== 'in_progress', {
          timeoutMs: MIGRATION_WITHIN_MS,
          intervalMs: 10,
          what: `the migration of "${vmAlias}" to ${target}`,
        }).then(({ value }) => assert.equal(value.data.status, 'completed', `the migration of "${vmAlias}" to ${target} ended ${value.data.status}`));
        vmMigrations.push({ id: response.data.id, source: node, target, sentAt, completedSeenAt: clock() });
        schedule.push(`${Math.round(clock())} ms ${vmAlias} migrated to ${target}`);
        node = target;
      }
    } finally {
      migrating = false;
    }
  };

  const prober = async (): Promise<void> => {
    while (migrating || performance.now() < end) {
      const sentAt = clock();
      const response = await api.get<Omit<Probe, 'sentAt' | 'answeredAt'>>(`/api/v1/vms/${vm.id}/probe`);
      expectStatus(response, 200, `probing "${vmAlias}"`);
      probes.push({ sentAt, answeredAt: clock(), reachable: response.data.reachable, node_id: response.data.node_id, migration_id: response.data.migration_id });
    }
  };

  await Promise.all([
    ...Array.from({ length: writers }, (_, i) => writer(`w${i + 1}`)),
    ...Array.from({ length: readers }, (_, i) => reader(`r${i + 1}`)),
    mover(),
    migrator(),
    prober(),
  ]);
  // Quiet now: one last read sees the final value of every block.
  const final = await readSpan('final');
  operations.push(...final);
  final.forEach((read, block) => Buffer.from(read.value, 'hex').copy(image, block * BLOCK_BYTES));
  world.state.set('volume-history', {
    volumeAlias,
    vmAlias,
    seed,
    operations,
    initial,
    expectedBytes: image,
    schedule,
    probes,
    vmMigrations,
    firstNode,
    tierMoves,
    failedMoves,
    lastTier: tier,
  } satisfies RecordedVolumeHistory);
}

function summary(history: RecordedVolumeHistory): string {
  const writes = history.operations.filter((op) => op.kind === 'write');
  const counted = (outcome: string) => writes.filter((w) => w.outcome === outcome).length;
  return [
    `${counted('acknowledged')} acknowledged and ${counted('refused')} refused writes, ${history.operations.length - writes.length} block reads, ${history.tierMoves} moves between tiers, ${history.vmMigrations.length} live migrations, ${history.probes.length} probes; seed ${history.seed} (replay the schedule with NOVACRON_SEED=${history.seed}):`,
    ...history.schedule.map((line) => `  ${line}`),
  ].join('\n');
}

/** The blocks' history is linearizable: nothing acknowledged lost, nothing refused seen, no stale or invented read. */
export function expectVolumeHistoryHolds(world: NovaWorld): void {
  const history = recorded(world);
  const report = summary(history);
  world.attach(report, 'text/plain');
  world.metrics.detail('volume-history', { seed: history.seed, operations: history.operations.length, tier_moves: history.tierMoves, live_migrations: history.vmMigrations.length });
  const writes = history.operations.filter((op) => op.kind === 'write');
  assert.ok(writes.some((w) => w.outcome === 'acknowledged'), `no write was acknowledged, so the history proves nothing: ${report}`);
  assert.ok(history.tierMoves > 0, `"${history.volumeAlias}" never moved between tiers, so the history proves nothing about moves: ${report}`);
  const problems = checkRegisterHistory(history.operations, history.initial, describer(history.initial));
  if (problems.length > 0) {
    throw new Error(
      [`the history of "${history.volumeAlias}" breaks ${problems.length} rule(s) of its blocks:`, ...problems.slice(0, 8).map((p) => `  - ${p.rule}: ${p.message}`), report].join('\n'),
    );
  }
}

/**
 * During each live migration the machine answered every probe, from the migration's source and
 * then its target, never back; between migrations it answered from where the last one took it.
 */
export function expectMachineAnsweredThroughout(world: NovaWorld): void {
  const history = recorded(world);
  const { vmAlias, vmMigrations, probes } = history;
  assert.ok(vmMigrations.length > 0, `"${vmAlias}" never live-migrated, so nothing was shown about its migrations: ${summary(history)}`);
  const problems: string[] = [];
  const at = (probe: Probe) => `the probe at ${Math.round(probe.sentAt)}-${Math.round(probe.answeredAt)} ms`;
  for (const probe of probes) {
    if (!probe.reachable) problems.push(`${at(probe)} found "${vmAlias}" not answering`);
  }
  for (const migration of vmMigrations) {
    const during = probes.filter((p) => p.migration_id === migration.id);
    for (const probe of during) {
      if (probe.node_id !== migration.source && probe.node_id !== migration.target) {
        problems.push(`${at(probe)} was answered by ${probe.node_id} during the migration from ${migration.source} to ${migration.target}`);
      }
    }
    const handedOver = during.find((p) => p.node_id === migration.target);
    const back = handedOver && during.find((p) => p.sentAt > handedOver.answeredAt && p.node_id === migration.source);
    if (handedOver && back) problems.push(`${at(back)} was answered by the source ${migration.source} again after ${at(handedOver)} was answered by the target ${migration.target}`);
  }
  // Between migrations the machine is where the last completed one took it.
  for (const probe of probes.filter((p) => p.migration_id === null)) {
    // A probe that overlaps asking for a migration or seeing it completed may find either node.
    const overlapping = vmMigrations.find((m) => m.sentAt < probe.answeredAt && m.completedSeenAt > probe.sentAt);
    if (overlapping) {
      if (probe.node_id !== overlapping.source && probe.node_id !== overlapping.target) {
        problems.push(`${at(probe)} was answered by ${probe.node_id} around the migration from ${overlapping.source} to ${overlapping.target}`);
      }
      continue;
    }
    const before = vmMigrations.filter((m) => m.completedSeenAt < probe.sentAt).pop();
    const home = before ? before.target : history.firstNode;
    if (probe.node_id !== home) {
      const why = before ? `its migration ${before.id} to ${before.target} was seen completed` : 'it was first placed there';
      problems.push(`${at(probe)} was answered by ${probe.node_id}, not ${home}, where ${why}`);
    }
  }
  if (problems.length > 0) {
    throw new Error([`"${vmAlias}" did not answer as a live migration must, ${problems.length} time(s):`, ...problems.slice(0, 8).map((p) => `  - ${p}`), summary(history)].join('\n'));
  }
}

/** At rest again: the volume is on the tier of its last move, attached, with a checksum of the bytes it returns; the machine runs where it was last moved. */
export async function expectVolumeAtRest(world: NovaWorld): Promise<void> {
  const history = recorded(world);
  const volume = volumeNamed(world, history.volumeAlias);
  const vm = vmNamed(world, history.vmAlias);
  const view = await world.actor.api.get<VolumeView>(`/api/v1/storage/volumes/${volume.id}`);
  expectStatus(view, 200, `reading "${history.volumeAlias}"`);
  const bytes = await readAll(world, history.volumeAlias);
  const differs = bytes.findIndex((byte, i) => byte !== history.expectedBytes[i]);
  assert.ok(
    bytes.length === history.expectedBytes.length && differs === -1,
    `"${history.volumeAlias}" does not hold what its history left (${history.expectedBytes.length} bytes: the initial bytes with the last write of each block): ${bytes.length} bytes, the first difference at offset ${differs}`,
  );
  const computed = createHash('sha256').update(bytes).digest('hex');
  assert.deepEqual(
    { tier: view.data.tier, state: view.data.state, vm_id: view.data.vm_id, checksum: view.data.checksum },
    { tier: history.lastTier, state: 'attached', vm_id: vm.id, checksum: computed },
    `"${history.volumeAlias}" is not at rest on the tier of its last move, attached to "${history.vmAlias}", with the checksum of its bytes`,
  );
  assert.deepEqual(history.failedMoves, [], `moves of "${history.volumeAlias}" between tiers did not complete`);
  const machine = await world.actor.api.get<Vm>(`/api/v1/vms/${vm.id}`);
  expectStatus(machine, 200, `reading "${history.vmAlias}"`);
  const home = history.vmMigrations.at(-1)?.target ?? history.firstNode;
  assert.deepEqual({ state: machine.data.state, node_id: machine.data.node_id }, { state: 'running', node_id: home }, `"${history.vmAlias}" is not running where its last migration took it`);
}

async function readAll(world: NovaWorld, alias: string): Promise<Buffer> {
  const response = await world.actor.api.get<{ data: string }>(`/api/v1/storage/volumes/${volumeNamed(world, alias).id}/data`);
  expectStatus(response, 200, `reading every byte of "${alias}"`);
  return Buffer.from(response.data.data, 'base64');
}
