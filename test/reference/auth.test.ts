import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, dropTestData, sleep, TestReference, withRedis } from './helpers';

interface Session {
  token: string;
  refreshToken: string;
  expiresAt: string;
  user: { id: string; username: string; email: string; role: string; created_at: string };
}

function claimsOf(token: string): { jti: string; exp: number; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

describe('auth and users', () => {
  let ref: TestReference;
  let admin: string;

  before(async () => {
    ref = await TestReference.start('auth');
    admin = await ref.adminToken();
  });

  after(async () => {
    await ref?.close();
  });

  const login = (body: Record<string, unknown>) => ref.request<Session>('POST', '/api/auth/login', { body });

  it('signs in the seeded admin by username or e-mail', async () => {
    const byName = await login({ username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(byName.status, 200);
    assert.deepEqual(Object.keys(byName.body).sort(), ['expiresAt', 'refreshToken', 'token', 'user']);
    assert.match(byName.body.user.id, /^usr-/);
    assert.deepEqual({ username: byName.body.user.username, role: byName.body.user.role }, { username: 'admin', role: 'admin' });
    const expiresIn = Date.parse(byName.body.expiresAt) - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000 + 1000, `the token expires in ${expiresIn} ms`);
    assert.equal(claimsOf(byName.body.token).exp * 1000, Date.parse(byName.body.expiresAt));
    const byEmail = await login({ email: byName.body.user.email.toUpperCase(), password: ADMIN_PASSWORD });
    assert.equal(byEmail.status, 200);
    assert.equal(byEmail.body.user.id, byName.body.user.id);
  });

  it('refuses wrong credentials with 401 and missing fields with 400 naming them', async () => {
    const wrong = await login({ username: 'admin', password: 'wrong-password' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { error: 'invalid username or password' });
    assert.equal((await login({ username: 'nobody', password: 'whatever1' })).status, 401);
    const missing = await ref.request<{ details: { field: string }[] }>('POST', '/api/auth/login', { body: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.details.map((detail) => detail.field), ['username', 'password']);
    assert.equal((await ref.request('POST', '/api/auth/login', { rawBody: '{"username":', headers: { 'content-type': 'application/json' } })).status, 400);
  });

  it('tells the caller who they are, without a password', async () => {
    const me = await ref.request<Record<string, unknown>>('GET', '/api/auth/me', { token: admin });
    assert.equal(me.status, 200);
    assert.deepEqual(Object.keys(me.body).sort(), ['created_at', 'email', 'id', 'role', 'username']);
    assert.equal((await ref.request('GET', '/api/auth/me')).status, 401);
    assert.equal((await ref.request('GET', '/api/auth/me', { headers: { authorization: 'Basic abc' } })).status, 401);
  });

  it('makes refresh tokens single-use', async () => {
    const session = (await login({ username: 'admin', password: ADMIN_PASSWORD })).body;
    const refreshed = await ref.request<Session>('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.token, session.token);
    assert.notEqual(refreshed.body.refreshToken, session.refreshToken);
    assert.equal((await ref.request('GET', '/api/auth/me', { token: refreshed.body.token })).status, 200);
    const reused = await ref.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    assert.equal(reused.status, 401);
    assert.match(String(reused.body.error), /already used/);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status, 200);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: {} })).status, 400);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken: 'rt_forged' } })).status, 401);
  });

  it('revokes the token at logout (in Redis, with its remaining lifetime) and ends the session', async () => {
    const session = (await login({ username: 'admin', password: ADMIN_PASSWORD })).body;
    const out = await ref.request('POST', '/api/auth/logout', { token: session.token });
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { status: 'logged_out' });
    const after = await ref.request('GET', '/api/auth/me', { token: session.token });
    assert.equal(after.status, 401);
    assert.match(String(after.body.error), /revoked/);
    const { jti, exp } = claimsOf(session.token);
    const ttl = await withRedis((redis) => redis.pttl(`${ref.prefix}revoked:${jti}`));
    assert.ok(ttl > 0 && ttl <= exp * 1000 - Date.now() + 1000, `the revocation expires in ${ttl} ms`);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } })).status, 401, 'the session can be refreshed after logout');
    assert.equal((await ref.request('POST', '/api/auth/logout', { token: session.token })).status, 401);
  });

  it('ends every access token of the session at logout, those issued before a refresh too', async () => {
    const first = (await login({ username: 'admin', password: ADMIN_PASSWORD })).body;
    const second = (await ref.request<Session>('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } })).body;
    const third = (await ref.request<Session>('POST', '/api/auth/refresh', { body: { refreshToken: second.refreshToken } })).body;
    for (const token of [first.token, second.token, third.token]) assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 200, 'a refresh ended the tokens before it');
    assert.equal((await ref.request('POST', '/api/auth/logout', { token: second.token })).status, 200);
    for (const [name, token] of [['first', first.token], ['second', second.token], ['third', third.token]]) {
      assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 401, `the ${name} token of a signed-out session still works`);
    }
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken: third.refreshToken } })).status, 401, 'the session can be renewed after logout');
    const sid = (JSON.parse(Buffer.from(first.token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const ttl = await withRedis((redis) => redis.pttl(`${ref.prefix}revoked-session:${sid}`));
    assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000 + 2000, `the end of the session is kept for ${ttl} ms, not the lifetime of its tokens`);
    const other = (await login({ username: 'admin', password: ADMIN_PASSWORD })).body;
    assert.equal((await ref.request('GET', '/api/auth/me', { token: other.token })).status, 200, 'signing out ended another session of the same user');
  });

  it('spreads a revocation to another instance sharing Redis, and restores revocations at start', async () => {
    const secret = randomBytes(24).toString('hex');
    const first = await TestReference.start('auth-shared', { jwtSecret: secret });
    const second = await TestReference.start('auth-shared', { jwtSecret: secret }, { schema: first.schema, prefix: first.prefix });
    try {
      const early = (await first.login()).token;
      const late = await first.login();
      assert.equal((await second.request('GET', '/api/auth/me', { token: early })).status, 200, 'instances share the signing key');
      assert.equal((await first.request('POST', '/api/auth/logout', { token: early })).status, 200);
      let seen = 0;
      for (let attempt = 0; attempt < 200 && seen !== 401; attempt++) {
        seen = (await second.request('GET', '/api/auth/me', { token: early })).status;
        if (seen !== 401) await sleep(10);
      }
      assert.equal(seen, 401, 'the other instance still accepts the revoked token');
      await second.close({ keepData: true });
      const renewed = await first.request<Session>('POST', '/api/auth/refresh', { body: { refreshToken: late.refreshToken } });
      assert.equal((await first.request('POST', '/api/auth/logout', { token: late.token })).status, 200);
      const restarted = await TestReference.start('auth-shared', { jwtSecret: secret }, { schema: first.schema, prefix: first.prefix });
      try {
        assert.equal((await restarted.request('GET', '/api/auth/me', { token: late.token })).status, 401, 'a restarted instance forgot a revocation');
        assert.equal((await restarted.request('GET', '/api/auth/me', { token: renewed.body.token })).status, 401, 'a restarted instance forgot the end of a session');
      } finally {
        await restarted.close();
      }
    } finally {
      await first.close();
    }
  });

  it('rejects an expired token', async () => {
    const quick = await TestReference.start('auth-expiry', { timings: { access_token_ttl: 1000 } });
    try {
      const token = (await quick.login()).token;
      assert.equal((await quick.request('GET', '/api/auth/me', { token })).status, 200);
      await sleep(claimsOf(token).exp * 1000 - Date.now() + 50);
      const expired = await quick.request('GET', '/api/auth/me', { token });
      assert.equal(expired.status, 401);
      assert.match(String(expired.body.error), /expired/);
    } finally {
      await quick.close();
    }
  });

  it('opens a shorter session with expires_in, which a refresh keeps', async () => {
    const short = await login({ username: 'admin', password: ADMIN_PASSWORD, expires_in: 2 });
    assert.equal(short.status, 200);
    const lifetime = claimsOf(short.body.token).exp * 1000 - Date.now();
    assert.ok(lifetime > 1000 && lifetime <= 3000, `the session lasts ${lifetime} ms`);
    const renewed = await ref.request<Session>('POST', '/api/auth/refresh', { body: { refreshToken: short.body.refreshToken } });
    const renewedLifetime = claimsOf(renewed.body.token).exp * 1000 - Date.now();
    assert.ok(renewedLifetime > 1000 && renewedLifetime <= 3000, `the renewed session lasts ${renewedLifetime} ms`);
    for (const expires_in of [0, 86_401, 1.5, '60']) {
      const refused = await ref.request<{ details: { field: string }[] }>('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, expires_in } });
      assert.equal(refused.status, 400, `expires_in ${JSON.stringify(expires_in)}`);
      assert.deepEqual(refused.body.details.map((detail) => detail.field), ['expires_in']);
    }
  });

  it('locks an account after 5 failed sign-ins in a row, even against the right password, until the lockout ends', async () => {
    const quick = await TestReference.start('auth-lockout', { timings: { lockout: 1500 } });
    try {
      const admin = await quick.adminToken();
      const member = await quick.userToken('viewer', admin);
      const attempt = (password: string) => quick.request('POST', '/api/auth/login', { body: { username: member.username, password } });
      for (let i = 1; i <= 4; i++) assert.equal((await attempt(`wrong-${i}`)).status, 401);
      assert.equal((await attempt(member.password)).status, 200, 'four failures do not lock');
      for (let i = 1; i <= 5; i++) assert.equal((await attempt(`wrong-${i}`)).status, 401, `failure ${i} after the reset`);
      const locked = await attempt(member.password);
      assert.equal(locked.status, 423);
      const lockedUntil = Date.parse(String(locked.body.locked_until));
      assert.ok(lockedUntil > Date.now() && lockedUntil <= Date.now() + 1500, `locked until ${locked.body.locked_until}`);
      assert.equal(locked.body.error, `account locked after 5 failed sign-ins; try again after ${locked.body.locked_until}`);
      const stored = await quick.sql<{ failed_sign_ins: number; locked_until: Date }>('SELECT failed_sign_ins, locked_until FROM users WHERE id = $1', [member.id]);
      assert.equal(stored[0].failed_sign_ins, 5);
      assert.equal(stored[0].locked_until.toISOString(), locked.body.locked_until);
      await sleep(lockedUntil - Date.now() + 50);
      assert.equal((await attempt(member.password)).status, 200, 'the lock does not end');
      assert.deepEqual(await quick.sql('SELECT failed_sign_ins, locked_until FROM users WHERE id = $1', [member.id]), [{ failed_sign_ins: 0, locked_until: null }]);
      const unknown = await quick.request('POST', '/api/auth/login', { body: { username: 'nobody-at-all', password: 'wrong-password' } });
      assert.deepEqual([unknown.status, unknown.body], [401, { error: 'invalid username or password' }]);
    } finally {
      await quick.close();
    }
  });

  it('lists users for admins, a page at a time', async () => {
    const viewer = await ref.userToken('viewer', admin);
    const all = await ref.request<{ items: { id: string; username: string }[]; total: number; page: number; page_size: number }>('GET', '/api/v1/users', { token: admin });
    assert.equal(all.status, 200);
    assert.equal(all.body.total, all.body.items.length);
    assert.ok(all.body.items.some((user) => user.username === 'admin'));
    assert.ok(all.body.items.every((user) => Object.keys(user).sort().join() === 'created_at,email,id,role,username'));
    const second = await ref.request<{ items: { id: string }[]; page: number; page_size: number }>('GET', '/api/v1/users?page=2&page_size=1', { token: admin });
    assert.deepEqual([second.body.page, second.body.page_size, second.body.items.map((user) => user.id)], [2, 1, [all.body.items[1].id]]);
    assert.equal((await ref.request('GET', '/api/v1/users?page_size=0', { token: admin })).status, 400);
    assert.equal((await ref.request('GET', '/api/v1/users?role=admin', { token: admin })).status, 400);
    assert.equal((await ref.request('GET', '/api/v1/users', { token: viewer.token })).status, 403);
    const prefix = `${viewer.username.slice(0, -2)}`;
    const matching = all.body.items.filter((user) => user.username.startsWith(prefix)).length;
    const filtered = await ref.request<{ items: { id: string }[]; total: number }>('GET', `/api/v1/users?username_prefix=${prefix}&page_size=1`, { token: admin });
    assert.deepEqual([filtered.status, filtered.body.total, filtered.body.items.length], [200, matching, 1], 'the filter by username prefix');
    const none = await ref.request<{ items: unknown[]; total: number }>('GET', '/api/v1/users?username_prefix=no-such-prefix-', { token: admin });
    assert.deepEqual([none.body.total, none.body.items], [0, []]);
  });

  it('lets admins create, read and delete users, with validation and unique names', async () => {
    const username = `ops-${randomBytes(3).toString('hex')}`;
    const body = { username, email: `${username}@example.test`, password: 'long-enough', role: 'operator' };
    const created = await ref.request<Record<string, unknown>>('POST', '/api/v1/users', { token: admin, body });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['created_at', 'email', 'id', 'role', 'username']);
    assert.equal(created.headers.get('x-ratelimit-limit'), '100000');
    const read = await ref.request('GET', `/api/v1/users/${created.body.id}`, { token: admin });
    assert.deepEqual(read.body, created.body);
    const stored = await ref.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [created.body.id]);
    assert.match(stored[0].password_hash, /^scrypt\$/);
    assert.equal((await ref.request('POST', '/api/v1/users', { token: admin, body })).status, 409);
    assert.equal((await ref.request('POST', '/api/v1/users', { token: admin, body: { ...body, username: `${username}-2` } })).status, 409, 'duplicate e-mail');
    const invalid = await ref.request<{ details: { field: string }[] }>('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'x', email: 'not-an-email', password: 'short', role: 'root', extra: 1 },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.details.map((detail) => detail.field), ['username', 'email', 'password', 'role', 'extra']);
    for (const name of ['Upper-Case', 'has space', 'ab', 'x'.repeat(65)]) {
      const refused = await ref.request<{ details: { field: string }[] }>('POST', '/api/v1/users', { token: admin, body: { ...body, username: name } });
      assert.deepEqual(refused.body.details?.map((detail) => detail.field), ['username'], name);
    }

    const token = (await ref.login(username, 'long-enough')).token;
    assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 200);
    const deleted = await ref.request('DELETE', `/api/v1/users/${created.body.id}`, { token: admin });
    assert.deepEqual(deleted.body, { id: created.body.id, status: 'deleted' });
    assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 401, "a deleted user's token still works");
    assert.equal((await ref.request('GET', `/api/v1/users/${created.body.id}`, { token: admin })).status, 404);
    assert.equal((await ref.request('DELETE', `/api/v1/users/${created.body.id}`, { token: admin })).status, 404);
  });

  it('keeps user management for admins: operators and viewers are refused with 403', async () => {
    const operator = await ref.userToken('operator', admin);
    const viewer = await ref.userToken('viewer', admin);
    const body = { username: 'sneaky', email: 'sneaky@example.test', password: 'long-enough', role: 'admin' };
    for (const token of [operator.token, viewer.token]) {
      const refused = await ref.request('POST', '/api/v1/users', { token, body });
      assert.equal(refused.status, 403);
      assert.match(String(refused.body.error), /requires the admin role/);
      assert.equal((await ref.request('GET', `/api/v1/users/${operator.id}`, { token })).status, 403);
      assert.equal((await ref.request('DELETE', `/api/v1/users/${viewer.id}`, { token })).status, 403);
    }
    assert.equal((await ref.request('POST', '/api/v1/users', { body })).status, 401);
    const self = (await ref.login()).user.id;
    assert.equal((await ref.request('DELETE', `/api/v1/users/${self}`, { token: admin })).status, 409);
  });

  it('resets the admin password to the configured one at start', async () => {
    const changed = await TestReference.start('auth-admin', { adminPassword: 'first-password' });
    try {
      await changed.close({ keepData: true });
      const again = await TestReference.start('auth-admin', { adminPassword: 'second-password' }, { schema: changed.schema, prefix: changed.prefix });
      try {
        assert.equal((await again.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'first-password' } })).status, 401);
        assert.equal((await again.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'second-password' } })).status, 200);
      } finally {
        await again.close({ keepData: true });
      }
    } finally {
      await dropTestData(changed.schema, changed.prefix);
    }
  });
});
