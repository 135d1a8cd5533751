// `npm run pipelines:check`: the CI pipeline files, checked offline. GitHub workflows against GitHub's
// workflow schema (@action-validator/cli, which also resolves the jobs' needs); .gitlab-ci.yml against
// .ci/gitlab-ci.schema.json (the keywords it may use) and for its jobs' stages, needs and extends;
// the Jenkinsfile for its structure. In all three: every npm script they run exists, the suite is
// sharded without the performance scenarios (which run in a job of their own), every shard is run
// and merged into one report, and the mutation jobs cover every domain of scripts/mutation.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { MUTATION_DOMAINS } from './mutation';

const ROOT = join(__dirname, '..');
const WORKFLOWS = '.github/workflows';
const GITLAB = '.gitlab-ci.yml';
const JENKINS = 'Jenkinsfile';
const ACTION_VALIDATOR = join(ROOT, 'node_modules', '.bin', 'action-validator');
const MUTATION_DOMAIN_NAMES = Object.keys(MUTATION_DOMAINS).sort();

/** Checks any pipeline file makes of its commands, whatever its CI system. */
export function commandProblems(file: string, text: string, scripts: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [, name] of text.matchAll(/npm run ([\w:-]+)/g)) {
    if (!scripts.includes(name!)) problems.push(`${file}: runs "npm run ${name}", which package.json does not have`);
  }
  const sharded = text.split('\n').filter((line) => line.includes('--shard'));
  for (const line of sharded) {
    if (!line.includes('not @performance')) problems.push(`${file}: "${line.trim()}" shards the suite with its performance scenarios: expected --tags "not @performance" (they run in a job of their own)`);
  }
  if (sharded.length > 0) {
    if (!/--tags @performance/.test(text)) problems.push(`${file}: shards the suite but never runs the performance scenarios (--tags @performance)`);
    if (!text.includes('npm run report -- --merge')) problems.push(`${file}: shards the suite but never merges the shards into one report (npm run report -- --merge)`);
    if (!text.includes('.ci/install-python-packages')) problems.push(`${file}: runs the suite without installing the Python packages its MLE-Star scenarios run generated projects with (bash .ci/install-python-packages)`);
  }
  problems.push(...mergedFolderProblems(file, text));
  return problems;
}

/** The reports folders of the shard and performance runs (CI_NODE_INDEX as `*`) must all be merged. */
function mergedFolderProblems(file: string, text: string): string[] {
  const folders = [...text.matchAll(/NOVACRON_REPORTS_DIR=(\S+) npm run cucumber -- [^\n]*(?:--shard|--tags @performance)/g)].map(([, folder]) => folder!.replace(/\$CI_NODE_INDEX/g, '*'));
  if (folders.length === 0) return [];
  const merged = text.match(/npm run report -- --merge ([^\n'"]+)/)?.[1]?.trim().split(/\s+/) ?? [];
  return [...new Set(folders)].filter((folder) => !merged.includes(folder)).map((folder) => `${file}: the reports of ${folder} are not merged (npm run report -- --merge ${merged.join(' ')})`);
}

function sameDomains(file: string, where: string, domains: unknown): string[] {
  const listed = Array.isArray(domains) ? domains.map(String).sort() : [];
  return listed.join(',') === MUTATION_DOMAIN_NAMES.join(',') ? [] : [`${file}: ${where} lists the mutation domains ${listed.join(', ') || 'none'}: expected ${MUTATION_DOMAIN_NAMES.join(', ')} (scripts/mutation.ts)`];
}

interface WorkflowJob {
  strategy?: { matrix?: Record<string, unknown> };
  steps?: { run?: string }[];
}

/** A GitHub workflow's own checks, beyond its schema: the shard and mutation matrices. */
export function githubWorkflowProblems(file: string, text: string): string[] {
  const workflow = parse(text) as { jobs?: Record<string, WorkflowJob> };
  const problems: string[] = [];
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    const runs = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
    const shards = runs.match(/--shard \$\{\{ matrix\.shard \}\}\/(\d+)/);
    if (shards) {
      const expected = Array.from({ length: Number(shards[1]) }, (_, index) => index + 1);
      const listed = job.strategy?.matrix?.shard;
      if (JSON.stringify(listed) !== JSON.stringify(expected)) problems.push(`${file}: job ${name} runs shards ${JSON.stringify(listed)} of ${shards[1]}: expected ${JSON.stringify(expected)}`);
    }
    if (/npm run mutation -- \$\{\{ matrix\.domain \}\}/.test(runs)) problems.push(...sameDomains(file, `job ${name}`, job.strategy?.matrix?.domain));
  }
  return problems;
}

/** What @action-validator/cli finds wrong with a GitHub workflow (its schema, its jobs' needs), one line each. */
export function actionValidatorProblems(path: string, file: string): string[] {
  const run = spawnSync(ACTION_VALIDATOR, [path], { encoding: 'utf8' });
  if (run.status === 0) return [];
  try {
    const { errors } = JSON.parse(run.stderr || run.stdout) as { errors: { path: string; title: string; detail?: string; states?: { errors: { detail?: string; title: string }[] }[] }[] };
    return errors.map((error) => {
      const details = [error.detail, ...(error.states ?? []).flatMap((state) => state.errors.map((inner) => inner.detail ?? inner.title))].filter(Boolean);
      return `${file}: ${error.path || '/'} ${error.title}${details.length ? `: ${[...new Set(details)].join('; ')}` : ''}`;
    });
  } catch {
    return [`${file}: action-validator failed: ${`${run.stdout}${run.stderr}`.trim() || `exit status ${run.status}`}`];
  }
}

interface GitlabJob {
  stage?: string;
  extends?: string | string[];
  needs?: string[];
  script?: string[];
  parallel?: number | { matrix: Record<string, unknown>[] };
}

const GITLAB_GLOBAL_KEYS = ['workflow', 'variables', 'default', 'stages'];

/** .gitlab-ci.yml against the schema of the keywords it may use, and its jobs' references to each other. */
export function gitlabProblems(text: string): string[] {
  let pipeline: Record<string, unknown>;
  try {
    pipeline = parse(text) as Record<string, unknown>;
  } catch (error) {
    return [`${GITLAB}: not valid YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const schema = JSON.parse(readFileSync(join(ROOT, '.ci', 'gitlab-ci.schema.json'), 'utf8')) as object;
  if (!ajv.validate(schema, pipeline)) {
    return (ajv.errors ?? [])
      .filter((error) => error.keyword !== 'oneOf')
      .map((error) => `${GITLAB}: ${error.instancePath || '/'} ${error.message}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})` : ''}`);
  }
  const stages = (pipeline.stages as string[] | undefined) ?? ['build', 'test', 'deploy'];
  const jobs = Object.entries(pipeline).filter(([name]) => !GITLAB_GLOBAL_KEYS.includes(name)) as [string, GitlabJob][];
  const byName = new Map(jobs);
  const problems: string[] = [];
  const extended = (job: GitlabJob): GitlabJob[] => [job, ...[job.extends ?? []].flat().flatMap((name) => (byName.has(name) ? extended(byName.get(name)!) : []))];
  for (const [name, job] of jobs) {
    for (const template of [job.extends ?? []].flat()) if (!byName.has(template)) problems.push(`${GITLAB}: job ${name} extends ${template}, which does not exist`);
    if (name.startsWith('.')) continue;
    const stage = job.stage ?? 'test';
    if (!stages.includes(stage)) problems.push(`${GITLAB}: job ${name} is in stage ${stage}: expected one of ${stages.join(', ')}`);
    for (const needed of job.needs ?? []) if (!byName.has(needed) || needed.startsWith('.')) problems.push(`${GITLAB}: job ${name} needs ${needed}, which is not a job`);
    const script = extended(job).find((part) => part.script)?.script;
    if (!script) problems.push(`${GITLAB}: job ${name} has no script`);
    const commands = (script ?? []).join('\n');
    if (commands.includes('--shard') && !commands.includes('--shard $CI_NODE_INDEX/$CI_NODE_TOTAL')) problems.push(`${GITLAB}: job ${name} shards the suite: expected --shard $CI_NODE_INDEX/$CI_NODE_TOTAL`);
    if (commands.includes('$CI_NODE_INDEX') && typeof job.parallel !== 'number') problems.push(`${GITLAB}: job ${name} runs shards without parallel: <number of shards>`);
    if (commands.includes('npm run mutation -- $DOMAIN')) {
      const matrix = typeof job.parallel === 'object' ? job.parallel.matrix : [];
      problems.push(...sameDomains(GITLAB, `job ${name}`, matrix.flatMap((entry) => [entry.DOMAIN ?? []].flat())));
    }
  }
  return problems;
}

/** The Jenkinsfile's structure: balanced blocks, the declarative sections, the publishing steps, every shard. */
export function jenkinsProblems(text: string): string[] {
  const problems = delimiterProblems(text).map((problem) => `${JENKINS}: ${problem}`);
  for (const [section, pattern] of [
    ['pipeline', /^pipeline\s*\{/m],
    ['agent', /^\s*agent\s/m],
    ['stages', /^\s*stages\s*\{/m],
    ['post', /^\s*post\s*\{/m],
  ] as const) {
    if (!pattern.test(text)) problems.push(`${JENKINS}: no ${section} section`);
  }
  for (const step of ['junit', 'cucumber', 'publishHTML', 'archiveArtifacts']) {
    if (!new RegExp(`^\\s*${step}[\\s(]`, 'm').test(text)) problems.push(`${JENKINS}: no ${step} step`);
  }
  const shards = [...text.matchAll(/--shard (\d+)\/(\d+)/g)].map(([, index, total]) => ({ index: Number(index), total: Number(total) }));
  const totals = [...new Set(shards.map((shard) => shard.total))];
  if (totals.length > 1) problems.push(`${JENKINS}: shards of different totals (${totals.join(', ')}): expected one`);
  const indexes = shards.map((shard) => shard.index).sort((a, b) => a - b);
  const expected = Array.from({ length: totals[0] ?? 0 }, (_, index) => index + 1);
  if (JSON.stringify(indexes) !== JSON.stringify(expected)) problems.push(`${JENKINS}: runs shards ${indexes.join(', ')} of ${totals[0]}: expected ${expected.join(', ')}, each once`);
  return problems;
}

/** Unbalanced {}, () or [] outside strings and comments, with the line where they open or close. */
export function delimiterProblems(text: string): string[] {
  const pairs: Record<string, string> = { '}': '{', ')': '(', ']': '[' };
  const open: { char: string; line: number }[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\n') line++;
    else if (text.startsWith('//', i)) i = text.indexOf('\n', i) - 1;
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return [`a comment opened at line ${line} is never closed`];
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (char === "'" || char === '"') {
      const quote = text.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      let end = i + quote.length;
      while (end < text.length && !text.startsWith(quote, end)) end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return [`a string opened at line ${line} is never closed`];
      line += text.slice(i, end).split('\n').length - 1;
      i = end + quote.length - 1;
    } else if ('{(['.includes(char)) open.push({ char, line });
    else if (pairs[char]) {
      const last = open.pop();
      if (!last || last.char !== pairs[char]) return [`"${char}" at line ${line} closes ${last ? `the "${last.char}" of line ${last.line}` : 'nothing'}`];
    }
    if (i < 0) break;
  }
  return open.map((unclosed) => `"${unclosed.char}" opened at line ${unclosed.line} is never closed`);
}

/** Every problem of the pipeline files under `root`; a missing file is one too. */
export function pipelineProblems(root: string): string[] {
  const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  const problems: string[] = [];
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const workflows = existsSync(join(root, WORKFLOWS)) ? readdirSync(join(root, WORKFLOWS)).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
  if (workflows.length === 0) problems.push(`${WORKFLOWS}: no workflow`);
  for (const name of workflows) {
    const file = `${WORKFLOWS}/${name}`;
    const schemaProblems = actionValidatorProblems(join(root, file), file);
    problems.push(...schemaProblems, ...commandProblems(file, read(file), scripts));
    if (schemaProblems.length === 0) problems.push(...githubWorkflowProblems(file, read(file)));
  }
  for (const [file, check] of [
    [GITLAB, gitlabProblems],
    [JENKINS, jenkinsProblems],
  ] as const) {
    if (!existsSync(join(root, file))) {
      problems.push(`${file}: missing`);
      continue;
    }
    problems.push(...check(read(file)), ...commandProblems(file, read(file), scripts));
  }
  return problems;
}

if (require.main === module) {
  const problems = pipelineProblems(ROOT);
  for (const problem of problems) console.error(problem);
  console.log(problems.length ? `${problems.length} problem(s) in the pipeline files` : `the pipeline files are valid: ${WORKFLOWS}/*.yml, ${GITLAB}, ${JENKINS}`);
  process.exit(problems.length ? 1 : 0);
}
