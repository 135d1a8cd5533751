// Coordinated omission: a server that stalls 1 s every 5 s (its event loop blocks, like a long GC
// pause). The open model (20 req/s, latency from the intended send time) must show the stall in
// its p99; closed models beside it show how they hide it. Run: npm run bench:co
import { LoadHttpClient } from '../support/load/http';
import type { LoadResult } from '../support/load/result';
import { LoadTestRunner } from '../support/load/runner';
import { startChildTarget } from './lib/child-target';
import { fixed, formatTable } from './lib/table';

const STALL_MS = 1000;
const PERIOD_MS = 5000;
const RATE = 20;
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 25) * 1000;
const REQUIRED_OPEN_P99_MS = 700;

async function main(): Promise<void> {
  const target = await startChildTarget('stall', [String(STALL_MS), String(PERIOD_MS)]);
  const client = new LoadHttpClient(target.url, { connections: 64 });
  const runner = new LoadTestRunner();
  const operation = () => client.send({ path: '/health' });
  const runs: Array<{ name: string; result: LoadResult }> = [];
  try {
    runs.push({ name: `open model, ${RATE} req/s`, result: await runner.runOpen(operation, { ratePerSecond: RATE, durationMs: DURATION_MS, label: 'open' }) });
    runs.push({
      name: `closed, 1 user, ${1000 / RATE} ms think time`,
      result: await runner.runClosed(operation, { concurrency: 1, thinkTimeMs: 1000 / RATE, durationMs: DURATION_MS, label: 'closed paced' }),
    });
    runs.push({ name: 'closed, 10 users, no think time', result: await runner.runClosed(operation, { concurrency: 10, durationMs: DURATION_MS, label: 'closed' }) });
  } finally {
    await client.close();
    await target.close();
  }
  console.log(`Server stalling ${STALL_MS} ms every ${PERIOD_MS} ms (own process), ${DURATION_MS / 1000} s per model, Node ${process.version}`);
  console.log(
    formatTable(
      ['model', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed'],
      runs.map(({ name, result }) => [
        name,
        result.requests,
        fixed(result.successThroughput, 1),
        fixed(result.latency.p50, 1),
        fixed(result.latency.p95, 1),
        fixed(result.latency.p99, 1),
        fixed(result.latency.max, 1),
        result.failed,
      ]),
    ),
  );
  const openP99 = runs[0].result.latency.p99;
  const seen = openP99 >= REQUIRED_OPEN_P99_MS;
  console.log(`open model p99 ${fixed(openP99, 0)} ms (target >= ${REQUIRED_OPEN_P99_MS} ms: the stall is seen) ${seen ? 'OK' : 'NOT SEEN'}`);
  if (!seen) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
