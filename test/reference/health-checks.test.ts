import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { Components } from '../../reference/core/components';
import { HealthChecks, overall } from '../../reference/core/health/checks';
import { FaultSet } from '../../reference/faults';

function checks(database: () => Promise<unknown> = async () => ({ rows: [] }), faults: string[] = []) {
  let databaseProbes = 0;
  const pool = { query: () => (databaseProbes++, database()) } as unknown as Pool;
  const redis = { ping: async () => 'PONG' } as unknown as Redis;
  const components = new Components();
  const health = new HealthChecks({ pool, redis, components, faults: new FaultSet(faults), cacheMs: 1000 });
  return { health, components, probes: () => databaseProbes };
}

describe('health checks', () => {
  it('is healthy when every component is', async () => {
    const report = await checks().health.report();
    assert.equal(report.status, 'healthy');
    assert.deepEqual(Object.keys(report.checks), ['database', 'redis', 'storage', 'compute']);
  });

  it('is degraded when a registered component is not healthy, unhealthy when the database is down', async () => {
    const { health } = checks();
    health.register('consensus', () => ({ status: 'degraded', latency_ms: 1, message: 'no leader' }));
    const degraded = await health.report();
    assert.equal(degraded.status, 'degraded');
    assert.deepEqual(degraded.checks.consensus, { status: 'degraded', latency_ms: 1, message: 'no leader' });
    const down = await checks(async () => {
      throw new Error('connect ECONNREFUSED');
    }).health.report();
    assert.equal(down.status, 'unhealthy');
    assert.equal(down.checks.database.message, 'connect ECONNREFUSED');
  });

  it('counts a probe that throws or never answers as unhealthy', async () => {
    const { health } = checks();
    health.register('broken', () => {
      throw new Error('boom');
    });
    health.register('stuck', () => new Promise(() => undefined));
    const report = await health.report();
    assert.deepEqual([report.checks.broken.status, report.checks.broken.message], ['unhealthy', 'boom']);
    assert.match(report.checks.stuck.message ?? '', /no answer within 1000 ms/);
  });

  it('reuses the database probe within the cache time, but not across a simulated failure or recovery', async () => {
    const { health, components, probes } = checks();
    await health.report();
    await health.report();
    assert.equal(probes(), 1);
    components.fail('storage');
    assert.equal((await health.report()).checks.storage.status, 'unhealthy');
    assert.equal(probes(), 2);
  });

  it('refuses two checks with one name', () => {
    assert.throws(() => checks().health.register('database', () => ({ status: 'healthy', latency_ms: 0 })), /already registered/);
  });

  it('applies the health faults', async () => {
    const omitted = await checks(undefined, ['health-omits-compute']).health.report();
    assert.equal(omitted.checks.compute, undefined);
    const { health, components } = checks(async () => {
      throw new Error('the database is unavailable');
    }, ['health-always-healthy']);
    components.fail('storage');
    const report = await health.report();
    assert.equal(report.status, 'healthy');
    assert.deepEqual([report.checks.database.status, report.checks.storage.status], ['healthy', 'healthy']);
  });

  it('derives the overall status from the checks', () => {
    assert.equal(overall({ database: { status: 'healthy', latency_ms: 0 }, storage: { status: 'unhealthy', latency_ms: 0 } }), 'degraded');
    assert.equal(overall({ database: { status: 'degraded', latency_ms: 0 } }), 'unhealthy');
  });
});
