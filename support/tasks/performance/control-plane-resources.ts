/** The control plane's own resources over a load (CPU, peak memory, memory growth) and their limits. */
import assert from 'node:assert/strict';
import { resourceSourceFor, ResourceMonitor, type ResourceReport } from '../../load';
import type { NovaWorld } from '../../world';

/** Where the control plane serves its own figures (contract/domains/system-metrics.yaml). */
export const METRICS_PATH = '/api/v1/system/metrics';

/** How to give the suite the control plane's resource figures, for the one-line failure when it has none. */
const RESOURCES_HOWTO = `run the target on this machine (its process is read from /proc) or serve its figures at ${METRICS_PATH} (NovaCron's JSON, contract/domains/system-metrics.yaml) or as Prometheus process_cpu_seconds_total and process_resident_memory_bytes`;

interface ResourcesState {
  /** what the latest watch saw */
  report?: ResourceReport;
}

function watched(world: NovaWorld): ResourcesState {
  return world.domain('performance-resources', (): ResourcesState => ({}));
}

/** Starts watching the control plane's CPU and memory (from its process when it runs here, else from its figures). */
export async function startWatchingResources(world: NovaWorld): Promise<ResourceMonitor> {
  const monitor = new ResourceMonitor(await resourceSourceFor(world.suite.apiUrl, METRICS_PATH, { authorization: `Bearer ${world.actor.token}` }));
  await monitor.start();
  return monitor;
}

/** Stops the watch; its report is the one the limits below judge. */
export async function stopWatchingResources(world: NovaWorld, monitor: ResourceMonitor): Promise<ResourceReport> {
  const report = await monitor.stop();
  watched(world).report = report;
  return report;
}

type AvailableResources = Extract<ResourceReport, { available: true }>;

/** The resource figures; fails with what is missing and how to provide it when the target offers none (never skips). */
function resources(world: NovaWorld): AvailableResources {
  const { report } = watched(world);
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
