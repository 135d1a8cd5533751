import assert from 'node:assert/strict';
import type { ApiClient, ApiResponse, HttpMethod } from '../api-client';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';
import { accountOfScenario, createAccount, signInRequest } from './sessions';
import { submitVm, type Vm } from './vms';

/** A VM created by the administrator for this scenario, running (for actions that need a target). */
async function targetVm(world: NovaWorld): Promise<Vm> {
  const admin = await world.suite.admin();
  const response = await admin.post<Vm>('/api/v1/vms', { name: world.unique('target'), tags: [world.scenarioTag] });
  expectStatus(response, 201, 'creating a virtual machine to act on');
  const vm = response.data;
  world.ledger.add(`VM ${vm.name} (${vm.id})`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/vms/${vm.id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  for (let i = 0; i < 200; i++) {
    const current = await admin.get<Vm>(`/api/v1/vms/${vm.id}`);
    if (current.data.state === 'running') return current.data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the virtual machine ${vm.name} to act on never reached running`);
}

/** One attempt at a protected action: the request made, and how to check that it took effect. */
interface Attempt {
  method: HttpMethod;
  path: string;
  response: ApiResponse;
  /** Checks, through the administrator, that the allowed action did what it promises. */
  tookEffect: (world: NovaWorld) => Promise<void>;
}

async function asAdmin(world: NovaWorld): Promise<ApiClient> {
  return world.suite.admin();
}

async function attemptOn(world: NovaWorld, method: HttpMethod, path: string, body: unknown, tookEffect: Attempt['tookEffect']): Promise<Attempt> {
  const response = await world.actor.api.request(method, path, body);
  return { method, path, response, tookEffect };
}

/** The protected actions of the role matrix, in the words of the feature. */
const PROTECTED_ACTIONS: Record<string, (world: NovaWorld) => Promise<Attempt>> = {
  'list the virtual machines': async (world) => {
    const path = '/api/v1/vms';
    const response = await world.actor.api.get<{ items?: unknown }>(path, { params: { tag: world.scenarioTag } });
    return {
      method: 'GET',
      path,
      response,
      tookEffect: async () => assert.ok(Array.isArray(response.data.items), `listing the virtual machines gave no list: ${JSON.stringify(response.data)}`),
    };
  },
  'create a virtual machine': async (world) => {
    const name = world.unique('matrix');
    const response = await submitVm(world, { name });
    return {
      method: 'POST',
      path: '/api/v1/vms',
      response,
      tookEffect: async () => {
        const read = await (await asAdmin(world)).get<Vm>(`/api/v1/vms/${response.data.id}`);
        expectStatus(read, 200, `reading back the virtual machine "${name}" that was created`);
        assert.equal(read.data.name, name, `the virtual machine created as "${name}" reads back as "${read.data.name}"`);
      },
    };
  },
  'stop a virtual machine': async (world) => {
    const vm = await targetVm(world);
    return attemptOn(world, 'POST', `/api/v1/vms/${vm.id}/stop`, undefined, async () => {
      const read = await (await asAdmin(world)).get<Vm>(`/api/v1/vms/${vm.id}`);
      expectStatus(read, 200, `reading the virtual machine ${vm.name} that was stopped`);
      assert.equal(read.data.state, 'stopped', `the virtual machine ${vm.name} is ${read.data.state} after it was stopped`);
    });
  },
  'delete a virtual machine': async (world) => {
    const vm = await targetVm(world);
    return attemptOn(world, 'DELETE', `/api/v1/vms/${vm.id}`, undefined, async () => {
      const read = await (await asAdmin(world)).get<Vm>(`/api/v1/vms/${vm.id}`);
      assert.equal(read.status, 404, `the virtual machine ${vm.name} can still be read (${read.status} ${JSON.stringify(read.data)}) after it was deleted`);
    });
  },
  'create a user account': async (world) => {
    const username = world.unique('newcomer');
    const path = '/api/v1/users';
    const response = await world.actor.api.post<{ id: string }>(path, {
      username,
      email: `${username}@spec.novacron.test`,
      password: 'a-long-enough-password',
      role: 'viewer',
    });
    if (response.status === 201) {
      world.ledger.add(`user ${username}`, async () => {
        await (await world.suite.admin()).delete(`/api/v1/users/${response.data.id}`);
      });
    }
    return {
      method: 'POST',
      path,
      response,
      tookEffect: async () => {
        const read = await (await asAdmin(world)).get<{ username: string; role: string }>(`/api/v1/users/${response.data.id}`);
        expectStatus(read, 200, `reading back the user account "${username}" that was created`);
        assert.deepEqual({ username: read.data.username, role: read.data.role }, { username, role: 'viewer' }, `the user account created as "${username}" reads back differently`);
      },
    };
  },
};

function attempts(world: NovaWorld): { last?: Attempt } {
  return world.domain('access', () => ({}));
}

export async function attempt(world: NovaWorld, action: string): Promise<void> {
  const perform = PROTECTED_ACTIONS[action];
  if (!perform) throw new Error(`unknown action "${action}": expected one of ${Object.keys(PROTECTED_ACTIONS).join('; ')}`);
  const made = await perform(world);
  attempts(world).last = made;
  world.lastResponse = made.response;
}

/**
 * The action was allowed: it answered the one success status the contract documents for its
 * operation (201 for a creation, 200 for the others, not just any 2xx), and it took effect.
 */
export async function expectAllowed(world: NovaWorld): Promise<void> {
  const made = attempts(world).last;
  assert.ok(made, 'no action was attempted');
  const { response } = made;
  const promised = world.suite.contract.successStatuses(made.method, made.path);
  assert.equal(promised.length, 1, `the contract should document exactly one success for ${response.operation}, it documents ${JSON.stringify(promised)}`);
  assert.ok(response.status >= 200 && response.status < 300, `the action was refused: ${response.operation} answered ${response.status} ${JSON.stringify(response.data)}`);
  assert.equal(response.status, promised[0], `${response.operation} answered ${response.status}, but the contract promises ${promised[0]} for it`);
  await made.tookEffect(world);
}

const SECRET_FIELD = /pass(word)?|hash|salt|secret/i;

/** Every path in `value` whose key looks like a secret, or whose value is the password itself. */
export function secretsIn(value: unknown, password: string, path = '$'): string[] {
  if (typeof value === 'string') return value === password ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => [
    ...(SECRET_FIELD.test(key) ? [`${path}.${key}`] : []),
    ...secretsIn(item, password, `${path}.${key}`),
  ]);
}

export async function answersAboutAnAccount(world: NovaWorld): Promise<{ answers: ApiResponse[]; password: string }> {
  const account = await createAccount(world, 'exposed');
  const admin = world.actor.api;
  const answers = [
    await admin.get(`/api/v1/users/${account.id}`),
    await admin.get('/api/v1/users', { params: { page_size: 500 } }),
    await signInRequest(world, { username: account.username, password: account.password }),
  ];
  for (const answer of answers) expectStatus(answer, 200, `reading the account back (${answer.operation})`);
  return { answers, password: account.password };
}

export async function failSignIns(world: NovaWorld, times: number): Promise<void> {
  const account = accountOfScenario(world);
  for (let i = 1; i <= times; i++) {
    const response = await signInRequest(world, { username: account.username, password: `wrong-${i}` });
    assert.equal(response.status, 401, `wrong password attempt ${i} answered ${response.status}`);
  }
}

export async function expectLockedOut(world: NovaWorld): Promise<void> {
  const account = accountOfScenario(world);
  const response = await signInRequest(world, { username: account.username, password: account.password });
  world.lastResponse = response;
  const body = response.data as unknown as { error?: string };
  assert.equal(response.status, 423, `after repeated failures the right password answered ${response.status}, expected the account to be locked (423)`);
  assert.match(body.error ?? '', /lock/i, `the refusal does not say the account is locked: ${JSON.stringify(body)}`);
}

export async function setRateLimit(world: NovaWorld, limit: number, windowSeconds: number): Promise<void> {
  const admin = await world.suite.admin();
  const response = await admin.put(`/api/v1/users/${world.actor.userId}/rate-limit`, { limit, window_seconds: windowSeconds });
  expectStatus(response, 200, `setting a rate limit of ${limit} per ${windowSeconds} s`);
  world.state.set('rate-limit-set', { limit, windowSeconds });
}

export async function repeatList(world: NovaWorld, times: number): Promise<ApiResponse[]> {
  const answers: ApiResponse[] = [];
  for (let i = 0; i < times; i++) answers.push(await world.actor.api.get('/api/v1/vms', { params: { page_size: 1 }, retries: 0 }));
  world.domain('rate-limit', () => answers);
  return answers;
}

export function rateLimitedAnswers(world: NovaWorld): ApiResponse[] {
  const answers = world.state.get('rate-limit') as ApiResponse[] | undefined;
  if (!answers) throw new Error('no requests were repeated in this scenario');
  return answers;
}

export function expectCountdown(world: NovaWorld, allowed: number): void {
  const answers = rateLimitedAnswers(world).slice(0, allowed);
  answers.forEach((answer, i) => {
    assert.equal(answer.status, 200, `request ${i + 1} of ${allowed} was refused (${answer.status})`);
    assert.equal(answer.headers['x-ratelimit-limit'], String(allowed), `request ${i + 1} states a limit of ${answer.headers['x-ratelimit-limit']}`);
    assert.equal(answer.headers['x-ratelimit-remaining'], String(allowed - i - 1), `request ${i + 1} states ${answer.headers['x-ratelimit-remaining']} remaining`);
    assert.ok(Number(answer.headers['x-ratelimit-reset']) * 1000 > Date.now() - 1000, `request ${i + 1} states no future reset time`);
  });
}

export function expectThrottled(world: NovaWorld, index: number): void {
  const answer = rateLimitedAnswers(world)[index - 1];
  assert.ok(answer, `only ${rateLimitedAnswers(world).length} requests were made`);
  assert.equal(answer.status, 429, `request ${index} answered ${answer.status}, expected to be refused as too many`);
  const retryAfter = Number(answer.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `request ${index} gives no usable Retry-After: ${answer.headers['retry-after']}`);
}

/**
 * The counter of the window the repeated requests fell in (named by their X-RateLimit-Reset) is in
 * the cache and counts every one of them: the answered ones and the one refused as too many.
 */
export async function expectCountInCache(world: NovaWorld): Promise<void> {
  const answers = rateLimitedAnswers(world);
  const set = world.state.get('rate-limit-set') as { limit: number; windowSeconds: number } | undefined;
  if (!set) throw new Error('no rate limit was set in this scenario: add "Given my rate limit is <n> requests per minute"');
  const resets = [...new Set(answers.map((answer) => answer.headers['x-ratelimit-reset']))];
  assert.equal(resets.length, 1, `the ${answers.length} requests fell in more than one window (X-RateLimit-Reset ${resets.join(', ')}): run the scenario again`);
  const windowStart = Number(resets[0]) - set.windowSeconds;
  assert.ok(Number.isInteger(windowStart), `X-RateLimit-Reset "${resets[0]}" is not a time in seconds`);
  const redis = await world.suite.redis();
  const key = world.suite.redisKey(`ratelimit:${world.actor.userId}:${windowStart}`);
  const stored = await redis.get(key);
  assert.ok(stored !== null, `no request counter in the cache for the window of the requests (looked for ${key}; present: ${(await redis.keys(world.suite.redisKey(`ratelimit:${world.actor.userId}:*`))).join(', ') || 'none'})`);
  const refused = answers.filter((answer) => answer.status === 429).length;
  assert.ok(
    Number(stored) >= answers.length,
    `the cache counts ${stored} requests in the window, but I made ${answers.length} (${answers.length - refused} answered within my limit of ${set.limit}, ${refused} refused)`,
  );
}
