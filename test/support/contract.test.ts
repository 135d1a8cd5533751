import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Contract, loadContractDocument } from '../../support/contract';

function contractDir(domains: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  writeFileSync(join(dir, 'openapi.yaml'), 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\ncomponents:\n  schemas:\n    Error: {type: object, required: [error], properties: {error: {type: string}}}\n');
  mkdirSync(join(dir, 'domains'));
  for (const [file, text] of Object.entries(domains)) writeFileSync(join(dir, 'domains', file), text);
  return dir;
}

describe('the contract document', () => {
  it('merges every domain file into the root', () => {
    const document = loadContractDocument(
      contractDir({
        'a.yaml': 'paths:\n  /a: {get: {responses: {"200": {description: ok}}}}\ncomponents:\n  schemas:\n    A: {type: string}\n',
        'b.yaml': 'paths:\n  /b: {get: {responses: {"404": {$ref: "#/components/responses/Missing"}}}}\ncomponents:\n  responses:\n    Missing: {description: gone, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}\n',
      }),
    );
    assert.deepEqual(Object.keys(document.paths as object).sort(), ['/a', '/b']);
    const components = document.components as Record<string, Record<string, unknown>>;
    assert.ok(components.schemas.A && components.schemas.Error && components.responses.Missing);
  });

  it('refuses a path or a schema defined by two domains, naming the file', () => {
    const twice = contractDir({ 'a.yaml': 'paths:\n  /x: {}\n', 'b.yaml': 'paths:\n  /x: {}\n' });
    assert.throws(() => loadContractDocument(twice), /contract\/domains\/b.yaml: paths "\/x" is already defined elsewhere/);
    const schema = contractDir({ 'a.yaml': 'components:\n  schemas:\n    Error: {type: string}\n' });
    assert.throws(() => loadContractDocument(schema), /components.schemas.Error is already defined elsewhere/);
  });

  it("names an operation's documented successes (the 2xx statuses only)", () => {
    const contract = new Contract(
      loadContractDocument(contractDir({ 'a.yaml': 'paths:\n  /a/{id}: {post: {responses: {"201": {description: made}, "409": {description: taken}}}, get: {responses: {"404": {description: gone}}}}\n' })),
    );
    assert.deepEqual(contract.successStatuses('POST', '/a/42'), [201]);
    assert.deepEqual(contract.successStatuses('GET', '/a/42'), []);
    assert.deepEqual(contract.successStatuses('DELETE', '/a/42'), []);
    assert.deepEqual(contract.successStatuses('GET', '/nowhere'), []);
  });

  it('says which file is not valid YAML', () => {
    assert.throws(() => loadContractDocument(contractDir({ 'bad.yaml': 'paths: [unclosed\n' })), /bad.yaml is not valid YAML/);
  });

  it('checks responses through references to shared responses and schemas', () => {
    const contract = new Contract(
      loadContractDocument(
        contractDir({
          'b.yaml': 'paths:\n  /b/{id}: {get: {responses: {"404": {$ref: "#/components/responses/Missing"}}}}\ncomponents:\n  responses:\n    Missing: {description: gone, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}\n',
        }),
      ),
    );
    assert.deepEqual(contract.check('GET', '/b/1', 404, { error: 'no b 1' }).problems, []);
    assert.deepEqual(contract.check('GET', '/b/1', 404, { message: 'no' }).problems, ['missing required field "error"']);
  });
});

describe('matching paths to the contract', () => {
  const contract = new Contract({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/vms/{id}/{action}': { post: { responses: { '200': { description: 'any' } } } },
      '/vms/{id}/events': { get: { responses: { '200': { description: 'events' } } } },
      '/vms/{id}': { get: { responses: { '204': { description: 'nothing' } } } },
    },
  });

  it('prefers the most specific template and ignores the query', () => {
    assert.equal(contract.templateFor('/vms/vm-1/events?since=3'), '/vms/{id}/events');
    assert.equal(contract.templateFor('/vms/vm-1/start'), '/vms/{id}/{action}');
    assert.equal(contract.templateFor('/vms/vm-1'), '/vms/{id}');
    assert.equal(contract.templateFor('/nodes/n-1'), undefined);
  });

  it('reports an undocumented path, method or body', () => {
    assert.deepEqual(contract.check('GET', '/nodes', 200, {}).problems, ['the contract documents no path matching /nodes']);
    assert.deepEqual(contract.check('DELETE', '/vms/a', 200, {}).problems, ['the contract documents no DELETE on /vms/{id}']);
    assert.deepEqual(contract.check('GET', '/vms/a', 204, { surprise: true }).problems, ['the contract documents no body for this answer, but one was sent']);
    assert.deepEqual(contract.check('GET', '/vms/a', 204, '').problems, []);
  });
});

describe('the NovaCron contract itself', () => {
  it('loads, compiles every response schema and documents the core operations', () => {
    const contract = new Contract();
    for (const template of ['/health', '/api/v1/health', '/api/auth/login', '/api/v1/vms', '/api/v1/vms/{id}']) {
      assert.ok(contract.templateFor(template.replace('{id}', 'vm-1')), `${template} is not documented`);
    }
    const paths = contract.document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!operation?.responses) continue;
        for (const status of Object.keys(operation.responses)) {
          const { problems } = contract.check(method, template, Number(status) || 200, Symbol('not json') as unknown);
          assert.ok(!problems.some((p) => /documents no (path|[A-Z]+ on)/.test(p)), `${method} ${template} ${status}: ${problems.join('; ')}`);
        }
      }
    }
  });

  it('declares, with a description, every tag its operations use', () => {
    const document = new Contract().document as { tags: { name: string; description?: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> };
    const declared = new Map(document.tags.map((tag) => [tag.name, tag.description]));
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const tag of operation?.tags ?? []) assert.ok(declared.get(tag), `${method.toUpperCase()} ${template} uses the tag "${tag}", which the contract does not declare and describe`);
      }
    }
  });
});
