import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { commandProblems, delimiterProblems, gitlabProblems, jenkinsProblems, pipelineProblems } from '../../scripts/pipelines-check';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const copies: string[] = [];
after(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the repository's pipeline files with `file` changed by `change`, and its problems. */
function problemsWith(file: string, change: (text: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'novacron-pipelines-'));
  copies.push(dir);
  for (const part of ['.github', '.gitlab-ci.yml', 'Jenkinsfile', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  const text = read(file);
  const changed = change(text);
  assert.notEqual(changed, text, `the change to ${file} changed nothing`);
  writeFileSync(join(dir, file), changed);
  return pipelineProblems(dir);
}

describe('the pipeline files', () => {
  it('are valid: GitHub workflows, .gitlab-ci.yml and the Jenkinsfile', () => {
    assert.deepEqual(pipelineProblems(ROOT), []);
  });

  it('a GitHub workflow with a misspelt keyword or a job that needs a missing one is refused by the workflow schema', () => {
    const problems = problemsWith('.github/workflows/ci.yml', (text) => text.replace('    needs: suite\n', '    needs: suites\n').replace('timeout-minutes: 30', 'timeout-minute: 30'));
    assert.ok(problems.some((problem) => /^\.github\/workflows\/ci\.yml: \/jobs\/checks .*Additional property 'timeout-minute' is not allowed/.test(problem)), problems.join('\n'));
    assert.ok(problems.some((problem) => /^\.github\/workflows\/ci\.yml: \/jobs\/pages\/needs Unresolved job: unresolved job suites/.test(problem)), problems.join('\n'));
  });

  it('a GitHub shard matrix that leaves a shard out, or a mutation matrix without a domain, is a problem', () => {
    assert.deepEqual(problemsWith('.github/workflows/suite.yml', (text) => text.replace('shard: [1, 2, 3]', 'shard: [1, 2]')), [
      '.github/workflows/suite.yml: job shard runs shards [1,2] of 3: expected [1,2,3]',
    ]);
    const problems = problemsWith('.github/workflows/nightly.yml', (text) => text.replace('domain: [vms, auth,', 'domain: [auth,'));
    assert.match(problems.join('\n'), /nightly\.yml: job mutation lists the mutation domains .*: expected .*vms/);
  });

  it('a misspelt GitLab keyword, a missing stage, job or template, or shards without parallel are problems', () => {
    assert.deepEqual(gitlabProblems(read('.gitlab-ci.yml').replace('  artifacts:\n    when: always\n    paths: [reports-performance/]', '  artifact:\n    paths: [reports-performance/]')), [
      '.gitlab-ci.yml: /performance must NOT have additional properties (artifact)',
    ]);
    const broken = read('.gitlab-ci.yml').replace('needs: [suite, performance]', 'needs: [suite, perf]').replace('stage: publish', 'stage: deploy').replace('  parallel: 3\n', '').replace('checks:\n  stage: check\n  extends: .services', 'checks:\n  stage: check\n  extends: .service');
    assert.deepEqual(gitlabProblems(broken), [
      '.gitlab-ci.yml: job checks extends .service, which does not exist',
      '.gitlab-ci.yml: job suite runs shards without parallel: <number of shards>',
      '.gitlab-ci.yml: job report needs perf, which is not a job',
      '.gitlab-ci.yml: job pages is in stage deploy: expected one of check, suite, report, publish',
    ]);
    assert.match(gitlabProblems('stages: [a\n')[0]!, /^\.gitlab-ci\.yml: not valid YAML: /);
  });

  it('a Jenkinsfile with an unclosed block, without a publishing step or with a shard left out is a problem', () => {
    const jenkinsfile = read('Jenkinsfile');
    const lastLine = jenkinsfile.trimEnd().split('\n').length;
    // Without the stage's opening brace, the pipeline's closing brace at the end closes nothing.
    assert.deepEqual(jenkinsProblems(jenkinsfile.replace("    stage('Performance') {\n", "    stage('Performance')\n")), [`Jenkinsfile: "}" at line ${lastLine} closes nothing`]);
    assert.deepEqual(jenkinsProblems(jenkinsfile.replace(/\n\s*publishHTML\(.*/g, '')), ['Jenkinsfile: no publishHTML step']);
    const withoutShard2 = jenkinsfile.replace(/\n\s*stage\('Shard 2 of 3'\) \{[^}]*\}\n\s*\}/, '');
    assert.deepEqual(jenkinsProblems(withoutShard2), ['Jenkinsfile: runs shards 1, 3 of 3: expected 1, 2, 3, each once']);
    assert.deepEqual(commandProblems('Jenkinsfile', withoutShard2.replace('reports-shard-3 reports-performance', 'reports-performance'), ['cucumber', 'report', 'docs', 'typecheck', 'lint', 'steps:check', 'pipelines:check', 'test:unit']), [
      'Jenkinsfile: the reports of reports-shard-3 are not merged (npm run report -- --merge reports-shard-1 reports-shard-2 reports-performance)',
    ]);
  });

  it('reads brackets inside strings and comments as text', () => {
    assert.deepEqual(delimiterProblems("a { b('}') // }\n /* { */ c(\"(\") }"), []);
    assert.deepEqual(delimiterProblems("a { b('x) }"), ['a string opened at line 1 is never closed']);
    assert.deepEqual(delimiterProblems('a {\n b(\n'), ['"{" opened at line 1 is never closed', '"(" opened at line 2 is never closed']);
  });

  it('in any CI system: an npm script that does not exist, shards with the performance scenarios, or shards never merged', () => {
    assert.deepEqual(commandProblems('x.yml', 'run: npm run tset:unit', ['test:unit']), ['x.yml: runs "npm run tset:unit", which package.json does not have']);
    assert.deepEqual(commandProblems('x.yml', 'run: npm run cucumber -- --shard 1/2\nrun: npm run cucumber -- --shard 2/2', ['cucumber']), [
      'x.yml: "run: npm run cucumber -- --shard 1/2" shards the suite with its performance scenarios: expected --tags "not @performance" (they run in a job of their own)',
      'x.yml: "run: npm run cucumber -- --shard 2/2" shards the suite with its performance scenarios: expected --tags "not @performance" (they run in a job of their own)',
      'x.yml: shards the suite but never runs the performance scenarios (--tags @performance)',
      'x.yml: shards the suite but never merges the shards into one report (npm run report -- --merge)',
      'x.yml: runs the suite without installing the Python packages its MLE-Star scenarios run generated projects with (bash .ci/install-python-packages)',
    ]);
  });
});
