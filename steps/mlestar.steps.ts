import assert from 'node:assert/strict';
import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import * as ml from '../support/tasks/mlestar';
import * as generated from '../support/tasks/mlestar-files';
import * as execution from '../support/tasks/mlestar-execution';
import * as relations from '../support/tasks/mlestar-relations';
import * as serving from '../support/tasks/mlestar-serving';
import type { DriftStatistic, Environment, Framework, MetricName, MetricTarget, ProjectType, Stage } from '../support/tasks/mlestar';
import type { NovaWorld } from '../support/world';

defineParameterType({ name: 'ml framework', regexp: /pytorch|tensorflow|sklearn/, transformer: (f: string) => f });
defineParameterType({ name: 'ml project type', regexp: /classification|regression|clustering|time series/, transformer: (t: string) => t.replace(' ', '_') });
defineParameterType({ name: 'ml stage', regexp: /specification|design|implementation|evaluation|deployment|monitoring|maintenance/, transformer: (s: string) => s });
defineParameterType({
  name: 'ml stages',
  regexp: /(?:specification|design|implementation|evaluation|deployment|monitoring|maintenance)(?:(?:, | and )(?:specification|design|implementation|evaluation|deployment|monitoring|maintenance))*/,
  transformer: (list: string) => list.split(/, | and /),
});
defineParameterType({ name: 'ml environment', regexp: /staging|production/, transformer: (e: string) => e });
defineParameterType({
  name: 'metric target',
  regexp: /an? (?:accuracy|F1 score|R squared|RMSE|silhouette|MAPE) of at (?:least|most) \d+(?:\.\d+)?/,
  transformer: (phrase: string) => ml.metricTarget(phrase),
});
defineParameterType({ name: 'ml metrics', regexp: /(?:accuracy|f1|rmse|r2|silhouette|mape)(?: and (?:accuracy|f1|rmse|r2|silhouette|mape))?/, transformer: (list: string) => ml.metricList(list) });
defineParameterType({ name: 'drift statistic', regexp: /PSI|KS/, transformer: (s: string) => s.toLowerCase() });
defineParameterType({ name: 'file list', regexp: /[\w.-]+\.\w+(?:, [\w.-]+\.\w+)*(?: and [\w.-]+\.\w+)?/, transformer: (list: string) => list.split(/, | and /) });
defineParameterType({ name: 'unit list', regexp: /\d+(?:, \d+)*(?: and \d+)?/, transformer: (list: string) => list.split(/, | and /).map(Number) });
defineParameterType({ name: 'ml setting', regexp: new RegExp(Object.keys(ml.SETTINGS).join('|')), transformer: (s: string) => s });
defineParameterType({
  name: 'ml settings',
  regexp: new RegExp(`(?:${Object.keys(ml.SETTINGS).join('|')})(?:(?:, | and )(?:${Object.keys(ml.SETTINGS).join('|')}))*`),
  transformer: (list: string) => list.split(/, | and /),
});
defineParameterType({ name: 'retraining schedule', regexp: new RegExp(Object.keys(ml.SCHEDULES).join('|')), transformer: (s: string) => s });
defineParameterType({ name: 'failure reason', regexp: new RegExp(Object.keys(ml.REASONS).join('|')), transformer: (s: string) => s });
defineParameterType({ name: 'code shape', regexp: new RegExp(Object.keys(generated.CODE_SHAPES).join('|')), transformer: (s: string) => s });

// ---------------------------------------------------------------- projects and their settings

Given('a {ml framework} {ml project type} project {string} aiming for {metric target}', async function (this: NovaWorld, framework: Framework, type: ProjectType, alias: string, target: MetricTarget) {
  await ml.createProject(this, alias, framework, type, [target]);
});

Given(
  'a {ml framework} {ml project type} project {string} aiming for {metric target} and {metric target}',
  async function (this: NovaWorld, framework: Framework, type: ProjectType, alias: string, first: MetricTarget, second: MetricTarget) {
    await ml.createProject(this, alias, framework, type, [first, second]);
  },
);

Given('a deployed {ml framework} {ml project type} project {string}', async function (this: NovaWorld, framework: Framework, type: ProjectType, alias: string) {
  await ml.deployedProject(this, alias, framework, type);
});

Given(
  'a deployed {ml framework} {ml project type} project {string} watching for drift by {drift statistic}',
  async function (this: NovaWorld, framework: Framework, type: ProjectType, alias: string, statistic: DriftStatistic) {
    await ml.deployedProject(this, alias, framework, type, statistic);
  },
);

Given('its data is {int} times as noisy as usual', async function (this: NovaWorld, noise: number) {
  await ml.changeProject(this, { data_source: { noise } });
});

Given('its data source yields only {int} samples', async function (this: NovaWorld, samples: number) {
  await ml.changeProject(this, { data_source: { samples } });
});

Given('it trains for only {int} epoch(s) at a learning rate of {float}', async function (this: NovaWorld, epochs: number, rate: number) {
  await ml.changeProject(this, { architecture: { epochs, learning_rate: rate } });
});

When('its training is changed to {int} epochs at a learning rate of {float}', async function (this: NovaWorld, epochs: number, rate: number) {
  await ml.changeProject(this, { architecture: { epochs, learning_rate: rate } });
});

Given('its network is customised to hidden layers of {unit list} units with {word} activation', async function (this: NovaWorld, units: number[], activation: string) {
  await ml.changeProject(this, { architecture: { hidden_layers: units, activation } });
});

Given('its network is customised to hidden layers of {unit list} units', async function (this: NovaWorld, units: number[]) {
  await ml.changeProject(this, { architecture: { hidden_layers: units } });
});

Given('it trains for {int} epochs on {int} samples', async function (this: NovaWorld, epochs: number, samples: number) {
  await ml.changeProject(this, { architecture: { epochs }, data_source: { samples } });
});

Given('its pipeline scales features to the range 0 to 1', async function (this: NovaWorld) {
  await ml.changeProject(this, { pipeline: { scaler: 'minmax' } });
});

Given('its pipeline does not scale features', async function (this: NovaWorld) {
  await ml.changeProject(this, { pipeline: { scaler: 'none' } });
});

Given('its estimator is customised to {int} nearest neighbours', async function (this: NovaWorld, k: number) {
  await ml.changeProject(this, { architecture: { estimator: 'k_neighbors', n_neighbors: k } });
});

Given('it is retrained {retraining schedule}', async function (this: NovaWorld, schedule: string) {
  await ml.changeProject(this, { maintenance: { retraining_schedule: ml.SCHEDULES[schedule].cron } });
});

Given('it reports drift at a population stability index above {float}', async function (this: NovaWorld, threshold: number) {
  await ml.changeProject(this, { maintenance: { drift_statistic: 'psi', drift_threshold: threshold } });
});

Given('its MLE-Star workflow has stopped at the {ml stage} stage', async function (this: NovaWorld, stage: Stage) {
  await ml.stoppedAt(this, stage);
});

When('I create a project whose {ml setting} is {string}', async function (this: NovaWorld, setting: string, value: string) {
  await ml.submitWithSetting(this, setting, value);
});

When('I create a project with nothing but a description', async function (this: NovaWorld) {
  await ml.submitConfiguration(this, { description: `NovaCron Spec scenario ${this.runId}` });
});

Then('the project is refused as invalid, naming the {ml settings}', function (this: NovaWorld, settings: string[]) {
  ml.expectRefusedNaming(this, settings);
});

Then('no project was created', async function (this: NovaWorld) {
  await ml.expectNothingCreated(this);
});

// ---------------------------------------------------------------- running the workflow

When('I run its MLE-Star workflow', async function (this: NovaWorld) {
  await ml.startRun(this);
});

When('I run its workflow up to the {ml stage} stage', async function (this: NovaWorld, stage: Stage) {
  await ml.runUpTo(this, stage);
});

When('I run its {ml stage} stage', async function (this: NovaWorld, stage: Stage) {
  await ml.runStage(this, stage);
});

When('I try to run its {ml stage} stage', async function (this: NovaWorld, stage: Stage) {
  await ml.tryRunStage(this, stage);
});

When('I resume its workflow from the {ml stage} stage', async function (this: NovaWorld, stage: Stage) {
  await ml.startRun(this, { from: stage });
});

Then('the workflow completes within {int} seconds', async function (this: NovaWorld, seconds: number) {
  await ml.expectCompleted(this, seconds);
});

Then('the workflow stops at the {ml stage} stage within {int} seconds', async function (this: NovaWorld, stage: Stage, seconds: number) {
  await ml.expectStoppedAt(this, stage, seconds);
});

Then('the reason given is that {failure reason}', function (this: NovaWorld, reason: string) {
  ml.expectReason(ml.currentProject(this), reason);
});

Then('the {ml stage} stage succeeds within {int} seconds', async function (this: NovaWorld, stage: Stage, seconds: number) {
  await ml.waitForStage(this, stage, seconds);
});

Then('every stage ran once, in order', function (this: NovaWorld) {
  ml.stagesInOrder(ml.currentProject(this));
});

Then('the event stream announced each stage starting and completing, in order', async function (this: NovaWorld) {
  await ml.expectAnnouncedInOrder(this);
});

Then('the request is refused because {ml stage} has not succeeded yet', function (this: NovaWorld, stage: Stage) {
  assert.match(ml.expectStageOrderRefusal(this), new RegExp(`before ${stage} has succeeded`), `the refusal does not say that ${stage} must succeed first`);
});

Then('no stage of the project has run', async function (this: NovaWorld) {
  ml.expectNotRun(await ml.fetchProject(this), [...ml.STAGES]);
});

Then('{ml stages} have not run', async function (this: NovaWorld, stages: Stage[]) {
  ml.expectNotRun(await ml.fetchProject(this), stages);
});

Then('{ml stages} ran once, and {ml stages} ran twice', async function (this: NovaWorld, once: Stage[], twice: Stage[]) {
  ml.expectAttempts(await ml.fetchProject(this), Object.fromEntries([...once.map((s) => [s, 1]), ...twice.map((s) => [s, 2])]));
});

// ---------------------------------------------------------------- what the stages produced

Then(
  'the specification checked the configuration, the metric targets, the data source and the held-out split, and all passed',
  async function (this: NovaWorld) {
    await ml.expectSpecificationChecks(this);
  },
);

Then('the data profile shows {int} samples of {int} features in {int} classes of {int}', async function (this: NovaWorld, samples: number, features: number, classes: number, each: number) {
  await ml.expectDataProfile(this, samples, features, classes, each);
});

Then('the design is {string}, trained with {string} and measured by {ml metrics}', async function (this: NovaWorld, architecture: string, loss: string, metrics: MetricName[]) {
  await ml.expectDesign(this, architecture, loss, metrics);
});

Then('the design is a feed-forward network {word} with {word} activation', async function (this: NovaWorld, shape: string, activation: string) {
  await ml.expectNetwork(this, shape, activation);
});

Then('the project contains {file list}', async function (this: NovaWorld, files: string[]) {
  const present = await generated.fileList(this);
  assert.deepEqual(files.filter((f) => !present.includes(f)), [], `files missing from the generated project (it has ${present.join(', ')})`);
});

Then('it contains the notebooks eda, training and evaluation', async function (this: NovaWorld) {
  const present = await generated.fileList(this);
  assert.deepEqual(generated.NOTEBOOKS.map((k) => `notebooks/${k}.ipynb`).filter((f) => !present.includes(f)), [], 'notebooks missing from the generated project');
});

Then('its requirements name {word}', async function (this: NovaWorld, pythonPackage: string) {
  await generated.expectRequirementsName(this, pythonPackage);
});

Then('every generated Python file compiles', async function (this: NovaWorld) {
  generated.expectCompiles(await generated.generatedPython(this));
});

// ---------------------------------------------------------------- the generated project, run

When('I run the generated training and evaluation programs with {ml framework}', async function (this: NovaWorld, framework: Framework) {
  return execution.runGeneratedProject(this, framework);
});

Then('the generated project reached {metric target} on data the model never saw, by its own run', function (this: NovaWorld, target: MetricTarget) {
  execution.expectExecutedReached(this, target);
});

Then("the metrics of the generated project agree with the workflow's evaluation", async function (this: NovaWorld) {
  await execution.expectAgreesWithWorkflow(this);
});

When('I run its notebooks eda, training and evaluation in turn, as Jupyter runs them', async function (this: NovaWorld) {
  return execution.runNotebooks(this);
});

Then('every code cell of every notebook ran in order without an error', function (this: NovaWorld) {
  execution.expectNotebooksRanCleanly(this);
});

Then('the executed notebooks are valid nbformat 4 notebooks', function (this: NovaWorld) {
  execution.expectExecutedNotebooksValid(this);
});

Then('each notebook shows its tables and figures', function (this: NovaWorld) {
  execution.expectTablesAndFigures(this);
});

Then('the evaluation notebook shows every metric target met', function (this: NovaWorld) {
  execution.expectNotebookTargetsMet(this);
});

Then('the metrics were measured on {int} held-out samples the model was not trained on', async function (this: NovaWorld, count: number) {
  await ml.expectHeldOut(this, count);
});

Then('recomputing the metrics from the held-out predictions gives the reported values', async function (this: NovaWorld) {
  ml.expectMetricsRecomputed(ml.currentProject(this).type, await ml.evaluation(this));
});

Then('the evaluation reached {metric target} on data the model never saw', async function (this: NovaWorld, target: MetricTarget) {
  ml.reached(await ml.evaluation(this), target);
});

Then('a retraining schedule is set', async function (this: NovaWorld) {
  await ml.expectRetrainingScheduled(this);
});

Then('the next retraining runs are {retraining schedule}', async function (this: NovaWorld, schedule: string) {
  await ml.expectRetrainingScheduled(this, schedule);
});

// ---------------------------------------------------------------- deployed models

Then('the model answers predictions in staging and production', async function (this: NovaWorld) {
  for (const environment of ['staging', 'production'] as const) {
    await serving.askAboutHoldout(this, environment);
    await serving.expectAnswersMatchEvaluation(this);
  }
});

Then('the production model answers the held-out samples as the evaluation predicted', async function (this: NovaWorld) {
  await serving.askAboutHoldout(this, 'production');
  await serving.expectAnswersMatchEvaluation(this);
});

When('the {ml environment} model is asked about the held-out samples of its evaluation', async function (this: NovaWorld, environment: Environment) {
  await serving.askAboutHoldout(this, environment);
});

Then("its answers match the evaluation's predictions", async function (this: NovaWorld) {
  await serving.expectAnswersMatchEvaluation(this);
});

When('I send the {ml environment} model a sample with one value missing', async function (this: NovaWorld, environment: Environment) {
  await serving.sendMalformed(this, environment, 'missing value');
});

When('I send the {ml environment} model a sample with a word where a number belongs', async function (this: NovaWorld, environment: Environment) {
  await serving.sendMalformed(this, environment, 'word');
});

Then('the prediction is refused as malformed, naming the first sample', function (this: NovaWorld) {
  serving.expectMalformedRefusal(this);
});

Then('the project has no deployed model', async function (this: NovaWorld) {
  await serving.expectNoDeployment(this);
});

// ---------------------------------------------------------------- monitoring

When(
  'the {ml environment} model receives {int} valid requests of {int} samples each and {int} malformed request(s)',
  async function (this: NovaWorld, environment: Environment, valid: number, each: number, malformed: number) {
    await serving.sendTraffic(this, environment, valid, malformed, each);
  },
);

When('the {ml environment} model receives {int} valid requests and {int} malformed request(s)', async function (this: NovaWorld, environment: Environment, valid: number, malformed: number) {
  await serving.sendTraffic(this, environment, valid, malformed);
});

When('the {ml environment} model receives {int} more malformed request(s)', async function (this: NovaWorld, environment: Environment, malformed: number) {
  await serving.sendTraffic(this, environment, 0, malformed);
});

Then(
  '{ml environment} monitoring shows {int} requests, {int} predictions and {int} error(s)',
  async function (this: NovaWorld, environment: Environment, requests: number, predictions: number, errors: number) {
    const figures = await serving.monitoring(this, environment);
    assert.deepEqual({ requests: figures.requests, predictions: figures.predictions, errors: figures.errors }, { requests, predictions, errors }, `${environment} monitoring counts`);
  },
);

Then('{ml environment} monitoring has recorded its latency', async function (this: NovaWorld, environment: Environment) {
  await serving.expectLatencyRecorded(this, environment);
});

Then('{ml environment} monitoring shows an error rate below {float} and no alert', async function (this: NovaWorld, environment: Environment, rate: number) {
  const figures = await serving.monitoring(this, environment);
  assert.ok(figures.error_rate < rate, `the ${environment} error rate is ${figures.error_rate}, not below ${rate}`);
  assert.deepEqual(figures.alerts.filter((a) => a.status === 'firing'), [], `an alert fired in ${environment}`);
});

Then(
  '{ml environment} monitoring shows an error rate of at least {float} and a firing error rate alert',
  async function (this: NovaWorld, environment: Environment, rate: number) {
    const figures = await serving.monitoring(this, environment);
    assert.ok(figures.error_rate >= rate, `the ${environment} error rate is ${figures.error_rate}, below ${rate}`);
    assert.ok(figures.alerts.some((a) => a.rule === 'error_rate' && a.status === 'firing'), `no error rate alert is firing in ${environment}: ${JSON.stringify(figures.alerts)}`);
  },
);

Then('the event stream announced the error rate alert for {ml environment}', async function (this: NovaWorld, environment: Environment) {
  await serving.expectAlertAnnounced(this, environment);
});

// ---------------------------------------------------------------- drift

When("the {ml environment} model serves {int} fresh samples from the project's data source", async function (this: NovaWorld, environment: Environment, count: number) {
  await serving.serveFresh(this, environment, count);
});

When(
  'the {ml environment} model serves {int} fresh samples whose {string} is shifted by one standard deviation',
  async function (this: NovaWorld, environment: Environment, count: number, feature: string) {
    await serving.serveFresh(this, environment, count, feature);
  },
);

Then('no drift is detected in {ml environment}', async function (this: NovaWorld, environment: Environment) {
  const report = await serving.checkDrift(this, environment);
  assert.equal(report.drifted, false, `drift was reported in ${report.drifted_features.join(', ')} although the inputs come from the training distribution`);
});

Then('drift in {string} is detected in {ml environment} by {drift statistic}', async function (this: NovaWorld, feature: string, environment: Environment, statistic: DriftStatistic) {
  const report = await serving.checkDrift(this, environment);
  assert.equal(report.statistic, statistic, `drift was measured by ${report.statistic}`);
  assert.ok(report.drifted_features.includes(feature.replace(/ /g, '_')), `no drift was detected in ${feature} (drifted: ${JSON.stringify(report.drifted_features)})`);
});

// ---------------------------------------------------------------- generated code and notebooks

Then('the generated evaluation code measures {ml metrics}', async function (this: NovaWorld, metrics: MetricName[]) {
  await generated.expectEvaluationCodeMeasures(this, metrics);
});

Then('the generated code {code shape}', async function (this: NovaWorld, shape: string) {
  await generated.CODE_SHAPES[shape](this);
});

Then('the generated model code builds hidden layers of {unit list} units with {word} activation', async function (this: NovaWorld, units: number[], activation: string) {
  await generated.expectHiddenLayersInCode(this, units, activation);
});

Then('the generated code scales features with a min-max scaler', async function (this: NovaWorld) {
  await generated.expectScaler(this, 'minmax');
});

Then('the generated code leaves the features unscaled', async function (this: NovaWorld) {
  await generated.expectScaler(this, 'none');
});

Then('the generated configuration records the customised design', async function (this: NovaWorld) {
  await generated.expectCustomDesignRecorded(this);
});

Then('the generated model code uses {int} nearest neighbours', async function (this: NovaWorld, k: number) {
  await generated.expectNeighbours(this, k);
});

Then('the notebooks eda, training and evaluation are valid nbformat 4 notebooks', async function (this: NovaWorld) {
  await generated.expectValidNotebooks(this);
});

Then('each notebook explains itself in text cells and holds code cells that compile', async function (this: NovaWorld) {
  generated.expectCompiles(await generated.notebookCode(this));
});

Then('the evaluation notebook checks the metric targets', async function (this: NovaWorld) {
  await generated.expectEvaluationNotebookChecksTargets(this);
});

Given('labelled measurements of three overlapping species, a quarter of them held back from every project', function (this: NovaWorld) {
  relations.drawRowsAndHoldBack(this);
});

When(
  'one scikit-learn classification project learns the other rows with their true labels, one with a fifth of the labels flipped and one with the labels shuffled, each up to deployment',
  { timeout: 120_000 },
  async function (this: NovaWorld) {
    await relations.trainOnTrueFlippedAndShuffledLabels(this);
  },
);

Then('the model of the true labels beats chance on the held-back rows, while the model of shuffled labels and its report stay at chance', function (this: NovaWorld) {
  relations.expectChanceRelations(this);
});

Then("each report's held-out accuracy agrees with what its model shows on the held-back rows, and claims no more than it scores on its own training rows", function (this: NovaWorld) {
  relations.expectReportsNoBetterThanMeasured(this);
});

Then("each report's held-out rows are rows it was given, each once and with the label given, apart from the rows it trained on", function (this: NovaWorld) {
  relations.expectHeldOutRowsAreGivenRows(this);
});

Then('noisier labels never score better on the held-back rows', function (this: NovaWorld) {
  relations.expectNoiseNeverHelps(this);
});
