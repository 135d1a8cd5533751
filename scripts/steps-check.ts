// `npm run steps:check`: a dry run in strict mode (no undefined, ambiguous or pending steps), then
// fails when a step definition is used by no scenario, when an operation of the contract does not
// declare its lowest role (x-minimum-role), or when the permission matrix cannot call one; and when a
// test-support operation names no capability (x-test-support) or a feature needs one the contract lacks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEEDS_TAG_PREFIX, testSupportCapabilities, testSupportDeclarationProblems } from '../support/capabilities';
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
  const supportProblems = testSupportProblems();
  for (const problem of supportProblems) console.error(problem);
  if (!supportProblems.length) console.log('every test-support operation names its capability, and every @needs- tag names one of them');
  process.exitCode = unused.length || permissionProblems.length || supportProblems.length ? 1 : 0;
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

/** Test-support operations without a capability, and `@needs-` tags naming a capability the contract does not have. */
function testSupportProblems(): string[] {
  const declared = testSupportDeclarationProblems().map((problem) => `contract: ${problem}`);
  const known = [...testSupportCapabilities().keys()];
  const tagged: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.feature')) {
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            for (const [tag] of line.matchAll(new RegExp(`${NEEDS_TAG_PREFIX}[\\w-]+`, 'g'))) {
              const capability = tag.slice(NEEDS_TAG_PREFIX.length);
              if (!known.includes(capability)) tagged.push(`${path.slice(ROOT.length + 1)}:${index + 1}: ${tag} names no test-support capability of the contract (known: ${known.join(', ')})`);
            }
          });
      }
    }
  };
  walk(join(ROOT, 'features'));
  return [...declared, ...tagged];
}
