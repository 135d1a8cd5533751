import { randomBytes } from 'node:crypto';
import { NotImplementedError, STAND_IN_DETAIL } from '../capabilities';
import type { Actor, NovaWorld, Role } from '../world';
import { expectStatus } from './expect';
import type { Session } from './sessions';

/** A user account made by the administrator and deleted after the scenario; the password is random. */
export async function createUser(world: NovaWorld, username: string, role: Role): Promise<{ id: string; username: string; password: string }> {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const created = await (await world.suite.admin()).post<{ id: string }>('/api/v1/users', { username, email: `${username}@spec.novacron.test`, password, role });
  expectStatus(created, 201, `creating the ${role} account ${username}`);
  const id = created.data.id;
  world.ledger.add(`user ${username}`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/users/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  return { id, username, password };
}

/**
 * A user of the given role made for this scenario alone (deleted after it), signed in.
 * Scenarios never share accounts, so a lockout or a logout in one cannot disturb another.
 */
export async function signInAs(world: NovaWorld, role: Role, { expiresInSeconds }: { expiresInSeconds?: number } = {}): Promise<Actor> {
  const existing = world.actors.get(role);
  if (existing && expiresInSeconds === undefined) return (world.me = existing);
  const noUsersApi = world.suite.gate.lacks('accounts');
  if (noUsersApi) return standIn(world, role, noUsersApi, expiresInSeconds);
  let account: { id: string; username: string; password: string };
  try {
    account = await createUser(world, world.unique(role), role);
  } catch (error) {
    if (!(error instanceof NotImplementedError)) throw error;
    return standIn(world, role, world.suite.gate.lacks('accounts') ?? error.message, expiresInSeconds);
  }
  const { id: userId, username, password } = account;
  const session = await login(world, username, password, expiresInSeconds);
  const actor: Actor = {
    role,
    username,
    password,
    userId,
    token: session.token,
    refreshToken: session.refreshToken,
    api: world.suite.client(session.token),
  };
  world.actors.set(role, actor);
  world.me = actor;
  return actor;
}

/**
 * On a target without a users API the configured administrator signs in for the scenario's
 * administrator and operator (the report says so); a scenario that needs a viewer is not implemented.
 */
async function standIn(world: NovaWorld, role: Role, why: string, expiresInSeconds: number | undefined): Promise<Actor> {
  if (role === 'viewer') throw new NotImplementedError('the accounts API', `the scenario needs a viewer and the target has no users API to create one: ${why}`);
  const { adminUsername: username, adminPassword: password } = world.suite.config;
  const session = await login(world, username, password, expiresInSeconds);
  if (role !== 'admin') {
    world.metrics.detail(STAND_IN_DETAIL, `the administrator played the ${role} (the target has no users API to create one: ${why})`);
    world.log(`signed in as the administrator ${username} for the ${role}: the target has no users API (${why})`);
  }
  const actor: Actor = { role, username, password, userId: session.user.id, token: session.token, refreshToken: session.refreshToken, api: world.suite.client(session.token) };
  world.actors.set(role, actor);
  world.me = actor;
  return actor;
}

export async function login(world: NovaWorld, username: string, password: string, expiresInSeconds?: number): Promise<Session> {
  const response = await world.suite.client().post<Session>('/api/auth/login', { username, password, expires_in: expiresInSeconds });
  expectStatus(response, 200, `signing in as ${username}`);
  return response.data;
}
