// Does the embedded reference keep up, so that load scenarios never measure it by accident?
// Same run, same machine: a plain authenticated GET of the VM list against a bare node:http
// server (both in their own processes, autocannon as the closed-model probe, alternating rounds),
// the other hot paths, 100 VMs created 20 at a time, an autoscaling decision after the threshold
// is crossed, and a new leader after the leader fails - all with the default timings.
// Run: npm run bench:reference
import autocannon from 'autocannon';
import { loadConfig } from '../support/config';
import { TestEnvironment } from '../support/environment';
import { LoadHttpClient } from '../support/load/http';
import { findListeningPid } from '../support/load/local-target';
import { readProcessSample } from '../support/load/proc';
import { LoadTestRunner } from '../support/load/runner';
import { startChildTarget } from './lib/child-target';
import { median } from './lib/measure';
import { fixed, formatTable } from './lib/table';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGETS = { listShare: 0.3, vmCreationMs: 2000, decisionMs: 2000, leaderMs: 1000 };

interface Probe {
  rps: number;
  p99Ms: number;
  serverCpuMicrosPerRequest: number;
}

async function probe(url: string, pid: number, headers: Record<string, string> = {}, seconds = SECONDS): Promise<Probe> {
  const before = readProcessSample(pid).cpuSeconds;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const cpuSeconds = readProcessSample(pid).cpuSeconds - before;
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.total / seconds, p99Ms: result.latency.p99, serverCpuMicrosPerRequest: (cpuSeconds * 1e6) / result.requests.total };
}

async function json<T>(client: LoadHttpClient, request: Parameters<LoadHttpClient['json']>[0], expected: number): Promise<T> {
  const { status, data } = await client.json<T>(request);
  if (status !== expected) throw new Error(`${request.method ?? 'GET'} ${request.path}: expected ${expected}, got ${status} ${JSON.stringify(data)}`);
  return data as T;
}

async function until<T>(what: string, timeoutMs: number, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function vmCreation(client: LoadHttpClient, runId: string): Promise<{ ms: number; success: number; ids: string[] }> {
  const ids: string[] = [];
  const names = Array.from({ length: 100 }, (_, i) => `bench-${runId}-${i + 1}`);
  const result = await new LoadTestRunner().executeConcurrentRequests(
    names,
    async (name) => {
      const answer = await client.json<{ id: string }>({ method: 'POST', path: '/api/v1/vms', json: { name } });
      if (answer.status === 201 && answer.data) ids.push(answer.data.id);
      return answer;
    },
    { concurrency: 20, progress: false },
  );
  return { ms: result.durationMs, success: result.successRate, ids };
}

async function autoscalingDecisions(client: LoadHttpClient, runId: string, trials: number): Promise<number[]> {
  const group = await json<{ id: string; members: string[] }>(client, { method: 'POST', path: '/api/v1/autoscaling/groups', json: { name: `tier-${runId}`, min_size: 1, desired_size: 1, max_size: 2 } }, 201);
  const decisions = async (): Promise<Array<{ action: string }>> => (await json<{ items: Array<{ action: string }> }>(client, { path: `/api/v1/autoscaling/groups/${group.id}/events` }, 200)).items;
  const size = async (): Promise<number> => (await json<{ current_size: number }>(client, { path: `/api/v1/autoscaling/groups/${group.id}` }, 200)).current_size;
  const setLoad = (cpu: number): Promise<unknown> =>
    json(client, { method: 'POST', path: `/api/v1/simulation/autoscaling/groups/${group.id}/load`, json: { cpu_usage: cpu, memory_usage: 20 } }, 200);
  const times: number[] = [];
  try {
    for (let trial = 0; trial < trials; trial += 1) {
      await until('the group being at its minimum and idle', 20_000, size, (n) => n === 1);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // out of any cooldown, a full idle window
      const before = (await decisions()).length;
      const crossed = performance.now();
      await setLoad(90);
      await until('a scale-up decision', 10_000, decisions, (list) => list.slice(before).some((d) => d.action === 'scale-up'));
      times.push(performance.now() - crossed);
      await setLoad(5);
    }
  } finally {
    await client.send({ method: 'DELETE', path: `/api/v1/autoscaling/groups/${group.id}` });
  }
  return times;
}

async function leaderElections(client: LoadHttpClient, trials: number): Promise<number[]> {
  const cluster = await json<{ cluster_id: string }>(client, { method: 'POST', path: '/api/v1/simulation/clusters', json: { size: 3 } }, 201);
  const query = `?cluster=${encodeURIComponent(cluster.cluster_id)}`;
  const leader = (): Promise<{ node_id: string | null; term: number | null }> => json(client, { path: `/api/v1/cluster/leader${query}` }, 200);
  const times: number[] = [];
  try {
    for (let trial = 0; trial < trials; trial += 1) {
      const old = await until('a leader', 10_000, leader, (l) => l.node_id !== null);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const failedAt = performance.now();
      await json(client, { method: 'POST', path: `/api/v1/simulation/cluster/nodes/${old.node_id}/fail${query}` }, 200);
      await until('a new leader', 10_000, leader, (l) => l.node_id !== null && l.node_id !== old.node_id && (l.term ?? 0) > (old.term ?? 0));
      times.push(performance.now() - failedAt);
      await json(client, { method: 'POST', path: `/api/v1/simulation/cluster/nodes/${old.node_id}/restart${query}` }, 200);
    }
  } finally {
    await client.send({ method: 'DELETE', path: `/api/v1/simulation/clusters/${cluster.cluster_id}` });
  }
  return times;
}

async function main(): Promise<void> {
  // The probes send more than the default 100000 requests a minute of one user: a higher default
  // limit keeps the same (in-memory) rate-limit path without 429s.
  process.env.NOVACRON_REF_RATE_LIMIT ??= '100000000/60';
  const config = loadConfig({ ...process.env, NOVACRON_API_URL: undefined });
  const environment = new TestEnvironment(config);
  const bare = await startChildTarget('plain');
  try {
    const { apiUrl } = await environment.setup();
    const referencePid = findListeningPid(Number(new URL(apiUrl).port));
    if (referencePid === undefined) throw new Error(`cannot find the reference process listening at ${apiUrl}`);
    const anonymous = new LoadHttpClient(apiUrl, { connections: 4 });
    const login = await json<{ token: string }>(anonymous, { method: 'POST', path: '/api/auth/login', json: { username: config.adminUsername, password: config.adminPassword } }, 200);
    await anonymous.close();
    const auth = { authorization: `Bearer ${login.token}` };
    const client = new LoadHttpClient(apiUrl, { connections: 20, headers: auth });
    const runId = Date.now().toString(36);

    const seeded: string[] = [];
    for (let i = 0; i < 20; i += 1) seeded.push((await json<{ id: string }>(client, { method: 'POST', path: '/api/v1/vms', json: { name: `shown-${runId}-${i}` } }, 201)).id);

    const rounds = { bare: [] as Probe[], list: [] as Probe[] };
    await probe(`${bare.url}/health`, bare.pid, {}, 1);
    await probe(`${apiUrl}/api/v1/vms?page=1&page_size=20`, referencePid, auth, 1);
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? (['bare', 'list'] as const) : (['list', 'bare'] as const);
      for (const which of order) {
        rounds[which].push(which === 'bare' ? await probe(`${bare.url}/health`, bare.pid) : await probe(`${apiUrl}/api/v1/vms?page=1&page_size=20`, referencePid, auth));
      }
    }
    const others: Array<[string, Probe]> = [
      ['reference GET /api/v1/vms/{id}', await probe(`${apiUrl}/api/v1/vms/${seeded[0]}`, referencePid, auth)],
      ['reference GET /health', await probe(`${apiUrl}/health`, referencePid)],
      ['reference GET /api/v1/health', await probe(`${apiUrl}/api/v1/health`, referencePid, auth)],
      ['reference GET /api/v1/system/metrics', await probe(`${apiUrl}/api/v1/system/metrics`, referencePid, auth)],
      ['reference GET /api/v1/dashboard/summary', await probe(`${apiUrl}/api/v1/dashboard/summary`, referencePid, auth)],
    ];

    const creation = await vmCreation(client, runId);
    const decisions = await autoscalingDecisions(client, runId, 3);
    const elections = await leaderElections(client, 5);
    for (const id of [...creation.ids, ...seeded]) await client.send({ method: 'DELETE', path: `/api/v1/vms/${id}` });
    await client.close();

    const med = (list: Probe[], key: keyof Probe): number => median(list.map((p) => p[key]));
    const bareRps = med(rounds.bare, 'rps');
    const row = (name: string, rps: number, p99: number, cpu: number): string[] => [name, fixed(rps, 0), `${fixed((100 * rps) / bareRps, 0)}%`, fixed(p99, 1), fixed(cpu, 0)];
    console.log(`Reference vs bare node:http, ${CONNECTIONS} connections, ${SECONDS} s per probe (autocannon), ${ROUNDS} alternating rounds for the first two, Node ${process.version}`);
    console.log(
      formatTable(
        ['endpoint', 'req/s', 'of bare', 'p99 ms', 'server CPU us/req'],
        [
          row('bare node:http GET /health (median)', bareRps, med(rounds.bare, 'p99Ms'), med(rounds.bare, 'serverCpuMicrosPerRequest')),
          row('reference GET /api/v1/vms, 20 per page, bearer (median)', med(rounds.list, 'rps'), med(rounds.list, 'p99Ms'), med(rounds.list, 'serverCpuMicrosPerRequest')),
          ...others.map(([name, p]) => row(name, p.rps, p.p99Ms, p.serverCpuMicrosPerRequest)),
        ],
      ),
    );
    const share = med(rounds.list, 'rps') / bareRps;
    const checks: Array<[string, string, boolean]> = [
      ['VM list throughput, share of bare node:http', `${fixed(100 * share, 0)}% (>= ${100 * TARGETS.listShare}%)`, share >= TARGETS.listShare],
      ['100 VMs created, 20 concurrent', `${fixed(creation.ms, 0)} ms, ${fixed(100 * creation.success, 0)}% success (< ${TARGETS.vmCreationMs} ms, 100%)`, creation.ms < TARGETS.vmCreationMs && creation.success === 1],
      ['autoscaling decision after the threshold is crossed', `max ${fixed(Math.max(...decisions), 0)} ms of ${decisions.map((d) => fixed(d, 0)).join(', ')} (< ${TARGETS.decisionMs} ms)`, Math.max(...decisions) < TARGETS.decisionMs],
      ['new leader after the leader fails', `max ${fixed(Math.max(...elections), 0)} ms of ${elections.map((d) => fixed(d, 0)).join(', ')} (< ${TARGETS.leaderMs} ms)`, Math.max(...elections) < TARGETS.leaderMs],
    ];
    console.log('');
    console.log(formatTable(['figure', 'measured (target)', 'verdict'], checks.map(([name, value, ok]) => [name, value, ok ? 'OK' : 'MISSED'])));
    if (checks.some(([, , ok]) => !ok)) process.exitCode = 1;
  } finally {
    await bare.close();
    await environment.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
