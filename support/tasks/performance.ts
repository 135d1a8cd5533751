import assert from 'node:assert/strict';
import {
  breachOf,
  findCapacity,
  formatLoadSummary,
  formatResourceSummary,
  LoadHttpClient,
  LoadTestRunner,
  OperationBreakdown,
  renderLoadReportHtml,
  resourceSourceFor,
  ResourceMonitor,
  WebSocketLoad,
  type CapacityLimits,
  type CapacityReport,
  type LoadReportInput,
  type LoadResponse,
  type LoadResult,
  type OperationResult,
  type ResourceReport,
  type WebSocketConnectResult,
  type WebSocketDeliveryResult,
} from '../load';
import { describeExecutor, profileDurationMs, runProfile, scaleProfile, type LoadProfile } from '../load/profile';
import type { Stage } from '../load/schedule';
import type { NovaWorld } from '../world';
import { login } from './accounts';
import { readPage } from './dashboard';
import { eventually, expectStatus } from './expect';
import { DASHBOARD_VIEWS, dashboardLoadProfile, dashboardRequests, stagedDashboardProfile, sustainedProfile, userLoadProfile, type DashboardView } from './load-profiles';
import type { Vm } from './vms';

/** The `ci` test mode runs every load for this share of its stated duration (never below 5 s). */
export const CI_TIME_SCALE = 0.25;
const MIN_SCALED_MS = 5_000;
const METRICS_PATH = '/api/v1/system/metrics';
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * The stress load is spread over this many accounts so that it measures capacity, not the per-client
 * rate limit: at the reference's default of 100,000 requests a minute per client, 32 accounts carry
 * over 50,000 requests a second for a minute.
 */
const STRESS_ACCOUNTS = 32;

export { DASHBOARD_VIEWS, type DashboardView } from './load-profiles';

interface PerformanceState {
  result?: LoadResult;
  operations?: Record<string, OperationResult>;
  resources?: ResourceReport;
  capacity?: CapacityReport;
  /** The steps the capacity search was asked to take, and how long each was to last. */
  capacityPlan?: { steps: number[]; stepDurationMs: number };
  limits?: CapacityLimits;
  websocket?: WebSocketLoad;
  connect?: WebSocketConnectResult;
  deliveries: WebSocketDeliveryResult[];
  seeded: Vm[];
  /** ids of the VMs the load created and has not deleted */
  created: Set<string>;
  /** how many VMs the load asked for */
  requestedVms: number;
  /** bearer tokens of the accounts made for the load, one per simulated user */
  users: string[];
  subscribersBefore?: number;
  screens?: ScreenTimings;
}

function perf(world: NovaWorld): PerformanceState {
  return world.domain('performance', (): PerformanceState => ({ deliveries: [], seeded: [], created: new Set(), requestedVms: 0, users: [] }));
}

function loadResult(world: NovaWorld): LoadResult {
  const result = perf(world).result;
  if (!result) throw new Error('no load has run in this scenario yet');
  return result;
}

/** A stated duration as this run applies it: shortened by the `ci` test mode, never skipped. */
export function effectiveDurationMs(world: NovaWorld, statedMs: number): number {
  return world.suite.config.mode === 'ci' ? Math.max(MIN_SCALED_MS, Math.round(statedMs * CI_TIME_SCALE)) : statedMs;
}

function announce(world: NovaWorld, text: string): void {
  process.stderr.write(`${text}\n`);
  world.log(text);
}

/** A load client for the target, signed in as `token` (the actor by default; null: each request signs itself). */
function loadClient(world: NovaWorld, connections: number, token: string | null = world.actor.token): LoadHttpClient {
  return new LoadHttpClient(world.suite.apiUrl, {
    connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

async function withClient<T>(client: LoadHttpClient, work: (client: LoadHttpClient) => Promise<T>): Promise<T> {
  try {
    return await work(client);
  } finally {
    await client.destroy();
  }
}

/** Prints the summary, records the key figures and attaches the charts to the report. */
function publish(world: NovaWorld, title: string, unit: string, extra: Omit<LoadReportInput, 'title'> = {}): void {
  const state = perf(world);
  const result = extra.result ?? state.result;
  const lines: string[] = [];
  if (result) {
    lines.push(formatLoadSummary(result, { title, unit }));
    const { metrics } = world;
    metrics.record('load-requests', result.requests, 'requests');
    metrics.record('load-success-rate', 100 * result.successRate, '%');
    metrics.record('load-duration', Math.round(result.durationMs));
    metrics.record('load-throughput', result.successThroughput, `${unit}/s`);
    metrics.record('load-avg', result.latency.avg);
    metrics.record('load-p50', result.latency.p50);
    metrics.record('load-p95', result.latency.p95);
    metrics.record('load-p99', result.latency.p99);
    metrics.record('load-max', result.latency.max);
    metrics.detail('load', result);
  }
  if (extra.resources) {
    lines.push(formatResourceSummary(extra.resources, 'Control plane resources'));
    world.metrics.detail('resources', extra.resources);
    if (extra.resources.available) {
      world.metrics.record('target-cpu', extra.resources.cpuPercent, '% of one core');
      world.metrics.record('target-peak-rss', extra.resources.peakRssMb, 'MB');
      world.metrics.record('target-rss-growth', extra.resources.rssGrowthMb, 'MB');
    }
  }
  if (lines.length > 0) announce(world, lines.join('\n'));
  world.attach(renderLoadReportHtml({ title, ...extra, ...(result ? { result } : {}) }), 'text/html');
}

// ---------------------------------------------------------------------------------------------
// Setting the scene

/** VMs on the dashboard for the views to show: created through the API, running, deleted after. */
export async function seedVms(world: NovaWorld, count: number): Promise<void> {
  const state = perf(world);
  const api = world.actor.api;
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) => `shown-${start + i + 1}`);
    const created = await Promise.all(batch.map((alias) => api.post<Vm>('/api/v1/vms', { name: world.unique(alias), tags: [world.scenarioTag] })));
    for (const response of created) {
      expectStatus(response, 201, 'putting a virtual machine on the dashboard');
      state.seeded.push(response.data);
      state.created.add(response.data.id);
    }
  }
  registerVmCleanup(world);
  await waitUntilRunning(world, state.seeded.map((vm) => vm.id), 30_000);
}

/** One ledger entry deleting whatever VMs the scenario's load left, 10 at a time. */
function registerVmCleanup(world: NovaWorld): void {
  const state = perf(world);
  if (world.state.has('performance-cleanup')) return;
  world.state.set('performance-cleanup', true);
  world.ledger.add('virtual machines created by the load', async () => {
    const admin = await world.suite.admin();
    const ids = [...state.created];
    for (let start = 0; start < ids.length; start += 10) {
      const answers = await Promise.all(ids.slice(start, start + 10).map((id) => admin.delete(`/api/v1/vms/${id}`)));
      const failed = answers.filter((answer) => answer.status !== 200 && answer.status !== 404);
      if (failed.length > 0) throw new Error(`${failed.length} deletions answered ${failed.map((answer) => answer.status).join(', ')}`);
    }
    state.created.clear();
  });
}

async function scenarioVms(world: NovaWorld): Promise<Vm[]> {
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', { params: { tag: world.scenarioTag, page_size: 500 } });
  expectStatus(response, 200, "listing the scenario's virtual machines");
  return response.data.items;
}

async function waitUntilRunning(world: NovaWorld, ids: string[], timeoutMs: number): Promise<number> {
  const wanted = new Set(ids);
  const { elapsedMs } = await eventually(
    async () => (await scenarioVms(world)).filter((vm) => wanted.has(vm.id) && vm.state === 'running').length,
    (running) => running === wanted.size,
    { timeoutMs, intervalMs: 100, what: `${wanted.size} virtual machines running` },
  );
  return elapsedMs;
}

/** One account per simulated user (viewers, deleted after the scenario), signed in. */
async function createLoadAccounts(world: NovaWorld, count: number): Promise<string[]> {
  const state = perf(world);
  const admin = await world.suite.admin();
  for (let start = state.users.length; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) => start + i + 1);
    const tokens = await Promise.all(
      batch.map(async (n) => {
        const username = world.unique(`user-${n}`);
        const password = `load-${world.runId}-${n}`;
        const created = await admin.post<{ id: string }>('/api/v1/users', { username, email: `${username}@load.novacron.test`, password, role: 'viewer' });
        expectStatus(created, 201, `creating the account of load user ${n}`);
        world.ledger.add(`load user ${username}`, async () => {
          const deleted = await (await world.suite.admin()).delete(`/api/v1/users/${created.data.id}`);
          if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
        });
        return (await login(world, username, password)).token;
      }),
    );
    state.users.push(...tokens);
  }
  return state.users.slice(0, count);
}

/** The value of a profile path's `{vm}`: one of the scenario's VMs, taken in turn. */
function bindVm(world: NovaWorld): (name: string, index: number) => string {
  return (name, index) => {
    const seeded = perf(world).seeded;
    if (name !== 'vm') throw new Error(`a dashboard request names {${name}}, expected only {vm}`);
    if (seeded.length === 0) throw new Error('the views of a virtual machine need virtual machines: add "Given 20 virtual machines are on the dashboard"');
    return seeded[index % seeded.length].id;
  };
}

/**
 * Reads each of a profile's requests once through the API client before loading them: a view the
 * target does not have fails the scenario as not implemented (the load engine itself only counts answers).
 */
async function expectRequestsExist(world: NovaWorld, profile: LoadProfile): Promise<void> {
  const admin = await world.suite.admin();
  const bind = bindVm(world);
  for (const request of profile.requests) {
    if ((request.method ?? 'GET') !== 'GET') continue;
    await admin.get(request.path.replace(/\{(\w+)\}/g, (_, name: string) => bind(name, 0)));
  }
}

// ---------------------------------------------------------------------------------------------
// Concurrent VM operations

export async function createVmsUnderLoad(world: NovaWorld, count: number, concurrency: number): Promise<void> {
  const state = perf(world);
  registerVmCleanup(world);
  announce(world, `🔄 Creating ${count} VMs with ${concurrency} concurrent requests...`);
  const names = Array.from({ length: count }, (_, i) => world.unique(`load-${i + 1}`));
  state.requestedVms = count;
  state.result = await withClient(loadClient(world, concurrency), (client) =>
    new LoadTestRunner().executeConcurrentRequests(
      names,
      async (name) => {
        const response = await client.json<Vm>({ method: 'POST', path: '/api/v1/vms', json: { name, tags: [world.scenarioTag] } });
        if (response.status === 201 && response.data) state.created.add(response.data.id);
        return response;
      },
      { concurrency, label: 'VM creation' },
    ),
  );
  publish(world, 'VM Creation Results', 'VMs');
}

export async function expectCreatedVmsRunning(world: NovaWorld, count: number, withinMs: number): Promise<void> {
  const state = perf(world);
  assert.equal(state.created.size, count, `${state.created.size} of the ${count} virtual machines were created`);
  const elapsedMs = await waitUntilRunning(world, [...state.created], withinMs);
  world.metrics.record('all-vms-running', Math.round(elapsedMs));
  announce(world, `✅ All ${count} virtual machines running ${(elapsedMs / 1000).toFixed(2)} s after the last request was answered`);
}

/**
 * The total time and the throughput are recorded in the scenario's metrics, and they are what they
 * claim: every requested VM was asked for, the VMs counted as created are the ones that exist, the
 * throughput is those VMs over the total time, and the target's own creation times of them fit in
 * that total time (the load engine's clock is not simply trusted).
 */
export async function reportVmThroughput(world: NovaWorld): Promise<void> {
  const state = perf(world);
  const result = loadResult(world);
  assert.equal(result.requests, state.requestedVms, `the load sent ${result.requests} requests for ${state.requestedVms} virtual machines`);
  assert.equal(result.succeeded, state.created.size, `the load counts ${result.succeeded} successful requests, but ${state.created.size} virtual machines were created`);
  assert.ok(result.durationMs > 0 && state.created.size > 0, `the load measured ${result.durationMs} ms for ${state.created.size} virtual machines`);
  const throughput = state.created.size / (result.durationMs / 1000);
  assert.ok(
    Math.abs(result.successThroughput - throughput) <= throughput * 0.001,
    `the load reports ${result.successThroughput.toFixed(3)} VMs/s, but ${state.created.size} VMs in ${result.durationMs.toFixed(1)} ms is ${throughput.toFixed(3)} VMs/s`,
  );
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', { params: { tag: world.scenarioTag, page_size: 500 } });
  expectStatus(response, 200, 'listing the virtual machines the load created');
  const createdAt = response.data.items.filter((vm) => state.created.has(vm.id)).map((vm) => Date.parse(vm.created_at));
  assert.equal(createdAt.length, state.created.size, `${createdAt.length} of the ${state.created.size} virtual machines the load created are listed`);
  const spanMs = Math.max(...createdAt) - Math.min(...createdAt);
  assert.ok(spanMs <= result.durationMs + 1000, `the target created the virtual machines over ${spanMs} ms, more than the ${result.durationMs.toFixed(0)} ms the load reports as its total time`);
  world.metrics.record('vm-creation-total-time', Math.round(result.durationMs));
  world.metrics.record('vm-creation-throughput', result.successThroughput, 'VMs/s');
  announce(world, `⏱️  Total time ${result.durationMs.toFixed(2)} ms, throughput ${result.successThroughput.toFixed(2)} VMs/second`);
}

/** Reads the VM until it is running (each read timed as a "read"); the last answer, or a 504 after 500 reads. */
async function untilRunning(client: LoadHttpClient, id: string, breakdown: OperationBreakdown): Promise<LoadResponse> {
  let last: LoadResponse = { status: 0 };
  for (let attempt = 0; attempt < 500; attempt += 1) {
    last = await breakdown.time('read', () => client.json<Vm>({ path: `/api/v1/vms/${id}` }));
    const vm = (last as { data?: Vm }).data;
    if (last.status !== 200 || vm?.state === 'running') return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { status: 504, body: `virtual machine ${id} was not running after 500 reads` };
}

/** Each VM goes through create, (ready), stop, start and delete; every operation timed by kind. */
export async function runLifecycleMix(world: NovaWorld, count: number, concurrency: number): Promise<void> {
  const state = perf(world);
  registerVmCleanup(world);
  state.requestedVms = count;
  const breakdown = new OperationBreakdown();
  announce(world, `🔄 Taking ${count} VMs through create, stop, start and delete, ${concurrency} at a time...`);
  const names = Array.from({ length: count }, (_, i) => world.unique(`mix-${i + 1}`));
  const result = await withClient(loadClient(world, concurrency), (client) =>
    new LoadTestRunner().executeConcurrentRequests(
      names,
      async (name) => {
        const created = await breakdown.time('create', () => client.json<Vm>({ method: 'POST', path: '/api/v1/vms', json: { name, tags: [world.scenarioTag] } }));
        const id = created.data?.id;
        if (created.status !== 201 || !id) return created;
        state.created.add(id);
        const ready = await untilRunning(client, id, breakdown);
        if (ready.status !== 200) return ready;
        for (const action of ['stop', 'start'] as const) {
          const answer = await breakdown.time(action, () => client.send({ method: 'POST', path: `/api/v1/vms/${id}/${action}` }));
          if (answer.status !== 200) return answer;
        }
        const deleted = await breakdown.time('delete', () => client.send({ method: 'DELETE', path: `/api/v1/vms/${id}` }));
        if (deleted.status === 200) state.created.delete(id);
        return deleted;
      },
      { concurrency, label: 'VM lifecycle mix' },
    ),
  );
  state.operations = breakdown.results();
  state.result = { ...result, groups: state.operations };
  publish(world, 'VM Lifecycle Mix Results', 'journeys');
}

export function expectEveryOperationSucceeded(world: NovaWorld): void {
  const result = loadResult(world);
  const operations = perf(world).operations ?? {};
  const failed = Object.entries(operations).filter(([, op]) => op.successRate < 1);
  assert.deepEqual(
    failed.map(([name, op]) => `${name}: ${op.requests - op.succeeded} of ${op.requests} failed (${op.errorSamples.join('; ')})`),
    [],
    'operations of the mix failed',
  );
  assert.equal(result.failed, 0, `${result.failed} of ${result.requests} journeys failed: ${JSON.stringify(result.errorSamples)}`);
  for (const name of ['create', 'stop', 'start', 'delete']) assert.ok(operations[name]?.requests, `the mix never ran a ${name}`);
}

export function expectOperationPercentiles(world: NovaWorld, percentile: number, limitMs: number): void {
  const operations = perf(world).operations ?? {};
  const slow = Object.entries(operations)
    .filter(([name]) => name !== 'read')
    .map(([name, op]) => ({ name, value: percentileOf(op.latency, percentile) }))
    .filter(({ value }) => value >= limitMs);
  assert.deepEqual(slow.map(({ name, value }) => `${name}: ${value.toFixed(1)} ms`), [], `the ${percentile}th percentile of these operations is not below ${limitMs} ms`);
}

export async function expectNoVmLeft(world: NovaWorld, count: number): Promise<void> {
  const left = await scenarioVms(world);
  assert.equal(perf(world).requestedVms, count, `the mix asked for ${perf(world).requestedVms} virtual machines, not ${count}`);
  assert.deepEqual(left.map((vm) => `${vm.name} (${vm.state})`), [], `${left.length} of the ${count} virtual machines are still there`);
}

// ---------------------------------------------------------------------------------------------
// API endpoint load, sustained load, user load, benchmarks

interface ProfileRunOptions {
  /** the summary's title */
  title: string;
  /** the run's name in its figures and charts */
  label: string;
  /** connections of the load client (default: the profile's users, else 32) */
  connections?: number;
  /** watch the control plane's CPU and memory over the run */
  watchResources?: boolean;
  /** one bearer token per user (closed models): user i signs its requests with tokens[i] */
  tokens?: readonly string[];
}

/** Runs a dashboard load profile against the target: the summary, metrics and charts of any shape of load. */
export async function runDashboardProfile(world: NovaWorld, profile: LoadProfile, options: ProfileRunOptions): Promise<void> {
  await expectRequestsExist(world, profile);
  const { executor } = profile;
  const users = executor.kind === 'constant-users' ? executor.users : executor.kind === 'ramping-users' ? Math.ceil(Math.max(executor.startUsers, ...executor.stages.map((s) => s.target))) : undefined;
  const connections = options.connections ?? users ?? 32;
  const monitor = options.watchResources
    ? new ResourceMonitor(await resourceSourceFor(world.suite.apiUrl, METRICS_PATH, { authorization: `Bearer ${world.actor.token}` }))
    : undefined;
  await monitor?.start();
  const { tokens } = options;
  let result: LoadResult;
  try {
    result = await withClient(loadClient(world, connections, tokens ? null : world.actor.token), (client) =>
      runProfile(new LoadTestRunner(), profile, {
        label: options.label,
        bind: bindVm(world),
        send: (request, { worker }) =>
          client.send({ method: request.method ?? 'GET', path: request.path, ...(tokens ? { headers: { authorization: `Bearer ${tokens[worker]}` } } : {}) }),
      }),
    );
  } finally {
    if (monitor) perf(world).resources = await monitor.stop();
  }
  perf(world).result = result;
  publish(world, options.title, 'requests', monitor ? { resources: perf(world).resources } : {});
}

export async function loadDashboard(world: NovaWorld, requests: number, concurrency: number, views: readonly DashboardView[] = DASHBOARD_VIEWS): Promise<void> {
  announce(world, `🔄 ${requests} requests over ${views.length === 1 ? `the ${views[0]}` : `${views.length} dashboard views`} with ${concurrency} concurrent connections...`);
  const title = views.length === 1 ? `${capitalise(views[0])} Results` : 'Dashboard Load Results';
  const label = views.length === 1 ? `${views[0]} load` : "dashboard's views load";
  await runDashboardProfile(world, dashboardLoadProfile(requests, concurrency, views), { title, label });
}

export async function sustainLoad(world: NovaWorld, ratePerSecond: number, statedMs: number): Promise<void> {
  const durationMs = effectiveDurationMs(world, statedMs);
  const shortened = durationMs === statedMs ? '' : ` (shortened from ${statedMs / 1000} s by the ci test mode)`;
  announce(world, `🔄 ${ratePerSecond} requests per second for ${durationMs / 1000} s${shortened}, watching the control plane's resources...`);
  await runDashboardProfile(world, sustainedProfile(ratePerSecond, durationMs), { title: 'Sustained Load Results', label: 'Sustained load', connections: 32, watchResources: true });
}

export async function prepareUsers(world: NovaWorld): Promise<void> {
  await createLoadAccounts(world, world.suite.config.loadUsers);
}

export async function runConfiguredUserLoad(world: NovaWorld): Promise<void> {
  const { loadUsers, loadDurationMs, loadRampUpMs, loadThinkTimeMs } = world.suite.config;
  const durationMs = effectiveDurationMs(world, loadDurationMs);
  const rampUpMs = Math.min(effectiveDurationMs(world, loadRampUpMs), durationMs);
  announce(world, `📊 Load Test Configuration: ${JSON.stringify({ concurrent_users: loadUsers, test_duration: durationMs, ramp_up_time: rampUpMs, think_time: loadThinkTimeMs }, null, 2)}`);
  const tokens = await createLoadAccounts(world, loadUsers);
  await runDashboardProfile(world, userLoadProfile(loadUsers, durationMs, rampUpMs, loadThinkTimeMs), { title: 'User Load Results', label: 'User load', tokens });
}

/**
 * Traffic to the dashboard's views in stages, of requests per second or of users (each with an
 * account of their own), as a feature's table states them; the `ci` test mode shortens every stage
 * alike (the whole never below 5 s).
 */
export async function runStagedDashboardLoad(world: NovaWorld, shape: 'rate' | 'users', start: number, stages: readonly Stage[]): Promise<void> {
  const stated = stagedDashboardProfile(shape, start, stages);
  const statedMs = profileDurationMs(stated.executor) ?? 0;
  const profile = scaleProfile(stated, effectiveDurationMs(world, statedMs) / statedMs);
  const shortened = profile === stated || statedMs === profileDurationMs(profile.executor) ? '' : ` (shortened from ${statedMs / 1000} s by the ci test mode)`;
  announce(world, `🔄 The dashboard's views: ${describeExecutor(profile.executor)}${shortened}...`);
  // Users come with accounts of their own, as in the configured user load: one client's rate limit
  // would otherwise measure the limit, not the control plane.
  const users = Math.ceil(Math.max(start, ...stages.map((stage) => stage.target)));
  const tokens = shape === 'users' ? await createLoadAccounts(world, users) : undefined;
  await runDashboardProfile(world, profile, {
    ...(tokens ? { tokens } : {}),
    title: shape === 'rate' ? 'Staged Traffic Results' : 'Staged Users Results',
    label: shape === 'rate' ? 'Staged traffic' : 'Staged users',
    ...(shape === 'rate' ? { connections: 32 } : {}),
  });
}

/** How long the configured user load may take, for the step's timeout (the load, its ramp-up and a margin). */
export function userLoadTimeoutMs(config: { loadDurationMs: number; loadRampUpMs: number; timeoutMs: number }): number {
  return Math.max(config.timeoutMs, config.loadDurationMs + config.loadRampUpMs + 120_000);
}

export function expectSuccessRate(world: NovaWorld, atLeast: number): void {
  const result = loadResult(world);
  assert.ok(
    result.successRate >= atLeast,
    `${(100 * result.successRate).toFixed(2)}% of ${result.requests} requests succeeded, expected at least ${(100 * atLeast).toFixed(2)}%: ${JSON.stringify(result.errors)} ${JSON.stringify(result.errorSamples)}`,
  );
}

export function expectFailureRate(world: NovaWorld, atMost: number): void {
  const result = loadResult(world);
  const failed = 1 - result.successRate;
  assert.ok(failed <= atMost, `${(100 * failed).toFixed(2)}% of ${result.requests} requests failed, expected at most ${(100 * atMost).toFixed(2)}%: ${JSON.stringify(result.errorSamples)}`);
}

function percentileOf(latency: LoadResult['latency'], percentile: number): number {
  const known: Record<number, number> = { 50: latency.p50, 90: latency.p90, 95: latency.p95, 99: latency.p99, 100: latency.max };
  const value = known[percentile];
  if (value === undefined) throw new Error(`percentile: got ${percentile}, expected one of 50, 90, 95, 99`);
  return value;
}

export function expectPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  const value = percentileOf(loadResult(world).latency, percentile);
  assert.ok(value < limitMs, `the ${percentile}th percentile response time was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export function expectAverageBelow(world: NovaWorld, limitMs: number): void {
  const { avg } = loadResult(world).latency;
  assert.ok(avg < limitMs, `the average response time was ${avg.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export function expectThroughputAtLeast(world: NovaWorld, perSecond: number): void {
  const result = loadResult(world);
  assert.ok(result.successThroughput >= perSecond, `the throughput was ${result.successThroughput.toFixed(1)} requests per second, expected at least ${perSecond}`);
}

export function expectEveryViewAnswered(world: NovaWorld): void {
  const groups = loadResult(world).groups ?? {};
  const silent = DASHBOARD_VIEWS.filter((view) => !groups[view] || groups[view].succeeded === 0);
  assert.deepEqual(silent, [], 'these views of the dashboard never answered successfully');
}

export function expectTargetRateAchieved(world: NovaWorld, share: number): void {
  const result = loadResult(world);
  const target = result.targetRate ?? 0;
  assert.ok(target > 0, 'the last load had no target rate (it was not an open-model load)');
  const achieved = result.successThroughput / target;
  assert.ok(achieved >= share, `${(100 * achieved).toFixed(1)}% of the target rate of ${target} requests per second was achieved, expected at least ${(100 * share).toFixed(0)}%`);
}

type AvailableResources = Extract<ResourceReport, { available: true }>;

/** How to give the suite the control plane's resource figures, for the one-line failure when it has none. */
const RESOURCES_HOWTO = `run the target on this machine (its process is read from /proc) or serve its figures at ${METRICS_PATH} (NovaCron's JSON, contract/domains/system-metrics.yaml) or as Prometheus process_cpu_seconds_total and process_resident_memory_bytes`;

/** The resource figures; fails with what is missing and how to provide it when the target offers none (never skips). */
function resources(world: NovaWorld): AvailableResources {
  const report = perf(world).resources;
  if (!report) throw new Error("the control plane's resources were not watched in this scenario");
  if (!report.available) throw new Error(`the control plane's resource figures are missing (${report.reason}): ${RESOURCES_HOWTO}`);
  return report;
}

export function expectCpuBelow(world: NovaWorld, share: number): void {
  const report = resources(world);
  assert.ok(report.cpuPercent < 100 * share, `the control plane used ${report.cpuPercent.toFixed(1)}% of a core over ${report.windowSeconds.toFixed(0)} s, expected below ${(100 * share).toFixed(0)}%`);
}

export function expectPeakMemoryBelow(world: NovaWorld, share: number): void {
  const report = resources(world);
  if (report.peakMemoryPercentOfHost === undefined) {
    throw new Error(
      `the host's memory is missing from ${report.source} (peak memory was ${report.peakRssMb.toFixed(1)} MB): serve host.memory_bytes and host.cpus at ${METRICS_PATH} (contract/domains/system-metrics.yaml), or run the target on this machine`,
    );
  }
  assert.ok(
    report.peakMemoryPercentOfHost < 100 * share,
    `the control plane's peak memory was ${report.peakRssMb.toFixed(1)} MB, ${report.peakMemoryPercentOfHost.toFixed(1)}% of the host's, expected below ${(100 * share).toFixed(0)}%`,
  );
}

export function expectMemoryGrowthBelow(world: NovaWorld, megabytes: number): void {
  const report = resources(world);
  assert.ok(report.rssGrowthMb < megabytes, `the control plane's memory grew by ${report.rssGrowthMb.toFixed(1)} MB over the run, expected less than ${megabytes} MB`);
}

// ---------------------------------------------------------------------------------------------
// Stress: the scalability limits

export function setServiceLimits(world: NovaWorld, maxErrorRate: number, maxP99Ms: number): void {
  perf(world).limits = { maxErrorRate, maxP99Ms };
}

export async function raiseConcurrency(world: NovaWorld, from: number, to: number, statedStepMs: number): Promise<void> {
  const state = perf(world);
  const limits = state.limits;
  if (!limits) throw new Error('no service limits were stated: add "Given the service limits are: ..."');
  if (!(from >= 1 && to >= from)) throw new Error(`concurrency steps: got ${from} to ${to}, expected 1 <= from <= to`);
  const steps: number[] = [];
  for (let concurrency = from; concurrency <= to; concurrency *= 2) steps.push(concurrency);
  const stepDurationMs = effectiveDurationMs(world, statedStepMs);
  state.capacityPlan = { steps, stepDurationMs };
  const tokens = await createLoadAccounts(world, STRESS_ACCOUNTS);
  announce(world, `🔄 Raising concurrent requests to the virtual machine list through ${steps.join(', ')}, ${stepDurationMs / 1000} s per step...`);
  const listPath = dashboardRequests(['virtual machine list'])[0].path;
  state.capacity = await withClient(loadClient(world, to, null), (client) =>
    findCapacity(
      new LoadTestRunner(),
      ({ index }) => client.send({ path: listPath, headers: { authorization: `Bearer ${tokens[index % tokens.length]}` } }),
      {
        steps,
        stepDurationMs,
        limits,
        label: 'VM list',
        onStep: (step) =>
          announce(
            world,
            `  ${String(step.concurrency).padStart(4)} concurrent: ${step.result.successThroughput.toFixed(0)} req/s, p99 ${step.result.latency.p99.toFixed(1)} ms, ${(100 * (1 - step.result.successRate)).toFixed(2)}% failed${step.breach ? ` - over the limits: ${step.breach}` : ''}`,
          ),
      },
    ),
  );
}

/**
 * The maximum sustainable concurrency and throughput are recorded, and they follow from the steps
 * that ran: the planned steps in order, each measured for its whole duration, the search stopped at
 * the first step over the limits (and only there), each verdict agrees with the step's own figures,
 * and the maximum is the last step within the limits and the best throughput among those steps.
 */
export function reportCapacity(world: NovaWorld): void {
  const { capacity, capacityPlan: plan } = perf(world);
  if (!capacity || !plan) throw new Error('no capacity search has run in this scenario');
  const ran = capacity.steps.map((step) => step.concurrency);
  assert.deepEqual(ran, plan.steps.slice(0, ran.length), `the capacity search ran the steps ${ran.join(', ')}, not the planned ${plan.steps.join(', ')}`);
  for (const step of capacity.steps) {
    const { result } = step;
    assert.ok(result.requests > 0, `the step at ${step.concurrency} concurrent requests sent nothing`);
    assert.ok(result.durationMs >= 0.9 * plan.stepDurationMs, `the step at ${step.concurrency} concurrent requests lasted ${result.durationMs.toFixed(0)} ms, not the ${plan.stepDurationMs} ms planned`);
    assert.equal(step.breach, breachOf(result, capacity.limits), `the verdict on the step at ${step.concurrency} concurrent requests does not follow from its figures`);
    assert.equal(step.withinLimits, step.breach === undefined, `the step at ${step.concurrency} concurrent requests is both over and within the limits`);
  }
  const over = capacity.steps.findIndex((step) => !step.withinLimits);
  if (over >= 0) assert.equal(over, capacity.steps.length - 1, `the capacity search went on after the limits were crossed at ${capacity.steps[over].concurrency}`);
  else assert.equal(ran.length, plan.steps.length, `the capacity search stopped at ${ran[ran.length - 1]} although no step crossed the limits`);
  assert.equal(capacity.limitReachedAt, over >= 0 ? capacity.steps[over].concurrency : undefined, 'the capacity search names another step as the one that crossed the limits');
  const within = capacity.steps.filter((step) => step.withinLimits);
  assert.equal(capacity.maxSustainableConcurrency, within.length > 0 ? within[within.length - 1].concurrency : 0, 'the maximum sustainable concurrency is not the last step within the limits');
  assert.equal(
    capacity.maxSustainableThroughput,
    within.length > 0 ? Math.max(...within.map((step) => step.result.successThroughput)) : 0,
    'the maximum sustainable throughput is not the best throughput of the steps within the limits',
  );
  if (within.length > 0) assert.ok(capacity.maxSustainableThroughput > 0, 'steps stayed within the limits but none answered a request');
  world.metrics.record('max-sustainable-concurrency', capacity.maxSustainableConcurrency, 'concurrent requests');
  world.metrics.record('max-sustainable-throughput', capacity.maxSustainableThroughput, 'requests/s');
  world.metrics.detail('capacity', capacity);
  const reached = capacity.limitReachedAt === undefined ? `no step crossed the limits up to ${capacity.steps[capacity.steps.length - 1].concurrency}` : `the limits were crossed at ${capacity.limitReachedAt}`;
  announce(world, `📈 Maximum sustainable: ${capacity.maxSustainableConcurrency} concurrent requests, ${capacity.maxSustainableThroughput.toFixed(0)} requests/s (${reached})`);
  world.attach(renderLoadReportHtml({ title: 'Scalability limits', capacity, limits: { p99Ms: capacity.limits.maxP99Ms } }), 'text/html');
}

export function expectSustainedConcurrency(world: NovaWorld, atLeast: number): void {
  const capacity = perf(world).capacity;
  if (!capacity) throw new Error('no capacity search has run in this scenario');
  assert.ok(
    capacity.maxSustainableConcurrency >= atLeast,
    `only ${capacity.maxSustainableConcurrency} concurrent requests were sustained within the limits (crossed at ${capacity.limitReachedAt}: ${capacity.steps.find((s) => s.breach)?.breach}), expected at least ${atLeast}`,
  );
}

// ---------------------------------------------------------------------------------------------
// WebSocket scaling

function streamUrl(world: NovaWorld, token: string): string {
  const url = new URL('/ws/events', world.suite.apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  url.searchParams.set('topics', 'vm');
  return url.toString();
}

async function eventSubscribers(world: NovaWorld): Promise<number> {
  const response = await world.actor.api.get<{ connections: { event_subscribers: number } }>(METRICS_PATH);
  expectStatus(response, 200, "reading the control plane's connection figures");
  return response.data.connections.event_subscribers;
}

export async function connectDashboards(world: NovaWorld, count: number): Promise<void> {
  const state = perf(world);
  state.subscribersBefore = await eventSubscribers(world);
  const load = new WebSocketLoad({ url: streamUrl(world, world.actor.token), connections: count, label: `${count} dashboards` });
  state.websocket = load;
  world.ledger.add('real-time connections of the load', () => load.close());
  announce(world, `🔌 Connecting ${count} dashboards to the real-time stream...`);
  state.connect = await load.open();
  const connect = state.connect;
  world.metrics.record('ws-connected', connect.connected, 'connections');
  world.metrics.record('ws-connect-p95', connect.connectTime.p95);
  world.metrics.record('ws-connect-all', Math.round(connect.totalMs));
  announce(
    world,
    `📊 WebSocket connections: ${connect.connected}/${connect.attempted} connected in ${connect.totalMs.toFixed(0)} ms (p50 ${connect.connectTime.p50.toFixed(1)} ms, p95 ${connect.connectTime.p95.toFixed(1)} ms, max ${connect.connectTime.max.toFixed(1)} ms)${connect.failed ? `; failures: ${connect.errorSamples.join('; ')}` : ''}`,
  );
}

function websocketLoad(world: NovaWorld): WebSocketLoad {
  const load = perf(world).websocket;
  if (!load) throw new Error('no dashboards are connected in this scenario');
  return load;
}

export function expectAllConnected(world: NovaWorld, count: number): void {
  const connect = perf(world).connect;
  assert.ok(connect, 'no dashboards were connected');
  assert.equal(connect.connected, count, `${connect.connected} of ${count} dashboards connected: ${connect.errorSamples.join('; ')}`);
}

export function expectConnectPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  const connect = perf(world).connect;
  assert.ok(connect, 'no dashboards were connected');
  const value = percentileOf(connect.connectTime, percentile);
  assert.ok(value < limitMs, `the ${percentile}th percentile connection time was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export async function announceVms(world: NovaWorld, count: number): Promise<void> {
  const state = perf(world);
  const load = websocketLoad(world);
  registerVmCleanup(world);
  for (let i = 1; i <= count; i += 1) {
    const name = world.unique(`announced-${i}`);
    const delivery = await load.deliver(
      `${name} created`,
      async () => {
        const response = await world.actor.api.post<Vm>('/api/v1/vms', { name, tags: [world.scenarioTag] });
        expectStatus(response, 201, `requesting ${name}`);
        state.created.add(response.data.id);
      },
      (message) => {
        const event = message as { type?: string; data?: { name?: string } };
        return event.type === 'vm.created' && event.data?.name === name;
      },
      10_000,
    );
    state.deliveries.push(delivery);
  }
  const result = load.result();
  world.metrics.detail('websocket', result);
  const worst = Math.max(...state.deliveries.map((d) => d.latency.p95));
  world.metrics.record('ws-delivery-p95', worst);
  announce(
    world,
    ['📊 Real-time delivery:', ...state.deliveries.map((d) => `  - ${d.event}: ${d.received}/${d.expected} dashboards, p50 ${d.latency.p50.toFixed(1)} ms, p95 ${d.latency.p95.toFixed(1)} ms, max ${d.latency.max.toFixed(1)} ms`)].join('\n'),
  );
  world.attach(renderLoadReportHtml({ title: 'Real-time updates at scale', websocket: result }), 'text/html');
}

export function expectEveryDashboardInformed(world: NovaWorld): void {
  const deliveries = perf(world).deliveries;
  assert.ok(deliveries.length > 0, 'no update was announced');
  const incomplete = deliveries.filter((d) => d.missing > 0 || d.expected === 0);
  assert.deepEqual(incomplete.map((d) => `${d.event}: ${d.received} of ${d.expected} dashboards`), [], 'not every dashboard received every update');
}

export function expectDeliveryPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  for (const delivery of perf(world).deliveries) {
    const value = percentileOf(delivery.latency, percentile);
    assert.ok(value < limitMs, `the ${percentile}th percentile delivery time of "${delivery.event}" was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
  }
}

export async function disconnectDashboards(world: NovaWorld): Promise<void> {
  await websocketLoad(world).close();
}

export async function expectConnectionsReleased(world: NovaWorld, withinMs: number): Promise<void> {
  const before = perf(world).subscribersBefore;
  if (before === undefined) throw new Error('the connection figures were not read before the dashboards connected');
  const { elapsedMs } = await eventually(() => eventSubscribers(world), (now) => now <= before, {
    timeoutMs: withinMs,
    intervalMs: 100,
    what: `the control plane releasing the dashboards' subscriptions (back to ${before})`,
  });
  world.metrics.record('ws-release-time', Math.round(elapsedMs));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Auto-scaling under load

interface ScalingGroupView {
  id: string;
  name: string;
  min_size: number;
  current_size: number;
  members: string[];
}

interface ScalingDecisionView {
  id: string;
  action: 'scale-up' | 'scale-down';
  metric: 'cpu' | 'memory';
  from_size: number;
  to_size: number;
  vm_id: string;
  decided_at: string;
}

export type LoadedResource = 'processor' | 'memory';

interface ScalingState {
  group?: ScalingGroupView;
  loadAppliedAt?: number;
  decisionsBefore: number;
  decision?: ScalingDecisionView;
  timings: Record<string, number>;
}

const IDLE = { cpu_usage: 5, memory_usage: 20 };

function scaling(world: NovaWorld): ScalingState {
  return world.domain('performance-scaling', (): ScalingState => ({ decisionsBefore: 0, timings: {} }));
}

function scalingGroup(world: NovaWorld): ScalingGroupView {
  const group = scaling(world).group;
  if (!group) throw new Error('no scaling group exists in this scenario: add "Given a scaling group of 2 machines that may grow to 4"');
  return group;
}

async function readGroup(world: NovaWorld): Promise<ScalingGroupView> {
  const response = await world.actor.api.get<ScalingGroupView>(`/api/v1/autoscaling/groups/${scalingGroup(world).id}`);
  expectStatus(response, 200, 'reading the scaling group');
  return response.data;
}

async function decisions(world: NovaWorld): Promise<ScalingDecisionView[]> {
  const response = await world.actor.api.get<{ items: ScalingDecisionView[] }>(`/api/v1/autoscaling/groups/${scalingGroup(world).id}/events`);
  expectStatus(response, 200, "reading the scaling group's decisions");
  return response.data.items;
}

export async function createScalingGroup(world: NovaWorld, size: number, maxSize: number): Promise<void> {
  const response = await world.actor.api.post<ScalingGroupView>('/api/v1/autoscaling/groups', {
    name: world.unique('tier').slice(0, 40),
    min_size: size,
    desired_size: size,
    max_size: maxSize,
    vm_template: { tags: [world.scenarioTag] },
  });
  expectStatus(response, 201, 'creating the scaling group');
  const group = response.data;
  scaling(world).group = group;
  world.ledger.add(`scaling group ${group.name}`, async () => {
    const deleted = await (await world.suite.admin()).delete(`/api/v1/autoscaling/groups/${group.id}`);
    if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${deleted.status}`);
  });
  await eventually(() => readGroup(world), (g) => g.current_size === size, { timeoutMs: 10_000, what: `the group having ${size} members` });
  await waitUntilRunning(world, (await readGroup(world)).members, 10_000);
}

async function setGroupLoad(world: NovaWorld, load: { cpu_usage: number; memory_usage: number }): Promise<void> {
  const state = scaling(world);
  state.decisionsBefore = (await decisions(world)).length;
  state.loadAppliedAt = performance.now();
  const response = await (await world.suite.admin()).post(`/api/v1/simulation/autoscaling/groups/${scalingGroup(world).id}/load`, load);
  expectStatus(response, 200, "setting the group's simulated load");
  announce(world, `🔥 Group load set to CPU ${load.cpu_usage}%, memory ${load.memory_usage}%`);
}

export async function loadGroup(world: NovaWorld, resource: LoadedResource, percent: number): Promise<void> {
  await setGroupLoad(world, resource === 'processor' ? { ...IDLE, cpu_usage: percent } : { ...IDLE, memory_usage: percent });
}

export async function idleGroup(world: NovaWorld): Promise<void> {
  await setGroupLoad(world, IDLE);
}

function sinceLoadMs(world: NovaWorld): number {
  const appliedAt = scaling(world).loadAppliedAt;
  if (appliedAt === undefined) throw new Error('no load was applied to the group');
  return performance.now() - appliedAt;
}

export async function expectScaleUp(world: NovaWorld, resource: LoadedResource, withinMs: number): Promise<void> {
  const state = scaling(world);
  const { value } = await eventually(() => decisions(world), (list) => list.slice(state.decisionsBefore).some((d) => d.action === 'scale-up'), {
    timeoutMs: withinMs,
    intervalMs: 25,
    what: `a scale-up decision after the ${resource} load`,
  });
  const responseMs = sinceLoadMs(world);
  const decision = value.slice(state.decisionsBefore).find((d) => d.action === 'scale-up')!;
  state.decision = decision;
  state.timings['scale-up-response'] = responseMs;
  world.metrics.record('scale-up-response', Math.round(responseMs));
  const metric = resource === 'processor' ? 'cpu' : 'memory';
  assert.equal(decision.metric, metric, `the group scaled up because of its ${decision.metric}, not its ${metric}`);
  announce(world, `✅ Scale-up decided ${responseMs.toFixed(0)} ms after the ${resource} load (${decision.from_size} -> ${decision.to_size} machines)`);
}

export async function expectNewMachineRunning(world: NovaWorld, withinMs: number): Promise<void> {
  const state = scaling(world);
  const decision = state.decision;
  if (!decision) throw new Error('the group has not scaled up');
  const started = performance.now();
  await eventually(
    async () => {
      const response = await world.actor.api.get<Vm>(`/api/v1/vms/${decision.vm_id}`);
      return response.status === 200 ? response.data.state : `HTTP ${response.status}`;
    },
    (vmState) => vmState === 'running',
    { timeoutMs: withinMs, intervalMs: 25, what: `the new machine ${decision.vm_id} running` },
  );
  const readyMs = performance.now() - started;
  state.timings['new-machine-ready'] = readyMs;
  world.metrics.record('new-machine-ready', Math.round(readyMs));
  announce(world, `✅ The new machine was running ${readyMs.toFixed(0)} ms after the decision was seen (${sinceLoadMs(world).toFixed(0)} ms after the load)`);
}

export async function expectShrinkBack(world: NovaWorld, size: number, withinMs: number): Promise<void> {
  const { elapsedMs } = await eventually(() => readGroup(world), (group) => group.current_size === size, {
    timeoutMs: withinMs,
    intervalMs: 50,
    what: `the group shrinking back to ${size} machines once idle`,
  });
  const scaleDowns = (await decisions(world)).slice(scaling(world).decisionsBefore).filter((d) => d.action === 'scale-down');
  assert.ok(scaleDowns.length > 0, 'the group reached its size without any scale-down decision');
  const shrinkMs = sinceLoadMs(world);
  world.metrics.record('scale-down-complete', Math.round(shrinkMs));
  world.metrics.detail('autoscaling', { timings: scaling(world).timings, scaleDowns: scaleDowns.length });
  announce(world, `✅ Load decrease detected: ${scaleDowns.length} scale-down decision(s), back to ${size} machines ${shrinkMs.toFixed(0)} ms after the load fell (seen after ${elapsedMs.toFixed(0)} ms of watching)`);
}

// The frontend's budgets: what the dashboard's screens wait for, timed as a browser would see it.

interface ScreenTimings {
  firstScreenMs: number;
  firstPageMs: number;
  /** Pages after the first, in order. */
  laterPagesMs: number[];
  allMachinesMs: number;
  machines: number;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/**
 * Opens the dashboard the way its first screen does (summary, health and the first page of the
 * machine list at once), then pages through the scenario's machines one page after another.
 */
export async function openDashboardAndPage(world: NovaWorld, pageSize: number): Promise<void> {
  const api = world.actor.api;
  const tag = world.scenarioTag;
  const page = (n: number) => timed(() => readPage(world, n, pageSize));
  const started = performance.now();
  const [summary, health, first] = await Promise.all([
    timed(() => api.get('/api/v1/dashboard/summary', { params: { tag } })),
    timed(() => api.get('/api/v1/health')),
    page(1),
  ]);
  expectStatus(summary.value, 200, "loading the dashboard's summary");
  expectStatus(health.value, 200, "loading the dashboard's health overview");
  const firstScreenMs = performance.now() - started;
  const ids = new Set(first.value.items.map((vm) => vm.id));
  const laterPagesMs: number[] = [];
  for (let n = 2; (n - 1) * pageSize < first.value.total; n++) {
    const next = await page(n);
    laterPagesMs.push(next.ms);
    next.value.items.forEach((vm) => ids.add(vm.id));
  }
  const timings: ScreenTimings = { firstScreenMs, firstPageMs: first.ms, laterPagesMs, allMachinesMs: performance.now() - started, machines: ids.size };
  perf(world).screens = timings;
  world.metrics.record('dashboard-first-screen-time', Math.round(timings.firstScreenMs));
  world.metrics.record('vm-list-first-page-time', Math.round(timings.firstPageMs));
  world.metrics.record('vm-list-slowest-page-time', Math.round(Math.max(timings.firstPageMs, ...laterPagesMs)));
  world.metrics.record('vm-list-all-machines-time', Math.round(timings.allMachinesMs));
  announce(
    world,
    `📋 first screen ${timings.firstScreenMs.toFixed(0)} ms, first page ${timings.firstPageMs.toFixed(0)} ms, ` +
      `later pages ${laterPagesMs.map((ms) => ms.toFixed(0)).join(' / ')} ms, all ${timings.machines} machines ${timings.allMachinesMs.toFixed(0)} ms`,
  );
}

function screens(world: NovaWorld): ScreenTimings {
  const timings = perf(world).screens;
  if (!timings) throw new Error('the dashboard has not been opened in this scenario');
  return timings;
}

export function expectFirstScreenWithin(world: NovaWorld, limitMs: number): void {
  const { firstScreenMs } = screens(world);
  assert.ok(firstScreenMs < limitMs, `the dashboard's first screen had its data after ${firstScreenMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}

export function expectFirstPageWithin(world: NovaWorld, limitMs: number): void {
  const { firstPageMs } = screens(world);
  assert.ok(firstPageMs < limitMs, `the first page of the virtual machine list arrived after ${firstPageMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}

export function expectEveryLaterPageWithin(world: NovaWorld, limitMs: number): void {
  const { laterPagesMs } = screens(world);
  assert.ok(laterPagesMs.length > 0, 'the virtual machine list fitted on one page: there was no further page to time');
  const slow = laterPagesMs.map((ms, i) => ({ page: i + 2, ms })).filter(({ ms }) => ms >= limitMs);
  assert.ok(
    slow.length === 0,
    `pages of the virtual machine list arrived later than ${limitMs} ms: ${slow.map(({ page, ms }) => `page ${page} after ${ms.toFixed(0)} ms`).join(', ')}`,
  );
}

export function expectAllMachinesWithin(world: NovaWorld, count: number, limitMs: number): void {
  const { allMachinesMs, machines } = screens(world);
  assert.equal(machines, count, `the pages held ${machines} distinct virtual machines, expected ${count}`);
  assert.ok(allMachinesMs < limitMs, `all ${count} virtual machines had arrived after ${allMachinesMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}
