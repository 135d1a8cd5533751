import { HttpError, invalidInput, notFound, type FieldError } from '../../http/errors';
import { reply, type Router } from '../../http/router';
import type { ReferenceContext, ReferenceModule } from '../../module';
import { validateNewUser, validateRateLimit, type UserRecord } from './users';
import { CORE_FAULTS } from '../faults';

const PAGE_SIZE_MAX = 500;

const AUTH_MIGRATIONS = [
  {
    id: '001-users-and-refresh-tokens',
    sql: `
      CREATE TABLE users (
        id text PRIMARY KEY,
        username text NOT NULL UNIQUE,
        email text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        session_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);`,
  },
  {
    id: '002-lockout-rate-limits-session-lifetime',
    sql: `
      ALTER TABLE users
        ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0,
        ADD COLUMN locked_until timestamptz,
        ADD COLUMN rate_limit integer,
        ADD COLUMN rate_limit_window integer;
      ALTER TABLE refresh_tokens ADD COLUMN access_ttl_ms integer;`,
  },
];

/**
 * Sign-in (`/api/auth/*`). The services (`ctx.auth`, `ctx.users`) are part of the core context,
 * since every module checks tokens; the users API is the `accounts` module below.
 */
export function createAuthModule(): ReferenceModule {
  return {
    name: 'auth',
    migrations: AUTH_MIGRATIONS,
    register(router: Router, ctx: ReferenceContext) {
      const { auth, users } = ctx;

      router.post('/api/auth/login', async (request) => auth.login(request.body));
      router.post('/api/auth/refresh', async (request) => auth.refresh(request.body));
      router.post('/api/auth/logout', async (request) => {
        await auth.logout(ctx.auth.requireRole(request, 'viewer'));
        return { status: 'logged_out' };
      });
      router.get('/api/auth/me', (request) => {
        const principal = ctx.auth.requireRole(request, 'viewer');
        const user = users.get(principal.userId);
        if (!user) throw new HttpError(401, "the token's user no longer exists");
        return users.toPublic(user);
      });
    },
  };
}

/** User management (`/api/v1/users`, admin only): a module of its own, so a reference can run without it (NOVACRON_REF_MODULES). */
export function createAccountsModule(): ReferenceModule {
  return {
    name: 'accounts',
    register(router: Router, ctx: ReferenceContext) {
      const { users } = ctx;
      router.post('/api/v1/users', async (request) => {
        ctx.auth.requireRole(request, 'admin');
        const input = validateNewUser(request.body, CORE_FAULTS.on(ctx.faults).userValidationStopsAtFirst);
        return reply.created(users.toPublic(await users.create(input)));
      });
      router.get('/api/v1/users', (request) => {
        ctx.auth.requireRole(request, 'admin');
        const { page, pageSize, usernamePrefix } = listQuery(request.query);
        const { items, total } = users.list(page, pageSize, usernamePrefix);
        return { items: items.map((user: UserRecord) => users.toPublic(user)), total, page, page_size: pageSize };
      });
      router.put('/api/v1/users/:id/rate-limit', async (request) => {
        ctx.auth.requireRole(request, 'admin');
        const limit = validateRateLimit(request.body);
        const updated = await users.setRateLimit(request.params.id, limit);
        if (!updated) throw notFound(`user ${request.params.id} not found`);
        return { user_id: updated.id, limit: limit.requests, window_seconds: limit.windowSeconds };
      });
      router.get('/api/v1/users/:id', (request) => {
        ctx.auth.requireRole(request, 'admin');
        const user = users.get(request.params.id);
        if (!user) throw notFound(`user ${request.params.id} not found`);
        return users.toPublic(user);
      });
      router.delete('/api/v1/users/:id', async (request) => {
        const caller = ctx.auth.requireRole(request, 'admin');
        const { id } = request.params;
        if (id === caller.userId) throw new HttpError(409, 'you cannot delete your own account');
        if (!(await users.remove(id))) throw notFound(`user ${id} not found`);
        return { id, status: 'deleted' };
      });
    },
  };
}

function listQuery(query: URLSearchParams): { page: number; pageSize: number; usernamePrefix?: string } {
  const details: FieldError[] = [];
  const read = (name: string, fallback: number, max: number): number => {
    const value = query.get(name);
    if (value === null) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      details.push({ field: name, message: `must be a whole number from 1 to ${max}` });
      return fallback;
    }
    return Number(value);
  };
  const page = read('page', 1, 1_000_000);
  const pageSize = read('page_size', 50, PAGE_SIZE_MAX);
  const usernamePrefix = query.get('username_prefix') ?? undefined;
  for (const name of query.keys()) {
    if (!['page', 'page_size', 'username_prefix'].includes(name)) details.push({ field: name, message: 'is not a known query parameter' });
  }
  if (details.length > 0) throw invalidInput('user list query', details);
  return { page, pageSize, usernamePrefix };
}
