import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract } from '../../support/contract';
import { TestReference, sleep, type Answer, type RequestOptions } from '../reference/helpers';

/** The consensus module over HTTP: every kind of answer, checked against the contract as the suite checks it. */
describe('the consensus API', () => {
  const contract = new Contract();
  let ref: TestReference;
  let admin: string;
  let operator: string;
  let viewer: string;

  before(async () => {
    ref = await TestReference.start('consensus');
    admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
    viewer = (await ref.userToken('viewer', admin)).token;
  });

  after(async () => {
    await ref?.close();
  });

  async function call<T = Record<string, unknown>>(method: string, path: string, expected: number, options: RequestOptions = {}): Promise<Answer<T>> {
    const answer = await ref.request<T>(method, path, options);
    assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    const { problems } = contract.check(method, path, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    assert.deepEqual(problems, [], `the ${answer.status} answer to ${method} ${path} breaks the contract`);
    return answer;
  }

  async function leaderOf(query: string): Promise<{ node_id: string; term: number }> {
    for (let i = 0; i < 200; i++) {
      const leader = await call<{ node_id: string | null; term: number }>('GET', `/api/v1/cluster/leader${query}`, 200, { token: viewer });
      if (leader.body.node_id) return leader.body as { node_id: string; term: number };
      await sleep(10);
    }
    throw new Error('no leader within 2 s');
  }

  it("reports the control plane's own cluster, and its consensus health", async () => {
    const leader = await leaderOf('');
    const status = await call<{ cluster_id: string; size: number; nodes: unknown[] }>('GET', '/api/v1/cluster/status', 200, { token: viewer });
    assert.equal(status.body.cluster_id, 'control-plane');
    assert.equal(status.body.nodes.length, 3);
    await call('GET', '/api/v1/cluster/nodes', 200, { token: viewer });
    await call('GET', `/api/v1/cluster/nodes/${leader.node_id}`, 200, { token: viewer });
    await call('GET', '/api/v1/cluster/nodes/node-9', 404, { token: viewer });
    await call('GET', '/api/v1/cluster/status', 401);
    await call('GET', '/api/v1/cluster/status?cluster=cls-unknown', 404, { token: viewer });
    const health = await call<{ components: Record<string, { status: string }> }>('GET', '/api/v1/health', 200);
    assert.equal(health.body.components.consensus.status, 'healthy');
    await call('DELETE', '/api/v1/simulation/clusters/control-plane', 409, { token: admin });
  });

  it('a failed consensus stops a majority of the control plane: the health degrades, and recovers without a restart', async () => {
    await leaderOf('');
    await call('POST', '/api/v1/simulation/components/consensus/fail', 200, { token: admin });
    const health = () => call<{ status: string; components: Record<string, { status: string; message?: string }> }>('GET', '/api/v1/health', 200);
    let report = await health();
    for (let i = 0; i < 300 && report.body.components.consensus.status === 'healthy'; i++) {
      await sleep(10);
      report = await health();
    }
    assert.equal(report.body.components.consensus.status, 'unhealthy');
    assert.match(String(report.body.components.consensus.message), /no leader with a majority .* \(1 of 3 nodes running\)/);
    assert.equal(report.body.status, 'degraded');
    await call('POST', '/api/v1/simulation/components/consensus/recover', 200, { token: admin });
    for (let i = 0; i < 300 && report.body.status !== 'healthy'; i++) {
      await sleep(10);
      report = await health();
    }
    assert.equal(report.body.status, 'healthy');
    assert.equal(report.body.components.consensus.status, 'healthy');
  });

  it('takes writes through any node, reads them from every node, and keeps the transitions', async () => {
    const created = await call<{ cluster_id: string; seed: number }>('POST', '/api/v1/simulation/clusters', 201, { token: admin, body: { size: 5, seed: 7 } });
    const q = `?cluster=${created.body.cluster_id}`;
    assert.equal(created.body.seed, 7);
    const leader = await leaderOf(q);
    const follower = leader.node_id === 'node-1' ? 'node-2' : 'node-1';
    const written = await call<{ leader_id: string; index: number }>('POST', `/api/v1/cluster/writes${q}`, 201, { token: operator, body: { key: 'colour', value: 'blue', node_id: follower } });
    assert.equal(written.body.leader_id, leader.node_id);
    for (let i = 1; i <= 5; i++) {
      let read: Answer<{ value: string | null }> | undefined;
      for (let attempt = 0; attempt < 50; attempt++) {
        read = await call('GET', `/api/v1/cluster/reads/colour${q}&node_id=node-${i}`, 200, { token: viewer });
        if (read.body.value === 'blue') break;
        await sleep(10);
      }
      assert.equal(read?.body.value, 'blue', `node-${i}`);
    }
    const log = await call<{ entries: { kind: string; key?: string }[] }>('GET', `/api/v1/cluster/nodes/${follower}/log${q}`, 200, { token: viewer });
    assert.deepEqual(log.body.entries.map((e) => e.kind), ['noop', 'put']);
    const observations = await call<{ items: { role: string }[]; latest: number }>('GET', `/api/v1/cluster/observations${q}`, 200, { token: viewer });
    assert.ok(observations.body.items.some((o) => o.role === 'leader'));
    const later = await call<{ items: unknown[]; latest: number }>('GET', `/api/v1/cluster/observations${q}&since=${observations.body.latest}`, 200, { token: viewer });
    assert.equal(later.body.latest >= observations.body.latest, true);
    await call('GET', `/api/v1/cluster/observations${q}&since=soon`, 400, { token: viewer });
    await call('POST', `/api/v1/cluster/writes${q}`, 400, { token: operator, body: { key: 'has space', value: 1 } });
    await call('POST', `/api/v1/cluster/writes${q}`, 403, { token: viewer, body: { key: 'k', value: 'v' } });
    await call('POST', `/api/v1/cluster/writes${q}`, 404, { token: operator, body: { key: 'k', value: 'v', node_id: 'node-9' } });
    await call('DELETE', `/api/v1/simulation/clusters/${created.body.cluster_id}`, 200, { token: admin });
    await call('GET', `/api/v1/cluster/status${q}`, 404, { token: viewer });
  });

  it('fails and restarts nodes, partitions and degrades links, and refuses writes without a quorum', async () => {
    const created = await call<{ cluster_id: string }>('POST', '/api/v1/simulation/clusters', 201, { token: admin, body: { size: 3 } });
    const q = `?cluster=${created.body.cluster_id}`;
    const leader = await leaderOf(q);
    const followers = ['node-1', 'node-2', 'node-3'].filter((id) => id !== leader.node_id);
    await call('POST', `/api/v1/simulation/cluster/nodes/${followers[0]}/fail${q}`, 403, { token: operator });
    await call('POST', `/api/v1/simulation/cluster/nodes/node-9/fail${q}`, 404, { token: admin });
    for (const id of followers) await call('POST', `/api/v1/simulation/cluster/nodes/${id}/fail${q}`, 200, { token: admin });
    await call('GET', `/api/v1/cluster/reads/k${q}&node_id=${followers[0]}`, 503, { token: viewer });
    let quorum = true;
    for (let i = 0; i < 200 && quorum; i++) {
      quorum = (await call<{ quorum: boolean }>('GET', `/api/v1/cluster/status${q}`, 200, { token: viewer })).body.quorum;
      await sleep(10);
    }
    assert.equal(quorum, false, 'the leader did not notice it lost its majority');
    const refused = await call<{ outcome: string }>('POST', `/api/v1/cluster/writes${q}`, 503, { token: operator, body: { key: 'k', value: 'v', node_id: leader.node_id } });
    assert.equal(refused.body.outcome, 'refused');
    for (const id of followers) await call('POST', `/api/v1/simulation/cluster/nodes/${id}/restart${q}`, 200, { token: admin });
    const split = await call<{ partitions: string[][] }>('POST', `/api/v1/simulation/cluster/partition${q}`, 200, { token: admin, body: { groups: [['node-1'], ['node-2', 'node-3']] } });
    assert.deepEqual(split.body.partitions, [['node-1'], ['node-2', 'node-3']]);
    await call('POST', `/api/v1/simulation/cluster/partition${q}`, 400, { token: admin, body: { groups: [['node-1'], ['node-1']] } });
    await call('POST', `/api/v1/simulation/cluster/partition${q}`, 400, { token: admin, body: { groups: 'all' } });
    await call('POST', `/api/v1/simulation/cluster/heal${q}`, 200, { token: admin });
    const slow = await call<{ links: unknown[] }>('PUT', `/api/v1/simulation/cluster/links${q}`, 200, { token: admin, body: { from: 'node-1', delay_ms: 30, drop_rate: 0.1 } });
    assert.equal(slow.body.links.length, 2);
    await call('PUT', `/api/v1/simulation/cluster/links${q}`, 400, { token: admin, body: { drop_rate: 2 } });
    await call('PUT', `/api/v1/simulation/cluster/links${q}`, 400, { token: admin, body: { from: 'node-1', to: 'node-1', delay_ms: 5 } });
    await call('PUT', `/api/v1/simulation/cluster/links${q}`, 404, { token: admin, body: { to: 'node-7', delay_ms: 5 } });
    const healthy = await call<{ links: unknown[] }>('DELETE', `/api/v1/simulation/cluster/links${q}`, 200, { token: admin });
    assert.deepEqual(healthy.body.links, []);
    await call('POST', '/api/v1/simulation/clusters', 400, { token: admin, body: { size: 9 } });
    await call('DELETE', `/api/v1/simulation/clusters/${created.body.cluster_id}`, 200, { token: admin });
  });
});
