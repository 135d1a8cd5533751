import assert from 'node:assert/strict';
import type { ApiResponse } from '../api-client';
import type { NovaWorld } from '../world';
import { eventually, expectStatus } from './expect';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';
export type Component = 'database' | 'redis' | 'storage' | 'compute' | 'consensus';

interface Check {
  status: HealthStatus;
  latency_ms: number;
  message?: string;
}

interface HealthReport {
  status: HealthStatus;
  timestamp: string;
  version: string;
  service?: string;
  checks?: Record<string, Check>;
  components?: Record<string, Check>;
}

/** The words a person uses for a component, and the component's name in the health report. */
export const COMPONENT_NAMES: Record<string, Component> = {
  database: 'database',
  cache: 'redis',
  storage: 'storage',
  compute: 'compute',
  consensus: 'consensus',
};

export function componentNamed(word: string): Component {
  const component = COMPONENT_NAMES[word];
  if (!component) throw new Error(`unknown component "${word}": expected one of ${Object.keys(COMPONENT_NAMES).join(', ')}`);
  return component;
}

interface HealthViews {
  probe: ApiResponse<HealthReport>;
  detailed: ApiResponse<HealthReport>;
}

function views(world: NovaWorld): { last?: HealthViews } {
  return world.domain('health', () => ({}));
}

const HTTP_STATUS_FOR: Record<HealthStatus, number> = { healthy: 200, degraded: 200, unhealthy: 503 };

/** Both health views, read without credentials: the load balancer probe and the detailed view. */
export async function readHealth(world: NovaWorld): Promise<HealthViews> {
  const anonymous = world.suite.client();
  const [probe, detailed] = await Promise.all([
    anonymous.get<HealthReport>('/health', { retries: 0 }),
    anonymous.get<HealthReport>('/api/v1/health', { retries: 0 }),
  ]);
  const read = { probe, detailed };
  views(world).last = read;
  return read;
}

function lastViews(world: NovaWorld): HealthViews {
  const last = views(world).last;
  if (!last) throw new Error('the health was not checked in this scenario');
  return last;
}

export function expectOverall(world: NovaWorld, status: HealthStatus): void {
  const { detailed, probe } = lastViews(world);
  for (const view of [detailed, probe]) {
    assert.equal(view.data.status, status, `${view.operation} reports the system ${view.data.status}, expected ${status}`);
    assert.equal(view.status, HTTP_STATUS_FOR[status], `${view.operation} answered ${view.status} for a ${status} system`);
  }
}

export function expectComponents(world: NovaWorld, words: string[], status: HealthStatus): void {
  const { detailed, probe } = lastViews(world);
  for (const word of words) {
    const name = componentNamed(word);
    const inDetail = detailed.data.components?.[name];
    const inProbe = probe.data.checks?.[name];
    assert.ok(inDetail, `the detailed health view does not mention the ${word} (${name})`);
    assert.ok(inProbe, `the load balancer check does not mention the ${word} (${name})`);
    assert.equal(inDetail.status, status, `the ${word} is reported ${inDetail.status}, expected ${status}`);
    assert.equal(inProbe.status, status, `the load balancer check reports the ${word} ${inProbe.status}, expected ${status}`);
  }
}

export function expectIdentity(world: NovaWorld): void {
  const { probe, detailed } = lastViews(world);
  assert.ok(probe.data.service, 'the health report does not name the service');
  for (const view of [probe, detailed]) {
    assert.match(view.data.version ?? '', /^\d+\.\d+\.\d+/, `${view.operation} gives no semantic version: ${view.data.version}`);
    const age = Math.abs(Date.now() - Date.parse(view.data.timestamp));
    assert.ok(age < 60_000, `${view.operation} gives a stale or invalid timestamp: ${view.data.timestamp}`);
  }
}

export function expectViewsAgree(world: NovaWorld): void {
  const { probe, detailed } = lastViews(world);
  assert.equal(probe.data.status, detailed.data.status, 'the load balancer check and the detailed view disagree');
  assert.equal(probe.status, detailed.status, 'the load balancer check and the detailed view answer differently');
  assert.deepEqual(
    Object.keys(probe.data.checks ?? {}).sort(),
    Object.keys(detailed.data.components ?? {}).sort(),
    'the two views do not cover the same components',
  );
}

/** Fails a component through the test-support simulation; it recovers after the scenario whatever happens. */
export async function failComponent(world: NovaWorld, word: string): Promise<void> {
  const component = componentNamed(word);
  const admin = await world.suite.admin({ validForMs: 5 * 60_000 });
  expectStatus(await admin.post(`/api/v1/simulation/components/${component}/fail`), 200, `failing the ${word}`);
  world.ledger.add(`failed ${word}`, async () => {
    const response = await (await world.suite.admin()).post(`/api/v1/simulation/components/${component}/recover`);
    if (response.status !== 200) throw new Error(`recovering it answered ${response.status}`);
  });
}

export async function recoverComponent(world: NovaWorld, word: string): Promise<void> {
  const component = componentNamed(word);
  const admin = await world.suite.admin();
  expectStatus(await admin.post(`/api/v1/simulation/components/${component}/recover`), 200, `recovering the ${word}`);
  world.ledger.forget(`failed ${word}`);
}

/**
 * Waits until both health views report the system `overall` and the component unhealthy, then
 * checks them (a failure names the view and the status it gave).
 */
export async function waitUntilReportedUnhealthy(world: NovaWorld, word: string, overall: HealthStatus, timeoutMs: number): Promise<void> {
  const check = () => {
    expectOverall(world, overall);
    expectComponents(world, [word], 'unhealthy');
  };
  const shows = () => {
    try {
      check();
      return true;
    } catch {
      return false;
    }
  };
  // On a timeout, the check itself says which view reported what.
  await eventually(() => readHealth(world), shows, { timeoutMs, intervalMs: 100, what: `the ${word} being reported unhealthy` }).catch(() => undefined);
  check();
}

export async function waitUntilHealthy(world: NovaWorld, timeoutMs: number): Promise<number> {
  const { elapsedMs } = await eventually(
    async () => {
      const { detailed, probe } = await readHealth(world);
      return `${detailed.data.status}/${probe.data.status}`;
    },
    (statuses) => statuses === 'healthy/healthy',
    { timeoutMs, intervalMs: 100, what: 'the system becoming healthy again' },
  );
  return elapsedMs;
}
