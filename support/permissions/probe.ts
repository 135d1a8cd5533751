import assert from 'node:assert/strict';
import type { ApiClient, ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import type { Caller } from './roles';
import type { Fixtures } from './fixtures';

/** The parts of the control plane the permission matrix is read by, one scenario each. */
export const AREAS = [
  'accounts and sessions',
  'virtual machines',
  'autoscaling',
  'consensus',
  'federation',
  'storage',
  'networks',
  'MLE-Star',
  'outages of control plane components',
] as const;
export type Area = (typeof AREAS)[number];

/** What a call answered: an HTTP response, or (for the event stream) whether the connection opened. */
export interface Answer {
  status: number;
  data: unknown;
  operation: string;
}

/** One call of an operation, prepared for one caller. */
export interface Call {
  /** The concrete path, e.g. `/api/v1/vms/3f...`. */
  path: string;
  body?: unknown;
  params?: Record<string, string | number>;
  /** A token to send instead of the caller's own: for a call that ends or spends a session. */
  token?: string;
  /** Sends the call itself (the event stream is not a request/response operation). */
  send?: (token: string | undefined) => Promise<Answer>;
  /** The administrator's view of what the operation changes: a refused call must leave it as it was. */
  observe?: () => Promise<unknown>;
  /** After an allowed call: fails when the operation did not do what it promises (`before`: what `observe` saw). */
  effect: (answer: ApiResponse, before: unknown) => Promise<void> | void;
}

export interface CallerAccount {
  userId: string;
  username: string;
  password: string;
  token: string;
}

export interface ProbeContext {
  world: NovaWorld;
  admin: ApiClient;
  caller: Caller;
  fixtures: Fixtures;
  /** The caller's account and session, or undefined for nobody signed in. */
  account: CallerAccount | undefined;
}

/** How to call one contract operation and how to tell that it did (or did not) take effect. */
export interface Probe {
  area: Area;
  prepare: (context: ProbeContext) => Promise<Call>;
}

type Params = Record<string, string | number>;

/** A read that must answer what the administrator reads at the same path, seen through `view`. */
export function readProbe(area: Area, target: (context: ProbeContext) => Promise<{ path: string; params?: Params }>, view?: (data: unknown) => unknown): Probe {
  return {
    area,
    prepare: async (context) => {
      const { path, params } = await target(context);
      return { path, params, effect: sameAsAdmin(context.admin, path, params, view) };
    },
  };
}

// ------------------------------------------------------------------ effects shared by the probes

const shown = (value: unknown): string => JSON.stringify(value)?.slice(0, 300) ?? String(value);

/** Reads through the administrator and fails unless it answers `status`. */
export async function adminRead<T>(admin: ApiClient, path: string, params?: Record<string, string | number>, status = 200): Promise<T> {
  const response = await admin.get<T>(path, { params });
  assert.equal(response.status, status, `the administrator's read of ${path} answered ${response.status} ${shown(response.data)}, expected ${status}`);
  return response.data;
}

/** The status the administrator gets for `path` (a deleted resource answers 404). */
async function statusOf(admin: ApiClient, path: string, params?: Record<string, string | number>): Promise<number> {
  return (await admin.get(path, { params, retries: 0 })).status;
}

/**
 * An allowed read answers what the administrator reads at the same path, compared through `view`
 * (the fields that cannot change between the two reads).
 */
export function sameAsAdmin(admin: ApiClient, path: string, params: Record<string, string | number> | undefined, view: (data: unknown) => unknown = (d) => d): Call['effect'] {
  return async (answer) => {
    const theirs = view(answer.data);
    const admins = view(await adminRead(admin, path, params));
    assert.deepEqual(theirs, admins, `it answered ${shown(theirs)} where the administrator reads ${shown(admins)}`);
  };
}

/** After an allowed deletion the resource is gone: the administrator's read answers 404. */
export function goneAfterwards(admin: ApiClient, path: string, params?: Record<string, string | number>): Pick<Call, 'observe' | 'effect'> {
  return {
    observe: () => statusOf(admin, path, params),
    effect: async () => {
      const status = await statusOf(admin, path, params);
      assert.equal(status, 404, `what it deleted can still be read (the administrator's read of ${path} answered ${status})`);
    },
  };
}

/** The deletion of a fresh resource at the path `fresh` makes: allowed, it is gone afterwards; refused, it is still there. */
export function deletionProbe(area: Area, fresh: (context: ProbeContext) => Promise<string>): Probe {
  return {
    area,
    prepare: async (context) => {
      const path = await fresh(context);
      return { path, ...goneAfterwards(context.admin, path) };
    },
  };
}

/** Fields of an object, in a stable order, for comparisons that must ignore the rest. */
export function fields(...names: string[]): (data: unknown) => unknown {
  return (data) => Object.fromEntries(names.map((name) => [name, (data as Record<string, unknown> | null)?.[name]]));
}

/** The ids of a list answer's items, sorted. */
export function itemIds(data: unknown): string[] {
  const items = (data as { items?: { id?: string }[] } | null)?.items;
  assert.ok(Array.isArray(items), `the answer holds no list of items: ${shown(data)}`);
  return items.map((item) => String(item.id)).sort();
}

/** Every item of a paged list as the administrator reads it (page size 500). */
export async function allItems<T>(admin: ApiClient, path: string, params: Record<string, string | number> = {}): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= 200; page++) {
    const data = await adminRead<{ items: T[] }>(admin, path, { ...params, page, page_size: 500 });
    items.push(...data.items);
    if (data.items.length < 500) return items;
  }
  throw new Error(`${path} still had items after 200 pages`);
}

/**
 * A call that reads the page of a list where the administrator finds the resource `id` (lists are
 * oldest first, so a new resource is on the last page); allowed, that page must hold it.
 */
export async function pageHolding(admin: ApiClient, path: string, id: string, params: Record<string, string | number> = {}): Promise<Call> {
  const index = (await allItems<{ id: string }>(admin, path, params)).findIndex((item) => item.id === id);
  assert.ok(index >= 0, `the administrator does not find ${id} in ${path}`);
  const page = { ...params, page: Math.floor(index / 500) + 1, page_size: 500 };
  return {
    path,
    params: page,
    effect: (answer) => {
      const ids = (answer.data as { items?: { id?: string }[] }).items?.map((item) => item.id);
      assert.ok(ids?.includes(id), `page ${page.page} of ${path} does not hold ${id}: ${shown(answer.data)}`);
    },
  };
}

/**
 * After an allowed creation: the new resource is removed after the scenario, and the administrator
 * reads it at `<collection>/<id>` with these field values.
 */
export function createdAs(fixtures: Fixtures, collection: string, expected: Record<string, unknown>): (answer: ApiResponse) => Promise<void> {
  return async (answer) => {
    const path = `${collection}/${String((answer.data as { id?: unknown }).id)}`;
    fixtures.removeAfterwards(`${collection} ${String(expected.name ?? expected.username ?? '')}`, path);
    const read = await adminRead<Record<string, unknown>>(fixtures.admin, path);
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, read[key]]));
    assert.deepEqual(actual, expected, `the administrator reads what it created at ${path} as ${shown(actual)}, expected ${shown(expected)}`);
  };
}
