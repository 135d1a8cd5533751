import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dropTestData, TestReference, type Vm } from './helpers';

interface VmEvent {
  id: string;
  sequence: number;
  type: string;
  action: string;
  from_state?: string;
  to_state?: string;
}

describe('VMs', () => {
  let ref: TestReference;
  let operator: string;
  let viewer: string;

  before(async () => {
    ref = await TestReference.start('vms', { timings: { provision_step: 20 } });
    const admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
    viewer = (await ref.userToken('viewer', admin)).token;
  });

  after(async () => {
    await ref?.close();
  });

  async function runningVm(name: string, extra: Record<string, unknown> = {}): Promise<Vm> {
    const created = await ref.createVm(operator, { name, ...extra });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return ref.waitForState(operator, created.body.id, 'running');
  }

  it('creates a VM in state creating, then provisions it to running', async () => {
    const created = await ref.createVm(operator, { name: 'web-1', cpu_shares: 2, memory_mb: 2048, disk_gb: 20, tags: ['web'] });
    assert.equal(created.status, 201);
    const vm = created.body;
    assert.match(vm.id, /^vm-[0-9a-f-]{36}$/);
    assert.equal(vm.state, 'creating');
    assert.deepEqual(
      { cpu: vm.cpu_shares, memory: vm.memory_mb, disk: vm.disk_gb, image: vm.image, tags: vm.tags },
      { cpu: 2, memory: 2048, disk: 20, image: 'ubuntu-24.04', tags: ['web'] },
    );
    assert.match(vm.node_id, /^node-\d$/);
    assert.equal(vm.created_at, vm.updated_at);
    const running = await ref.waitForState(operator, vm.id, 'running');
    assert.ok(running.updated_at > vm.updated_at);
    assert.equal(created.headers.get('x-ratelimit-limit'), '100000');
  });

  it('records the lifecycle in order and applies every allowed action', async () => {
    const vm = await runningVm('cycle-1');
    for (const [action, state] of [
      ['pause', 'paused'],
      ['resume', 'running'],
      ['stop', 'stopped'],
      ['start', 'running'],
      ['pause', 'paused'],
      ['stop', 'stopped'],
    ]) {
      const answer = await ref.request<Vm>('POST', `/api/v1/vms/${vm.id}/${action}`, { token: operator });
      assert.equal(answer.status, 200, `${action}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.state, state);
    }
    const history = await ref.request<{ items: VmEvent[] }>('GET', `/api/v1/vms/${vm.id}/events`, { token: viewer });
    assert.equal(history.status, 200);
    assert.deepEqual(
      history.body.items.map((event) => [event.sequence, event.type, event.action, event.from_state ?? null, event.to_state]),
      [
        [1, 'lifecycle', 'create', null, 'creating'],
        [2, 'lifecycle', 'provision', 'creating', 'provisioning'],
        [3, 'lifecycle', 'ready', 'provisioning', 'running'],
        [4, 'lifecycle', 'pause', 'running', 'paused'],
        [5, 'lifecycle', 'resume', 'paused', 'running'],
        [6, 'lifecycle', 'stop', 'running', 'stopped'],
        [7, 'lifecycle', 'start', 'stopped', 'running'],
        [8, 'lifecycle', 'pause', 'running', 'paused'],
        [9, 'lifecycle', 'stop', 'paused', 'stopped'],
      ],
    );
  });

  it('refuses a forbidden transition with 409, the current state and the action', async () => {
    const vm = await runningVm('refuse-1');
    const answer = await ref.request('POST', `/api/v1/vms/${vm.id}/resume`, { token: operator });
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.body, { error: 'cannot resume a VM that is running', current_state: 'running', action: 'resume' });
    assert.equal((await ref.request<Vm>('GET', `/api/v1/vms/${vm.id}`, { token: viewer })).body.state, 'running');
  });

  it('refuses user actions while a VM is still being provisioned', async () => {
    const slow = await TestReference.start('vms-slow', { timings: { provision_step: 60_000 } });
    try {
      const token = await slow.adminToken();
      const created = await slow.createVm(token, { name: 'early-1' });
      for (const action of ['start', 'stop', 'pause', 'resume']) {
        const answer = await slow.request('POST', `/api/v1/vms/${created.body.id}/${action}`, { token });
        assert.equal(answer.status, 409, action);
        assert.equal(answer.body.current_state, 'creating');
      }
    } finally {
      await slow.close();
    }
  });

  it('answers 404 for an unknown VM, an unknown action, and the history of an unknown VM', async () => {
    const missing = 'vm-00000000-0000-4000-8000-000000000000';
    const read = await ref.request('GET', `/api/v1/vms/${missing}`, { token: viewer });
    assert.equal(read.status, 404);
    assert.deepEqual(read.body, { error: `VM ${missing} not found` });
    assert.equal((await ref.request('POST', `/api/v1/vms/${missing}/start`, { token: operator })).status, 404);
    assert.equal((await ref.request('GET', `/api/v1/vms/${missing}/events`, { token: viewer })).status, 404);
    assert.equal((await ref.request('DELETE', `/api/v1/vms/${missing}`, { token: operator })).status, 404);
    const vm = await runningVm('action-1');
    const unknownAction = await ref.request('POST', `/api/v1/vms/${vm.id}/reboot`, { token: operator });
    assert.equal(unknownAction.status, 404);
    assert.match(String(unknownAction.body.error), /unknown VM action "reboot"/);
  });

  it('validates the request and names every invalid field', async () => {
    const answer = await ref.createVm(operator, { name: 'Web Server 1', cpu_shares: 0, memory_mb: 64, disk_gb: 0 });
    assert.equal(answer.status, 400);
    const body = answer.body as unknown as { error: string; details: { field: string; message: string }[] };
    assert.deepEqual(body.details.map((detail) => detail.field), ['name', 'cpu_shares', 'memory_mb', 'disk_gb']);
    assert.match(body.error, /^invalid VM request: name must be/);
    const noBody = await ref.request('POST', '/api/v1/vms', { token: operator });
    assert.equal(noBody.status, 400);
  });

  it('refuses a duplicate name with 409 while the first VM exists, and allows it after deletion', async () => {
    const first = await runningVm('db-1');
    const duplicate = await ref.createVm(operator, { name: 'db-1' });
    assert.equal(duplicate.status, 409);
    assert.match(String((duplicate.body as unknown as { error: string }).error), /already exists/);
    assert.equal((await ref.request('DELETE', `/api/v1/vms/${first.id}`, { token: operator })).status, 200);
    assert.equal((await ref.createVm(operator, { name: 'db-1' })).status, 201);
  });

  it('creates only one of two concurrent requests for the same name', async () => {
    const answers = await Promise.all([ref.createVm(operator, { name: 'race-1' }), ref.createVm(operator, { name: 'race-1' })]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 409]);
  });

  it('deletes a VM in any state, even while provisioning, and forgets it', async () => {
    const created = await ref.createVm(operator, { name: 'gone-1' });
    const deleted = await ref.request('DELETE', `/api/v1/vms/${created.body.id}`, { token: operator });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { id: created.body.id, status: 'deleted' });
    assert.equal((await ref.request('GET', `/api/v1/vms/${created.body.id}`, { token: viewer })).status, 404);
    const listed = await ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?name_prefix=gone-1', { token: viewer });
    assert.deepEqual(listed.body.items, []);
    assert.deepEqual(await ref.sql('SELECT id FROM vms WHERE id = $1', [created.body.id]), []);
    assert.deepEqual(await ref.sql('SELECT id FROM vm_events WHERE vm_id = $1', [created.body.id]), []);
  });

  it('lists with filters and pages, in creation order', async () => {
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const name of names) assert.equal((await ref.createVm(operator, { name, tags: ['paging'] })).status, 201);
    const page = (query: string) => ref.request<{ items: Vm[]; total: number; page: number; page_size: number }>('GET', `/api/v1/vms?${query}`, { token: viewer });
    const second = await page('tag=paging&page=2&page_size=2');
    assert.equal(second.status, 200);
    assert.deepEqual(second.body.items.map((vm) => vm.name), ['page-c', 'page-d']);
    assert.deepEqual({ total: second.body.total, page: second.body.page, size: second.body.page_size }, { total: 5, page: 2, size: 2 });
    assert.deepEqual((await page('tag=paging&page=3&page_size=2')).body.items.map((vm) => vm.name), ['page-e']);
    assert.deepEqual((await page('tag=paging&page=4&page_size=2')).body.items, []);
    assert.equal((await page('name_prefix=page-')).body.total, 5);
    await ref.waitForState(operator, second.body.items[0].id, 'running');
    const running = await page('tag=paging&state=running&page_size=500');
    assert.ok(running.body.items.every((vm) => vm.state === 'running'));
    assert.equal((await page('state=asleep')).status, 400);
    assert.equal((await page('page_size=501')).status, 400);
    const all = (await page('page_size=500')).body.items;
    const order = all.map((vm) => `${vm.created_at} ${vm.id}`);
    assert.deepEqual(order, [...order].sort(), 'the list is sorted by created_at then id');
  });

  it('shows every change in the list at once, for the same query', async () => {
    const read = async () => (await ref.request<{ items: Vm[]; total: number }>('GET', '/api/v1/vms?tag=fresh', { token: viewer })).body;
    assert.deepEqual((await read()).items, []);
    const created = await ref.createVm(operator, { name: 'fresh-1', tags: ['fresh'] });
    assert.deepEqual((await read()).items.map((vm) => vm.state), ['creating']);
    await ref.waitForState(operator, created.body.id, 'running');
    assert.deepEqual((await read()).items.map((vm) => vm.state), ['running']);
    await ref.request('POST', `/api/v1/vms/${created.body.id}/pause`, { token: operator });
    assert.deepEqual((await read()).items.map((vm) => vm.state), ['paused']);
    await ref.request('DELETE', `/api/v1/vms/${created.body.id}`, { token: operator });
    assert.deepEqual(await read(), { items: [], total: 0, page: 1, page_size: 50 });
  });

  it('summarises the VMs by state, for a tag or for all', async () => {
    const [first, second] = [await runningVm('summary-1', { tags: ['summary'] }), await runningVm('summary-2', { tags: ['summary'] })];
    await ref.request('POST', `/api/v1/vms/${second.id}/stop`, { token: operator });
    assert.ok(first);
    const summary = await ref.request<{ vms: { total: number; by_state: Record<string, number> }; generated_at: string }>('GET', '/api/v1/dashboard/summary?tag=summary', {
      token: viewer,
    });
    assert.equal(summary.status, 200);
    assert.deepEqual(summary.body.vms, {
      total: 2,
      by_state: { creating: 0, provisioning: 0, running: 1, stopped: 1, paused: 0, migrating: 0, deleting: 0, failed: 0 },
    });
    assert.ok(Math.abs(Date.parse(summary.body.generated_at) - Date.now()) < 5000);
    const everything = await ref.request<{ vms: { total: number } }>('GET', '/api/v1/dashboard/summary', { token: viewer });
    const listed = await ref.request<{ total: number }>('GET', '/api/v1/vms', { token: viewer });
    assert.equal(everything.body.vms.total, listed.body.total);
    assert.equal((await ref.request('GET', '/api/v1/dashboard/summary')).status, 401);
  });

  it('lets viewers read but not write, and refuses anonymous callers', async () => {
    const vm = await runningVm('roles-1');
    assert.equal((await ref.request('GET', '/api/v1/vms', { token: viewer })).status, 200);
    assert.equal((await ref.request('GET', `/api/v1/vms/${vm.id}`, { token: viewer })).status, 200);
    const refused = await ref.createVm(viewer, { name: 'roles-2' });
    assert.equal(refused.status, 403);
    assert.match(String((refused.body as unknown as { error: string }).error), /requires the operator role/);
    assert.equal((await ref.request('POST', `/api/v1/vms/${vm.id}/stop`, { token: viewer })).status, 403);
    assert.equal((await ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: viewer })).status, 403);
    const anonymous = await ref.request('GET', '/api/v1/vms');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await ref.request('GET', '/api/v1/vms', { token: 'not-a-token' })).status, 401);
  });

  it('keeps VMs in PostgreSQL: a restarted reference serves them and finishes their provisioning', async () => {
    // Provisioning so slow that the second VM is still being created when the first process stops.
    const first = await TestReference.start('vms-durable', { timings: { provision_step: 60_000 } });
    let second: TestReference | undefined;
    try {
      const token = await first.adminToken();
      const created = await first.createVm(token, { name: 'durable-1', tags: ['kept'] });
      await first.close({ keepData: true });
      second = await TestReference.start('vms-durable', { timings: { provision_step: 20 } }, { schema: first.schema, prefix: first.prefix });
      const again = await second.adminToken();
      const reloaded = await second.request<Vm>('GET', `/api/v1/vms/${created.body.id}`, { token: again });
      assert.equal(reloaded.status, 200);
      // The restarted reference may already have moved it on (state and updated_at); everything else is kept.
      assert.deepEqual({ ...reloaded.body, state: 'creating', updated_at: created.body.updated_at }, created.body);
      await second.waitForState(again, created.body.id, 'running');
      const history = await second.request<{ items: VmEvent[] }>('GET', `/api/v1/vms/${created.body.id}/events`, { token: again });
      assert.deepEqual(history.body.items.map((event) => [event.sequence, event.action]), [[1, 'create'], [2, 'provision'], [3, 'ready']]);
    } finally {
      await second?.close({ keepData: true });
      await dropTestData(first.schema, first.prefix);
    }
  });
});
