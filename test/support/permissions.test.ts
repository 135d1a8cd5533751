import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadContractDocument } from '../../support/contract';
import { matrixProblems, matrixTable, type MatrixCell } from '../../support/permissions/matrix';
import { PROBES } from '../../support/permissions/probes';
import { guardedOperations, minimumRoleProblems, verdictFor } from '../../support/permissions/roles';

const unauthorized = { '401': {} };
const forbidden = { '401': {}, '403': {} };

function documentWith(operation: Record<string, unknown>): Record<string, unknown> {
  return { paths: { '/api/v1/things/{id}': { delete: operation } } };
}

describe('the lowest role of each operation', () => {
  it('refuses nobody signed in with 401 and a lower role with 403; anyone needs no sign-in', () => {
    assert.equal(verdictFor('nobody signed in', 'viewer'), 401);
    assert.equal(verdictFor('viewer', 'operator'), 403);
    assert.equal(verdictFor('operator', 'admin'), 403);
    assert.equal(verdictFor('operator', 'operator'), 'allowed');
    assert.equal(verdictFor('admin', 'viewer'), 'allowed');
    assert.equal(verdictFor('nobody signed in', 'anyone'), 'allowed');
  });

  it('names an operation without x-minimum-role or with an unknown one', () => {
    assert.deepEqual(minimumRoleProblems(documentWith({ responses: forbidden })), [
      'DELETE /api/v1/things/{id} has no x-minimum-role: expected one of anyone, viewer, operator, admin',
    ]);
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'owner', responses: forbidden })), [
      'DELETE /api/v1/things/{id} has x-minimum-role "owner": expected one of anyone, viewer, operator, admin',
    ]);
  });

  it('finds declarations that contradict the security and responses of the operation', () => {
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'anyone', responses: {} })), ['DELETE /api/v1/things/{id} is open to anyone but does not declare "security: []"']);
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'viewer', security: [], responses: unauthorized })), [
      'DELETE /api/v1/things/{id} declares "security: []" but its x-minimum-role is viewer',
    ]);
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'operator', responses: unauthorized })), ['DELETE /api/v1/things/{id} is closed to viewers but documents no 403 answer']);
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'viewer', responses: {} })), ['DELETE /api/v1/things/{id} needs a sign-in but documents no 401 answer']);
    assert.deepEqual(minimumRoleProblems(documentWith({ 'x-minimum-role': 'admin', responses: forbidden })), []);
  });

  it('holds for the whole contract, and the matrix has a probe for every operation and no other', () => {
    const document = loadContractDocument();
    assert.deepEqual(minimumRoleProblems(document), []);
    const keys = guardedOperations(document).map((operation) => operation.key).sort();
    assert.ok(keys.length > 90, `only ${keys.length} operations`);
    assert.deepEqual(Object.keys(PROBES).sort(), keys);
  });

  it('refuses to list the operations while a declaration is missing', () => {
    assert.throws(() => guardedOperations(documentWith({ responses: forbidden })), /^Error: the contract's role declarations are incomplete: DELETE \/api\/v1\/things\/\{id\} has no x-minimum-role/);
  });
});

describe('the permission matrix report', () => {
  const cells: MatrixCell[] = [
    { operation: 'DELETE /api/v1/vms/{id}', caller: 'nobody signed in', expected: 401, answered: 401 },
    { operation: 'DELETE /api/v1/vms/{id}', caller: 'viewer', expected: 403, answered: 200, problem: 'answered 200 where the contract promises 403' },
    { operation: 'DELETE /api/v1/vms/{id}', caller: 'operator', expected: 'allowed', answered: 200 },
    { operation: 'DELETE /api/v1/vms/{id}', caller: 'admin', expected: 'allowed', answered: 200 },
  ];

  it('names each broken cell with its caller and operation', () => {
    assert.deepEqual(matrixProblems(cells), ['viewer DELETE /api/v1/vms/{id}: answered 200 where the contract promises 403']);
  });

  it('draws one row per operation and one column per caller, marking the failures', () => {
    assert.equal(
      matrixTable(cells),
      [
        '| operation | nobody signed in | viewer | operator | admin |',
        '|---|---|---|---|---|',
        '| DELETE /api/v1/vms/{id} | refused (401) | refused (403) FAILED | allowed | allowed |',
      ].join('\n'),
    );
  });
});
