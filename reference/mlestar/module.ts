import { invalidInput } from '../http/errors';
import { reply, type Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { isObject } from './config';
import { MlestarService, type RunRequest } from './service';
import { isStage } from './stage-machine';
import { MLESTAR_MIGRATIONS } from './store';
import { STAGES, type FieldError, type StageName } from './types';
import { CORE_FAULTS } from '../core/faults';

const BASE = '/api/v1/mlestar/projects';

/**
 * `/api/v1/mlestar/...`: MLE-Star projects, their seven-stage workflow, generated files, deployed
 * endpoints, monitoring and drift checks. Viewers read and ask deployed models for predictions;
 * operators and admins create, change, run and delete projects.
 */
export function createMlestarModule(): ReferenceModule {
  let service: MlestarService | undefined;
  return {
    name: 'mlestar',
    migrations: MLESTAR_MIGRATIONS,
    register(router: Router, ctx: ReferenceContext) {
      const projects = new MlestarService(ctx);
      service = projects;
      const { auth } = ctx;

      router.post(BASE, async (request) => {
        auth.requireRole(request, 'operator');
        return reply.created(await projects.create(request.body));
      });
      router.get(BASE, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.list(request.query);
      });
      router.get(`${BASE}/:id`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.get(request.params.id);
      });
      router.patch(`${BASE}/:id`, async (request) => {
        auth.requireRole(request, 'operator');
        return projects.update(request.params.id, request.body);
      });
      router.delete(`${BASE}/:id`, async (request) => {
        auth.requireRole(request, 'operator');
        return projects.remove(request.params.id);
      });

      router.post(`${BASE}/:id/runs`, async (request) => {
        auth.requireRole(request, 'operator');
        return reply.status(202, await projects.run(request.params.id, runRequest(request.body)));
      });
      router.post(`${BASE}/:id/stages/:stage/runs`, async (request) => {
        auth.requireRole(request, CORE_FAULTS.on(ctx.faults).mlestarStageRunOpenToViewers ? 'viewer' : 'operator');
        const stage = request.params.stage;
        if (!isStage(stage)) throw invalidInput('stage', [{ field: 'stage', message: `must be one of ${STAGES.join(', ')}; got "${stage}"` }]);
        return reply.status(202, await projects.run(request.params.id, { from: stage, to: stage }));
      });
      router.get(`${BASE}/:id/stages/:stage`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.stage(request.params.id, request.params.stage);
      });

      router.get(`${BASE}/:id/files`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.files(request.params.id);
      });
      router.get(`${BASE}/:id/files/content`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.file(request.params.id, request.query.get('path'));
      });
      router.get(`${BASE}/:id/data-source/samples`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.sample(request.params.id, request.query);
      });

      router.get(`${BASE}/:id/deployments`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.deployments(request.params.id);
      });
      router.post(`${BASE}/:id/deployments/:environment/predictions`, async (request) => {
        auth.requireRole(request, 'viewer');
        return projects.predict(request.params.id, request.params.environment, request.body);
      });
      router.get(`${BASE}/:id/deployments/:environment/monitoring`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.monitoring(request.params.id, request.params.environment);
      });
      router.post(`${BASE}/:id/deployments/:environment/drift-checks`, (request) => {
        auth.requireRole(request, 'viewer');
        return projects.checkDrift(request.params.id, request.params.environment);
      });
    },
    async start() {
      await service?.load();
    },
    async stop() {
      await service?.stop();
    },
  };
}

/** `{ from?, to? }`: the stages a run starts and stops at; both optional. */
function runRequest(body: unknown): RunRequest {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw invalidInput('run request', [{ field: 'body', message: `must be an object with optional from and to stages; got ${JSON.stringify(body)}` }]);
  const details: FieldError[] = [];
  const request: RunRequest = {};
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'from' && key !== 'to') details.push({ field: key, message: 'is not a known setting; expected from or to' });
    else if (!isStage(value)) details.push({ field: key, message: `must be one of ${STAGES.join(', ')}; got ${JSON.stringify(value)}` });
    else request[key] = value as StageName;
  }
  if (details.length > 0) throw invalidInput('run request', details);
  return request;
}
