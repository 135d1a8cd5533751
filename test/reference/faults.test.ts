import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CORE_FAULTS, PROPOSED_SCENARIO_TITLES } from '../../reference/core/faults';
import { ADMIN_PASSWORD, sleep, Subscriber, TestReference, withRedis, type Vm } from './helpers';

const coreFaults = CORE_FAULTS.catalog;

interface Actors {
  ref: TestReference;
  admin: string;
  operator: string;
  viewer: string;
}

async function actors(ref: TestReference): Promise<Actors> {
  const admin = await ref.adminToken();
  return { ref, admin, operator: (await ref.userToken('operator', admin)).token, viewer: (await ref.userToken('viewer', admin)).token };
}

async function runningVm({ ref, operator }: Actors, name: string): Promise<Vm> {
  const created = await ref.createVm(operator, { name });
  assert.equal(created.status, 201);
  return ref.waitForState(operator, created.body.id, 'running', 2000);
}

function simulate({ ref, admin }: Actors, component: string, what: 'fail' | 'recover') {
  return ref.request('POST', `/api/v1/simulation/components/${component}/${what}`, { token: admin });
}

/**
 * One detector per fault: it passes when the defect shows and throws when the behaviour is right.
 * With the fault on, it must pass; on a clean reference, it must throw.
 */
const DETECTORS: Record<string, (actors: Actors) => Promise<void>> = {
  'vm-stuck-provisioning': async ({ ref, operator }) => {
    const created = await ref.createVm(operator, { name: 'stuck-1' });
    await ref.waitForState(operator, created.body.id, 'provisioning', 2000).catch(() => undefined);
    await assert.rejects(ref.waitForState(operator, created.body.id, 'running', 1000));
    assert.equal((await ref.request<Vm>('GET', `/api/v1/vms/${created.body.id}`, { token: operator })).body.state, 'provisioning');
  },
  'vm-stop-reports-running': async (a) => {
    const vm = await runningVm(a, 'stop-1');
    const stopped = await a.ref.request<Vm>('POST', `/api/v1/vms/${vm.id}/stop`, { token: a.operator });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.state, 'running');
  },
  'vm-accepts-invalid-spec': async ({ ref, operator }) => {
    assert.equal((await ref.createVm(operator, { name: 'zero-cpu', cpu_shares: 0 })).status, 201);
  },
  'vm-allows-forbidden-transition': async (a) => {
    const vm = await runningVm(a, 'forbidden-1');
    assert.equal((await a.ref.request('POST', `/api/v1/vms/${vm.id}/resume`, { token: a.operator })).status, 200);
  },
  'vm-delete-leaves-record': async (a) => {
    const vm = await runningVm(a, 'undead-1');
    assert.equal((await a.ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: a.operator })).status, 200);
    assert.equal((await a.ref.request('GET', `/api/v1/vms/${vm.id}`, { token: a.operator })).status, 200);
  },
  'vm-list-stale-after-delete': async (a) => {
    const vm = await runningVm(a, 'cached-1');
    const listed = async () => (await a.ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?name_prefix=cached-1', { token: a.viewer })).body.items.length;
    assert.equal(await listed(), 1);
    assert.equal((await a.ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: a.operator })).status, 200);
    assert.equal(await listed(), 1);
  },
  'vm-name-kept-after-delete': async (a) => {
    const vm = await runningVm(a, 'reborn-1');
    assert.equal((await a.ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: a.operator })).status, 200);
    assert.equal((await a.ref.createVm(a.operator, { name: 'reborn-1' })).status, 409);
  },
  'vm-start-reschedules': async (a) => {
    const vms = [await runningVm(a, 'placed-1'), await runningVm(a, 'placed-2'), await runningVm(a, 'placed-3')];
    const moved: string[] = [];
    for (const vm of vms) {
      await a.ref.request('POST', `/api/v1/vms/${vm.id}/stop`, { token: a.operator });
      const started = await a.ref.request<Vm>('POST', `/api/v1/vms/${vm.id}/start`, { token: a.operator });
      if (started.body.node_id !== vm.node_id) moved.push(vm.name);
    }
    assert.ok(moved.length > 0, 'no VM moved to another node when it was started');
  },
  'vm-unknown-is-500': async ({ ref, viewer }) => {
    assert.equal((await ref.request('GET', '/api/v1/vms/vm-00000000-0000-4000-8000-000000000000', { token: viewer })).status, 500);
  },
  'vm-history-missing': async (a) => {
    const vm = await runningVm(a, 'forgetful-1');
    const history = await a.ref.request<{ items: { action: string }[] }>('GET', `/api/v1/vms/${vm.id}/events`, { token: a.viewer });
    assert.deepEqual(history.body.items.map((event) => event.action), ['create']);
  },
  'vm-list-public': async ({ ref }) => {
    assert.equal((await ref.request('GET', '/api/v1/vms')).status, 200);
  },
  'vm-paging-off-by-one': async ({ ref, operator, viewer }) => {
    for (const name of ['page-1', 'page-2', 'page-3', 'page-4']) await ref.createVm(operator, { name, tags: ['paged'] });
    const page = async (n: number) =>
      (await ref.request<{ items: Vm[] }>('GET', `/api/v1/vms?tag=paged&page=${n}&page_size=2`, { token: viewer })).body.items.map((vm) => vm.name);
    const [first, second] = [await page(1), await page(2)];
    assert.ok(first.some((name) => second.includes(name)), `pages ${first} and ${second} do not overlap`);
  },
  'vm-state-filter-ignored': async (a) => {
    await runningVm(a, 'filtered-1');
    const stopped = await a.ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?state=stopped', { token: a.viewer });
    assert.ok(stopped.body.items.some((vm) => vm.state !== 'stopped'));
  },
  'summary-miscounts-stopped': async (a) => {
    const vm = await runningVm(a, 'counted-1');
    await a.ref.request('POST', `/api/v1/vms/${vm.id}/stop`, { token: a.operator });
    const summary = await a.ref.request<{ vms: { by_state: Record<string, number> } }>('GET', '/api/v1/dashboard/summary', { token: a.viewer });
    assert.deepEqual([summary.body.vms.by_state.stopped, summary.body.vms.by_state.running], [0, 1]);
  },
  'vm-duplicate-names': async ({ ref, operator }) => {
    assert.equal((await ref.createVm(operator, { name: 'twin-1' })).status, 201);
    assert.equal((await ref.createVm(operator, { name: 'twin-1' })).status, 201);
  },
  'db-failure-partial-write': async (a) => {
    await simulate(a, 'database', 'fail');
    try {
      assert.equal((await a.ref.createVm(a.operator, { name: 'orphan-1' })).status, 503);
    } finally {
      await simulate(a, 'database', 'recover');
    }
    const listed = await a.ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?name_prefix=orphan-1', { token: a.viewer });
    assert.equal(listed.body.items.length, 1);
  },
  'health-always-healthy': async (a) => {
    await simulate(a, 'storage', 'fail');
    try {
      const health = await a.ref.request<{ status: string; components: Record<string, { status: string }> }>('GET', '/api/v1/health');
      assert.equal(health.body.status, 'healthy');
      assert.equal(health.body.components.storage.status, 'healthy');
    } finally {
      await simulate(a, 'storage', 'recover');
    }
  },
  'health-omits-compute': async ({ ref }) => {
    const probe = await ref.request<{ checks: Record<string, unknown> }>('GET', '/health');
    const detailed = await ref.request<{ components: Record<string, unknown> }>('GET', '/api/v1/health');
    assert.equal(probe.body.checks.compute, undefined);
    assert.equal(detailed.body.components.compute, undefined);
  },
  'health-probe-omits-storage': async ({ ref }) => {
    const probe = await ref.request<{ checks: Record<string, unknown> }>('GET', '/health');
    const detailed = await ref.request<{ components: Record<string, unknown> }>('GET', '/api/v1/health');
    assert.equal(probe.body.checks.storage, undefined);
    assert.ok(detailed.body.components.storage);
  },
  'ws-drops-state-changes': async (a) => {
    const subscriber = await Subscriber.connect(a.ref.url, { token: a.viewer });
    try {
      const vm = await runningVm(a, 'silent-1');
      await a.ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: a.operator });
      // Messages arrive in order: once vm.deleted is here, every state change before it is too.
      await subscriber.waitFor((m) => m.type === 'vm.deleted' && m.data.vm_id === vm.id);
      assert.deepEqual(subscriber.messages.filter((m) => m.type === 'vm.state_changed'), []);
    } finally {
      await subscriber.close();
    }
  },
  'ws-accepts-anonymous': async ({ ref }) => {
    const subscriber = await Subscriber.connect(ref.url, {});
    await subscriber.close();
  },
  'ws-topics-ignored': async (a) => {
    const subscriber = await Subscriber.connect(a.ref.url, { token: a.viewer, query: 'topics=storage' });
    try {
      const vm = await runningVm(a, 'off-topic-1');
      await subscriber.waitFor((m) => m.type === 'vm.created' && m.data.vm_id === vm.id, 1000);
    } finally {
      await subscriber.close();
    }
  },
  'ws-bad-subscription-accepted': async (a) => {
    for (const query of ['since=-1', 'topics=VM']) {
      const subscriber = await Subscriber.connect(a.ref.url, { token: a.viewer, query });
      await subscriber.close();
    }
  },
  'ws-welcome-sequence-behind': async (a) => {
    await runningVm(a, 'welcomed-1');
    const first = await Subscriber.connect(a.ref.url, { token: a.viewer });
    const second = await Subscriber.connect(a.ref.url, { token: a.viewer, query: 'since=0' });
    try {
      const [welcome, replayed] = await Promise.all([first.waitFor((m) => m.type === 'welcome', 1000), second.waitFor((m) => m.type === 'welcome', 1000)]);
      await second.waitFor((m) => m.type !== 'welcome' && m.sequence >= welcome.sequence, 1000);
      const latest = Math.max(...second.messages.filter((m) => m.type !== 'welcome').map((m) => m.sequence));
      assert.equal(welcome.sequence, replayed.sequence);
      assert.ok(welcome.sequence < latest, `the welcome names ${welcome.sequence}, the latest event is ${latest}`);
    } finally {
      await first.close();
      await second.close();
    }
  },
  'ws-resume-loses-events': async (a) => {
    await runningVm(a, 'missed-1');
    const subscriber = await Subscriber.connect(a.ref.url, { token: a.viewer, query: 'since=0' });
    try {
      const live = await a.ref.createVm(a.operator, { name: 'missed-2' });
      // The replay comes before live events: once a live one is here, any replay would be too.
      await subscriber.waitFor((m) => m.type === 'vm.created' && m.data.vm_id === live.body.id);
      const welcome = subscriber.messages[0];
      assert.equal(welcome.type, 'welcome');
      assert.deepEqual(subscriber.messages.filter((m) => m.type !== 'welcome' && m.sequence <= welcome.sequence), []);
    } finally {
      await subscriber.close();
    }
  },
  'ws-replay-duplicates': async (a) => {
    const vm = await runningVm(a, 'replayed-1');
    const first = await Subscriber.connect(a.ref.url, { token: a.viewer, query: 'since=0' });
    const last = await first.waitFor((m) => m.data.vm_id === vm.id && m.data.to_state === 'running');
    await first.close();
    const again = await Subscriber.connect(a.ref.url, { token: a.viewer, query: `since=${last.sequence}` });
    try {
      const live = await a.ref.createVm(a.operator, { name: 'replayed-2' });
      await again.waitFor((m) => m.type === 'vm.created' && m.data.vm_id === live.body.id);
      assert.ok(again.messages.some((m) => m.type !== 'welcome' && m.sequence === last.sequence), 'the last message seen was not delivered again');
    } finally {
      await again.close();
    }
  },
  'logout-keeps-streams': async ({ ref }) => {
    const { token } = await ref.login();
    const subscriber = await Subscriber.connect(ref.url, { token });
    try {
      const closedBySignOut = new Promise((resolve) => subscriber.socket.once('close', () => resolve(true)));
      assert.equal((await ref.request('POST', '/api/auth/logout', { token })).status, 200);
      const closed = await Promise.race([closedBySignOut, new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
      assert.equal(closed, false, 'signing out closed the stream');
    } finally {
      await subscriber.close();
    }
  },
  'token-expiry-ignored': async ({ ref }) => {
    const { token } = (await ref.request<{ token: string }>('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, expires_in: 1 } })).body;
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    await sleep(exp * 1000 - Date.now() + 50);
    assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 200);
  },
  'lockout-missing': async ({ ref, admin }) => {
    const member = await ref.userToken('viewer', admin);
    for (let i = 0; i < 5; i++) await ref.request('POST', '/api/auth/login', { body: { username: member.username, password: 'wrong-password' } });
    assert.equal((await ref.request('POST', '/api/auth/login', { body: { username: member.username, password: member.password } })).status, 200);
  },
  'login-by-email-missing': async ({ ref, admin }) => {
    const me = await ref.request<{ email: string }>('GET', '/api/auth/me', { token: admin });
    assert.notEqual((await ref.request('POST', '/api/auth/login', { body: { email: me.body.email, password: ADMIN_PASSWORD } })).status, 200);
  },
  'login-reveals-unknown-user': async ({ ref }) => {
    const unknown = await ref.request('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'wrong-password' } });
    const wrong = await ref.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'wrong-password' } });
    assert.notDeepEqual(unknown.body, wrong.body);
  },
  'user-validation-stops-at-first': async ({ ref, admin }) => {
    const refused = await ref.request<{ details: { field: string }[] }>('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'form-1', email: 'not-an-email', password: 'abc', role: 'root' },
    });
    assert.deepEqual(refused.body.details.map((detail) => detail.field), ['email']);
  },
  'viewer-may-delete': async (a) => {
    const vm = await runningVm(a, 'fragile-1');
    assert.equal((await a.ref.request('DELETE', `/api/v1/vms/${vm.id}`, { token: a.viewer })).status, 200);
  },
  'logout-does-not-revoke': async ({ ref }) => {
    const { token } = await ref.login();
    assert.equal((await ref.request('POST', '/api/auth/logout', { token })).status, 200);
    assert.equal((await ref.request('GET', '/api/auth/me', { token })).status, 200);
  },
  'logout-keeps-refresh-tokens': async ({ ref }) => {
    const { token, refreshToken } = await ref.login();
    assert.equal((await ref.request('POST', '/api/auth/logout', { token })).status, 200);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken } })).status, 200);
  },
  'refresh-token-reusable': async ({ ref }) => {
    const { refreshToken } = await ref.login();
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken } })).status, 200);
    assert.equal((await ref.request('POST', '/api/auth/refresh', { body: { refreshToken } })).status, 200);
  },
  'password-leak': async ({ ref, admin }) => {
    const me = await ref.request<Record<string, unknown>>('GET', '/api/auth/me', { token: admin });
    assert.match(String(me.body.password_hash), /^scrypt\$/);
  },
  'contract-drift': async (a) => {
    const created = await a.ref.createVm(a.operator, { name: 'drift-1' });
    const vm = created.body as unknown as Record<string, unknown>;
    assert.equal(vm.state, undefined);
    assert.equal(vm.status, 'creating');
  },
  'rate-limit-headers-missing': async ({ ref, viewer }) => {
    const answer = await ref.request('GET', '/api/v1/vms', { token: viewer });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-ratelimit-limit'), null);
  },
  'rate-limit-change-waits-for-next-window': async ({ ref, admin }) => {
    const user = await ref.userToken('viewer', admin);
    const limit = (requests: number) => ref.request('PUT', `/api/v1/users/${user.id}/rate-limit`, { token: admin, body: { limit: requests, window_seconds: 3600 } });
    assert.equal((await limit(1)).status, 200);
    assert.equal((await ref.request('GET', '/api/v1/vms', { token: user.token })).status, 200);
    assert.equal((await limit(10)).status, 200);
    assert.equal((await ref.request('GET', '/api/v1/vms', { token: user.token })).status, 429);
  },
  'rate-limit-refusals-not-counted': async ({ ref, admin }) => {
    const user = await ref.userToken('viewer', admin);
    assert.equal((await ref.request('PUT', `/api/v1/users/${user.id}/rate-limit`, { token: admin, body: { limit: 1, window_seconds: 3600 } })).status, 200);
    for (let i = 0; i < 3; i++) await ref.request('GET', '/api/v1/vms', { token: user.token });
    const key = `${ref.prefix}ratelimit:${user.id}:${Math.floor(Date.now() / 1000 / 3600) * 3600}`;
    assert.equal(await withRedis((redis) => redis.get(key)), '1');
  },
  // Permission checks: the role below the lowest one is let through.
  'network-policy-delete-open-to-viewers': async ({ ref, admin, viewer }) => {
    const segment = async (name: string, subnet: string) => (await ref.request<{ id: string }>('POST', '/api/v1/networks', { token: admin, body: { name, subnet } })).body.id;
    const [from, to] = [await segment('perm-a', '10.91.1.0/24'), await segment('perm-b', '10.91.2.0/24')];
    const policy = await ref.request<{ id: string }>('POST', '/api/v1/network-policies', { token: admin, body: { name: 'perm-policy', source_network_id: from, destination_network_id: to } });
    assert.equal(policy.status, 201);
    assert.equal((await ref.request('DELETE', `/api/v1/network-policies/${policy.body.id}`, { token: viewer })).status, 200);
  },
  'federation-join-open-to-operators': async ({ ref, operator }) => {
    const joined = await ref.request('POST', '/api/v1/federation/members', { token: operator, body: { name: 'perm-peer', nodes: [{ cpu: 4, memory_mb: 8192 }] } });
    assert.equal(joined.status, 201);
  },
  'volume-detach-checks-role-last': async (a) => {
    const vm = await runningVm(a, 'perm-volume-vm');
    const volume = await a.ref.request<{ id: string }>('POST', '/api/v1/storage/volumes', { token: a.admin, body: { name: 'perm-volume', size: 1, tier: 'HOT' } });
    assert.equal((await a.ref.request('POST', `/api/v1/storage/volumes/${volume.body.id}/attach`, { token: a.admin, body: { vm_id: vm.id } })).status, 200);
    assert.equal((await a.ref.request('POST', `/api/v1/storage/volumes/${volume.body.id}/detach`, { token: a.viewer })).status, 403);
    assert.equal((await a.ref.request<{ vm_id: string | null }>('GET', `/api/v1/storage/volumes/${volume.body.id}`, { token: a.admin })).body.vm_id, null);
  },
  'cluster-simulation-open-to-operators': async ({ ref, operator }) => {
    const started = await ref.request<{ cluster_id: string }>('POST', '/api/v1/simulation/clusters', { token: operator, body: { size: 3 } });
    assert.equal(started.status, 201);
    await ref.request('DELETE', `/api/v1/simulation/clusters/${started.body.cluster_id}`, { token: operator });
  },
  'mlestar-stage-run-open-to-viewers': async ({ ref, admin, viewer }) => {
    const project = await ref.request<{ id: string }>('POST', '/api/v1/mlestar/projects', {
      token: admin,
      body: { name: 'perm-project', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.5 } },
    });
    assert.equal(project.status, 201);
    assert.equal((await ref.request('POST', `/api/v1/mlestar/projects/${project.body.id}/stages/specification/runs`, { token: viewer })).status, 202);
  },
  'autoscaling-delete-open-to-viewers': async ({ ref, admin, viewer }) => {
    const group = await ref.request<{ id: string }>('POST', '/api/v1/autoscaling/groups', { token: admin, body: { name: 'perm-group', min_size: 1, max_size: 2 } });
    assert.equal(group.status, 201);
    assert.equal((await ref.request('DELETE', `/api/v1/autoscaling/groups/${group.body.id}`, { token: viewer })).status, 200);
  },
  'component-simulation-open-to-operators': async ({ ref, operator }) => {
    assert.equal((await ref.request('POST', '/api/v1/simulation/components/compute/fail', { token: operator })).status, 200);
    await ref.request('POST', '/api/v1/simulation/components/compute/recover', { token: operator });
  },
};

/** Every scenario title of a feature file, each example of an outline with its placeholders filled in. */
function scenarioTitles(text: string): string[] {
  const titles: string[] = [];
  let outline: string | undefined;
  let header: string[] | undefined;
  const cells = (line: string) => line.trim().slice(1, -1).split('|').map((cell) => cell.trim());
  for (const line of text.split('\n')) {
    const scenario = /^\s*Scenario( Outline)?:\s*(.+?)\s*$/.exec(line);
    if (scenario) {
      titles.push(scenario[2]);
      outline = scenario[1] && scenario[2].includes('<') ? scenario[2] : undefined;
      header = undefined;
    } else if (outline && /^\s*Examples:/.test(line)) header = [];
    else if (outline && header && /^\s*\|/.test(line)) {
      if (header.length === 0) header = cells(line);
      else {
        const row = cells(line);
        titles.push(header.reduce((title, name, i) => title.split(`<${name}>`).join(row[i]), outline));
      }
    }
  }
  return titles;
}

describe('faults', () => {
  it('has a detector for every core fault, and nothing else', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), coreFaults.map((fault) => fault.name).sort());
  });

  it('names scenarios that exist in the features, or are listed as proposed', () => {
    const titles = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.feature')) {
          for (const title of scenarioTitles(readFileSync(path, 'utf8'))) titles.add(title);
        }
      }
    };
    walk(join(__dirname, '..', '..', 'features'));
    const unknown = coreFaults.flatMap((fault) => fault.scenarios).filter((title) => !titles.has(title) && !PROPOSED_SCENARIO_TITLES.includes(title));
    assert.deepEqual([...new Set(unknown)], [], 'scenario titles in reference/core/faults.ts that no feature has');
  });

  describe('on a clean reference no defect shows', () => {
    let clean: Actors;
    before(async () => {
      clean = await actors(await TestReference.start('faults-clean', { timings: { provision_step: 20 } }));
    });
    after(async () => {
      await clean?.ref.close();
    });
    for (const [name, detect] of Object.entries(DETECTORS)) {
      it(`no ${name}`, async () => {
        await assert.rejects(detect(clean), `the defect of ${name} shows without the fault`);
      });
    }
  });

  // Each fault gets a reference of its own (own schema and key prefix), so they start side by side.
  describe('each fault makes its defect show', { concurrency: 4 }, () => {
    for (const [name, detect] of Object.entries(DETECTORS)) {
      it(name, async () => {
        const ref = await TestReference.start(`fault-${name}`, { faults: [name], timings: { provision_step: 20 } });
        try {
          await detect(await actors(ref));
        } finally {
          await ref.close();
        }
      });
    }
  });
});
