import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RaftCluster } from '../../reference/consensus/cluster';
import { SeededRandom } from '../../reference/consensus/random';
import { Harness, scenarios } from './scenarios';

describe('leader election', () => {
  it('elects a new leader with a higher term in under 1 s after the leader is lost (default timings, 100 seeds)', async () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const run = await scenarios['A new leader takes over when the leader fails'](seed);
      assert.deepEqual(run.failures, [], `seed ${seed}`);
      times.push(run.figures['leader-election-time']);
    }
    times.sort((a, b) => a - b);
    const max = times[times.length - 1];
    assert.ok(max < 1000, `slowest election took ${max} ms`);
    assert.ok(times[0] > 0, 'an election cannot be instantaneous');
  });

  it('never has two leaders in one term under random partitions, losses, delays and restarts (60 seeds, 3 to 7 nodes)', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const size = [3, 5, 7, 4, 6][seed % 5];
      const h = new Harness(seed, [], { size });
      const chaos = new SeededRandom(seed * 7919);
      const ids = h.cluster.nodeIds;
      const pick = (): string => ids[Math.floor(chaos.next() * ids.length)];
      const stopped = new Set<string>();
      const pending: Promise<unknown>[] = [];
      for (let step = 0; step < 40; step++) {
        const roll = chaos.next();
        if (roll < 0.15) {
          const cut = 1 + Math.floor(chaos.next() * (ids.length - 1));
          const shuffled = [...ids].sort(() => chaos.next() - 0.5);
          h.cluster.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
        } else if (roll < 0.3) {
          h.cluster.heal();
        } else if (roll < 0.4) {
          h.cluster.setAllLinks({ delayMs: Math.floor(chaos.next() * 120), dropRate: chaos.next() * 0.4 });
        } else if (roll < 0.5) {
          h.cluster.clearLinks();
        } else if (roll < 0.6 && stopped.size < ids.length - 1) {
          const id = pick();
          h.cluster.stopNode(id);
          stopped.add(id);
        } else if (roll < 0.7 && stopped.size > 0) {
          const id = [...stopped][0];
          h.cluster.restartNode(id);
          stopped.delete(id);
        } else {
          pending.push(h.writeInBackground(pick(), `k${step % 4}`, `s${seed}-${step}`));
        }
        h.advance(50 + Math.floor(chaos.next() * 300));
      }
      h.cluster.heal();
      h.cluster.clearLinks();
      for (const id of stopped) h.cluster.restartNode(id);
      h.advance(1500);
      await Promise.all(pending);
      h.until(() => h.converged(), 5000);
      h.expect(h.converged(), 'the cluster did not converge within 5 s once healed');
      h.checkConverged();
      const run = h.finish();
      assert.deepEqual(run.failures, [], `seed ${seed}, ${size} nodes`);
      assert.ok(h.invariants.observations > 100, 'the checker saw too little to prove anything');
    }
  });

  it('elects a leader within 1 s on real timers with the default timings', async () => {
    const cluster = new RaftCluster({ seed: 3 });
    cluster.start();
    try {
      const first = await waitFor(() => cluster.status().leader, 2000);
      const started = performance.now();
      cluster.stopNode(first.id);
      const next = await waitFor(() => {
        const leader = cluster.status().leader;
        return leader && leader.id !== first.id ? leader : null;
      }, 2000);
      const elapsed = performance.now() - started;
      assert.ok(next.term > first.term);
      assert.ok(elapsed < 1000, `re-election took ${elapsed.toFixed(0)} ms`);
    } finally {
      cluster.close();
    }
  });
});

async function waitFor<T>(probe: () => T | null, limitMs: number): Promise<T> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
