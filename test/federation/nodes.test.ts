import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestReference } from '../reference/helpers';

interface NodeView {
  id: string;
  free: { cpu: number; memory_mb: number };
  vm_count: number;
}

/** The nodes' room and counts: a stopped VM holds no share of its node (with migration-nodes-count-stopped-vms, its count says otherwise). */
describe('the list of nodes', () => {
  async function afterStopping(faults: string[]): Promise<{ before: NodeView; running: NodeView; stopped: NodeView }> {
    const ref = await TestReference.start(`nodes-${faults.join('-') || 'clean'}`, { faults, timings: { provision_step: 10 } });
    try {
      const token = await ref.adminToken();
      const node1 = async () => (await ref.request<{ items: NodeView[] }>('GET', '/api/v1/nodes', { token })).body.items.find((node) => node.id === 'node-1') as NodeView;
      const before = await node1();
      const vm = await ref.createVm(token, { name: 'held-1', node_id: 'node-1', cpu_shares: 2, memory_mb: 1024 });
      await ref.waitForState(token, vm.body.id, 'running', 2000);
      const running = await node1();
      assert.equal((await ref.request('POST', `/api/v1/vms/${vm.body.id}/stop`, { token })).status, 200);
      return { before, running, stopped: await node1() };
    } finally {
      await ref.close();
    }
  }

  it('takes a running VM\'s share, and gives it back when the VM stops', async () => {
    const { before, running, stopped } = await afterStopping([]);
    assert.deepEqual(running.free, { cpu: before.free.cpu - 2, memory_mb: before.free.memory_mb - 1024 });
    assert.equal(running.vm_count, before.vm_count + 1);
    assert.deepEqual(stopped, before);
  });

  it('still counts the stopped VM with migration-nodes-count-stopped-vms', async () => {
    const { before, stopped } = await afterStopping(['migration-nodes-count-stopped-vms']);
    assert.equal(stopped.vm_count, before.vm_count + 1);
  });
});
