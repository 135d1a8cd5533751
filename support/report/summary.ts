import type * as messages from '@cucumber/messages';
import { METRICS_KEY, type Measurement } from '../metrics';

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'pending' | 'undefined' | 'ambiguous' | 'unknown';

export interface ScenarioResult {
  name: string;
  feature: string;
  uri: string;
  line: number;
  tags: string[];
  status: ScenarioStatus;
  duration: number;
  attempts: number;
  /** Passed, but only on a retry: it failed at least once in this run. */
  flaky: boolean;
  error?: string;
  metrics: Record<string, Measurement>;
  details: Record<string, unknown>;
}

export interface SuiteResult {
  name: string;
  uri: string;
  status: 'passed' | 'failed';
  tests: ScenarioResult[];
}

/** A scenario that passed only on a retry, with what its first attempt failed with. */
export interface FlakyScenario extends Pick<ScenarioResult, 'name' | 'feature' | 'uri' | 'line' | 'attempts'> {
  first_error: string;
}

/** The JSON report, in the structure of the integration testing guide (plus the flaky scenarios). */
export interface RunReport {
  summary: {
    suites: { total: number; successful: number; failed: number };
    /** `flaky` are counted in `passed` too. */
    tests: { total: number; passed: number; failed: number; skipped: number; flaky: number };
    duration: { total: number; average: number };
  };
  results: SuiteResult[];
  flaky: FlakyScenario[];
  metrics: Record<string, unknown>;
  environment: Record<string, unknown>;
}

const RANK: Record<ScenarioStatus, number> = { passed: 0, skipped: 1, pending: 2, undefined: 3, ambiguous: 4, failed: 5, unknown: 6 };

interface Attempt {
  testCaseId: string;
  attempt: number;
  started: number;
  finished?: number;
  status: ScenarioStatus;
  error?: string;
  willBeRetried: boolean;
  attachments: string[];
}

export function millis(timestamp: messages.Timestamp): number {
  return Number(timestamp.seconds) * 1000 + Math.round(timestamp.nanos / 1e6);
}

/** Builds the run report from the cucumber message stream (one envelope per line). */
export function buildReport(envelopes: messages.Envelope[], environment: Record<string, unknown>): RunReport {
  const documents = new Map<string, messages.GherkinDocument>();
  const pickles = new Map<string, messages.Pickle>();
  const testCases = new Map<string, messages.TestCase>();
  const attempts = new Map<string, Attempt>();
  /** Test case -> the error of its first failed attempt that was retried. */
  const retriedErrors = new Map<string, string>();
  let runStarted: number | undefined;
  let runFinished: number | undefined;

  for (const envelope of envelopes) {
    if (envelope.gherkinDocument?.uri) documents.set(envelope.gherkinDocument.uri, envelope.gherkinDocument);
    if (envelope.pickle) pickles.set(envelope.pickle.id, envelope.pickle);
    if (envelope.testCase) testCases.set(envelope.testCase.id, envelope.testCase);
    if (envelope.testRunStarted) runStarted = millis(envelope.testRunStarted.timestamp);
    if (envelope.testRunFinished) runFinished = millis(envelope.testRunFinished.timestamp);
    if (envelope.testCaseStarted) {
      const { id, testCaseId, attempt, timestamp } = envelope.testCaseStarted;
      attempts.set(id, { testCaseId, attempt, started: millis(timestamp), status: 'passed', willBeRetried: false, attachments: [] });
    }
    if (envelope.testStepFinished) {
      const run = attempts.get(envelope.testStepFinished.testCaseStartedId);
      const result = envelope.testStepFinished.testStepResult;
      const status = result.status.toLowerCase() as ScenarioStatus;
      if (run && RANK[status] > RANK[run.status]) {
        run.status = status;
        run.error = result.message ?? result.exception?.message;
      }
    }
    if (envelope.attachment?.testCaseStartedId && envelope.attachment.mediaType === 'application/json') {
      attempts.get(envelope.attachment.testCaseStartedId)?.attachments.push(envelope.attachment.body);
    }
    if (envelope.testCaseFinished) {
      const run = attempts.get(envelope.testCaseFinished.testCaseStartedId);
      if (run) {
        run.finished = millis(envelope.testCaseFinished.timestamp);
        run.willBeRetried = envelope.testCaseFinished.willBeRetried;
      }
    }
  }

  const suites = new Map<string, SuiteResult>();
  const flaky: FlakyScenario[] = [];
  const runMetrics = new Map<string, number[]>();
  for (const run of attempts.values()) {
    if (run.willBeRetried && !retriedErrors.has(run.testCaseId)) retriedErrors.set(run.testCaseId, run.error ?? run.status);
  }
  for (const run of attempts.values()) {
    if (run.willBeRetried) continue;
    const testCase = testCases.get(run.testCaseId);
    const pickle = testCase && pickles.get(testCase.pickleId);
    if (!pickle) continue;
    const document = documents.get(pickle.uri);
    const featureName = document?.feature?.name ?? pickle.uri;
    const { metrics, details } = collectMetrics(run.attachments);
    for (const [name, measurement] of Object.entries(metrics)) {
      runMetrics.set(name, [...(runMetrics.get(name) ?? []), measurement.value]);
    }
    const scenario: ScenarioResult = {
      name: pickle.name,
      feature: featureName,
      uri: pickle.uri,
      line: lineOf(document, pickle),
      tags: pickle.tags.map((tag) => tag.name),
      status: run.status,
      duration: (run.finished ?? run.started) - run.started,
      attempts: run.attempt + 1,
      flaky: run.status === 'passed' && retriedErrors.has(run.testCaseId),
      ...(run.error ? { error: run.error } : {}),
      metrics,
      details,
    };
    let suite = suites.get(pickle.uri);
    if (!suite) {
      suite = { name: featureName, uri: pickle.uri, status: 'passed', tests: [] };
      suites.set(pickle.uri, suite);
    }
    suite.tests.push(scenario);
    if (scenario.flaky) {
      flaky.push({ name: scenario.name, feature: featureName, uri: scenario.uri, line: scenario.line, attempts: scenario.attempts, first_error: retriedErrors.get(run.testCaseId)! });
    }
    if (scenario.status !== 'passed') suite.status = 'failed';
  }

  const results = [...suites.values()].sort((a, b) => a.uri.localeCompare(b.uri));
  const tests = results.flatMap((suite) => suite.tests);
  const passed = tests.filter((t) => t.status === 'passed').length;
  const skipped = tests.filter((t) => t.status === 'skipped').length;
  const total = runStarted !== undefined && runFinished !== undefined ? runFinished - runStarted : tests.reduce((sum, t) => sum + t.duration, 0);
  return {
    summary: {
      suites: { total: results.length, successful: results.filter((s) => s.status === 'passed').length, failed: results.filter((s) => s.status === 'failed').length },
      tests: { total: tests.length, passed, failed: tests.length - passed - skipped, skipped, flaky: flaky.length },
      duration: { total, average: tests.length ? Math.round(tests.reduce((sum, t) => sum + t.duration, 0) / tests.length) : 0 },
    },
    results,
    flaky: flaky.sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line),
    metrics: Object.fromEntries([...runMetrics].map(([name, values]) => [name, round(values.reduce((a, b) => a + b, 0) / values.length)])),
    environment,
  };
}

function collectMetrics(attachments: string[]): { metrics: Record<string, Measurement>; details: Record<string, unknown> } {
  const metrics: Record<string, Measurement> = {};
  const details: Record<string, unknown> = {};
  for (const body of attachments) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      if (!parsed || typeof parsed !== 'object' || !(METRICS_KEY in parsed)) continue;
      Object.assign(metrics, parsed[METRICS_KEY]);
      Object.assign(details, parsed.details ?? {});
    } catch {
      // Not a metrics attachment.
    }
  }
  return { metrics, details };
}

function lineOf(document: messages.GherkinDocument | undefined, pickle: messages.Pickle): number {
  const astId = pickle.astNodeIds[pickle.astNodeIds.length - 1];
  for (const child of document?.feature?.children ?? []) {
    const scenarios = child.scenario ? [child.scenario] : (child.rule?.children ?? []).flatMap((c) => (c.scenario ? [c.scenario] : []));
    for (const scenario of scenarios) {
      if (scenario.id === astId) return scenario.location.line;
      for (const examples of scenario.examples) {
        const row = examples.tableBody.find((r) => r.id === astId);
        if (row) return row.location.line;
      }
    }
  }
  return 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Scenario name -> its worst status over the examples, rules and attempts that ran: a scenario that
 * passed only on a retry is `failed` here (fault verification needs scenarios that pass every time).
 * An example not applicable here (skipped) counts only when no example of the scenario ran.
 */
export function scenarioStatuses(envelopes: messages.Envelope[]): Map<string, ScenarioStatus> {
  const byName = new Map<string, ScenarioStatus>();
  for (const test of buildReport(envelopes, {}).results.flatMap((suite) => suite.tests)) {
    const previous = byName.get(test.name);
    const status = test.flaky ? 'failed' : test.status;
    const ran = (s: ScenarioStatus | undefined) => s !== undefined && s !== 'skipped';
    if (!ran(previous) || (previous === 'passed' && ran(status))) byName.set(test.name, status === 'skipped' && previous ? previous : status);
  }
  return byName;
}

/** The closing line CI reads: scenarios passed (flaky ones included) and failed. */
export function closingLine(report: RunReport): string {
  const { passed, failed, skipped } = report.summary.tests;
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/** The line before the closing line that names the scenarios that passed only on a retry; none without any. */
export function flakyLine(report: RunReport): string | undefined {
  if (!report.flaky.length) return undefined;
  return `${report.flaky.length} flaky (passed only on a retry): ${report.flaky.map((test) => `${test.uri}:${test.line} ${test.name}`).join('; ')}`;
}

/** The first non-blank line of an error message (its stack and details follow on the next lines). */
export function firstLine(message: string): string {
  return message.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/** What a run prints last: the flaky scenarios, if any, then the closing line. */
export function closingLines(report: RunReport): string[] {
  return [flakyLine(report), closingLine(report)].filter((line): line is string => line !== undefined);
}
