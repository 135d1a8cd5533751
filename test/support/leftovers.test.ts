import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { leftBehindLine } from '../../support/report/conformance';
import { adminToken, leftOver, leftoversLine, takeInventory } from '../../support/leftovers';

/** A target holding `vms` (paged by 500) and one user; no storage API; everything else empty. */
function target(vms: () => string[]) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/auth/login') return send(200, { token: 'admin-token' });
    if (request.headers.authorization !== 'Bearer admin-token') return send(401, { error: 'sign in' });
    if (url.pathname === '/api/v1/storage/volumes') return send(404, { error: 'no such operation' });
    const page = Number(url.searchParams.get('page'));
    const size = Number(url.searchParams.get('page_size'));
    const all = url.pathname === '/api/v1/vms' ? vms().map((id) => ({ id, name: `name-${id}` })) : url.pathname === '/api/v1/users' ? [{ id: 'u0', username: 'admin' }] : [];
    return send(200, { items: all.slice((page - 1) * size, page * size), total: all.length, page, page_size: size });
  });
  return {
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('what a run leaves on a target', () => {
  let vms = Array.from({ length: 600 }, (_, index) => `vm-${index}`);
  const fake = target(() => vms);
  before(() => fake.start());
  after(() => fake.stop());

  it('lists every page of every kind, and leaves out the kinds the target does not list', async () => {
    const token = await adminToken(fake.url(), 'admin', 'secret');
    assert.equal(token, 'admin-token');
    const inventory = await takeInventory(fake.url(), token!);
    assert.equal(Object.keys(inventory.VMs).length, 600);
    assert.deepEqual(inventory.users, { u0: 'admin' });
    assert.equal(inventory.volumes, undefined);
  });

  it('names what exists after the run and did not before it', async () => {
    const before = await takeInventory(fake.url(), 'admin-token');
    vms = [...vms.slice(1), 'vm-new'];
    const left = leftOver(before, await takeInventory(fake.url(), 'admin-token'));
    assert.deepEqual(left, { VMs: ['name-vm-new (vm-new)'] });
    assert.match(leftoversLine(left, Object.keys(before)), /^\[target\] the run left behind 1 VMs: name-vm-new \(vm-new\)/);
    assert.match(leftoversLine({}, ['VMs', 'users']), /left nothing behind \(VMs, users as before it\)/);
    assert.equal(leftBehindLine({ left_behind: {} }), 'Left behind on the target: nothing.');
    assert.equal(leftBehindLine({}), undefined);
  });
});
