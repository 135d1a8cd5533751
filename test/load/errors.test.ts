import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import axios from 'axios';
import { errors as undiciErrors } from 'undici';
import { classifyError, classifyStatus, describeError, LoadFailure } from '../../support/load/errors';
import { LoadHttpClient } from '../../support/load/http';
import { LoadTestRunner } from '../../support/load/runner';

/** GET /status/<n> answers n; GET /hang never answers; POST /echo returns the body. */
function startServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const status = /^\/status\/(\d+)$/.exec(req.url ?? '');
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'application/json' }).end('{"error":"as asked"}');
    } else if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.writeHead(200, { 'content-type': req.headers['content-type'] ?? '' }).end(Buffer.concat(chunks)));
    } else if (req.url !== '/hang') {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('error classification', () => {
  it('maps statuses to 4xx and 5xx, successes to null', () => {
    assert.equal(classifyStatus(200), null);
    assert.equal(classifyStatus(302), null);
    assert.equal(classifyStatus(404), '4xx');
    assert.equal(classifyStatus(429), '4xx');
    assert.equal(classifyStatus(500), '5xx');
    assert.equal(classifyStatus(503), '5xx');
  });

  it('classifies undici, axios, node:net and explicit errors', () => {
    assert.equal(classifyError(new undiciErrors.HeadersTimeoutError()), 'timeout');
    assert.equal(classifyError(new undiciErrors.BodyTimeoutError()), 'timeout');
    assert.equal(classifyError(new undiciErrors.SocketError('other side closed')), 'connection');
    assert.equal(classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'connection');
    assert.equal(classifyError(Object.assign(new Error('timeout of 100ms exceeded'), { code: 'ECONNABORTED' })), 'timeout');
    assert.equal(classifyError(Object.assign(new Error('Request failed'), { response: { status: 502 } })), '5xx');
    assert.equal(classifyError(new LoadFailure('4xx', 'refused')), '4xx');
    assert.equal(classifyError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })), 'connection');
    assert.equal(classifyError(new Error('GET http://127.0.0.1:1/health failed: ECONNREFUSED (connect ECONNREFUSED) after 4 attempt(s)')), 'connection');
    assert.equal(classifyError(new Error('unexpected body')), 'other');
    assert.equal(classifyError('a string'), 'other');
  });

  it('describes an error on one line with its code', () => {
    assert.equal(describeError(Object.assign(new Error('socket hang up\n  at x'), { code: 'ECONNRESET' })), 'ECONNRESET: socket hang up');
  });
});

describe('LoadHttpClient against a real server', () => {
  let server: http.Server;
  let baseUrl: string;
  before(async () => {
    server = await startServer();
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('returns statuses without throwing and reads bodies on request', async () => {
    const client = new LoadHttpClient(baseUrl, { connections: 2 });
    assert.deepEqual(await client.send({ path: '/status/204' }), { status: 204 });
    assert.deepEqual(await client.json({ method: 'POST', path: '/echo', json: { name: 'vm-1' } }), { status: 200, data: { name: 'vm-1' } });
    await client.close();
  });

  it('runs a load whose errors are counted by kind: 4xx, 5xx, timeout, connection', async () => {
    const client = new LoadHttpClient(baseUrl, { connections: 4, timeoutMs: 300 });
    const refused = new LoadHttpClient(`http://127.0.0.1:${await closedPort()}`, { connections: 1 });
    const requests = [
      () => client.send({ path: '/status/200' }),
      () => client.send({ path: '/status/404' }),
      () => client.send({ path: '/status/500' }),
      () => client.send({ path: '/hang' }),
      () => refused.send({ path: '/' }),
    ];
    const result = await new LoadTestRunner().executeConcurrentRequests(requests, (send) => send(), { concurrency: 5, progress: false });
    assert.deepEqual(result.errors, { timeout: 1, connection: 1, '4xx': 1, '5xx': 1, other: 0 });
    assert.ok(result.latency.max >= 300, 'the timed-out request waited for its timeout');
    await Promise.all([client.destroy(), refused.destroy()]);
  });

  it('classifies axios errors from the same server the same way', async () => {
    const api = axios.create({ baseURL: baseUrl, timeout: 200 });
    const kinds = await Promise.all(['/status/403', '/status/503', '/hang'].map((path) => api.get(path).then(() => 'ok', classifyError)));
    assert.deepEqual(kinds, ['4xx', '5xx', 'timeout']);
  });
});
