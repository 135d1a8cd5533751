// Memory of the generator is flat in the number of requests: 1,000,000 HTTP requests through the
// load engine, and 1,000 WebSocket connections from this one process, each must add under 50 MB
// RSS. Each part runs in a fresh process (started with --expose-gc, so baselines are taken after
// a full GC) so one part's heap cannot absorb the other's growth. Run: npm run bench:memory
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { LoadHttpClient } from '../support/load/http';
import { LoadTestRunner } from '../support/load/runner';
import { WebSocketLoad } from '../support/load/websocket';
import { startChildTarget } from './lib/child-target';
import { rssMb } from './lib/measure';
import { fixed, formatTable } from './lib/table';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1_000_000);
const CONNECTIONS = 64;
const WEBSOCKETS = Number(process.env.BENCH_WEBSOCKETS ?? 1000);
const LIMIT_MB = 50;

function settledRssMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return rssMb();
}

/** Samples RSS every 250 ms until stopped; returns the peak. */
function peakSampler(): { stop(): number } {
  let peak = rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, rssMb())), 250);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb());
    },
  };
}

interface Row {
  what: string;
  count: number;
  seconds: number;
  baselineMb: number;
  afterMb: number;
  peakMb: number;
}

async function httpRequests(): Promise<Row> {
  const target = await startChildTarget('plain');
  const client = new LoadHttpClient(target.url, { connections: CONNECTIONS });
  const runner = new LoadTestRunner();
  const operation = () => client.send({ path: '/health' });
  try {
    await runner.runClosed(operation, { concurrency: CONNECTIONS, totalRequests: 20_000, progress: false }); // warm-up: JIT, sockets, histogram
    const baselineMb = settledRssMb();
    const sampler = peakSampler();
    const result = await runner.runClosed(operation, { concurrency: CONNECTIONS, totalRequests: REQUESTS, label: `${REQUESTS} requests` });
    const peakMb = sampler.stop();
    if (result.failed > 0) throw new Error(`memory bench: ${result.failed} requests failed ${JSON.stringify(result.errorSamples)}`);
    return { what: `HTTP requests (closed, ${CONNECTIONS} concurrent)`, count: result.requests, seconds: result.durationMs / 1000, baselineMb, afterMb: settledRssMb(), peakMb };
  } finally {
    await client.close();
    await target.close();
  }
}

function post(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST' }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end();
  });
}

async function websockets(): Promise<Row> {
  const target = await startChildTarget('ws');
  const started = performance.now();
  const baselineMb = settledRssMb();
  const sampler = peakSampler();
  const load = new WebSocketLoad({ url: `ws://127.0.0.1:${target.port}/ws/events`, connections: WEBSOCKETS });
  try {
    const connect = await load.open();
    if (connect.connected !== WEBSOCKETS) throw new Error(`memory bench: ${connect.connected}/${WEBSOCKETS} WebSockets connected ${connect.errorSamples.join('; ')}`);
    for (let round = 0; round < 5; round += 1) {
      const delivery = await load.deliver(`event ${round}`, () => post(`${target.url}/broadcast`), () => true, 5000);
      if (delivery.missing > 0) throw new Error(`memory bench: broadcast ${round} missed ${delivery.missing} connections`);
    }
    const afterMb = settledRssMb();
    return { what: 'WebSocket connections (open, 5 broadcasts)', count: connect.connected, seconds: (performance.now() - started) / 1000, baselineMb, afterMb, peakMb: sampler.stop() };
  } finally {
    await load.close();
    await target.close();
  }
}

const PARTS = { http: httpRequests, ws: websockets };

/** Runs one part in a fresh process; its last stdout line is the JSON row. */
function runPart(part: keyof typeof PARTS): Row {
  const output = execFileSync(process.execPath, ['--expose-gc', '--require', 'ts-node/register/transpile-only', __filename, part], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(output.trim().split('\n').pop() ?? '') as Row;
}

async function main(): Promise<void> {
  const part = process.argv[2];
  if (part === 'http' || part === 'ws') {
    process.stdout.write(`${JSON.stringify(await PARTS[part]())}\n`);
    return;
  }
  const rows = [runPart('http'), runPart('ws')];
  console.log(`Generator RSS growth (each part in a fresh generator process), Node ${process.version}`);
  console.log(
    formatTable(
      ['load', 'count', 'seconds', 'baseline MB', 'after MB', 'peak MB', 'growth MB (after)', 'growth MB (peak)', `limit ${LIMIT_MB} MB`],
      rows.map((row) => {
        const growth = row.peakMb - row.baselineMb;
        return [row.what, row.count, fixed(row.seconds, 1), fixed(row.baselineMb), fixed(row.afterMb), fixed(row.peakMb), fixed(row.afterMb - row.baselineMb), fixed(growth), growth < LIMIT_MB ? 'OK' : 'ABOVE'];
      }),
    ),
  );
  if (rows.some((row) => row.peakMb - row.baselineMb >= LIMIT_MB)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
