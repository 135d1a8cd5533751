/** Virtual machine operations under load: many VMs requested at once, and VMs taken through their whole lifecycle concurrently. */
import assert from 'node:assert/strict';
import { LoadTestRunner, OperationBreakdown, type LoadHttpClient, type LoadResponse, type OperationResult } from '../../load';
import type { NovaWorld } from '../../world';
import { expectStatus } from '../expect';
import type { Vm } from '../vms';
import { loadClient, withClient } from './load-client';
import { announce, keepLoadResult, latestLoadResult, percentileOf, publishLoad } from './load-figures';
import { deleteLoadVmsAfterScenario, scenarioVms, vmsCreatedByLoad, waitUntilRunning } from './load-fixtures';

interface VmOperationsState {
  /** how many VMs the load asked for */
  requestedVms: number;
  /** the lifecycle mix's figures, by kind of operation */
  operations?: Record<string, OperationResult>;
}

function vmOperations(world: NovaWorld): VmOperationsState {
  return world.domain('performance-vm-operations', (): VmOperationsState => ({ requestedVms: 0 }));
}

export async function createVmsUnderLoad(world: NovaWorld, count: number, concurrency: number): Promise<void> {
  const created = vmsCreatedByLoad(world);
  deleteLoadVmsAfterScenario(world);
  announce(world, `🔄 Creating ${count} VMs with ${concurrency} concurrent requests...`);
  const names = Array.from({ length: count }, (_, i) => world.unique(`load-${i + 1}`));
  vmOperations(world).requestedVms = count;
  const result = await withClient(loadClient(world, concurrency), (client) =>
    new LoadTestRunner().executeConcurrentRequests(
      names,
      async (name) => {
        const response = await client.json<Vm>({ method: 'POST', path: '/api/v1/vms', json: { name, tags: [world.scenarioTag] } });
        if (response.status === 201 && response.data) created.add(response.data.id);
        return response;
      },
      { concurrency, label: 'VM creation' },
    ),
  );
  keepLoadResult(world, result);
  publishLoad(world, 'VM Creation Results', 'VMs');
}

export async function expectCreatedVmsRunning(world: NovaWorld, count: number, withinMs: number): Promise<void> {
  const created = vmsCreatedByLoad(world);
  assert.equal(created.size, count, `${created.size} of the ${count} virtual machines were created`);
  const elapsedMs = await waitUntilRunning(world, [...created], withinMs);
  world.metrics.record('all-vms-running', Math.round(elapsedMs));
  announce(world, `✅ All ${count} virtual machines running ${(elapsedMs / 1000).toFixed(2)} s after the last request was answered`);
}

/**
 * The total time and the throughput are recorded in the scenario's metrics, and they are what they
 * claim: every requested VM was asked for, the VMs counted as created are the ones that exist, the
 * throughput is those VMs over the total time, and the target's own creation times of them fit in
 * that total time (the load engine's clock is not simply trusted).
 */
export async function reportVmThroughput(world: NovaWorld): Promise<void> {
  const { requestedVms } = vmOperations(world);
  const created = vmsCreatedByLoad(world);
  const result = latestLoadResult(world);
  assert.equal(result.requests, requestedVms, `the load sent ${result.requests} requests for ${requestedVms} virtual machines`);
  assert.equal(result.succeeded, created.size, `the load counts ${result.succeeded} successful requests, but ${created.size} virtual machines were created`);
  assert.ok(result.durationMs > 0 && created.size > 0, `the load measured ${result.durationMs} ms for ${created.size} virtual machines`);
  const throughput = created.size / (result.durationMs / 1000);
  assert.ok(
    Math.abs(result.successThroughput - throughput) <= throughput * 0.001,
    `the load reports ${result.successThroughput.toFixed(3)} VMs/s, but ${created.size} VMs in ${result.durationMs.toFixed(1)} ms is ${throughput.toFixed(3)} VMs/s`,
  );
  const response = await (await world.suite.admin()).get<{ items: Vm[] }>('/api/v1/vms', { params: { tag: world.scenarioTag, page_size: 500 } });
  expectStatus(response, 200, 'listing the virtual machines the load created');
  const createdAt = response.data.items.filter((vm) => created.has(vm.id)).map((vm) => Date.parse(vm.created_at));
  assert.equal(createdAt.length, created.size, `${createdAt.length} of the ${created.size} virtual machines the load created are listed`);
  const spanMs = Math.max(...createdAt) - Math.min(...createdAt);
  assert.ok(spanMs <= result.durationMs + 1000, `the target created the virtual machines over ${spanMs} ms, more than the ${result.durationMs.toFixed(0)} ms the load reports as its total time`);
  world.metrics.record('vm-creation-total-time', Math.round(result.durationMs));
  world.metrics.record('vm-creation-throughput', result.successThroughput, 'VMs/s');
  announce(world, `⏱️  Total time ${result.durationMs.toFixed(2)} ms, throughput ${result.successThroughput.toFixed(2)} VMs/second`);
}

/** Reads the VM until it is running (each read timed as a "read"); the last answer, or a 504 after 500 reads. */
async function untilRunning(client: LoadHttpClient, id: string, breakdown: OperationBreakdown): Promise<LoadResponse> {
  let last: LoadResponse = { status: 0 };
  for (let attempt = 0; attempt < 500; attempt += 1) {
    last = await breakdown.time('read', () => client.json<Vm>({ path: `/api/v1/vms/${id}` }));
    const vm = (last as { data?: Vm }).data;
    if (last.status !== 200 || vm?.state === 'running') return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { status: 504, body: `virtual machine ${id} was not running after 500 reads` };
}

/** Each VM goes through create, (ready), stop, start and delete; every operation timed by kind. */
export async function runLifecycleMix(world: NovaWorld, count: number, concurrency: number): Promise<void> {
  const state = vmOperations(world);
  const created = vmsCreatedByLoad(world);
  deleteLoadVmsAfterScenario(world);
  state.requestedVms = count;
  const breakdown = new OperationBreakdown();
  announce(world, `🔄 Taking ${count} VMs through create, stop, start and delete, ${concurrency} at a time...`);
  const names = Array.from({ length: count }, (_, i) => world.unique(`mix-${i + 1}`));
  const result = await withClient(loadClient(world, concurrency), (client) =>
    new LoadTestRunner().executeConcurrentRequests(
      names,
      async (name) => {
        const answer = await breakdown.time('create', () => client.json<Vm>({ method: 'POST', path: '/api/v1/vms', json: { name, tags: [world.scenarioTag] } }));
        const id = answer.data?.id;
        if (answer.status !== 201 || !id) return answer;
        created.add(id);
        const ready = await untilRunning(client, id, breakdown);
        if (ready.status !== 200) return ready;
        for (const action of ['stop', 'start'] as const) {
          const acted = await breakdown.time(action, () => client.send({ method: 'POST', path: `/api/v1/vms/${id}/${action}` }));
          if (acted.status !== 200) return acted;
        }
        const deleted = await breakdown.time('delete', () => client.send({ method: 'DELETE', path: `/api/v1/vms/${id}` }));
        if (deleted.status === 200) created.delete(id);
        return deleted;
      },
      { concurrency, label: 'VM lifecycle mix' },
    ),
  );
  state.operations = breakdown.results();
  keepLoadResult(world, { ...result, groups: state.operations });
  publishLoad(world, 'VM Lifecycle Mix Results', 'journeys');
}

export function expectEveryOperationSucceeded(world: NovaWorld): void {
  const result = latestLoadResult(world);
  const operations = vmOperations(world).operations ?? {};
  const failed = Object.entries(operations).filter(([, op]) => op.successRate < 1);
  assert.deepEqual(
    failed.map(([name, op]) => `${name}: ${op.requests - op.succeeded} of ${op.requests} failed (${op.errorSamples.join('; ')})`),
    [],
    'operations of the mix failed',
  );
  assert.equal(result.failed, 0, `${result.failed} of ${result.requests} journeys failed: ${JSON.stringify(result.errorSamples)}`);
  for (const name of ['create', 'stop', 'start', 'delete']) assert.ok(operations[name]?.requests, `the mix never ran a ${name}`);
}

export function expectOperationPercentiles(world: NovaWorld, percentile: number, limitMs: number): void {
  const operations = vmOperations(world).operations ?? {};
  const slow = Object.entries(operations)
    .filter(([name]) => name !== 'read')
    .map(([name, op]) => ({ name, value: percentileOf(op.latency, percentile) }))
    .filter(({ value }) => value >= limitMs);
  assert.deepEqual(slow.map(({ name, value }) => `${name}: ${value.toFixed(1)} ms`), [], `the ${percentile}th percentile of these operations is not below ${limitMs} ms`);
}

export async function expectNoVmLeft(world: NovaWorld, count: number): Promise<void> {
  const left = await scenarioVms(world);
  const { requestedVms } = vmOperations(world);
  assert.equal(requestedVms, count, `the mix asked for ${requestedVms} virtual machines, not ${count}`);
  assert.deepEqual(left.map((vm) => `${vm.name} (${vm.state})`), [], `${left.length} of the ${count} virtual machines are still there`);
}
