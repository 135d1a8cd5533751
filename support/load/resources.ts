import os from 'node:os';
import { hostMemoryBytes, readProcessSample, type ProcessSample } from './proc';

/** One sample of the target: cumulative CPU seconds and resident memory. */
export interface ResourceSample extends ProcessSample {
  atMs: number;
}

/** Where samples come from: a local process's /proc files or a remote metrics endpoint. */
export interface ResourceSource {
  readonly description: string;
  /** the machine the target runs on, when known (a local process: this host) */
  readonly host?: { cores: number; memoryBytes: number };
  /** null: this source cannot give figures (no metrics endpoint, process gone) */
  sample(): Promise<ProcessSample | null>;
}

export interface ResourcePoint {
  second: number;
  /** percent of one core over that second (10 ms tick resolution: read it as a trend) */
  cpuPercent: number;
  rssMb: number;
}

export type ResourceReport =
  | {
      available: true;
      source: string;
      windowSeconds: number;
      /** CPU over the whole window, percent of one core */
      cpuPercent: number;
      /** CPU over the whole window, percent of all the host's cores (when the host is known) */
      cpuPercentOfHost?: number;
      /** the highest 1 s CPU sample, percent of one core (coarse: 10 ms ticks) */
      peakCpuPercent: number;
      /** the highest resident memory seen (VmHWM for a local process: its lifetime peak) */
      peakRssMb: number;
      /** resident memory at the last sample minus at the first (a leak shows here) */
      rssGrowthMb: number;
      peakMemoryPercentOfHost?: number;
      series: ResourcePoint[];
    }
  | { available: false; source: string; reason: string };

const MB = 1024 * 1024;

export class ProcResourceSource implements ResourceSource {
  readonly description: string;
  readonly host = { cores: os.cpus().length, memoryBytes: hostMemoryBytes() };

  constructor(private readonly pid: number) {
    this.description = `/proc/${pid}`;
  }

  async sample(): Promise<ProcessSample | null> {
    try {
      return readProcessSample(this.pid);
    } catch {
      return null;
    }
  }
}

/**
 * Prometheus text exposition (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * the standard process collector) from a remote target's metrics endpoint.
 */
export function parsePrometheusProcessMetrics(text: string): ProcessSample | null {
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const cpuSeconds = value('process_cpu_seconds_total');
  const rssBytes = value('process_resident_memory_bytes');
  if (cpuSeconds === undefined || rssBytes === undefined) return null;
  return { cpuSeconds, rssBytes, peakRssBytes: rssBytes };
}

/** NovaCron's own JSON (`GET /api/v1/system/metrics`, contract/domains/system-metrics.yaml). */
export function parseNovaCronSystemMetrics(text: string): ProcessSample | null {
  try {
    const body = JSON.parse(text) as { process?: Record<string, unknown>; host?: Record<string, unknown> };
    const cpuSeconds = body.process?.cpu_seconds_total;
    const rssBytes = body.process?.resident_memory_bytes;
    if (typeof cpuSeconds !== 'number' || typeof rssBytes !== 'number') return null;
    const peak = body.process?.peak_resident_memory_bytes;
    const cores = body.host?.cpus;
    const memoryBytes = body.host?.memory_bytes;
    return {
      cpuSeconds,
      rssBytes,
      peakRssBytes: typeof peak === 'number' ? peak : rssBytes,
      ...(typeof cores === 'number' && typeof memoryBytes === 'number' ? { host: { cores, memoryBytes } } : {}),
    };
  } catch {
    return null;
  }
}

/** Reads a remote target's metrics endpoint: Prometheus text or NovaCron's JSON, by content type. */
export class MetricsEndpointSource implements ResourceSource {
  readonly description: string;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {
    this.description = `metrics endpoint ${url}`;
  }

  async sample(): Promise<ProcessSample | null> {
    try {
      const response = await fetch(this.url, { headers: this.headers, signal: AbortSignal.timeout(2000) });
      if (!response.ok) return null;
      const text = await response.text();
      const json = (response.headers.get('content-type') ?? '').includes('json');
      return json ? parseNovaCronSystemMetrics(text) : parsePrometheusProcessMetrics(text);
    } catch {
      return null;
    }
  }
}

/** A source for a target that offers no figures (a remote target without a metrics endpoint). */
export class UnavailableSource implements ResourceSource {
  constructor(readonly description: string) {}

  async sample(): Promise<ProcessSample | null> {
    return null;
  }
}

/**
 * Samples the target every second while a load runs. CPU is asserted on the whole window
 * (cumulative CPU seconds between the first and last sample): /proc moves in 10 ms ticks, so one
 * second of a lightly loaded process reads 0, 1 or 2 %.
 */
export class ResourceMonitor {
  private readonly samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private peakRssBytes = 0;
  private host: ProcessSample['host'];
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: ResourceSource,
    private readonly intervalMs = 1000,
  ) {}

  async start(): Promise<void> {
    await this.take();
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.take());
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<ResourceReport> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.take();
    return this.report();
  }

  private async take(): Promise<void> {
    const sample = await this.source.sample();
    if (sample === null) return;
    this.samples.push({ ...sample, atMs: performance.now() });
    this.host = sample.host ?? this.host;
    this.peakRssBytes = Math.max(this.peakRssBytes, sample.peakRssBytes, sample.rssBytes);
  }

  private report(): ResourceReport {
    const source = this.source.description;
    if (this.samples.length < 2) return { available: false, source, reason: `no figures from ${source}` };
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const windowSeconds = (last.atMs - first.atMs) / 1000;
    if (windowSeconds <= 0) return { available: false, source, reason: 'the sampling window was empty' };
    const cpuPercent = (100 * (last.cpuSeconds - first.cpuSeconds)) / windowSeconds;
    const series: ResourcePoint[] = this.samples.slice(1).map((sample, index) => {
      const previous = this.samples[index];
      const seconds = (sample.atMs - previous.atMs) / 1000;
      return {
        second: Math.round((sample.atMs - first.atMs) / 1000),
        cpuPercent: seconds > 0 ? (100 * (sample.cpuSeconds - previous.cpuSeconds)) / seconds : 0,
        rssMb: sample.rssBytes / MB,
      };
    });
    const host = this.source.host ?? this.host;
    return {
      available: true,
      source,
      windowSeconds,
      cpuPercent,
      ...(host ? { cpuPercentOfHost: cpuPercent / host.cores } : {}),
      peakCpuPercent: Math.max(...series.map((point) => point.cpuPercent)),
      peakRssMb: this.peakRssBytes / MB,
      rssGrowthMb: (last.rssBytes - first.rssBytes) / MB,
      ...(host ? { peakMemoryPercentOfHost: (100 * this.peakRssBytes) / host.memoryBytes } : {}),
      series,
    };
  }
}
