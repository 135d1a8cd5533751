import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient, type RetriedServerError } from '../../support/api-client';
import { Contract, ContractViolation } from '../../support/contract';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void;

let handler: Handler = (_q, s) => s.end();
const seen: { method: string; url: string; authorization?: string }[] = [];
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    handler(request, response, body);
  });
});
let baseURL = '';

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ApiClient retries', () => {
  it('retries an idempotent request answered 5xx, with backoff, and returns the final answer', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, ++calls < 3 ? 503 : 200, { ok: calls });
    const client = new ApiClient({ baseURL, retries: 3, retryBackoffMs: 5 });
    const started = performance.now();
    const response = await client.get<{ ok: number }>('/thing');
    assert.equal(response.status, 200);
    assert.equal(calls, 3);
    assert.ok(performance.now() - started >= 5 + 10, 'waits base, then twice base, between attempts');
  });

  it('tells of every 5xx a retry hid, naming the request, the status and the attempt', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, ++calls === 1 ? 500 : calls === 2 ? 503 : 200, { error: `call ${calls}` });
    const retried: RetriedServerError[] = [];
    const client = new ApiClient({ baseURL, retries: 3, retryBackoffMs: 1, onServerErrorRetried: (r) => retried.push(r) });
    const response = await client.get('/thing', { params: { page: 2 } });
    assert.equal(response.status, 200, 'the final answer is still returned');
    assert.deepEqual(
      retried.map(({ method, path, status, attempt, body }) => ({ method, path, status, attempt, body })),
      [
        { method: 'GET', path: '/thing', status: 500, attempt: 1, body: '{"error":"call 1"}' },
        { method: 'GET', path: '/thing', status: 503, attempt: 2, body: '{"error":"call 2"}' },
      ],
    );
  });

  it('tells of nothing when no 5xx was retried (a 5xx returned as the answer is the step\'s to judge)', async () => {
    handler = (_q, s) => json(s, 503, { error: 'down' });
    const retried: RetriedServerError[] = [];
    const response = await new ApiClient({ baseURL, retries: 3, retryBackoffMs: 1, onServerErrorRetried: (r) => retried.push(r) }).get('/health', { retries: 0 });
    assert.equal(response.status, 503);
    assert.deepEqual(retried, []);
  });

  it('never retries a POST, even when it is answered 5xx', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, 500, { error: `call ${++calls}` });
    const client = new ApiClient({ baseURL, retries: 3, retryBackoffMs: 1 });
    const response = await client.post('/thing', { a: 1 });
    assert.equal(response.status, 500);
    assert.equal(calls, 1);
  });

  it('gives up after the configured retries and returns the last 5xx', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, 502, { error: 'bad gateway', calls: ++calls });
    const response = await new ApiClient({ baseURL, retries: 2, retryBackoffMs: 1 }).get('/thing');
    assert.equal(response.status, 502);
    assert.equal(calls, 3);
  });

  it('a per-request retry count overrides the client default (a 503 health answer is not retried)', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, 503, { status: 'unhealthy', calls: ++calls });
    await new ApiClient({ baseURL, retries: 3, retryBackoffMs: 1 }).get('/health', { retries: 0 });
    assert.equal(calls, 1);
  });

  it('retries network errors of idempotent requests and names the URL and error when it gives up', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new ApiClient({ baseURL: `http://127.0.0.1:${port}`, retries: 2, retryBackoffMs: 1 });
    await assert.rejects(client.get('/x'), (error: Error) => {
      assert.match(error.message, new RegExp(`GET http://127.0.0.1:${port}/x failed: ECONNREFUSED`));
      assert.match(error.message, /after 3 attempt\(s\)/);
      return true;
    });
  });

  it('does not retry 4xx answers', async () => {
    let calls = 0;
    handler = (_q, s) => json(s, 404, { error: `nothing ${++calls}` });
    const response = await new ApiClient({ baseURL, retries: 3, retryBackoffMs: 1 }).get('/missing');
    assert.equal(response.status, 404);
    assert.equal(calls, 1);
  });
});

describe('ApiClient tokens, metrics and logging', () => {
  it('sends the bearer token, and a client made with as() acts with another token', async () => {
    handler = (_q, s) => json(s, 200, {});
    seen.length = 0;
    const client = new ApiClient({ baseURL, token: 'first' });
    await client.get('/a');
    await client.as('second').get('/a');
    await client.as(undefined).get('/a');
    assert.deepEqual(seen.map((r) => r.authorization), ['Bearer first', 'Bearer second', undefined]);
  });

  it('counts requests and 5xx errors per endpoint with percentiles', async () => {
    handler = (q, s) => json(s, q.url === '/bad' ? 500 : 200, {});
    const client = new ApiClient({ baseURL, retries: 0 });
    for (let i = 0; i < 4; i++) await client.get('/good');
    await client.get('/bad');
    const summary = client.metrics.summary();
    assert.equal(summary['GET /good'].count, 4);
    assert.equal(summary['GET /good'].errors, 0);
    assert.equal(summary['GET /bad'].errors, 1);
    assert.ok(summary['GET /good'].p99_ms >= summary['GET /good'].p50_ms);
    assert.ok(summary['GET /good'].p50_ms > 0);
  });

  it('logs requests and answers with passwords and tokens redacted', async () => {
    handler = (_q, s) => json(s, 200, { token: 'eyJhbGciOi.secret.value', refreshToken: 'refresh-secret', user: { name: 'ann' } });
    const lines: string[] = [];
    const client = new ApiClient({ baseURL, debug: (line) => lines.push(line) });
    await client.post('/api/auth/login', { username: 'ann', password: 'hunter22' });
    const log = lines.join('\n');
    assert.match(log, /POST \/api\/auth\/login/);
    assert.match(log, /"username":"ann"/);
    for (const secret of ['hunter22', 'eyJhbGciOi.secret.value', 'refresh-secret']) assert.ok(!log.includes(secret), `the log shows ${secret}`);
    assert.match(log, /"password":"\*\*\*"/);
  });
});

describe('ApiClient contract checks', () => {
  const contract = new Contract({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        get: {
          responses: {
            '200': { content: { 'application/json': { schema: { type: 'object', required: ['id', 'state'], properties: { id: { type: 'string' }, state: { enum: ['on', 'off'] } } } } } },
          },
        },
      },
    },
  });

  it('fails a step in strict mode with the operation and each difference', async () => {
    handler = (_q, s) => json(s, 200, { id: 7, status: 'on' });
    const client = new ApiClient({ baseURL, contract, contractMode: 'strict' });
    await assert.rejects(client.get('/things/abc'), (error: unknown) => {
      assert.ok(error instanceof ContractViolation);
      assert.match(error.message, /The 200 answer to GET \/things\/\{id\} breaks the contract/);
      assert.match(error.message, /\/id must be string \(got 7\)/);
      assert.match(error.message, /missing required field "state"/);
      return true;
    });
  });

  it('reports an undocumented status', async () => {
    handler = (_q, s) => json(s, 418, { error: 'teapot' });
    const client = new ApiClient({ baseURL, contract, contractMode: 'strict' });
    await assert.rejects(client.get('/things/abc'), /a 418 answer is not documented \(documented: 200\)/);
  });

  it('only warns in warn mode, and checks nothing in off mode', async () => {
    handler = (_q, s) => json(s, 200, { id: 'x', state: 'sideways' });
    const warnings: ContractViolation[] = [];
    const warned = await new ApiClient({ baseURL, contract, contractMode: 'warn', onContractWarning: (v) => warnings.push(v) }).get('/things/x');
    assert.equal(warned.status, 200);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].problems[0], /\/state must be equal to one of the allowed values \["on","off"\] \(got "sideways"\)/);
    const off = await new ApiClient({ baseURL, contract, contractMode: 'off', onContractWarning: (v) => warnings.push(v) }).get('/things/x');
    assert.equal(off.status, 200);
    assert.equal(warnings.length, 1);
  });
});
