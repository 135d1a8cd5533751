import { notFound } from '../http/errors';
import type { ApiRequest, Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { COMPONENTS, isComponentName, type ComponentName } from './components';
import { CORE_FAULTS } from './faults';

/**
 * Test-support endpoints (admin only; absent when NOVACRON_REF_SIMULATION=off):
 * `POST /api/v1/simulation/components/{database|redis|storage|compute|consensus}/{fail|recover}`.
 */
export function createSimulationModule(): ReferenceModule {
  return {
    name: 'simulation',
    register(router: Router, ctx: ReferenceContext) {
      if (!ctx.options.simulation) return;
      const component = (request: ApiRequest): ComponentName => {
        ctx.auth.requireRole(request, CORE_FAULTS.on(ctx.faults).componentSimulationOpenToOperators ? 'operator' : 'admin');
        const name = request.params.component;
        if (!isComponentName(name)) throw notFound(`unknown component "${name}": expected one of ${COMPONENTS.join(', ')}`);
        return name;
      };
      router.post('/api/v1/simulation/components/:component/fail', (request) => {
        const name = component(request);
        ctx.components.fail(name);
        ctx.log.info(`simulation: the ${name} has failed`);
        return { component: name, status: 'failed' };
      });
      router.post('/api/v1/simulation/components/:component/recover', (request) => {
        const name = component(request);
        ctx.components.recover(name);
        ctx.log.info(`simulation: the ${name} has recovered`);
        return { component: name, status: 'recovered' };
      });
    },
  };
}
