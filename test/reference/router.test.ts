import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { DependencyUnavailableError, HttpError } from '../../reference/http/errors';
import { reply, Router } from '../../reference/http/router';
import { createLogger } from '../../reference/log';

describe('router', () => {
  const logged: string[] = [];
  const router = new Router({ log: createLogger('warn', (line) => logged.push(line)), maxBodyBytes: 1024 });
  const hookCalls: string[] = [];
  let server: http.Server;
  let base: string;

  router.before('/api/', (request) => {
    hookCalls.push(request.path);
    request.response.setHeader('X-Hooked', 'yes');
    if (request.headers['x-block'] === 'yes') throw new HttpError(429, 'blocked by the hook');
  });
  router.get('/api/items', () => ({ items: [] }));
  router.post('/api/items', (request) => reply.created({ received: request.body }));
  router.get('/api/items/:id', (request) => ({ id: request.params.id }));
  router.get('/api/items/special', () => ({ special: true }));
  router.get('/api/items/:id/parts/:part', (request) => request.params);
  router.delete('/api/items/:id', () => undefined);
  router.get('/api/invalid', () => {
    throw new HttpError(400, 'invalid input: name is required', [{ field: 'name', message: 'is required' }]);
  });
  router.get('/api/conflict', () => {
    throw new HttpError(409, 'cannot pause a VM that is stopped', undefined, { body: { current_state: 'stopped' } });
  });
  router.get('/api/crash', () => {
    throw new TypeError('cannot read properties of undefined');
  });
  router.get('/api/down', () => {
    throw new DependencyUnavailableError('database', 'the database is unavailable; nothing was changed');
  });
  router.get('/api/raw', () => reply.json(202, '{"raw":true}'));
  router.websocket('/ws/test', (request) => {
    if (request.query.get('token') !== 'ok') throw new HttpError(401, 'a token is required');
    return (socket) => socket.send(JSON.stringify({ hello: request.query.get('name') }));
  });

  before(async () => {
    server = http.createServer(router.handle);
    server.on('upgrade', router.handleUpgrade);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of router.webSockets) socket.terminate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, { method, body, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  }

  it('routes by method and path, with decoded parameters', async () => {
    assert.deepEqual((await call('GET', '/api/items')).json, { items: [] });
    assert.deepEqual((await call('GET', '/api/items/a%20b')).json, { id: 'a b' });
    assert.deepEqual((await call('GET', '/api/items/7/parts/wheel')).json, { id: '7', part: 'wheel' });
    const created = await call('POST', '/api/items', '{"name":"x"}', { 'content-type': 'application/json' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json, { received: { name: 'x' } });
    assert.match(created.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('prefers a literal segment over a parameter', async () => {
    assert.deepEqual((await call('GET', '/api/items/special')).json, { special: true });
  });

  it('answers 204 when a handler returns nothing, and sends pre-serialised JSON as is', async () => {
    const deleted = await call('DELETE', '/api/items/3');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    const raw = await call('GET', '/api/raw');
    assert.equal(raw.status, 202);
    assert.equal(raw.text, '{"raw":true}');
  });

  it('answers 404 with a JSON error for an unknown path', async () => {
    const answer = await call('GET', '/nowhere');
    assert.equal(answer.status, 404);
    assert.match(answer.json.error, /no endpoint at GET \/nowhere/);
  });

  it('answers 405 with Allow when the path exists but not the method', async () => {
    const answer = await call('PUT', '/api/items/3');
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'DELETE, GET');
    assert.match(answer.json.error, /PUT is not allowed/);
  });

  it('answers 400 for malformed JSON and 413 for a body over the limit', async () => {
    const malformed = await call('POST', '/api/items', '{"name":', { 'content-type': 'application/json' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.json.error, /not valid JSON/);
    const large = await call('POST', '/api/items', JSON.stringify({ blob: 'x'.repeat(2000) }), { 'content-type': 'application/json' });
    assert.equal(large.status, 413);
    assert.match(large.json.error, /larger than the limit of 1024 bytes/);
  });

  it('treats a request without a body as having none', async () => {
    assert.deepEqual((await call('POST', '/api/items')).json, {});
  });

  it('sends HttpError status, details and extra fields', async () => {
    const invalid = await call('GET', '/api/invalid');
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.json, { error: 'invalid input: name is required', details: [{ field: 'name', message: 'is required' }] });
    const conflict = await call('GET', '/api/conflict');
    assert.deepEqual(conflict.json, { error: 'cannot pause a VM that is stopped', current_state: 'stopped' });
  });

  it('turns an unexpected error into a 500 that hides the cause and logs it', async () => {
    logged.length = 0;
    const answer = await call('GET', '/api/crash');
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.json, { error: 'internal server error' });
    assert.ok(logged.some((line) => line.includes('GET /api/crash failed') && line.includes('cannot read properties of undefined')), logged.join('\n'));
  });

  it('answers 503 for an unavailable dependency', async () => {
    const answer = await call('GET', '/api/down');
    assert.equal(answer.status, 503);
    assert.match(answer.json.error, /database is unavailable/);
  });

  it('runs hooks before routing, for their prefix only, and lets them refuse', async () => {
    hookCalls.length = 0;
    const hooked = await call('GET', '/api/unknown-path');
    assert.equal(hooked.status, 404);
    assert.equal(hooked.headers.get('x-hooked'), 'yes', 'the hook ran before the 404');
    const blocked = await call('GET', '/api/items', undefined, { 'x-block': 'yes' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.json.error, 'blocked by the hook');
    assert.deepEqual(hookCalls, ['/api/unknown-path', '/api/items']);
    await call('GET', '/nowhere');
    assert.equal(hookCalls.length, 2, 'the hook ran outside its prefix');
  });

  it('answers HEAD like GET without a body', async () => {
    const answer = await call('HEAD', '/api/items');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
  });

  it('refuses a duplicate route and an invalid parameter name when routes are added', () => {
    assert.throws(() => router.get('/api/items', () => ({})), /already registered/);
    assert.throws(() => router.get('/api/:1bad', () => ({})), /invalid parameter/);
  });

  it('upgrades WebSockets on accepted paths and refuses others with a status', async () => {
    const wsBase = base.replace('http', 'ws');
    const socket = new WebSocket(`${wsBase}/ws/test?token=ok&name=tester`);
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    assert.deepEqual(JSON.parse(first), { hello: 'tester' });
    socket.close();

    const refusal = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const refused = new WebSocket(`${wsBase}${path}`);
        refused.once('open', () => reject(new Error(`${path} was accepted`)));
        refused.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        refused.once('error', () => undefined);
      });
    const unauthorized = await refusal('/ws/test');
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(JSON.parse(unauthorized.body), { error: 'a token is required' });
    assert.equal((await refusal('/ws/unknown')).status, 404);
  });
});
