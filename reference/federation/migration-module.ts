import type { Vm } from '../core/vms/model';
import { notFound } from '../http/errors';
import { reply, type ApiRequest, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { MIGRATION_FAULTS, type MigrationFaultFlags } from './faults';
import { answering, objectBody, paginate } from './http-support';
import { inventoryOf, MigrationEngine, type Migration, type MigrationTransition } from './migration';
import { HOLDS_RESOURCES, hypervisorNodes } from './nodes';
import { loadMigrations, MIGRATION_TABLES, saveMigration } from './store';

/** How often migrations advance through their phases. */
const TICK_MS = 10;
/** How late the VM record moves under the fault `migration-completes-before-vm-moves`. */
const LATE_VM_MOVE_MS = 100;

/**
 * Live migration of VMs between the hypervisor's nodes and the node inventory:
 * `POST /api/v1/vms/{id}/migrate` (202), `/api/v1/migrations/{id}`, `/api/v1/vms/{id}/migrations`,
 * `/api/v1/vms/{id}/probe` (does the VM answer, and from which node), `/api/v1/nodes`. A migration moves the VM to
 * `migrating`, then back to `running` on the target node, with `migration` entries in its history.
 */
export function createMigrationModule(): ReferenceModule {
  let ctx: ReferenceContext | undefined;
  let engine: MigrationEngine | undefined;
  let faults: MigrationFaultFlags | undefined;
  let unsubscribe: (() => void) | undefined;

  const migrations = (): MigrationEngine => engine as MigrationEngine;

  function requireVm(request: ApiRequest): Vm {
    const view = ctx?.vms.get(request.params.id);
    if (!view) throw notFound(`VM ${request.params.id} not found`);
    return view.vm;
  }

  /** The VM's history entry for a migration step (anonymous lifecycle entries under the history fault). */
  function historyEntry(action: 'started' | 'completed', migration: Migration) {
    if (faults?.historyMissing) return { type: 'lifecycle', action: 'update' };
    return {
      type: 'migration',
      action,
      details: { migration_id: migration.id, source_node_id: migration.source_node_id, target_node_id: migration.target_node_id },
    };
  }

  async function finish(migration: Migration): Promise<void> {
    const context = ctx as ReferenceContext;
    if (!context.vms.get(migration.vm_id)) return;
    await context.vms.changeState(migration.vm_id, faults?.leavesMigrating ? 'migrating' : 'running', {
      ...historyEntry('completed', migration),
      node_id: faults?.staysOnSource ? migration.source_node_id : migration.target_node_id,
    });
  }

  async function publish(transition: MigrationTransition): Promise<void> {
    const context = ctx as ReferenceContext;
    const { migration } = transition;
    context.events.publish(migration.status === 'completed' ? 'migration.completed' : 'migration.progress', {
      migration_id: migration.id,
      vm_id: migration.vm_id,
      phase: migration.phase,
      progress: migration.progress,
      source_node_id: migration.source_node_id,
      target_node_id: migration.target_node_id,
    });
    await saveMigration(context.db, migration).catch((error: Error) => context.log.debug(`migration ${migration.id} not saved yet: ${error.message}`));
  }

  let ticking = false;
  /** Publishes phase changes, then moves the VMs whose switchover is over and completes their migrations (retried next tick while the database is down). */
  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      for (const transition of migrations().advance()) await publish(transition);
      for (const migration of migrations().due()) {
        if (faults?.completesBeforeVmMoves) {
          await publish(migrations().complete(migration.id));
          setTimeout(() => void finish(migration).catch(() => undefined), LATE_VM_MOVE_MS);
          continue;
        }
        try {
          await finish(migration);
        } catch (error) {
          ctx?.log.debug(`the VM of migration ${migration.id} waits for the database: ${(error as Error).message}`);
          continue;
        }
        await publish(migrations().complete(migration.id));
      }
    } finally {
      ticking = false;
    }
  }

  return {
    name: 'migration',
    migrations: MIGRATION_TABLES,

    register(router: Router, context: ReferenceContext) {
      ctx = context;
      const { auth, vms } = context;
      faults = MIGRATION_FAULTS.on(context.faults);
      const step = context.timings.migration_step;
      engine = new MigrationEngine({
        inventory: inventoryOf(hypervisorNodes, () => vms.all().filter((vm) => HOLDS_RESOURCES.has(vm.state))),
        timings: { prepareMs: step, precopyMsPerGb: step, stopAndCopyMs: step, switchoverMs: step },
        faults,
      });

      router.post(
        '/api/v1/vms/:id/migrate',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          const vm = requireVm(request);
          context.components.assertAvailable('compute');
          const migration = migrations().start(vm, body.target_node_id, body.max_bandwidth_mbps);
          try {
            await vms.changeState(vm.id, 'migrating', historyEntry('started', migration));
            await context.transaction((client) => saveMigration(client, migration));
          } catch (error) {
            migrations().cancelFor(vm.id);
            throw error;
          }
          context.events.publish('migration.started', {
            migration_id: migration.id,
            vm_id: vm.id,
            source_node_id: migration.source_node_id,
            target_node_id: migration.target_node_id,
          });
          return reply.status(202, migration, { Location: `/api/v1/migrations/${migration.id}` });
        }),
      );

      router.get(
        '/api/v1/migrations/:id',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return migrations().get(request.params.id);
        }),
      );

      router.get('/api/v1/vms/:id/migrations', (request) => {
        auth.requireRole(request, 'viewer');
        return paginate(migrations().list(requireVm(request).id), request.query);
      });

      router.get('/api/v1/vms/:id/probe', (request) => {
        auth.requireRole(request, 'viewer');
        return { ...migrations().probe(requireVm(request)), probed_at: new Date().toISOString() };
      });

      router.get('/api/v1/nodes', (request) => {
        auth.requireRole(request, 'viewer');
        const placed = vms.all().filter((vm) => HOLDS_RESOURCES.has(vm.state) || (faults?.nodesCountStopped && vm.state === 'stopped'));
        const nodes = hypervisorNodes().map((node) => ({
          id: node.id,
          capacity: { cpu: node.cpu, memory_mb: node.memory_mb },
          free: migrations().freeOn(node),
          vm_count: placed.filter((vm) => vm.node_id === node.id).length,
        }));
        return paginate(nodes, request.query);
      });
    },

    async start() {
      const context = ctx as ReferenceContext;
      // A migration cut short by a restart is cancelled: its VM stays on the source node, running.
      for (const cancelled of migrations().restore(await loadMigrations(context.db))) {
        await saveMigration(context.db, cancelled);
        if (context.vms.get(cancelled.vm_id)?.vm.state === 'migrating') {
          await context.vms.changeState(cancelled.vm_id, 'running', { type: 'migration', action: 'cancelled', details: { migration_id: cancelled.id } });
        }
      }
      unsubscribe = context.events.subscribe((event) => {
        if (event.type === 'vm.deleted') migrations().cancelFor(String(event.data.vm_id));
      });
      context.timers.interval(TICK_MS, tick, 'the migration tick');
    },

    stop() {
      unsubscribe?.();
    },
  };
}
