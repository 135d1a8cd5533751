import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEBIAN_PACKAGES, installCommand, pythonWith, runPython } from '../../support/python';
import { agree } from '../../support/tasks/mlestar-execution';

const dir = mkdtempSync(join(tmpdir(), 'python-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in interpreter that answers the module probe with the modules it lacks. */
function fakePython(name: string, lacks: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${JSON.stringify(lacks)}'\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('the Python that runs generated projects', () => {
  it('takes NOVACRON_PYTHON when it has every module, and names what it lacks with the install command when not', () => {
    assert.deepEqual(pythonWith(['sklearn'], fakePython('complete', [])), { command: join(dir, 'complete') });
    const lacking = pythonWith(['sklearn', 'torch'], fakePython('no-torch', ['torch']));
    assert.deepEqual(lacking, { missing: `${join(dir, 'no-torch')} lacks torch`, install: 'apt-get install -y --no-install-recommends python3-torch' });
  });

  it('refuses in one line a NOVACRON_PYTHON that is not a runnable Python', () => {
    assert.throws(() => pythonWith(['sklearn'], join(dir, 'absent')), /^Error: NOVACRON_PYTHON=".*absent" is not valid: expected a Python 3 interpreter \(a path, or a command on PATH\) that runs$/);
  });

  it('installs from Debian what Debian packages and names how to get the rest', () => {
    assert.equal(installCommand(['sklearn', 'nbclient']), 'apt-get install -y --no-install-recommends python3-sklearn python3-nbclient');
    assert.equal(installCommand(['tensorflow']), 'pip install tensorflow (TensorFlow has no Debian package)');
    assert.equal(installCommand(['torch', 'tensorflow']), 'apt-get install -y --no-install-recommends python3-torch; and pip install tensorflow (TensorFlow has no Debian package)');
  });

  it('is installed by CI: .ci/install-python-packages installs every Debian package the runs need, and .ci/run calls it', () => {
    assert.match(readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8'), /^\.ci\/install-python-packages\b/m);
    const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'install-python-packages'), 'utf8');
    const listed = /python_packages=\(([^)]*)\)/.exec(ci)?.[1].split(/\s+/).filter(Boolean) ?? [];
    assert.deepEqual([...listed].sort(), Object.values(DEBIAN_PACKAGES).sort());
  });

  it('runs a program to its end with its output, and stops one at its time limit', async () => {
    const done = await runPython('sh', ['-c', 'echo out; echo err >&2; exit 3'], dir, 10_000);
    assert.equal(done.status, 3);
    assert.match(done.output, /out\n/);
    assert.match(done.output, /err\n/);
    const stopped = await runPython('sh', ['-c', 'sleep 5'], dir, 200);
    assert.equal(stopped.status, null);
    assert.ok(stopped.seconds < 4, `stopped after ${stopped.seconds} s`);
  });

  it('rejects with the command when it cannot be started', async () => {
    await assert.rejects(runPython(join(dir, 'absent'), [], dir, 1000), /absent could not be started/);
  });
});

describe("the generated project's run against the workflow's evaluation", () => {
  it('agrees within 0.05 on scores, 0.02 on a MAPE and a quarter on an RMSE, and not beyond', () => {
    assert.ok(agree('accuracy', 0.95, 0.9));
    assert.ok(!agree('accuracy', 0.96, 0.9));
    assert.ok(agree('mape', 0.03, 0.011));
    assert.ok(!agree('mape', 0.04, 0.011));
    assert.ok(agree('rmse', 24, 20));
    assert.ok(!agree('rmse', 26, 20));
  });
});
