// Is the Artillery export the same load as the engine's run of the profile? Same session, same
// machine, same embedded reference: the dashboard's views at a constant arrival rate, once through
// `npm run load:export`'s script with `artillery run`, once through the engine (runProfile), in
// alternating rounds, and both side by side: throughput, p95, p99, error rate.
// Run: npm run bench:artillery   (BENCH_RATE requests/s, BENCH_SECONDS per round, BENCH_ROUNDS)
//
// Artillery is not a dependency of the suite (see docs/PERFORMANCE.md): the first run installs
// ARTILLERY_VERSION from the npm registry into .tools/artillery with --ignore-scripts, because
// Artillery's Playwright engine (not used here) downloads Chrome from a CDN in an install script.
// ARTILLERY_BIN points at an Artillery installed elsewhere instead.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../support/config';
import { TestEnvironment } from '../support/environment';
import { toArtillery } from '../support/load/artillery';
import { LoadHttpClient } from '../support/load/http';
import { runProfile } from '../support/load/profile';
import { LoadTestRunner } from '../support/load/runner';
import { sustainedProfile } from '../support/tasks/load-profiles';
import { median } from './lib/measure';
import { fixed, formatTable } from './lib/table';

const ROOT = join(__dirname, '..');
const ARTILLERY_VERSION = '2.0.21'; // the newest 2.x whose engines field accepts Node 20
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const VMS = 10;
const WORK = join(ROOT, 'reports', 'bench-artillery');

interface Figures {
  requests: number;
  throughput: number;
  p95: number;
  p99: number;
  errorRate: number;
}

function artilleryBin(): string {
  if (process.env.ARTILLERY_BIN) return process.env.ARTILLERY_BIN;
  const prefix = join(ROOT, '.tools', 'artillery');
  const bin = join(prefix, 'node_modules', '.bin', 'artillery');
  if (!existsSync(bin)) {
    console.log(`installing artillery@${ARTILLERY_VERSION} into .tools/artillery (once; from the npm registry, install scripts off)...`);
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{ "private": true }\n');
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', `artillery@${ARTILLERY_VERSION}`], { stdio: 'inherit' });
  }
  return bin;
}

/** `artillery run` on the exported script; its aggregate report turned into our figures. */
async function artilleryRound(bin: string, script: string, token: string, round: number): Promise<Figures> {
  const output = join(WORK, `artillery-${round}.json`);
  rmSync(output, { force: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bin, ['run', '--quiet', '--output', output, script], { env: { ...process.env, NOVACRON_TOKEN: token, ARTILLERY_DISABLE_TELEMETRY: 'true' }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    // Artillery exits 1 when an `ensure` threshold of the script fails: the figures still count.
    child.on('exit', (code) => (existsSync(output) ? resolve() : reject(new Error(`artillery run exited ${code} without a report`))));
  });
  const { aggregate } = JSON.parse(readFileSync(output, 'utf8')) as {
    aggregate: { counters: Record<string, number>; summaries: Record<string, { p95: number; p99: number }>; firstCounterAt: number; lastCounterAt: number };
  };
  const counters = aggregate.counters;
  const responses = counters['http.responses'] ?? 0;
  const ok = Object.entries(counters)
    .filter(([name]) => /^http\.codes\.2\d\d$/.test(name))
    .reduce((sum, [, count]) => sum + count, 0);
  const requests = counters['http.requests'] ?? 0;
  const latency = aggregate.summaries['http.response_time'] ?? { p95: NaN, p99: NaN };
  return { requests, throughput: responses / SECONDS, p95: latency.p95, p99: latency.p99, errorRate: requests === 0 ? 1 : (requests - ok) / requests };
}

async function engineRound(apiUrl: string, token: string, vms: readonly string[]): Promise<Figures> {
  const client = new LoadHttpClient(apiUrl, { connections: 32, headers: { authorization: `Bearer ${token}` } });
  try {
    const result = await runProfile(new LoadTestRunner(), sustainedProfile(RATE, SECONDS * 1000), {
      progress: false,
      bind: (_name, index) => vms[index % vms.length]!,
      send: (request) => client.send({ method: request.method ?? 'GET', path: request.path }),
    });
    return { requests: result.requests, throughput: result.throughput, p95: result.latency.p95, p99: result.latency.p99, errorRate: 1 - result.successRate };
  } finally {
    await client.close();
  }
}

async function json<T>(client: LoadHttpClient, request: Parameters<LoadHttpClient['json']>[0], expected: number): Promise<T> {
  const { status, data } = await client.json<T>(request);
  if (status !== expected) throw new Error(`${request.method ?? 'GET'} ${request.path}: expected ${expected}, got ${status} ${JSON.stringify(data)}`);
  return data as T;
}

async function main(): Promise<void> {
  const bin = artilleryBin();
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } }).match(/Artillery:\s*(\S+)/)?.[1] ?? 'unknown';
  // Both tools send several thousand requests as one user: a higher limit keeps 429s out of the figures.
  process.env.NOVACRON_REF_RATE_LIMIT ??= '100000000/60';
  const config = loadConfig({ ...process.env, NOVACRON_API_URL: undefined });
  const environment = new TestEnvironment(config);
  mkdirSync(WORK, { recursive: true });
  try {
    const { apiUrl } = await environment.setup();
    const anonymous = new LoadHttpClient(apiUrl, { connections: 1 });
    const { token } = await json<{ token: string }>(anonymous, { method: 'POST', path: '/api/auth/login', json: { username: config.adminUsername, password: config.adminPassword } }, 200);
    await anonymous.close();
    const client = new LoadHttpClient(apiUrl, { connections: 4, headers: { authorization: `Bearer ${token}` } });
    const runId = Date.now().toString(36);
    const vms: string[] = [];
    for (let i = 0; i < VMS; i += 1) vms.push((await json<{ id: string }>(client, { method: 'POST', path: '/api/v1/vms', json: { name: `artillery-${runId}-${i}` } }, 201)).id);

    const payload = join(WORK, 'vms.csv');
    writeFileSync(payload, `${vms.join('\n')}\n`);
    const profile = sustainedProfile(RATE, SECONDS * 1000);
    const script = join(WORK, `${profile.name}.yml`);
    writeFileSync(script, stringify(toArtillery(profile, { target: apiUrl, token: '{{ $env.NOVACRON_TOKEN }}', payloadPath: payload })));

    const rounds = { engine: [] as Figures[], artillery: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['engine', 'artillery'] as const) : (['artillery', 'engine'] as const);
      for (const tool of order) {
        process.stdout.write(`round ${round + 1}/${ROUNDS}: ${tool}, ${RATE} requests/s for ${SECONDS} s...\n`);
        rounds[tool].push(tool === 'engine' ? await engineRound(apiUrl, token, vms) : await artilleryRound(bin, script, token, round));
      }
    }
    for (const id of vms) await client.send({ method: 'DELETE', path: `/api/v1/vms/${id}` });
    await client.close();

    const med = (tool: keyof typeof rounds, key: keyof Figures): number => median(rounds[tool].map((figures) => figures[key]));
    const row = (name: string, tool: keyof typeof rounds): string[] => [
      name,
      fixed(med(tool, 'requests'), 0),
      fixed(med(tool, 'throughput'), 1),
      fixed(med(tool, 'p95'), 1),
      fixed(med(tool, 'p99'), 1),
      `${fixed(100 * med(tool, 'errorRate'), 2)}%`,
    ];
    console.log(`\n${profile.name}: ${RATE} requests/s for ${SECONDS} s over the dashboard's ${profile.requests.length} views, ${ROUNDS} alternating rounds (medians), Node ${process.version}, Artillery ${version}`);
    console.log(formatTable(['tool', 'requests', 'req/s', 'p95 ms', 'p99 ms', 'errors'], [row('engine (runProfile)', 'engine'), row('artillery run (load:export script)', 'artillery')]));
    const throughputGap = Math.abs(med('artillery', 'throughput') / med('engine', 'throughput') - 1);
    const p95Gap = Math.abs(med('artillery', 'p95') / med('engine', 'p95') - 1);
    console.log(`\nthroughput differs by ${fixed(100 * throughputGap, 1)}% (within 10%: ${throughputGap <= 0.1 ? 'yes' : 'no'}); p95 by ${fixed(100 * p95Gap, 1)}% (within 20%: ${p95Gap <= 0.2 ? 'yes' : 'no'})`);
    if (throughputGap > 0.1 || p95Gap > 0.2) process.exitCode = 1;
  } finally {
    await environment.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:artillery: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
