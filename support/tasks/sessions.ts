import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { expectStatus } from './expect';

export interface Session {
  token: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string; username: string; email: string; role: string };
}

export interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
}

interface SessionState {
  ended?: Session;
  renewed?: Session;
  usedRefreshToken?: string;
  account?: Account;
  signIns: ApiResponse<Session>[];
}

export function sessions(world: NovaWorld): SessionState {
  return world.domain('sessions', (): SessionState => ({ signIns: [] }));
}

export function signInRequest(world: NovaWorld, credentials: Record<string, unknown>): Promise<ApiResponse<Session>> {
  return world.suite.client().post<Session>('/api/auth/login', credentials);
}

/** A viewer account made for this scenario (deleted after it), not signed in. */
export async function createAccount(world: NovaWorld, alias = 'member'): Promise<Account> {
  const admin = await world.suite.admin();
  const username = world.unique(alias);
  const account = { username, email: `${username}@spec.novacron.test`, password: `pw-${randomBytes(9).toString('base64url')}` };
  const response = await admin.post<{ id: string }>('/api/v1/users', { ...account, role: 'viewer' });
  expectStatus(response, 201, `creating the account ${username}`);
  const id = response.data.id;
  world.ledger.add(`user ${username}`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/users/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  const created = { id, ...account };
  sessions(world).account = created;
  return created;
}

export function accountOfScenario(world: NovaWorld): Account {
  const account = sessions(world).account;
  if (!account) throw new Error('no user account was created in this scenario: add "Given a user account"');
  return account;
}

export async function signOut(world: NovaWorld): Promise<void> {
  const actor = world.actor;
  const response = await actor.api.post('/api/auth/logout');
  expectStatus(response, 200, 'signing out');
  sessions(world).ended = { token: actor.token, refreshToken: actor.refreshToken, expiresAt: '', user: { id: actor.userId, username: actor.username, email: '', role: actor.role } };
}

/** The token the scenario's last sign-out or expiry made stale: the ended session, else the current one. */
export function oldToken(world: NovaWorld): string {
  return sessions(world).ended?.token ?? world.actor.token;
}

export async function expectSessionRejected(world: NovaWorld, token: string): Promise<void> {
  const response = await world.suite.client(token).get('/api/auth/me', { retries: 0 });
  assert.equal(response.status, 401, `a session that should have ended still works (${response.operation} answered ${response.status})`);
}

export async function expectSessionWorks(world: NovaWorld, token: string, userId: string): Promise<void> {
  const response = await world.suite.client(token).get<{ id: string }>('/api/auth/me');
  expectStatus(response, 200, 'using the session');
  assert.equal(response.data.id, userId, 'the session belongs to another user');
}

export async function renew(world: NovaWorld): Promise<Session> {
  const actor = world.actor;
  const response = await world.suite.client().post<Session>('/api/auth/refresh', { refreshToken: actor.refreshToken });
  expectStatus(response, 200, 'renewing the session');
  const state = sessions(world);
  state.usedRefreshToken = actor.refreshToken;
  state.renewed = response.data;
  actor.token = response.data.token;
  actor.refreshToken = response.data.refreshToken;
  actor.api.setToken(response.data.token);
  return response.data;
}

export async function expectRefreshTokenSpent(world: NovaWorld): Promise<void> {
  const used = sessions(world).usedRefreshToken;
  if (!used) throw new Error('no session was renewed in this scenario');
  const response = await world.suite.client().post('/api/auth/refresh', { refreshToken: used });
  assert.equal(response.status, 401, `a refresh token was accepted twice (${response.status})`);
}

/** The token's id (jti) and expiry, read from its payload. */
export function tokenClaims(token: string): { jti: string; exp: number; sub?: string } {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the session token is not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string; exp: number; sub?: string };
}

export async function expectRevocationInCache(world: NovaWorld, token: string): Promise<void> {
  const { jti, exp } = tokenClaims(token);
  const redis = await world.suite.redis();
  const key = world.suite.redisKey(`revoked:${jti}`);
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0, `the ended session is not recorded in the cache (key ${key}: ttl ${ttl})`);
  const remaining = exp - Math.floor(Date.now() / 1000);
  assert.ok(ttl <= remaining + 2, `the record of the ended session outlives the session: ttl ${ttl} s, session had ${remaining} s left`);
}

/** A token with a valid shape that no server signed. */
export function forgedToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'usr-forged', role: 'admin', jti: randomBytes(8).toString('hex'), iat: now, exp: now + 600 })}.${randomBytes(32).toString('base64url')}`;
}
