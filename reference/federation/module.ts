import { KeyedLock } from '../core/keyed-lock';
import { reply, type ApiRequest, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { Federation } from './federation';
import { answering, objectBody, paginate } from './http-support';
import { hypervisorNodes } from './nodes';
import { FederationJournal, FEDERATION_MIGRATIONS, loadFederation } from './store';
import { CORE_FAULTS } from '../core/faults';
import { FEDERATION_FAULTS } from './faults';

/** How often heartbeats, provisioning and replication advance. */
const TICK_MS = 10;
const LOCAL_CLUSTER = { name: 'local', region: 'local', endpoint: 'local' };

/**
 * The federation of clusters: `/api/v1/federation/...`, and the simulation of an unreachable
 * member under `/api/v1/simulation/federation/...`. Viewers read, operators request and delete
 * federated VMs, admins manage membership. State lives in memory, written through to PostgreSQL;
 * a request whose write fails is undone, background progress is written on the next tick.
 */
export function createFederationModule(): ReferenceModule {
  let ctx: ReferenceContext | undefined;
  let federation: Federation | undefined;
  const journal = new FederationJournal();
  const lock = new KeyedLock();

  const domain = (): Federation => federation as Federation;

  /** Applies a request's change and writes it; on a failed write the federation is put back as it was. */
  async function change<T>(work: (f: Federation) => T): Promise<T> {
    const context = ctx as ReferenceContext;
    return lock.run('federation', async () => {
      const before = domain().snapshot();
      const result = work(domain());
      try {
        const commit = await context.transaction((client) => journal.write(client, domain().snapshot()));
        commit();
      } catch (error) {
        domain().restore(before);
        throw error;
      }
      return result;
    });
  }

  /** One tick of time: heartbeats, provisioning, replication; written when something changed (retried next tick if the write fails). */
  let ticking = false;
  async function tick(): Promise<void> {
    const context = ctx as ReferenceContext;
    if (ticking) return;
    ticking = true;
    await lock.run('federation', async () => {
      domain().advance();
      const snapshot = domain().snapshot();
      if (!journal.differs(snapshot)) return;
      try {
        const commit = await context.transaction((client) => journal.write(client, snapshot));
        commit();
      } catch (error) {
        context.log.debug(`federation state waits for the database: ${(error as Error).message}`);
      }
    }).finally(() => (ticking = false));
  }

  return {
    name: 'federation',
    migrations: FEDERATION_MIGRATIONS,

    register(router: Router, context: ReferenceContext) {
      ctx = context;
      const { auth } = context;
      federation = new Federation({
        local: { ...LOCAL_CLUSTER, nodes: hypervisorNodes() },
        timings: { provisionMs: 2 * context.timings.provision_step, replicationDelayMs: Math.ceil(context.timings.provision_step / 2) },
        faults: FEDERATION_FAULTS.on(context.faults),
        onEvent: (event) => context.events.publish(event.type, event.data),
      });

      router.get('/api/v1/federation/status', (request) => {
        auth.requireRole(request, 'viewer');
        const members = domain().listMembers();
        // The defect counts members by a field they do not have, so none is ever counted unreachable.
        const summaryIgnoresUnreachable = FEDERATION_FAULTS.on(context.faults).statusSummaryIgnoresUnreachable;
        const unreachable = summaryIgnoresUnreachable ? 0 : members.filter((m) => !m.reachable).length;
        return {
          status: unreachable === 0 ? 'healthy' : 'degraded',
          local_cluster_id: domain().localId,
          reachable_members: members.length - unreachable,
          unreachable_members: unreachable,
          members,
          generated_at: new Date().toISOString(),
        };
      });

      router.get('/api/v1/federation/members', (request) => {
        auth.requireRole(request, 'viewer');
        return paginate(domain().listMembers(), request.query);
      });

      router.post(
        '/api/v1/federation/members',
        answering(async (request) => {
          auth.requireRole(request, CORE_FAULTS.on(context.faults).federationJoinOpenToOperators ? 'operator' : 'admin');
          const body = objectBody(request);
          return reply.created(await change((f) => f.registerPeer(body)));
        }),
      );

      router.get(
        '/api/v1/federation/members/:id',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return domain().memberStatus(memberId(request));
        }),
      );

      router.delete(
        '/api/v1/federation/members/:id',
        answering(async (request) => {
          auth.requireRole(request, 'admin');
          const id = memberId(request);
          await change((f) => f.removePeer(id));
          return { id, status: 'deleted' };
        }),
      );

      router.post(
        '/api/v1/federation/members/:id/vms',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          return reply.created(await change((f) => f.requestVm(request.params.id, body)));
        }),
      );

      router.get(
        '/api/v1/federation/members/:id/vms',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return paginate(domain().listVms(request.params.id), request.query);
        }),
      );

      router.get(
        '/api/v1/federation/members/:id/vms/:vmId',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return domain().getVm(request.params.id, request.params.vmId);
        }),
      );

      router.get(
        '/api/v1/federation/vms/:vmId/replicas',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          const record = domain().recordOf(request.params.vmId);
          const items = domain().replicas(record.id);
          return {
            vm_id: record.id,
            cluster_id: record.cluster_id,
            version: record.version,
            converged: items.every((replica) => replica.version === record.version),
            items,
          };
        }),
      );

      router.delete(
        '/api/v1/federation/vms/:vmId',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const { vmId } = request.params;
          await change((f) => f.deleteVm(vmId));
          return { id: vmId, status: 'deleted' };
        }),
      );

      if (!context.options.simulation) return;
      for (const [path, reachable] of [['unreachable', false], ['reachable', true]] as const) {
        router.post(
          `/api/v1/simulation/federation/members/:id/${path}`,
          answering(async (request) => {
            auth.requireRole(request, 'admin');
            const status = await change((f) => f.setReachable(memberId(request), reachable));
            context.log.info(`simulation: cluster ${status.name} is ${status.status}`);
            return status;
          }),
        );
      }
    },

    async start() {
      const context = ctx as ReferenceContext;
      const stored = await loadFederation(context.db);
      if (stored.members.length > 0) {
        domain().restore(stored);
        journal.loaded(stored);
      } else {
        await context.transaction((client) => journal.write(client, domain().snapshot())).then((commit) => commit());
      }
      context.timers.interval(TICK_MS, tick, 'the federation tick');
    },
  };

  /** The member named in the path, by id or name. */
  function memberId(request: ApiRequest): string {
    return domain().memberStatus(request.params.id).id;
  }
}
