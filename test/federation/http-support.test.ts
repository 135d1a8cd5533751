import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FederationError } from '../../reference/federation/errors';
import { answering, paginate, toHttpError } from '../../reference/federation/http-support';
import { HttpError } from '../../reference/http/errors';
import type { ApiRequest } from '../../reference/http/router';
import { NetworkError } from '../../reference/network/errors';
import { StorageError } from '../../reference/storage/errors';

describe('domain refusals over HTTP', () => {
  it('map each kind to its status, with the field of a 400 in details', () => {
    const invalid = toHttpError(new StorageError('invalid', 'size 0 is invalid', 'size')) as HttpError;
    assert.deepEqual([invalid.status, invalid.toBody()], [400, { error: 'size 0 is invalid', details: [{ field: 'size', message: 'size 0 is invalid' }] }]);
    assert.equal((toHttpError(new NetworkError('not_found', 'network x not found')) as HttpError).status, 404);
    assert.equal((toHttpError(new NetworkError('exhausted', 'no free address')) as HttpError).status, 409);
    assert.equal((toHttpError(new StorageError('insufficient_capacity', 'full')) as HttpError).status, 409);
    assert.deepEqual((toHttpError(new FederationError('unavailable', 'cluster "e" is unreachable')) as HttpError).toBody(), {
      error: 'cluster "e" is unreachable',
      reason: 'unavailable',
    });
    const other = new Error('boom');
    assert.equal(toHttpError(other), other, 'anything else passes through');
  });

  it('answering converts refusals from sync and async handlers', async () => {
    const request = {} as ApiRequest;
    assert.throws(() => answering(() => { throw new FederationError('conflict', 'taken'); })(request), (e: unknown) => e instanceof HttpError && e.status === 409);
    await assert.rejects(
      async () => answering(async () => { throw new FederationError('not_found', 'gone'); })(request),
      (e: unknown) => e instanceof HttpError && e.status === 404,
    );
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 120 }, (_, i) => i);
  it('pages with defaults and limits', () => {
    assert.deepEqual({ ...paginate(items, new URLSearchParams()), items: undefined }, { items: undefined, total: 120, page: 1, page_size: 50 });
    assert.deepEqual(paginate(items, new URLSearchParams('page=3&page_size=50')).items, items.slice(100));
  });

  it('refuses bad parameters naming each', () => {
    assert.throws(() => paginate(items, new URLSearchParams('page=0&page_size=501')), (e: unknown) => {
      assert.ok(e instanceof HttpError);
      assert.deepEqual(e.details?.map((d) => d.field), ['page', 'page_size']);
      return true;
    });
  });
});
