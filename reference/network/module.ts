import type { PoolClient } from 'pg';
import { KeyedLock } from '../core/keyed-lock';
import { answering, objectBody, paginate } from '../federation/http-support';
import { badRequest } from '../http/errors';
import { reply, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { NetworkFabric } from './fabric';
import * as store from './store';
import { CORE_FAULTS } from '../core/faults';
import { NETWORK_FAULTS } from './faults';

/**
 * Network segments, VM attachments, policies and the connectivity test:
 * `/api/v1/networks...` and `/api/v1/network-policies...`. Viewers read; operators change.
 * State lives in memory (answers), written through to PostgreSQL; a change whose write fails is undone.
 */
export function createNetworkModule(): ReferenceModule {
  let ctx: ReferenceContext | undefined;
  let fabric = new NetworkFabric();
  const lock = new KeyedLock();
  let unsubscribe: (() => void) | undefined;

  /** Applies `work` to the fabric and persists it in one step; nothing stays changed when the write fails. */
  async function change<T>(work: () => T, persist: (client: PoolClient, result: T) => Promise<void>): Promise<T> {
    const context = ctx as ReferenceContext;
    return lock.run('network', async () => {
      const before = fabric.snapshot();
      const result = work();
      try {
        await context.transaction((client) => persist(client, result));
      } catch (error) {
        fabric.restore(before);
        throw error;
      }
      return result;
    });
  }

  function requireVm(vmId: unknown, field: string): string {
    if (typeof vmId !== 'string' || !ctx?.vms.get(vmId)) {
      throw badRequest(`${field} ${JSON.stringify(vmId)} is not a known VM`, [{ field, message: `${JSON.stringify(vmId)} is not a known VM` }]);
    }
    return vmId;
  }

  return {
    name: 'network',
    migrations: store.NETWORK_MIGRATIONS,

    register(router: Router, context: ReferenceContext) {
      ctx = context;
      const { auth, events } = context;
      fabric = new NetworkFabric({ faults: NETWORK_FAULTS.on(context.faults) });

      router.get('/api/v1/networks', (request) => {
        auth.requireRole(request, 'viewer');
        return paginate(fabric.listNetworks(), request.query);
      });

      router.post(
        '/api/v1/networks',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          const network = await change(() => fabric.createNetwork(body), store.insertNetwork);
          events.publish('network.created', { network_id: network.id, name: network.name, subnet: network.subnet, gateway: network.gateway });
          return reply.created(network);
        }),
      );

      router.get(
        '/api/v1/networks/:id',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return fabric.getNetwork(request.params.id);
        }),
      );

      router.delete(
        '/api/v1/networks/:id',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const { id } = request.params;
          await change(() => fabric.deleteNetwork(id), (client) => store.deleteNetwork(client, id));
          events.publish('network.deleted', { network_id: id });
          return { id, status: 'deleted' };
        }),
      );

      router.get(
        '/api/v1/networks/:id/attachments',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          fabric.getNetwork(request.params.id);
          return paginate(fabric.attachmentsOf(request.params.id), request.query);
        }),
      );

      router.post(
        '/api/v1/networks/:id/attachments',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          fabric.getNetwork(request.params.id);
          const vmId = requireVm(body.vm_id, 'vm_id');
          const attachment = await change(() => fabric.attach(request.params.id, vmId, body.ip_address), store.insertAttachment);
          events.publish('network.vm_attached', { ...attachment });
          await context.vms.recordEvent(vmId, { type: 'network', action: 'attached', details: { network_id: attachment.network_id, ip_address: attachment.ip_address } });
          return reply.created(attachment);
        }),
      );

      router.delete(
        '/api/v1/networks/:id/attachments/:vmId',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const { id, vmId } = request.params;
          const removed = await change(() => fabric.detach(id, vmId), (client, attachment) => store.deleteAttachments(client, [attachment]));
          events.publish('network.vm_detached', { ...removed });
          if (context.vms.get(vmId)) {
            await context.vms.recordEvent(vmId, { type: 'network', action: 'detached', details: { network_id: id, ip_address: removed.ip_address } });
          }
          return { id: vmId, status: 'deleted' };
        }),
      );

      router.post(
        '/api/v1/networks/connectivity-test',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          const body = objectBody(request);
          return fabric.testConnectivity({
            source_vm_id: requireVm(body.source_vm_id, 'source_vm_id'),
            destination_vm_id: requireVm(body.destination_vm_id, 'destination_vm_id'),
            protocol: body.protocol,
            port: body.port,
          });
        }),
      );

      router.get('/api/v1/network-policies', (request) => {
        auth.requireRole(request, 'viewer');
        return paginate(fabric.listPolicies(), request.query);
      });

      router.post(
        '/api/v1/network-policies',
        answering(async (request) => {
          auth.requireRole(request, 'operator');
          const body = objectBody(request);
          const policy = await change(() => fabric.createPolicy(body), store.insertPolicy);
          events.publish('network.policy_created', { policy_id: policy.id, name: policy.name });
          return reply.created(policy);
        }),
      );

      router.get(
        '/api/v1/network-policies/:id',
        answering((request) => {
          auth.requireRole(request, 'viewer');
          return fabric.getPolicy(request.params.id);
        }),
      );

      router.delete(
        '/api/v1/network-policies/:id',
        answering(async (request) => {
          auth.requireRole(request, CORE_FAULTS.on(context.faults).networkPolicyDeleteOpenToViewers ? 'viewer' : 'operator');
          const { id } = request.params;
          await change(() => fabric.deletePolicy(id), (client) => store.deletePolicy(client, id));
          events.publish('network.policy_deleted', { policy_id: id });
          return { id, status: 'deleted' };
        }),
      );
    },

    async start() {
      const context = ctx as ReferenceContext;
      fabric.restore(await store.loadNetworks(context.db));
      // A deleted VM leaves every segment it was attached to.
      unsubscribe = context.events.subscribe((event) => {
        if (event.type !== 'vm.deleted') return;
        const vmId = String(event.data.vm_id);
        if (fabric.attachmentsOfVm(vmId).length === 0) return;
        change(() => fabric.detachEverywhere(vmId), store.deleteAttachments).catch((error: unknown) =>
          context.log.warn(`could not detach deleted VM ${vmId} from its networks: ${(error as Error).message}`),
        );
      });
    },

    stop() {
      unsubscribe?.();
    },
  };
}
