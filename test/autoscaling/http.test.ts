import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract } from '../../support/contract';
import { dropTestData, Subscriber, TestReference, sleep, type Answer, type RequestOptions } from '../reference/helpers';

interface Group {
  id: string;
  members: string[];
  current_size: number;
  desired_size: number;
}

/** The autoscaling module over HTTP: every kind of answer against the contract, the loop, the records, a restart. */
describe('the autoscaling API', () => {
  const contract = new Contract();
  let ref: TestReference;
  let admin: string;
  let operator: string;
  let viewer: string;
  /** The data of a reference restarted on the same schema, which its close() keeps. */
  let restartedOn: { schema: string; prefix: string } | undefined;

  before(async () => {
    ref = await TestReference.start('autoscaling', { timings: { provision_step: 10 } });
    admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
    viewer = (await ref.userToken('viewer', admin)).token;
  });

  after(async () => {
    await ref?.close();
    if (restartedOn) await dropTestData(restartedOn.schema, restartedOn.prefix);
  });

  async function call<T = Record<string, unknown>>(method: string, path: string, expected: number, options: RequestOptions = {}): Promise<Answer<T>> {
    const answer = await ref.request<T>(method, path, options);
    assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    const { problems } = contract.check(method, path, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    assert.deepEqual(problems, [], `the ${answer.status} answer to ${method} ${path} breaks the contract`);
    return answer;
  }

  async function waitForSize(id: string, size: number, timeoutMs = 3000): Promise<Group> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const group = await call<Group>('GET', `/api/v1/autoscaling/groups/${id}`, 200, { token: viewer });
      if (group.body.current_size === size) return group.body;
      if (Date.now() > deadline) throw new Error(`group ${id} has ${group.body.current_size} members, expected ${size}`);
      await sleep(50);
    }
  }

  it('creates, lists, validates and deletes groups with their member VMs', async () => {
    const created = await call<Group>('POST', '/api/v1/autoscaling/groups', 201, { token: operator, body: { name: 'web', min_size: 1, max_size: 3, desired_size: 2, vm_template: { tags: ['as-test'] } } });
    assert.equal(created.body.members.length, 2);
    await call('POST', '/api/v1/autoscaling/groups', 409, { token: operator, body: { name: 'web' } });
    const invalid = await call<{ details: { field: string }[] }>('POST', '/api/v1/autoscaling/groups', 400, { token: operator, body: { name: 'Web', min_size: 3, max_size: 2 } });
    assert.deepEqual(invalid.body.details.map((d) => d.field), ['name', 'max_size', 'desired_size']);
    await call('POST', '/api/v1/autoscaling/groups', 403, { token: viewer, body: { name: 'nope' } });
    await call('POST', '/api/v1/autoscaling/groups', 401, { body: { name: 'nope' } });
    const list = await call<{ items: Group[]; total: number }>('GET', '/api/v1/autoscaling/groups?page_size=1', 200, { token: viewer });
    assert.equal(list.body.items.length, 1);
    await call('GET', '/api/v1/autoscaling/groups?page=0', 400, { token: viewer });
    await call('GET', '/api/v1/autoscaling/groups/asg-00000000-0000-4000-8000-000000000000', 404, { token: viewer });
    const member = created.body.members[0];
    await ref.waitForState(viewer, member, 'running');
    const metrics = await call<{ cpu_usage: number }>('GET', `/api/v1/vms/${member}/metrics`, 200, { token: viewer });
    assert.equal(metrics.body.cpu_usage, 5, 'an idle VM');
    await call('GET', '/api/v1/vms/vm-unknown/metrics', 404, { token: viewer });
    await call('DELETE', `/api/v1/autoscaling/groups/${created.body.id}`, 200, { token: operator });
    for (const id of created.body.members) await call('GET', `/api/v1/vms/${id}`, 404, { token: viewer });
    await call('DELETE', `/api/v1/autoscaling/groups/${created.body.id}`, 404, { token: operator });
  });

  it('grows a loaded group, records the decision in the history of its members and on the stream, and shrinks it when idle', async () => {
    const stream = await Subscriber.connect(ref.url, { token: viewer, query: 'topics=autoscaling' });
    try {
      const group = (await call<Group>('POST', '/api/v1/autoscaling/groups', 201, { token: operator, body: { name: 'api', max_size: 2, evaluation_window_seconds: 0.4, cooldown_seconds: 0.2 } })).body;
      await call('POST', `/api/v1/simulation/autoscaling/groups/${group.id}/load`, 403, { token: operator, body: { cpu_usage: 90 } });
      await call('POST', `/api/v1/simulation/autoscaling/groups/${group.id}/load`, 400, { token: admin, body: { cpu_usage: 190 } });
      await call('POST', `/api/v1/simulation/autoscaling/groups/${group.id}/load`, 200, { token: admin, body: { cpu_usage: 90 } });
      const grown = await waitForSize(group.id, 2);
      const announced = await stream.waitFor((m) => m.type === 'autoscaling.scale_up' && m.data.group_id === group.id);
      const events = await call<{ items: { action: string; vm_id: string }[] }>('GET', `/api/v1/autoscaling/groups/${group.id}/events`, 200, { token: viewer });
      assert.equal(events.body.items[0].action, 'scale-up');
      assert.equal(announced.data.vm_id, grown.members[1]);
      const history = await call<{ items: { type: string; action: string }[] }>('GET', `/api/v1/vms/${grown.members[1]}/events`, 200, { token: viewer });
      assert.ok(history.body.items.some((e) => e.type === 'autoscaling' && e.action === 'scale-up'));
      await ref.waitForState(viewer, grown.members[1], 'running');
      assert.equal((await call<{ cpu_usage: number }>('GET', `/api/v1/vms/${grown.members[1]}/metrics`, 200, { token: viewer })).body.cpu_usage, 90, 'a new member inherits the group load');
      await call('POST', `/api/v1/simulation/vms/${grown.members[0]}/load`, 200, { token: admin, body: { cpu_usage: 1, memory_usage: 1 } });
      await call('POST', `/api/v1/simulation/vms/vm-unknown/load`, 404, { token: admin, body: { cpu_usage: 1 } });
      await call('POST', `/api/v1/simulation/autoscaling/groups/${group.id}/load`, 200, { token: admin, body: { cpu_usage: 5, memory_usage: 5 } });
      await waitForSize(group.id, 1);
      await stream.waitFor((m) => m.type === 'autoscaling.scale_down' && m.data.group_id === group.id);
      await call('DELETE', `/api/v1/autoscaling/groups/${group.id}`, 200, { token: operator });
    } finally {
      await stream.close();
    }
  });

  it("lets a member deleted behind the group's back go, without a decision", async () => {
    const group = (await call<Group>('POST', '/api/v1/autoscaling/groups', 201, { token: operator, body: { name: 'lossy', min_size: 1, max_size: 3, desired_size: 3 } })).body;
    await call('DELETE', `/api/v1/vms/${group.members[1]}`, 200, { token: operator });
    const after = await waitForSize(group.id, 2);
    assert.deepEqual(after.members, [group.members[0], group.members[2]]);
    assert.equal(after.desired_size, 3, 'the group still wants 3 members');
    assert.deepEqual((await call<{ items: unknown[] }>('GET', `/api/v1/autoscaling/groups/${group.id}/events`, 200, { token: viewer })).body.items, []);
    await call('DELETE', `/api/v1/autoscaling/groups/${group.id}`, 200, { token: operator });
  });

  it("reports the desired size as the current one with autoscaling-size-from-desired", async () => {
    const faulty = await TestReference.start('autoscaling-size-from-desired', { faults: ['autoscaling-size-from-desired'], timings: { provision_step: 10 } });
    try {
      const token = await faulty.adminToken();
      const group = (await faulty.request<Group>('POST', '/api/v1/autoscaling/groups', { token, body: { name: 'lossy', min_size: 1, max_size: 3, desired_size: 3 } })).body;
      await faulty.request('DELETE', `/api/v1/vms/${group.members[1]}`, { token });
      await sleep(600);
      const after = (await faulty.request<Group>('GET', `/api/v1/autoscaling/groups/${group.id}`, { token })).body;
      assert.deepEqual({ members: after.members.length, current_size: after.current_size }, { members: 2, current_size: 3 });
    } finally {
      await faulty.close();
    }
  });

  it('keeps its groups and their decisions over a restart of the reference', async () => {
    const group = (await call<Group>('POST', '/api/v1/autoscaling/groups', 201, { token: operator, body: { name: 'kept', max_size: 3, evaluation_window_seconds: 0.3, cooldown_seconds: 0.2 } })).body;
    await call('POST', `/api/v1/simulation/autoscaling/groups/${group.id}/load`, 200, { token: admin, body: { cpu_usage: 95 } });
    await waitForSize(group.id, 2);
    const { schema, prefix } = ref;
    await ref.close({ keepData: true });
    restartedOn = { schema, prefix };
    ref = await TestReference.start('autoscaling', { timings: { provision_step: 10 } }, restartedOn);
    admin = await ref.adminToken();
    const restored = await call<Group>('GET', `/api/v1/autoscaling/groups/${group.id}`, 200, { token: admin });
    assert.ok(restored.body.current_size >= 2);
    const decisions = await call<{ items: unknown[] }>('GET', `/api/v1/autoscaling/groups/${group.id}/events`, 200, { token: admin });
    assert.ok(decisions.body.items.length >= 1);
  });
});
