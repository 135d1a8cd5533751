// The suite with V8 coverage of the embedded reference (npm run test:integration:coverage -- <cucumber args>):
// the reference writes raw coverage when it stops, then c8 turns it into coverage/ (text summary, lcov, html).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const RAW = join(ROOT, 'coverage', 'tmp');

rmSync(RAW, { recursive: true, force: true });
const suite = spawnSync(process.execPath, ['--require', 'ts-node/register/transpile-only', join(ROOT, 'scripts', 'cucumber.ts'), ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NOVACRON_TEST_COVERAGE: 'true' },
});
const report = spawnSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'c8', 'bin', 'c8.js'),
    'report',
    '--temp-directory', RAW,
    '--reports-dir', join(ROOT, 'coverage'),
    '--reporter', 'text-summary', '--reporter', 'lcov', '--reporter', 'html',
    '--include', 'reference/**',
    '--exclude', 'reference/**/*.test.ts',
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
if (report.status === 0) console.log(`coverage of the reference: ${join(ROOT, 'coverage', 'index.html')}`);
const suiteStatus = suite.status ?? 1;
process.exit(suiteStatus !== 0 ? suiteStatus : (report.status ?? 1));
