import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as messages from '@cucumber/messages';
import { JUnitXmlPrinter } from '@cucumber/junit-xml-formatter';
import { JUNIT_OPTIONS, reportFiles, type ReportFiles } from './files';
import { readMessages } from './generate';
import { millis } from './summary';

/** One run's message stream, and what to call it in an error (its reports folder). */
export interface MessageStream {
  readonly label: string;
  readonly envelopes: readonly messages.Envelope[];
  /**
   * Only fills in the scenarios the streams before it did not run (a dry run beside the last run):
   * its runs of scenarios that ran there are left out, and its start, end and outcome do not count.
   */
  readonly fillsIn?: boolean;
}

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * Combines the message streams of several runs of one suite (the shards of a CI run) into the
 * stream of one run, so that every report is built from it exactly as from a single run.
 *
 * Every run parses the features and loads the step definitions itself, so the same scenario, step
 * or hook has another id in each stream: the first stream's ids are kept and the others' renamed to
 * them (the features of two runs of one commit parse to the same tree, id for id). Each stream's
 * pickles, test cases and attempts keep their own ids, which are UUIDs and never collide. The merged
 * run starts when the first run started and finishes when the last finished; it succeeded when every
 * run did. A scenario that ran in two of the streams is an error, unless the second only fills in.
 */
export function mergeMessageStreams(runs: readonly MessageStream[]): messages.Envelope[] {
  if (runs.length === 0) throw new MergeError('no message stream to merge');
  const definitions: messages.Envelope[] = [];
  const execution: messages.Envelope[] = [];
  const sources = new Map<string, string>();
  const documents = new Map<string, messages.GherkinDocument>();
  const pickles = new Map<string, messages.Pickle>();
  const definitionIds = new Map<string, string>();
  const undefinedParameterTypes = new Set<string>();
  /** Canonical pickle id -> the run that executed it. */
  const executedBy = new Map<string, string>();
  let meta: messages.Meta | undefined;
  let runStarted: messages.TestRunStarted | undefined;
  const finishes: { label: string; finished: messages.TestRunFinished | undefined }[] = [];

  for (const run of runs) {
    const rename = new Map<string, string>();
    const dropped = new Set<string>();
    let finished: messages.TestRunFinished | undefined;
    for (const original of run.envelopes) {
      const envelope = renameIds(original, rename);
      if (envelope.meta) {
        meta ??= envelope.meta;
      } else if (envelope.source) {
        const known = sources.get(envelope.source.uri);
        if (known === undefined) {
          sources.set(envelope.source.uri, envelope.source.data);
          definitions.push(envelope);
        } else if (known !== envelope.source.data) {
          throw new MergeError(`${run.label}: ${envelope.source.uri} differs from the one in ${runs[0]!.label}: expected runs of one commit`);
        }
      } else if (envelope.gherkinDocument) {
        const { uri } = envelope.gherkinDocument;
        const known = uri === undefined ? undefined : documents.get(uri);
        if (uri === undefined || !known) {
          if (uri !== undefined) documents.set(uri, envelope.gherkinDocument);
          definitions.push(envelope);
        } else {
          renameTree(original.gherkinDocument!, known, rename, `${run.label}: ${uri}`);
        }
      } else if (envelope.pickle) {
        const key = `${envelope.pickle.uri}\u0000${envelope.pickle.astNodeIds.join(',')}`;
        const known = pickles.get(key);
        if (!known) {
          pickles.set(key, envelope.pickle);
          definitions.push(envelope);
        } else {
          rename.set(envelope.pickle.id, known.id);
          envelope.pickle.steps.forEach((step, index) => rename.set(step.id, known.steps[index]!.id));
        }
      } else if (envelope.stepDefinition || envelope.hook || envelope.parameterType) {
        const { key, id } = definitionKey(envelope);
        const known = definitionIds.get(key);
        if (known === undefined) {
          definitionIds.set(key, id);
          definitions.push(envelope);
        } else {
          rename.set(id, known);
        }
      } else if (envelope.undefinedParameterType) {
        const key = JSON.stringify(envelope.undefinedParameterType);
        if (!undefinedParameterTypes.has(key)) definitions.push(envelope);
        undefinedParameterTypes.add(key);
      } else if (envelope.testRunStarted) {
        if (!runStarted) {
          runStarted = envelope.testRunStarted;
        } else {
          if (envelope.testRunStarted.id !== undefined && runStarted.id !== undefined) rename.set(envelope.testRunStarted.id, runStarted.id);
          if (!run.fillsIn && millis(envelope.testRunStarted.timestamp) < millis(runStarted.timestamp)) runStarted = { ...runStarted, timestamp: envelope.testRunStarted.timestamp };
        }
      } else if (envelope.testRunFinished) {
        finished = envelope.testRunFinished;
      } else if (envelope.testCase) {
        const earlier = executedBy.get(envelope.testCase.pickleId);
        if (earlier !== undefined && run.fillsIn) {
          dropped.add(envelope.testCase.id);
          continue;
        }
        if (earlier !== undefined) {
          const pickle = [...pickles.values()].find((p) => p.id === envelope.testCase!.pickleId);
          throw new MergeError(
            `the scenario "${pickle?.name}" (${pickle?.uri}) ran in both ${earlier} and ${run.label}: expected each reports folder to be a different shard of one run`,
          );
        }
        executedBy.set(envelope.testCase.pickleId, run.label);
        execution.push(envelope);
      } else if (belongsToDropped(envelope, dropped)) {
        continue;
      } else {
        execution.push(envelope);
      }
    }
    if (!run.fillsIn || finishes.length === 0) finishes.push({ label: run.label, finished });
  }

  return [
    ...(meta ? [{ meta }] : []),
    ...definitions,
    ...(runStarted ? [{ testRunStarted: runStarted }] : []),
    ...execution,
    { testRunFinished: mergedFinish(finishes, runStarted) },
  ];
}

/** An attempt (or a step, attachment or end of one) of a test case that is left out; records the attempt's id. */
function belongsToDropped(envelope: messages.Envelope, dropped: Set<string>): boolean {
  if (envelope.testCaseStarted) {
    if (!dropped.has(envelope.testCaseStarted.testCaseId)) return false;
    dropped.add(envelope.testCaseStarted.id);
    return true;
  }
  const attempt =
    envelope.testStepStarted?.testCaseStartedId ??
    envelope.testStepFinished?.testCaseStartedId ??
    envelope.testCaseFinished?.testCaseStartedId ??
    envelope.attachment?.testCaseStartedId;
  return attempt !== undefined && dropped.has(attempt);
}

function mergedFinish(finishes: { label: string; finished: messages.TestRunFinished | undefined }[], runStarted: messages.TestRunStarted | undefined): messages.TestRunFinished {
  const unfinished = finishes.filter((run) => !run.finished).map((run) => run.label);
  const done = finishes.flatMap((run) => (run.finished ? [run.finished] : []));
  const last = done.reduce<messages.TestRunFinished | undefined>((latest, run) => (!latest || millis(run.timestamp) > millis(latest.timestamp) ? run : latest), undefined);
  const notes = [...done.flatMap((run) => (run.message ? [run.message] : [])), ...(unfinished.length ? [`did not finish: ${unfinished.join(', ')}`] : [])];
  return {
    ...(runStarted?.id !== undefined ? { testRunStartedId: runStarted.id } : {}),
    timestamp: last?.timestamp ?? runStarted?.timestamp ?? { seconds: 0, nanos: 0 },
    success: unfinished.length === 0 && done.every((run) => run.success),
    ...(notes.length ? { message: notes.join('; ') } : {}),
  };
}

function definitionKey(envelope: messages.Envelope): { key: string; id: string } {
  if (envelope.stepDefinition) {
    const { id, pattern, sourceReference } = envelope.stepDefinition;
    return { key: `step ${pattern.type} ${pattern.source} ${where(sourceReference)}`, id };
  }
  if (envelope.hook) {
    const { id, type, name, tagExpression, sourceReference } = envelope.hook;
    return { key: `hook ${type ?? ''} ${name ?? ''} ${tagExpression ?? ''} ${where(sourceReference)}`, id };
  }
  const { id, name } = envelope.parameterType!;
  return { key: `parameter type ${name}`, id };
}

function where(reference: messages.SourceReference): string {
  return `${reference.uri ?? ''}:${reference.location?.line ?? ''}`;
}

/** Maps every id of `tree` to the id at the same place in `canonical`, the same feature parsed by another run. */
function renameTree(tree: messages.GherkinDocument, canonical: messages.GherkinDocument, rename: Map<string, string>, what: string): void {
  const ids = idsOf(tree);
  const canonicalIds = idsOf(canonical);
  if (ids.length !== canonicalIds.length) throw new MergeError(`${what} was parsed differently from the other runs: expected runs of one commit`);
  ids.forEach((id, index) => rename.set(id, canonicalIds[index]!));
}

function idsOf(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) idsOf(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'id' && typeof value === 'string') into.push(value);
      else idsOf(value, into);
    }
  }
  return into;
}

/** A copy of the envelope in which every id named in `rename` is replaced (ids are UUIDs: no text equals one by chance). */
function renameIds<T>(value: T, rename: ReadonlyMap<string, string>): T {
  if (rename.size === 0) return value;
  if (typeof value === 'string') return (rename.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => renameIds(item, rename)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renameIds(item as unknown, rename)])) as T;
  }
  return value;
}

/**
 * Merges the reports folders of several runs of the suite (the shards of one CI run) into `into`:
 * one message stream, JUnit report, cucumber JSON and set of endpoint figures, from which
 * generateReports builds the JSON and HTML reports as for one run. Returns warnings to print.
 */
export function mergeReportFolders(folders: readonly string[], into: ReportFiles): string[] {
  if (folders.length === 0) throw new MergeError('--merge: expected the reports folders of the runs to merge (npm run report -- --merge <folder> <folder>...)');
  const runs = folders.map((folder) => ({ given: folder, files: reportFiles(resolve(folder)) }));
  for (const { given, files } of runs) {
    if (!existsSync(files.dir) || !statSync(files.dir).isDirectory()) throw new MergeError(`--merge ${given}: no such folder: expected the reports folder of a run`);
    if (files.dir === resolve(into.dir)) throw new MergeError(`--merge ${given}: the merged reports are written there (NOVACRON_REPORTS_DIR): expected the reports folder of another run`);
    if (!existsSync(files.messages)) throw new MergeError(`--merge ${given}: no message stream (${files.messages}): expected the reports folder of a run of the suite`);
  }
  const envelopes = mergeMessageStreams(runs.map(({ given, files }) => ({ label: given, envelopes: readMessages(files.messages) })));
  mkdirSync(into.dir, { recursive: true });
  writeFileSync(into.messages, envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`).join(''));
  mkdirSync(dirname(into.junit), { recursive: true });
  writeFileSync(into.junit, junitXml(envelopes));

  const warnings: string[] = [];
  const features: CucumberJsonFeature[][] = [];
  for (const { given, files } of runs) {
    if (existsSync(files.cucumberJson)) features.push(JSON.parse(readFileSync(files.cucumberJson, 'utf8')) as CucumberJsonFeature[]);
    else warnings.push(`--merge ${given}: no ${basename(files.cucumberJson)} (was its run interrupted?): the HTML report leaves its scenarios out`);
  }
  writeFileSync(into.cucumberJson, `${JSON.stringify(mergeCucumberJson(features), null, 2)}\n`);

  mkdirSync(into.workers, { recursive: true });
  runs.forEach(({ files }, index) => {
    if (!existsSync(files.workers)) return;
    for (const file of readdirSync(files.workers).filter((name) => name.endsWith('.json'))) copyFileSync(join(files.workers, file), join(into.workers, `run${index + 1}-${file}`));
  });
  // The shards tested one target: the first one's discovery stands for all (the conformance report's target).
  const discovered = runs.find(({ files }) => existsSync(files.discovery));
  if (discovered) copyFileSync(discovered.files.discovery, into.discovery);
  return warnings;
}

/** The JUnit report of a message stream, by the formatter cucumber's `junit` format uses. */
export function junitXml(envelopes: readonly messages.Envelope[]): string {
  let xml = '';
  const printer = new JUnitXmlPrinter(JUNIT_OPTIONS, (chunk) => (xml += chunk));
  for (const envelope of envelopes) printer.update(envelope);
  return xml;
}

/** The part of a feature in cucumber's JSON format that merging needs. */
interface CucumberJsonFeature {
  uri: string;
  elements: { line: number }[];
}

/** Several runs' cucumber JSON as one: each feature once, with the scenarios every run ran of it, in file order. */
export function mergeCucumberJson(runs: readonly (readonly CucumberJsonFeature[])[]): CucumberJsonFeature[] {
  const byUri = new Map<string, CucumberJsonFeature>();
  for (const feature of runs.flat()) {
    const known = byUri.get(feature.uri);
    byUri.set(feature.uri, known ? { ...known, elements: [...known.elements, ...feature.elements] } : feature);
  }
  return [...byUri.values()]
    .sort((a, b) => a.uri.localeCompare(b.uri))
    .map((feature) => ({ ...feature, elements: [...feature.elements].sort((a, b) => a.line - b.line) }));
}
