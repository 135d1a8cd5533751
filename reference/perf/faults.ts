import { defineFaults } from '../define-faults';

// Scenario titles of features/performance/*.feature, exactly.
export const PERF_SCENARIOS = {
  vmCreation: '100 virtual machines requested 20 at a time',
  lifecycleMix: 'A lifecycle mix over 50 virtual machines',
  dashboardLoad: "The dashboard's views under 1000 requests from 50 concurrent connections",
  sustained: '20 requests per second for 60 seconds within resource limits',
  userLoad: 'The configured user load is served within the service levels',
  websocketScaling: 'Every one of 200 connected dashboards receives every update',
  websocketRelease: 'Disconnected dashboards release their connections',
  stress: 'Concurrency rises step by step until a service level breaks',
  benchmarks: 'Each view of the dashboard meets its service level',
  frontendBudgets: 'The dashboard opens and pages through 100 machines within the frontend budgets',
  stagedTraffic: 'A rush of requests that rises, holds and falls back is served within the service levels',
  stagedUsers: 'Users who arrive, stay and leave are served within the service levels',
  spike: 'A sudden spike of requests is absorbed within the service levels',
  /** caught by the autoscaling domain's faults (reference/autoscaling/faults.ts), e.g. autoscaling-no-scale-down */
  autoscaling: 'A busy group grows, and shrinks back when the load falls',
} as const;

const S = PERF_SCENARIOS;

export const PERF_FAULTS = defineFaults({
  vmWritesSerialized: {
    name: 'perf-vm-writes-serialized',
    description: 'Every VM write (create, action, delete) waits for one global lock and holds it for 400 ms, so concurrent VM operations queue behind each other.',
    scenarios: [S.vmCreation, S.lifecycleMix],
  },
  summarySlow: {
    name: 'perf-dashboard-summary-slow',
    description: 'The dashboard summary recounts every VM the slow way and takes 3 s to answer.',
    scenarios: [S.dashboardLoad, S.userLoad, S.benchmarks, S.stagedTraffic, S.stagedUsers, S.spike],
  },
  vmListBlocks: {
    name: 'perf-vm-list-blocks',
    description: 'Listing VMs blocks the event loop for 30 ms per request (a synchronous copy and sort of every VM), so the whole API stalls under concurrent listing.',
    scenarios: [S.stress, S.benchmarks],
  },
  leaksConnectionBuffers: {
    name: 'perf-leaks-connection-buffers',
    description: "A leaking connection: each API request's 512 KB read buffer is kept after the request ended, so memory grows with every request.",
    scenarios: [S.sustained],
  },
  fanOutCapped: {
    name: 'perf-ws-fanout-capped',
    description: 'The real-time stream delivers each event to the first 64 subscribers only; later dashboards never hear of it.',
    scenarios: [S.websocketScaling],
  },
  subscriptionsLeak: {
    name: 'perf-ws-subscriptions-leak',
    description: 'A closed real-time connection stays subscribed to the event bus: its subscription, and everything it holds, is never released.',
    scenarios: [S.websocketRelease],
  },
  deepPagesSlow: {
    name: 'perf-vm-list-deep-pages-slow',
    description: 'A page of the VM list re-reads every VM on the pages before it, one at a time (40 ms each), so each page is slower than the last.',
    scenarios: [S.frontendBudgets],
  },
});
