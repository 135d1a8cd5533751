import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import * as federation from '../support/tasks/federation';
import type { ClusterRef } from '../support/tasks/federation';
import type { NovaWorld } from '../support/world';

defineParameterType({
  name: 'cluster',
  regexp: /the local cluster|"[^"]+"/,
  transformer: (text: string): ClusterRef => (text === 'the local cluster' ? { local: true } : { peer: text.slice(1, -1) }),
});

const LOCAL: ClusterRef = { local: true };
const peers = (...names: string[]): ClusterRef[] => names.map((peer) => ({ peer }));

Given('the peer clusters {string} and {string} have joined the federation in one region', async function (this: NovaWorld, first: string, second: string) {
  await federation.joinPeers(this, [first, second]);
});

Given('{string} has become unreachable', async function (this: NovaWorld, peer: string) {
  await federation.makeUnreachable(this, peer);
});

When('I look at the federation status', async function (this: NovaWorld) {
  await federation.readStatus(this);
});

When(
  'I request the federated machine {string} through {cluster} to run on {cluster}',
  async function (this: NovaWorld, alias: string, via: ClusterRef, target: ClusterRef) {
    await federation.requestVm(this, alias, via, target);
  },
);

When('I request the federated machine {string} through {cluster} without naming a cluster', async function (this: NovaWorld, alias: string, via: ClusterRef) {
  await federation.requestVm(this, alias, via);
});

When('{string} is reachable again', async function (this: NovaWorld, peer: string) {
  await federation.makeReachable(this, peer);
});

When('{string} is created on {cluster} and runs there within {int} seconds', async function (this: NovaWorld, alias: string, target: ClusterRef, seconds: number) {
  await federation.expectRunningOn(this, alias, target, seconds * 1000);
});

Then('it lists the local cluster, {string} and {string}, each reachable', async function (this: NovaWorld, first: string, second: string) {
  await federation.expectListedReachable(this, [LOCAL, ...peers(first, second)]);
});

Then(
  'each of them reports its capacity, when it was last seen and how many machines it runs',
  async function (this: NovaWorld) {
    await federation.expectMembersReport(this, federation.scenarioMembers(this));
  },
);

Then('{cluster} counts {string} among the machines it runs', async function (this: NovaWorld, target: ClusterRef, alias: string) {
  await federation.expectCountedOn(this, alias, target);
});

Then(
  'within {int} seconds the local cluster, {string} and {string} hold the same version of the record of {string}',
  async function (this: NovaWorld, seconds: number, first: string, second: string, alias: string) {
    await federation.expectSameVersion(this, alias, [LOCAL, ...peers(first, second)], seconds * 1000);
  },
);

Then('that version counts both changes of {string}: its placement and its start', async function (this: NovaWorld, alias: string) {
  await federation.expectVersion(this, alias, 2);
});

Then('the request is refused because {string} is unreachable', function (this: NovaWorld, peer: string) {
  federation.expectUnreachableRefusal(this, peer);
});

Then(
  'the federation status shows {string} unreachable since it was last seen, and the others reachable',
  async function (this: NovaWorld, peer: string) {
    await federation.expectStatusWithUnreachable(this, peer);
  },
);

Then(
  'within {int} seconds every reachable member holds the latest version of {string}, and {string} holds no record of it',
  async function (this: NovaWorld, seconds: number, alias: string, peer: string) {
    await federation.expectCaughtUpExcept(this, alias, peer, seconds * 1000);
  },
);

Then(
  'within {int} seconds {string} holds that version of {string}, as the local cluster and {string} do',
  async function (this: NovaWorld, seconds: number, peer: string, alias: string, other: string) {
    await federation.expectReceivedMissedVersion(this, alias, peer, [LOCAL, ...peers(peer, other)], seconds * 1000);
  },
);
