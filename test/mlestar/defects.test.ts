import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfig, coerceInput, faultyRunners } from '../../reference/mlestar/defects';
import { MLESTAR_FAULTS, MLESTAR_SCENARIOS } from '../../reference/mlestar/faults';
import { notebookProblems } from '../../reference/mlestar/nbformat';
import type { GeneratedFile } from '../../reference/mlestar/templates/project';
import { projectOf, run } from './helpers';

const flagsFor = (...names: string[]) => MLESTAR_FAULTS.on({ has: (name: string) => names.includes(name) });

describe('the MLE-Star fault catalog', () => {
  it('documents every fault the reference knows, each with scenarios', () => {
    assert.deepEqual(MLESTAR_FAULTS.catalog.map((f) => f.name).sort(), Object.values(MLESTAR_FAULTS.names).sort());
    for (const fault of MLESTAR_FAULTS.catalog) assert.ok(fault.scenarios.length > 0 && fault.description.length > 20, fault.name);
  });

  it('names only scenarios that exist, and every MLE-Star scenario is caught by some fault', () => {
    const dir = join(__dirname, '..', '..', 'features', 'mle-star');
    const text = readdirSync(dir).filter((f) => f.endsWith('.feature')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const titles = new Set([...text.matchAll(/^\s*Scenario(?: Outline)?: (.+?)\s*$/gm)].map((m) => m[1]));
    assert.deepEqual([...titles].sort(), Object.values(MLESTAR_SCENARIOS).sort(), 'the title constants and the features disagree');
    const caught = new Set(MLESTAR_FAULTS.catalog.flatMap((f) => f.scenarios));
    assert.deepEqual([...titles].filter((t) => !caught.has(t)), [], 'scenarios no fault can make fail');
  });

  it('switches nothing on without faults', () => {
    assert.deepEqual(faultyRunners(flagsFor()), {});
    assert.equal(checkConfig({ name: 'x', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 2 } }, flagsFor()).ok, false);
  });
});

describe('each fault is a real defect', () => {
  it('targets unchecked: an impossible target is accepted', () => {
    const result = checkConfig({ name: 'x', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 2 } }, flagsFor(MLESTAR_FAULTS.names.targetsUnchecked));
    assert.ok(result.ok);
    assert.deepEqual(result.config.metric_targets, { accuracy: 2 });
  });

  it('metrics not computed: the targets are reported as the metrics', async () => {
    const project = projectOf({ data_source: { noise: 3 } });
    await run(project, {}, { runners: faultyRunners(flagsFor(MLESTAR_FAULTS.names.metricsNotComputed)) });
    assert.equal(project.workflow.status, 'completed');
    assert.deepEqual((project.outputs.evaluation as { metrics: Record<string, number> }).metrics.accuracy, 0.8);
  });

  it('notebook invalid and split not stratified: the generated files are broken after the stage checked them', async () => {
    const project = projectOf();
    await run(project, { to: 'implementation' }, { runners: faultyRunners(flagsFor(MLESTAR_FAULTS.names.notebookInvalid, MLESTAR_FAULTS.names.splitNotStratified)) });
    const files = project.artifacts.files as GeneratedFile[];
    const eda = files.find((f) => f.path === 'notebooks/eda.ipynb') as GeneratedFile;
    assert.ok(notebookProblems(JSON.parse(eda.content)).some((p) => /has no "outputs"/.test(p)));
    assert.doesNotMatch((files.find((f) => f.path === 'pipeline.py') as GeneratedFile).content, /stratify=target/);
  });

  it('generated training skips updates and notebook paths from the working folder: the files break only where they run', async () => {
    const project = projectOf({ framework: 'pytorch' });
    await run(project, { to: 'implementation' }, { runners: faultyRunners(flagsFor(MLESTAR_FAULTS.names.generatedTrainingSkipsUpdates, MLESTAR_FAULTS.names.notebookPathsFromCwd)) });
    const files = project.artifacts.files as GeneratedFile[];
    const train = (files.find((f) => f.path === 'train.py') as GeneratedFile).content;
    assert.match(train, /loss\.backward\(\)/);
    assert.doesNotMatch(train, /optimizer\.step\(\)/);
    const training = JSON.parse((files.find((f) => f.path === 'notebooks/training.ipynb') as GeneratedFile).content) as { cells: { source: string[] }[] };
    const setup = training.cells.flatMap((cell) => cell.source).filter((line) => line.startsWith('PROJECT_DIR = '));
    assert.deepEqual(setup, ['PROJECT_DIR = Path.cwd()\n']);
    assert.deepEqual(notebookProblems(training), []);
  });

  it('accepts malformed input: short rows are padded and words read as 0', () => {
    assert.deepEqual(coerceInput({ instances: [[1, 'x']] }, 3, flagsFor(MLESTAR_FAULTS.names.acceptsMalformedInput)), { instances: [[1, 0, 0]] });
    assert.deepEqual(coerceInput({ instances: [[1]] }, 3, flagsFor()), { instances: [[1]] });
  });

  it('design ignores customisation: the default network is built', async () => {
    const project = projectOf({ framework: 'pytorch', architecture: { hidden_layers: [64, 32] } });
    await run(project, { to: 'design' }, { runners: faultyRunners(flagsFor(MLESTAR_FAULTS.names.designIgnoresCustomisation)) });
    assert.deepEqual(project.artifacts.design?.layers.map((l) => l.units), [16, 3]);
  });
});
