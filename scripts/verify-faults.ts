// Proves that every scenario can fail: runs the suite clean (every scenario must pass), then once
// per named fault of the embedded reference with only that fault's scenarios (every one must fail),
// and fails when a scenario is caught by no fault. Prints a table and writes reports/faults/results.json.
//
//   npm run verify:faults                       clean run + every fault
//   npm run verify:faults -- --reuse-clean      take the clean result from the last `npm test` run
//   npm run verify:faults -- --only a,b          only these faults (no coverage check)
//   npm run verify:faults -- --concurrency 2     fault runs at once (default 4: they mostly wait)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { FAULT_CATALOG as FAULTS, type FaultDefinition } from '../reference/faults';
import { buildReport, type ScenarioStatus } from '../support/report/summary';
import type { ReportFiles } from '../support/report/files';
import { readMessages, runReportFiles } from '../support/report/generate';
import { claimReports } from '../support/report/lock';

const ROOT = join(__dirname, '..');
const CUCUMBER = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

interface Options {
  reuseClean: boolean;
  only?: string[];
  concurrency: number;
}

interface FaultOutcome {
  fault: string;
  description: string;
  scenarios: { name: string; status: ScenarioStatus | 'missing' }[];
  caught: boolean;
  seconds: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { reuseClean: false, concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reuse-clean') options.reuseClean = true;
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--concurrency') options.concurrency = Number(argv[++i]);
    else throw new Error(`unknown argument "${arg}": expected --reuse-clean, --only <faults> or --concurrency <n>`);
  }
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`--concurrency must be a whole number of at least 1, got ${options.concurrency}`);
  }
  return options;
}

function runCucumber(args: string[], env: NodeJS.ProcessEnv, messagesFile: string): Promise<messages.Envelope[]> {
  rmSync(messagesFile, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CUCUMBER, '--profile', 'verify', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, NOVACRON_VERIFY_MESSAGES: messagesFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', () => {
      if (!existsSync(messagesFile)) {
        reject(new Error(`cucumber wrote no results (${messagesFile}); its last words:\n${stderr.trim()}`));
        return;
      }
      resolve(readMessages(messagesFile));
    });
  });
}

/** Scenario name -> worst status over its examples. */
function statusByName(envelopes: messages.Envelope[]): Map<string, ScenarioStatus> {
  const byName = new Map<string, ScenarioStatus>();
  for (const test of buildReport(envelopes, {}).results.flatMap((suite) => suite.tests)) {
    const previous = byName.get(test.name);
    byName.set(test.name, previous && previous !== 'passed' ? previous : test.status);
  }
  return byName;
}

function allScenarioNames(envelopes: messages.Envelope[]): string[] {
  return [...new Set(envelopes.flatMap((e) => (e.pickle ? [e.pickle.name] : [])))].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the fault's scenarios with the fault on; its messages and reference.log stay in `runDir`. */
async function verifyFault(fault: FaultDefinition, known: Set<string>, runDir: string): Promise<FaultOutcome> {
  const started = performance.now();
  const missing = fault.scenarios.filter((name) => !known.has(name));
  const present = fault.scenarios.filter((name) => known.has(name));
  let statuses = new Map<string, ScenarioStatus>();
  if (present.length > 0) {
    mkdirSync(runDir, { recursive: true });
    const nameArgs = present.flatMap((name) => ['--name', `^${escapeRegExp(name)}$`]);
    statuses = statusByName(await runCucumber(nameArgs, { NOVACRON_FAULTS: fault.name, NOVACRON_REPORTS_DIR: runDir }, join(runDir, 'messages.ndjson')));
  }
  const scenarios = [
    ...present.map((name) => ({ name, status: statuses.get(name) ?? ('missing' as const) })),
    ...missing.map((name) => ({ name, status: 'missing' as const })),
  ];
  return {
    fault: fault.name,
    description: fault.description,
    scenarios,
    caught: scenarios.length > 0 && scenarios.every((s) => s.status === 'failed'),
    seconds: (performance.now() - started) / 1000,
  };
}

async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>, onDone: (result: R) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
        onDone(results[index]);
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const files = runReportFiles();
  const release = claimReports(files, `npm run verify:faults -- ${process.argv.slice(2).join(' ')}`.trim());
  try {
    return await verify(options, files);
  } finally {
    release();
  }
}

async function verify(options: Options, files: ReportFiles): Promise<number> {
  const outDir = files.faults;
  mkdirSync(outDir, { recursive: true });
  const names = allScenarioNames(await runCucumber(['--dry-run'], {}, join(outDir, 'dry-run.ndjson')));
  const known = new Set(names);

  let cleanFailures: string[];
  if (options.reuseClean) {
    if (!existsSync(files.messages)) throw new Error(`--reuse-clean needs ${files.messages}: run npm test first`);
    const clean = statusByName(readMessages(files.messages));
    cleanFailures = names.filter((name) => clean.get(name) !== 'passed');
    console.log(`clean run (reused from the last npm test): ${names.length - cleanFailures.length} of ${names.length} scenarios passed`);
  } else {
    console.log(`clean run: ${names.length} scenarios ...`);
    const clean = statusByName(await runCucumber([], {}, join(outDir, 'clean.ndjson')));
    cleanFailures = names.filter((name) => clean.get(name) !== 'passed');
    console.log(`clean run: ${names.length - cleanFailures.length} of ${names.length} scenarios passed`);
  }

  const selected = options.only ? FAULTS.filter((f) => options.only?.includes(f.name)) : FAULTS;
  const unknownOnly = (options.only ?? []).filter((name) => !FAULTS.some((f) => f.name === name));
  if (unknownOnly.length) throw new Error(`--only names unknown faults: ${unknownOnly.join(', ')}`);
  const runsDir = join(outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  console.log(`\n${selected.length} faults, ${options.concurrency} at a time (each run's messages and reference.log: ${runsDir}/<fault>):`);
  const outcomes = await inPool(selected, options.concurrency, (fault) => verifyFault(fault, known, join(runsDir, fault.name)), (outcome) => {
    const caught = outcome.scenarios.filter((s) => s.status === 'failed').length;
    console.log(`  ${outcome.caught ? 'caught ' : 'MISSED '} ${outcome.fault.padEnd(36)} ${caught}/${outcome.scenarios.length} scenarios failed  (${outcome.seconds.toFixed(1)} s)`);
  });

  const covered = new Set(FAULTS.flatMap((f) => f.scenarios));
  const uncovered = options.only ? [] : names.filter((name) => !covered.has(name));
  printTable(outcomes);
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ clean_failures: cleanFailures, faults: outcomes, uncovered }, null, 2)}\n`);

  const missed = outcomes.filter((o) => !o.caught);
  const problems: string[] = [];
  if (cleanFailures.length) problems.push(`the clean run failed ${cleanFailures.length} scenario(s): ${cleanFailures.join('; ')}`);
  for (const outcome of missed) {
    const survivors = outcome.scenarios.filter((s) => s.status !== 'failed').map((s) => `"${s.name}" (${s.status})`);
    problems.push(`fault ${outcome.fault} was not caught by ${survivors.join(', ')}`);
  }
  if (uncovered.length) problems.push(`${uncovered.length} scenario(s) are caught by no fault: ${uncovered.map((n) => `"${n}"`).join(', ')}`);
  console.log('');
  if (problems.length) {
    for (const problem of problems) console.log(`FAIL: ${problem}`);
  } else {
    console.log(`every fault was caught and every one of the ${names.length} scenarios is caught by at least one fault`);
  }
  console.log(`${outcomes.length - missed.length} faults caught, ${missed.length} faults missed`);
  return problems.length ? 1 : 0;
}

function printTable(outcomes: FaultOutcome[]): void {
  console.log('\n| fault | what it breaks | scenarios that failed |');
  console.log('|---|---|---|');
  for (const o of outcomes) {
    const failed = o.scenarios.filter((s) => s.status === 'failed').length;
    console.log(`| ${o.fault} | ${o.description} | ${failed}/${o.scenarios.length}${o.caught ? '' : ' MISSED'} |`);
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    console.error(`verify:faults: ${error.message}`);
    process.exit(2);
  });
