import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../support/api-client';
import {
  CapabilityGate,
  apiAreas,
  meansNoSuchOperation,
  NotImplementedError,
  testSupportCapabilities,
  testSupportDeclarationProblems,
  UndeclaredTestSupportError,
} from '../../support/capabilities';
import { Contract, loadContractDocument } from '../../support/contract';
import { discover, type Discovery } from '../../support/discovery';
import { conformanceCapabilityOf } from '../../support/report/conformance';

const ROOT = join(__dirname, '..', '..');
const contract = new Contract();

/** A target that has only the routes `has` accepts; `authFirst` answers 401 to anything without a session. */
function fakeTarget(has: (method: string, path: string) => boolean, authFirst = false) {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    seen.push(`${request.method} ${path}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/health') return send(200, { status: 'healthy', timestamp: new Date().toISOString(), version: '9.9.9', service: 'fake-novacron', checks: {} });
    if (authFirst && !request.headers.authorization) return send(401, { error: 'sign in' });
    if (!has(request.method ?? '', path)) return send(404, { error: `no endpoint at ${request.method} ${path}` });
    if (!request.headers.authorization && path !== '/api/v1/health') return send(401, { error: 'sign in' });
    return send(200, { vm_id: 'x', cpu_usage: 1, memory_usage: 1, applied_at: new Date().toISOString() });
  });
  return {
    seen,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const nothingMissing: Pick<Discovery, 'areas' | 'testSupport'> = { areas: {}, testSupport: {} };

describe('test-support capabilities in the contract', () => {
  it('every test-support operation names its capability, and only those do', () => {
    assert.deepEqual(testSupportDeclarationProblems(), []);
    const capabilities = [...testSupportCapabilities().keys()].sort();
    assert.deepEqual(capabilities, ['component-failure', 'federation-reachability', 'link-faults', 'load-injection', 'node-failure', 'partitions', 'sandbox-clusters']);
  });

  it('finds an operation tagged test-support without a capability', () => {
    const document = loadContractDocument();
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    delete paths['/api/v1/simulation/vms/{id}/load'].post['x-test-support'];
    paths['/api/v1/vms'].get['x-test-support'] = 'load-injection';
    assert.deepEqual(testSupportDeclarationProblems(document).sort(), [
      'GET /api/v1/vms names the test-support capability "load-injection" but is not tagged test-support',
      'POST /api/v1/simulation/vms/{id}/load is tagged test-support but names no capability in x-test-support (lower-case words joined by "-")',
    ]);
  });

  it('describes a request by its operation, area and capability', () => {
    assert.deepEqual(
      { ...contract.describe('POST', '/api/v1/simulation/vms/vm-1/load'), statuses: [] },
      { key: 'POST /api/v1/simulation/vms/{id}/load', template: '/api/v1/simulation/vms/{id}/load', testSupport: 'load-injection', statuses: [] },
    );
    assert.equal(contract.describe('GET', '/api/v1/vms/abc/probe').area, 'migration');
    assert.equal(contract.describe('GET', '/api/v1/vms').testSupport, undefined);
  });

  it('every scenario of every feature counts towards a capability of the conformance report', () => {
    const features: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.feature')) features.push(join(dir, entry.name));
      }
    };
    walk(join(ROOT, 'features'));
    const uncounted = features.filter((file) => {
      const tags = readFileSync(file, 'utf8').split('\n')[0].split(/\s+/);
      return conformanceCapabilityOf(tags).id === 'other';
    });
    assert.deepEqual(uncounted, []);
  });
});

describe('the capability gate', () => {
  const load = contract.describe('POST', '/api/v1/simulation/vms/vm-1/load');

  it('refuses a test-support call the scenario did not declare, naming the tag to add', () => {
    const gate = new CapabilityGate(nothingMissing);
    assert.deepEqual(gate.beginScenario(['@autoscaling'], ['autoscaling']), { run: true });
    assert.throws(() => gate.checkDeclared(load), (error: Error) => {
      assert.ok(error instanceof UndeclaredTestSupportError);
      assert.match(error.message, /calls POST \/api\/v1\/simulation\/vms\/\{id\}\/load, which is the test-support capability "load-injection": tag the scenario @needs-load-injection/);
      return true;
    });
    gate.beginScenario(['@autoscaling', '@needs-load-injection'], ['autoscaling']);
    assert.doesNotThrow(() => gate.checkDeclared(load));
    assert.doesNotThrow(() => gate.checkDeclared(contract.describe('GET', '/api/v1/vms')));
  });

  it('lets code declare what its tags cannot, unless the target lacks it', () => {
    const gate = new CapabilityGate({ areas: {}, testSupport: { 'sandbox-clusters': { present: false, evidence: 'answered 404' } } });
    gate.beginScenario([], []);
    assert.equal(gate.takeUpTestSupport(['load-injection']), undefined);
    assert.doesNotThrow(() => gate.checkDeclared(load));
    assert.match(gate.takeUpTestSupport(['sandbox-clusters']) ?? '', /^not applicable: the target does not offer the test support "sandbox-clusters" \(answered 404\)/);
  });

  it('makes a scenario not applicable when the target lacks its test support, and not implemented when it lacks its API', () => {
    const gate = new CapabilityGate({
      areas: { autoscaling: { present: false, evidence: 'GET /api/v1/autoscaling/groups without a session answered 404' }, vms: { present: true, evidence: '401' } },
      testSupport: { 'load-injection': { present: false, evidence: 'answered 404' }, partitions: { present: 'unknown', evidence: 'cannot tell' } },
    });
    const skipped = gate.beginScenario(['@needs-load-injection'], ['autoscaling']);
    assert.deepEqual(skipped, { run: false, outcome: 'not applicable', reason: 'not applicable: the target does not offer the test support "load-injection" (answered 404)' });
    const failed = gate.beginScenario(['@autoscaling'], ['autoscaling']);
    assert.equal(failed.run, false);
    assert.match(failed.run ? '' : failed.reason, /^not implemented: the autoscaling API \(GET \/api\/v1\/autoscaling\/groups without a session answered 404\)/);
    assert.deepEqual(gate.beginScenario(['@needs-partitions'], ['vms']), { run: true }, 'unknown counts as offered');
  });

  it('marks an area not implemented at its first "no such operation", so its next scenarios fail at once', () => {
    const gate = new CapabilityGate(nothingMissing);
    gate.beginScenario([], ['storage']);
    const listVolumes = contract.describe('GET', '/api/v1/storage/volumes');
    assert.ok(listVolumes.statuses.length > 0 && !listVolumes.statuses.includes('404'));
    assert.doesNotThrow(() => gate.checkImplemented(listVolumes, 200));
    assert.throws(() => gate.checkImplemented(listVolumes, 404), NotImplementedError);
    const next = gate.beginScenario(['@storage'], ['storage']);
    assert.equal(next.run ? 'ran' : next.outcome, 'not implemented');
  });

  it('marks only the operation when discovery saw its area answer', () => {
    const gate = new CapabilityGate({ areas: { vms: { present: true, evidence: 'GET /api/v1/vms without a session answered 401' } }, testSupport: {} });
    gate.beginScenario([], ['vms']);
    const summary = contract.describe('GET', '/api/v1/dashboard/summary');
    assert.equal(summary.area, 'vms');
    assert.throws(() => gate.checkImplemented(summary, 404), /^NotImplementedError: not implemented: GET \/api\/v1\/dashboard\/summary of the vms API/);
    assert.deepEqual(gate.beginScenario(['@vm-lifecycle'], ['vms']), { run: true });
  });

  it('reads even a documented 404 of an area the target lacks as not implemented', () => {
    const gate = new CapabilityGate({ areas: { accounts: { present: false, evidence: 'GET /api/v1/users without a session answered 404' } }, testSupport: {} });
    const rateLimit = contract.describe('PUT', '/api/v1/users/u1/rate-limit');
    assert.ok(rateLimit.statuses.includes('404'));
    assert.throws(() => gate.checkImplemented(rateLimit, 404), /not implemented: the accounts API \(GET \/api\/v1\/users without a session answered 404\)/);
    assert.doesNotThrow(() => gate.checkImplemented(rateLimit, 200));
  });

  it('reads a documented 404 as "no such resource", and an undocumented 404, 405 or 501 as "no such operation"', () => {
    assert.equal(meansNoSuchOperation(404, ['200', '404']), false);
    assert.equal(meansNoSuchOperation(404, ['200', '4XX']), false);
    assert.equal(meansNoSuchOperation(404, ['200', '401']), true);
    assert.equal(meansNoSuchOperation(405, ['200']), true);
    assert.equal(meansNoSuchOperation(501, []), true);
    assert.equal(meansNoSuchOperation(400, ['200']), false);
  });
});

describe('the API client through the gate', () => {
  const target = fakeTarget(() => true);
  before(() => target.start());
  after(() => target.stop());

  it('never sends an undeclared test-support request, and sends a declared one', async () => {
    const gate = new CapabilityGate(nothingMissing);
    const client = new ApiClient({ baseURL: target.url(), contract, token: 'admin', onRequest: (operation) => gate.checkDeclared(operation), onAnswer: (operation, status) => gate.checkImplemented(operation, status) });
    gate.beginScenario(['@autoscaling'], []);
    const before = target.seen.length;
    await assert.rejects(client.post('/api/v1/simulation/vms/vm-1/load', { cpu_usage: 90 }), UndeclaredTestSupportError);
    assert.equal(target.seen.length, before, 'the request was sent');
    gate.beginScenario(['@needs-load-injection'], []);
    assert.equal((await client.post('/api/v1/simulation/vms/vm-1/load', { cpu_usage: 90 })).status, 200);
  });
});

describe('discovery', () => {
  const simulationOff = fakeTarget(
    (_method, path) => contract.templateFor(path) !== undefined && !path.startsWith('/api/v1/simulation/') && !path.startsWith('/api/v1/autoscaling'),
  );
  const authFirst = fakeTarget(() => false, true);
  before(() => Promise.all([simulationOff.start(), authFirst.start()]));
  after(() => Promise.all([simulationOff.stop(), authFirst.stop()]));

  it('finds which test support and which areas a target has, anonymously, in one request each', async () => {
    const discovery = await discover(simulationOff.url());
    assert.deepEqual(discovery.target, { url: simulationOff.url(), service: 'fake-novacron', version: '9.9.9', health: 'healthy' });
    for (const [name, finding] of Object.entries(discovery.testSupport)) assert.equal(finding.present, false, `${name}: ${finding.evidence}`);
    assert.equal(discovery.areas.autoscaling.present, false);
    assert.equal(discovery.areas.vms.present, true);
    assert.match(discovery.areas.vms.evidence, /without a session answered 401/);
    const areaReads = [...apiAreas()].reduce((sum, [, members]) => sum + Math.max(1, members.filter((o) => o.method === 'GET' && !o.template.includes('{')).length), 0);
    assert.equal(simulationOff.seen.length, 2 + testSupportCapabilities().size + areaReads, 'one request per capability and per read of each area, plus /health and the control');
    assert.ok(simulationOff.seen.every((request) => request.startsWith('GET ') || request.includes('/simulation/')), 'only reads, and test support refused without a session');
    assert.ok(discovery.durationMs < 2000, `took ${discovery.durationMs} ms`);
  });

  it('cannot tell when the target asks for a session before it routes, and says so', async () => {
    const discovery = await discover(authFirst.url());
    for (const finding of [...Object.values(discovery.testSupport), ...Object.values(discovery.areas)]) assert.equal(finding.present, 'unknown', finding.evidence);
    assert.equal(discovery.testSupport['load-injection'].present, 'unknown');
    assert.match(discovery.testSupport['load-injection'].evidence, /but so did a path no NovaCron has/);
  });
});
