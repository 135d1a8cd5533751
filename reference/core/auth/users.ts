import { randomUUID } from 'node:crypto';
import type { Database } from '../../db';
import type { FaultSet } from '../../faults';
import { conflict, invalidInput, type FieldError } from '../../http/errors';
import type { Logger } from '../../log';
import { KeyedLock } from '../keyed-lock';
import { hashPassword, verifyPassword } from './passwords';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
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

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const NEW_USER_FIELDS = ['username', 'email', 'password', 'role'];

/** Checks a `POST /api/v1/users` body; throws a 400 naming every invalid field. */
export function validateNewUser(body: unknown): NewUser {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('user', [{ field: 'body', message: 'must be a JSON object' }]);
  const input = body as Record<string, unknown>;
  const details: FieldError[] = [];
  if (typeof input.username !== 'string' || !USERNAME.test(input.username)) {
    details.push({ field: 'username', message: 'is required: 3 to 64 letters, digits, _ . or -, starting with a letter or digit' });
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
  if (details.length > 0) throw invalidInput('user', details);
  return { username: input.username as string, email: (input.email as string).toLowerCase(), password: input.password as string, role: input.role as Role };
}

interface UserRow {
  id: string;
  username: string;
  email: string;
  role: Role;
  password_hash: string;
  created_at: Date;
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
    const { rows } = await this.db.pool.query<UserRow>('SELECT id, username, email, role, password_hash, created_at FROM users');
    for (const row of rows) this.remember({ ...row, created_at: row.created_at.toISOString() });
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
    if (this.faults.has('password-leak')) return { ...shown, password_hash: user.password_hash } as PublicUser;
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

  /** The `admin` account exists with the configured password (created, or its password reset). */
  async seedAdmin(password: string): Promise<void> {
    const existing = this.byUsername.get('admin');
    if (!existing) {
      await this.create({ username: 'admin', email: 'admin@novacron.local', password, role: 'admin' });
      this.log.info('created the admin account');
      return;
    }
    if (existing.role === 'admin' && (await verifyPassword(password, existing.password_hash))) return;
    const updated: UserRecord = { ...existing, role: 'admin', password_hash: await hashPassword(password) };
    await this.lock.run('users', async () => {
      await this.db.transaction((client) =>
        client.query('UPDATE users SET role = $2, password_hash = $3 WHERE id = $1', [updated.id, updated.role, updated.password_hash]),
      );
      this.remember(updated);
    });
    this.log.info('reset the admin account to the configured password');
  }

  private remember(user: UserRecord): void {
    this.byId.set(user.id, user);
    this.byUsername.set(user.username, user);
    this.byEmail.set(user.email, user);
  }
}
