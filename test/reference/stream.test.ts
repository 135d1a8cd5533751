import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Subscriber, TestReference, type StreamMessage } from './helpers';

describe('real-time event stream', () => {
  let ref: TestReference;
  let operator: string;
  let viewer: string;
  const open: Subscriber[] = [];

  before(async () => {
    ref = await TestReference.start('stream', { timings: { provision_step: 20 } });
    const admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
    viewer = (await ref.userToken('viewer', admin)).token;
  });

  after(async () => {
    await Promise.all(open.map((subscriber) => subscriber.close()));
    await ref?.close();
  });

  async function subscribe(options: Parameters<typeof Subscriber.connect>[1]): Promise<Subscriber> {
    const subscriber = await Subscriber.connect(ref.url, options);
    open.push(subscriber);
    return subscriber;
  }

  const about = (vmId: string) => (message: StreamMessage) => message.data.vm_id === vmId;

  it('greets a subscriber with the latest sequence and the server time', async () => {
    const subscriber = await subscribe({ token: viewer });
    const welcome = await subscriber.waitFor(() => true);
    assert.equal(welcome.type, 'welcome');
    assert.equal(typeof welcome.sequence, 'number');
    assert.ok(Math.abs(Date.parse(String(welcome.data.server_time)) - Date.now()) < 5000);
    assert.ok(!Number.isNaN(Date.parse(welcome.timestamp)));
  });

  it('announces a VM lifecycle in order, with strictly increasing sequence numbers', async () => {
    const subscriber = await subscribe({ token: viewer });
    const created = await ref.createVm(operator, { name: 'live-1' });
    await ref.waitForState(operator, created.body.id, 'running');
    await ref.request('POST', `/api/v1/vms/${created.body.id}/stop`, { token: operator });
    await ref.request('DELETE', `/api/v1/vms/${created.body.id}`, { token: operator });
    await subscriber.waitFor((message) => message.type === 'vm.deleted' && about(created.body.id)(message));
    const mine = subscriber.messages.filter(about(created.body.id));
    assert.deepEqual(
      mine.map((message) => [message.type, message.data.from_state ?? null, message.data.to_state ?? message.data.state ?? null, message.data.action ?? null]),
      [
        ['vm.created', null, 'creating', null],
        ['vm.state_changed', 'creating', 'provisioning', 'provision'],
        ['vm.state_changed', 'provisioning', 'running', 'ready'],
        ['vm.state_changed', 'running', 'stopped', 'stop'],
        ['vm.deleted', 'stopped', null, null],
      ],
    );
    assert.ok(mine.every((message) => message.data.name === 'live-1'));
    const sequences = subscriber.messages.slice(1).map((message) => message.sequence);
    assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b));
    assert.equal(new Set(sequences).size, sequences.length);
  });

  it('replays what a reconnecting client missed (?since=), then continues live', async () => {
    const first = await subscribe({ token: viewer });
    const created = await ref.createVm(operator, { name: 'resume-1' });
    const provisioning = await first.waitFor((m) => about(created.body.id)(m) && m.data.to_state === 'provisioning');
    await first.close();
    await ref.waitForState(operator, created.body.id, 'running');
    await ref.request('POST', `/api/v1/vms/${created.body.id}/pause`, { token: operator });

    const resumed = await subscribe({ token: viewer, query: `since=${provisioning.sequence}` });
    await resumed.waitFor((m) => about(created.body.id)(m) && m.data.to_state === 'paused');
    assert.equal(resumed.messages[0].type, 'welcome');
    const replayed = resumed.messages.slice(1);
    assert.ok(replayed.every((m) => m.sequence > provisioning.sequence), 'the replay repeats old events');
    assert.deepEqual(replayed.filter(about(created.body.id)).map((m) => m.data.to_state), ['running', 'paused']);
    await ref.request('POST', `/api/v1/vms/${created.body.id}/resume`, { token: operator });
    await resumed.waitFor((m) => about(created.body.id)(m) && m.data.action === 'resume');
  });

  it('filters by topic', async () => {
    const onlyOther = await subscribe({ token: viewer, query: 'topics=autoscaling' });
    const onlyVms = await subscribe({ token: viewer, query: 'topics=vm,autoscaling' });
    const created = await ref.createVm(operator, { name: 'topic-1' });
    await onlyVms.waitFor((m) => about(created.body.id)(m) && m.data.to_state === 'running');
    assert.deepEqual(onlyOther.messages.map((m) => m.type), ['welcome']);
  });

  it('accepts the token as ?token=', async () => {
    const subscriber = await subscribe({ token: viewer, viaQuery: true });
    assert.equal((await subscriber.waitFor(() => true)).type, 'welcome');
  });

  it('refuses the upgrade with 401 without a valid token, and 400 for a bad subscription', async () => {
    for (const options of [{}, { token: 'not-a-token' }, { token: 'not-a-token', viaQuery: true }]) {
      await assert.rejects(Subscriber.connect(ref.url, options), (error: { status?: number; body?: string }) => {
        assert.equal(error.status, 401);
        assert.ok(JSON.parse(error.body ?? '{}').error, 'the refusal gives no reason');
        return true;
      });
    }
    await assert.rejects(Subscriber.connect(ref.url, { token: viewer, query: 'since=-3' }), (error: { status?: number }) => error.status === 400);
    await assert.rejects(Subscriber.connect(ref.url, { token: viewer, query: 'topics=,' }), (error: { status?: number }) => error.status === 400);
  });

  it("closes every connection of a session with 4001 when it signs out, and only that session's", async () => {
    const session = await ref.login();
    const other = await ref.login();
    const tabs = [await subscribe({ token: session.token }), await subscribe({ token: session.token, viaQuery: true })];
    const bystander = await subscribe({ token: other.token });
    const closed = tabs.map((tab) => new Promise<number>((resolve) => tab.socket.once('close', (code) => resolve(code))));
    assert.equal((await ref.request('POST', '/api/auth/logout', { token: session.token })).status, 200);
    assert.deepEqual(await Promise.all(closed), [4001, 4001]);
    const created = await ref.createVm(operator, { name: 'after-logout-1' });
    await bystander.waitFor((m) => m.type === 'vm.created' && m.data.vm_id === created.body.id);
  });

  it('refuses a signed-out token', async () => {
    const session = await ref.login();
    assert.equal((await ref.request('POST', '/api/auth/logout', { token: session.token })).status, 200);
    await assert.rejects(Subscriber.connect(ref.url, { token: session.token }), (error: { status?: number }) => error.status === 401);
  });

  it('closes subscribers when the reference stops', async () => {
    const own = await TestReference.start('stream-close');
    try {
      const subscriber = await Subscriber.connect(own.url, { token: await own.adminToken() });
      const closed = new Promise<number>((resolve) => subscriber.socket.once('close', (code) => resolve(code)));
      await own.close();
      assert.equal(await closed, 1001);
    } catch (error) {
      await own.close();
      throw error;
    }
  });
});
