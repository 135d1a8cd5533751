// `npm run mutation -- <domain> [<domain> ...]`: mutation testing of the embedded reference with
// StrykerJS. Each mutant of the domain's reference modules is switched on in turn (the reference
// process reads __STRYKER_ACTIVE_MUTANT__ from the environment the suite's launcher passes on) and
// the domain's scenarios that reach it run against it (scripts/mutation-runner.ts); a mutant the
// features do not notice survives.
//
//   npm run mutation -- --list              the domains, their modules and features
//   npm run mutation -- network             one domain (incremental: only what changed is tested again)
//   npm run mutation -- network --force     every mutant again
//   npm run mutation -- vms --concurrency 1 mutants at a time (default 2)
//   npm run mutation -- autoscaling --lines reference/autoscaling/group.ts:60-127
//                                            only the mutants on those lines, every one tested again
//                                            (reports/mutation/<domain>-lines/; the committed state is left alone)
//
// Results: reports/mutation/<domain>/index.html (Stryker's report), mutation.json and summary.json;
// the incremental state is kept in mutation/<domain>.incremental.json (committed, so that a fresh
// clone reruns only what changed).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FEATURES_VARIABLE } from './mutation-runner';

const ROOT = join(__dirname, '..');

export interface MutationDomain {
  /** Reference modules whose mutants are tried (globs, relative to the repository). */
  mutate: string[];
  /** The features that must notice them. */
  features: string[];
}

export const MUTATION_DOMAINS: Record<string, MutationDomain> = {
  vms: {
    mutate: ['reference/core/vms/*.ts', 'reference/core/dashboard.ts'],
    features: ['features/system/backend/vm-lifecycle.feature', 'features/system/frontend/rest-api.feature', 'features/system/frontend/state-sync.feature'],
  },
  auth: {
    mutate: ['reference/core/auth/*.ts'],
    features: ['features/system/backend/security.feature', 'features/system/backend/model-credentials.feature', 'features/system/frontend/auth-flows.feature', 'features/system/backend/permissions.feature'],
  },
  'rate-limits': {
    mutate: ['reference/core/rate-limit.ts'],
    features: ['features/system/backend/security.feature', 'features/system/backend/model-rate-limits.feature'],
  },
  'event-stream': {
    mutate: ['reference/core/stream.ts', 'reference/core/events.ts'],
    features: ['features/system/frontend/realtime-updates.feature', 'features/system/backend/vm-lifecycle.feature', 'features/system/frontend/auth-flows.feature'],
  },
  autoscaling: {
    mutate: ['reference/autoscaling/*.ts', '!reference/autoscaling/faults.ts'],
    features: ['features/system/backend/autoscaling.feature'],
  },
  consensus: {
    mutate: ['reference/consensus/*.ts', '!reference/consensus/faults.ts'],
    features: ['features/system/backend/consensus.feature'],
  },
  storage: {
    mutate: ['reference/storage/*.ts', '!reference/storage/faults.ts'],
    features: ['features/system/backend/storage.feature'],
  },
  network: {
    mutate: ['reference/network/*.ts', '!reference/network/faults.ts'],
    features: ['features/system/backend/network-isolation.feature'],
  },
  federation: {
    mutate: ['reference/federation/*.ts', '!reference/federation/faults.ts'],
    features: ['features/system/backend/federation.feature', 'features/system/backend/model-federation.feature', 'features/system/backend/vm-migration.feature'],
  },
  mlestar: {
    mutate: ['reference/mlestar/evaluation.ts', 'reference/mlestar/metrics.ts', 'reference/mlestar/monitoring.ts', 'reference/mlestar/drift.ts', 'reference/mlestar/endpoint.ts'],
    features: ['features/mle-star/workflow.feature', 'features/mle-star/stages.feature'],
  },
};

interface Options {
  domains: string[];
  concurrency: number;
  force: boolean;
  /** Stryker's `file:from-to` ranges: only their mutants, all tested again. */
  lines: string[];
}

const LINE_RANGE = /^([^:]+\.ts):(\d+)-(\d+)$/;

function parseArgs(argv: string[]): Options | 'list' {
  const options: Options = { domains: [], concurrency: 2, force: false, lines: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--list') return 'list';
    if (arg === '--force') options.force = true;
    else if (arg === '--concurrency') {
      const value = argv[++i] ?? '';
      if (!/^[1-9]\d*$/.test(value)) throw new Error(`--concurrency must be a whole number of at least 1, got "${value}"`);
      options.concurrency = Number(value);
    } else if (arg === '--lines') {
      const ranges = (argv[++i] ?? '').split(',');
      for (const range of ranges) {
        const match = LINE_RANGE.exec(range);
        if (!match || Number(match[2]) > Number(match[3])) throw new Error(`--lines takes file.ts:from-to ranges, comma-separated, got "${range}"`);
        if (!existsSync(join(ROOT, match[1]))) throw new Error(`--lines names ${match[1]}, which does not exist`);
      }
      options.lines.push(...ranges);
    } else if (arg.startsWith('-')) throw new Error(`unknown option "${arg}": expected --list, --force, --concurrency <n> or --lines <file.ts:from-to>`);
    else if (!MUTATION_DOMAINS[arg]) throw new Error(`unknown domain "${arg}": expected one of ${Object.keys(MUTATION_DOMAINS).join(', ')}`);
    else options.domains.push(arg);
  }
  if (options.domains.length === 0) throw new Error(`name a domain: ${Object.keys(MUTATION_DOMAINS).join(', ')} (or --list)`);
  return options;
}

/** Where a run's reports go: a run of some lines only has a folder of its own. */
export function reportName(name: string, lines: readonly string[]): string {
  return lines.length > 0 ? `${name}-lines` : name;
}

/** The Stryker configuration of one domain's run (of some of its lines only, with `lines`). */
export function strykerConfig(name: string, domain: MutationDomain, options: { concurrency: number; force: boolean; lines?: readonly string[] }): Record<string, unknown> {
  const lines = options.lines ?? [];
  const out = `reports/mutation/${reportName(name, lines)}`;
  return {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    // Cucumber in Stryker's worker processes (scripts/mutation-runner.ts): a mutant runs only the
    // scenarios that reach it, against a reference started with it on, up to the first failure.
    plugins: [join(__dirname, 'mutation-runner.mjs')],
    testRunner: 'novacron-cucumber',
    coverageAnalysis: 'perTest',
    mutate: lines.length > 0 ? lines : domain.mutate,
    concurrency: options.concurrency,
    // Some lines only: every mutant on them is tested again, and the domain's state is left as it is.
    incremental: lines.length === 0,
    incrementalFile: `mutation/${name}.incremental.json`,
    force: options.force,
    reporters: ['html', 'json', 'progress', 'clear-text'],
    htmlReporter: { fileName: `${out}/index.html` },
    jsonReporter: { fileName: `${out}/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    ignorePatterns: ['reports', 'coverage', 'mutation', '.stryker-tmp'],
    // A feature run takes tens of seconds; a mutant that makes it hang counts as detected (timeout).
    timeoutFactor: 2,
    timeoutMS: 60_000,
    disableTypeChecks: true,
    logLevel: 'info',
    fileLogLevel: 'off',
  };
}

interface MutantRecord {
  id: string;
  mutatorName: string;
  replacement?: string;
  statusReason?: string;
  status: 'Killed' | 'Survived' | 'Timeout' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  location: { start: { line: number; column: number } };
}

export interface MutationSummary {
  domain: string;
  date: string;
  commit: string;
  mutants: number;
  killed: number;
  survived: number;
  timedOut: number;
  noCoverage: number;
  /** Mutants whose run could not run (PostgreSQL did not answer, say): no verdict, left out of the score. */
  errors: number;
  /** (killed + timed out) / (every mutant that ran), in percent. */
  score: number;
  seconds: number;
  survivors: string[];
}

/** Counts a mutation-testing-report-schema JSON report into the figures of docs/MUTATION.md. */
export function summarize(domain: string, report: { files: Record<string, { mutants: MutantRecord[] }> }, meta: { date: string; commit: string; seconds: number }): MutationSummary {
  const entries = Object.entries(report.files).flatMap(([file, { mutants }]) => mutants.map((mutant) => ({ file, mutant })));
  const count = (status: MutantRecord['status']) => entries.filter((e) => e.mutant.status === status).length;
  const killed = count('Killed');
  const timedOut = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const errors = count('CompileError') + count('RuntimeError');
  const ran = killed + timedOut + survived + noCoverage;
  return {
    domain,
    ...meta,
    mutants: entries.length,
    killed,
    survived,
    timedOut,
    noCoverage,
    errors,
    score: ran === 0 ? 0 : Math.round(((killed + timedOut) / ran) * 1000) / 10,
    survivors: entries
      .filter((e) => e.mutant.status === 'Survived')
      .map((e) => `${e.file}:${e.mutant.location.start.line} ${e.mutant.mutatorName}${e.mutant.replacement === undefined ? '' : ` -> ${e.mutant.replacement.split('\n')[0].slice(0, 80)}`}`),
  };
}

/** Keeps the committed incremental state small: each mutant's reason is cut down to its first lines. */
export function compactIncrementalFile(file: string): void {
  if (!existsSync(file)) return;
  const state = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, { mutants?: MutantRecord[] }> };
  for (const entry of Object.values(state.files ?? {})) {
    for (const mutant of entry.mutants ?? []) {
      if (mutant.statusReason === undefined) continue;
      mutant.statusReason = mutant.statusReason.split('\n').slice(0, 3).join('\n').slice(0, 400);
    }
  }
  writeFileSync(file, `${JSON.stringify(state)}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function commitOf(): string {
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 7);
    const ref = join(ROOT, '.git', head.slice(5));
    return existsSync(ref) ? readFileSync(ref, 'utf8').trim().slice(0, 7) : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'list') {
    for (const [name, domain] of Object.entries(MUTATION_DOMAINS)) console.log(`${name.padEnd(13)} ${domain.mutate.join(' ')}\n${''.padEnd(13)} features: ${domain.features.map((f) => relative('features', f)).join(', ')}`);
    return 0;
  }
  let worst = 0;
  for (const name of parsed.domains) {
    const out = join(ROOT, 'reports', 'mutation', reportName(name, parsed.lines));
    mkdirSync(out, { recursive: true });
    mkdirSync(join(ROOT, 'mutation'), { recursive: true });
    const configFile = join(out, 'stryker.config.json');
    writeFileSync(configFile, `${JSON.stringify(strykerConfig(name, MUTATION_DOMAINS[name], parsed), null, 2)}\n`);
    console.log(`mutation testing of ${name}: ${(parsed.lines.length > 0 ? parsed.lines : MUTATION_DOMAINS[name].mutate).join(' ')} against ${MUTATION_DOMAINS[name].features.length} feature file(s)`);
    const started = performance.now();
    const code = await run(process.execPath, [join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', relative(ROOT, configFile)], {
      ...process.env,
      [FEATURES_VARIABLE]: MUTATION_DOMAINS[name].features.join(','),
    });
    const reportFile = join(out, 'mutation.json');
    if (code !== 0 || !existsSync(reportFile)) {
      console.error(`mutation: Stryker stopped (exit code ${code}) before it reported on ${name}; its log is above`);
      worst = Math.max(worst, code || 1);
      continue;
    }
    if (parsed.lines.length === 0) compactIncrementalFile(join(ROOT, 'mutation', `${name}.incremental.json`));
    const summary = summarize(name, JSON.parse(readFileSync(reportFile, 'utf8')) as Parameters<typeof summarize>[1], {
      date: new Date().toISOString().slice(0, 10),
      commit: commitOf(),
      seconds: Math.round((performance.now() - started) / 1000),
    });
    writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `${name}: ${summary.mutants} mutants, ${summary.killed} killed, ${summary.survived} survived, ${summary.timedOut} timed out, ${summary.noCoverage} not run, score ${summary.score}% (${summary.seconds} s)`,
    );
    for (const survivor of summary.survivors) console.log(`  survived: ${survivor}`);
    if (summary.errors > 0) {
      console.error(`mutation: ${summary.errors} mutant(s) of ${name} could not be judged (their runs could not run; see statusReason in ${relative(ROOT, reportFile)}); the score leaves them out`);
      worst = Math.max(worst, 1);
    }
  }
  return worst;
}

if (require.main === module) {
  main()
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`mutation: ${error.message}`);
      process.exit(2);
    });
}
