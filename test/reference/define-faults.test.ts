import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { defineFaults } from '../../reference/define-faults';
import { FaultSet } from '../../reference/faults';

const REFERENCE = join(__dirname, '..', '..', 'reference');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('defineFaults: the one way a domain declares and reads its faults', () => {
  const EXAMPLE = defineFaults({
    slow: { name: 'example-slow', description: 'Every answer takes a second.', scenarios: ['A fast answer'] },
    leaky: { name: 'example-leaky', description: 'Every request leaks its buffer.', scenarios: ['Memory stays flat'] },
  });

  it('keeps the catalog entries in declaration order and each name by its key', () => {
    assert.deepEqual(EXAMPLE.catalog.map((fault) => fault.name), ['example-slow', 'example-leaky']);
    assert.deepEqual(EXAMPLE.names, { slow: 'example-slow', leaky: 'example-leaky' });
  });

  it('reads the faults that are on as booleans by key, all off without a switch', () => {
    assert.deepEqual(EXAMPLE.on(new Set(['example-leaky'])), { slow: false, leaky: true });
    assert.deepEqual(EXAMPLE.on(undefined), { slow: false, leaky: false });
    assert.deepEqual(EXAMPLE.none, { slow: false, leaky: false });
  });

  it('asks a switch once, however often the flags are read', () => {
    let asked = 0;
    const faults = { has: (name: string) => (asked++, name === 'example-slow') };
    for (let i = 0; i < 5; i++) assert.equal(EXAMPLE.on(faults).slow, true);
    assert.equal(asked, 2);
  });

  it("reads the reference's own FaultSet", () => {
    const catalog = defineFaults({ leak: { name: 'password-leak', description: 'x', scenarios: ['y'] } });
    assert.equal(catalog.on(new FaultSet(['password-leak'])).leak, true);
    assert.equal(catalog.on(new FaultSet([])).leak, false);
  });

  it('is the only way the reference reads a fault: no code asks a fault set for a name itself', () => {
    const allowed = new Set(['faults.ts', 'define-faults.ts'].map((file) => join(REFERENCE, file)));
    const offenders = sources(REFERENCE)
      .filter((file) => !allowed.has(file))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').map((line, index) => ({ file, line, index })))
      .filter(({ line }) => /faults\??\.has\(/.test(line))
      .map(({ file, index, line }) => `${relative(REFERENCE, file)}:${index + 1}: ${line.trim()}`);
    assert.deepEqual(offenders, []);
  });

  it('every domain declares its faults with defineFaults', () => {
    const domains = sources(REFERENCE).filter((file) => file.endsWith('/faults.ts') && file !== join(REFERENCE, 'faults.ts'));
    assert.ok(domains.length >= 8, `found ${domains.length} domain fault files`);
    for (const file of domains) {
      const text = readFileSync(file, 'utf8');
      assert.match(text, /= defineFaults\(\{/, `${relative(REFERENCE, file)} declares its faults another way`);
      assert.doesNotMatch(text, /FaultDefinition\[\]/, `${relative(REFERENCE, file)} still lists faults by hand`);
    }
  });
});
