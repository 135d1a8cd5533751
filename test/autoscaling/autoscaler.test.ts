import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuplicateGroupError } from '../../reference/autoscaling/autoscaler';
import { GroupValidationError, parseGroupConfig } from '../../reference/autoscaling/group';
import { IDLE_LOAD, LoadValidationError, parseLoad, SimulatedVmLoad } from '../../reference/autoscaling/vm-load';
import { AutoscalingHarness, DEFAULT_COOLDOWN_SECONDS } from './scenarios';

describe('scaling group configuration', () => {
  it('fills the defaults: 1 to 5 members, CPU 70/30, memory 80/30, a 1 s window and the given cooldown', () => {
    const config = parseGroupConfig({ name: 'web' }, 1);
    assert.deepEqual(config, {
      name: 'web',
      min_size: 1,
      max_size: 5,
      desired_size: 1,
      cpu_scale_up_threshold: 70,
      cpu_scale_down_threshold: 30,
      memory_scale_up_threshold: 80,
      memory_scale_down_threshold: 30,
      evaluation_window_seconds: 1,
      cooldown_seconds: 1,
      vm_template: { cpu_shares: 1, memory_mb: 512, image: 'ubuntu-24.04', tags: [] },
    });
  });

  it('names every invalid field', () => {
    try {
      parseGroupConfig({ name: 'Web!', min_size: 3, max_size: 2, cpu_scale_up_threshold: 20, cpu_scale_down_threshold: 40, evaluation_window_seconds: 0, vm_template: { memory_mb: 1 } }, 1);
      assert.fail('accepted an invalid group');
    } catch (error) {
      assert.ok(error instanceof GroupValidationError);
      assert.deepEqual(
        error.details.map((d) => d.field),
        ['name', 'evaluation_window_seconds', 'max_size', 'desired_size', 'cpu_scale_down_threshold', 'vm_template.memory_mb'],
      );
      assert.match(error.details.find((d) => d.field === 'max_size')!.message, /must be at least min_size \(3\), got 2/);
    }
    assert.throws(() => parseGroupConfig('web', 1), GroupValidationError);
    assert.throws(() => parseGroupConfig({ name: 'web', min_size: 1.5 }, 1), /min_size must be a whole number from 1 to 100 \(got 1.5\)/);
  });

  it('accepts a member template at its highest limits, which the limits-off-by-one fault refuses', () => {
    const highest = { cpu_shares: 64, memory_mb: 262144, image: 'i'.repeat(100), tags: Array.from({ length: 16 }, (_, i) => `t${i}`) };
    assert.deepEqual(parseGroupConfig({ name: 'web', vm_template: highest }, 1).vm_template, highest);
    assert.throws(() => parseGroupConfig({ name: 'web', vm_template: highest }, 1, { templateLimitsOffByOne: true }), /vm_template.cpu_shares.*vm_template.memory_mb.*vm_template.image.*vm_template.tags/);
  });
});

describe('the autoscaler', () => {
  it('creates the desired members at once, named after the group, and refuses a second group of the same name', async () => {
    const h = new AutoscalingHarness();
    const group = await h.createGroup({ min_size: 2, max_size: 4, desired_size: 3 });
    assert.equal(group.members.length, 3);
    assert.match(group.id, /^asg-[0-9a-f-]{36}$/);
    assert.deepEqual(h.vms.created, ['vm-1-web-1', 'vm-2-web-2', 'vm-3-web-3']);
    await assert.rejects(h.createGroup({}), DuplicateGroupError);
  });

  it('decides within 2 s of the threshold being crossed with the default timings, wherever the crossing falls in the interval', async () => {
    const times: number[] = [];
    for (let phase = 0; phase < 200; phase += 13) {
      const h = new AutoscalingHarness([], 200, phase);
      const group = await h.createGroup({});
      await h.advance(2000);
      h.setLoad(group, 85, 40);
      const waited = await h.untilDecision(0, 5000);
      assert.ok(waited !== undefined, `phase ${phase}: no decision`);
      times.push(waited);
    }
    assert.ok(Math.max(...times) < 2000, `slowest decision ${Math.max(...times)} ms`);
    assert.ok(Math.min(...times) >= 200, 'a decision cannot come before the average moved');
  });

  it('records each decision with the averages, the threshold, the sizes and the member it added or removed', async () => {
    const h = new AutoscalingHarness();
    const group = await h.createGroup({ min_size: 1, max_size: 2, cooldown_seconds: DEFAULT_COOLDOWN_SECONDS });
    h.setLoad(group, 90, 50);
    await h.untilDecision(0, 3000);
    h.setLoad(group, 10, 10);
    await h.untilDecision(1, 5000);
    const [up, down] = h.autoscaler.decisions(group.id);
    assert.equal(up.action, 'scale-up');
    assert.equal(up.metric, 'cpu');
    assert.equal(up.threshold, 70);
    assert.equal(up.average_cpu, 90);
    assert.equal(up.from_size, 1);
    assert.equal(up.to_size, 2);
    assert.equal(up.vm_id, 'vm-2-web-2');
    assert.match(up.reason, /^average cpu 90% above 70% over 1 s$/);
    assert.equal(down.action, 'scale-down');
    assert.equal(down.vm_id, 'vm-2-web-2', 'the newest member goes first');
    assert.deepEqual(h.vms.deleted, ['vm-2-web-2']);
    assert.equal(group.desired_size, 1);
    assert.equal(group.last_scaled_at, down.decided_at);
    assert.deepEqual(h.decisions, [up, down], 'each decision is announced');
  });

  it('ignores members that cannot report and does not decide for a group with none', async () => {
    const h = new AutoscalingHarness();
    const group = await h.createGroup({ desired_size: 2, max_size: 3 });
    h.vms.alive.clear();
    h.setLoad(group, 99, 99);
    await h.advance(3000);
    assert.deepEqual(h.decisions, []);
    assert.equal(h.autoscaler.evaluation(group.id)?.samples, 0);
  });

  it('deletes the members of a deleted group and forgets the group', async () => {
    const h = new AutoscalingHarness();
    const group = await h.createGroup({ desired_size: 2, max_size: 3 });
    assert.equal(await h.autoscaler.deleteGroup(group.id), true);
    assert.deepEqual(h.vms.deleted, ['vm-2-web-2', 'vm-1-web-1']);
    assert.equal(h.autoscaler.group(group.id), undefined);
    assert.equal(await h.autoscaler.deleteGroup(group.id), false);
  });

  it('takes back a persisted group and goes on numbering its members where it stopped', async () => {
    const first = new AutoscalingHarness();
    const group = await first.createGroup({ desired_size: 2, max_size: 3 });
    const saved = { group: JSON.parse(JSON.stringify(group)), next: first.autoscaler.nextMemberNumber(group.id) };
    assert.equal(saved.next, 3);
    const second = new AutoscalingHarness();
    second.autoscaler.restoreGroup(saved.group, saved.next);
    const restored = second.autoscaler.group(group.id)!;
    for (const id of restored.members) second.vms.alive.add(id);
    second.setLoad(restored, 90, 40);
    await second.untilDecision(0, 3000);
    assert.deepEqual(second.vms.created, ['vm-1-web-3']);
  });
});

describe('which member a scale-down removes', () => {
  async function shrunkFrom3(faults: string[]): Promise<{ members: string[]; removed: string; before: string[] }> {
    const h = new AutoscalingHarness(faults);
    const group = await h.createGroup({ min_size: 1, max_size: 3, desired_size: 3, evaluation_window_seconds: 0.2, cooldown_seconds: 0 });
    const before = [...group.members];
    h.setLoad(group, 5, 5);
    await h.untilDecision(0, 2000);
    return { members: group.members, removed: h.decisions[0].vm_id, before };
  }

  it('is the newest, and the decision names it', async () => {
    const { members, removed, before } = await shrunkFrom3([]);
    assert.equal(removed, before[2]);
    assert.deepEqual(members, before.slice(0, 2));
  });

  it('is the oldest with autoscaling-scale-down-removes-oldest', async () => {
    const { members, removed, before } = await shrunkFrom3(['autoscaling-scale-down-removes-oldest']);
    assert.equal(removed, before[0]);
    assert.deepEqual(members, before.slice(1));
  });
});

describe('the simulated VM load', () => {
  it("reports idle by default, a group's load for its members, and a VM's own load above both", () => {
    const load = new SimulatedVmLoad();
    assert.deepEqual(load.loadOf('vm-a', 'g'), IDLE_LOAD);
    load.setGroupLoad('g', ['vm-a'], { cpu_usage: 80, memory_usage: 40 });
    assert.deepEqual(load.loadOf('vm-new', 'g'), { cpu_usage: 80, memory_usage: 40 });
    load.setVmLoad('vm-a', { cpu_usage: 10, memory_usage: 10 });
    assert.equal(load.loadOf('vm-a', 'g').cpu_usage, 10);
    assert.equal(load.loadOf('vm-b').cpu_usage, IDLE_LOAD.cpu_usage);
  });

  it('parses a load request and names a bad field', () => {
    assert.deepEqual(parseLoad({ cpu_usage: 90 }), { cpu_usage: 90, memory_usage: IDLE_LOAD.memory_usage });
    assert.throws(() => parseLoad({ cpu_usage: 120 }), (error: unknown) => error instanceof LoadValidationError && error.field === 'cpu_usage');
    assert.throws(() => parseLoad({}), /cpu_usage or memory_usage is required/);
    assert.throws(() => parseLoad([]), /body must be a JSON object/);
    assert.throws(() => parseLoad({ cpu_usage: 50, colour: 'red' }), (error: unknown) => error instanceof LoadValidationError && error.field === 'colour');
    assert.throws(() => parseLoad({ cpu_usage: 50, toString: 1 }), (error: unknown) => error instanceof LoadValidationError && error.field === 'toString');
  });
});
