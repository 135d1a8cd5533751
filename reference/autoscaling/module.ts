import { conflict, invalidInput, notFound } from '../http/errors';
import { reply, type ApiRequest, type Router } from '../http/router';
import type { Migration, ReferenceContext, ReferenceModule } from '../module';
import { Autoscaler, DuplicateGroupError, type MemberVms, type ScalingDecision, type ScalingGroup } from './autoscaler';
import { GroupValidationError, parseGroupConfig } from './group';
import { LoadValidationError, parseLoad, SimulatedVmLoad } from './vm-load';
import { AUTOSCALING_FAULTS } from './faults';
import { CORE_FAULTS } from '../core/faults';

const AUTOSCALING_MIGRATIONS: Migration[] = [
  {
    id: '001-autoscaling-groups-and-decisions',
    sql: `
      CREATE TABLE autoscaling_groups (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        body jsonb NOT NULL,
        next_member integer NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE autoscaling_decisions (
        id text PRIMARY KEY,
        group_id text NOT NULL REFERENCES autoscaling_groups (id) ON DELETE CASCADE,
        decided_at timestamptz NOT NULL,
        body jsonb NOT NULL
      );
      CREATE INDEX autoscaling_decisions_group ON autoscaling_decisions (group_id, decided_at);`,
  },
];

const MAX_PAGE_SIZE = 500;

/**
 * Scaling groups (`/api/v1/autoscaling/groups`), the autoscaler loop (every `autoscaler_interval`),
 * VM metrics (`GET /api/v1/vms/{id}/metrics`) and, for tests, simulated load on VMs and groups.
 * Each decision is recorded on the group, in the history of the group's members (type
 * `autoscaling`) and on the event stream (`autoscaling.scale_up` / `autoscaling.scale_down`).
 * Groups and decisions are kept in PostgreSQL and survive a restart.
 */
export function createAutoscalingModule(): ReferenceModule {
  let context: ReferenceContext | undefined;
  let autoscaler: Autoscaler | undefined;
  const load = new SimulatedVmLoad();

  return {
    name: 'autoscaling',
    migrations: AUTOSCALING_MIGRATIONS,
    register(router: Router, ctx: ReferenceContext) {
      context = ctx;
      const scaler: Autoscaler = new Autoscaler({
        members: memberVms(ctx, load),
        faults: ctx.faults,
        onGroupChanged: (group) => saveGroup(ctx, group, scaler.nextMemberNumber(group.id) ?? group.members.length + 1),
        onDecision: (decision, group) => announce(ctx, decision, group),
        onError: (message, error) => ctx.log.warn(`${message}: ${(error as Error).message}`),
      });
      autoscaler = scaler;
      const group = (request: ApiRequest): ScalingGroup => {
        const found = scaler.group(request.params.id);
        if (!found) throw notFound(`scaling group ${request.params.id} not found`);
        return found;
      };

      router.post('/api/v1/autoscaling/groups', async (request) => {
        ctx.auth.requireRole(request, 'operator');
        let created: ScalingGroup;
        try {
          created = await scaler.createGroup(parseGroupConfig(request.body, ctx.timings.cooldown / 1000, AUTOSCALING_FAULTS.on(ctx.faults)));
        } catch (error) {
          if (error instanceof GroupValidationError) throw invalidInput('scaling group', error.details);
          if (error instanceof DuplicateGroupError) throw conflict(error.message);
          throw error;
        }
        return reply.created(groupView(ctx, scaler, created));
      });

      router.get('/api/v1/autoscaling/groups', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        const page = pageParam(request, 'page', 1, Number.MAX_SAFE_INTEGER);
        const pageSize = pageParam(request, 'page_size', 50, MAX_PAGE_SIZE);
        const all = scaler.list();
        const items = all.slice((page - 1) * pageSize, page * pageSize).map((g) => groupView(ctx, scaler, g));
        return { items, total: all.length, page, page_size: pageSize };
      });

      router.get('/api/v1/autoscaling/groups/:id', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        const found = group(request);
        if (AUTOSCALING_FAULTS.on(ctx.faults).groupReadFailsOnEmptyWindow && scaler.evaluation(found.id)?.samples === 0) {
          // The defect: the window's average is read as if the window always had a sample.
          throw new TypeError("Cannot read properties of undefined (reading 'cpu')");
        }
        return groupView(ctx, scaler, found);
      });

      router.delete('/api/v1/autoscaling/groups/:id', async (request) => {
        ctx.auth.requireRole(request, CORE_FAULTS.on(ctx.faults).autoscalingDeleteOpenToViewers ? 'viewer' : 'operator');
        const { id } = group(request);
        await scaler.deleteGroup(id);
        load.forgetGroup(id);
        await ctx.transaction((client) => client.query('DELETE FROM autoscaling_groups WHERE id = $1', [id]));
        return { id, status: 'deleted' };
      });

      router.get('/api/v1/autoscaling/groups/:id/events', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        return { items: scaler.decisions(group(request).id).map(decisionView) };
      });

      router.get('/api/v1/vms/:id/metrics', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        const view = ctx.vms.get(request.params.id);
        if (!view) throw notFound(`VM ${request.params.id} not found`);
        const running = view.vm.state === 'running';
        const usage = running ? load.loadOf(view.vm.id, scaler.groupOf(view.vm.id)?.id) : { cpu_usage: 0, memory_usage: 0 };
        return { vm_id: view.vm.id, state: view.vm.state, ...usage, timestamp: new Date().toISOString() };
      });

      if (!ctx.options.simulation) return;

      router.post('/api/v1/simulation/vms/:id/load', (request) => {
        ctx.auth.requireRole(request, 'admin');
        const view = ctx.vms.get(request.params.id);
        if (!view) throw notFound(`VM ${request.params.id} not found`);
        const usage = loadFrom(request.body);
        load.setVmLoad(view.vm.id, usage);
        return { vm_id: view.vm.id, ...usage, applied_at: new Date().toISOString() };
      });

      router.post('/api/v1/simulation/autoscaling/groups/:id/load', (request) => {
        ctx.auth.requireRole(request, 'admin');
        const target = group(request);
        const usage = loadFrom(request.body);
        load.setGroupLoad(target.id, target.members, usage);
        return { group_id: target.id, ...usage, members: [...target.members], applied_at: new Date().toISOString() };
      });
    },
    async start() {
      const ctx = context!;
      await restore(ctx, autoscaler!);
      ctx.timers.interval(ctx.timings.autoscaler_interval, () => autoscaler!.tick(), 'the autoscaler');
    },
  };
}

/** The reference's VMs as group members: created with the group's template, measured while running. */
function memberVms(ctx: ReferenceContext, load: SimulatedVmLoad): MemberVms {
  return {
    async create(group, name) {
      const { cpu_shares, memory_mb, image, tags } = group.vm_template;
      const view = await ctx.vms.create({ name, cpu_shares, memory_mb, disk_gb: 10, image, tags: [...new Set([...tags, `autoscaling-group:${group.name}`])] });
      return view.vm.id;
    },
    async delete(vmId) {
      load.forgetVm(vmId);
      if (ctx.vms.get(vmId)) await ctx.vms.remove(vmId);
    },
    metrics(vmId, group) {
      const view = ctx.vms.get(vmId);
      if (!view || view.vm.state !== 'running') return undefined;
      return load.loadOf(vmId, group.id);
    },
    exists(vmId) {
      return ctx.vms.get(vmId) !== undefined;
    },
  };
}

/** Records a decision: on the group (PostgreSQL), in each remaining member's history, and on the stream. */
async function announce(ctx: ReferenceContext, decision: ScalingDecision, group: ScalingGroup): Promise<void> {
  await ctx.transaction((client) =>
    client.query('INSERT INTO autoscaling_decisions (id, group_id, decided_at, body) VALUES ($1, $2, $3, $4)', [decision.id, decision.group_id, decision.decided_at, JSON.stringify(decision)]),
  );
  const details = historyDetails(decision);
  for (const vmId of group.members) {
    if (ctx.vms.get(vmId)) await ctx.vms.recordEvent(vmId, { type: 'autoscaling', action: decision.action, details });
  }
  if (AUTOSCALING_FAULTS.on(ctx.faults).unannounced) return;
  ctx.events.publish(decision.action === 'scale-up' ? 'autoscaling.scale_up' : 'autoscaling.scale_down', { ...decision });
}

function historyDetails(decision: ScalingDecision): Record<string, unknown> {
  const { id, group_id, group_name, metric, threshold, average_cpu, average_memory, from_size, to_size, vm_id, reason, decided_at } = decision;
  return { decision_id: id, group_id, group_name, metric, threshold, average_cpu, average_memory, from_size, to_size, vm_id, reason, decided_at };
}

async function saveGroup(ctx: ReferenceContext, group: ScalingGroup, nextMember: number): Promise<void> {
  await ctx.transaction((client) =>
    client.query(
      `INSERT INTO autoscaling_groups (id, name, body, next_member, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, next_member = EXCLUDED.next_member, updated_at = EXCLUDED.updated_at`,
      [group.id, group.name, JSON.stringify(group), nextMember, group.updated_at],
    ),
  );
}

async function restore(ctx: ReferenceContext, autoscaler: Autoscaler): Promise<void> {
  const { rows: groups } = await ctx.db.query<{ body: ScalingGroup; next_member: number }>('SELECT body, next_member FROM autoscaling_groups ORDER BY id');
  const { rows: decisions } = await ctx.db.query<{ group_id: string; body: ScalingDecision }>('SELECT group_id, body FROM autoscaling_decisions ORDER BY decided_at, id');
  const byGroup = new Map<string, ScalingDecision[]>();
  for (const row of decisions) byGroup.set(row.group_id, [...(byGroup.get(row.group_id) ?? []), row.body]);
  for (const row of groups) autoscaler.restoreGroup(row.body, row.next_member, byGroup.get(row.body.id) ?? []);
}

function groupView(ctx: ReferenceContext, autoscaler: Autoscaler, group: ScalingGroup): Record<string, unknown> {
  const currentSize = AUTOSCALING_FAULTS.on(ctx.faults).sizeFromDesired ? group.desired_size : group.members.length;
  return { ...group, members: [...group.members], current_size: currentSize, evaluation: autoscaler.evaluation(group.id) };
}

function decisionView(decision: ScalingDecision): Record<string, unknown> {
  return { type: 'autoscaling', ...decision };
}

function loadFrom(body: unknown): { cpu_usage: number; memory_usage: number } {
  try {
    return parseLoad(body);
  } catch (error) {
    if (error instanceof LoadValidationError) throw invalidInput('load', [{ field: error.field, message: error.problem }]);
    throw error;
  }
}

function pageParam(request: ApiRequest, name: string, fallback: number, max: number): number {
  const raw = request.query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) throw invalidInput('query', [{ field: name, message: `must be a whole number from 1 to ${max}, got "${raw}"` }]);
  return value;
}
