import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMemTotalKb, parseProcStat, parseProcStatus, readProcessSample } from '../../support/load/proc';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findListeningPid, listeningInodes, resourceSourceFor } from '../../support/load/local-target';
import { MetricsEndpointSource, parseNovaCronSystemMetrics, parsePrometheusProcessMetrics, ProcResourceSource, ResourceMonitor, UnavailableSource, type ResourceSource } from '../../support/load/resources';

// a real line of /proc/<pid>/stat, with a command name holding spaces and parentheses
const STAT = '4242 (node (ref) main) S 1 4242 4242 0 -1 4194560 12345 0 0 0 1234 567 0 0 20 0 11 0 98765 1234567890 20480 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0';

const STATUS = `Name:\tnode
State:\tS (sleeping)
VmPeak:\t 1190124 kB
VmHWM:\t  102400 kB
VmRSS:\t   81920 kB
Threads:\t11
`;

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // burn CPU on this process
  }
}

/** A scripted source: cumulative CPU and RSS as the test wants them. */
function scripted(samples: Array<{ cpuSeconds: number; rssMb: number }>): ResourceSource {
  let index = 0;
  return {
    description: 'scripted',
    sample: async () => {
      const sample = samples[Math.min(index++, samples.length - 1)];
      return { cpuSeconds: sample.cpuSeconds, rssBytes: sample.rssMb * 1024 * 1024, peakRssBytes: sample.rssMb * 1024 * 1024 };
    },
  };
}

describe('/proc parsers', () => {
  it('reads utime, stime and rss after a command name with spaces and parentheses', () => {
    assert.deepEqual(parseProcStat(STAT), { utime: 1234, stime: 567, rssPages: 20480 });
  });

  it('reads VmRSS and VmHWM from status and MemTotal from meminfo', () => {
    assert.deepEqual(parseProcStatus(STATUS), { vmRssKb: 81920, vmHwmKb: 102400 });
    assert.equal(parseMemTotalKb('MemTotal:       24683620 kB\nMemFree:        23996520 kB\n'), 24683620);
  });

  it('names what is wrong with a line it cannot read', () => {
    assert.throws(() => parseProcStat('garbage'), /^Error: \/proc stat: got "garbage", expected "pid \(comm\) state \.\.\."$/);
    assert.throws(() => parseProcStatus('Name: x\n'), /no "VmRSS" line/);
  });

  it('samples this very process', () => {
    const sample = readProcessSample(process.pid);
    assert.ok(sample.rssBytes > 10 * 1024 * 1024, `rss ${sample.rssBytes}`);
    assert.ok(sample.peakRssBytes >= sample.rssBytes);
    assert.ok(sample.cpuSeconds > 0);
  });
});

describe('ResourceMonitor', () => {
  it('computes CPU over the whole window and keeps the peak memory', async () => {
    const source = scripted([
      { cpuSeconds: 10, rssMb: 100 },
      { cpuSeconds: 10.2, rssMb: 180 },
      { cpuSeconds: 10.3, rssMb: 120 },
    ]);
    const monitor = new ResourceMonitor(source, 100);
    await monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const report = await monitor.stop();
    assert.equal(report.available, true);
    if (!report.available) return;
    // 0.3 CPU seconds over about 0.15 s: about 200% of one core
    assert.ok(report.cpuPercent > 150 && report.cpuPercent < 250, `cpu ${report.cpuPercent}`);
    assert.equal(report.peakRssMb, 180);
    assert.equal(report.series.length, 2);
  });

  it('sees this process burning CPU (from /proc)', async () => {
    const monitor = new ResourceMonitor(new ProcResourceSource(process.pid), 100);
    await monitor.start();
    busyWait(800);
    const report = await monitor.stop();
    assert.equal(report.available, true);
    if (!report.available) return;
    assert.ok(report.cpuPercent > 25, `cpu ${report.cpuPercent} (a shared machine gives us at least a quarter of a core)`);
    assert.ok(report.peakRssMb > 10);
    assert.ok(report.cpuPercentOfHost !== undefined && report.peakMemoryPercentOfHost !== undefined);
  });

  it('reports figures as unavailable when the target offers none', async () => {
    const monitor = new ResourceMonitor(new UnavailableSource('remote target without a metrics endpoint'), 50);
    await monitor.start();
    const report = await monitor.stop();
    assert.deepEqual(report, { available: false, source: 'remote target without a metrics endpoint', reason: 'no figures from remote target without a metrics endpoint' });
  });

  it('reads a remote target from the Prometheus process metrics, and nothing when they are absent', async () => {
    assert.deepEqual(parsePrometheusProcessMetrics('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\nprocess_resident_memory_bytes 1.048576e+08\n'), {
      cpuSeconds: 12.5,
      rssBytes: 104857600,
      peakRssBytes: 104857600,
    });
    assert.equal(parsePrometheusProcessMetrics('http_requests_total{code="200"} 3\n'), null);
    const unreachable = new MetricsEndpointSource('http://127.0.0.1:9/metrics');
    assert.equal(await unreachable.sample(), null);
  });
});

const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 424242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F9A 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 515151 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111111 1 0000000000000000 100 0 0 10 0
`;

describe('finding the local target process', () => {
  it('reads the listening socket of a port from /proc/net/tcp (not its connections)', () => {
    assert.deepEqual(listeningInodes(PROC_NET_TCP, 0x1f9a), ['424242']);
    assert.deepEqual(listeningInodes(PROC_NET_TCP, 81), []);
  });

  it('finds the pid of a process listening on loopback (this one) and monitors it through /proc', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assert.equal(findListeningPid(port), process.pid);
      const source = await resourceSourceFor(`http://127.0.0.1:${port}`, '/api/v1/system/metrics', {});
      assert.equal(source.description, `/proc/${process.pid}`);
    } finally {
      server.close();
    }
  });

  it("reads NovaCron's JSON metrics, host included", () => {
    const sample = parseNovaCronSystemMetrics(
      JSON.stringify({ process: { cpu_seconds_total: 3.5, resident_memory_bytes: 1000, peak_resident_memory_bytes: 2000 }, host: { cpus: 4, memory_bytes: 8e9 } }),
    );
    assert.deepEqual(sample, { cpuSeconds: 3.5, rssBytes: 1000, peakRssBytes: 2000, host: { cores: 4, memoryBytes: 8e9 } });
    assert.equal(parseNovaCronSystemMetrics('{"status":"ok"}'), null);
  });
});
