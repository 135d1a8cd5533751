// Which HTTP client is cheap enough for the load generator? Each client runs a closed loop of
// CONCURRENCY workers against the same node:http server (its own process) and we read this
// process's CPU (user + system) per completed request. Run: npm run bench:http-clients
import http from 'node:http';
import axios from 'axios';
import { Pool } from 'undici';
import { startChildTarget } from './lib/child-target';
import { fixed, formatTable } from './lib/table';

const CONCURRENCY = 32;
const WARMUP_MS = 1_000;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 4_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Client {
  name: string;
  get(): Promise<number>;
  close(): Promise<void>;
}

function axiosClient(baseURL: string): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const instance = axios.create({ baseURL, httpAgent: agent, validateStatus: () => true });
  return {
    name: 'axios 1.x (keep-alive agent)',
    get: async () => (await instance.get('/health')).status,
    close: async () => agent.destroy(),
  };
}

function nodeHttpClient(baseURL: string): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(baseURL);
  const get = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  return { name: 'node:http (keep-alive agent)', get, close: async () => agent.destroy() };
}

function undiciRequestClient(baseURL: string): Client {
  const pool = new Pool(baseURL, { connections: CONCURRENCY });
  return {
    name: 'undici 7 Pool.request + dump',
    get: async () => {
      const { statusCode, body } = await pool.request({ method: 'GET', path: '/health' });
      await body.dump();
      return statusCode;
    },
    close: () => pool.close(),
  };
}

function undiciDispatchClient(baseURL: string): Client {
  const pool = new Pool(baseURL, { connections: CONCURRENCY });
  const get = (): Promise<number> =>
    new Promise((resolve, reject) => {
      let status = 0;
      pool.dispatch(
        { method: 'GET', path: '/health' },
        {
          onRequestStart: () => {},
          onResponseStart: (_controller, statusCode) => {
            status = statusCode;
          },
          onResponseData: () => {},
          onResponseEnd: () => resolve(status),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  return { name: 'undici 7 Pool.dispatch (handler)', get, close: () => pool.close() };
}

function undiciLegacyDispatchClient(baseURL: string): Client {
  const pool = new Pool(baseURL, { connections: CONCURRENCY });
  const get = (): Promise<number> =>
    new Promise((resolve, reject) => {
      let status = 0;
      pool.dispatch(
        { method: 'GET', path: '/health' },
        {
          onConnect: () => {},
          onHeaders: (statusCode: number) => {
            status = statusCode;
            return true;
          },
          onData: () => true,
          onComplete: () => resolve(status),
          onError: (error: Error) => reject(error),
        },
      );
    });
  return { name: 'undici 7 Pool.dispatch (v6 handler)', get, close: () => pool.close() };
}

async function closedLoop(client: Client, durationMs: number): Promise<number> {
  const endAt = Date.now() + durationMs;
  let completed = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < endAt) {
      const status = await client.get();
      if (status !== 200) throw new Error(`${client.name}: status ${status}`);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return completed;
}

interface Measurement {
  rps: number;
  cpuMicrosPerRequest: number;
}

async function measure(client: Client): Promise<Measurement> {
  await closedLoop(client, WARMUP_MS);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const completed = await closedLoop(client, MEASURE_MS);
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { rps: completed / elapsedSeconds, cpuMicrosPerRequest: (cpu.user + cpu.system) / completed };
}

async function main(): Promise<void> {
  const target = await startChildTarget('plain');
  const factories = [axiosClient, nodeHttpClient, undiciRequestClient, undiciDispatchClient, undiciLegacyDispatchClient];
  const results = new Map<string, Measurement[]>();
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const factory of round % 2 === 0 ? factories : [...factories].reverse()) {
        const client = factory(target.url);
        const result = await measure(client);
        await client.close();
        const list = results.get(client.name) ?? [];
        list.push(result);
        results.set(client.name, list);
      }
    }
  } finally {
    await target.close();
  }
  const best = (list: Measurement[]): Measurement => list.reduce((a, b) => (b.cpuMicrosPerRequest < a.cpuMicrosPerRequest ? b : a));
  const rows = [...results].map(([name, list]) => {
    const { rps, cpuMicrosPerRequest } = best(list);
    return [name, fixed(rps, 0), fixed(cpuMicrosPerRequest, 1), list.map((m) => fixed(m.cpuMicrosPerRequest, 1)).join(' / ')];
  });
  console.log(`HTTP clients against one node:http server (own process), ${CONCURRENCY} concurrent, ${MEASURE_MS} ms x ${ROUNDS} rounds, Node ${process.version}`);
  console.log(formatTable(['client', 'req/s', 'client CPU us/req (best)', 'per round'], rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
