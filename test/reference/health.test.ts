import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestReference, type Answer } from './helpers';

interface Check {
  status: string;
  latency_ms: number;
  message?: string;
}

interface Probe {
  status: string;
  timestamp: string;
  version: string;
  service: string;
  checks: Record<string, Check>;
}

interface Detailed {
  status: string;
  timestamp: string;
  version: string;
  components: Record<string, Check>;
}

describe('health and the simulation endpoints', () => {
  let ref: TestReference;
  let admin: string;

  before(async () => {
    ref = await TestReference.start('health');
    admin = await ref.adminToken();
  });

  after(async () => {
    await ref?.close();
  });

  async function both(): Promise<{ probe: Answer<Probe>; detailed: Answer<Detailed> }> {
    const [probe, detailed] = await Promise.all([ref.request<Probe>('GET', '/health'), ref.request<Detailed>('GET', '/api/v1/health')]);
    return { probe, detailed };
  }

  const simulate = (component: string, what: 'fail' | 'recover', token = admin) =>
    ref.request('POST', `/api/v1/simulation/components/${component}/${what}`, { token });

  it('reports a healthy system and each component, publicly, in both views', async () => {
    const { probe, detailed } = await both();
    assert.equal(probe.status, 200);
    assert.equal(detailed.status, 200);
    assert.equal(probe.body.status, 'healthy');
    assert.equal(probe.body.service, 'novacron-api');
    assert.match(probe.body.version, /^\d+\.\d+\.\d+/);
    // The core components, plus any that other modules register (ctx.health.register).
    for (const component of ['compute', 'database', 'redis', 'storage']) assert.ok(probe.body.checks[component], `no ${component} check`);
    assert.deepEqual(Object.keys(detailed.body.components).sort(), Object.keys(probe.body.checks).sort());
    for (const check of Object.values(detailed.body.components)) {
      assert.equal(check.status, 'healthy');
      assert.equal(typeof check.latency_ms, 'number');
    }
    assert.ok(Math.abs(Date.parse(probe.body.timestamp) - Date.now()) < 5000);
    assert.ok(detailed.headers.get('x-ratelimit-remaining'), 'the detailed view is an /api/v1 answer with rate limit headers');
  });

  for (const [component, overall, status] of [
    ['storage', 'degraded', 200],
    ['compute', 'degraded', 200],
    ['redis', 'degraded', 200],
    ['database', 'unhealthy', 503],
  ] as const) {
    it(`shows a failed ${component} at once (${overall}, ${status}) and recovers without a restart`, async () => {
      assert.deepEqual((await simulate(component, 'fail')).body, { component, status: 'failed' });
      try {
        const { probe, detailed } = await both();
        for (const view of [probe, detailed]) {
          assert.equal(view.status, status);
          assert.equal(view.body.status, overall);
        }
        assert.equal(probe.body.checks[component].status, 'unhealthy');
        assert.equal(detailed.body.components[component].status, 'unhealthy');
        assert.match(detailed.body.components[component].message ?? '', /unavailable|failed/);
        const others = Object.entries(detailed.body.components).filter(([name]) => name !== component);
        assert.ok(others.every(([, check]) => check.status === 'healthy'), JSON.stringify(detailed.body));
      } finally {
        assert.deepEqual((await simulate(component, 'recover')).body, { component, status: 'recovered' });
      }
      const { probe, detailed } = await both();
      assert.deepEqual([probe.status, probe.body.status, detailed.body.status], [200, 'healthy', 'healthy']);
    });
  }

  it('keeps the simulation for admins and refuses unknown components', async () => {
    const operator = (await ref.userToken('operator', admin)).token;
    assert.equal((await simulate('storage', 'fail', operator)).status, 403);
    assert.equal((await ref.request('POST', '/api/v1/simulation/components/storage/fail')).status, 401);
    const unknown = await simulate('flux-capacitor', 'fail');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.error), /expected one of database, redis, storage, compute, consensus/);
    assert.equal((await both()).probe.body.status, 'healthy');
  });

  it('has no simulation endpoints when NOVACRON_REF_SIMULATION=off', async () => {
    const production = await TestReference.start('health-nosim', { simulation: false });
    try {
      const token = await production.adminToken();
      assert.equal((await production.request('POST', '/api/v1/simulation/components/storage/fail', { token })).status, 404);
    } finally {
      await production.close();
    }
  });

  it('reuses database and Redis probes for at most health_cache milliseconds', async () => {
    const first = await ref.request<Detailed>('GET', '/api/v1/health');
    const second = await ref.request<Detailed>('GET', '/api/v1/health');
    assert.equal(second.body.components.database.latency_ms, first.body.components.database.latency_ms, 'the database probe was not reused');
    const uncached = await TestReference.start('health-nocache', { timings: { health_cache: 0 } });
    try {
      const samples = new Set<number>();
      for (let i = 0; i < 5; i++) samples.add((await uncached.request<Detailed>('GET', '/api/v1/health')).body.components.database.latency_ms);
      assert.ok(samples.size > 1, 'with health_cache=0 every check probes the database');
    } finally {
      await uncached.close();
    }
  });
});
