import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { isDatabaseUnavailable, type Database } from '../../db';
import type { FaultSet } from '../../faults';
import { conflict, DependencyUnavailableError, HttpError, notFound } from '../../http/errors';
import type { Logger } from '../../log';
import type { Timings } from '../../options';
import type { Timers } from '../../timers';
import type { EventBus } from '../events';
import { KeyedLock } from '../keyed-lock';
import { nextState, PROVISIONING_STEPS, TRANSITIONS, VM_STATES, type Vm, type VmAction, type VmEvent, type VmState } from './model';
import type { VmListQuery, VmSpec } from './validation';
import { CORE_FAULTS } from '../faults';

/** A VM as held in memory: the record, its JSON (serialised once per change) and its history. */
export interface VmView {
  readonly vm: Vm;
  readonly json: string;
  readonly history: readonly VmEvent[];
}

interface VmRecord extends VmView {
  vm: Vm;
  json: string;
  history: VmEvent[];
}

interface StateChange {
  action: string;
  to: VmState;
  /** The state stored and shown, when a fault makes it differ from `to`. */
  shown?: VmState;
  type?: string;
  details?: Record<string, unknown>;
  /** False when the change is left out of the VM's history (fault vm-history-missing). */
  recorded?: boolean;
  /** The node the VM runs on after the change (a completed live migration). */
  node_id?: string;
}

export const SCHEDULER_NODES = ['node-1', 'node-2', 'node-3'] as const;
const LIST_CACHE_LIMIT = 256;

interface VmRow {
  id: string;
  name: string;
  state: VmState;
  cpu_shares: number;
  memory_mb: number;
  disk_gb: number;
  image: string;
  tags: string[];
  node_id: string;
  created_at: Date;
  updated_at: Date;
}

interface VmEventRow {
  id: string;
  sequence: number;
  vm_id: string;
  type: string;
  action: string;
  from_state: VmState | null;
  to_state: VmState | null;
  timestamp: Date;
  details: Record<string, unknown> | null;
}

/**
 * The simulated hypervisor's VMs. Reads come from memory; every change is written to PostgreSQL
 * first (in one transaction with its history entry) and shows in memory, on the event bus and in
 * answers only after the commit, so a failed database leaves nothing half-written. Changes to one
 * VM are serialised; provisioning advances on timers (`provision_step`).
 */
export class VmService {
  private readonly byId = new Map<string, VmRecord>();
  /** Sorted by created_at, then id: the order of the list endpoint. */
  private readonly ordered: VmRecord[] = [];
  private readonly namesInUse = new Map<string, number>();
  private readonly nodeLoad = new Map<string, number>();
  private readonly provisioning = new Map<string, NodeJS.Timeout>();
  private readonly lock = new KeyedLock();
  /** List bodies by query; emptied by every change (see `changed`). */
  private readonly listCache = new Map<string, Buffer>();
  private stopped = false;

  constructor(
    private readonly deps: { db: Database; events: EventBus; faults: FaultSet; timers: Timers; timings: Timings; log: Logger },
  ) {}

  async load(): Promise<void> {
    const pool = this.deps.db.pool;
    const { rows: vms } = await pool.query<VmRow>('SELECT * FROM vms ORDER BY created_at, id');
    const { rows: events } = await pool.query<VmEventRow>('SELECT * FROM vm_events ORDER BY vm_id, sequence');
    const histories = new Map<string, VmEvent[]>();
    for (const row of events) {
      const history = histories.get(row.vm_id) ?? [];
      history.push(eventFromRow(row));
      histories.set(row.vm_id, history);
    }
    for (const row of vms) this.remember(vmFromRow(row), histories.get(row.id) ?? []);
  }

  /** Resumes the provisioning of VMs that were mid-way when the reference last stopped. */
  start(): void {
    for (const record of this.ordered) if (PROVISIONING_STEPS[record.vm.state]) this.scheduleProvisioning(record.vm.id);
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.provisioning.values()) this.deps.timers.cancel(handle);
    this.provisioning.clear();
  }

  get(id: string): VmView | undefined {
    return this.byId.get(id);
  }

  /** Every VM, in list order. */
  all(): readonly Vm[] {
    return this.ordered.map((record) => record.vm);
  }

  /** How many VMs (carrying `tag`, when given) are in each state; every state is present. */
  countByState(tag?: string): { total: number; byState: Record<VmState, number> } {
    const byState = Object.fromEntries(VM_STATES.map((state) => [state, 0])) as Record<VmState, number>;
    let total = 0;
    for (const { vm } of this.ordered) {
      if (tag !== undefined && !vm.tags.includes(tag)) continue;
      total++;
      byState[vm.state]++;
    }
    return { total, byState };
  }

  get count(): number {
    return this.ordered.length;
  }

  /**
   * The list endpoint's body as bytes, reused until the next change of any VM (reads repeat
   * far more often than writes: no JSON building or UTF-8 encoding per read).
   */
  listBody(query: VmListQuery): Buffer {
    const key = `${query.state ?? ''}\u0000${query.namePrefix ?? ''}\u0000${query.tag ?? ''}\u0000${query.page}\u0000${query.pageSize}`;
    let body = this.listCache.get(key);
    if (!body) {
      if (this.listCache.size >= LIST_CACHE_LIMIT) this.listCache.clear();
      body = Buffer.from(this.listJson(query));
      this.listCache.set(key, body);
    }
    return body;
  }

  /** The list endpoint's body, built from the VMs' cached JSON. */
  listJson(query: VmListQuery): string {
    const { namePrefix, tag, page, pageSize } = query;
    const state = CORE_FAULTS.on(this.deps.faults).vmStateFilterIgnored ? undefined : query.state;
    const matches =
      state === undefined && namePrefix === undefined && tag === undefined
        ? this.ordered
        : this.ordered.filter(
            ({ vm }) =>
              (state === undefined || vm.state === state) &&
              (namePrefix === undefined || vm.name.startsWith(namePrefix)) &&
              (tag === undefined || vm.tags.includes(tag)),
          );
    const start = Math.max(0, (page - 1) * pageSize - (page > 1 && CORE_FAULTS.on(this.deps.faults).vmPagingOffByOne ? 1 : 0));
    let items = '';
    const end = Math.min(matches.length, start + pageSize);
    for (let i = start; i < end; i++) items += (i > start ? ',' : '') + matches[i].json;
    return `{"items":[${items}],"total":${matches.length},"page":${page},"page_size":${pageSize}}`;
  }

  async create(spec: VmSpec): Promise<VmView> {
    return this.lock.run(`name:${spec.name}`, async () => {
      const { faults, db, events } = this.deps;
      if (!CORE_FAULTS.on(faults).vmDuplicateNames && (this.namesInUse.get(spec.name) ?? 0) > 0) {
        throw conflict(`a VM named "${spec.name}" already exists`);
      }
      const now = new Date().toISOString();
      const vm: Vm = Object.freeze({
        id: `vm-${randomUUID()}`,
        name: spec.name,
        state: 'creating',
        cpu_shares: spec.cpu_shares,
        memory_mb: spec.memory_mb,
        disk_gb: spec.disk_gb,
        image: spec.image,
        tags: Object.freeze([...spec.tags]),
        node_id: spec.node_id ?? this.scheduleNode(),
        created_at: now,
        updated_at: now,
      });
      const created = newEvent(vm.id, 1, 'lifecycle', 'create', undefined, 'creating', now, { node_id: vm.node_id });
      const rememberedEarly = CORE_FAULTS.on(faults).dbFailurePartialWrite ? this.remember(vm, [created]) : undefined;
      await db.transaction(async (client) => {
        await client.query(
          `INSERT INTO vms (id, name, state, cpu_shares, memory_mb, disk_gb, image, tags, node_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [vm.id, vm.name, vm.state, vm.cpu_shares, vm.memory_mb, vm.disk_gb, vm.image, JSON.stringify(vm.tags), vm.node_id, vm.created_at, vm.updated_at],
        );
        await insertEvent(client, created);
      });
      const record = rememberedEarly ?? this.remember(vm, [created]);
      events.publish('vm.created', { vm_id: vm.id, name: vm.name, state: vm.state, node_id: vm.node_id });
      this.scheduleProvisioning(vm.id);
      return record;
    });
  }

  /** start / stop / pause / resume; 404 for an unknown VM, 409 when the current state forbids it. */
  async act(id: string, action: VmAction): Promise<VmView> {
    return this.lock.run(`vm:${id}`, async () => {
      const record = this.require(id);
      const from = record.vm.state;
      let to = nextState(from, action);
      if (!to) {
        if (!CORE_FAULTS.on(this.deps.faults).vmAllowsForbiddenTransition) {
          throw new HttpError(409, `cannot ${action} a VM that is ${from}`, undefined, { body: { current_state: from, action } });
        }
        to = TRANSITIONS[action].to;
      }
      const shown = action === 'stop' && CORE_FAULTS.on(this.deps.faults).vmStopReportsRunning ? 'running' : to;
      const node_id = action === 'start' && CORE_FAULTS.on(this.deps.faults).vmStartReschedules ? this.scheduleNode() : undefined;
      return this.change(record, { action, to, shown, node_id });
    });
  }

  /** Deletes a VM in any state (cancelling its provisioning). */
  async remove(id: string): Promise<void> {
    await this.lock.run(`vm:${id}`, async () => {
      const record = this.require(id);
      const { vm } = record;
      if (!CORE_FAULTS.on(this.deps.faults).vmDeleteLeavesRecord) {
        await this.deps.db.transaction((client) => client.query('DELETE FROM vms WHERE id = $1', [id]));
        this.deps.timers.cancel(this.provisioning.get(id));
        this.provisioning.delete(id);
        this.forget(record);
      }
      this.deps.events.publish('vm.deleted', { vm_id: vm.id, name: vm.name, from_state: vm.state });
    });
  }

  /**
   * For other domains: moves a VM to `to` outside the user state machine (e.g. migrating, failed),
   * with a history entry of `type` (default lifecycle) and a `vm.state_changed` message.
   */
  async changeState(id: string, to: VmState, change: { action: string; type?: string; details?: Record<string, unknown>; node_id?: string }): Promise<Vm> {
    return this.lock.run(`vm:${id}`, async () => (await this.change(this.require(id), { ...change, to })).vm);
  }

  /** For other domains: adds a history entry that changes no state (e.g. type autoscaling, action scale-up). */
  async recordEvent(id: string, entry: { type: string; action: string; details?: Record<string, unknown> }): Promise<VmEvent> {
    return this.lock.run(`vm:${id}`, async () => {
      const record = this.require(id);
      const event = newEvent(id, record.history.length + 1, entry.type, entry.action, undefined, undefined, new Date().toISOString(), entry.details);
      await this.deps.db.transaction((client) => insertEvent(client, event));
      record.history.push(event);
      return event;
    });
  }

  private require(id: string): VmRecord {
    const record = this.byId.get(id);
    if (!record) throw notFound(`VM ${id} not found`);
    return record;
  }

  private async change(record: VmRecord, change: StateChange): Promise<VmRecord> {
    const from = record.vm.state;
    const shown = change.shown ?? change.to;
    const now = new Date().toISOString();
    const vm: Vm = Object.freeze({ ...record.vm, state: shown, node_id: change.node_id ?? record.vm.node_id, updated_at: now });
    const event =
      change.recorded === false
        ? undefined
        : newEvent(vm.id, record.history.length + 1, change.type ?? 'lifecycle', change.action, from, change.to, now, change.details);
    await this.deps.db.transaction(async (client) => {
      await client.query('UPDATE vms SET state = $2, updated_at = $3, node_id = $4 WHERE id = $1', [vm.id, vm.state, vm.updated_at, vm.node_id]);
      if (event) await insertEvent(client, event);
    });
    if (vm.node_id !== record.vm.node_id) {
      decrement(this.nodeLoad, record.vm.node_id);
      this.nodeLoad.set(vm.node_id, (this.nodeLoad.get(vm.node_id) ?? 0) + 1);
    }
    record.vm = vm;
    record.json = this.serialize(vm);
    this.listCache.clear();
    if (event) record.history.push(event);
    this.deps.events.publish('vm.state_changed', { vm_id: vm.id, name: vm.name, from_state: from, to_state: change.to, action: change.action });
    return record;
  }

  private scheduleProvisioning(id: string): void {
    if (this.stopped) return;
    const handle = this.deps.timers.timeout(this.deps.timings.provision_step, () => this.advance(id), `provisioning of ${id}`);
    this.provisioning.set(id, handle);
  }

  /** One provisioning step; retried a step later while the database is down. */
  private async advance(id: string): Promise<void> {
    this.provisioning.delete(id);
    await this.lock.run(`vm:${id}`, async () => {
      const record = this.byId.get(id);
      const step = record && PROVISIONING_STEPS[record.vm.state];
      if (!record || !step) return;
      try {
        await this.change(record, { action: step.action, to: step.to, recorded: !CORE_FAULTS.on(this.deps.faults).vmHistoryMissing });
      } catch (error) {
        if (!(error instanceof DependencyUnavailableError) && !isDatabaseUnavailable(error)) throw error;
        this.deps.log.debug(`provisioning of ${id} waits for the database: ${(error as Error).message}`);
        this.scheduleProvisioning(id);
        return;
      }
      if (step.to === 'provisioning' && CORE_FAULTS.on(this.deps.faults).vmStuckProvisioning) return;
      if (PROVISIONING_STEPS[step.to]) this.scheduleProvisioning(id);
    });
  }

  /** The least loaded node of the simulated hypervisor. */
  private scheduleNode(): string {
    let best: string = SCHEDULER_NODES[0];
    for (const node of SCHEDULER_NODES) if ((this.nodeLoad.get(node) ?? 0) < (this.nodeLoad.get(best) ?? 0)) best = node;
    return best;
  }

  private serialize(vm: Vm): string {
    if (CORE_FAULTS.on(this.deps.faults).contractDrift) {
      const { state, ...rest } = vm;
      return JSON.stringify({ ...rest, status: state });
    }
    return JSON.stringify(vm);
  }

  private remember(vm: Vm, history: VmEvent[]): VmRecord {
    const record: VmRecord = { vm, json: this.serialize(vm), history };
    this.listCache.clear();
    this.byId.set(vm.id, record);
    this.ordered.splice(insertionIndex(this.ordered, vm), 0, record);
    this.namesInUse.set(vm.name, (this.namesInUse.get(vm.name) ?? 0) + 1);
    this.nodeLoad.set(vm.node_id, (this.nodeLoad.get(vm.node_id) ?? 0) + 1);
    return record;
  }

  private forget(record: VmRecord): void {
    const { vm } = record;
    if (!CORE_FAULTS.on(this.deps.faults).vmListStaleAfterDelete) this.listCache.clear();
    this.byId.delete(vm.id);
    const index = this.ordered.indexOf(record);
    if (index >= 0) this.ordered.splice(index, 1);
    if (!CORE_FAULTS.on(this.deps.faults).vmNameKeptAfterDelete) decrement(this.namesInUse, vm.name);
    decrement(this.nodeLoad, vm.node_id);
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const next = (counts.get(key) ?? 0) - 1;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

/** Binary search for the slot of `vm` in created_at-then-id order (usually the end). */
function insertionIndex(ordered: VmRecord[], vm: Vm): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = ordered[middle].vm;
    const before = other.created_at < vm.created_at || (other.created_at === vm.created_at && other.id < vm.id);
    if (before) low = middle + 1;
    else high = middle;
  }
  return low;
}

function newEvent(
  vmId: string,
  sequence: number,
  type: string,
  action: string,
  from: VmState | undefined,
  to: VmState | undefined,
  timestamp: string,
  details?: Record<string, unknown>,
): VmEvent {
  return Object.freeze({
    id: `evt-${randomUUID()}`,
    sequence,
    vm_id: vmId,
    type,
    action,
    ...(from ? { from_state: from } : {}),
    ...(to ? { to_state: to } : {}),
    timestamp,
    ...(details ? { details } : {}),
  });
}

async function insertEvent(client: PoolClient, event: VmEvent): Promise<void> {
  await client.query(
    `INSERT INTO vm_events (id, sequence, vm_id, type, action, from_state, to_state, timestamp, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      event.id,
      event.sequence,
      event.vm_id,
      event.type,
      event.action,
      event.from_state ?? null,
      event.to_state ?? null,
      event.timestamp,
      event.details ? JSON.stringify(event.details) : null,
    ],
  );
}

function vmFromRow(row: VmRow): Vm {
  return Object.freeze({
    id: row.id,
    name: row.name,
    state: row.state,
    cpu_shares: row.cpu_shares,
    memory_mb: row.memory_mb,
    disk_gb: row.disk_gb,
    image: row.image,
    tags: Object.freeze([...row.tags]),
    node_id: row.node_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  });
}

function eventFromRow(row: VmEventRow): VmEvent {
  return Object.freeze({
    id: row.id,
    sequence: row.sequence,
    vm_id: row.vm_id,
    type: row.type,
    action: row.action,
    ...(row.from_state ? { from_state: row.from_state } : {}),
    ...(row.to_state ? { to_state: row.to_state } : {}),
    timestamp: row.timestamp.toISOString(),
    ...(row.details ? { details: row.details } : {}),
  });
}
