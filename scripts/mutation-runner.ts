// The StrykerJS test runner of `npm run mutation` (loaded through mutation-runner.mjs): Cucumber in
// the Stryker worker's own process, its support code loaded once, and for each mutant a fresh
// embedded reference started with that mutant on (the reference reads __STRYKER_ACTIVE_MUTANT__ from
// the environment the suite's launcher passes on). The first run plays every scenario on its own and
// records which mutants each one reaches (the reference writes Stryker's coverage counters to
// NOVACRON_MUTANT_COVERAGE_FILE when it stops), so a mutant runs only the scenarios that reach it,
// and a mutant no scenario reaches is not run at all. A mutant's run stops at its first failure.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Envelope, TestStepResult } from '@cucumber/messages';
import { loadConfiguration, loadSources, loadSupport, runCucumber, type IRunConfiguration, type IRunEnvironment, type ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { compileReference } from './compile-reference';

/** Set by scripts/mutation.ts: the domain's feature files, comma-separated. */
export const FEATURES_VARIABLE = 'STRYKER_NOVACRON_FEATURES';
/** Read by reference/main.ts: where to write the mutants it reached when it stops. */
export const COVERAGE_FILE_VARIABLE = 'STRYKER_MUTANT_COVERAGE_FILE';
const ACTIVE_MUTANT_VARIABLE = '__STRYKER_ACTIVE_MUTANT__';
/** process.exit itself: a run replaces it while the suite's launcher may call it. */
const exitNow = process.exit.bind(process);

type CoverageData = Record<string, number>;
/** Stryker's TestStatus: success, failed, skipped. */
interface TestResult {
  id: string;
  name: string;
  timeSpentMs: number;
  fileName: string;
  status: 0 | 1 | 2;
  failureMessage?: string;
}
interface Logger {
  info(message: string): void;
  debug(message: string): void;
}

/** A scenario's id: its file and the line of its scenario or example row, as `cucumber-js` accepts it. */
export function scenarioId(uri: string, line: number): string {
  return `${uri}:${line}`;
}

/** Cucumber paths running exactly the given scenarios: one `file:line:line` per file. */
export function pathsOf(ids: readonly string[]): string[] {
  const lines = new Map<string, number[]>();
  for (const id of ids) {
    const at = id.lastIndexOf(':');
    const uri = id.slice(0, at);
    lines.set(uri, [...(lines.get(uri) ?? []), Number(id.slice(at + 1))]);
  }
  return [...lines].map(([uri, numbers]) => `${uri}:${[...new Set(numbers)].sort((a, b) => a - b).join(':')}`);
}

/** What one Cucumber run reported: each scenario's outcome, in the order they finished. */
interface RunOutcome {
  tests: TestResult[];
  /** The run could not run its scenarios (PostgreSQL did not answer, say): no verdict on the mutant. */
  error?: string;
  /** The reference did not start: with a mutant on, that mutant is noticed. */
  refused?: string;
}

/** The launcher's one line when the environment did not start names the service at fault. */
export function launchFailure(stderr: string[]): RunOutcome {
  const line = stderr.join('').split('\n').reverse().find((text) => text.startsWith('novacron-spec: ')) ?? 'novacron-spec: the environment did not start';
  const reason = line.slice('novacron-spec: '.length);
  return /^(PostgreSQL|Redis)\b/.test(reason) ? { tests: [], error: reason } : { tests: [], refused: reason };
}

export class NovacronCucumberRunner {
  static inject = ['logger'] as const;
  private support?: ISupportCodeLibrary;
  private configuration?: IRunConfiguration;
  private readonly cwd = process.cwd();
  private readonly work = join(process.cwd(), 'reports', `mutation-worker-${process.pid}`);

  constructor(private readonly log: Logger) {}

  capabilities(): { reloadEnvironment: boolean } {
    // Every run starts a reference of its own, so static mutants need nothing more.
    return { reloadEnvironment: true };
  }

  async init(): Promise<void> {
    const features = (process.env[FEATURES_VARIABLE] ?? '').split(',').filter(Boolean);
    if (features.length === 0) throw new Error(`${FEATURES_VARIABLE} names no feature file (scripts/mutation.ts sets it)`);
    mkdirSync(this.work, { recursive: true });
    // A worker whose Stryker has gone would otherwise go on running scenarios for no one.
    process.once('disconnect', () => exitNow(1));
    Object.assign(process.env, {
      NOVACRON_REFERENCE_ENTRY: compileReference(join(this.cwd, 'reference'), join(this.work, 'reference')),
      NOVACRON_TEST_MODE: process.env.NOVACRON_TEST_MODE ?? 'ci',
      NOVACRON_REPORTS_DIR: join(this.work, 'reports'),
      // The reports folder is this worker's alone; no formatter writes to it.
      NOVACRON_REPORTS_CLAIMED: 'mutation runner',
    });
    const environment = this.environment();
    const { runConfiguration } = await loadConfiguration({ provided: { paths: features, parallel: 0, retry: 0, failFast: true } }, environment);
    // The project's own profile, without its report files: a mutant's run writes no report.
    runConfiguration.formats = { ...runConfiguration.formats, files: {} };
    this.configuration = runConfiguration;
    this.support = await loadSupport(runConfiguration, environment);
  }

  async dryRun(): Promise<{ status: 'complete'; tests: TestResult[]; mutantCoverage: { static: CoverageData; perTest: Record<string, CoverageData> } } | { status: 'error'; errorMessage: string }> {
    const { plan } = await loadSources(this.configuration!.sources, this.environment());
    const tests: TestResult[] = [];
    const perTest: Record<string, CoverageData> = {};
    for (const [index, pickle] of plan.entries()) {
      const id = scenarioId(pickle.uri, pickle.location.line);
      const coverageFile = join(this.work, 'coverage.json');
      rmSync(coverageFile, { force: true });
      const outcome = await this.run([id], { [COVERAGE_FILE_VARIABLE]: coverageFile });
      const problem = outcome.error ?? outcome.refused;
      if (problem) return { status: 'error', errorMessage: `${id}: ${problem}` };
      tests.push(...outcome.tests);
      perTest[id] = readCoverage(coverageFile);
      this.log.info(`scenario ${index + 1}/${plan.length} ${id} reaches ${Object.keys(perTest[id]).length} mutants`);
    }
    return { status: 'complete', tests, mutantCoverage: { static: {}, perTest } };
  }

  async mutantRun(options: { activeMutant: { id: string }; testFilter?: string[]; disableBail: boolean }): Promise<
    { status: 'killed'; killedBy: string[]; failureMessage: string; nrOfTests: number } | { status: 'survived'; nrOfTests: number } | { status: 'error'; errorMessage: string }
  > {
    const ids = options.testFilter ?? (await this.allScenarios());
    const outcome = await this.run(ids, { [ACTIVE_MUTANT_VARIABLE]: options.activeMutant.id }, !options.disableBail);
    if (outcome.error) return { status: 'error', errorMessage: outcome.error };
    if (outcome.refused) return { status: 'killed', killedBy: ids, failureMessage: `the reference did not start: ${outcome.refused}`, nrOfTests: 0 };
    // Fail-fast skips scenarios only after a failure; a scenario skipped otherwise (not applicable,
    // since discovery no longer found its capability) ran in the first run, so the mutant changed it.
    const failed = outcome.tests.filter((test) => test.status === 1);
    const skippedNow = outcome.tests.filter((test) => test.status === 2);
    if (failed.length === 0 && skippedNow.length > 0) {
      return { status: 'killed', killedBy: skippedNow.map((test) => test.id), failureMessage: `skipped with the mutant on, though it ran without it: ${skippedNow[0].name}`, nrOfTests: outcome.tests.length };
    }
    if (failed.length === 0) return { status: 'survived', nrOfTests: outcome.tests.length };
    return { status: 'killed', killedBy: failed.map((test) => test.id), failureMessage: failed[0].failureMessage ?? 'failed', nrOfTests: outcome.tests.length };
  }

  private async allScenarios(): Promise<string[]> {
    const { plan } = await loadSources(this.configuration!.sources, this.environment());
    return plan.map((pickle) => scenarioId(pickle.uri, pickle.location.line));
  }

  /** One Cucumber run of the given scenarios, with extra variables for it (and for the reference it starts). */
  private async run(ids: string[], variables: Record<string, string>, failFast = true): Promise<RunOutcome> {
    // The suite's launcher writes the provisioned target into process.env: each run starts from the same one.
    const saved = { ...process.env };
    Object.assign(process.env, variables);
    // The suite's launcher ends the process when the environment does not start; in a worker that is
    // a verdict on the mutant, not an exit (Cucumber wraps the error this throws as the plugin's).
    const exit = process.exit;
    let exited = false;
    process.exit = ((code?: number) => {
      exited = true;
      throw new Error(`the suite's launcher exited with code ${code}`);
    }) as typeof process.exit;
    const stderr: string[] = [];
    const pickles = new Map<string, { name: string; uri: string; id: string }>();
    const cases = new Map<string, string>();
    const failures = new Map<string, string>();
    const skipped = new Set<string>();
    const started = new Map<string, { at: number; testCaseId: string }>();
    const tests: TestResult[] = [];
    const onMessage = (envelope: Envelope): void => {
      if (envelope.pickle) {
        const { id, name, uri, location } = envelope.pickle;
        pickles.set(id, { name, uri, id: location ? scenarioId(uri, location.line) : `${uri}: ${name}` });
      }
      else if (envelope.testCase) cases.set(envelope.testCase.id, envelope.testCase.pickleId);
      else if (envelope.testCaseStarted) started.set(envelope.testCaseStarted.id, { at: Date.now(), testCaseId: envelope.testCaseStarted.testCaseId });
      else if (envelope.testStepFinished) {
        const { testStepResult, testCaseStartedId } = envelope.testStepFinished;
        if (testStepResult.status === 'SKIPPED') skipped.add(testCaseStartedId);
        const failure = failureOf(testStepResult);
        if (failure && !failures.has(testCaseStartedId)) failures.set(testCaseStartedId, failure);
      } else if (envelope.testCaseFinished) {
        const startedId = envelope.testCaseFinished.testCaseStartedId;
        const pickle = pickles.get(cases.get(started.get(startedId)?.testCaseId ?? '') ?? '');
        const failure = failures.get(startedId);
        tests.push({
          id: pickle?.id ?? startedId,
          name: pickle?.name ?? startedId,
          fileName: pickle?.uri ?? '',
          timeSpentMs: Date.now() - (started.get(startedId)?.at ?? Date.now()),
          status: failure ? 1 : skipped.has(startedId) ? 2 : 0,
          ...(failure ? { failureMessage: failure } : {}),
        });
      }
    };
    try {
      const configuration = this.configuration!;
      await runCucumber(
        { ...configuration, sources: { ...configuration.sources, paths: pathsOf(ids) }, runtime: { ...configuration.runtime, failFast }, support: this.support! },
        this.environment((line) => stderr.push(line)),
        onMessage,
      );
    } catch (error) {
      if (exited) return launchFailure(stderr);
      return { tests, error: `the run could not run: ${(error as Error).message.split('\n')[0]}` };
    } finally {
      process.exit = exit;
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    if (tests.length === 0) return { tests, error: `no scenario ran; the run said:\n${stderr.join('').slice(-2000)}` };
    return { tests };
  }

  private environment(onStderr: (line: string) => void = () => undefined): IRunEnvironment {
    return { cwd: this.cwd, env: process.env, stdout: sink(() => undefined), stderr: sink(onStderr) };
  }
}

function failureOf(result: TestStepResult): string | undefined {
  if (result.status === 'PASSED' || result.status === 'SKIPPED') return undefined;
  return `${result.status}: ${(result.message ?? '').split('\n').slice(0, 4).join('\n')}`;
}

/** The mutants a run reached (the reference records them all as "static": it knows no tests). */
function readCoverage(file: string): CoverageData {
  try {
    const coverage = JSON.parse(readFileSync(file, 'utf8')) as { static?: CoverageData; perTest?: Record<string, CoverageData> };
    return Object.assign({}, coverage.static, ...Object.values(coverage.perTest ?? {}));
  } catch (error) {
    throw new Error(`the reference wrote no mutant coverage to ${file} (${(error as Error).message}); is it instrumented by Stryker?`);
  }
}

function sink(onText: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      onText(chunk.toString());
      done();
    },
  });
}
