import { After, DataTable, Given, Then, When } from '@cucumber/cucumber';
import * as consensus from '../support/tasks/consensus';
import type { NovaWorld } from '../support/world';

// The safety check that runs throughout every consensus scenario: the watch started with the
// cluster fails the scenario here if two nodes ever led in one term, a committed change was
// rewritten or lost, or a commit index went back.
After({ tags: '@consensus' }, async function (this: NovaWorld) {
  await consensus.finishWatch(this);
});

Given('a control-plane cluster of {int} nodes', async function (this: NovaWorld, size: number) {
  await consensus.startCluster(this, size);
});

Given('a control-plane cluster of {int} nodes with a leader', async function (this: NovaWorld, size: number) {
  await consensus.startClusterWithLeader(this, size);
});

Then('exactly one node leads the cluster within {int} seconds', async function (this: NovaWorld, seconds: number) {
  await consensus.expectSingleLeader(this, seconds * 1000);
});

Then('every node follows that leader', async function (this: NovaWorld) {
  await consensus.expectEveryNodeFollowsLeader(this);
});

Then('the same node keeps the lead for {int} seconds while the network is healthy', async function (this: NovaWorld, seconds: number) {
  await consensus.expectStableLeadership(this, seconds * 1000);
});

When('the leader fails', async function (this: NovaWorld) {
  await consensus.failLeader(this);
});

When('a follower fails', async function (this: NovaWorld) {
  await consensus.failFollowers(this, 1);
});

When('both followers fail', async function (this: NovaWorld) {
  await consensus.failFollowers(this, 2);
});

When('the failed node(s) restart(s)', async function (this: NovaWorld) {
  await consensus.restartFailed(this);
});

Then('another node leads the cluster within {int} second(s)', async function (this: NovaWorld, seconds: number) {
  await consensus.expectNewLeader(this, seconds * 1000);
});

Then("the new leader's term is higher than the failed leader's", function (this: NovaWorld) {
  consensus.expectHigherTerm(this);
});

When('the network cuts the leader off from the other nodes', async function (this: NovaWorld) {
  await consensus.cutOff(this, 'the leader');
});

When('the network cuts a follower off from the other nodes', async function (this: NovaWorld) {
  await consensus.cutOff(this, 'a follower');
});

When('the cut-off node stays cut off for {int} second(s)', async function (this: NovaWorld, seconds: number) {
  await consensus.keepCutOff(seconds * 1000);
});

When('the network heals', async function (this: NovaWorld) {
  await consensus.heal(this);
});

When('every link delays messages by {int} ms and loses {int}% of them', async function (this: NovaWorld, delayMs: number, lossPercent: number) {
  await consensus.degradeLinks(this, delayMs, lossPercent);
});

When('every link is healthy again', async function (this: NovaWorld) {
  await consensus.restoreLinks(this);
});

When('the leader fails and comes back, {int} times in a row, a second apart', async function (this: NovaWorld, times: number) {
  await consensus.flapLeader(this, times, 1000);
});

When('the leader has noticed it lost its majority', async function (this: NovaWorld) {
  await consensus.waitForQuorumLoss(this, 2000);
});

When('a client stores these settings, each through the node named:', async function (this: NovaWorld, table: DataTable) {
  await consensus.storeTable(this, table.hashes() as { node: string; setting: string; value: string }[]);
});

When('a client stores {string} as {string} through the connected nodes', async function (this: NovaWorld, key: string, value: string) {
  await consensus.store(this, key, value, 'the connected nodes');
});

When('a client stores {int} settings through the connected nodes', async function (this: NovaWorld, count: number) {
  await consensus.storeMany(this, count, 'the connected nodes');
});

When('a client stores {int} settings through the leader', async function (this: NovaWorld, count: number) {
  await consensus.storeMany(this, count, 'the leader');
});

When('a client tries to store {string} as {string} through the cut-off node', async function (this: NovaWorld, key: string, value: string) {
  await consensus.tryToStore(this, key, value, 'the cut-off node');
});

When('a client tries to store {string} as {string} through the leader', async function (this: NovaWorld, key: string, value: string) {
  await consensus.tryToStore(this, key, value, 'the leader');
});

Then('that write is not acknowledged', function (this: NovaWorld) {
  consensus.expectLastWriteNotAcknowledged(this);
});

Then('that write is refused within {int} seconds', function (this: NovaWorld, seconds: number) {
  consensus.expectLastWriteRefused(this, seconds * 1000);
});

Then('no node reads a value for {string}', async function (this: NovaWorld, key: string) {
  await consensus.expectNoNodeReads(this, key);
});

Then('once the nodes agree, no node reads a value for {string}', async function (this: NovaWorld, key: string) {
  await consensus.expectNoNodeReadsOnceConverged(this, key);
});

Then('every node reads {string} as {string} within {int} seconds', async function (this: NovaWorld, key: string, value: string, seconds: number) {
  await consensus.expectEveryNodeReads(this, { [key]: value }, seconds * 1000);
});

Then('every node reads the same settings within {int} second(s)', async function (this: NovaWorld, seconds: number) {
  await consensus.expectEveryNodeReadsAcknowledged(this, seconds * 1000);
});

Then('every node holds every acknowledged write within {int} seconds', async function (this: NovaWorld, seconds: number) {
  await consensus.expectConvergedWithEveryAcknowledgedWrite(this, seconds * 1000);
});

Then('the restarted node reads all {int} settings within {int} seconds', async function (this: NovaWorld, count: number, seconds: number) {
  await consensus.expectRestartedNodeReads(this, count, seconds * 1000);
});

Then('the cluster accepts writes again within {int} seconds', async function (this: NovaWorld, seconds: number) {
  await consensus.store(this, 'accepts-writes', 'yes', 'any node', seconds * 1000);
});

When(
  '{int} clients write and read settings through any node for {int} seconds while the network and the nodes fail at random',
  async function (this: NovaWorld, clients: number, seconds: number) {
    await consensus.runHistoryUnderNemesis(this, seconds * 1000, clients);
  },
);

Then(
  'every acknowledged change is kept once, in the order it was acknowledged, nothing refused is applied, and every read answers what the history held at the point it claims',
  function (this: NovaWorld) {
    consensus.expectHistoryHolds(this);
  },
);
