import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiClient, ApiResponse } from '../api-client';
import { createUser, login } from '../tasks/accounts';
import type { NovaWorld } from '../world';
import { body } from './common';
import { runModelCheck, type ModelCheck } from './runner';

/**
 * The rate-limit model, written from the contract (contract/openapi.yaml's X-RateLimit-* headers and
 * 429 answer, contract/domains/auth.yaml's PUT /api/v1/users/{id}/rate-limit), not from any
 * implementation:
 * - a user's requests to /api/v1 are counted per window of `window_seconds` that starts at a
 *   multiple of `window_seconds` since the epoch, under the Redis key
 *   `<prefix>ratelimit:<user id>:<window start>`, before each answer: a refused request counts too;
 * - an administrator can give a user a limit of their own at any time: from then on the user's
 *   requests are counted against it, under the key of the window the new length gives;
 * - every answer carries X-RateLimit-Limit (the user's limit), X-RateLimit-Remaining (the limit
 *   minus the requests counted in the window, never below 0) and X-RateLimit-Reset (the end of the
 *   window, in Unix seconds); a request counted beyond the limit is refused with 429 and a
 *   Retry-After of the seconds left until the reset (at least 1);
 * - the users' counts are their own: one user's requests never change another's;
 * - a user without a limit of their own is counted the same way against the default limit (its size
 *   and window length are the target's settings: the answers state them, and they do not change).
 * After every operation each user's counter in Redis is compared with the model, and every
 * answer's status and headers with what the model predicts for it.
 */

/** Windows long enough that a sequence rarely spans two; one that does is followed, not guessed. */
const WINDOWS = [600, 1200, 1800, 3600] as const;
const USERS = 3;
/** The last user keeps the default limit: the target's setting, whose window the answers name. */
const DEFAULT_USER = USERS - 1;
/** Read endpoints a viewer may call; all of /api/v1 counts alike. */
const READS = ['/api/v1/vms', '/api/v1/storage/tiers', '/api/v1/networks', '/api/v1/dashboard/summary'] as const;

interface LimitedUser {
  /** Its own limit, once the administrator set one. */
  limit?: number;
  window?: number;
  /** Requests counted, by window start (own limit) or by the window's end the answers name (default limit). */
  counts: Map<number, number>;
}

export interface RateModel {
  users: LimitedUser[];
  /** The default limit, as the first answer to the default user stated it. */
  defaultLimit?: number;
}

export interface RateSystem {
  world: NovaWorld;
  users: { id: string; username: string; api: ApiClient }[];
}

type RateCommand = fc.AsyncCommand<RateModel, RateSystem>;

const windowStart = (seconds: number, window: number): number => Math.floor(seconds / window) * window;

function header(response: ApiResponse, name: string): number | undefined {
  const value = response.headers[name];
  return value === undefined ? undefined : Number(value);
}

/**
 * Checks one answer against the model and counts it. The window is the one the clock gives when the
 * request was sent; if the window turned while it was under way, the target's Reset says which one
 * counted it (the model follows, it does not guess).
 */
function judgeAnswer(user: LimitedUser, who: string, response: ApiResponse, sentAt: number, answeredAt: number): void {
  const { limit, window } = user;
  assert.ok(limit !== undefined && window !== undefined, `${who} has no limit of their own`);
  const [first, last] = [windowStart(sentAt, window), windowStart(answeredAt, window)];
  let start = first;
  const reset = header(response, 'x-ratelimit-reset');
  if (first !== last) start = reset === last + window ? last : first;
  const used = (user.counts.get(start) ?? 0) + 1;
  user.counts.set(start, used);
  const what = `request ${used} of ${who} in the window from ${new Date(start * 1000).toISOString()} (limit ${limit} per ${window} s)`;
  if (used > limit) {
    assert.equal(response.status, 429, `${what} was answered ${response.status}, not refused as too many requests`);
    const retryAfter = header(response, 'retry-after');
    const expected = Math.max(1, Math.ceil(start + window - answeredAt));
    assert.ok(retryAfter !== undefined && Math.abs(retryAfter - expected) <= 2, `${what} was refused with Retry-After ${String(retryAfter)}, expected about ${expected} s`);
    const remaining = header(response, 'x-ratelimit-remaining');
    if (remaining !== undefined) assert.equal(remaining, 0, `${what} was refused, with ${remaining} requests said to remain`);
    return;
  }
  assert.equal(response.status, 200, `${what} was answered ${response.status} ${body(response)}`);
  assert.deepEqual(
    { limit: header(response, 'x-ratelimit-limit'), remaining: header(response, 'x-ratelimit-remaining'), reset },
    { limit, remaining: limit - used, reset: start + window },
    `${what} carries other rate-limit headers than the model's`,
  );
}

/**
 * A user on the default limit: its size is the target's setting (the first answer says it, and it
 * must not change), its windows are the ones the answers' Reset names; within a window every request
 * is counted exactly as for a limit of one's own.
 */
function judgeDefaultAnswer(model: RateModel, user: LimitedUser, who: string, response: ApiResponse): void {
  const limit = header(response, 'x-ratelimit-limit');
  const reset = header(response, 'x-ratelimit-reset');
  assert.ok(limit !== undefined && reset !== undefined, `a request of ${who} (default limit) carries no rate-limit headers: ${JSON.stringify(response.headers)}`);
  model.defaultLimit ??= limit;
  const used = (user.counts.get(reset) ?? 0) + 1;
  user.counts.set(reset, used);
  const what = `request ${used} of ${who} in the default window ending ${new Date(reset * 1000).toISOString()}`;
  assert.equal(limit, model.defaultLimit, `${what} is counted against a limit of ${limit}, earlier ones against ${model.defaultLimit}`);
  if (used > limit) {
    assert.equal(response.status, 429, `${what} was answered ${response.status}, not refused as too many requests`);
    return;
  }
  assert.equal(response.status, 200, `${what} was answered ${response.status} ${body(response)}`);
  assert.equal(header(response, 'x-ratelimit-remaining'), limit - used, `${what} says ${String(header(response, 'x-ratelimit-remaining'))} requests remain of ${limit}`);
}

/** Each user's counter for the current window in Redis, against the model's count. */
async function checkCounters(model: RateModel, real: RateSystem): Promise<void> {
  const redis = await real.world.suite.redis();
  const now = Date.now() / 1000;
  for (const [index, user] of model.users.entries()) {
    if (user.limit === undefined || user.window === undefined) continue;
    const start = windowStart(now, user.window);
    const key = real.world.suite.redisKey(`ratelimit:${real.users[index].id}:${start}`);
    const stored = Number((await redis.get(key)) ?? 0);
    assert.equal(stored, user.counts.get(start) ?? 0, `the counter of ${real.users[index].username} in Redis (${key}) holds ${stored}, the model ${user.counts.get(start) ?? 0}`);
  }
}

class SetLimit implements RateCommand {
  constructor(
    readonly index: number,
    readonly limit: number,
    readonly window: number,
  ) {}

  check = (): boolean => true;

  async run(model: RateModel, real: RateSystem): Promise<void> {
    const target = real.users[this.index];
    const admin = await real.world.suite.admin();
    const response = await admin.put(`/api/v1/users/${target.id}/rate-limit`, { limit: this.limit, window_seconds: this.window });
    assert.deepEqual([response.status, response.data], [200, { user_id: target.id, limit: this.limit, window_seconds: this.window }], `setting ${this.limit} per ${this.window} s for user ${this.index + 1} was answered ${body(response)}`);
    Object.assign(model.users[this.index], { limit: this.limit, window: this.window });
    await checkCounters(model, real);
  }

  toString = (): string => `limit user ${this.index + 1} to ${this.limit} per ${this.window} s`;
}

class Burst implements RateCommand {
  constructor(
    readonly index: number,
    readonly requests: number,
    readonly read: number,
  ) {}

  /** The users that are given limits only after their limit was set (before, their count would mix two windows' rules). */
  check = (model: Readonly<RateModel>): boolean => this.index === DEFAULT_USER || model.users[this.index].limit !== undefined;

  async run(model: RateModel, real: RateSystem): Promise<void> {
    const user = model.users[this.index];
    const who = `user ${this.index + 1}`;
    for (let i = 0; i < this.requests; i++) {
      const sentAt = Date.now() / 1000;
      const response = await real.users[this.index].api.get(READS[this.read], { params: { page_size: 1 }, retries: 0 });
      if (this.index === DEFAULT_USER) judgeDefaultAnswer(model, user, who, response);
      else judgeAnswer(user, who, response, sentAt, Date.now() / 1000);
    }
    await checkCounters(model, real);
  }

  toString = (): string => `${this.requests} request(s) of user ${this.index + 1} to ${READS[this.read]}`;
}

const userArb = fc.nat({ max: USERS - 1 });
const limitedUserArb = fc.nat({ max: DEFAULT_USER - 1 });
const limitArb = fc.integer({ min: 1, max: 6 });
const windowArb = fc.constantFrom(...WINDOWS);

export const RATE_COMMANDS: fc.Arbitrary<RateCommand>[] = [
  fc.tuple(limitedUserArb, limitArb, windowArb).map(([index, limit, window]) => new SetLimit(index, limit, window)),
  fc.tuple(userArb, fc.integer({ min: 1, max: 4 }), fc.nat({ max: READS.length - 1 })).map(([index, requests, read]) => new Burst(index, requests, read)),
  fc.tuple(userArb, fc.integer({ min: 1, max: 4 }), fc.nat({ max: READS.length - 1 })).map(([index, requests, read]) => new Burst(index, requests, read)),
];

/** Every rule at least once: a limit reached and passed, a limit raised and lowered mid-window, a new window length, users apart. */
export function rateTour(): RateCommand[] {
  return [
    new SetLimit(0, 3, 600),
    new SetLimit(1, 4, 600),
    new Burst(0, 2, 0),
    new Burst(1, 1, 1), // another user in the same window: user 1's count is not theirs
    new Burst(0, 3, 2), // the third is the last allowed; then refused, and counted
    new SetLimit(0, 6, 600), // raised mid-window: the requests already counted still count
    new Burst(0, 2, 3),
    new SetLimit(0, 2, 1800), // another window length: the window its start gives
    new Burst(0, 3, 0),
    new SetLimit(1, 1, 3600), // lowered, and another window length
    new Burst(1, 2, 1),
    new Burst(DEFAULT_USER, 3, 2), // the default limit, counted the same way
  ];
}

export function rateModelCheck(world: NovaWorld): ModelCheck<RateModel, RateSystem> {
  let sequence = 0;
  return {
    domain: 'rate limits',
    commands: RATE_COMMANDS,
    tour: rateTour,
    async setup() {
      sequence += 1;
      const users: RateSystem['users'] = [];
      for (let i = 0; i < USERS; i++) {
        const { id, username, password } = await createUser(world, `r${world.runId}s${sequence}-u${i + 1}`, 'viewer');
        users.push({ id, username, api: world.suite.client((await login(world, username, password)).token) });
      }
      return { model: { users: users.map(() => ({ counts: new Map() })) }, real: { world, users } };
    },
    async teardown(real) {
      const admin = await world.suite.admin();
      for (const user of real.users) {
        const deleted = await admin.delete(`/api/v1/users/${user.id}`);
        if (deleted.status === 200 || deleted.status === 404) world.ledger.forget(`user ${user.username}`);
      }
    },
  };
}

export async function checkRateModel(world: NovaWorld): Promise<void> {
  await runModelCheck(world, rateModelCheck(world));
}
