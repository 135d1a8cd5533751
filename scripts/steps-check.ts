// `npm run steps:check`: a dry run in strict mode (no undefined, ambiguous or pending steps), then
// fails when a step definition is used by no scenario, when an operation of the contract does not
// declare its lowest role (x-minimum-role), or when the permission matrix cannot call one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContractDocument } from '../support/contract';
import { PROBES } from '../support/permissions/probes';
import { guardedOperations, minimumRoleProblems } from '../support/permissions/roles';

interface StepUsage {
  pattern: string;
  uri: string;
  line: number;
  matches: unknown[];
}

const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'novacron-steps-'));
const usageFile = join(dir, 'usage.json');
try {
  const cucumber = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
  const run = spawnSync(process.execPath, [cucumber, '--dry-run', '--strict', '--format', 'summary', '--format', `usage-json:${usageFile}`, ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: 'inherit',
    // The profile's report formats write here, not over the last run's reports.
    env: { ...process.env, NOVACRON_REPORTS_DIR: dir },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as StepUsage[];
  const unused = usage.filter((definition) => definition.matches.length === 0);
  for (const definition of unused) console.error(`unused step definition "${definition.pattern}" (${definition.uri}:${definition.line})`);
  console.log(unused.length ? `${unused.length} of ${usage.length} step definitions are unused` : `every one of the ${usage.length} step definitions is used`);
  const permissionProblems = permissionMatrixProblems();
  for (const problem of permissionProblems) console.error(problem);
  if (!permissionProblems.length) console.log('every operation of the contract declares its lowest role and is called by the permission matrix');
  process.exitCode = unused.length || permissionProblems.length ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Operations without a lowest role, operations the matrix cannot call, and probes of operations the contract does not have. */
function permissionMatrixProblems(): string[] {
  const document = loadContractDocument();
  const declared = minimumRoleProblems(document);
  if (declared.length) return declared.map((problem) => `contract: ${problem}`);
  const operations = new Set(guardedOperations(document).map((operation) => operation.key));
  return [
    ...[...operations].filter((key) => !PROBES[key]).map((key) => `permission matrix: no probe calls ${key} (add one in support/permissions/probes)`),
    ...Object.keys(PROBES).filter((key) => !operations.has(key)).map((key) => `permission matrix: the probe "${key}" calls an operation the contract does not have`),
  ];
}
