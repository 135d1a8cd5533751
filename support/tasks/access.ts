import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
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

/** The protected actions of the role matrix, in the words of the feature. */
const PROTECTED_ACTIONS: Record<string, (world: NovaWorld) => Promise<ApiResponse>> = {
  'list the virtual machines': (world) => world.actor.api.get('/api/v1/vms', { params: { tag: world.scenarioTag } }),
  'create a virtual machine': (world) => submitVm(world, { name: world.unique('matrix') }),
  'stop a virtual machine': async (world) => world.actor.api.post(`/api/v1/vms/${(await targetVm(world)).id}/stop`),
  'delete a virtual machine': async (world) => world.actor.api.delete(`/api/v1/vms/${(await targetVm(world)).id}`),
  'create a user account': async (world) => {
    const username = world.unique('newcomer');
    const response = await world.actor.api.post<{ id: string }>('/api/v1/users', {
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
    return response;
  },
};

export async function attempt(world: NovaWorld, action: string): Promise<void> {
  const perform = PROTECTED_ACTIONS[action];
  if (!perform) throw new Error(`unknown action "${action}": expected one of ${Object.keys(PROTECTED_ACTIONS).join('; ')}`);
  world.lastResponse = await perform(world);
}

export function expectAllowed(world: NovaWorld): void {
  const response = world.lastResponse;
  assert.ok(response, 'no action was attempted');
  assert.ok(response.status >= 200 && response.status < 300, `the action was refused: ${response.operation} answered ${response.status} ${JSON.stringify(response.data)}`);
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

export async function expectCountInCache(world: NovaWorld, atLeast: number): Promise<void> {
  const redis = await world.suite.redis();
  const pattern = world.suite.redisKey(`ratelimit:${world.actor.userId}:*`);
  const keys = await redis.keys(pattern);
  assert.ok(keys.length > 0, `no request counter in the cache (looked for ${pattern})`);
  const counts = await Promise.all(keys.map((key) => redis.get(key)));
  const highest = Math.max(...counts.map(Number));
  assert.ok(highest >= atLeast, `the cache counts ${highest} requests, expected at least ${atLeast}`);
}
