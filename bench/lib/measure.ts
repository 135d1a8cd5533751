/** Runs `work` and returns its result with this process's CPU time (user + system) and wall time. */
export async function withCpu<T>(work: () => Promise<T>): Promise<{ value: T; cpuMicros: number; wallMs: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(before);
  return { value, cpuMicros: cpu.user + cpu.system, wallMs: performance.now() - started };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}
