import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transformFileSync } from '@swc/core';

/**
 * Compiles the reference's TypeScript to JavaScript once (swc, no type checking, as ts-node's
 * transpile-only does), so that scripts starting many references (a fault run, a mutant) skip ts-node
 * and the TypeScript compiler each time: about 1.5 s of CPU per start. The project's own packages the
 * reference depends on (`@novacron-spec/variables`) are compiled into its `node_modules`, where the
 * compiled code finds them first. Returns the compiled entry, for NOVACRON_REFERENCE_ENTRY.
 */
export function compileReference(from: string, to: string): string {
  rmSync(to, { recursive: true, force: true });
  compileTree(from, to);
  const { dependencies = {} } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies).filter((dependency) => dependency.startsWith('@novacron-spec/'))) {
    compileTree(dirname(require.resolve(`${name}/package.json`, { paths: [from] })), join(to, 'node_modules', name));
  }
  return join(to, 'main.js');
}

function compileTree(from: string, to: string): void {
  for (const file of readdirSync(from, { recursive: true, encoding: 'utf8' })) {
    if (file.split(/[\\/]/).includes('node_modules')) continue;
    const source = join(from, file);
    const target = join(to, file);
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      mkdirSync(dirname(target), { recursive: true });
      const { code } = transformFileSync(source, { swcrc: false, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
      writeFileSync(target.replace(/\.ts$/, '.js'), code);
    } else if (file === 'package.json' || /\.(html|css|js)$/.test(file)) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
    }
  }
}
