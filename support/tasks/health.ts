import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  /** The client's clock just before the requests and just after both answers. */
  sentAt: number;
  answeredAt: number;
}

/** How far the target's clock may be from ours when its timestamps are judged. */
const CLOCK_TOLERANCE_MS = 5000;
/** A full semantic version: 1.2.3, 1.2.3-rc.1, 1.2.3+build.5. */
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** The version of this suite, which is the embedded reference's too (it reads the same package.json). */
const SUITE_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

function views(world: NovaWorld): { last?: HealthViews } {
  return world.domain('health', () => ({}));
}

const HTTP_STATUS_FOR: Record<HealthStatus, number> = { healthy: 200, degraded: 200, unhealthy: 503 };

/** Both health views, read without credentials: the load balancer probe and the detailed view. */
export async function readHealth(world: NovaWorld): Promise<HealthViews> {
  const anonymous = world.suite.client();
  const sentAt = Date.now();
  const [probe, detailed] = await Promise.all([
    anonymous.get<HealthReport>('/health', { retries: 0 }),
    anonymous.get<HealthReport>('/api/v1/health', { retries: 0 }),
  ]);
  const read = { probe, detailed, sentAt, answeredAt: Date.now() };
  views(world).last = read;
  return read;
}

function lastViews(world: NovaWorld): HealthViews {
  const last = views(world).last;
  if (!last) throw new Error('the health was not checked in this scenario');
  return last;
}

/** The contract's rule: the database down makes the system unhealthy, any other component not healthy makes it degraded. */
function statusOf(components: Record<string, Check>): HealthStatus {
  if (components.database?.status === 'unhealthy') return 'unhealthy';
  return Object.values(components).every((check) => check.status === 'healthy') ? 'healthy' : 'degraded';
}

export function expectOverall(world: NovaWorld, status: HealthStatus): void {
  const { detailed, probe } = lastViews(world);
  for (const view of [detailed, probe]) {
    assert.equal(view.data.status, status, `${view.operation} reports the system ${view.data.status}, expected ${status}`);
    assert.equal(view.status, HTTP_STATUS_FOR[status], `${view.operation} answered ${view.status} for a ${status} system`);
    const components = view.data.components ?? view.data.checks ?? {};
    const states = Object.entries(components).map(([name, check]) => `${name} ${check.status}`).join(', ');
    assert.equal(statusOf(components), status, `${view.operation} reports the system ${status} although its components are: ${states}`);
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

/**
 * The probe names the service the contract names, both views give the same full semantic version
 * (the suite's own for the embedded reference), and each is stamped with the time it was answered.
 */
export function expectIdentity(world: NovaWorld): void {
  const { probe, detailed, sentAt, answeredAt } = lastViews(world);
  const service = expectedService(world);
  assert.equal(probe.data.service, service, `${probe.operation} names the service ${JSON.stringify(probe.data.service)}, expected "${service}"`);
  for (const view of [probe, detailed]) {
    assert.match(view.data.version ?? '', SEMVER, `${view.operation} gives no semantic version: ${JSON.stringify(view.data.version)}`);
    const at = Date.parse(view.data.timestamp);
    assert.ok(
      Number.isFinite(at) && at >= sentAt - CLOCK_TOLERANCE_MS && at <= answeredAt + CLOCK_TOLERANCE_MS,
      `${view.operation} is stamped ${JSON.stringify(view.data.timestamp)}, not the time it answered (${new Date(sentAt).toISOString()} to ${new Date(answeredAt).toISOString()}, give or take ${CLOCK_TOLERANCE_MS / 1000} s)`,
    );
  }
  assert.equal(detailed.data.version, probe.data.version, `the detailed health view gives version ${detailed.data.version}, the load balancer check ${probe.data.version}`);
  if (world.suite.config.targetKind === 'embedded') {
    assert.equal(probe.data.version, SUITE_VERSION, `the embedded reference reports version ${probe.data.version}, but it is version ${SUITE_VERSION} (package.json)`);
  }
}

/** The service name the contract fixes for the load balancer check. */
function expectedService(world: NovaWorld): string {
  const schemas = (world.suite.contract.document.components as { schemas?: Record<string, { properties?: Record<string, { const?: unknown }> }> } | undefined)?.schemas;
  const service = schemas?.HealthProbeReport?.properties?.service?.const;
  if (typeof service !== 'string') throw new Error('the contract no longer fixes the service name of the health check (components.schemas.HealthProbeReport.properties.service.const)');
  return service;
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
  // The scenario fails the component on purpose: server errors while it is down are expected.
  world.expectServerErrors(`the ${word} was failed on purpose`);
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
