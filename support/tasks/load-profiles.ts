import type { LoadProfile, ProfileRequest, Threshold } from '../load/profile';
import type { Stage } from '../load/schedule';

/**
 * The load profiles of the performance scenarios, as data: what a dashboard requests, in which
 * shape over time, and the service levels stated in the features. The scenarios build theirs from
 * the figures in their Gherkin; LOAD_PROFILES holds the same profiles at the guide's figures, by
 * name, for `npm run load:export`.
 */

/** The views a dashboard reads, in the business's words. */
export const DASHBOARD_VIEWS = ['virtual machine list', 'virtual machine details', 'virtual machine history', 'dashboard summary', 'health overview', 'my account'] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];

/** Each view's request; `{vm}` is one of the scenario's virtual machines, taken in turn. */
const VIEW_PATHS: Record<DashboardView, string> = {
  'virtual machine list': '/api/v1/vms?page=1&page_size=20',
  'virtual machine details': '/api/v1/vms/{vm}',
  'virtual machine history': '/api/v1/vms/{vm}/events',
  'dashboard summary': '/api/v1/dashboard/summary',
  'health overview': '/api/v1/health',
  'my account': '/api/auth/me',
};

export function dashboardRequests(views: readonly DashboardView[] = DASHBOARD_VIEWS): ProfileRequest[] {
  return views.map((view) => ({ name: view, method: 'GET', path: VIEW_PATHS[view] }));
}

const kebab = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** `requests` requests over the views from `concurrency` connections at once (load and benchmarks). */
export function dashboardLoadProfile(requests: number, concurrency: number, views: readonly DashboardView[] = DASHBOARD_VIEWS, thresholds: readonly Threshold[] = []): LoadProfile {
  return {
    name: views.length === 1 ? `${kebab(views[0])}-load` : 'dashboard-views',
    description: `${concurrency} concurrent connections make ${requests} requests across ${views.length === 1 ? `the ${views[0]}` : "the dashboard's views"}`,
    executor: { kind: 'constant-users', users: concurrency, iterations: requests },
    requests: dashboardRequests(views),
    thresholds,
  };
}

/** A steady `rate` requests per second over the views for `durationMs` (the open model). */
export function sustainedProfile(rate: number, durationMs: number, thresholds: readonly Threshold[] = []): LoadProfile {
  return {
    name: 'dashboard-sustained',
    description: `the dashboard's views receive ${rate} requests per second for ${durationMs / 1000} seconds`,
    executor: { kind: 'constant-arrival-rate', rate, durationMs },
    requests: dashboardRequests(),
    thresholds,
  };
}

/** `users` users, started evenly over `rampUpMs`, each reading the views until `durationMs` has passed. */
export function userLoadProfile(users: number, durationMs: number, rampUpMs: number, thinkTimeMs: number, thresholds: readonly Threshold[] = []): LoadProfile {
  const ramp = Math.min(rampUpMs, durationMs);
  const stages: Stage[] = [];
  if (ramp > 0) stages.push({ durationMs: ramp, target: users });
  if (durationMs > ramp) stages.push({ durationMs: durationMs - ramp, target: users });
  return {
    name: 'dashboard-users',
    description: `${users} users read the dashboard's views for ${durationMs / 1000} seconds, started over ${ramp / 1000} seconds`,
    executor: { kind: 'ramping-users', startUsers: ramp > 0 ? 0 : users, stages, thinkTimeMs },
    requests: dashboardRequests(),
    thresholds,
  };
}

/** Traffic to the views that follows stages: of requests per second (open) or of users (closed). */
export function stagedDashboardProfile(shape: 'rate' | 'users', start: number, stages: readonly Stage[], thresholds: readonly Threshold[] = [], name = shape === 'rate' ? 'dashboard-staged-traffic' : 'dashboard-staged-users'): LoadProfile {
  return {
    name,
    description: `${shape === 'rate' ? 'traffic' : 'users'} of the dashboard's views in ${stages.length} stages`,
    executor: shape === 'rate' ? { kind: 'ramping-arrival-rate', startRate: start, stages } : { kind: 'ramping-users', startUsers: start, stages },
    requests: dashboardRequests(),
    thresholds,
  };
}

const SECOND = 1000;

/** The profiles at the figures of the features and the guide, by name (`npm run load:export -- <name>`). */
export const LOAD_PROFILES: Readonly<Record<string, LoadProfile>> = Object.fromEntries(
  [
    dashboardLoadProfile(1000, 50, DASHBOARD_VIEWS, [
      { metric: 'failure-rate', atMost: 0.05 },
      { metric: 'latency', stat: 'p95', belowMs: 2 * SECOND },
      { metric: 'throughput', atLeast: 50 },
    ]),
    sustainedProfile(20, 60 * SECOND, [
      { metric: 'planned-rate-achieved', atLeast: 0.9 },
      { metric: 'failure-rate', atMost: 0.01 },
      { metric: 'latency', stat: 'p99', belowMs: 1 * SECOND },
    ]),
    userLoadProfile(50, 300 * SECOND, 60 * SECOND, 0, [
      { metric: 'failure-rate', atMost: 0.01 },
      { metric: 'latency', stat: 'p95', belowMs: 2 * SECOND },
    ]),
    stagedDashboardProfile(
      'rate',
      5,
      [
        { durationMs: 20 * SECOND, target: 40 },
        { durationMs: 20 * SECOND, target: 40 },
        { durationMs: 10 * SECOND, target: 5 },
      ],
      [
        { metric: 'failure-rate', atMost: 0.01 },
        { metric: 'latency', stat: 'p95', belowMs: 2 * SECOND },
        { metric: 'planned-rate-achieved', atLeast: 0.9 },
      ],
    ),
    stagedDashboardProfile(
      'users',
      0,
      [
        { durationMs: 10 * SECOND, target: 20 },
        { durationMs: 20 * SECOND, target: 20 },
        { durationMs: 10 * SECOND, target: 0 },
      ],
      [
        { metric: 'failure-rate', atMost: 0.01 },
        { metric: 'latency', stat: 'p95', belowMs: 2 * SECOND },
      ],
    ),
    // A spike: calm, ten times the traffic within a second, held, and calm again.
    stagedDashboardProfile(
      'rate',
      5,
      [
        { durationMs: 10 * SECOND, target: 5 },
        { durationMs: 1 * SECOND, target: 50 },
        { durationMs: 10 * SECOND, target: 50 },
        { durationMs: 1 * SECOND, target: 5 },
        { durationMs: 10 * SECOND, target: 5 },
      ],
      [
        { metric: 'planned-rate-achieved', atLeast: 0.9 },
        { metric: 'failure-rate', atMost: 0.01 },
        { metric: 'latency', stat: 'p95', belowMs: 2 * SECOND },
      ],
      'dashboard-spike',
    ),
  ].map((profile) => [profile.name, profile]),
);

const UNIT_MS: Record<string, number> = { millisecond: 1, milliseconds: 1, second: 1000, seconds: 1000, minute: 60_000, minutes: 60_000 };

/**
 * A feature's table of stages (`| from | to | over |`, e.g. `| 5 | 40 | 20 seconds |`) as the
 * starting figure and the stages; each row must start where the one before it ended.
 */
export function stagesFromTable(rows: readonly Record<string, string>[]): { start: number; stages: Stage[] } {
  if (rows.length === 0) throw new Error('the table of stages is empty: expected rows of | from | to | over |');
  const number = (row: number, column: string, text: string | undefined): number => {
    const value = Number(text?.trim());
    if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`stage ${row}: "${column}" is "${text ?? ''}", expected a number >= 0`);
    return value;
  };
  const stages: Stage[] = [];
  let previous: number | undefined;
  rows.forEach((row, index) => {
    const from = number(index + 1, 'from', row.from);
    const to = number(index + 1, 'to', row.to);
    if (previous !== undefined && from !== previous) throw new Error(`stage ${index + 1} starts from ${from}, but stage ${index} ended at ${previous}`);
    const over = /^(\d+(?:\.\d+)?) (milliseconds?|seconds?|minutes?)$/.exec(row.over?.trim() ?? '');
    if (!over) throw new Error(`stage ${index + 1}: "over" is "${row.over ?? ''}", expected a duration such as "20 seconds"`);
    stages.push({ durationMs: Number(over[1]) * UNIT_MS[over[2]], target: to });
    previous = to;
  });
  return { start: number(1, 'from', rows[0].from), stages };
}
