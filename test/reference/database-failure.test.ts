import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DB_URL, TestReference, type Vm } from './helpers';

/** A TCP proxy to PostgreSQL that can cut every connection, as a real outage would. */
class DatabaseProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  private constructor(private readonly server: net.Server) {}

  static async start(target: URL): Promise<DatabaseProxy> {
    const server = net.createServer();
    const proxy = new DatabaseProxy(server);
    server.on('connection', (client) => proxy.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  url(original: string): string {
    const url = new URL(original);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as net.AddressInfo).port);
    return url.toString();
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: net.Socket, target: URL): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}

describe('a failed database leaves nothing half-written', () => {
  let ref: TestReference;
  let operator: string;
  let admin: string;

  before(async () => {
    ref = await TestReference.start('dbfail', { timings: { provision_step: 20 } });
    admin = await ref.adminToken();
    operator = (await ref.userToken('operator', admin)).token;
  });

  after(async () => {
    await ref.request('POST', '/api/v1/simulation/components/database/recover', { token: admin }).catch(() => undefined);
    await ref?.close();
  });

  const failDatabase = () => ref.request('POST', '/api/v1/simulation/components/database/fail', { token: admin });
  const recoverDatabase = () => ref.request('POST', '/api/v1/simulation/components/database/recover', { token: admin });

  it('refuses every write with 503 while the simulated failure lasts, changing neither memory nor database', async () => {
    const created = await ref.createVm(operator, { name: 'steady-1' });
    const running = await ref.waitForState(operator, created.body.id, 'running');
    const rowsBefore = await ref.sql('SELECT * FROM vm_events ORDER BY id');
    const vmsBefore = await ref.sql('SELECT * FROM vms ORDER BY id');

    assert.equal((await failDatabase()).status, 200);
    try {
      const orphan = await ref.createVm(operator, { name: 'orphan-1' });
      assert.equal(orphan.status, 503);
      assert.match(String((orphan.body as unknown as { error: string }).error), /database is unavailable/);
      const stop = await ref.request('POST', `/api/v1/vms/${running.id}/stop`, { token: operator });
      assert.equal(stop.status, 503);
      assert.equal((await ref.request('DELETE', `/api/v1/vms/${running.id}`, { token: operator })).status, 503);
      const user = await ref.request('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'orphan-user', email: 'orphan@example.test', password: 'long-enough', role: 'viewer' },
      });
      assert.equal(user.status, 503);
      assert.equal((await ref.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'test-admin-password' } })).status, 503);
      // Reads are served from memory and keep working.
      const read = await ref.request<Vm>('GET', `/api/v1/vms/${running.id}`, { token: operator });
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, running);
      const listed = await ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?name_prefix=orphan-1', { token: operator });
      assert.deepEqual(listed.body.items, []);
      const history = await ref.request<{ items: unknown[] }>('GET', `/api/v1/vms/${running.id}/events`, { token: operator });
      assert.equal(history.body.items.length, 3);
    } finally {
      assert.equal((await recoverDatabase()).status, 200);
    }

    assert.deepEqual(await ref.sql('SELECT * FROM vms ORDER BY id'), vmsBefore);
    assert.deepEqual(await ref.sql('SELECT * FROM vm_events ORDER BY id'), rowsBefore);
    assert.deepEqual(await ref.sql("SELECT id FROM users WHERE username = 'orphan-user'"), []);
    assert.deepEqual((await ref.request<{ items: Vm[] }>('GET', '/api/v1/vms?name_prefix=orphan-1', { token: operator })).body.items, []);
    assert.equal((await ref.request<Vm>('POST', `/api/v1/vms/${running.id}/stop`, { token: operator })).body.state, 'stopped');
    assert.equal((await ref.createVm(operator, { name: 'orphan-1' })).status, 201, 'writes work again after recovery');
  });

  it('pauses provisioning while the database is down and finishes it after recovery', async () => {
    const created = await ref.createVm(operator, { name: 'patient-1' });
    assert.equal((await failDatabase()).status, 200);
    try {
      // On a busy machine the first step may be taken before the failure, or be committing as it is
      // declared: let that settle, then compare with the state it left.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const atFailure = (await ref.request<Vm>('GET', `/api/v1/vms/${created.body.id}`, { token: operator })).body.state;
      assert.ok(atFailure === 'creating' || atFailure === 'provisioning', `the new VM was ${atFailure} when the database failed`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const during = await ref.request<Vm>('GET', `/api/v1/vms/${created.body.id}`, { token: operator });
      assert.equal(during.body.state, atFailure, 'provisioning went on while the database was down');
    } finally {
      await recoverDatabase();
    }
    await ref.waitForState(operator, created.body.id, 'running');
    const rows = await ref.sql<{ action: string }>('SELECT action FROM vm_events WHERE vm_id = $1 ORDER BY sequence', [created.body.id]);
    assert.deepEqual(rows.map((row) => row.action), ['create', 'provision', 'ready']);
  });

  it('answers 503 when the real database connection is lost, and works again when it returns', async () => {
    const proxy = await DatabaseProxy.start(new URL(DB_URL));
    const behindProxy = await TestReference.start('dbfail-real', { databaseUrl: proxy.url(DB_URL), timings: { health_cache: 0 } });
    try {
      const token = await behindProxy.adminToken();
      const vm = (await behindProxy.createVm(token, { name: 'cut-1' })).body;
      await behindProxy.waitForState(token, vm.id, 'running');
      proxy.cut();
      const refused = await behindProxy.createVm(token, { name: 'cut-2' });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal((await behindProxy.request('POST', `/api/v1/vms/${vm.id}/stop`, { token })).status, 503);
      assert.equal((await behindProxy.request<Vm>('GET', `/api/v1/vms/${vm.id}`, { token })).body.state, 'running');
      const health = await behindProxy.request<{ status: string }>('GET', '/health');
      assert.deepEqual([health.status, health.body.status], [503, 'unhealthy']);
      proxy.restore();
      assert.equal((await behindProxy.request<Vm>('POST', `/api/v1/vms/${vm.id}/stop`, { token })).status, 200);
      assert.equal((await behindProxy.createVm(token, { name: 'cut-2' })).status, 201);
      assert.equal((await behindProxy.request<{ status: string }>('GET', '/health')).body.status, 'healthy');
    } finally {
      await behindProxy.close();
      await proxy.close();
    }
  });
});
