/**
 * Load on the dashboard's views: a number of requests from concurrent connections, a sustained rate
 * with the control plane's resources watched, the configured simulated users, and staged traffic.
 */
import assert from 'node:assert/strict';
import { LoadTestRunner, type LoadResult, type ResourceReport } from '../../load';
import { describeExecutor, profileDurationMs, runProfile, scaleProfile, type LoadProfile } from '../../load/profile';
import type { Stage } from '../../load/schedule';
import type { NovaWorld } from '../../world';
import { DASHBOARD_VIEWS, dashboardLoadProfile, stagedDashboardProfile, sustainedProfile, userLoadProfile, type DashboardView } from '../load-profiles';
import { startWatchingResources, stopWatchingResources } from './control-plane-resources';
import { effectiveDurationMs } from './durations';
import { loadClient, withClient } from './load-client';
import { announce, keepLoadResult, latestLoadResult, publishLoad } from './load-figures';
import { createLoadAccounts, seededVms } from './load-fixtures';

/** The value of a profile path's `{vm}`: one of the scenario's VMs, taken in turn. */
function bindVm(world: NovaWorld): (name: string, index: number) => string {
  return (name, index) => {
    const seeded = seededVms(world);
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
async function runDashboardProfile(world: NovaWorld, profile: LoadProfile, options: ProfileRunOptions): Promise<void> {
  await expectRequestsExist(world, profile);
  const { executor } = profile;
  const users = executor.kind === 'constant-users' ? executor.users : executor.kind === 'ramping-users' ? Math.ceil(Math.max(executor.startUsers, ...executor.stages.map((s) => s.target))) : undefined;
  const connections = options.connections ?? users ?? 32;
  const monitor = options.watchResources ? await startWatchingResources(world) : undefined;
  const { tokens } = options;
  let result: LoadResult;
  let resources: ResourceReport | undefined;
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
    if (monitor) resources = await stopWatchingResources(world, monitor);
  }
  keepLoadResult(world, result);
  publishLoad(world, options.title, 'requests', monitor ? { resources } : {});
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

/** The accounts of the configured number of users, made before their load starts. */
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

export function expectEveryViewAnswered(world: NovaWorld): void {
  const groups = latestLoadResult(world).groups ?? {};
  const silent = DASHBOARD_VIEWS.filter((view) => !groups[view] || groups[view].succeeded === 0);
  assert.deepEqual(silent, [], 'these views of the dashboard never answered successfully');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
