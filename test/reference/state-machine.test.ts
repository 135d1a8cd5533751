import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpError } from '../../reference/http/errors';
import { nextState, PROVISIONING_STEPS, VM_ACTIONS, VM_STATES, type VmAction, type VmState } from '../../reference/core/vms/model';
import { validateListQuery, validateVmSpec } from '../../reference/core/vms/validation';

/** Every (state, action) pair the user state machine allows, and where it leads. */
const ALLOWED: Record<string, VmState> = {
  'stopped start': 'running',
  'running stop': 'stopped',
  'paused stop': 'stopped',
  'running pause': 'paused',
  'paused resume': 'running',
};

function fieldsOf(error: unknown): string[] {
  assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
  assert.equal(error.status, 400);
  return (error.details ?? []).map((detail) => detail.field);
}

function invalidFields(body: unknown): string[] {
  try {
    validateVmSpec(body);
  } catch (error) {
    return fieldsOf(error);
  }
  return [];
}

describe('VM state machine', () => {
  for (const state of VM_STATES) {
    for (const action of VM_ACTIONS) {
      const expected = ALLOWED[`${state} ${action}`];
      it(`${action} from ${state} ${expected ? `leads to ${expected}` : 'is refused'}`, () => {
        assert.equal(nextState(state, action as VmAction), expected);
      });
    }
  }

  it('provisions creating -> provisioning -> running, and nothing else automatically', () => {
    assert.deepEqual(PROVISIONING_STEPS.creating, { to: 'provisioning', action: 'provision' });
    assert.deepEqual(PROVISIONING_STEPS.provisioning, { to: 'running', action: 'ready' });
    assert.deepEqual(Object.keys(PROVISIONING_STEPS).sort(), ['creating', 'provisioning']);
  });
});

describe('VM request validation', () => {
  it('fills in the defaults', () => {
    assert.deepEqual(validateVmSpec({ name: 'web-1' }), {
      name: 'web-1',
      cpu_shares: 1,
      memory_mb: 512,
      disk_gb: 10,
      image: 'ubuntu-24.04',
      tags: [],
      node_id: undefined,
    });
  });

  it('accepts the limits of every range', () => {
    assert.deepEqual(invalidFields({ name: 'a', cpu_shares: 1, memory_mb: 128, disk_gb: 1 }), []);
    assert.deepEqual(invalidFields({ name: `a${'b'.repeat(62)}`, cpu_shares: 64, memory_mb: 262_144, disk_gb: 4096, tags: ['x'], node_id: 'node-2' }), []);
  });

  it('names every invalid field at once', () => {
    assert.deepEqual(invalidFields({ name: 'Web Server 1', cpu_shares: 0, memory_mb: 64, disk_gb: 0, image: '', tags: 'x', node_id: 'Node 1', cpu: 2 }), [
      'name',
      'cpu_shares',
      'memory_mb',
      'disk_gb',
      'image',
      'tags',
      'node_id',
      'cpu',
    ]);
  });

  for (const [label, body, field] of [
    ['a missing name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a name starting with a digit', { name: '1web' }, 'name'],
    ['a name of 64 characters', { name: `a${'b'.repeat(63)}` }, 'name'],
    ['65 CPUs', { name: 'ok', cpu_shares: 65 }, 'cpu_shares'],
    ['1.5 CPUs', { name: 'ok', cpu_shares: 1.5 }, 'cpu_shares'],
    ['CPUs as text', { name: 'ok', cpu_shares: '2' }, 'cpu_shares'],
    ['too much memory', { name: 'ok', memory_mb: 262_145 }, 'memory_mb'],
    ['too much disk', { name: 'ok', disk_gb: 4097 }, 'disk_gb'],
    ['a tag with a space', { name: 'ok', tags: ['a b'] }, 'tags'],
  ] as const) {
    it(`refuses ${label}, naming ${field}`, () => {
      assert.deepEqual(invalidFields(body), [field]);
    });
  }

  it('refuses a body that is not an object', () => {
    assert.deepEqual(invalidFields([]), ['body']);
    assert.deepEqual(invalidFields(undefined), ['body']);
  });

  it('is lenient only when asked (fault vm-accepts-invalid-spec)', () => {
    assert.equal(validateVmSpec({ name: 'Bad Name', cpu_shares: 0 }, true).cpu_shares, 0);
    assert.throws(() => validateVmSpec({}, true), HttpError);
  });
});

describe('VM list query validation', () => {
  it('defaults to the first page of 50', () => {
    assert.deepEqual(validateListQuery(new URLSearchParams()), { state: undefined, namePrefix: undefined, tag: undefined, page: 1, pageSize: 50 });
  });

  it('reads filters and paging', () => {
    assert.deepEqual(validateListQuery(new URLSearchParams('state=running&name_prefix=web&tag=t1&page=3&page_size=500')), {
      state: 'running',
      namePrefix: 'web',
      tag: 't1',
      page: 3,
      pageSize: 500,
    });
  });

  it('names every invalid parameter', () => {
    let fields: string[] = [];
    try {
      validateListQuery(new URLSearchParams('state=asleep&page=0&page_size=501&sort=name'));
    } catch (error) {
      fields = fieldsOf(error);
    }
    assert.deepEqual(fields, ['state', 'page', 'page_size', 'sort']);
  });
});
