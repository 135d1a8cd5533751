import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sleep, type ApiClient } from '../api-client';
import { deleteVmAfterScenario, type VmAction, type VmState } from '../tasks/vms';
import type { NovaWorld } from '../world';
import { actOnVm, body, pick, readAllPages, refusedAs, untilRunning, VM_ACTIONS } from './common';
import { modelSettings, runModelCheck, type ModelCheck } from './runner';

/**
 * The live migration model, written from the contract (contract/domains/migration.yaml): a running
 * VM migrates to another node with room through preparing, pre-copy, stop-and-copy and switchover,
 * answering probes throughout (from its source node until the switchover, from its target from
 * then on), then runs on the target; anything else is refused (an unknown node as invalid, its own
 * node, a VM that is not running or already migrating as conflicts). Each node's free room is its
 * capacity less the share of every VM on it that is neither stopped nor failed.
 *
 * While a migration runs, its phases and progress only move forward and every view (the
 * migration, the VM, its probe) tells the same phase; after every operation the VMs, their
 * histories, their lists of migrations (each migration as it completed, for good), their probes
 * and the nodes' free room and counts are compared with the model.
 */

const PHASES = ['preparing', 'pre-copy', 'stop-and-copy', 'switchover', 'completed'] as const;
type Phase = (typeof PHASES)[number];
/** States in which a VM holds its share of its node (contract: listNodes). */
const HOLDING: ReadonlySet<VmState> = new Set<VmState>(['running', 'paused', 'migrating']);
const MIGRATE_WITHIN_MS = 10_000;

interface Resources {
  cpu: number;
  memory_mb: number;
}

interface NodeView {
  id: string;
  capacity: Resources;
  free: Resources;
  vm_count: number;
}

interface Migration {
  id: string;
  vm_id: string;
  source_node_id: string;
  target_node_id: string;
  status: 'in_progress' | 'completed' | 'cancelled';
  phase: Phase;
  progress: number;
  cpu_shares: number;
  memory_mb: number;
  max_bandwidth_mbps: number;
  started_at: string;
  completed_at: string | null;
  phases: { phase: Phase; started_at: string }[];
}

interface Probe {
  vm_id: string;
  reachable: boolean;
  node_id: string | null;
  phase: Phase | null;
  migration_id: string | null;
}

interface ModelVm {
  id: string;
  name: string;
  node: string;
  state: VmState;
  cpu_shares: number;
  memory_mb: number;
  /** Each as it completed. */
  migrations: Migration[];
}

export interface MigrationModel {
  vms: ModelVm[];
  gone: ModelVm[];
  issued: number;
}

export interface MigrationSystem {
  world: NovaWorld;
  api: ApiClient;
  prefix: string;
  tag: string;
  /** The nodes as they were before the sequence: what the sequence's VMs change is on top of this. */
  baseline: NodeView[];
}

type MigrationCommand = fc.AsyncCommand<MigrationModel, MigrationSystem>;

const nodeIds = (real: MigrationSystem) => real.baseline.map((node) => node.id);
const short = (real: MigrationSystem, vm: ModelVm) => vm.name.slice(real.prefix.length).replace('-', ' ');

/** Where a migration may be asked to go. */
type Destination = { other: number } | 'own node' | 'unknown node';

class CreateVm implements MigrationCommand {
  private name: string | undefined;
  constructor(readonly node: number, readonly cpu: number, readonly memory: number) {}
  check = (model: Readonly<MigrationModel>) => model.vms.length < 4;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    model.issued += 1;
    const name = `${real.prefix}vm-${model.issued}`;
    const node = nodeIds(real)[this.node % real.baseline.length];
    this.name = `vm ${model.issued} on ${node}`;
    const response = await real.api.post<{ id: string; name: string; node_id: string }>('/api/v1/vms', { name, cpu_shares: this.cpu, memory_mb: this.memory, node_id: node, tags: [real.tag] });
    if (response.status === 201) deleteVmAfterScenario(real.world, response.data);
    assert.equal(response.status, 201, `requesting ${name} on ${node} was answered ${response.status} ${body(response)}`);
    const vm: ModelVm = { id: response.data.id, name, node, state: 'running', cpu_shares: this.cpu, memory_mb: this.memory, migrations: [] };
    model.vms.push(vm);
    await untilRunning(real.api, vm);
    await checkEveryView(model, real);
  }
  toString = () => `create ${this.name ?? 'a VM'} (${this.cpu} CPU, ${this.memory} MB)`;
}

/** How many times a migration asked for "at once" is sent together. */
const AT_ONCE = 4;

class Migrate implements MigrationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly destination: Destination, readonly bandwidth: number | undefined, readonly atOnce: boolean) {}
  check = (model: Readonly<MigrationModel>) => model.vms.length > 0;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    const others = nodeIds(real).filter((id) => id !== vm.node);
    const to = this.destination === 'own node' ? vm.node : this.destination === 'unknown node' ? `${real.prefix}node-9` : (pick(others, this.destination.other) as string);
    this.target = `${short(real, vm)} (${vm.state} on ${vm.node}) to ${to}${this.atOnce ? `, ${AT_ONCE} times at once` : ''}`;
    const request = { target_node_id: to, ...(this.bandwidth === undefined ? {} : { max_bandwidth_mbps: this.bandwidth }) };
    const send = () => real.api.post<Migration>(`/api/v1/vms/${vm.id}/migrate`, request);
    // At once: several requests, since which of them the target handles first is a race each time.
    const answers = this.atOnce ? await Promise.all(Array.from({ length: AT_ONCE }, send)) : [await send()];

    const what = `migrating ${vm.name} (${vm.state} on ${vm.node}) to ${to}`;
    if (this.destination === 'unknown node') {
      for (const answer of answers) refusedAs(answer, 400, what);
    } else if (to === vm.node || vm.state !== 'running') {
      for (const answer of answers) refusedAs(answer, 409, what);
    } else {
      const accepted = answers.filter((answer) => answer.status === 202);
      assert.equal(accepted.length, 1, `${what}${this.atOnce ? ` ${AT_ONCE} times at once` : ''} was answered ${answers.map((a) => `${a.status} ${body(a)}`).join(' and ')}: exactly one must be accepted`);
      for (const answer of answers.filter((a) => a !== accepted[0])) refusedAs(answer, 409, `${what} while it already migrates`);
      const started = accepted[0];
      const migration = started.data;
      assert.equal(started.headers.location, `/api/v1/migrations/${migration.id}`, `the acceptance of ${what} points at ${started.headers.location}`);
      assert.deepEqual(
        { vm_id: migration.vm_id, source: migration.source_node_id, target: migration.target_node_id, status: migration.status, cpu_shares: migration.cpu_shares, memory_mb: migration.memory_mb, bandwidth: migration.max_bandwidth_mbps, completed_at: migration.completed_at },
        { vm_id: vm.id, source: vm.node, target: to, status: 'in_progress', cpu_shares: vm.cpu_shares, memory_mb: vm.memory_mb, bandwidth: this.bandwidth ?? 10_000, completed_at: null },
        `the acceptance of ${what} describes another migration`,
      );
      const completed = await follow(real, vm, migration);
      vm.migrations.push(completed);
      vm.node = to;
    }
    await checkEveryView(model, real);
  }
  toString = () => `migrate ${this.target ?? `VM #${this.index}`}${this.bandwidth ? ` at ${this.bandwidth} Mbps` : ''}`;
}

const rank = (phase: Phase | null) => (phase === null ? -1 : PHASES.indexOf(phase));

/** Follows a migration to its end: phases and progress only move forward, and the VM, its probe and the migration tell the same phase. */
async function follow(real: MigrationSystem, vm: ModelVm, accepted: Migration): Promise<Migration> {
  const deadline = performance.now() + MIGRATE_WITHIN_MS;
  let last = accepted;
  for (;;) {
    const probe = await real.api.get<Probe>(`/api/v1/vms/${vm.id}/probe`, { retries: 0 });
    const details = await real.api.get<{ state: string; node_id: string }>(`/api/v1/vms/${vm.id}`, { retries: 0 });
    const read = await real.api.get<Migration>(`/api/v1/migrations/${accepted.id}`, { retries: 0 });
    assert.equal(read.status, 200, `reading the migration of ${vm.name} was answered ${read.status} ${body(read)}`);
    const now = read.data;
    const what = `the migration of ${vm.name} (${last.phase} ${last.progress}% -> ${now.phase} ${now.progress}%)`;
    assert.ok(rank(now.phase) >= rank(last.phase) && now.progress >= last.progress, `${what} went backwards`);
    assert.deepEqual(now.phases.map((p) => p.phase), PHASES.slice(0, rank(now.phase) + 1), `${what} lists the phases ${now.phases.map((p) => p.phase).join(', ')}`);
    assert.equal(probe.status, 200, `probing ${vm.name} while it migrated was answered ${probe.status} ${body(probe)}`);
    const p = probe.data;
    if (p.migration_id !== null || now.status === 'in_progress') {
      // The probe came before the migration was read: its phase lies between the two readings.
      assert.ok(p.reachable, `${vm.name} did not answer its probe during the ${p.phase} phase of its migration`);
      assert.ok(p.migration_id === accepted.id || (p.migration_id === null && rank(now.phase) >= rank('switchover')), `the probe of ${vm.name} names the migration ${p.migration_id}, not ${accepted.id}`);
      if (p.migration_id !== null) {
        assert.ok(rank(p.phase) >= rank(last.phase) && rank(p.phase) <= rank(now.phase), `the probe of ${vm.name} says ${p.phase}, between readings of its migration in ${last.phase} and ${now.phase}`);
        const answering = rank(p.phase) >= rank('switchover') ? accepted.target_node_id : accepted.source_node_id;
        assert.equal(p.node_id, answering, `during ${p.phase}, ${vm.name} was answered by ${p.node_id}, not ${answering}`);
      }
    }
    if (now.status === 'in_progress') {
      assert.equal(details.data.state, 'migrating', `${vm.name} is ${details.data.state} while its migration is in ${now.phase}`);
    }
    last = now;
    if (now.status !== 'in_progress') break;
    assert.ok(performance.now() < deadline, `the migration of ${vm.name} was still in ${now.phase} (${now.progress}%) after ${MIGRATE_WITHIN_MS} ms`);
    await sleep(20);
  }
  assert.deepEqual(
    { status: last.status, phase: last.phase, progress: last.progress, completed: last.completed_at !== null },
    { status: 'completed', phase: 'completed', progress: 100, completed: true },
    `the migration of ${vm.name} ended otherwise than completed`,
  );
  const times = last.phases.map((p) => p.started_at);
  assert.deepEqual([...times].sort(), times, `the phases of the migration of ${vm.name} started out of order: ${times.join(', ')}`);
  assert.ok((last.completed_at as string) >= times[times.length - 1] && times[0] >= last.started_at, `the migration of ${vm.name} completed (${last.completed_at}) before its last phase began, or began a phase before it started`);
  return last;
}

class MigrateInvalid implements MigrationCommand {
  constructor(readonly index: number, readonly kind: number) {}
  check = (model: Readonly<MigrationModel>) => model.vms.length > 0;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    const { what, field, request } = INVALID_REQUESTS[this.kind % INVALID_REQUESTS.length];
    const response = await real.api.post(`/api/v1/vms/${vm.id}/migrate`, request(nodeIds(real).find((id) => id !== vm.node) as string));
    const refusal = refusedAs(response, 400, `a migration request with ${what}`);
    const named = (refusal.details ?? []).map((detail) => detail.field);
    assert.ok(named.includes(field), `the refusal of a migration request with ${what} names ${JSON.stringify(named)}, not "${field}"`);
    await checkEveryView(model, real);
  }
  toString = () => `migrate with ${INVALID_REQUESTS[this.kind % INVALID_REQUESTS.length].what}`;
}

const INVALID_REQUESTS: readonly { what: string; field: string; request: (node: string) => Record<string, unknown> }[] = [
  { what: 'no target node', field: 'target_node_id', request: () => ({}) },
  { what: 'a link of 50 Mbps', field: 'max_bandwidth_mbps', request: (node) => ({ target_node_id: node, max_bandwidth_mbps: 50 }) },
  { what: 'a link of 100001 Mbps', field: 'max_bandwidth_mbps', request: (node) => ({ target_node_id: node, max_bandwidth_mbps: 100_001 }) },
  { what: 'a link speed in words', field: 'max_bandwidth_mbps', request: (node) => ({ target_node_id: node, max_bandwidth_mbps: 'fast' }) },
];

class Act implements MigrationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly action: VmAction) {}
  check = (model: Readonly<MigrationModel>) => model.vms.length > 0;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    this.target = `${short(real, vm)} (${vm.state})`;
    vm.state = (await actOnVm(real.api, vm, this.action)) ?? vm.state;
    await checkEveryView(model, real);
  }
  toString = () => `${this.action} ${this.target ?? `VM #${this.index}`}`;
}

class DeleteVm implements MigrationCommand {
  private target: string | undefined;
  constructor(readonly index: number) {}
  check = (model: Readonly<MigrationModel>) => model.vms.length > 0;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    const vm = pick(model.vms, this.index) as ModelVm;
    this.target = short(real, vm);
    const response = await real.api.delete(`/api/v1/vms/${vm.id}`);
    assert.equal(response.status, 200, `deleting ${vm.name} was answered ${response.status} ${body(response)}`);
    model.vms.splice(model.vms.indexOf(vm), 1);
    model.gone.push(vm);
    await checkEveryView(model, real);
  }
  toString = () => `delete ${this.target ?? `VM #${this.index}`}`;
}

type GoneOperation = 'migrate' | 'list the migrations of' | 'probe';

class TouchGone implements MigrationCommand {
  private target: string | undefined;
  constructor(readonly index: number, readonly operation: GoneOperation) {}
  check = (model: Readonly<MigrationModel>) => model.gone.length > 0;
  async run(model: MigrationModel, real: MigrationSystem): Promise<void> {
    const vm = pick(model.gone, this.index) as ModelVm;
    this.target = short(real, vm);
    const path = `/api/v1/vms/${vm.id}`;
    const response =
      this.operation === 'migrate'
        ? await real.api.post(`${path}/migrate`, { target_node_id: nodeIds(real).find((id) => id !== vm.node) })
        : await real.api.get(this.operation === 'probe' ? `${path}/probe` : `${path}/migrations`, { retries: 0 });
    refusedAs(response, 404, `asking to ${this.operation} ${vm.name} after it was deleted`);
    await checkEveryView(model, real);
  }
  toString = () => `${this.operation} deleted ${this.target ?? `VM #${this.index}`}`;
}

// ---- every view against the model ----------------------------------------------------------------

async function expectVms(model: MigrationModel, real: MigrationSystem): Promise<void> {
  for (const vm of model.vms) {
    const details = await real.api.get<{ state: string; node_id: string }>(`/api/v1/vms/${vm.id}`, { retries: 0 });
    assert.equal(details.status, 200, `reading ${vm.name} was answered ${details.status} ${body(details)}`);
    assert.deepEqual({ state: details.data.state, node: details.data.node_id }, { state: vm.state, node: vm.node }, `${vm.name} is not where and how its operations left it`);

    const history = await real.api.get<{ items: { type: string; action: string; details?: { migration_id?: string; source_node_id?: string; target_node_id?: string } }[] }>(`/api/v1/vms/${vm.id}/events`, { retries: 0 });
    assert.equal(history.status, 200, `reading the history of ${vm.name} was answered ${history.status}`);
    const recorded = history.data.items.filter((entry) => entry.type === 'migration').map((entry) => `${entry.action} ${entry.details?.migration_id} ${entry.details?.source_node_id}->${entry.details?.target_node_id}`);
    const expected = vm.migrations.flatMap((m) => ['started', 'completed'].map((action) => `${action} ${m.id} ${m.source_node_id}->${m.target_node_id}`));
    assert.deepEqual(recorded, expected, `the history of ${vm.name} does not record exactly its migrations, each started and then completed`);

    const pageSize = 1 + (vm.migrations.length % 3);
    const { items, totals } = await readAllPages<Migration>(real.api, `/api/v1/vms/${vm.id}/migrations`, {}, pageSize, `the migrations of ${vm.name}`);
    for (const total of totals) assert.equal(total, vm.migrations.length, `the migrations of ${vm.name} give a total of ${total}, not ${vm.migrations.length}`);
    assert.deepEqual(items, vm.migrations, `the migrations of ${vm.name}, read ${pageSize} a page, differ from each migration as it completed`);
    for (const migration of vm.migrations) {
      const read = await real.api.get<Migration>(`/api/v1/migrations/${migration.id}`, { retries: 0 });
      assert.equal(read.status, 200, `reading the migration ${migration.id} of ${vm.name} was answered ${read.status}`);
      assert.deepEqual(read.data, migration, `the migration ${migration.id} of ${vm.name} changed after it completed`);
    }

    const probe = await real.api.get<Probe>(`/api/v1/vms/${vm.id}/probe`, { retries: 0 });
    assert.equal(probe.status, 200, `probing ${vm.name} was answered ${probe.status}`);
    const running = vm.state === 'running';
    assert.deepEqual(
      { reachable: probe.data.reachable, node_id: probe.data.node_id, phase: probe.data.phase, migration_id: probe.data.migration_id },
      { reachable: running, node_id: running ? vm.node : null, phase: null, migration_id: null },
      `the probe of ${vm.name} (${vm.state} on ${vm.node}) answers otherwise`,
    );
  }
  for (const vm of model.gone) {
    const details = await real.api.get(`/api/v1/vms/${vm.id}`, { retries: 0 });
    assert.equal(details.status, 404, `${vm.name} was deleted, but reading it was answered ${details.status}`);
  }
}

/** Each node: its free room and count as before the sequence, less the share of the sequence's VMs on it that hold one. */
async function expectNodes(model: MigrationModel, real: MigrationSystem): Promise<void> {
  const pageSize = 1 + (model.issued % 3);
  const { items } = await readAllPages<NodeView>(real.api, '/api/v1/nodes', {}, pageSize, 'the list of the nodes');
  const expected = real.baseline.map((node) => {
    const holding = model.vms.filter((vm) => vm.node === node.id && HOLDING.has(vm.state));
    return {
      id: node.id,
      capacity: node.capacity,
      free: { cpu: node.free.cpu - holding.reduce((s, vm) => s + vm.cpu_shares, 0), memory_mb: node.free.memory_mb - holding.reduce((s, vm) => s + vm.memory_mb, 0) },
      vm_count: node.vm_count + holding.length,
    };
  });
  assert.deepEqual(items, expected, `the nodes, read ${pageSize} a page, do not show the room the sequence's VMs take (running or paused ones hold their share; stopped and deleted ones do not)`);
}

export async function checkEveryView(model: MigrationModel, real: MigrationSystem): Promise<void> {
  await expectVms(model, real);
  await expectNodes(model, real);
}

// ---- the check ------------------------------------------------------------------------------------

const indexArb = fc.nat({ max: 50 });
const destinationArb: fc.Arbitrary<Destination> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 5 }).map((other): Destination => ({ other })) },
  { weight: 1, arbitrary: fc.constantFrom<Destination>('own node', 'unknown node') },
);

export const MIGRATION_COMMANDS: fc.Arbitrary<MigrationCommand>[] = [
  fc.tuple(fc.nat({ max: 2 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(512, 1024, 2048)).map(([node, cpu, memory]) => new CreateVm(node, cpu, memory)),
  fc.tuple(indexArb, destinationArb, fc.constantFrom(undefined, 5_000, 10_000), fc.boolean()).map(([index, destination, bandwidth, atOnce]) => new Migrate(index, destination, bandwidth, atOnce)),
  fc.tuple(indexArb, destinationArb, fc.constantFrom(undefined, 5_000, 10_000), fc.boolean()).map(([index, destination, bandwidth, atOnce]) => new Migrate(index, destination, bandwidth, atOnce)),
  fc.tuple(indexArb, fc.nat({ max: INVALID_REQUESTS.length - 1 })).map(([index, kind]) => new MigrateInvalid(index, kind)),
  fc.tuple(indexArb, fc.constantFrom(...VM_ACTIONS)).map(([index, action]) => new Act(index, action)),
  indexArb.map((index) => new DeleteVm(index)),
  fc.tuple(indexArb, fc.constantFrom<GoneOperation>('migrate', 'list the migrations of', 'probe')).map(([index, operation]) => new TouchGone(index, operation)),
];

/** Every kind of operation: what every run checks before the random sequences. */
function migrationTour(): MigrationCommand[] {
  return [
    new CreateVm(0, 2, 1024),
    new CreateVm(1, 1, 512),
    new Migrate(0, { other: 0 }, undefined, false),
    new Migrate(0, { other: 1 }, 5_000, true),
    new Migrate(1, { other: 0 }, undefined, true),
    new Migrate(0, { other: 0 }, 10_000, true),
    new Migrate(1, 'own node', undefined, false),
    new Migrate(1, 'unknown node', undefined, false),
    ...INVALID_REQUESTS.map((_, i) => new MigrateInvalid(1, i)),
    new Act(1, 'pause'),
    new Migrate(1, { other: 0 }, undefined, false),
    new Act(1, 'stop'),
    new Migrate(1, { other: 0 }, undefined, false),
    new Act(1, 'start'),
    new Migrate(1, { other: 0 }, 10_000, false),
    new DeleteVm(0),
    new TouchGone(0, 'migrate'),
    new TouchGone(0, 'list the migrations of'),
    new TouchGone(0, 'probe'),
    new DeleteVm(0),
  ];
}

export function migrationModelCheck(world: NovaWorld): ModelCheck<MigrationModel, MigrationSystem> {
  let sequence = 0;
  return {
    domain: 'migrations',
    commands: MIGRATION_COMMANDS,
    tour: migrationTour,
    async setup() {
      sequence += 1;
      const { items } = await readAllPages<NodeView>(world.actor.api, '/api/v1/nodes', {}, 500, 'the nodes before the sequence');
      assert.ok(items.length >= 2, `a live migration needs two nodes; the target has ${items.length}`);
      const real: MigrationSystem = { world, api: world.actor.api, prefix: `g${world.runId}s${sequence}-`, tag: `${world.scenarioTag}-s${sequence}`, baseline: items };
      return { model: { vms: [], gone: [], issued: 0 }, real };
    },
    async teardown(real) {
      const admin = await world.suite.admin();
      const { items } = await readAllPages<{ id: string }>(admin, '/api/v1/vms', { tag: real.tag }, 500, 'the VMs of the sequence');
      for (const vm of items) await admin.delete(`/api/v1/vms/${vm.id}`);
    },
  };
}

/** Each migration takes about half a second: sequences are a quarter as long. */
export async function checkMigrationModel(world: NovaWorld): Promise<void> {
  const settings = modelSettings(world);
  await runModelCheck(world, migrationModelCheck(world), { ...settings, maxCommands: Math.ceil(settings.maxCommands / 4) });
}
