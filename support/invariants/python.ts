import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Compiles the sources with `python3 -m py_compile`; returns why it could not, when python3 is missing. */
export function compilePython(sources: { name: string; code: string }[]): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n')[0];
    return `python3 is missing (${why}), so the generated Python cannot be compiled: install Python 3 (e.g. apt-get install python3) and put python3 on PATH`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlestar-compile-'));
  try {
    const paths = sources.map(({ name, code }) => {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, code);
      return path;
    });
    const result = spawnSync('python3', ['-m', 'py_compile', ...paths], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, `the generated Python does not compile:\n${result.stderr.split(dir).join('')}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
