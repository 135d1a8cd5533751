import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractSchema, defaultsOf, invalidBodies, invalidQueryValues, invalidValues, limitValues, withInvalid } from '../../support/model/invalid-inputs';

describe('inputs the contract refuses, derived from its schemas', () => {
  const bodies = invalidBodies('VmCreateRequest');
  const valueOf = (what: string) => bodies.find((c) => c.what === what)?.value;

  it('steps just outside every numeric limit, and tries fractions and text for integers', () => {
    assert.equal(valueOf('cpu_shares below 1'), 0);
    assert.equal(valueOf('cpu_shares above 64'), 65);
    assert.equal(valueOf('memory_mb as a fraction'), 128.5);
    assert.equal(valueOf('disk_gb as text'), '1');
  });

  it('keeps only the pattern probes the pattern itself refuses', () => {
    const { pattern } = (contractSchema('VmCreateRequest').properties as Record<string, { pattern: string }>).name;
    const names = bodies.filter((c) => c.field === 'name' && typeof c.value === 'string').map((c) => c.value as string);
    assert.ok(names.length >= 8, `only ${names.length} invalid names`);
    for (const name of names) assert.ok(!new RegExp(pattern, 'u').test(name), `"${name}" matches the name pattern`);
    assert.ok(names.includes('9abc') && names.includes('a'.repeat(65)));
  });

  it('puts each invalid list item beside a valid one, and goes one past the item count', () => {
    const comma = valueOf('tags with an item of the form "a,b"') as string[];
    assert.deepEqual(comma, ['t0', 'a,b']);
    assert.equal((valueOf('tags with 33 items') as string[]).length, 33);
  });

  it('leaves out each required field and adds an unknown one when the schema forbids extras', () => {
    assert.deepEqual(bodies.find((c) => c.what === 'no name'), { what: 'no name', field: 'name', value: undefined });
    assert.ok(bodies.some((c) => c.field === 'colour'));
  });

  it('refuses an enum value and out-of-range numbers of query parameters, as query text', () => {
    const queries = invalidQueryValues('/api/v1/vms', 'get');
    assert.deepEqual(queries.find((c) => c.field === 'page_size' && c.what.includes('above')), { what: 'page_size above 500', field: 'page_size', value: '501' });
    assert.ok(queries.some((c) => c.field === 'state' && c.value === 'not-creating'));
    assert.ok(!queries.some((c) => c.field === 'name_prefix'), 'a free text parameter has no invalid value');
  });

  it('gives the values at each limit the contract accepts: minimum, maximum, longest text, longest list', () => {
    const limits = limitValues('VmCreateRequest');
    const at = (field: string, limit: 'lowest' | 'highest') => limits.find((l) => l.field === field && l.limit === limit)?.value;
    assert.equal(at('cpu_shares', 'lowest'), 1);
    assert.equal(at('disk_gb', 'highest'), 4096);
    assert.equal(at('image', 'highest'), 'a'.repeat(128));
    assert.equal((at('tags', 'highest') as string[]).length, 32);
    assert.equal(at('name', 'highest'), undefined, 'a length set by a pattern alone is not guessed');
  });

  it("reads the defaults a request may leave out, and applies a case to a body without changing it", () => {
    assert.deepEqual(defaultsOf('VmCreateRequest'), { cpu_shares: 1, memory_mb: 512, disk_gb: 10, image: 'ubuntu-24.04' });
    const base = { name: 'web', tags: ['a'] };
    assert.deepEqual(withInvalid(base, { what: 'no name', field: 'name', value: undefined }), { tags: ['a'] });
    assert.deepEqual(withInvalid(base, { what: 'tags as text', field: 'tags', value: 'text' }), { name: 'web', tags: 'text' });
    assert.deepEqual(base, { name: 'web', tags: ['a'] });
  });

  it('merges the parts of an allOf schema and names nested fields by their path', () => {
    const group = invalidBodies('ScalingGroupCreateRequest');
    assert.ok(group.some((c) => c.what === 'no name'), 'the required name comes from one part of the allOf');
    assert.ok(group.some((c) => c.what === 'min_size below 1'), 'the size limits come from the other part');
    assert.deepEqual(group.find((c) => c.what === 'vm_template.cpu_shares above 64'), { what: 'vm_template.cpu_shares above 64', field: 'vm_template.cpu_shares', value: 65 });
    assert.ok(group.some((c) => c.field === 'vm_template' && c.value === 'text'));
    const base = { name: 'web', vm_template: { tags: ['a'] } };
    assert.deepEqual(withInvalid(base, { what: '', field: 'vm_template.cpu_shares', value: 65 }), { name: 'web', vm_template: { tags: ['a'], cpu_shares: 65 } });
    assert.deepEqual(withInvalid(base, { what: '', field: 'vm_template.tags', value: undefined }), { name: 'web', vm_template: {} });
    assert.deepEqual(base, { name: 'web', vm_template: { tags: ['a'] } }, 'the base is not changed');
  });

  it('says what is wrong with a schema it cannot use', () => {
    assert.throws(() => invalidValues('x', { $ref: '#/components/schemas/NoSuchThing' }), /NoSuchThing does not resolve/);
    assert.throws(() => invalidQueryValues('/api/v1/nowhere', 'get'), /no GET \/api\/v1\/nowhere/);
  });
});
