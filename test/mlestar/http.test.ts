import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dropTestData, sleep, TestReference } from '../reference/helpers';

const BASE = '/api/v1/mlestar/projects';

interface Project {
  id: string;
  workflow: { status: string; failure_reason?: string; stages: { name: string; status: string }[] };
}

describe('the MLE-Star API of the reference, kept in PostgreSQL', () => {
  let ref: TestReference | undefined;
  let token: string;

  before(async () => {
    ref = await TestReference.start('mlestar');
    token = await ref.adminToken();
  });

  after(async () => {
    await ref?.close();
  });

  const reference = (): TestReference => {
    if (!ref) throw new Error('the reference is not running');
    return ref;
  };

  async function settled(id: string): Promise<Project> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const { body } = await reference().request<Project>('GET', `${BASE}/${id}`, { token });
      if (body.workflow.status !== 'running') return body;
      await sleep(20);
    }
    throw new Error(`project ${id} still running after 6 s`);
  }

  it('refuses an invalid configuration naming each setting, and a stage out of order', async () => {
    const invalid = await reference().request<{ details: { field: string }[] }>('POST', BASE, { token, body: { name: 'x', type: 'images', metric_targets: {} } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.details.map((d) => d.field).sort(), ['framework', 'metric_targets', 'type']);
    const created = await reference().request<Project>('POST', BASE, { token, body: { name: 'order', type: 'regression', framework: 'sklearn', metric_targets: { r2: 0.8 } } });
    assert.equal(created.status, 201);
    const early = await reference().request<{ error: string }>('POST', `${BASE}/${created.body.id}/stages/evaluation/runs`, { token });
    assert.equal(early.status, 409);
    assert.match(early.body.error, /evaluation cannot run before specification has succeeded/);
    assert.equal((await reference().request('GET', `${BASE}/mlp-00000000-0000-4000-8000-000000000000`, { token })).status, 404);
  });

  it('keeps projects, their deployed models and monitoring across a restart', async () => {
    const created = await reference().request<Project>('POST', BASE, { token, body: { name: 'survivor', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.8 } } });
    const id = created.body.id;
    assert.equal((await reference().request('POST', `${BASE}/${id}/runs`, { token, body: {} })).status, 202);
    assert.equal((await settled(id)).workflow.status, 'completed');
    const row = [[5.1, 3.5, 1.4, 0.2]];
    const before = await reference().request<{ predictions: string[] }>('POST', `${BASE}/${id}/deployments/production/predictions`, { token, body: { instances: row } });
    assert.deepEqual(before.body.predictions, ['setosa']);

    const { schema, prefix } = reference();
    await reference().close({ keepData: true });
    ref = await TestReference.start('mlestar', {}, { schema, prefix });
    token = await ref.adminToken();
    try {
      const project = await reference().request<Project>('GET', `${BASE}/${id}`, { token });
      assert.equal(project.body.workflow.status, 'completed');
      const again = await reference().request<{ predictions: string[] }>('POST', `${BASE}/${id}/deployments/production/predictions`, { token, body: { instances: row } });
      assert.deepEqual(again.body.predictions, ['setosa']);
      const monitoring = await reference().request<{ requests: number }>('GET', `${BASE}/${id}/deployments/production/monitoring`, { token });
      assert.equal(monitoring.body.requests, 2, 'the request before the restart is still counted');
      const file = await reference().request<{ content: string }>('GET', `${BASE}/${id}/files/content?path=requirements.txt`, { token });
      assert.match(file.body.content, /^scikit-learn>=/m);
    } finally {
      await reference().close();
      ref = undefined;
      await dropTestData(schema, prefix);
    }
  });
});
