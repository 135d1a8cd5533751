import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** `GET /api/v1/system/metrics`: the control plane process's own figures (for remote monitoring). */
export interface SystemMetrics {
  timestamp: string;
  process: {
    pid: number;
    uptime_seconds: number;
    cpu_seconds_total: number;
    resident_memory_bytes: number;
    peak_resident_memory_bytes: number;
    heap_used_bytes: number;
  };
  host: { cpus: number; memory_bytes: number };
  event_loop: { delay_p99_ms: number; delay_max_ms: number };
  connections: { websocket: number; event_subscribers: number };
}

/** Reads the process figures; the event-loop delay histogram runs from construction until stop(). */
export class SystemMetricsReader {
  private readonly delay = monitorEventLoopDelay({ resolution: 20 });
  private readonly host = { cpus: os.cpus().length, memory_bytes: os.totalmem() };

  constructor() {
    this.delay.enable();
  }

  read(connections: SystemMetrics['connections']): SystemMetrics {
    const cpu = process.cpuUsage();
    // memoryUsage() walks every heap space; rss() and the heap statistics are the cheap reads
    const rss = process.memoryUsage.rss();
    return {
      timestamp: new Date().toISOString(),
      process: {
        pid: process.pid,
        uptime_seconds: process.uptime(),
        cpu_seconds_total: (cpu.user + cpu.system) / 1e6,
        resident_memory_bytes: rss,
        peak_resident_memory_bytes: Math.max(process.resourceUsage().maxRSS * 1024, rss),
        heap_used_bytes: getHeapStatistics().used_heap_size,
      },
      host: this.host,
      event_loop: { delay_p99_ms: finiteMs(this.delay.percentile(99)), delay_max_ms: finiteMs(this.delay.max) },
      connections,
    };
  }

  stop(): void {
    this.delay.disable();
  }
}

function finiteMs(nanoseconds: number): number {
  return Number.isFinite(nanoseconds) ? nanoseconds / 1e6 : 0;
}
