import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';
import { expectRefusal } from './refusals';
import { createVm, vmNamed, waitForState, type Vm } from './vms';

/** Live migration of virtual machines between nodes, in the words of the feature. */

export const PHASES = ['preparing', 'pre-copy', 'stop-and-copy', 'switchover'] as const;

interface Migration {
  id: string;
  vm_id: string;
  source_node_id: string;
  target_node_id: string;
  status: 'in_progress' | 'completed' | 'cancelled';
  phase: string;
  progress: number;
  phases: { phase: string; started_at: string }[];
}

interface Probe {
  reachable: boolean;
  node_id: string | null;
  phase: string | null;
}

interface VmEvent {
  sequence: number;
  type: string;
  action: string;
  to_state?: string;
  details?: { source_node_id?: string; target_node_id?: string };
}

interface MigrationState {
  /** The last migration asked for, by VM alias. */
  started: Map<string, ApiResponse<Migration>>;
  probes: Map<string, Probe[]>;
  /** The node the last migration asked for. */
  lastTarget?: string;
}

function state(world: NovaWorld): MigrationState {
  return world.domain('migration', () => ({ started: new Map<string, ApiResponse<Migration>>(), probes: new Map<string, Probe[]>() }));
}

function migrationOf(world: NovaWorld, alias: string): Migration {
  const response = state(world).started.get(alias);
  if (!response) throw new Error(`no migration of "${alias}" was asked for in this scenario`);
  expectStatus(response, 202, `migrating "${alias}"`);
  return response.data;
}

export async function runningVmOn(world: NovaWorld, alias: string, memoryMb: number, node: string): Promise<Vm> {
  const vm = await createVm(world, alias, { memory_mb: memoryMb, node_id: node });
  await waitForState(world, alias, 'running', 10_000);
  return vm;
}

/**
 * Leaves no room on the node for another machine: one machine takes all its CPUs for this scenario.
 * The scenario must run alone (`@exclusive`): any other scenario deleting a machine on the node,
 * its own other examples included, would make room again before the migration is asked for.
 */
export async function fullyBook(world: NovaWorld, node: string): Promise<void> {
  const nodes = await world.actor.api.get<{ items: { id: string; free: { cpu: number } }[] }>('/api/v1/nodes');
  expectStatus(nodes, 200, 'listing the nodes');
  const free = nodes.data.items.find((n) => n.id === node)?.free.cpu;
  if (free === undefined) throw new Error(`there is no node ${node}`);
  if (free > 0) await createVm(world, `filler-${node}`, { cpu_shares: Math.min(64, free), node_id: node });
}

export async function migrate(world: NovaWorld, alias: string, node: string, maxBandwidthMbps?: number): Promise<ApiResponse<Migration>> {
  const body = { target_node_id: node, ...(maxBandwidthMbps ? { max_bandwidth_mbps: maxBandwidthMbps } : {}) };
  const response = await world.actor.api.post<Migration>(`/api/v1/vms/${vmNamed(world, alias).id}/migrate`, body);
  world.lastResponse = response;
  state(world).started.set(alias, response);
  state(world).lastTarget = node;
  return response;
}

export function expectAccepted(world: NovaWorld, alias: string): void {
  const migration = migrationOf(world, alias);
  assert.ok(typeof migration.id === 'string' && migration.id.length > 0, `the migration of "${alias}" has no migration id: ${JSON.stringify(migration)}`);
  assert.equal(migration.status, 'in_progress', `the migration of "${alias}" was accepted as ${migration.status}`);
}

async function fetchMigration(world: NovaWorld, id: string): Promise<Migration> {
  const response = await world.actor.api.get<Migration>(`/api/v1/migrations/${id}`);
  expectStatus(response, 200, `following the migration ${id}`);
  return response.data;
}

/** Follows the migration to its end; returns every phase and progress figure seen on the way. */
async function follow(world: NovaWorld, alias: string, timeoutMs: number): Promise<Migration[]> {
  const { id } = migrationOf(world, alias);
  const seen: Migration[] = [];
  const { elapsedMs } = await eventually(
    async () => {
      const current = await fetchMigration(world, id);
      seen.push(current);
      return current;
    },
    (current) => current.status !== 'in_progress',
    { timeoutMs, intervalMs: 20, what: `the migration of "${alias}" completing` },
  );
  world.metrics.record('migration-ms', Math.round(elapsedMs));
  const last = seen[seen.length - 1];
  assert.equal(last.status, 'completed', `the migration of "${alias}" ended ${last.status}`);
  assert.equal(last.progress, 100, `the completed migration of "${alias}" reports ${last.progress}%`);
  return seen;
}

export async function expectProgressToCompletion(world: NovaWorld, alias: string, timeoutMs: number): Promise<void> {
  const seen = await follow(world, alias, timeoutMs);
  const progress = seen.map((m) => m.progress);
  assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), `the progress of "${alias}" went backwards: ${progress.join(', ')}`);
  assert.ok(
    seen.some((m) => m.status === 'in_progress' && m.progress > 0 && m.progress < 100),
    `the migration of "${alias}" reported no progress between start and end (seen: ${seen.map((m) => `${m.phase} ${m.progress}%`).join(', ')})`,
  );
  expectPhasesTookTime(alias, seen[seen.length - 1]);
}

/** A live migration copies memory: its phases follow one another in order, and the switchover begins later than the preparation. */
function expectPhasesTookTime(alias: string, migration: Migration): void {
  const history = migration.phases.map((p) => `${p.phase} at ${p.started_at}`).join(', ');
  assert.deepEqual(
    migration.phases.map((p) => p.phase),
    [...PHASES, 'completed'],
    `the migration of "${alias}" did not go through every phase in order (${history})`,
  );
  const starts = migration.phases.filter((p) => p.phase !== 'completed').map((p) => Date.parse(p.started_at));
  assert.ok(
    starts.every((t, i) => i === 0 || t >= starts[i - 1]) && starts[starts.length - 1] > starts[0],
    `the phases of the migration of "${alias}" took no time: ${history}`,
  );
}

export async function migrateAndWait(world: NovaWorld, alias: string, node: string): Promise<void> {
  expectStatus(await migrate(world, alias, node), 202, `migrating "${alias}" to ${node}`);
  await follow(world, alias, 10_000);
}

export async function expectRunningOn(world: NovaWorld, alias: string, node: string): Promise<void> {
  const vm = vmNamed(world, alias);
  await eventually(
    () => world.actor.api.get<Vm>(`/api/v1/vms/${vm.id}`),
    (response) => response.status === 200 && response.data.state === 'running' && response.data.node_id === node,
    { timeoutMs: 2_000, what: `"${alias}" running on ${node}` },
  );
}

/** Starts the migration and probes the VM without pause until it completed, then a few times more. */
export async function migrateWhileProbing(world: NovaWorld, alias: string, node: string, maxBandwidthMbps: number): Promise<void> {
  const vm = vmNamed(world, alias);
  const probes: Probe[] = [];
  const probe = async () => {
    const response = await world.actor.api.get<Probe>(`/api/v1/vms/${vm.id}/probe`);
    expectStatus(response, 200, `probing "${alias}"`);
    probes.push(response.data);
  };
  await probe();
  expectStatus(await migrate(world, alias, node, maxBandwidthMbps), 202, `migrating "${alias}" to ${node}`);
  let done = false;
  const prober = (async () => {
    while (!done) await probe();
  })();
  try {
    await follow(world, alias, 30_000);
    await expectRunningOn(world, alias, node);
  } finally {
    done = true;
    await prober;
  }
  for (let i = 0; i < 3; i++) await probe();
  state(world).probes.set(alias, probes);
  world.metrics.record('probes-during-migration', probes.length);
}

function probesOf(world: NovaWorld, alias: string): Probe[] {
  const probes = state(world).probes.get(alias);
  if (!probes) throw new Error(`"${alias}" was not probed during a migration in this scenario`);
  return probes;
}

export function expectAnsweredInEveryPhase(world: NovaWorld, alias: string): void {
  const probes = probesOf(world, alias);
  const missed = probes.filter((p) => !p.reachable);
  assert.equal(missed.length, 0, `"${alias}" did not answer ${missed.length} of ${probes.length} probes, in ${[...new Set(missed.map((p) => p.phase))].join(', ')}`);
  const phases = new Set(probes.map((p) => p.phase));
  const unseen = PHASES.filter((phase) => !phases.has(phase));
  assert.deepEqual(unseen, [], `no probe reached "${alias}" during ${unseen.join(', ')}, so its answers there are unknown`);
}

/** Before the switchover the source answers; from the switchover on, the target, and never the source again. */
export function expectAnsweredBySourceThenTarget(world: NovaWorld, alias: string, source: string, target: string): void {
  const answers = probesOf(world, alias).filter((p) => p.reachable);
  const before = answers.filter((p) => p.phase !== null && PHASES.indexOf(p.phase as (typeof PHASES)[number]) < PHASES.indexOf('switchover'));
  assert.ok(before.every((p) => p.node_id === source), `before the switchover "${alias}" was answered by ${[...new Set(before.map((p) => p.node_id))].join(', ')}`);
  const handover = answers.findIndex((p) => p.phase === 'switchover');
  assert.ok(handover >= 0, `no probe answered "${alias}" during the switchover`);
  const after = answers.slice(handover);
  assert.ok(after.every((p) => p.node_id === target), `from the switchover on "${alias}" was answered by ${[...new Set(after.map((p) => p.node_id))].join(', ')}`);
}

const MIGRATION_REFUSALS: Record<string, (node: string) => { kind: 'invalid' | 'conflict'; says: RegExp }> = {
  'the node is unknown': () => ({ kind: 'invalid', says: /is not a known node/ }),
  'it already runs there': (node) => ({ kind: 'conflict', says: new RegExp(`already runs on ${node}`) }),
};

export function expectMigrationRefused(world: NovaWorld, reason: string): void {
  const full = /^(\S+) has no room for it$/.exec(reason);
  const node = state(world).lastTarget ?? '';
  const { kind, says } = full ? { kind: 'conflict' as const, says: new RegExp(`node ${full[1]} has .* free`) } : MIGRATION_REFUSALS[reason]?.(node) ?? unknownReason(reason);
  const body = expectRefusal(world, kind);
  assert.match(body.error ?? '', says, `the refusal does not say why: "${body.error}"`);
}

function unknownReason(reason: string): never {
  throw new Error(`unknown refusal reason "${reason}": expected one of ${[...Object.keys(MIGRATION_REFUSALS), '<node> has no room for it'].join('; ')}`);
}

export async function expectStillRunningOn(world: NovaWorld, alias: string, node: string): Promise<void> {
  const response = await world.actor.api.get<Vm>(`/api/v1/vms/${vmNamed(world, alias).id}`);
  expectStatus(response, 200, `reading "${alias}"`);
  assert.deepEqual({ state: response.data.state, node: response.data.node_id }, { state: 'running', node }, `"${alias}" changed after a refused migration`);
}

export async function expectHistory(world: NovaWorld, alias: string, source: string, target: string): Promise<void> {
  const response = await world.actor.api.get<{ items: VmEvent[] }>(`/api/v1/vms/${vmNamed(world, alias).id}/events`);
  expectStatus(response, 200, `reading the history of "${alias}"`);
  const entries = response.data.items.filter((e) => e.type === 'migration');
  const told = entries.map((e) => `${e.action} (${e.details?.source_node_id} -> ${e.details?.target_node_id}, ${e.to_state})`).join('; ') || 'nothing';
  assert.deepEqual(
    entries.map((e) => ({ action: e.action, to_state: e.to_state, from: e.details?.source_node_id, to: e.details?.target_node_id })),
    [
      { action: 'started', to_state: 'migrating', from: source, to: target },
      { action: 'completed', to_state: 'running', from: source, to: target },
    ],
    `the history of "${alias}" tells of its migration: ${told}`,
  );
  assert.ok(entries[0].sequence < entries[1].sequence, `the history of "${alias}" has the migration's completion before its start`);
}

/** Sets the VM's usage through the simulation (as if its workload ran), for the rest of the scenario. */
export async function keepUsage(world: NovaWorld, alias: string, cpu: number, memory: number): Promise<void> {
  const response = await (await world.suite.admin()).post(`/api/v1/simulation/vms/${vmNamed(world, alias).id}/load`, { cpu_usage: cpu, memory_usage: memory });
  expectStatus(response, 200, `keeping "${alias}" at ${cpu}% CPU and ${memory}% memory`);
}

export async function expectUsage(world: NovaWorld, alias: string, cpu: number, memory: number): Promise<void> {
  const vm = vmNamed(world, alias);
  await eventually(
    () => world.actor.api.get<{ cpu_usage: number; memory_usage: number }>(`/api/v1/vms/${vm.id}/metrics`),
    (response) => response.status === 200 && response.data.cpu_usage === cpu && response.data.memory_usage === memory,
    { timeoutMs: 2_000, what: `"${alias}" reporting ${cpu}% CPU and ${memory}% memory use` },
  );
}
