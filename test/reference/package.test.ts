import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const REFERENCE = join(ROOT, 'reference');

interface Manifest {
  version: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const root = readJson<Manifest>(join(ROOT, 'package.json'));
const reference = readJson<Manifest>(join(REFERENCE, 'package.json'));

/** What runs the reference's TypeScript (`node --require ts-node/register/transpile-only main.ts`, swc). */
const RUNTIME = ['@swc/core', 'ts-node', 'typescript'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The packages the reference's code imports (node's own modules and relative paths left out). */
function importedPackages(): string[] {
  const found = new Set<string>();
  for (const file of sources(REFERENCE)) {
    const text = readFileSync(file, 'utf8');
    const statements = /^\s*(?:(?:import|export)\b[^'\n]*\bfrom|\}\s*from|import)\s+'([^'.][^']*)';|\bimport\('([^'.][^']*)'\)/gm;
    for (const match of text.matchAll(statements)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
    }
  }
  return [...found].sort();
}

describe('the reference as its own npm workspace', () => {
  it('is a workspace of the root package, so `npm install` / `npm ci` at the root set up both', () => {
    assert.deepEqual(root.workspaces, ['reference', 'variables']);
    const lock = readJson<{ packages: Record<string, { dependencies?: Record<string, string>; link?: boolean; resolved?: string }> }>(join(ROOT, 'package-lock.json'));
    assert.deepEqual(lock.packages['reference']?.dependencies, reference.dependencies, 'package-lock.json is out of date with reference/package.json: run npm install');
    assert.equal(lock.packages['node_modules/@novacron-spec/reference']?.resolved, 'reference');
    assert.equal(lock.packages['node_modules/@novacron-spec/variables']?.resolved, 'variables', "the variables' one definition is a workspace too");
  });

  it('declares exactly what its code imports, and what runs its TypeScript', () => {
    assert.deepEqual(Object.keys(reference.dependencies ?? {}).sort(), [...new Set([...importedPackages(), ...RUNTIME])].sort());
    assert.equal(reference.devDependencies, undefined, 'the reference is type-checked and linted from the root');
  });

  it('asks for the same versions as the suite where both use a package', () => {
    const differing = Object.entries(reference.dependencies ?? {})
      .filter(([name, range]) => root.dependencies?.[name] !== undefined && root.dependencies[name] !== range)
      .map(([name, range]) => `${name}: reference ${range}, suite ${root.dependencies?.[name]}`);
    assert.deepEqual(differing, []);
  });

  it('has the version of the suite it belongs to (its health reports it; the suite checks it)', () => {
    assert.equal(reference.version, root.version);
  });

  it('builds an image that installs and copies the reference alone, with the variables it imports', () => {
    const dockerfile = readFileSync(join(REFERENCE, 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((line) => /^(COPY|RUN|CMD|WORKDIR)\b/.test(line));
    assert.deepEqual(instructions, [
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'COPY reference/package.json reference/',
      'COPY variables/package.json variables/',
      'RUN npm ci --omit=dev --workspace reference && npm cache clean --force',
      'COPY --chown=node:node variables/ variables/',
      'COPY --chown=node:node reference/ reference/',
      'WORKDIR /app/reference',
      'CMD ["node", "--require", "ts-node/register/transpile-only", "main.ts"]',
    ]);
  });
});
