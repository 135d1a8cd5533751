import assert from 'node:assert/strict';
import type { ApiClient } from '../../api-client';
import { adminRead, createdAs, deletionProbe, fields, itemIds, readProbe, type Probe } from '../probe';

const AREA = 'accounts and sessions';

/** Who a token belongs to, as the target says (undefined when it refuses the token). */
async function ownerOf(admin: ApiClient, token: string): Promise<string | undefined> {
  const me = await admin.as(token).get<{ id: string }>('/api/auth/me', { retries: 0 });
  return me.status === 200 ? me.data.id : undefined;
}

export const ACCOUNT_PROBES: Record<string, Probe> = {
  'POST /api/auth/login': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const account = await fixtures.account();
      return {
        path: '/api/auth/login',
        body: { username: account.username, password: account.password },
        effect: async (answer) => {
          const { token } = answer.data as { token: string };
          assert.equal(await ownerOf(admin, token), account.id, `the token handed out for ${account.username} does not work as that account`);
        },
      };
    },
  },
  'POST /api/auth/refresh': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const account = await fixtures.account();
      const session = await fixtures.session(account.username, account.password);
      return {
        path: '/api/auth/refresh',
        body: { refreshToken: session.refreshToken },
        effect: async (answer) => {
          const { token } = answer.data as { token: string };
          assert.equal(await ownerOf(admin, token), account.id, `the renewed token of ${account.username} does not work as that account`);
        },
      };
    },
  },
  'POST /api/auth/logout': {
    area: AREA,
    prepare: async ({ admin, fixtures, account }) => {
      // A session of its own: signing out must not end the caller's session for the other calls.
      const session = account ? await fixtures.session(account.username, account.password) : undefined;
      return {
        path: '/api/auth/logout',
        token: session?.token,
        observe: async () => (session ? ownerOf(admin, session.token) : undefined),
        effect: async () => {
          assert.equal(await ownerOf(admin, session?.token ?? ''), undefined, 'the session that signed out still works');
        },
      };
    },
  },
  'GET /api/auth/me': {
    area: AREA,
    prepare: async ({ account }) => ({
      path: '/api/auth/me',
      effect: (answer) => assert.equal((answer.data as { id?: string }).id, account?.userId, `it names ${JSON.stringify(answer.data)} instead of the caller`),
    }),
  },
  'GET /api/v1/users': readProbe(
    AREA,
    async ({ fixtures }) => ({ path: '/api/v1/users', params: { username_prefix: (await fixtures.account()).username } }),
    itemIds,
  ),
  'POST /api/v1/users': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const username = fixtures.name('user');
      return {
        path: '/api/v1/users',
        body: { username, email: `${username}@spec.novacron.test`, password: 'a-long-enough-password', role: 'viewer' },
        observe: async () => itemIds(await adminRead(admin, '/api/v1/users', { username_prefix: username })),
        effect: createdAs(fixtures, '/api/v1/users', { username, role: 'viewer' }),
      };
    },
  },
  'GET /api/v1/users/{id}': readProbe(AREA, async ({ fixtures }) => ({ path: `/api/v1/users/${(await fixtures.account()).id}` }), fields('id', 'username', 'email', 'role')),
  'DELETE /api/v1/users/{id}': deletionProbe(AREA, async ({ fixtures }) => `/api/v1/users/${(await fixtures.account()).id}`),
  'PUT /api/v1/users/{id}/rate-limit': {
    area: AREA,
    prepare: async ({ admin, fixtures }) => {
      const account = await fixtures.account();
      const { token } = await fixtures.session(account.username, account.password);
      const limitOf = async () => (await admin.as(token).get('/api/v1/vms', { params: { page_size: 1 } })).headers['x-ratelimit-limit'];
      return {
        path: `/api/v1/users/${account.id}/rate-limit`,
        body: { limit: 777, window_seconds: 60 },
        observe: limitOf,
        effect: async () => assert.equal(await limitOf(), '777', `the account's requests are not limited to 777 per window afterwards`),
      };
    },
  },
  'GET /health': readProbe(AREA, () => Promise.resolve({ path: '/health' }), fields('service', 'version')),
  'GET /api/v1/health': readProbe(AREA, () => Promise.resolve({ path: '/api/v1/health' }), fields('version')),
};
