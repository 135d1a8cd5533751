import type { Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { CORE_FAULTS } from './faults';

/**
 * `GET /api/v1/dashboard/summary?tag=` (any role): how many VMs exist and how many are in each
 * state, counting only the VMs that carry `tag` when it is given.
 */
export function createDashboardModule(): ReferenceModule {
  return {
    name: 'dashboard',
    register(router: Router, ctx: ReferenceContext) {
      router.get('/api/v1/dashboard/summary', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        const { total, byState } = ctx.vms.countByState(request.query.get('tag') ?? undefined);
        if (CORE_FAULTS.on(ctx.faults).summaryMiscountsStopped) {
          byState.running += byState.stopped;
          byState.stopped = 0;
        }
        return { vms: { total, by_state: byState }, generated_at: new Date().toISOString() };
      });
    },
  };
}
