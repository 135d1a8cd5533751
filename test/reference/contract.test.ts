import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Contract, loadContractDocument } from '../../support/contract';
import { Subscriber, TestReference, type Answer, type Vm } from './helpers';

/**
 * Every kind of answer the core API gives, checked against contract/openapi.yaml merged with
 * contract/domains/*.yaml, the same way the suite checks them.
 */
describe('the core API follows the contract', () => {
  const document = loadContractDocument();
  const contract = new Contract(document);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'contract');
  /** Problems of `value` against `#/components/schemas/<name>`, as readable lines. */
  const validateSchema = (name: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`contract#/components/schemas/${name}`);
    assert.ok(validate, `the contract has no schema ${name}`);
    return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  };
  let ref: TestReference;
  let admin: string;
  let operator: string;
  let viewer: string;

  before(async () => {
    ref = await TestReference.start('contract', { timings: { provision_step: 20 }, rateLimit: { requests: 200, windowSeconds: 60 } });
    admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
    viewer = (await ref.userToken('viewer', admin)).token;
  });

  after(async () => {
    await ref?.close();
  });

  async function call<T = Record<string, unknown>>(method: string, path: string, expected: number, options: Parameters<TestReference['request']>[2] = {}): Promise<Answer<T>> {
    const answer = await ref.request<T>(method, path, options);
    assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    const { problems } = contract.check(method, path, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    assert.deepEqual(problems, [], `the ${answer.status} answer to ${method} ${path} breaks the contract`);
    if (path.startsWith('/api/v1/')) {
      for (const header of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
        assert.match(answer.headers.get(header) ?? '', /^\d+$/, `${method} ${path} lacks ${header}`);
      }
    }
    return answer;
  }

  it('health', async () => {
    await call('GET', '/health', 200);
    await call('GET', '/api/v1/health', 200);
    await call('POST', '/api/v1/simulation/components/compute/fail', 200, { token: admin });
    await call('GET', '/health', 200);
    await call('POST', '/api/v1/simulation/components/compute/recover', 200, { token: admin });
    await call('POST', '/api/v1/simulation/components/database/fail', 200, { token: admin });
    try {
      await call('GET', '/health', 503);
      await call('GET', '/api/v1/health', 503);
      await call('POST', '/api/v1/vms', 503, { token: operator, body: { name: 'never-1' } });
      await call('POST', '/api/v1/users', 503, { token: admin, body: { username: 'never', email: 'never@example.test', password: 'long-enough', role: 'viewer' } });
      await call('POST', '/api/auth/login', 503, { body: { username: 'admin', password: 'test-admin-password' } });
    } finally {
      await call('POST', '/api/v1/simulation/components/database/recover', 200, { token: admin });
    }
    await call('POST', '/api/v1/simulation/components/storage/fail', 403, { token: operator });
    await call('POST', '/api/v1/simulation/components/storage/fail', 401);
    await call('POST', '/api/v1/simulation/components/warp-core/fail', 404, { token: admin });
  });

  it('auth and users', async () => {
    const session = await call<{ token: string; refreshToken: string }>('POST', '/api/auth/login', 200, { body: { username: 'admin', password: 'test-admin-password' } });
    await call('POST', '/api/auth/login', 400, { body: {} });
    await call('POST', '/api/auth/login', 401, { body: { username: 'admin', password: 'wrong-password' } });
    const refreshed = await call<{ token: string }>('POST', '/api/auth/refresh', 200, { body: { refreshToken: session.body.refreshToken } });
    await call('POST', '/api/auth/refresh', 401, { body: { refreshToken: session.body.refreshToken } });
    await call('POST', '/api/auth/refresh', 400, { body: {} });
    await call('GET', '/api/auth/me', 200, { token: refreshed.body.token });
    await call('GET', '/api/auth/me', 401);
    await call('POST', '/api/auth/logout', 200, { token: refreshed.body.token });
    await call('POST', '/api/auth/logout', 401, { token: refreshed.body.token });

    const body = { username: 'contract-user', email: 'contract@example.test', password: 'long-enough', role: 'viewer' };
    const created = await call<{ id: string }>('POST', '/api/v1/users', 201, { token: admin, body });
    await call('POST', '/api/v1/users', 409, { token: admin, body });
    await call('POST', '/api/v1/users', 400, { token: admin, body: { ...body, role: 'root' } });
    await call('POST', '/api/v1/users', 401, { body });
    await call('POST', '/api/v1/users', 403, { token: operator, body });
    await call('GET', `/api/v1/users/${created.body.id}`, 200, { token: admin });
    await call('GET', `/api/v1/users/${created.body.id}`, 403, { token: viewer });
    await call('GET', `/api/v1/users/${created.body.id}`, 401);
    await call('DELETE', `/api/v1/users/${created.body.id}`, 200, { token: admin });
    await call('DELETE', `/api/v1/users/${created.body.id}`, 404, { token: admin });
    await call('GET', `/api/v1/users/${created.body.id}`, 404, { token: admin });
    await call('DELETE', `/api/v1/users/${(await ref.login()).user.id}`, 409, { token: admin });
    await call('GET', '/api/v1/users', 200, { token: admin });
    await call('GET', '/api/v1/users?page_size=0', 400, { token: admin });
    await call('GET', '/api/v1/users', 403, { token: viewer });
    await call('POST', '/api/auth/login', 200, { body: { username: 'admin', password: 'test-admin-password', expires_in: 60 } });
    const member = await ref.userToken('viewer', admin);
    await call('PUT', `/api/v1/users/${member.id}/rate-limit`, 200, { token: admin, body: { limit: 10, window_seconds: 60 } });
    await call('PUT', `/api/v1/users/${member.id}/rate-limit`, 400, { token: admin, body: { limit: 0 } });
    await call('PUT', '/api/v1/users/usr-unknown/rate-limit', 404, { token: admin, body: { limit: 10, window_seconds: 60 } });
    await call('PUT', `/api/v1/users/${member.id}/rate-limit`, 403, { token: operator, body: { limit: 10, window_seconds: 60 } });
    for (let i = 0; i < 5; i++) await call('POST', '/api/auth/login', 401, { body: { username: member.username, password: 'wrong-password' } });
    await call('POST', '/api/auth/login', 423, { body: { username: member.username, password: member.password } });
  });

  it('dashboard', async () => {
    await call('GET', '/api/v1/dashboard/summary', 200, { token: viewer });
    await call('GET', '/api/v1/dashboard/summary?tag=none', 200, { token: viewer });
    await call('GET', '/api/v1/dashboard/summary', 401);
  });

  it('VMs', async () => {
    const created = await call<Vm>('POST', '/api/v1/vms', 201, { token: operator, body: { name: 'contract-vm', tags: ['contract'] } });
    const id = created.body.id;
    await ref.waitForState(viewer, id, 'running');
    await call('POST', '/api/v1/vms', 400, { token: operator, body: { name: 'Bad Name' } });
    await call('POST', '/api/v1/vms', 409, { token: operator, body: { name: 'contract-vm' } });
    await call('POST', '/api/v1/vms', 403, { token: viewer, body: { name: 'viewer-vm' } });
    await call('POST', '/api/v1/vms', 401, { body: { name: 'anonymous-vm' } });
    await call('GET', '/api/v1/vms', 200, { token: viewer });
    await call('GET', '/api/v1/vms?tag=contract&state=running&page=1&page_size=10', 200, { token: viewer });
    await call('GET', '/api/v1/vms?page_size=0', 400, { token: viewer });
    await call('GET', '/api/v1/vms', 401);
    await call('GET', `/api/v1/vms/${id}`, 200, { token: viewer });
    await call('GET', '/api/v1/vms/vm-00000000-0000-4000-8000-000000000000', 404, { token: viewer });
    await call('GET', `/api/v1/vms/${id}/events`, 200, { token: viewer });
    await call('GET', '/api/v1/vms/vm-00000000-0000-4000-8000-000000000000/events', 404, { token: viewer });
    await call('POST', `/api/v1/vms/${id}/pause`, 200, { token: operator });
    await call('POST', `/api/v1/vms/${id}/pause`, 409, { token: operator });
    await call('POST', `/api/v1/vms/${id}/stop`, 403, { token: viewer });
    await call('POST', `/api/v1/vms/${id}/reboot`, 404, { token: operator });
    await call('DELETE', `/api/v1/vms/${id}`, 403, { token: viewer });
    await call('DELETE', `/api/v1/vms/${id}`, 200, { token: operator });
    await call('DELETE', `/api/v1/vms/${id}`, 404, { token: operator });
  });

  it('rate limiting', async () => {
    const limited = await TestReference.start('contract-limited', { rateLimit: { requests: 1, windowSeconds: 86_400 } });
    try {
      const token = await limited.adminToken();
      await limited.request('GET', '/api/v1/vms', { token });
      for (const [method, path] of [
        ['GET', '/api/v1/vms'],
        ['GET', '/api/v1/health'],
        ['POST', '/api/v1/users'],
      ]) {
        const answer = await limited.request(method, path, { token, body: method === 'POST' ? {} : undefined });
        assert.equal(answer.status, 429);
        assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/);
        assert.deepEqual(contract.check(method, path, 429, answer.body, answer.headers.get('content-type') ?? undefined).problems, []);
      }
    } finally {
      await limited.close();
    }
  });

  it('stream messages', async () => {
    const subscriber = await Subscriber.connect(ref.url, { token: viewer });
    try {
      const created = await ref.createVm(operator, { name: 'stream-contract' });
      await ref.waitForState(viewer, created.body.id, 'running');
      await ref.request('DELETE', `/api/v1/vms/${created.body.id}`, { token: operator });
      await subscriber.waitFor((m) => m.type === 'vm.deleted' && m.data.vm_id === created.body.id);
    } finally {
      await subscriber.close();
    }
    const dataSchema: Record<string, string> = {
      welcome: 'StreamWelcomeData',
      'vm.created': 'VmCreatedData',
      'vm.state_changed': 'VmStateChangedData',
      'vm.deleted': 'VmDeletedData',
    };
    for (const message of subscriber.messages) {
      assert.deepEqual(validateSchema('StreamMessage', message), [], JSON.stringify(message));
      assert.deepEqual(validateSchema(dataSchema[message.type], message.data), [], JSON.stringify(message));
    }
  });
});
