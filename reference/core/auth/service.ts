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
import { CORE_FAULTS } from '../faults';

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
const MAX_FAILED_SIGN_INS = 5;
/** Longest session a sign-in may ask for with `expires_in`, in seconds. */
const MAX_EXPIRES_IN = 86_400;
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
  private readonly ignoreExpiry: boolean;

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
    this.ignoreExpiry = CORE_FAULTS.on(deps.faults).tokenExpiryIgnored;
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
    if (expiresAt <= Date.now() && !this.ignoreExpiry) return { reason: 'the token has expired; sign in again or refresh it' };
    if (this.deps.revocations.isRevoked(claims.jti) || this.deps.revocations.isSessionEnded(claims.sid)) return { reason: 'the token has been revoked (signed out)' };
    const user = this.deps.users.get(claims.sub);
    if (!user) return { reason: "the token's user no longer exists" };
    return { principal: { userId: user.id, username: user.username, role: user.role, tokenId: claims.jti, sessionId: claims.sid, expiresAt } };
  }

  /**
   * `{ username | email, password, expires_in? }`. Unknown user and wrong password get the same
   * 401; MAX_FAILED_SIGN_INS failures in a row lock the account (423) for the `lockout` timing.
   */
  async login(body: unknown): Promise<Session> {
    const input = asObject(body, 'login');
    const { faults, users, timings } = this.deps;
    const byEmailSupported = !CORE_FAULTS.on(faults).loginByEmailMissing;
    const details: FieldError[] = [];
    const { username, password, expires_in } = input;
    const email = byEmailSupported ? input.email : undefined;
    if (username === undefined && email === undefined) details.push({ field: 'username', message: byEmailSupported ? 'is required (or give email)' : 'is required' });
    if (username !== undefined && (typeof username !== 'string' || username === '')) details.push({ field: 'username', message: 'must be a non-empty string' });
    if (email !== undefined && (typeof email !== 'string' || email === '')) details.push({ field: 'email', message: 'must be a non-empty string' });
    if (typeof password !== 'string' || password === '') details.push({ field: 'password', message: 'is required' });
    const lifetimeValid = typeof expires_in === 'number' && Number.isInteger(expires_in) && expires_in >= 1 && expires_in <= MAX_EXPIRES_IN;
    if (expires_in !== undefined && !lifetimeValid) {
      details.push({ field: 'expires_in', message: `must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}` });
    }
    if (details.length > 0) throw invalidInput('login', details);

    const user = typeof username === 'string' ? users.findByUsername(username) : users.findByEmail(email as string);
    const lockout = !CORE_FAULTS.on(faults).lockoutMissing;
    if (user?.locked_until !== undefined && user.locked_until > Date.now() && lockout) {
      const until = new Date(user.locked_until).toISOString();
      throw new HttpError(423, `account locked after ${MAX_FAILED_SIGN_INS} failed sign-ins; try again after ${until}`, undefined, {
        body: { locked_until: until },
      });
    }
    // An unknown user costs the same scrypt check as a wrong password: no user enumeration by timing.
    const matches = await verifyPassword(password as string, user?.password_hash ?? (await decoyHash()));
    if (!user || !matches) {
      if (user && lockout) await users.recordFailedSignIn(user.id, MAX_FAILED_SIGN_INS, timings.lockout);
      if (CORE_FAULTS.on(faults).loginRevealsUnknownUser) throw new HttpError(401, user ? 'wrong password' : `no user named ${String(username ?? email)}`);
      throw new HttpError(401, 'invalid username or password');
    }
    if (user.failed_sign_ins > 0 || user.locked_until !== undefined) await users.clearFailedSignIns(user.id);
    const accessTtlMs = expires_in === undefined ? timings.access_token_ttl : (expires_in as number) * 1000;
    const sessionId = randomUUID();
    const refreshToken = await this.deps.db.transaction((client) => this.storeRefreshToken(client, user, sessionId, accessTtlMs));
    return this.session(user, sessionId, refreshToken, accessTtlMs);
  }

  async refresh(body: unknown): Promise<Session> {
    const { refreshToken } = asObject(body, 'refresh');
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw invalidInput('refresh', [{ field: 'refreshToken', message: 'is required' }]);
    }
    const reusable = CORE_FAULTS.on(this.deps.faults).refreshTokenReusable;
    const redeemed = await this.deps.db.transaction(async (client) => {
      const { rows } = await client.query<{ user_id: string; session_id: string; access_ttl_ms: number | null }>(
        reusable
          ? 'SELECT user_id, session_id, access_ttl_ms FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()'
          : 'UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id, session_id, access_ttl_ms',
        [hashToken(refreshToken)],
      );
      const row = rows[0];
      const user = row && this.deps.users.get(row.user_id);
      if (!row || !user) throw new HttpError(401, 'the refresh token is invalid, expired or already used');
      // A renewed session keeps the lifetime it was opened with.
      const accessTtlMs = row.access_ttl_ms ?? this.deps.timings.access_token_ttl;
      return { user, sessionId: row.session_id, accessTtlMs, next: await this.storeRefreshToken(client, user, row.session_id, accessTtlMs) };
    });
    return this.session(redeemed.user, redeemed.sessionId, redeemed.next, redeemed.accessTtlMs);
  }

  /**
   * Ends the session at once: revokes the access token, every other access token of the session
   * (those issued before a refresh too) and every unused refresh token of it.
   */
  async logout(principal: Principal): Promise<void> {
    const { faults, components, db, revocations, timings } = this.deps;
    if (CORE_FAULTS.on(faults).logoutDoesNotRevoke) return;
    components.assertAvailable('redis');
    await db.transaction(async (client) => {
      if (!CORE_FAULTS.on(faults).logoutKeepsRefreshTokens) {
        await client.query('UPDATE refresh_tokens SET used_at = now() WHERE session_id = $1 AND used_at IS NULL', [principal.sessionId]);
      }
      // No token of the session outlives the lifetime it was opened with (exp is rounded up to a second).
      const { rows } = await client.query<{ access_ttl_ms: number | null }>('SELECT access_ttl_ms FROM refresh_tokens WHERE session_id = $1 LIMIT 1', [principal.sessionId]);
      const lifetimeMs = rows[0]?.access_ttl_ms ?? timings.access_token_ttl;
      await revocations.revoke(principal.tokenId, principal.sessionId, principal.expiresAt, Math.max(principal.expiresAt, Date.now() + lifetimeMs + 1000));
    });
  }

  /**
   * Called with the session id of every sign-out (here or on another instance sharing Redis),
   * e.g. to close the session's WebSocket connections.
   */
  onSessionEnded(listener: (sessionId: string) => void): void {
    this.deps.revocations.onSessionEnded(listener);
  }

  private async storeRefreshToken(client: PoolClient, user: UserRecord, sessionId: string, accessTtlMs: number): Promise<string> {
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await client.query(
      `INSERT INTO refresh_tokens (token_hash, user_id, session_id, access_ttl_ms, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::double precision / 1000))`,
      [hashToken(refreshToken), user.id, sessionId, accessTtlMs, this.deps.timings.refresh_token_ttl],
    );
    return refreshToken;
  }

  private session(user: UserRecord, sessionId: string, refreshToken: string, accessTtlMs: number): Session {
    const now = Date.now();
    const exp = Math.ceil((now + accessTtlMs) / 1000);
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
