import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterInputError, RaftCluster } from '../../reference/consensus/cluster';
import { pumpedScheduler, VirtualScheduler } from '../../reference/consensus/scheduler';
import { Harness } from './scenarios';

describe('the simulated control-plane cluster', () => {
  it('refuses sizes outside 3 to 7 and inconsistent timings, naming the value', () => {
    assert.throws(() => new RaftCluster({ size: 2 }), /^ClusterInputError: cluster size 2 is not valid: expected a whole number from 3 to 7$/);
    assert.throws(() => new RaftCluster({ size: 8 }), /cluster size 8/);
    assert.throws(() => new RaftCluster({ timings: { electionTimeoutMinMs: 400, electionTimeoutMaxMs: 300 } }), /election timeout 400-300 ms/);
    assert.throws(() => new RaftCluster({ timings: { heartbeatMs: 200 } }), /heartbeat 200 ms is not valid/);
    const cluster = new RaftCluster({ scheduler: new VirtualScheduler() });
    assert.throws(() => cluster.stopNode('node-9'), (error: unknown) => error instanceof ClusterInputError && error.kind === 'not-found');
    assert.throws(() => cluster.setLink('node-1', 'node-2', { dropRate: 2 }), /drop rate 2 is not valid/);
    assert.throws(() => cluster.partition([['node-1'], ['node-1', 'node-2']]), /names node node-1 twice/);
  });

  it('names its nodes node-1 to node-n and starts with every node a follower in term 0', () => {
    const cluster = new RaftCluster({ size: 5, scheduler: new VirtualScheduler() });
    assert.deepEqual(cluster.nodeIds, ['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
    cluster.start();
    assert.ok(cluster.status().nodes.every((node) => node.role === 'follower' && node.term === 0));
    assert.equal(cluster.status().leader, null);
  });

  it('repeats itself exactly for the same seed', async () => {
    const trace = (seed: number): string => {
      const h = new Harness(seed);
      h.waitForLeader();
      h.advance(500);
      return JSON.stringify(h.cluster.observations());
    };
    assert.equal(trace(42), trace(42));
    assert.notEqual(trace(42), trace(43));
  });

  it('forwards a write sent to a follower and answers once a majority holds it', async () => {
    const h = new Harness(5);
    const leader = h.waitForLeader()!;
    const follower = h.followers()[0];
    const outcome = await h.write(follower, 'colour', 'blue');
    assert.equal(outcome.status, 'committed');
    assert.ok(outcome.status === 'committed' && outcome.leader === leader.id);
    h.until(() => h.everyNodeReads('colour', 'blue'), 500);
    assert.ok(h.everyNodeReads('colour', 'blue'));
    assert.deepEqual(h.finish().failures, []);
  });

  it('answers a read with the commit index its value reflects (one more with consensus-read-claims-next-index)', async () => {
    for (const [faults, extra] of [[[], 0], [['consensus-read-claims-next-index'], 1]] as const) {
      const h = new Harness(5, faults);
      const leader = h.waitForLeader()!;
      assert.equal((await h.write(leader.id, 'colour', 'blue')).status, 'committed');
      const read = h.cluster.read(leader.id, 'colour');
      assert.equal(read.commitIndex, h.cluster.nodeStatus(leader.id).commitIndex + extra);
    }
  });

  it('keeps term, vote, log and commit index over a restart, and rebuilds its data from them', async () => {
    const h = new Harness(9);
    h.waitForLeader();
    await h.write(h.followers()[0], 'kept', 'yes');
    h.advance(200);
    const id = h.followers()[1];
    const before = h.cluster.nodeStatus(id);
    h.cluster.stopNode(id);
    assert.equal(h.cluster.nodeStatus(id).role, 'stopped');
    assert.equal(h.cluster.read(id, 'kept').value, 'yes', 'a stopped node still holds its data on disk');
    h.cluster.restartNode(id);
    const after = h.cluster.nodeStatus(id);
    assert.equal(after.term, before.term);
    assert.equal(after.votedFor, before.votedFor);
    assert.equal(after.lastLogIndex, before.lastLogIndex);
    assert.equal(after.commitIndex, before.commitIndex);
    assert.equal(h.cluster.read(id, 'kept').value, 'yes');
  });

  it('refuses a write through a stopped node at once, and one without a leader after the write timeout', async () => {
    const scheduler = new VirtualScheduler();
    const cluster = new RaftCluster({ scheduler, timings: { writeTimeoutMs: 700 } });
    cluster.start();
    cluster.stopNode('node-1');
    assert.deepEqual(await cluster.write('node-1', 'k', 'v'), { status: 'refused', reason: 'node-stopped' });
    cluster.partition([['node-1'], ['node-2'], ['node-3']]);
    cluster.restartNode('node-1');
    const pending = cluster.write('node-2', 'k', 'v');
    scheduler.advance(699);
    let answered = false;
    void pending.then(() => (answered = true));
    await Promise.resolve();
    assert.equal(answered, false);
    scheduler.advance(1);
    assert.deepEqual(await pending, { status: 'refused', reason: 'no-leader' });
  });

  it('loses messages across a partition, on a lossy link and to a stopped node, and reports what it did', () => {
    const h = new Harness(11);
    h.waitForLeader();
    h.cluster.setLink('node-1', 'node-2', { delayMs: 40, dropRate: 0.5 });
    h.cluster.partition([['node-3']]);
    assert.deepEqual(h.cluster.status().network, {
      partitions: [['node-3']],
      links: [{ from: 'node-1', to: 'node-2', delayMs: 40, dropRate: 0.5 }],
    });
    const before = h.cluster.networkStats();
    h.advance(1000);
    const after = h.cluster.networkStats();
    assert.ok(after.dropped > before.dropped);
    h.cluster.heal();
    h.cluster.clearLinks();
    assert.deepEqual(h.cluster.status().network, { partitions: [], links: [] });
  });

  it('logs every term and role transition with increasing sequence numbers', () => {
    const h = new Harness(13);
    const leader = h.waitForLeader()!;
    h.cluster.stopNode(leader.id);
    h.waitForLeader();
    const log = h.cluster.observations();
    assert.ok(log.some((o) => o.node === leader.id && o.role === 'leader' && o.term === leader.term));
    assert.ok(log.some((o) => o.node === leader.id && o.role === 'stopped'));
    assert.ok(log.every((o, i) => i === 0 || o.sequence === log[i - 1].sequence + 1));
    const tail = h.cluster.observations(log[2].sequence);
    assert.deepEqual(tail, log.slice(3));
  });
});

describe('the stall-tolerant clock of the running reference', () => {
  it('keeps real time, and after a host stall fires the overdue timers in the order of the simulated clock', () => {
    let beat: () => void = () => undefined;
    const scheduler = pumpedScheduler((_ms, callback) => {
      beat = callback;
      return { cancel: () => (beat = () => undefined) };
    });
    const fired: string[] = [];
    // A heartbeat due at 50 ms whose delivery (2 ms later) must beat a deadline at 150 ms.
    scheduler.after(150, () => fired.push(`deadline at ${scheduler.now()}`));
    scheduler.after(50, () => {
      fired.push(`heartbeat at ${scheduler.now()}`);
      scheduler.after(2, () => fired.push(`delivery at ${scheduler.now()}`));
    });
    const started = performance.now();
    while (performance.now() - started < 300) {
      // the host stalls for 300 ms: no beat runs
    }
    beat();
    assert.deepEqual(fired, ['heartbeat at 50', 'delivery at 52', 'deadline at 150']);
    assert.ok(scheduler.now() >= 300, 'the clock caught up with real time');
    assert.ok(Math.abs(scheduler.wallTime(scheduler.now()) - Date.now()) < 5);
    scheduler.stop();
  });
});
