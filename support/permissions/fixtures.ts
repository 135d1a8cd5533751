import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApiClient, ApiResponse } from '../api-client';
import { createUser, login } from '../tasks/accounts';
import { eventually } from '../tasks/expect';
import type { NovaWorld } from '../world';

type Json = Record<string, unknown>;
export interface Resource extends Json {
  id: string;
  name: string;
}

const shown = (response: ApiResponse): string => `${response.status} ${JSON.stringify(response.data)?.slice(0, 300)}`;

function expectCreated<T>(response: ApiResponse<T>, what: string, status = 201): T {
  assert.equal(response.status, status, `the administrator could not make ${what} for the permission matrix: ${response.operation} answered ${shown(response)}`);
  return response.data;
}

/**
 * What the permission matrix acts on, made by the administrator and removed after the scenario:
 * fresh resources for the calls that change or delete them, and shared ones (made once, on first
 * use) for the calls that only read.
 */
export class Fixtures {
  private readonly shared = new Map<string, Promise<unknown>>();
  private counter = 0;

  constructor(
    private readonly world: NovaWorld,
    readonly admin: ApiClient,
  ) {}

  /** A name unique to the scenario and the call, e.g. `pm-vm-3f9a0c2d-0007` (no name is the start of another). */
  name(kind: string): string {
    this.counter += 1;
    return `pm-${kind}-${this.world.runId}-${String(this.counter).padStart(4, '0')}`;
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let made = this.shared.get(key) as Promise<T> | undefined;
    if (!made) {
      made = make();
      this.shared.set(key, made);
    }
    return made;
  }

  /** Registers the removal of `path` after the scenario (a 404 means it is already gone). */
  removeAfterwards(description: string, path: string, before?: () => Promise<void>): void {
    this.world.ledger.add(description, async () => {
      await before?.();
      const deleted = await (await this.world.suite.admin()).delete(path);
      if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting it answered ${shown(deleted)}`);
    });
  }

  // ------------------------------------------------------------------ accounts

  account(role: 'viewer' | 'operator' | 'admin' = 'viewer'): Promise<{ id: string; username: string; password: string }> {
    return createUser(this.world, this.name('user'), role);
  }

  async session(username: string, password: string): Promise<{ token: string; refreshToken: string; userId: string }> {
    const session = await login(this.world, username, password);
    return { token: session.token, refreshToken: session.refreshToken, userId: session.user.id };
  }

  // ------------------------------------------------------------------ virtual machines

  /** A fresh VM, running, with the scenario's tag and `tag` if given. */
  async vm(tag?: string): Promise<Resource> {
    const name = this.name('vm');
    const vm = expectCreated(
      await this.admin.post<Resource>('/api/v1/vms', { name, cpu_shares: 1, memory_mb: 512, tags: [this.world.scenarioTag, ...(tag ? [tag] : [])] }),
      `the VM ${name}`,
    );
    this.removeAfterwards(`VM ${name}`, `/api/v1/vms/${vm.id}`);
    const { value } = await eventually(
      () => this.admin.get<Resource>(`/api/v1/vms/${vm.id}`),
      (read) => read.data.state === 'running',
      { timeoutMs: 15_000, intervalMs: 50, what: `the VM ${name} running` },
    );
    return value.data;
  }

  /** The tag that only the steady VM carries. */
  get steadyTag(): string {
    return `pm-steady-${this.world.runId}`;
  }

  /** One running VM that nothing changes, alone under `steadyTag`: for the calls that read. */
  steadyVm(): Promise<Resource> {
    return this.once('steady vm', () => this.vm(this.steadyTag));
  }

  /** A VM of the shared ones that has been live-migrated once: for reading migrations. */
  migratedVm(): Promise<{ vm: Resource; migrationId: string }> {
    return this.once('migrated vm', async () => {
      const vm = await this.vm();
      const migration = expectCreated(
        await this.admin.post<Resource>(`/api/v1/vms/${vm.id}/migrate`, { target_node_id: await this.otherNode(vm) }),
        `a migration of ${vm.name}`,
        202,
      );
      return { vm, migrationId: migration.id };
    });
  }

  /** A node other than the VM's own with room for it. */
  async otherNode(vm: Resource): Promise<string> {
    const nodes = await this.admin.get<{ items: { id: string; free?: { cpu?: number; memory_mb?: number } }[] }>('/api/v1/nodes', { params: { page_size: 500 } });
    const other = nodes.data.items.find((node) => node.id !== vm.node_id && (node.free?.cpu ?? 0) >= 1 && (node.free?.memory_mb ?? 0) >= 512);
    assert.ok(other, `there is no node other than ${String(vm.node_id)} to migrate ${vm.name} to`);
    return other.id;
  }

  // ------------------------------------------------------------------ autoscaling

  async group(): Promise<Resource> {
    const name = this.name('group');
    const group = expectCreated(
      await this.admin.post<Resource>('/api/v1/autoscaling/groups', { name, min_size: 1, max_size: 2, vm_template: { tags: [this.world.scenarioTag] } }),
      `the scaling group ${name}`,
    );
    this.removeAfterwards(`scaling group ${name}`, `/api/v1/autoscaling/groups/${group.id}`);
    return group;
  }

  steadyGroup(): Promise<Resource> {
    return this.once('steady group', () => this.group());
  }

  // ------------------------------------------------------------------ consensus

  /** A simulated cluster of three nodes with a leader. */
  async cluster(): Promise<{ id: string; nodes: string[] }> {
    const created = expectCreated(await this.admin.post<{ cluster_id: string; nodes: { id: string }[] }>('/api/v1/simulation/clusters', { size: 3 }), 'a simulated cluster');
    const id = created.cluster_id;
    this.removeAfterwards(`simulated cluster ${id}`, `/api/v1/simulation/clusters/${id}`);
    await eventually(
      () => this.admin.get<{ node_id: string | null }>('/api/v1/cluster/leader', { params: { cluster: id } }),
      (read) => read.status === 200 && typeof read.data.node_id === 'string',
      { timeoutMs: 10_000, intervalMs: 50, what: `a leader in the simulated cluster ${id}` },
    );
    return { id, nodes: created.nodes.map((node) => node.id) };
  }

  /** The shared cluster, holding one written key. */
  steadyCluster(): Promise<{ id: string; nodes: string[]; key: string; value: string }> {
    return this.once('steady cluster', async () => {
      const cluster = await this.cluster();
      const key = this.name('key');
      const value = randomBytes(6).toString('hex');
      expectCreated(await this.admin.post(`/api/v1/cluster/writes?cluster=${encodeURIComponent(cluster.id)}`, { key, value }), `the key ${key}`);
      return { ...cluster, key, value };
    });
  }

  // ------------------------------------------------------------------ federation

  async member(): Promise<Resource> {
    const name = this.name('member');
    const member = expectCreated(
      await this.admin.post<Resource>('/api/v1/federation/members', { name, region: `pm-${this.world.runId}`, nodes: [{ cpu: 16, memory_mb: 65536 }] }),
      `the member cluster ${name}`,
    );
    this.removeAfterwards(`member cluster ${name}`, `/api/v1/federation/members/${member.id}`, async () => {
      await (await this.world.suite.admin()).post(`/api/v1/simulation/federation/members/${member.id}/reachable`);
    });
    return member;
  }

  steadyMember(): Promise<Resource> {
    return this.once('steady member', () => this.member());
  }

  async localMemberId(): Promise<string> {
    return this.once('local member', async () => (await this.admin.get<{ local_cluster_id: string }>('/api/v1/federation/status')).data.local_cluster_id);
  }

  /** A federated VM requested through the local cluster and placed on the shared member. */
  async federatedVm(): Promise<Resource & { cluster_id: string }> {
    const member = await this.steadyMember();
    const name = this.name('fvm');
    const vm = expectCreated(
      await this.admin.post<Resource & { cluster_id: string }>(`/api/v1/federation/members/${await this.localMemberId()}/vms`, { name, cpu_shares: 1, memory_mb: 512, target_cluster: member.id }),
      `the federated VM ${name}`,
    );
    this.removeAfterwards(`federated VM ${name}`, `/api/v1/federation/vms/${vm.id}`);
    return vm;
  }

  steadyFederatedVm(): Promise<Resource & { cluster_id: string }> {
    return this.once('steady federated vm', () => this.federatedVm());
  }

  // ------------------------------------------------------------------ storage

  async volume(tier = 'HOT'): Promise<Resource> {
    const name = this.name('vol');
    const volume = expectCreated(await this.admin.post<Resource>('/api/v1/storage/volumes', { name, size: 1, tier }), `the volume ${name}`);
    this.removeAfterwards(`volume ${name}`, `/api/v1/storage/volumes/${volume.id}`, async () => {
      await (await this.world.suite.admin()).post(`/api/v1/storage/volumes/${volume.id}/detach`);
    });
    return volume;
  }

  async attachedVolume(): Promise<Resource & { vm_id: string }> {
    const [volume, vm] = await Promise.all([this.volume(), this.steadyVm()]);
    expectCreated(await this.admin.post(`/api/v1/storage/volumes/${volume.id}/attach`, { vm_id: vm.id }), `the attachment of ${volume.name}`, 200);
    return { ...volume, vm_id: vm.id };
  }

  /** A shared volume attached to the shared VM, with bytes written at its start. */
  steadyVolume(): Promise<Resource & { vm_id: string; data: string }> {
    return this.once('steady volume', async () => {
      const volume = await this.attachedVolume();
      const data = randomBytes(48).toString('base64');
      expectCreated(await this.admin.put(`/api/v1/storage/volumes/${volume.id}/data`, { offset: 0, data }), `the data of ${volume.name}`, 200);
      return { ...volume, data };
    });
  }

  // ------------------------------------------------------------------ networks

  /** A segment on a /29 of 198.18.0.0/15 (the benchmarking range) that no other segment overlaps. */
  async segment(): Promise<Resource> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const block = Math.floor(Math.random() * 16384);
      const subnet = `198.${18 + Math.floor(block / 8192)}.${Math.floor((block % 8192) / 32)}.${(block % 32) * 8}/29`;
      const name = this.name('net');
      const response = await this.admin.post<Resource>('/api/v1/networks', { name, subnet });
      if (response.status === 409) continue;
      const segment = expectCreated(response, `the segment ${name} on ${subnet}`);
      this.removeAfterwards(`segment ${name}`, `/api/v1/networks/${segment.id}`);
      return segment;
    }
    throw new Error('no free /29 was found in 198.18.0.0/15 for the permission matrix in 20 tries');
  }

  async attach(segment: Resource, vm: Resource): Promise<void> {
    expectCreated(await this.admin.post(`/api/v1/networks/${segment.id}/attachments`, { vm_id: vm.id }), `the attachment of ${vm.name} to ${segment.name}`);
    this.detachAfterwards(segment, vm);
  }

  detachAfterwards(segment: Resource, vm: Resource): void {
    this.world.ledger.add(`attachment of ${vm.name} to ${segment.name}`, async () => {
      const detached = await (await this.world.suite.admin()).delete(`/api/v1/networks/${segment.id}/attachments/${vm.id}`);
      if (detached.status !== 200 && detached.status !== 404) throw new Error(`detaching it answered ${shown(detached)}`);
    });
  }

  async policy(from: Resource, to: Resource): Promise<Resource> {
    const name = this.name('policy');
    const policy = expectCreated(
      await this.admin.post<Resource>('/api/v1/network-policies', { name, source_network_id: from.id, destination_network_id: to.id, protocol: 'tcp', ports: [443], action: 'allow' }),
      `the policy ${name}`,
    );
    this.removeAfterwards(`network policy ${name}`, `/api/v1/network-policies/${policy.id}`);
    return policy;
  }

  /** Two shared segments, two VMs on the first, and a policy from the first to the second. */
  steadyNetwork(): Promise<{ first: Resource; second: Resource; vms: [Resource, Resource]; policy: Resource }> {
    return this.once('steady network', async () => {
      const [first, second, a, b] = await Promise.all([this.segment(), this.segment(), this.vm(), this.vm()]);
      await this.attach(first, a);
      await this.attach(first, b);
      return { first, second, vms: [a, b], policy: await this.policy(first, second) };
    });
  }

  // ------------------------------------------------------------------ MLE-Star

  async project(): Promise<Resource> {
    const name = this.name('ml');
    const project = expectCreated(
      await this.admin.post<Resource>('/api/v1/mlestar/projects', { name, description: 'permission matrix', type: 'classification', framework: 'sklearn', metric_targets: { accuracy: 0.5 } }),
      `the MLE-Star project ${name}`,
    );
    this.removeAfterwards(`MLE-Star project ${name}`, `/api/v1/mlestar/projects/${project.id}`);
    return project;
  }

  /** Runs the project's workflow to its end (or to `to`) and waits until it stopped. */
  async runWorkflow(project: Resource, to?: string): Promise<void> {
    expectCreated(await this.admin.post(`/api/v1/mlestar/projects/${project.id}/runs`, to ? { to } : {}), `a run of ${project.name}`, 202);
    const { value } = await eventually(
      () => this.admin.get<{ workflow: { status: string; failure_reason?: string } }>(`/api/v1/mlestar/projects/${project.id}`),
      (read) => read.data.workflow.status !== 'running' && read.data.workflow.status !== 'not_started',
      { timeoutMs: 60_000, intervalMs: 100, what: `the workflow of ${project.name} to stop` },
    );
    assert.notEqual(value.data.workflow.status, 'failed', `the workflow of ${project.name} failed: ${value.data.workflow.failure_reason ?? ''}`);
  }

  /** A shared project whose workflow ran to the end: deployed, with generated files. */
  deployedProject(): Promise<Resource> {
    return this.once('deployed project', async () => {
      const project = await this.project();
      await this.runWorkflow(project);
      return project;
    });
  }

  /** 40 rows of the project's data source answered in production (a drift check needs 30 inputs). */
  servedInProduction(project: Resource): Promise<void> {
    return this.once(`served ${project.id}`, async () => {
      const rows = await this.admin.get<{ instances: number[][] }>(`/api/v1/mlestar/projects/${project.id}/data-source/samples`, { params: { count: 40, seed: 7 } });
      expectCreated(rows, `rows of the data source of ${project.name}`, 200);
      const served = await this.admin.post(`/api/v1/mlestar/projects/${project.id}/deployments/production/predictions`, { instances: rows.data.instances });
      expectCreated(served, `predictions of ${project.name} in production`, 200);
    });
  }
}
