import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reply, type Router } from '../../http/router';
import type { ReferenceContext, ReferenceModule } from '../../module';
import type { HealthReport } from './checks';
import { CORE_FAULTS } from '../faults';

export const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * `GET /health` (the load balancer check, upstream's shape with `checks`) and `GET /api/v1/health`
 * (the detailed view with `components`): public, 200 when healthy or degraded, 503 when unhealthy.
 */
export function createHealthModule(): ReferenceModule {
  return {
    name: 'health',
    register(router: Router, ctx: ReferenceContext) {
      const statusCode = (report: HealthReport): number => (report.status === 'unhealthy' ? 503 : 200);

      router.get('/health', async () => {
        const report = await ctx.health.report();
        const checks = { ...report.checks };
        if (CORE_FAULTS.on(ctx.faults).healthProbeOmitsStorage) delete checks.storage;
        return reply.status(statusCode(report), {
          status: report.status,
          timestamp: new Date().toISOString(),
          version: VERSION,
          service: 'novacron-api',
          checks,
        });
      });

      router.get('/api/v1/health', async () => {
        const report = await ctx.health.report();
        return reply.status(statusCode(report), {
          status: report.status,
          timestamp: new Date().toISOString(),
          version: VERSION,
          components: report.checks,
        });
      });
    },
  };
}
