import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { INTERNAL_VARIABLES, KNOWN_VARIABLES } from '../../support/config';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README', () => {
  it('describes every variable the suite and the reference read, except those the suite sets for itself', () => {
    const missing = KNOWN_VARIABLES.filter((name) => !INTERNAL_VARIABLES.includes(name) && !readme.includes(`| \`${name}\``) && !readme.includes(`/ \`${name}\``));
    assert.deepEqual(missing, [], 'variables without a row in a README table');
  });

  it('describes every npm script', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const missing = scripts.filter((name) => !readme.includes(name === 'test' ? '| `npm test`' : `\`npm run ${name}`));
    assert.deepEqual(missing, [], 'scripts the README does not name');
  });
});
