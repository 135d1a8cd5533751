import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Database } from '../../db';
import type { FaultSet } from '../../faults';
import { HttpError, invalidInput, type FieldError } from '../../http/errors';
import type { ApiRequest, UpgradeRequest } from '../../http/router';
import type { Timings } from '../../options';
import type { Components } from '../components';
import { ISSUER, JwtCodec, type AccessClaims } from './jwt';
import { decoyHash, verifyPassword } from './passwords';
import type { Revocations } from './revocations';
import { roleAtLeast, type PublicUser, type Role, type UserRecord, type UserStore } from './users';

/** The authenticated caller of a request. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  /** The user's current role (a role change applies to tokens already issued). */
  readonly role: Role;
  readonly tokenId: string;
  readonly sessionId: string;
  /** When the access token expires, in ms since the epoch. */
  readonly expiresAt: number;
}

export type AuthResult = { readonly principal: Principal } | { readonly reason: string };

/** What modules use: `ctx.auth.requireRole(request, 'operator')`. */
export interface AuthHelpers {
  /** The caller of a request or upgrade, or why there is none (no token, expired, revoked...). Memoised per request. */
  authenticate(request: ApiRequest | UpgradeRequest): AuthResult;
  /** The caller, or throws 401 (no valid token) / 403 (role below `role`). */
  requireRole(request: ApiRequest | UpgradeRequest, role: Role): Principal;
  verifyToken(token: string): AuthResult;
}

/** The answer to a login or a refresh. */
export interface Session {
  token: string;
  refreshToken: string;
  expiresAt: string;
  user: PublicUser;
}

const TOKEN_CACHE_LIMIT = 10_000;
const MISSING_TOKEN: AuthResult = { reason: 'a bearer token is required (Authorization: Bearer <token>)' };
const MALFORMED_HEADER: AuthResult = { reason: 'the Authorization header must read "Bearer <token>"' };

/**
 * Logins, refresh tokens (single use, stored hashed in PostgreSQL), logout (revocation in Redis,
 * mirrored in memory) and the per-request token check, which touches neither database nor Redis.
 */
export class AuthService implements AuthHelpers {
  private readonly codec: JwtCodec;
  /** Tokens whose signature and claims were already checked: skips the HMAC on hot paths. */
  private readonly verified = new Map<string, AccessClaims>();
  private readonly memo = new WeakMap<object, AuthResult>();

  constructor(
    private readonly deps: {
      db: Database;
      users: UserStore;
      revocations: Revocations;
      faults: FaultSet;
      components: Components;
      timings: Timings;
      jwtSecret: string;
    },
  ) {
    this.codec = new JwtCodec(deps.jwtSecret);
  }

  authenticate(request: ApiRequest | UpgradeRequest): AuthResult {
    const known = this.memo.get(request);
    if (known) return known;
    const token = bearerToken(request);
    const result = token === undefined ? MISSING_TOKEN : token === null ? MALFORMED_HEADER : this.verifyToken(token);
    this.memo.set(request, result);
    return result;
  }

  requireRole(request: ApiRequest | UpgradeRequest, role: Role): Principal {
    const result = this.authenticate(request);
    if ('reason' in result) throw new HttpError(401, result.reason, undefined, { headers: { 'WWW-Authenticate': 'Bearer' } });
    if (!roleAtLeast(result.principal.role, role)) {
      throw new HttpError(403, `this requires the ${role} role or higher; ${result.principal.username} is ${result.principal.role}`);
    }
    return result.principal;
  }

  verifyToken(token: string): AuthResult {
    let claims = this.verified.get(token);
    if (!claims) {
      const checked = this.codec.verify(token);
      if (!checked.ok) return { reason: checked.reason };
      claims = checked.claims;
      if (this.verified.size >= TOKEN_CACHE_LIMIT) this.verified.clear();
      this.verified.set(token, claims);
    }
    const expiresAt = claims.exp * 1000;
    if (expiresAt <= Date.now()) return { reason: 'the token has expired; sign in again or refresh it' };
    if (this.deps.revocations.isRevoked(claims.jti)) return { reason: 'the token has been revoked (signed out)' };
    const user = this.deps.users.get(claims.sub);
    if (!user) return { reason: "the token's user no longer exists" };
    return { principal: { userId: user.id, username: user.username, role: user.role, tokenId: claims.jti, sessionId: claims.sid, expiresAt } };
  }

  async login(body: unknown): Promise<Session> {
    const input = asObject(body, 'login');
    const details: FieldError[] = [];
    const { username, email, password } = input;
    if (username === undefined && email === undefined) details.push({ field: 'username', message: 'is required (or give email)' });
    if (username !== undefined && (typeof username !== 'string' || username === '')) details.push({ field: 'username', message: 'must be a non-empty string' });
    if (email !== undefined && (typeof email !== 'string' || email === '')) details.push({ field: 'email', message: 'must be a non-empty string' });
    if (typeof password !== 'string' || password === '') details.push({ field: 'password', message: 'is required' });
    if (details.length > 0) throw invalidInput('login', details);
    const { users } = this.deps;
    const user = typeof username === 'string' ? users.findByUsername(username) : users.findByEmail(email as string);
    // An unknown user costs the same scrypt check as a wrong password: no user enumeration by timing.
    const matches = await verifyPassword(password as string, user?.password_hash ?? (await decoyHash()));
    if (!user || !matches) throw new HttpError(401, 'invalid username or password');
    return this.openSession(user, randomUUID());
  }

  async refresh(body: unknown): Promise<Session> {
    const { refreshToken } = asObject(body, 'refresh');
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw invalidInput('refresh', [{ field: 'refreshToken', message: 'is required' }]);
    }
    const reusable = this.deps.faults.has('refresh-token-reusable');
    const redeemed = await this.deps.db.transaction(async (client) => {
      const { rows } = await client.query<{ user_id: string; session_id: string }>(
        reusable
          ? 'SELECT user_id, session_id FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()'
          : 'UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id, session_id',
        [hashToken(refreshToken)],
      );
      const row = rows[0];
      const user = row && this.deps.users.get(row.user_id);
      if (!row || !user) throw new HttpError(401, 'the refresh token is invalid, expired or already used');
      return { user, sessionId: row.session_id, next: await this.storeRefreshToken(client, user, row.session_id) };
    });
    return this.session(redeemed.user, redeemed.sessionId, redeemed.next);
  }

  /** Revokes the access token at once and every unused refresh token of its session. */
  async logout(principal: Principal): Promise<void> {
    if (this.deps.faults.has('logout-does-not-revoke')) return;
    this.deps.components.assertAvailable('redis');
    await this.deps.db.transaction(async (client) => {
      await client.query('UPDATE refresh_tokens SET used_at = now() WHERE session_id = $1 AND used_at IS NULL', [principal.sessionId]);
      await this.deps.revocations.revoke(principal.tokenId, principal.expiresAt);
    });
  }

  private async openSession(user: UserRecord, sessionId: string): Promise<Session> {
    const refreshToken = await this.deps.db.transaction((client) => this.storeRefreshToken(client, user, sessionId));
    return this.session(user, sessionId, refreshToken);
  }

  private async storeRefreshToken(client: PoolClient, user: UserRecord, sessionId: string): Promise<string> {
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await client.query(
      "INSERT INTO refresh_tokens (token_hash, user_id, session_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))",
      [hashToken(refreshToken), user.id, sessionId, this.deps.timings.refresh_token_ttl],
    );
    return refreshToken;
  }

  private session(user: UserRecord, sessionId: string, refreshToken: string): Session {
    const now = Date.now();
    const exp = Math.ceil((now + this.deps.timings.access_token_ttl) / 1000);
    const token = this.codec.sign({ iss: ISSUER, sub: user.id, role: user.role, jti: randomUUID(), sid: sessionId, iat: Math.floor(now / 1000), exp });
    return { token, refreshToken, expiresAt: new Date(exp * 1000).toISOString(), user: this.deps.users.toPublic(user) };
  }
}

/** The bearer token; undefined when none was given, null when the header is malformed. WebSockets may use `?token=`. */
function bearerToken(request: ApiRequest | UpgradeRequest): string | null | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : null;
  }
  const isUpgrade = !('response' in request);
  return isUpgrade ? (request.query.get('token') ?? undefined) : undefined;
}

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput(what, [{ field: 'body', message: 'must be a JSON object' }]);
  return body as Record<string, unknown>;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
