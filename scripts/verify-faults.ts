// Proves that every scenario can fail: runs the suite clean (every scenario must pass), then once
// per named fault of the embedded reference with only that fault's scenarios (every one must fail),
// and fails when a scenario is caught by no fault. Prints a table and writes reports/faults/results.json.
//
//   npm run verify:faults                       clean run + every fault
//   npm run verify:faults -- --reuse-clean      take the clean result from the last `npm test` run
//   npm run verify:faults -- --only a,b          only these faults, and clean runs of their scenarios only
//                                                (no coverage check)
//   npm run verify:faults -- --concurrency 2     fault runs at once (default 6)
//   npm run verify:faults -- --repeat 5          every run N times: a fault is caught only when it was
//                                                caught in every run (flaky when in some), and the clean
//                                                run must pass every time
//
// Fault runs go to scripts/fault-runner.ts processes, one per lane, which load the step
// definitions once and then take fault after fault; each run starts the reference compiled to
// JavaScript once at the start (reports/faults/reference).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { FAULT_CATALOG as FAULTS, type FaultDefinition } from '../reference/faults';
import { scenarioStatuses, type ScenarioStatus } from '../support/report/summary';
import { compileReference } from './compile-reference';
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
  repeat: number;
}

/** One run of one fault's scenarios with the fault on. */
interface FaultRun {
  fault: string;
  run: number;
  scenarios: { name: string; status: ScenarioStatus | 'missing' }[];
  caught: boolean;
  seconds: number;
  /** Why the run did not finish (its scenarios then count as missing). */
  error?: string;
}

/** caught: its scenarios failed in every run; flaky: in some runs only; missed: in none. */
type Verdict = 'caught' | 'flaky' | 'missed';

interface FaultOutcome {
  fault: string;
  description: string;
  verdict: Verdict;
  /** Runs in which every one of its scenarios failed, of `runs.length`. */
  caughtRuns: number;
  runs: FaultRun[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { reuseClean: false, concurrency: 6, repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reuse-clean') options.reuseClean = true;
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--concurrency') options.concurrency = wholeNumber('--concurrency', argv[++i]);
    else if (arg === '--repeat') options.repeat = wholeNumber('--repeat', argv[++i]);
    else throw new Error(`unknown argument "${arg}": expected --reuse-clean, --only <faults>, --concurrency <n> or --repeat <n>`);
  }
  return options;
}

function wholeNumber(flag: string, value: string | undefined): number {
  const number = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || number < 1) throw new Error(`${flag} must be a whole number of at least 1, got "${value ?? ''}"`);
  return number;
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

function performanceScenarioNames(envelopes: messages.Envelope[]): Set<string> {
  return new Set(envelopes.flatMap((e) => (e.pickle?.tags.some((tag) => tag.name === '@performance') ? [e.pickle.name] : [])));
}

/**
 * The order the faults are run in: those with the most performance scenarios first, the rest as
 * the catalog lists them. A performance fault makes its scenarios wait on a slow or serialized
 * server for minutes while using little CPU; started first, it overlaps the other runs instead of
 * trailing them (measured: the catalog in 236 s when they started 45 s in, with 6 or 8 lanes).
 */
export function runOrder(faults: readonly FaultDefinition[], performance: ReadonlySet<string>): FaultDefinition[] {
  const weight = (fault: FaultDefinition) => fault.scenarios.filter((name) => performance.has(name)).length;
  return [...faults].sort((a, b) => weight(b) - weight(a));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the fault's scenarios with the fault on; its messages, output and reference.log stay in `runDir`. */
async function runFault(fault: FaultDefinition, run: number, known: Set<string>, runner: FaultRunner, runDir: string): Promise<FaultRun> {
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
    run,
    scenarios,
    caught: scenarios.length > 0 && scenarios.every((s) => s.status === 'failed'),
    seconds: (performance.now() - started) / 1000,
    error,
  };
}

function judge(fault: FaultDefinition, runs: FaultRun[]): FaultOutcome {
  const caughtRuns = runs.filter((r) => r.caught).length;
  const verdict: Verdict = caughtRuns === runs.length ? 'caught' : caughtRuns === 0 ? 'missed' : 'flaky';
  return { fault: fault.name, description: fault.description, verdict, caughtRuns, runs };
}

/** The scenarios that did not fail in some run, with the runs and their statuses. */
function survivors(outcome: FaultOutcome): string {
  const byScenario = new Map<string, string[]>();
  for (const run of outcome.runs) {
    for (const scenario of run.scenarios) {
      if (scenario.status === 'failed') continue;
      const where = outcome.runs.length > 1 ? `${scenario.status} in run ${run.run}` : scenario.status;
      byScenario.set(scenario.name, [...(byScenario.get(scenario.name) ?? []), where]);
    }
  }
  return [...byScenario].map(([name, where]) => `"${name}" (${where.join(', ')})`).join(', ');
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
  const plan = await runCucumber(['--dry-run'], {}, join(outDir, 'dry-run.ndjson'));
  const names = allScenarioNames(plan);
  const known = new Set(names);

  const selected = options.only ? FAULTS.filter((f) => options.only?.includes(f.name)) : FAULTS;
  const unknownOnly = (options.only ?? []).filter((name) => !FAULTS.some((f) => f.name === name));
  if (unknownOnly.length) throw new Error(`--only names unknown faults: ${unknownOnly.join(', ')}`);
  // With --only, the clean runs check (and run) only the scenarios of the selected faults.
  const checked = options.only ? names.filter((name) => selected.some((f) => f.scenarios.includes(name))) : names;
  const cleanRuns = await cleanRunResults(options, files, outDir, checked, options.only !== undefined);
  const cleanFailures = [...new Set(cleanRuns.flatMap((run) => run.failed))].sort();
  const runsDir = join(outDir, 'runs');
  rmSync(runsDir, { recursive: true, force: true });
  const repeated = options.repeat > 1;
  console.log(
    `\n${selected.length} faults${repeated ? `, ${options.repeat} runs each` : ''}, ${options.concurrency} runs at a time (each run's messages and reference.log: ${runsDir}/<fault>${repeated ? '/<run>' : ''}):`,
  );
  // Every fault run starts a reference of its own: one compiled to JavaScript once starts in half the time.
  const compiledAt = performance.now();
  process.env.NOVACRON_REFERENCE_ENTRY = compileReference(join(ROOT, 'reference'), join(outDir, 'reference'));
  console.log(`(the reference compiled for the fault runs in ${((performance.now() - compiledAt) / 1000).toFixed(1)} s)`);
  const jobs = runOrder(selected, performanceScenarioNames(plan)).flatMap((fault) => Array.from({ length: options.repeat }, (_, i) => ({ fault, run: i + 1 })));
  const finished = new Map<string, FaultRun[]>();
  const outcomes: FaultOutcome[] = [];
  await inLanes(
    jobs,
    options.concurrency,
    ({ fault, run }, runner) => runFault(fault, run, known, runner, repeated ? join(runsDir, fault.name, String(run)) : join(runsDir, fault.name)),
    (result) => {
      const runs = [...(finished.get(result.fault) ?? []), result];
      finished.set(result.fault, runs);
      if (runs.length < options.repeat) return;
      const fault = selected.find((f) => f.name === result.fault) as FaultDefinition;
      const outcome = judge(fault, runs.sort((a, b) => a.run - b.run));
      outcomes.push(outcome);
      printProgress(outcome);
    },
  );
  outcomes.sort((a, b) => selected.findIndex((f) => f.name === a.fault) - selected.findIndex((f) => f.name === b.fault));

  const covered = new Set(FAULTS.flatMap((f) => f.scenarios));
  const uncovered = options.only ? [] : names.filter((name) => !covered.has(name));
  printTable(outcomes, options.repeat);
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify({ repeat: options.repeat, clean_failures: cleanFailures, clean_runs: cleanRuns, faults: outcomes, uncovered }, null, 2)}\n`,
  );

  const missed = outcomes.filter((o) => o.verdict === 'missed');
  const flaky = outcomes.filter((o) => o.verdict === 'flaky');
  const problems: string[] = [];
  for (const run of cleanRuns) {
    if (run.failed.length) problems.push(`clean run ${run.run}${run.reused ? ' (reused)' : ''} failed ${run.failed.length} scenario(s): ${run.failed.join('; ')}`);
  }
  for (const outcome of missed) {
    const error = outcome.runs.find((r) => r.error)?.error;
    const hint = repeated ? '' : ` (to see whether it is caught only now and then: npm run verify:faults -- --reuse-clean --only ${outcome.fault} --repeat 5)`;
    problems.push(`fault ${outcome.fault} was not caught by ${survivors(outcome)}${error ? `: its run did not finish: ${error}` : ''}${hint}`);
  }
  for (const outcome of flaky) {
    problems.push(`fault ${outcome.fault} was caught in ${outcome.caughtRuns} of ${outcome.runs.length} runs only, not by ${survivors(outcome)}`);
  }
  if (uncovered.length) problems.push(`${uncovered.length} scenario(s) are caught by no fault: ${uncovered.map((n) => `"${n}"`).join(', ')}`);
  console.log('');
  if (problems.length) {
    for (const problem of problems) console.log(`FAIL: ${problem}`);
  } else {
    const everyRun = repeated ? ` in every one of its ${options.repeat} runs` : '';
    console.log(options.only ? `every selected fault was caught${everyRun}` : `every fault was caught${everyRun} and every one of the ${names.length} scenarios is caught by at least one fault`);
  }
  const caught = outcomes.length - missed.length - flaky.length;
  console.log(`${caught} faults caught, ${missed.length} faults missed${repeated ? `, ${flaky.length} faults flaky` : ''}`);
  return problems.length ? 1 : 0;
}

interface CleanRun {
  run: number;
  reused: boolean;
  failed: string[];
}

/** The clean runs: `--repeat` of them, the first taken from the last `npm test` with --reuse-clean. */
async function cleanRunResults(options: Options, files: ReportFiles, outDir: string, names: string[], onlyThese: boolean): Promise<CleanRun[]> {
  const runs: CleanRun[] = [];
  const failedIn = (statuses: Map<string, ScenarioStatus>) => names.filter((name) => statuses.get(name) !== 'passed');
  const label = (run: number) => (options.repeat > 1 ? `clean run ${run} of ${options.repeat}` : 'clean run');
  if (options.reuseClean) {
    if (!existsSync(files.messages)) throw new Error(`--reuse-clean needs ${files.messages}: run npm test first`);
    const failed = failedIn(scenarioStatuses(readMessages(files.messages)));
    runs.push({ run: 1, reused: true, failed });
    console.log(`${label(1)} (reused from the last npm test): ${names.length - failed.length} of ${names.length} scenarios passed`);
  }
  while (runs.length < options.repeat) {
    const run = runs.length + 1;
    console.log(`${label(run)}: ${names.length} scenarios ...`);
    const file = join(outDir, options.repeat > 1 ? `clean-${run}.ndjson` : 'clean.ndjson');
    const filter = onlyThese ? names.flatMap((name) => ['--name', `^${escapeRegExp(name)}$`]) : [];
    const failed = failedIn(scenarioStatuses(await runCucumber(filter, {}, file)));
    runs.push({ run, reused: false, failed });
    console.log(`${label(run)}: ${names.length - failed.length} of ${names.length} scenarios passed${failed.length ? `; failed: ${failed.join('; ')}` : ''}`);
  }
  return runs;
}

function printProgress(outcome: FaultOutcome): void {
  const label = { caught: 'caught ', flaky: 'FLAKY  ', missed: 'MISSED ' }[outcome.verdict];
  const seconds = outcome.runs.reduce((sum, r) => sum + r.seconds, 0);
  if (outcome.runs.length === 1) {
    const [run] = outcome.runs;
    const failed = run.scenarios.filter((s) => s.status === 'failed').length;
    console.log(`  ${label} ${outcome.fault.padEnd(36)} ${failed}/${run.scenarios.length} scenarios failed  (${seconds.toFixed(1)} s)`);
  } else {
    console.log(`  ${label} ${outcome.fault.padEnd(36)} caught in ${outcome.caughtRuns}/${outcome.runs.length} runs  (${seconds.toFixed(1)} s in all)`);
  }
}

function printTable(outcomes: FaultOutcome[], repeat: number): void {
  console.log(`\n| fault | what it breaks | ${repeat > 1 ? 'runs in which it was caught' : 'scenarios that failed'} |`);
  console.log('|---|---|---|');
  for (const o of outcomes) {
    const mark = o.verdict === 'caught' ? '' : ` ${o.verdict.toUpperCase()}`;
    if (repeat > 1) {
      console.log(`| ${o.fault} | ${o.description} | ${o.caughtRuns}/${o.runs.length}${mark} |`);
    } else {
      const [run] = o.runs;
      console.log(`| ${o.fault} | ${o.description} | ${run.scenarios.filter((s) => s.status === 'failed').length}/${run.scenarios.length}${mark} |`);
    }
  }
}

if (require.main === module) {
  main()
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`verify:faults: ${error.message}`);
      process.exit(2);
    });
}
