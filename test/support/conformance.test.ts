import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Discovery } from '../../support/discovery';
import {
  buildConformance,
  conformanceCapabilityOf,
  conformanceHtml,
  conformanceMarkdown,
  conformanceText,
  outcomeOf,
  suiteIdentity,
} from '../../support/report/conformance';
import type { RunReport, ScenarioResult, ScenarioStatus } from '../../support/report/summary';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'contract', 'conformance.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function scenario(name: string, tags: string[], status: ScenarioStatus, error?: string, details: Record<string, unknown> = {}): ScenarioResult {
  return { name, feature: 'F', uri: `features/${name}.feature`, line: 3, tags, status, duration: 1, attempts: 1, flaky: false, ...(error ? { error } : {}), metrics: {}, details };
}

function run(tests: ScenarioResult[]): RunReport {
  return {
    summary: { suites: { total: 1, successful: 1, failed: 0 }, tests: { total: tests.length, passed: 0, failed: 0, skipped: 0, flaky: 0 }, duration: { total: 1, average: 1 } },
    results: [{ name: 'F', uri: 'features/f.feature', status: 'passed', tests }],
    flaky: [],
    metrics: {},
    environment: { target: 'embedded NovaCron reference' },
  };
}

const discovery: Discovery = {
  target: { url: 'http://novacron:8090', service: 'novacron-api', version: '1.2.3' },
  testSupport: {
    'load-injection': { present: false, evidence: 'POST /api/v1/simulation/vms/{id}/load without a session answered 404' },
    'component-failure': { present: true, evidence: 'answered 401' },
  },
  areas: {},
  durationMs: 12,
};
const suite = { name: 'novacron-spec', version: '0.1.0', commit: 'abc123' };
const date = new Date('2026-12-03T20:00:00Z');

describe('the conformance report', () => {
  it('counts each scenario once, under its capability, by its outcome', () => {
    const conformance = buildConformance(
      run([
        scenario('vm-1', ['@vm-lifecycle'], 'passed'),
        scenario('vm-2', ['@vm-lifecycle'], 'failed', 'AssertionError: the VM stayed provisioning'),
        scenario('scale', ['@autoscaling', '@needs-load-injection'], 'skipped'),
        scenario('perf-scale', ['@performance', '@autoscaling', '@needs-load-injection'], 'skipped'),
        scenario('store', ['@storage'], 'failed', 'Error: not implemented: the storage API (GET /api/v1/storage/volumes answered 404, which the contract does not document for it)'),
        scenario('perm', ['@security', '@permissions'], 'skipped', undefined, { 'not-applicable': 'not applicable: the target does not offer the test support "sandbox-clusters"' }),
        scenario('stage', ['@mle-star', '@stage-evaluation'], 'passed'),
      ]),
      discovery,
      suite,
      date,
    );
    const row = (id: string) => conformance.capabilities.find((capability) => capability.capability === id)!;
    assert.deepEqual([row('vm-lifecycle').passed, row('vm-lifecycle').failed], [1, 1]);
    assert.deepEqual([row('autoscaling').not_applicable, row('autoscaling').failed], [1, 0]);
    assert.equal(row('autoscaling').reasons[0], 'needs the test support load-injection');
    assert.equal(row('performance').not_applicable, 1, 'a performance scenario about autoscaling counts as performance');
    assert.equal(row('storage').not_implemented, 1);
    assert.match(row('storage').reasons[0], /^not implemented: the storage API/);
    assert.match(row('security').reasons[0], /sandbox-clusters/);
    assert.equal(row('mle-star-evaluation').passed, 1);
    assert.deepEqual(conformance.summary, { passed: 2, failed: 1, not_applicable: 3, not_implemented: 1 });
    assert.equal(conformance.verdict, 'not conformant');
    assert.deepEqual(conformance.target, { url: 'http://novacron:8090', service: 'novacron-api', version: '1.2.3' });
    assert.equal(conformance.date, '2026-12-03T20:00:00.000Z');
    assert.ok(validate(conformance), JSON.stringify(validate.errors));
  });

  it('is conformant when every applicable scenario passed, however many were not applicable', () => {
    const conformance = buildConformance(
      run([scenario('vm-1', ['@vm-lifecycle'], 'passed'), scenario('scale', ['@autoscaling', '@needs-load-injection'], 'skipped')]),
      discovery,
      suite,
      date,
    );
    assert.equal(conformance.verdict, 'conformant');
    assert.ok(validate(conformance), JSON.stringify(validate.errors));
  });

  it('is not conformant when a scenario is not implemented, or when nothing ran', () => {
    assert.equal(buildConformance(run([scenario('vm-1', ['@vm-lifecycle'], 'passed'), scenario('store', ['@storage'], 'failed', 'not implemented: the storage API (...)')]), discovery, suite, date).verdict, 'not conformant');
    assert.equal(buildConformance(run([scenario('scale', ['@autoscaling'], 'skipped')]), discovery, suite, date).verdict, 'not conformant');
  });

  it('reads outcomes from cucumber statuses and the not implemented error', () => {
    assert.equal(outcomeOf({ status: 'passed' }), 'passed');
    assert.equal(outcomeOf({ status: 'skipped' }), 'not applicable');
    assert.equal(outcomeOf({ status: 'failed', error: 'Error: not implemented: the vms API (...)\n    at x' }), 'not implemented');
    assert.equal(outcomeOf({ status: 'failed', error: 'Error: the limits disagree with the model, after: ...\nwhat differed: not implemented: the storage API (GET /api/v1/storage/tiers without a session answered 404)' }), 'not implemented');
    assert.equal(outcomeOf({ status: 'failed', error: 'NotImplementedError: not implemented: GET /api/v1/dashboard/summary of the vms API (...)' }), 'not implemented');
    assert.equal(outcomeOf({ status: 'failed', error: 'AssertionError: expected 201, got 404' }), 'failed');
    assert.equal(outcomeOf({ status: 'failed', error: 'AssertionError: the feature is not implemented: yet' }), 'failed');
    assert.equal(outcomeOf({ status: 'undefined' }), 'failed');
  });

  it('prints a table, a Markdown table and an HTML page that name the target and verdict', () => {
    const conformance = buildConformance(run([scenario('vm-1', ['@vm-lifecycle'], 'passed')]), discovery, suite, date);
    const text = conformanceText(conformance);
    assert.match(text.split('\n')[0], /^conformance: CONFORMANT: http:\/\/novacron:8090 \(novacron-api 1\.2\.3\), novacron-spec 0\.1\.0 \(abc123\), 2026-12-03/);
    assert.match(text, /^VM lifecycle\s+1\s+0\s+0\s+0$/m);
    assert.match(text, /^All\s+1\s+0\s+0\s+0$/m);
    assert.match(conformanceMarkdown(conformance), /^\| VM lifecycle \| 1 \| 0 \| 0 \| 0 \|$/m);
    assert.match(conformanceHtml(conformance), /<h1 class="conformant">conformant<\/h1>/);
  });

  it('never shows a password of the target URL', () => {
    const conformance = buildConformance(run([]), { ...discovery, target: { url: 'http://admin:***@novacron:8090' } }, suite, date);
    assert.ok(validate(conformance), JSON.stringify(validate.errors));
    const leaked = { ...conformance, target: { url: 'http://admin:hunter2@novacron:8090' } };
    assert.equal(validate(leaked), false, 'the schema lets a password through');
  });

  it('names every capability the issue lists, each MLE-Star stage included', () => {
    const titles = ['@vm-lifecycle', '@health', '@security', '@autoscaling', '@consensus', '@federation', '@migration', '@storage', '@network', '@rest-api', '@realtime', '@auth-flows', '@state-sync', '@performance'].map(
      (tag) => conformanceCapabilityOf([tag]).title,
    );
    assert.deepEqual(titles, ['VM lifecycle', 'Health', 'Security', 'Autoscaling', 'Consensus', 'Federation', 'Migration', 'Storage', 'Network', 'REST data', 'Real-time updates', 'Auth flows', 'Multi-tab', 'Performance']);
    for (const stage of ['specification', 'design', 'implementation', 'evaluation', 'deployment', 'monitoring', 'maintenance']) {
      assert.equal(conformanceCapabilityOf(['@mle-star', `@stage-${stage}`]).title, `MLE-Star: ${stage}`);
    }
  });

  it('knows the suite by its package and commit', () => {
    const identity = suiteIdentity();
    assert.equal(identity.name, 'novacron-spec');
    assert.match(identity.version, /^\d+\.\d+\.\d+/);
  });
});
