import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { toArtillery } from '../../support/load/artillery';
import { LOAD_PROFILES } from '../../support/tasks/load-profiles';
import { parseArguments } from '../../scripts/load-export';

const options = { target: 'http://novacron:8090', payloadPath: 'vms.csv', token: '{{ $env.NOVACRON_TOKEN }}' };

describe('load:export: a load profile as an Artillery 2.x script', () => {
  it('turns a constant arrival rate into one phase at that rate, one request per arriving user', () => {
    const script = toArtillery(LOAD_PROFILES['dashboard-sustained']!, options);
    assert.deepEqual(script.config.phases, [{ name: '20 requests per second', duration: 60, arrivalRate: 20 }]);
    assert.equal(script.scenarios.length, 6);
    assert.deepEqual(script.scenarios[1], {
      name: 'virtual machine details',
      weight: 1,
      flow: [{ get: { url: '/api/v1/vms/{{ vm }}', name: 'virtual machine details', headers: { authorization: 'Bearer {{ $env.NOVACRON_TOKEN }}' }, expect: [{ statusCode: [200, 201, 202, 204] }] } }],
    });
    assert.deepEqual(script.config.payload, { path: 'vms.csv', fields: ['vm'], order: 'sequence', skipHeader: false });
    assert.deepEqual(script.config.ensure, {
      maxErrorRate: 1,
      thresholds: [{ 'http.response_time.p99': 1000 }],
      conditions: [{ expression: 'http.request_rate >= 18', strict: true }],
    });
  });

  it('turns each stage of a ramping arrival rate into a phase that ramps to its target', () => {
    const script = toArtillery(LOAD_PROFILES['dashboard-staged-traffic']!, options);
    assert.deepEqual(script.config.phases, [
      { name: 'stage 1: 5 -> 40 requests per second', duration: 20, arrivalRate: 5, rampTo: 40 },
      { name: 'stage 2: 40 requests per second', duration: 20, arrivalRate: 40 },
      { name: 'stage 3: 40 -> 5 requests per second', duration: 10, arrivalRate: 40, rampTo: 5 },
    ]);
    // 1475 planned requests over 50 s: 29.5 per second on average, 90% of it
    assert.deepEqual(script.config.ensure.conditions, [{ expression: 'http.request_rate >= 26.55', strict: true }]);
  });

  it("turns users with a number of requests into users arriving at once, each looping over the requests", () => {
    const script = toArtillery(LOAD_PROFILES['dashboard-views']!, options);
    assert.deepEqual(script.config.phases, [{ name: '50 users', duration: 1, arrivalCount: 50 }]);
    const [scenario] = script.scenarios;
    const loop = (scenario?.flow[0] as { loop: unknown[]; count: number });
    assert.equal(loop.loop.length, 6);
    assert.equal(loop.count, 4);
  });

  it('refuses what Artillery cannot express, and a profile whose paths lack their values, in one line', () => {
    assert.throws(() => toArtillery(LOAD_PROFILES['dashboard-users']!, options), /^Error: load profile "dashboard-users": a ramping-users profile bounded by time has no Artillery equivalent/);
    assert.throws(() => toArtillery(LOAD_PROFILES['dashboard-sustained']!, { target: 'http://x' }), /^Error: load profile "dashboard-sustained": its paths need \{vm\}: give a CSV file of their values \(--payload <file.csv>\)$/);
  });

  it('writes YAML that reads back as the same script', () => {
    const script = toArtillery(LOAD_PROFILES['dashboard-staged-traffic']!, options);
    assert.deepEqual(parse(stringify(script)), script);
  });

  it('takes one known profile and an http target', () => {
    assert.deepEqual(parseArguments(['dashboard-sustained', '--payload', 'v.csv']), { profile: 'dashboard-sustained', target: 'http://localhost:8090', payload: 'v.csv', out: 'reports/artillery/dashboard-sustained.yml' });
    assert.throws(() => parseArguments(['nope']), /^Error: unknown load profile "nope": expected one of dashboard-views, /);
    assert.throws(() => parseArguments(['dashboard-views', '--target', 'novacron:8090']), /^Error: --target: got "novacron:8090", expected an http\(s\) URL$/);
  });
});
