import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';

interface ErrorBody {
  error?: string;
  details?: { field: string; message: string }[];
  current_state?: string;
}

/** Why the target refused the last request, in the suite's vocabulary. */
export type Refusal = 'invalid' | 'unauthenticated' | 'forbidden' | 'unknown' | 'conflict' | 'rate-limited' | 'unavailable';

const STATUS_OF: Record<Refusal, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  unknown: 404,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
};

/** Checks the last answer was a refusal of the given kind with a readable reason, and returns its body. */
export function expectRefusal(world: NovaWorld, kind: Refusal): ErrorBody {
  const response = world.lastResponse;
  if (!response) throw new Error('no request was made before checking its refusal');
  const body = (response.data ?? {}) as ErrorBody;
  assert.equal(
    response.status,
    STATUS_OF[kind],
    `the request should have been refused as ${kind} (${STATUS_OF[kind]}), but ${response.operation} answered ${response.status} ${JSON.stringify(body).slice(0, 200)}`,
  );
  assert.ok(typeof body.error === 'string' && body.error.length > 0, `the refusal gives no reason: ${JSON.stringify(body)}`);
  return body;
}

export function expectFieldError(world: NovaWorld, field: string): void {
  const body = expectRefusal(world, 'invalid');
  const fields = (body.details ?? []).map((d) => d.field);
  assert.ok(fields.includes(field), `the refusal should name the field "${field}", but it names ${JSON.stringify(fields)} ("${body.error}")`);
}
