import { HttpError, notFound } from '../../http/errors';
import { reply, type Router } from '../../http/router';
import type { ReferenceContext, ReferenceModule } from '../../module';
import { validateNewUser } from './users';

export const AUTH_MIGRATIONS = [
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
 * Sign-in (`/api/auth/*`) and user management (`/api/v1/users`, admin only). The services
 * (`ctx.auth`, `ctx.users`) are part of the core context, since every module checks tokens.
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

      router.post('/api/v1/users', async (request) => {
        ctx.auth.requireRole(request, 'admin');
        return reply.created(users.toPublic(await users.create(validateNewUser(request.body))));
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
