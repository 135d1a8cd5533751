// Proves that every scenario can fail: runs the suite clean (every scenario must pass), then once
// per named fault of the embedded reference with only that fault's scenarios (every one must fail),
// and fails when a scenario is caught by no fault. Prints a table and writes reports/faults/results.json.
//
//   npm run verify:faults                       clean run + every fault
//   npm run verify:faults -- --reuse-clean      take the clean result from the last `npm test` run
//   npm run verify:faults -- --only a,b          only these faults (no coverage check)
//   npm run verify:faults -- --concurrency 2     fault runs at once (default 4: they mostly wait)
//
// Fault runs go to scripts/fault-runner.ts processes, one per lane, which load the step
// definitions once and then take fault after fault.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { FAULT_CATALOG as FAULTS, type FaultDefinition } from '../reference/faults';
import { scenarioStatuses, type ScenarioStatus } from '../support/report/summary';
import type { FaultJob, RunnerMessage } from './fault-runner';
import { getConfig } from '../support/config';
import { redactUrl } from '../support/redact';
import { reportFiles, type ReportFiles } from '../support/report/files';
import { readMessages } from '../support/report/generate';
import { claimReports, REPORTS_CLAIMED } from '../support/report/lock';

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
  /** Why the fault's run did not finish (its scenarios then count as missing). */
  error?: string;
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

/** A scripts/fault-runner.ts process: step definitions loaded once, faults run one after another. */
class FaultRunner {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private stderr = '';
  private pending: { resolve: (statuses: Map<string, ScenarioStatus>) => void; reject: (error: Error) => void } | undefined;
  private exited = false;

  constructor() {
    this.child = fork(join(__dirname, 'fault-runner.ts'), [], {
      cwd: ROOT,
      execArgv: ['--require', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (message: RunnerMessage) => {
        if (message.kind === 'ready') return resolve();
        const pending = this.pending;
        this.pending = undefined;
        if (message.kind === 'done') pending?.resolve(new Map(message.statuses));
        else pending?.reject(new Error(message.message));
      });
      this.child.on('exit', (code) => {
        this.exited = true;
        const error = new Error(`the fault runner stopped (exit code ${code}); its last words:\n${this.stderr.trim()}`);
        reject(error);
        this.pending?.reject(error);
        this.pending = undefined;
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  async run(job: FaultJob): Promise<Map<string, ScenarioStatus>> {
    await this.ready;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(job);
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

function allScenarioNames(envelopes: messages.Envelope[]): string[] {
  return [...new Set(envelopes.flatMap((e) => (e.pickle ? [e.pickle.name] : [])))].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the fault's scenarios with the fault on; its messages, output and reference.log stay in `runDir`. */
async function verifyFault(fault: FaultDefinition, known: Set<string>, runner: FaultRunner, runDir: string): Promise<FaultOutcome> {
  const started = performance.now();
  const missing = fault.scenarios.filter((name) => !known.has(name));
  const present = fault.scenarios.filter((name) => known.has(name));
  let statuses = new Map<string, ScenarioStatus>();
  let error: string | undefined;
  if (present.length > 0) {
    try {
      statuses = await runner.run({ fault: fault.name, names: present.map((name) => `^${escapeRegExp(name)}$`), runDir });
    } catch (failure) {
      error = (failure as Error).message;
    }
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
    error,
  };
}

/** Works through `items` in `lanes` lanes at once; each lane keeps a fault runner (a new one if its runner died). */
async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T, runner: FaultRunner) => Promise<R>, onDone: (result: R) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      let runner = new FaultRunner();
      try {
        while (next < items.length) {
          const index = next++;
          if (!runner.alive) runner = new FaultRunner();
          results[index] = await work(items[index], runner);
          onDone(results[index]);
        }
      } finally {
        runner.close();
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const config = getConfig();
  if (config.targetKind === 'external') {
    throw new Error(`faults are switched on in the embedded reference, so this cannot run against NOVACRON_API_URL="${redactUrl(config.apiUrl ?? '')}": unset it`);
  }
  const files = reportFiles(config.reportsDir);
  const release = claimReports(files, `npm run verify:faults -- ${process.argv.slice(2).join(' ')}`.trim());
  process.env[REPORTS_CLAIMED] = '1';
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
    const clean = scenarioStatuses(readMessages(files.messages));
    cleanFailures = names.filter((name) => clean.get(name) !== 'passed');
    console.log(`clean run (reused from the last npm test): ${names.length - cleanFailures.length} of ${names.length} scenarios passed`);
  } else {
    console.log(`clean run: ${names.length} scenarios ...`);
    const clean = scenarioStatuses(await runCucumber([], {}, join(outDir, 'clean.ndjson')));
    cleanFailures = names.filter((name) => clean.get(name) !== 'passed');
    console.log(`clean run: ${names.length - cleanFailures.length} of ${names.length} scenarios passed`);
  }

  const selected = options.only ? FAULTS.filter((f) => options.only?.includes(f.name)) : FAULTS;
  const unknownOnly = (options.only ?? []).filter((name) => !FAULTS.some((f) => f.name === name));
  if (unknownOnly.length) throw new Error(`--only names unknown faults: ${unknownOnly.join(', ')}`);
  const runsDir = join(outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  console.log(`\n${selected.length} faults, ${options.concurrency} at a time (each run's messages and reference.log: ${runsDir}/<fault>):`);
  const outcomes = await inLanes(selected, options.concurrency, (fault, runner) => verifyFault(fault, known, runner, join(runsDir, fault.name)), (outcome) => {
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
    problems.push(`fault ${outcome.fault} was not caught by ${survivors.join(', ')}${outcome.error ? `: its run did not finish: ${outcome.error}` : ''}`);
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
