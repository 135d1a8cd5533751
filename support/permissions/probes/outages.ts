import type { ApiClient } from '../../api-client';
import { eventually } from '../../tasks/expect';
import type { NovaWorld } from '../../world';
import { adminRead, type Probe } from '../probe';

const AREA = 'outages of control plane components';
/** Failing the compute subsystem only degrades the health; nothing else stops. */
const COMPONENT = 'compute';

const healthOf = async (admin: ApiClient): Promise<string> =>
  (await adminRead<{ components: Record<string, { status: string }> }>(admin, '/api/v1/health')).components[COMPONENT].status;

async function healthBecomes(admin: ApiClient, healthy: boolean): Promise<void> {
  await eventually(() => healthOf(admin), (status) => (status === 'healthy') === healthy, {
    timeoutMs: 10_000,
    intervalMs: 100,
    what: `the health showing ${COMPONENT} ${healthy ? 'healthy' : 'failed'}`,
  });
}

/** Fails the component on purpose; it is recovered after the scenario whatever happens. */
function outage(world: NovaWorld): void {
  world.expectServerErrors(`the permission matrix fails ${COMPONENT} on purpose`);
  world.ledger.add(`recovery of ${COMPONENT}`, async () => {
    const recovered = await (await world.suite.admin()).post(`/api/v1/simulation/components/${COMPONENT}/recover`);
    if (recovered.status !== 200) throw new Error(`recovering ${COMPONENT} answered ${recovered.status}`);
  });
}

export const OUTAGE_PROBES: Record<string, Probe> = {
  'POST /api/v1/simulation/components/{component}/fail': {
    area: AREA,
    prepare: async ({ world, admin }) => {
      outage(world);
      await healthBecomes(admin, true);
      return {
        path: `/api/v1/simulation/components/${COMPONENT}/fail`,
        observe: () => healthOf(admin),
        effect: async () => {
          await healthBecomes(admin, false);
          await admin.post(`/api/v1/simulation/components/${COMPONENT}/recover`);
        },
      };
    },
  },
  'POST /api/v1/simulation/components/{component}/recover': {
    area: AREA,
    prepare: async ({ world, admin }) => {
      outage(world);
      await admin.post(`/api/v1/simulation/components/${COMPONENT}/fail`);
      await healthBecomes(admin, false);
      return {
        path: `/api/v1/simulation/components/${COMPONENT}/recover`,
        observe: () => healthOf(admin),
        effect: () => healthBecomes(admin, true),
      };
    },
  },
};
