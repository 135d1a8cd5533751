import { randomBytes } from 'node:crypto';
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
  const { id: userId, username, password } = await createUser(world, world.unique(role), role);
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

export async function login(world: NovaWorld, username: string, password: string, expiresInSeconds?: number): Promise<Session> {
  const response = await world.suite.client().post<Session>('/api/auth/login', { username, password, expires_in: expiresInSeconds });
  expectStatus(response, 200, `signing in as ${username}`);
  return response.data;
}
