import { HttpError, invalidInput, type FieldError } from '../http/errors';
import type { ApiRequest, Handler } from '../http/router';

/**
 * HTTP helpers shared by the federation, migration, storage and network modules: how their domain
 * refusals become answers, list paging, and reading a JSON object body.
 */

/** A refusal of one of these domains (FederationError, StorageError, NetworkError). */
export interface DomainRefusal extends Error {
  readonly kind: 'invalid' | 'not_found' | 'conflict' | 'insufficient_capacity' | 'exhausted' | 'unavailable';
  readonly field?: string;
}

const STATUS: Record<DomainRefusal['kind'], number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  insufficient_capacity: 409,
  exhausted: 409,
  unavailable: 503,
};

export function isDomainRefusal(error: unknown): error is DomainRefusal {
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  return error instanceof Error && typeof kind === 'string' && kind in STATUS;
}

/** A route handler whose domain refusals become their HTTP answers (400 with the field in `details`, 404, 409, 503). */
export function answering(handler: Handler): Handler {
  return (request) => {
    try {
      const result = handler(request);
      return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(toHttpError(error))) : result;
    } catch (error) {
      throw toHttpError(error);
    }
  };
}

export function toHttpError(error: unknown): unknown {
  if (!isDomainRefusal(error)) return error;
  const status = STATUS[error.kind];
  if (status === 400) return new HttpError(400, error.message, [{ field: error.field ?? 'body', message: error.message }]);
  return new HttpError(status, error.message, undefined, { body: { reason: error.kind } });
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

const MAX_PAGE_SIZE = 500;

/** `?page=&page_size=` (defaults 1 and 50, page_size at most 500); a 400 names each bad parameter. */
export function paginate<T>(items: readonly T[], query: URLSearchParams): Page<T> {
  const details: FieldError[] = [];
  const read = (name: string, fallback: number, max: number): number => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > max) {
      details.push({ field: name, message: `must be a whole number from 1 to ${max} (got "${raw}")` });
      return fallback;
    }
    return value;
  };
  const page = read('page', 1, 1_000_000);
  const pageSize = read('page_size', 50, MAX_PAGE_SIZE);
  if (details.length > 0) throw invalidInput('list query', details);
  const start = (page - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), total: items.length, page, page_size: pageSize };
}

/** The request body as an object; a 400 when it is missing or not a JSON object. */
export function objectBody(request: ApiRequest): Record<string, unknown> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidInput('request', [{ field: 'body', message: 'must be a JSON object' }]);
  }
  return body as Record<string, unknown>;
}
