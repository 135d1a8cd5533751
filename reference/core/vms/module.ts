import { notFound } from '../../http/errors';
import { reply, type Router } from '../../http/router';
import type { Migration, ReferenceContext, ReferenceModule } from '../../module';
import { isVmAction } from './model';
import { validateListQuery, validateVmSpec } from './validation';
import { CORE_FAULTS } from '../faults';

export const VM_MIGRATIONS: Migration[] = [
  {
    id: '001-vms-and-history',
    sql: `
      CREATE TABLE vms (
        id text PRIMARY KEY,
        name text NOT NULL,
        state text NOT NULL,
        cpu_shares integer NOT NULL,
        memory_mb integer NOT NULL,
        disk_gb integer NOT NULL,
        image text NOT NULL,
        tags jsonb NOT NULL DEFAULT '[]',
        node_id text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX vms_name ON vms (name);
      CREATE TABLE vm_events (
        id text PRIMARY KEY,
        vm_id text NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
        sequence integer NOT NULL,
        type text NOT NULL,
        action text NOT NULL,
        from_state text,
        to_state text,
        timestamp timestamptz NOT NULL,
        details jsonb,
        UNIQUE (vm_id, sequence)
      );`,
  },
];

/** `/api/v1/vms`: viewers read; operators and admins create, act and delete. */
export function createVmsModule(): ReferenceModule {
  let context: ReferenceContext | undefined;
  return {
    name: 'vms',
    migrations: VM_MIGRATIONS,
    register(router: Router, ctx: ReferenceContext) {
      context = ctx;
      const { vms, faults, auth } = ctx;

      router.get('/api/v1/vms', (request) => {
        if (!CORE_FAULTS.on(faults).vmListPublic) auth.requireRole(request, 'viewer');
        return reply.json(200, vms.listBody(validateListQuery(request.query)));
      });

      router.post('/api/v1/vms', async (request) => {
        auth.requireRole(request, 'operator');
        const record = await vms.create(validateVmSpec(request.body, CORE_FAULTS.on(faults).vmAcceptsInvalidSpec));
        return reply.json(201, record.json);
      });

      router.get('/api/v1/vms/:id', (request) => {
        auth.requireRole(request, 'viewer');
        const record = vms.get(request.params.id);
        if (!record && !CORE_FAULTS.on(faults).vmUnknownIs500) throw notFound(`VM ${request.params.id} not found`);
        return reply.json(200, record!.json);
      });

      router.delete('/api/v1/vms/:id', async (request) => {
        auth.requireRole(request, CORE_FAULTS.on(faults).viewerMayDelete ? 'viewer' : 'operator');
        await vms.remove(request.params.id);
        return { id: request.params.id, status: 'deleted' };
      });

      router.get('/api/v1/vms/:id/events', (request) => {
        auth.requireRole(request, 'viewer');
        const record = vms.get(request.params.id);
        if (!record) throw notFound(`VM ${request.params.id} not found`);
        return { items: record.history };
      });

      router.post('/api/v1/vms/:id/:action', async (request) => {
        auth.requireRole(request, 'operator');
        const { id, action } = request.params;
        if (!isVmAction(action)) throw notFound(`unknown VM action "${action}": expected start, stop, pause or resume`);
        return reply.json(200, (await vms.act(id, action)).json);
      });
    },
    start() {
      context?.vms.start();
    },
    stop() {
      context?.vms.stop();
    },
  };
}
