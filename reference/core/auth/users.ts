import { randomUUID } from 'node:crypto';
import type { Database } from '../../db';
import type { FaultSet } from '../../faults';
import { conflict, invalidInput, type FieldError } from '../../http/errors';
import type { Logger } from '../../log';
import type { RateLimit } from '../../options';
import { KeyedLock } from '../keyed-lock';
import { hashPassword, verifyPassword } from './passwords';
import { CORE_FAULTS } from '../faults';

const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** admin > operator > viewer. */
export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly password_hash: string;
  readonly created_at: string;
  /** Failed sign-ins in a row (reset by a successful one). */
  readonly failed_sign_ins: number;
  /** ms since the epoch; sign-ins are refused until then. */
  readonly locked_until?: number;
  /** The user's own rate limit, when an admin set one. */
  readonly rate_limit?: RateLimit;
}

/** What the API shows of a user: never the password or its hash. */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  role: Role;
  created_at: string;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  role: Role;
}

const USERNAME = /^[a-z0-9._-]{3,64}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const NEW_USER_FIELDS = ['username', 'email', 'password', 'role'];

/**
 * Checks a `POST /api/v1/users` body; throws a 400 naming every invalid field (only the first
 * one with `firstOnly`, the fault user-validation-stops-at-first).
 */
export function validateNewUser(body: unknown, firstOnly = false): NewUser {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('user', [{ field: 'body', message: 'must be a JSON object' }]);
  const input = body as Record<string, unknown>;
  const details: FieldError[] = [];
  if (typeof input.username !== 'string' || !USERNAME.test(input.username)) {
    details.push({ field: 'username', message: 'is required: 3 to 64 of a-z, 0-9, . _ and -' });
  }
  if (typeof input.email !== 'string' || input.email.length > 254 || !EMAIL.test(input.email)) {
    details.push({ field: 'email', message: 'is required: an e-mail address such as ops@example.com' });
  }
  if (typeof input.password !== 'string' || input.password.length < 8 || input.password.length > 200) {
    details.push({ field: 'password', message: 'is required: 8 to 200 characters' });
  }
  if (typeof input.role !== 'string' || !(ROLES as readonly string[]).includes(input.role)) {
    details.push({ field: 'role', message: `is required: one of ${ROLES.join(', ')}` });
  }
  for (const field of Object.keys(input)) {
    if (!NEW_USER_FIELDS.includes(field)) details.push({ field, message: 'is not a known field' });
  }
  if (details.length > 0) throw invalidInput('user', firstOnly ? details.slice(0, 1) : details);
  return { username: input.username as string, email: (input.email as string).toLowerCase(), password: input.password as string, role: input.role as Role };
}

const RATE_LIMIT_FIELDS = ['limit', 'window_seconds'];

/** Checks a `PUT /api/v1/users/{id}/rate-limit` body. */
export function validateRateLimit(body: unknown): RateLimit {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('rate limit', [{ field: 'body', message: 'must be a JSON object' }]);
  const input = body as Record<string, unknown>;
  const details: FieldError[] = [];
  const whole = (value: unknown, min: number, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  if (!whole(input.limit, 1, 1_000_000)) details.push({ field: 'limit', message: 'is required: a whole number of requests from 1 to 1000000' });
  if (!whole(input.window_seconds, 1, 3600)) details.push({ field: 'window_seconds', message: 'is required: a whole number of seconds from 1 to 3600' });
  for (const field of Object.keys(input)) {
    if (!RATE_LIMIT_FIELDS.includes(field)) details.push({ field, message: 'is not a known field' });
  }
  if (details.length > 0) throw invalidInput('rate limit', details);
  return { requests: input.limit as number, windowSeconds: input.window_seconds as number };
}

interface UserRow {
  id: string;
  username: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: Date;
  failed_sign_ins: number;
  locked_until: Date | null;
  rate_limit: number | null;
  rate_limit_window: number | null;
}

function userFromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    password_hash: row.password_hash,
    created_at: row.created_at.toISOString(),
    failed_sign_ins: row.failed_sign_ins,
    ...(row.locked_until ? { locked_until: row.locked_until.getTime() } : {}),
    ...(row.rate_limit && row.rate_limit_window ? { rate_limit: { requests: row.rate_limit, windowSeconds: row.rate_limit_window } } : {}),
  };
}

/** The users, in memory for every read, written through to PostgreSQL before any change shows. */
export class UserStore {
  private readonly byId = new Map<string, UserRecord>();
  private readonly byUsername = new Map<string, UserRecord>();
  private readonly byEmail = new Map<string, UserRecord>();
  /** One lock for every user write: uniqueness of usernames and e-mails is checked in memory. */
  private readonly lock = new KeyedLock();

  constructor(
    private readonly db: Database,
    private readonly faults: FaultSet,
    private readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    const { rows } = await this.db.pool.query<UserRow>('SELECT * FROM users');
    for (const row of rows) this.remember(userFromRow(row));
  }

  /** One page of the users (those whose username starts with `usernamePrefix`, when given), oldest first, and how many there are. */
  list(page: number, pageSize: number, usernamePrefix = ''): { items: UserRecord[]; total: number } {
    const all = [...this.byId.values()].filter((user) => user.username.startsWith(usernamePrefix)).sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1));
    return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length };
  }

  get(id: string): UserRecord | undefined {
    return this.byId.get(id);
  }

  findByUsername(username: string): UserRecord | undefined {
    return this.byUsername.get(username);
  }

  findByEmail(email: string): UserRecord | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  toPublic(user: UserRecord): PublicUser {
    const shown: PublicUser = { id: user.id, username: user.username, email: user.email, role: user.role, created_at: user.created_at };
    if (CORE_FAULTS.on(this.faults).passwordLeak) return { ...shown, password_hash: user.password_hash } as PublicUser;
    return shown;
  }

  async create(input: NewUser): Promise<UserRecord> {
    const password_hash = await hashPassword(input.password);
    return this.lock.run('users', async () => {
      if (this.byUsername.has(input.username)) throw conflict(`a user named "${input.username}" already exists`);
      if (this.byEmail.has(input.email)) throw conflict(`a user with the e-mail ${input.email} already exists`);
      const user: UserRecord = {
        id: `usr-${randomUUID()}`,
        username: input.username,
        email: input.email,
        role: input.role,
        password_hash,
        created_at: new Date().toISOString(),
        failed_sign_ins: 0,
      };
      await this.db.transaction((client) =>
        client.query('INSERT INTO users (id, username, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          user.id,
          user.username,
          user.email,
          user.role,
          user.password_hash,
          user.created_at,
        ]),
      );
      this.remember(user);
      return user;
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.lock.run('users', async () => {
      const user = this.byId.get(id);
      if (!user) return false;
      await this.db.transaction((client) => client.query('DELETE FROM users WHERE id = $1', [id]));
      this.byId.delete(id);
      this.byUsername.delete(user.username);
      this.byEmail.delete(user.email);
      return true;
    });
  }

  /**
   * Counts a failed sign-in; the `maxFailures`-th in a row locks the account for `lockoutMs`.
   * After a lock has expired, counting starts over.
   */
  async recordFailedSignIn(id: string, maxFailures: number, lockoutMs: number): Promise<UserRecord | undefined> {
    return this.update(id, (user) => {
      const now = Date.now();
      const lockExpired = user.locked_until !== undefined && user.locked_until <= now;
      const failures = (lockExpired ? 0 : user.failed_sign_ins) + 1;
      const { locked_until: _previous, ...rest } = user;
      return { ...rest, failed_sign_ins: failures, ...(failures >= maxFailures ? { locked_until: now + lockoutMs } : {}) };
    });
  }

  async clearFailedSignIns(id: string): Promise<void> {
    await this.update(id, (user) => {
      const { locked_until: _previous, ...rest } = user;
      return { ...rest, failed_sign_ins: 0 };
    });
  }

  async setRateLimit(id: string, limit: RateLimit): Promise<UserRecord | undefined> {
    return this.update(id, (user) => ({ ...user, rate_limit: limit }));
  }

  /** Applies `change` to the user, writes the changeable columns, then updates memory. */
  private async update(id: string, change: (user: UserRecord) => UserRecord): Promise<UserRecord | undefined> {
    return this.lock.run('users', async () => {
      const current = this.byId.get(id);
      if (!current) return undefined;
      const next = change(current);
      await this.db.transaction((client) =>
        client.query(
          'UPDATE users SET role = $2, password_hash = $3, failed_sign_ins = $4, locked_until = $5, rate_limit = $6, rate_limit_window = $7 WHERE id = $1',
          [
            id,
            next.role,
            next.password_hash,
            next.failed_sign_ins,
            next.locked_until === undefined ? null : new Date(next.locked_until),
            next.rate_limit?.requests ?? null,
            next.rate_limit?.windowSeconds ?? null,
          ],
        ),
      );
      this.remember(next);
      return next;
    });
  }

  /** The `admin` account exists with the configured password (created, or its password reset). */
  async seedAdmin(password: string): Promise<void> {
    const existing = this.byUsername.get('admin');
    if (!existing) {
      await this.create({ username: 'admin', email: 'admin@novacron.local', password, role: 'admin' });
      this.log.info('created the admin account');
      return;
    }
    if (existing.role === 'admin' && (await verifyPassword(password, existing.password_hash))) return;
    const password_hash = await hashPassword(password);
    await this.update(existing.id, (user) => ({ ...user, role: 'admin', password_hash }));
    this.log.info('reset the admin account to the configured password');
  }

  private remember(user: UserRecord): void {
    this.byId.set(user.id, user);
    this.byUsername.set(user.username, user);
    this.byEmail.set(user.email, user);
  }
}
