import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadContractDocument } from '../../support/contract';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every schema of a property that names a resource (`id`, `vm_id`, `cluster_id`, ...), with where it is. */
function idSchemas(node: Json, path: string[] = [], found: { where: string; schema: { [key: string]: Json } }[] = []): typeof found {
  if (Array.isArray(node)) node.forEach((item, i) => idSchemas(item, [...path, String(i)], found));
  else if (node !== null && typeof node === 'object') {
    const properties = node.properties;
    if (properties !== null && typeof properties === 'object' && !Array.isArray(properties)) {
      for (const [name, schema] of Object.entries(properties)) {
        if ((name === 'id' || name.endsWith('_id')) && schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
          found.push({ where: [...path, 'properties', name].join('.'), schema });
        }
      }
    }
    for (const [key, value] of Object.entries(node)) idSchemas(value, [...path, key], found);
  }
  return found;
}

/**
 * Clients treat ids as opaque strings, so the contract may not pin how an implementation makes them
 * (a prefix, a UUID): any other NovaCron would fail on the first id it hands out.
 */
describe('ids in the contract', () => {
  it('are opaque strings: no pattern, format or length beyond not being empty', () => {
    const schemas = idSchemas(loadContractDocument() as Json);
    assert.ok(schemas.length > 30, `only ${schemas.length} id properties found: the walk is broken`);
    // A closed list of built-in names (an enum) is vocabulary, not a shape of generated ids.
    const pinned = schemas.filter(({ schema }) => ['pattern', 'format', 'maxLength'].some((key) => key in schema) || (typeof schema.minLength === 'number' && schema.minLength > 1)).map(({ where, schema }) => `${where}: ${JSON.stringify(schema)}`);
    assert.deepEqual(pinned, [], 'id properties whose shape the contract pins');
  });
});
