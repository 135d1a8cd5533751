// The load engine against autocannon on the same endpoint in the same run: requests per second
// and this process's CPU per request, printed as a ratio. Closed model, same connections and
// duration, alternating rounds. Run: npm run bench:engine
import autocannon from 'autocannon';
import { LoadHttpClient } from '../support/load/http';
import { LoadTestRunner } from '../support/load/runner';
import { startChildTarget } from './lib/child-target';
import { median, withCpu } from './lib/measure';
import { fixed, formatTable } from './lib/table';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 1.5;

interface Round {
  requests: number;
  rps: number;
  cpuMicrosPerRequest: number;
  p99Ms: number;
}

async function autocannonRound(url: string, seconds: number): Promise<Round> {
  const { value, cpuMicros } = await withCpu(() => autocannon({ url: `${url}/health`, connections: CONNECTIONS, duration: seconds }));
  const requests = value.requests.total;
  if (value.errors > 0 || value.non2xx > 0) throw new Error(`autocannon: ${value.errors} errors, ${value.non2xx} non-2xx responses`);
  return { requests, rps: requests / seconds, cpuMicrosPerRequest: cpuMicros / requests, p99Ms: value.latency.p99 };
}

async function engineRound(url: string, seconds: number): Promise<Round> {
  const client = new LoadHttpClient(url, { connections: CONNECTIONS });
  const runner = new LoadTestRunner();
  try {
    const { value, cpuMicros } = await withCpu(() =>
      runner.runClosed(() => client.send({ path: '/health' }), { concurrency: CONNECTIONS, durationMs: seconds * 1000, progress: false, label: 'engine' }),
    );
    if (value.failed > 0) throw new Error(`engine: ${value.failed} failed requests ${JSON.stringify(value.errorSamples)}`);
    return { requests: value.requests, rps: value.requests / (value.durationMs / 1000), cpuMicrosPerRequest: cpuMicros / value.requests, p99Ms: value.latency.p99 };
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const target = await startChildTarget('plain');
  const rounds = { autocannon: [] as Round[], engine: [] as Round[] };
  try {
    await autocannonRound(target.url, 1); // warm-up of both code paths and the server
    await engineRound(target.url, 1);
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['autocannon', 'engine'] as const) : (['engine', 'autocannon'] as const);
      for (const tool of order) {
        rounds[tool].push(tool === 'autocannon' ? await autocannonRound(target.url, SECONDS) : await engineRound(target.url, SECONDS));
      }
    }
  } finally {
    await target.close();
  }
  const row = (name: string, list: Round[]): string[] => [
    name,
    fixed(median(list.map((r) => r.rps)), 0),
    fixed(median(list.map((r) => r.cpuMicrosPerRequest)), 1),
    list.map((r) => fixed(r.cpuMicrosPerRequest, 1)).join(' / '),
    fixed(median(list.map((r) => r.p99Ms)), 2),
  ];
  const ratio = median(rounds.engine.map((r) => r.cpuMicrosPerRequest)) / median(rounds.autocannon.map((r) => r.cpuMicrosPerRequest));
  const rpsRatio = median(rounds.engine.map((r) => r.rps)) / median(rounds.autocannon.map((r) => r.rps));
  console.log(`Engine vs autocannon, same node:http endpoint (own process), ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds, Node ${process.version}`);
  console.log(formatTable(['tool', 'req/s (median)', 'client CPU us/req (median)', 'per round', 'p99 ms'], [row('autocannon 8', rounds.autocannon), row('load engine (undici dispatch)', rounds.engine)]));
  console.log(`client CPU per request, engine / autocannon: ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? 'OK' : 'ABOVE TARGET'}`);
  console.log(`requests per second, engine / autocannon: ${rpsRatio.toFixed(2)}`);
  if (ratio > TARGET_RATIO) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
