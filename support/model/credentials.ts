import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiClient, ApiResponse } from '../api-client';
import type { Session } from '../tasks/sessions';
import type { NovaWorld, Role } from '../world';
import { pick, readAllPages } from './common';
import { runModelCheck, type ModelCheck } from './runner';

/**
 * The model of users, sessions and credentials, written from the contract (contract/domains/auth.yaml),
 * not from any implementation:
 * - only an administrator manages accounts (others are refused as forbidden, an invalid or ended
 *   token as not signed in); a username and an e-mail belong to one account at a time and are free
 *   again once it is deleted; an administrator cannot delete their own account;
 * - signing in (by username or e-mail) with the right password opens a session; a wrong password and
 *   an unknown account get the same refusal; 5 wrong passwords in a row lock the account for a while
 *   (the right password is refused too) and a successful sign-in starts the count over;
 * - a refresh token works once: it continues its session with a new access token and a new refresh
 *   token; the session's earlier access tokens keep working while the session lasts;
 * - signing out ends the session: none of its access tokens and no refresh token of it works any
 *   more; deleting an account ends all its sessions at once;
 * - a user's own rate limit is the limit their requests are counted against.
 * After every operation, every credential ever handed out is tried (each works as its user and
 * role exactly while the model says so, a forged one never), each role's effect is probed, and
 * every view of the accounts (each one's details, every page of the list filtered to the sequence,
 * the unfiltered list) is compared with the model, and so with each other.
 */

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const MAX_FAILED_SIGN_INS = 5;
const SAME_REFUSAL = { error: 'invalid username or password' };
const DOMAIN = 'spec.novacron.test';
/** Near the end of a lock, either answer is right (the clocks of suite and target differ a little). */
const LOCK_MARGIN_MS = 1_000;

interface PublicUser {
  id: string;
  username: string;
  email: string;
  role: Role;
  created_at: string;
}

interface ModelUser extends PublicUser {
  password: string;
  /** The user's own rate limit, once an administrator set one. */
  limit?: number;
  /** Wrong passwords in a row. */
  failures: number;
  /** Locked by the last of MAX_FAILED_SIGN_INS wrong passwords; `until` is learnt from the first refusal that names it. */
  locked?: { until?: number };
}

interface GoneUser {
  id: string;
  username: string;
  email: string;
  password: string;
}

interface ModelSession {
  /** "session 3 of c1a2b3c4s1-2". */
  label: string;
  userId: string;
  /** Every access token the session was given, oldest first. */
  tokens: string[];
  /** The refresh token that continues the session. */
  refreshToken: string;
  /** Refresh tokens already exchanged. */
  spent: string[];
  signedOut: boolean;
}

export interface CredentialModel {
  users: ModelUser[];
  gone: GoneUser[];
  sessions: ModelSession[];
  /** Names handed out so far in this sequence. */
  issued: number;
}

export interface CredentialSystem {
  world: NovaWorld;
  /** Every username of the sequence starts with it. */
  prefix: string;
  /** The limit of a user without one of their own, as the target states it. */
  defaultLimit: string | undefined;
  /** Accounts the sequence created (id -> username), deleted at its end. */
  created: Map<string, string>;
  clients: Map<string, ApiClient>;
}

type CredentialCommand = fc.AsyncCommand<CredentialModel, CredentialSystem>;

// ---- the model's rules ----------------------------------------------------------------------------

function userOf(model: CredentialModel, session: ModelSession): ModelUser | undefined {
  return model.users.find((user) => user.id === session.userId);
}

/** The session's user, while the session lasts: not signed out and its user not deleted. */
function holder(model: CredentialModel, session: ModelSession): ModelUser | undefined {
  return session.signedOut ? undefined : userOf(model, session);
}

function publicView(user: PublicUser): PublicUser {
  return { id: user.id, username: user.username, email: user.email, role: user.role, created_at: user.created_at };
}

/** Ends a lock that has run out; true when it is near its end, where either answer is right. */
function lockState(user: ModelUser): 'open' | 'locked' | 'ending' {
  if (!user.locked) return 'open';
  const until = user.locked.until;
  if (until === undefined || Date.now() < until - LOCK_MARGIN_MS) return 'locked';
  if (Date.now() > until + LOCK_MARGIN_MS) {
    user.locked = undefined;
    user.failures = 0;
    return 'open';
  }
  return 'ending';
}

function nextName(model: CredentialModel, real: CredentialSystem): string {
  model.issued += 1;
  return `${real.prefix}u${model.issued}`;
}

/** A name as the sequence's description shows it: without the sequence's prefix (shrinking replays a sequence under new prefixes), long ones cut short. */
function shown(name: string | undefined): string {
  const short = String(name).replace(/^c[0-9a-f]{8}s\d+-/, '');
  return short.length > 24 ? `${short.slice(0, 8)}...(${name?.length} characters)` : short;
}

function client(real: CredentialSystem, token?: string): ApiClient {
  const key = token ?? '';
  let api = real.clients.get(key);
  if (!api) {
    api = real.world.suite.client(token);
    real.clients.set(key, api);
  }
  return api;
}

function said(response: ApiResponse): string {
  return `${response.status} ${JSON.stringify(response.data)}`;
}

/** Who a command acts as: the suite's administrator (null), or the holder of one of the sequence's sessions. */
interface Authority {
  api: ApiClient;
  who: string;
  outcome: 'allowed' | 'forbidden' | 'unauthenticated';
  userId?: string;
}

async function authority(model: CredentialModel, real: CredentialSystem, by: number | null): Promise<Authority> {
  const session = by === null ? undefined : pick(model.sessions, by);
  if (!session) return { api: await real.world.suite.admin(), who: 'the administrator', outcome: 'allowed' };
  const api = client(real, session.tokens[session.tokens.length - 1]);
  const user = holder(model, session);
  if (!user) return { api, who: `${session.label} (ended)`, outcome: 'unauthenticated' };
  return { api, who: `${session.label} (${user.role})`, outcome: user.role === 'admin' ? 'allowed' : 'forbidden', userId: user.id };
}

function expectRefusedAuthority(response: ApiResponse, by: Authority, doing: string): void {
  const status = by.outcome === 'forbidden' ? 403 : 401;
  assert.equal(response.status, status, `${doing} as ${by.who} was answered ${said(response)}, not refused as ${by.outcome}`);
}

function expectFields(response: ApiResponse, fields: string[], doing: string): void {
  assert.equal(response.status, 400, `${doing} was answered ${said(response)}`);
  const named = ((response.data as { details?: { field: string }[] }).details ?? []).map((detail) => detail.field);
  for (const field of fields) assert.ok(named.includes(field), `the refusal of ${doing} names ${JSON.stringify(named)}, not "${field}"`);
}

function remember(real: CredentialSystem, response: ApiResponse<{ id?: string; username?: string }>): void {
  if (response.status !== 201 || typeof response.data.id !== 'string') return;
  const { id, username } = response.data as { id: string; username: string };
  real.created.set(id, username);
  real.world.ledger.add(`user ${username}`, async () => {
    const deleted = await (await real.world.suite.admin()).delete(`/api/v1/users/${id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
}

function opened(model: CredentialModel, user: ModelUser, session: Session, how: string): void {
  assert.deepEqual(session.user, publicView(user), `${how} answered the account ${JSON.stringify(session.user)}, not ${user.username}'s`);
  model.sessions.push({
    label: `session ${model.sessions.length + 1} (${shown(user.username)})`,
    userId: user.id,
    tokens: [session.token],
    refreshToken: session.refreshToken,
    spent: [],
    signedOut: false,
  });
}

// ---- the commands ---------------------------------------------------------------------------------

type Shape = 'plain' | 'longest-username' | 'shortest-password' | 'longest-password' | 'name-of-deleted';

class CreateUser implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly role: Role,
    readonly shape: Shape,
    readonly by: number | null,
    readonly pageSize: number,
  ) {}
  check = () => true;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const as = await authority(model, real, this.by);
    const reusable = model.gone.filter((gone) => !model.users.some((user) => user.username === gone.username || user.email === gone.email));
    const reused = this.shape === 'name-of-deleted' ? reusable[reusable.length - 1] : undefined;
    let username = reused?.username ?? nextName(model, real);
    if (this.shape === 'longest-username') username = `${username}-`.padEnd(64, 'x');
    const email = reused?.email ?? `${username}@${DOMAIN}`;
    const password = this.shape === 'shortest-password' ? `p${model.issued}`.padEnd(8, '#') : this.shape === 'longest-password' ? `p${model.issued}-`.padEnd(200, 'w') : `pw-${username}-${model.issued}`;
    this.target = `${shown(username)} (${this.role}, ${reused ? 'the name of a deleted account' : this.shape}) by ${as.who}`;
    const response = await as.api.post<PublicUser>('/api/v1/users', { username, email, password, role: this.role });
    remember(real, response);
    if (as.outcome !== 'allowed') {
      expectRefusedAuthority(response, as, `creating ${username}`);
    } else {
      assert.equal(response.status, 201, `creating ${username} was answered ${said(response)}`);
      const { id, created_at } = response.data;
      assert.deepEqual(response.data, { id, username, email, role: this.role, created_at }, `creating ${username} answered another account`);
      model.users.push({ id, username, email, role: this.role, created_at, password, failures: 0 });
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create ${this.target ?? `a ${this.role} (${this.shape})`}`;
}

/** Account requests the contract refuses, the field the refusal names (400), or a conflict (409). */
const INVALID_ACCOUNTS: readonly { what: string; field?: string; needsUser?: boolean; body: (name: string, taken?: ModelUser) => Record<string, unknown> }[] = [
  { what: 'a 2-character username', field: 'username', body: (name) => ({ username: 'ab', email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'a 65-character username', field: 'username', body: (name) => ({ username: `${name}-`.padEnd(65, 'x'), email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'an upper-case username', field: 'username', body: (name) => ({ username: name.toUpperCase(), email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'a username with a space', field: 'username', body: (name) => ({ username: `${name} x`, email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'no username', field: 'username', body: (name) => ({ email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'an e-mail without @', field: 'email', body: (name) => ({ username: name, email: `${name}.${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'an e-mail with two @', field: 'email', body: (name) => ({ username: name, email: `${name}@@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'an e-mail with a space', field: 'email', body: (name) => ({ username: name, email: `${name} x@${DOMAIN}`, password: 'long-enough', role: 'viewer' }) },
  { what: 'a 255-character e-mail', field: 'email', body: (name) => ({ username: name, email: `${name.padEnd(64, 'e')}@${'d'.repeat(186)}.test`, password: 'long-enough', role: 'viewer' }) },
  { what: 'a 7-character password', field: 'password', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'seven77', role: 'viewer' }) },
  { what: 'a 201-character password', field: 'password', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'p'.repeat(201), role: 'viewer' }) },
  { what: 'no password', field: 'password', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, role: 'viewer' }) },
  { what: 'the role "root"', field: 'role', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'root' }) },
  { what: 'the role "Admin"', field: 'role', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'Admin' }) },
  { what: 'no role', field: 'role', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'long-enough' }) },
  { what: 'an unknown field', field: 'colour', body: (name) => ({ username: name, email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer', colour: 'red' }) },
  {
    what: 'the username of a live account',
    needsUser: true,
    body: (name, taken) => ({ username: taken?.username, email: `${name}@${DOMAIN}`, password: 'long-enough', role: 'viewer' }),
  },
  {
    what: 'the e-mail of a live account',
    needsUser: true,
    body: (name, taken) => ({ username: name, email: taken?.email, password: 'long-enough', role: 'viewer' }),
  },
];

class CreateInvalid implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly kind: number,
    readonly index: number,
    readonly by: number | null,
    readonly pageSize: number,
  ) {}
  private get invalid() {
    return INVALID_ACCOUNTS[this.kind % INVALID_ACCOUNTS.length];
  }
  check = (model: Readonly<CredentialModel>) => !this.invalid.needsUser || model.users.length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const as = await authority(model, real, this.by);
    const { what, field, body } = this.invalid;
    const taken = pick(model.users, this.index);
    this.target = `${what}${field ? '' : ` (${shown(taken?.username)})`} by ${as.who}`;
    const response = await as.api.post<PublicUser>('/api/v1/users', body(`${real.prefix}bad`, taken));
    remember(real, response);
    if (response.status === 201) await (await real.world.suite.admin()).delete(`/api/v1/users/${response.data.id}`);
    if (as.outcome !== 'allowed') expectRefusedAuthority(response, as, `an account with ${what}`);
    else if (field) expectFields(response, [field], `an account with ${what}`);
    else assert.equal(response.status, 409, `an account with ${what} was answered ${said(response)}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `create an account with ${this.target ?? this.invalid.what}`;
}

type Whose = 'live' | 'deleted' | 'unknown';

class SignIn implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly whose: Whose,
    readonly index: number,
    readonly via: 'username' | 'email',
    readonly rightPassword: boolean,
    readonly pageSize: number,
  ) {}
  check = (model: Readonly<CredentialModel>) => this.whose === 'unknown' || (this.whose === 'live' ? model.users : model.gone).length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const named =
      (this.whose === 'live' ? pick(model.users, this.index) : this.whose === 'deleted' ? pick(model.gone, this.index) : undefined) ??
      { username: `${real.prefix}nobody`, email: `${real.prefix}nobody@${DOMAIN}`, password: 'pw-of-nobody' };
    const identifier = this.via === 'username' ? named.username : named.email;
    const password = this.rightPassword ? named.password : `${named.password}-wrong`;
    this.target = `${this.whose === 'live' ? '' : `${this.whose} `}${shown(named.username)}${this.via === 'email' ? ' by e-mail' : ''} with ${this.rightPassword ? 'the right' : 'a wrong'} password`;
    const response = await client(real).post<Session>('/api/auth/login', { [this.via]: identifier, password });
    const how = `signing in as ${this.target}`;
    // The account the identifier names now (a deleted account's name may belong to a new one).
    const account = model.users.find((user) => (this.via === 'username' ? user.username : user.email) === identifier);
    if (!account) {
      assert.deepEqual([response.status, response.data], [401, SAME_REFUSAL], `${how} was answered ${said(response)}`);
    } else {
      const lock = lockState(account);
      if (lock !== 'open' && response.status === 423) {
        const until = Date.parse((response.data as unknown as { locked_until: string }).locked_until);
        assert.ok(Number.isFinite(until) && until > Date.now() - LOCK_MARGIN_MS, `${how}: the account is locked until ${JSON.stringify(response.data)}`);
        (account.locked as { until?: number }).until ??= until;
      } else {
        assert.ok(lock !== 'locked', `${how} was answered ${said(response)}, but ${MAX_FAILED_SIGN_INS} wrong passwords in a row locked the account`);
        account.locked = undefined;
        if (lock === 'ending') account.failures = 0;
        if (password === account.password) {
          assert.equal(response.status, 200, `${how} was answered ${said(response)}`);
          account.failures = 0;
          opened(model, account, response.data, how);
        } else {
          assert.deepEqual([response.status, response.data], [401, SAME_REFUSAL], `${how} was answered ${said(response)}`);
          account.failures += 1;
          if (account.failures >= MAX_FAILED_SIGN_INS) account.locked = {};
        }
      }
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `sign in as ${this.target ?? `${this.whose} account #${this.index} by ${this.via} with ${this.rightPassword ? 'the right' : 'a wrong'} password`}`;
}

type RefreshWith = 'current' | 'spent' | 'garbage' | 'empty' | 'access token';

class Refresh implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly index: number,
    readonly using: RefreshWith,
    readonly pageSize: number,
  ) {}
  check = (model: Readonly<CredentialModel>) =>
    this.using === 'garbage' || this.using === 'empty' || (this.using === 'spent' ? model.sessions.some((s) => s.spent.length > 0) : model.sessions.length > 0);
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const session = pick(this.using === 'spent' ? model.sessions.filter((s) => s.spent.length > 0) : model.sessions, this.index);
    const tokens: Record<RefreshWith, () => string> = {
      current: () => (session as ModelSession).refreshToken,
      spent: () => (session as ModelSession).spent[this.index % (session as ModelSession).spent.length],
      garbage: () => `rt_${real.prefix}not-a-refresh-token-${this.index}`,
      empty: () => '',
      'access token': () => (session as ModelSession).tokens[(session as ModelSession).tokens.length - 1],
    };
    const refreshToken = tokens[this.using]();
    const user = session && holder(model, session);
    this.target = session && this.using !== 'garbage' && this.using !== 'empty' ? `${session.label}${user ? '' : ' (ended)'} with its ${this.using === 'current' ? 'latest refresh token' : this.using === 'spent' ? 'spent refresh token' : 'access token'}` : `with ${this.using === 'garbage' ? 'a made-up' : 'an empty'} refresh token`;
    const response = await client(real).post<Session>('/api/auth/refresh', { refreshToken });
    const how = `renewing ${this.target}`;
    if (this.using === 'empty') {
      expectFields(response, ['refreshToken'], how);
    } else if (this.using === 'current' && session && user) {
      assert.equal(response.status, 200, `${how} was answered ${said(response)}`);
      assert.deepEqual(response.data.user, publicView(user), `${how} answered the account ${JSON.stringify(response.data.user)}`);
      assert.ok(!session.tokens.includes(response.data.token) && response.data.refreshToken !== refreshToken, `${how} gave back a token it had given before`);
      session.spent.push(refreshToken);
      session.refreshToken = response.data.refreshToken;
      session.tokens.push(response.data.token);
    } else {
      assert.equal(response.status, 401, `${how} was answered ${said(response)}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `renew ${this.target ?? `session #${this.index} with its ${this.using} token`}`;
}

class SignOut implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly index: number,
    readonly withEarliest: boolean,
    readonly pageSize: number,
  ) {}
  check = (model: Readonly<CredentialModel>) => model.sessions.length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const session = pick(model.sessions, this.index) as ModelSession;
    const token = this.withEarliest ? session.tokens[0] : session.tokens[session.tokens.length - 1];
    const user = holder(model, session);
    this.target = `${session.label}${user ? '' : ' (ended)'} with its ${this.withEarliest && session.tokens.length > 1 ? 'first' : 'latest'} access token`;
    const response = await client(real, token).post('/api/auth/logout');
    if (user) {
      assert.deepEqual([response.status, response.data], [200, { status: 'logged_out' }], `signing out ${this.target} was answered ${said(response)}`);
      session.signedOut = true;
    } else {
      assert.equal(response.status, 401, `signing out ${this.target} was answered ${said(response)}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `sign out ${this.target ?? `session #${this.index}`}`;
}

class DeleteUser implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly whose: Whose,
    readonly index: number,
    readonly by: number | null,
    readonly pageSize: number,
  ) {}
  check = (model: Readonly<CredentialModel>) => this.whose === 'unknown' || (this.whose === 'live' ? model.users : model.gone).length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const as = await authority(model, real, this.by);
    const account = this.whose === 'live' ? pick(model.users, this.index) : this.whose === 'deleted' ? pick(model.gone, this.index) : undefined;
    const id = account?.id ?? `usr-00000000-0000-4000-8000-${String(this.index).padStart(12, '0')}`;
    this.target = `${this.whose === 'live' ? '' : `${this.whose} `}${account ? shown(account.username) : id} by ${as.who}`;
    const response = await as.api.delete(`/api/v1/users/${id}`);
    const how = `deleting ${this.target}`;
    if (as.outcome !== 'allowed') expectRefusedAuthority(response, as, how);
    else if (as.userId === id) assert.equal(response.status, 409, `${how}, their own account, was answered ${said(response)}`);
    else if (this.whose !== 'live') assert.equal(response.status, 404, `${how} was answered ${said(response)}`);
    else {
      assert.deepEqual([response.status, response.data], [200, { id, status: 'deleted' }], `${how} was answered ${said(response)}`);
      const user = account as ModelUser;
      model.users.splice(model.users.indexOf(user), 1);
      model.gone.push({ id, username: user.username, email: user.email, password: user.password });
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `delete ${this.target ?? `${this.whose} account #${this.index}`}`;
}

/** An administrator of the sequence deletes their own account: refused, and nothing changes. */
class DeleteOwnAccount implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly index: number,
    readonly pageSize: number,
  ) {}
  private admins = (model: Readonly<CredentialModel>) => model.sessions.filter((session) => holder(model as CredentialModel, session)?.role === 'admin');
  check = (model: Readonly<CredentialModel>) => this.admins(model).length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const session = pick(this.admins(model), this.index) as ModelSession;
    this.target = session.label;
    const response = await client(real, session.tokens[session.tokens.length - 1]).delete(`/api/v1/users/${session.userId}`);
    assert.equal(response.status, 409, `an administrator deleting their own account (${session.label}) was answered ${said(response)}`);
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `delete their own account: ${this.target ?? `admin session #${this.index}`}`;
}

const INVALID_LIMITS: readonly { what: string; field: string; body: Record<string, unknown> }[] = [
  { what: 'a limit of 0', field: 'limit', body: { limit: 0, window_seconds: 60 } },
  { what: 'a limit of 1000001', field: 'limit', body: { limit: 1_000_001, window_seconds: 60 } },
  { what: 'a limit of 1.5', field: 'limit', body: { limit: 1.5, window_seconds: 60 } },
  { what: 'a limit as text', field: 'limit', body: { limit: '5000', window_seconds: 60 } },
  { what: 'a window of 0 s', field: 'window_seconds', body: { limit: 5000, window_seconds: 0 } },
  { what: 'a window of 3601 s', field: 'window_seconds', body: { limit: 5000, window_seconds: 3601 } },
  { what: 'no window', field: 'window_seconds', body: { limit: 5000 } },
  { what: 'an unknown field', field: 'burst', body: { limit: 5000, window_seconds: 60, burst: 10 } },
];

class SetRateLimit implements CredentialCommand {
  private target: string | undefined;
  /** `invalid` indexes INVALID_LIMITS (only against a live account); undefined: `limit` per `window` s. */
  constructor(
    readonly whose: Whose,
    readonly index: number,
    readonly limit: number,
    readonly window: number,
    readonly invalid: number | undefined,
    readonly by: number | null,
    readonly pageSize: number,
  ) {}
  check = (model: Readonly<CredentialModel>) => this.whose === 'unknown' || (this.whose === 'live' ? model.users : model.gone).length > 0;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const as = await authority(model, real, this.by);
    const account = this.whose === 'live' ? pick(model.users, this.index) : this.whose === 'deleted' ? pick(model.gone, this.index) : undefined;
    const id = account?.id ?? `usr-00000000-0000-4000-8000-${String(this.index).padStart(12, '0')}`;
    const invalid = this.whose === 'live' && this.invalid !== undefined ? INVALID_LIMITS[this.invalid % INVALID_LIMITS.length] : undefined;
    const body = invalid?.body ?? { limit: this.limit, window_seconds: this.window };
    this.target = `of ${this.whose === 'live' ? '' : `${this.whose} `}${account ? shown(account.username) : id} to ${invalid?.what ?? `${this.limit} per ${this.window} s`} by ${as.who}`;
    const response = await as.api.put<{ user_id: string; limit: number; window_seconds: number }>(`/api/v1/users/${id}/rate-limit`, body);
    const how = `setting the rate limit ${this.target}`;
    if (as.outcome !== 'allowed') expectRefusedAuthority(response, as, how);
    else if (invalid) expectFields(response, [invalid.field], how);
    else if (this.whose !== 'live') assert.equal(response.status, 404, `${how} was answered ${said(response)}`);
    else {
      assert.deepEqual([response.status, response.data], [200, { user_id: id, limit: this.limit, window_seconds: this.window }], `${how} was answered ${said(response)}`);
      (account as ModelUser).limit = this.limit;
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `set the rate limit ${this.target ?? `of ${this.whose} account #${this.index}`}`;
}

const INVALID_LIST_QUERIES: readonly { what: string; field: string; params: Record<string, string> }[] = [
  { what: 'page 0', field: 'page', params: { page: '0' } },
  { what: 'page "two"', field: 'page', params: { page: 'two' } },
  { what: 'pages of 0', field: 'page_size', params: { page_size: '0' } },
  { what: 'pages of 501', field: 'page_size', params: { page_size: '501' } },
];

/** Reads an account that does not exist, and asks for a list page the contract refuses. */
class AskAmiss implements CredentialCommand {
  private target: string | undefined;
  constructor(
    readonly query: number,
    readonly by: number | null,
    readonly pageSize: number,
  ) {}
  check = () => true;
  async run(model: CredentialModel, real: CredentialSystem): Promise<void> {
    const as = await authority(model, real, this.by);
    const { what, field, params } = INVALID_LIST_QUERIES[this.query % INVALID_LIST_QUERIES.length];
    this.target = `${what} by ${as.who}`;
    const unknown = await as.api.get(`/api/v1/users/usr-00000000-0000-4000-8000-${String(this.query).padStart(12, '0')}`, { retries: 0 });
    const list = await as.api.get('/api/v1/users', { params: { ...params, username_prefix: real.prefix }, retries: 0 });
    if (as.outcome !== 'allowed') {
      expectRefusedAuthority(unknown, as, 'reading an unknown account');
      expectRefusedAuthority(list, as, `listing the accounts with ${what}`);
    } else {
      assert.equal(unknown.status, 404, `reading an unknown account was answered ${said(unknown)}`);
      expectFields(list, [field], `listing the accounts with ${what}`);
    }
    await checkEveryView(model, real, this.pageSize);
  }
  toString = () => `read an unknown account and list the accounts with ${this.target ?? INVALID_LIST_QUERIES[this.query % INVALID_LIST_QUERIES.length].what}`;
}

// ---- every credential and every view against the model --------------------------------------------

interface UserList {
  items: PublicUser[];
  total: number;
  page: number;
  page_size: number;
}

const byCreation = (a: PublicUser, b: PublicUser) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function expectOldestFirst(items: readonly PublicUser[], what: string): void {
  items.forEach((user, i) => {
    if (i > 0) assert.ok(items[i - 1].created_at <= user.created_at, `${what} lists ${user.username} (created ${user.created_at}) after ${items[i - 1].username} (created ${items[i - 1].created_at}): not oldest first`);
  });
}

/** The list filtered to the sequence, page by page: exactly the model's accounts, each once, oldest first, every page giving the same total. */
async function expectFilteredList(model: CredentialModel, real: CredentialSystem, api: ApiClient, pageSize: number): Promise<void> {
  const what = `the list of the accounts named ${real.prefix}...`;
  const { items, totals } = await readAllPages<PublicUser>(api, '/api/v1/users', { username_prefix: real.prefix }, pageSize, what);
  for (const total of totals) assert.equal(total, model.users.length, `${what} gives a total of ${total}, but ${model.users.length} accounts match`);
  const ids = items.map((user) => user.id);
  assert.equal(new Set(ids).size, ids.length, `${what}, read ${pageSize} at a time, lists an account twice: ${items.map((user) => user.username).join(', ')}`);
  expectOldestFirst(items, what);
  assert.deepEqual([...items].sort(byCreation), model.users.map(publicView).sort(byCreation), `${what}, read ${pageSize} at a time, differs from the accounts there are`);
}

/** The whole list, 500 at a time: the sequence's accounts in it as in the model, the deleted ones not. */
async function expectWholeList(model: CredentialModel, real: CredentialSystem, api: ApiClient): Promise<void> {
  const what = 'the list of all accounts';
  const first = await api.get<UserList>('/api/v1/users', { params: { page_size: 500 }, retries: 0 });
  assert.equal(first.status, 200, `reading ${what} was answered ${said(first)}`);
  // One answer is one moment: with a single page, its total is what it lists.
  if (first.data.items.length < 500) assert.equal(first.data.total, first.data.items.length, `${what} gives a total of ${first.data.total} but lists ${first.data.items.length} accounts`);
  const { items } = first.data.items.length < 500 ? first.data : await readAllPages<PublicUser>(api, '/api/v1/users', {}, 500, what);
  expectOldestFirst(items, what);
  const ours = items.filter((user) => user.username.startsWith(real.prefix)).sort(byCreation);
  assert.deepEqual(ours, model.users.map(publicView).sort(byCreation), `${what} shows other accounts named ${real.prefix}... than there are`);
  const goneIds = new Set(model.gone.map((user) => user.id));
  const ghost = items.find((user) => goneIds.has(user.id));
  assert.equal(ghost, undefined, `${what} still shows the deleted account ${ghost?.username}`);
}

async function expectDetails(api: ApiClient, user: ModelUser): Promise<void> {
  const response = await api.get<PublicUser>(`/api/v1/users/${user.id}`, { retries: 0 });
  assert.deepEqual([response.status, response.data], [200, publicView(user)], `reading the account ${user.username}`);
}

async function expectNoDetails(api: ApiClient, user: GoneUser): Promise<void> {
  const response = await api.get(`/api/v1/users/${user.id}`, { retries: 0 });
  assert.equal(response.status, 404, `${user.username} was deleted, but reading the account was answered ${said(response)}`);
}

/** A credential works as its user and role exactly while its session lasts. */
async function expectCredential(model: CredentialModel, real: CredentialSystem, session: ModelSession, index: number): Promise<void> {
  const response = await client(real, session.tokens[index]).get<PublicUser>('/api/auth/me', { retries: 0 });
  const user = holder(model, session);
  const token = `access token ${index + 1} of ${session.tokens.length} of ${session.label}`;
  if (user) assert.deepEqual([response.status, response.data], [200, publicView(user)], `${token} does not read its own account`);
  else {
    const why = session.signedOut ? 'the session was signed out' : 'its account was deleted';
    assert.equal(response.status, 401, `${token} still works (${said(response)}), but ${why}`);
  }
}

/** What a live holder of each account may do: only an admin reads the accounts, a viewer may not ask for a machine; and their requests count against their own limit. */
async function expectRoleEffect(real: CredentialSystem, user: ModelUser, session: ModelSession): Promise<void> {
  const api = client(real, session.tokens[session.tokens.length - 1]);
  const list = await api.get('/api/v1/users', { params: { page_size: 1, username_prefix: real.prefix }, retries: 0 });
  assert.equal(list.status, user.role === 'admin' ? 200 : 403, `${user.username} (${user.role}) listing the accounts was answered ${said(list)}`);
  const limit = user.limit === undefined ? real.defaultLimit : String(user.limit);
  assert.equal(list.headers['x-ratelimit-limit'], limit, `${user.username}'s requests are counted against a limit of ${list.headers['x-ratelimit-limit']}, not ${limit}`);
  const machine = await api.post<{ id?: string }>('/api/v1/vms', {});
  if (machine.status === 201 && machine.data.id) await (await real.world.suite.admin()).delete(`/api/v1/vms/${machine.data.id}`);
  assert.equal(machine.status, user.role === 'viewer' ? 403 : 400, `${user.username} (${user.role}) asking for a machine without a name was answered ${said(machine)}`);
}

export async function checkEveryView(model: CredentialModel, real: CredentialSystem, pageSize: number): Promise<void> {
  const admin = await real.world.suite.admin();
  const probed = new Set<string>();
  const roleProbes = model.sessions.flatMap((session) => {
    const user = holder(model, session);
    if (!user || probed.has(user.id)) return [];
    probed.add(user.id);
    return [expectRoleEffect(real, user, session)];
  });
  await Promise.all([
    ...model.sessions.flatMap((session) => session.tokens.map((_, index) => expectCredential(model, real, session, index))),
    ...roleProbes,
    ...model.users.map((user) => expectDetails(admin, user)),
    ...model.gone.map((user) => expectNoDetails(admin, user)),
    expectFilteredList(model, real, admin, pageSize),
    expectWholeList(model, real, admin),
  ]);
}

// ---- the check ------------------------------------------------------------------------------------

const pageSizeArb = fc.integer({ min: 1, max: 4 });
const indexArb = fc.nat({ max: 50 });
/** The suite's administrator half of the time, else the holder of one of the sequence's sessions. */
const byArb = fc.option(indexArb, { freq: 2, nil: null });
const whoseArb = fc.constantFrom<Whose>('live', 'live', 'live', 'deleted', 'unknown');
const roleArb = fc.constantFrom(...ROLES);

const viaArb = fc.constantFrom<'username' | 'email'>('username', 'email');
const createArb = fc.tuple(roleArb, pageSizeArb).map(([role, size]) => new CreateUser(role, 'plain', null, size));
const signInArb = fc.tuple(indexArb, viaArb, pageSizeArb).map(([index, via, size]) => new SignIn('live', index, via, true, size));
const refreshArb = fc
  .tuple(indexArb, fc.constantFrom<RefreshWith>('current', 'current', 'current', 'current', 'spent', 'garbage', 'empty', 'access token'), pageSizeArb)
  .map(([index, using, size]) => new Refresh(index, using, size));
const signOutArb = fc.tuple(indexArb, fc.boolean(), pageSizeArb).map(([index, earliest, size]) => new SignOut(index, earliest, size));

/** Weighted by repetition: sessions are where most rules meet, so their operations come most often. */
export const CREDENTIAL_COMMANDS: fc.Arbitrary<CredentialCommand>[] = [
  fc
    .tuple(roleArb, fc.constantFrom<Shape>('plain', 'longest-username', 'shortest-password', 'longest-password', 'name-of-deleted', 'name-of-deleted'), byArb, pageSizeArb)
    .map(([role, shape, by, size]) => new CreateUser(role, shape, by, size)),
  createArb,
  createArb,
  fc.tuple(fc.nat({ max: INVALID_ACCOUNTS.length - 1 }), indexArb, byArb, pageSizeArb).map(([kind, index, by, size]) => new CreateInvalid(kind, index, by, size)),
  signInArb,
  signInArb,
  signInArb,
  fc.tuple(whoseArb, indexArb, viaArb, fc.boolean(), pageSizeArb).map(([whose, index, via, right, size]) => new SignIn(whose, index, via, right, size)),
  refreshArb,
  refreshArb,
  refreshArb,
  signOutArb,
  signOutArb,
  fc.tuple(whoseArb, indexArb, byArb, pageSizeArb).map(([whose, index, by, size]) => new DeleteUser(whose, index, by, size)),
  fc.tuple(indexArb, pageSizeArb).map(([index, size]) => new DeleteOwnAccount(index, size)),
  fc
    .tuple(whoseArb, indexArb, fc.integer({ min: 1_000, max: 1_000_000 }), fc.integer({ min: 1, max: 3600 }), fc.option(fc.nat({ max: INVALID_LIMITS.length - 1 }), { nil: undefined }), byArb, pageSizeArb)
    .map(([whose, index, limit, window, invalid, by, size]) => new SetRateLimit(whose, index, limit, window, invalid, by, size)),
  fc.tuple(fc.nat({ max: INVALID_LIST_QUERIES.length - 1 }), byArb, pageSizeArb).map(([query, by, size]) => new AskAmiss(query, by, size)),
];

/**
 * Every kind of operation at least once, in an order that reaches each rule of the model. Indexes
 * follow the model's lists: users in order of creation (deleted ones leave), sessions in order of
 * sign-in.
 */
export function credentialTour(): CredentialCommand[] {
  return [
    new CreateUser('viewer', 'plain', null, 1), // users: V
    new CreateUser('operator', 'shortest-password', null, 2), // V O
    new CreateUser('admin', 'longest-username', null, 3), // V O A
    new CreateUser('viewer', 'longest-password', null, 4), // V O A W
    ...INVALID_ACCOUNTS.map((_, kind) => new CreateInvalid(kind, kind, null, 2)),
    new SignIn('live', 0, 'username', true, 3), // session 1: V
    new SignIn('live', 1, 'email', true, 2), // session 2: O
    new SignIn('live', 2, 'username', true, 1), // session 3: A
    new SignIn('live', 3, 'email', false, 2),
    new SignIn('unknown', 0, 'username', true, 2),
    new Refresh(0, 'current', 3),
    new Refresh(0, 'spent', 2),
    new Refresh(0, 'garbage', 2),
    new Refresh(0, 'empty', 2),
    new Refresh(0, 'access token', 2),
    new CreateUser('admin', 'plain', 0, 2), // by the viewer: forbidden
    new CreateInvalid(0, 0, 1, 2), // by the operator: forbidden
    new CreateUser('operator', 'plain', 2, 3), // by the admin: V O A W P
    new SetRateLimit('live', 1, 4321, 60, undefined, null, 2),
    new SetRateLimit('live', 1, 5000, 60, 0, null, 2),
    new SetRateLimit('live', 3, 5000, 60, undefined, 0, 2), // by the viewer: forbidden
    new SetRateLimit('unknown', 7, 5000, 60, undefined, 2, 2),
    new DeleteOwnAccount(0, 2),
    new AskAmiss(0, null, 2),
    new AskAmiss(3, 1, 2), // by the operator: forbidden
    new SignOut(0, true, 2), // session 1 ends through its first token
    new Refresh(0, 'current', 2), // ... and its refresh token with it
    new SignOut(0, false, 2),
    new SignIn('live', 0, 'email', true, 2), // session 4: V
    new DeleteUser('live', 0, 2, 3), // V, by the admin of session 3: sessions 1 and 4 end
    new Refresh(3, 'current', 2),
    new SignIn('deleted', 0, 'username', true, 2),
    new DeleteUser('deleted', 0, null, 2),
    new DeleteUser('unknown', 3, null, 2),
    new DeleteUser('live', 0, 0, 2), // by the ended session 1: not signed in
    new CreateUser('viewer', 'name-of-deleted', null, 4), // V again: O A W P V'
    new SignIn('live', 4, 'username', true, 2), // session 5: V'
    ...Array.from({ length: MAX_FAILED_SIGN_INS }, () => new SignIn('live', 2, 'username', false, 2)),
    new SignIn('live', 2, 'email', true, 2), // locked
    new DeleteUser('live', 1, null, 1), // A: session 3 ends; O W P V'
    new SignIn('live', 0, 'username', true, 2), // session 6: O
  ];
}

export function credentialModelCheck(world: NovaWorld): ModelCheck<CredentialModel, CredentialSystem> {
  let sequence = 0;
  return {
    domain: 'accounts and sessions',
    commands: CREDENTIAL_COMMANDS,
    tour: credentialTour,
    async setup() {
      sequence += 1;
      const admin = await world.suite.admin();
      const probe = await admin.get('/api/v1/users', { params: { page_size: 1 }, retries: 0 });
      const real: CredentialSystem = { world, prefix: `c${world.runId}s${sequence}-`, defaultLimit: probe.headers['x-ratelimit-limit'], created: new Map(), clients: new Map() };
      return { model: { users: [], gone: [], sessions: [], issued: 0 }, real };
    },
    async teardown(real) {
      const admin = await world.suite.admin();
      const failures: string[] = [];
      for (const [id, username] of real.created) {
        const deleted = await admin.delete(`/api/v1/users/${id}`);
        if (deleted.status === 200 || deleted.status === 404) world.ledger.forget(`user ${username}`);
        else failures.push(`${username}: ${deleted.status}`);
      }
      if (failures.length > 0) throw new Error(`the accounts of the sequence could not all be deleted (${failures.join(', ')}); the scenario's cleanup tries again`);
    },
  };
}

export async function checkCredentialModel(world: NovaWorld): Promise<void> {
  await runModelCheck(world, credentialModelCheck(world));
}
