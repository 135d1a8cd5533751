import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import * as network from '../support/tasks/network';
import type { DecidingRule } from '../support/tasks/network';
import * as vms from '../support/tasks/vms';
import type { NovaWorld } from '../support/world';

defineParameterType({ name: 'subnet', regexp: /\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}/, transformer: (s: string) => s });
defineParameterType({ name: 'address', regexp: /\d{1,3}(?:\.\d{1,3}){3}/, transformer: (s: string) => s });
defineParameterType({ name: 'protocol', regexp: /TCP|UDP/, transformer: (p: string) => p.toLowerCase() });
defineParameterType({
  name: 'gateway choice',
  regexp: /the default gateway|the gateway \d{1,3}(?:\.\d{1,3}){3}/,
  transformer: (choice: string): string | undefined => (choice === 'the default gateway' ? undefined : choice.replace('the gateway ', '')),
});
defineParameterType({
  name: 'verdict',
  regexp: /not reachable|reachable/,
  transformer: (verdict: string) => verdict === 'reachable',
});
defineParameterType({
  name: 'deciding rule',
  regexp: /the default deny rule|the same-segment rule|the policy "[^"]+"/,
  transformer: (rule: string): DecidingRule =>
    rule === 'the default deny rule'
      ? { builtIn: 'default-deny' }
      : rule === 'the same-segment rule'
        ? { builtIn: 'same-segment' }
        : { policy: rule.slice('the policy "'.length, -1) },
});
defineParameterType({
  name: 'machines',
  regexp: /"[^"]+"(?:, "[^"]+")* and "[^"]+"/,
  transformer: (list: string) => [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
});

Given('the segment {string} on {subnet}', async function (this: NovaWorld, alias: string, subnet: string) {
  await network.createSegment(this, alias, subnet);
});

Given(
  'the segments {string} on {subnet} and {string} on {subnet}',
  async function (this: NovaWorld, first: string, firstSubnet: string, second: string, secondSubnet: string) {
    await network.createSegment(this, first, firstSubnet);
    await network.createSegment(this, second, secondSubnet);
  },
);

Given('virtual machines {machines}', async function (this: NovaWorld, aliases: string[]) {
  for (const alias of aliases) await vms.createVm(this, alias);
});

Given('a virtual machine {string} attached to the segment {string}', async function (this: NovaWorld, vm: string, segment: string) {
  await network.vmOnSegment(this, vm, segment);
});

Given(
  'a policy {string} allowing {protocol} port {int} from the segment {string} to the segment {string}',
  async function (this: NovaWorld, policy: string, protocol: string, port: number, from: string, to: string) {
    await network.createPolicy(this, policy, protocol, port, from, to);
  },
);

When(
  'I create the segment {string} on {subnet} with {gateway choice}',
  async function (this: NovaWorld, alias: string, subnet: string, gateway: string | undefined) {
    await network.createSegment(this, alias, subnet, gateway);
  },
);

When('I try to create the segment {string} on {string}', async function (this: NovaWorld, alias: string, subnet: string) {
  await network.submitSegment(this, alias, subnet);
});

When('I attach {machines} to the segment {string}', async function (this: NovaWorld, aliases: string[], segment: string) {
  for (const alias of aliases) await network.attach(this, alias, segment);
});

When(
  'I test whether {string} reaches {string} on {protocol} port {int}',
  async function (this: NovaWorld, from: string, to: string, protocol: string, port: number) {
    await network.testConnectivity(this, from, to, protocol, port);
  },
);

Then(
  'the segment {string} covers {subnet} with the gateway {address}',
  async function (this: NovaWorld, alias: string, subnet: string, gateway: string) {
    await network.expectSegment(this, alias, { subnet, gateway });
  },
);

Then('the segment {string} is bridged', async function (this: NovaWorld, alias: string) {
  await network.expectSegment(this, alias, { type: 'bridged' });
});

Then('the segment is refused because {}', function (this: NovaWorld, reason: string) {
  network.expectSegmentRefused(this, reason);
});

Then('there is no segment {string}', async function (this: NovaWorld, alias: string) {
  await network.expectNoSegment(this, alias);
});

Then(
  '{machines} have distinct addresses in {subnet}, none of them the gateway',
  async function (this: NovaWorld, aliases: string[], subnet: string) {
    await network.expectDistinctAddresses(this, aliases, subnet);
  },
);

Then('it is {verdict}, decided by {deciding rule}', function (this: NovaWorld, reachable: boolean, rule: DecidingRule) {
  network.expectVerdict(this, reachable, rule);
});
