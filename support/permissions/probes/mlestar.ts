import assert from 'node:assert/strict';
import type { ApiClient } from '../../api-client';
import { eventually } from '../../tasks/expect';
import type { Fixtures, Resource } from '../fixtures';
import { adminRead, createdAs, deletionProbe, fields, itemIds, readProbe, sameAsAdmin, type Probe } from '../probe';

const AREA = 'MLE-Star';
const BASE = '/api/v1/mlestar/projects';

const stageStatus = async (admin: ApiClient, project: string, stage: string): Promise<string> => (await adminRead<{ status: string }>(admin, `${BASE}/${project}/stages/${stage}`)).status;
const requestsServed = async (admin: ApiClient, project: string, environment: string): Promise<number> =>
  (await adminRead<{ requests: number }>(admin, `${BASE}/${project}/deployments/${environment}/monitoring`)).requests;

/** A project that ran to the end, with rows of its data source for its endpoints. */
async function servingProject(fixtures: Fixtures): Promise<{ project: Resource; instances: number[][] }> {
  const project = await fixtures.deployedProject();
  const { instances } = await adminRead<{ instances: number[][] }>(fixtures.admin, `${BASE}/${project.id}/data-source/samples`);
  assert.ok(instances.length >= 2, `the data source of ${project.name} gave ${instances.length} rows`);
  return { project, instances };
}

function readOfDeployed(path: (project: Resource) => string | Promise<string>, view?: (data: unknown) => unknown, params?: Record<string, string>): Probe {
  return readProbe(
    AREA,
    async ({ fixtures }) => ({ path: await path(await fixtures.deployedProject()), params }),
    view,
  );
}

/** A fresh project, its workflow not started, and how to tell when `stage` has succeeded. */
function stageRun(path: (project: Resource) => string, body: unknown): Probe {
  return {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const project = await fixtures.project();
      return {
        path: path(project),
        body,
        observe: () => stageStatus(admin, project.id, 'specification'),
        effect: async () => {
          await eventually(() => stageStatus(admin, project.id, 'specification'), (status) => status === 'succeeded', { timeoutMs: 30_000, what: `the specification stage of ${project.name} succeeded` });
        },
      };
    },
  };
}

export const MLESTAR_PROBES: Record<string, Probe> = {
  'POST /api/v1/mlestar/projects': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const name = fixtures.name('ml');
      return {
        path: BASE,
        body: { name, type: 'regression', framework: 'sklearn', metric_targets: { r2: 0.1 } },
        observe: async () => itemIds(await adminRead(admin, BASE, { name_prefix: name })),
        effect: createdAs(fixtures, BASE, { name, type: 'regression', framework: 'sklearn' }),
      };
    },
  },
  'GET /api/v1/mlestar/projects': readProbe(AREA, async ({ fixtures }) => ({ path: BASE, params: { name_prefix: (await fixtures.deployedProject()).name } }), itemIds),
  'GET /api/v1/mlestar/projects/{id}': readOfDeployed((project) => `${BASE}/${project.id}`, fields('id', 'name', 'type', 'framework', 'created_at')),
  'PATCH /api/v1/mlestar/projects/{id}': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const project = await fixtures.project();
      const description = `changed by ${fixtures.name('change')}`;
      const described = async () => (await adminRead<{ config: { description: string } }>(admin, `${BASE}/${project.id}`)).config.description;
      return {
        path: `${BASE}/${project.id}`,
        body: { description },
        observe: described,
        effect: async () => assert.equal(await described(), description, `the description of ${project.name} was not changed`),
      };
    },
  },
  'DELETE /api/v1/mlestar/projects/{id}': deletionProbe(AREA, async ({ fixtures }) => `${BASE}/${(await fixtures.project()).id}`),
  'POST /api/v1/mlestar/projects/{id}/runs': stageRun((project) => `${BASE}/${project.id}/runs`, { to: 'specification' }),
  'POST /api/v1/mlestar/projects/{id}/stages/{stage}/runs': stageRun((project) => `${BASE}/${project.id}/stages/specification/runs`, undefined),
  'GET /api/v1/mlestar/projects/{id}/stages/{stage}': readOfDeployed((project) => `${BASE}/${project.id}/stages/design`, fields('name', 'status', 'attempts', 'finished_at')),
  'GET /api/v1/mlestar/projects/{id}/files': readOfDeployed((project) => `${BASE}/${project.id}/files`),
  'GET /api/v1/mlestar/projects/{id}/files/content': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const project = await fixtures.deployedProject();
      const [file] = (await adminRead<{ items: { path: string }[] }>(admin, `${BASE}/${project.id}/files`)).items;
      assert.ok(file, `${project.name} has no generated file`);
      const params = { path: file.path };
      const path = `${BASE}/${project.id}/files/content`;
      return { path, params, effect: sameAsAdmin(admin, path, params, fields('path', 'sha256', 'content')) };
    },
  },
  'GET /api/v1/mlestar/projects/{id}/data-source/samples': readOfDeployed((project) => `${BASE}/${project.id}/data-source/samples`, fields('features', 'seed', 'instances'), { count: '5' }),
  'GET /api/v1/mlestar/projects/{id}/deployments': readOfDeployed((project) => `${BASE}/${project.id}/deployments`, (data) =>
    ((data as { items?: unknown[] }).items ?? []).map(fields('environment', 'endpoint', 'model_version', 'deployed_at')),
  ),
  'POST /api/v1/mlestar/projects/{id}/deployments/{environment}/predictions': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const { project, instances } = await servingProject(fixtures);
      return {
        path: `${BASE}/${project.id}/deployments/staging/predictions`,
        body: { instances: instances.slice(0, 2) },
        observe: () => requestsServed(admin, project.id, 'staging'),
        effect: async (answer, before) => {
          assert.equal((answer.data as { predictions?: unknown[] }).predictions?.length, 2, `two rows were answered with ${JSON.stringify(answer.data)}`);
          assert.equal(await requestsServed(admin, project.id, 'staging'), Number(before) + 1, `the staging endpoint of ${project.name} does not count the request once`);
        },
      };
    },
  },
  'GET /api/v1/mlestar/projects/{id}/deployments/{environment}/monitoring': readOfDeployed(
    (project) => `${BASE}/${project.id}/deployments/production/monitoring`,
    fields('environment', 'model_version', 'thresholds'),
  ),
  'POST /api/v1/mlestar/projects/{id}/deployments/{environment}/drift-checks': {
    area: AREA,
    prepare: async ({ fixtures }) => {
      const { project } = await servingProject(fixtures);
      await fixtures.servedInProduction(project);
      return {
        path: `${BASE}/${project.id}/deployments/production/drift-checks`,
        effect: (answer) => {
          const report = answer.data as { environment?: string; samples?: { current?: number } };
          assert.equal(report.environment, 'production', `the drift report is about ${String(report.environment)}`);
          assert.equal(report.samples?.current, 40, `the drift report compares ${String(report.samples?.current)} inputs, not the 40 served`);
        },
      };
    },
  },
};
